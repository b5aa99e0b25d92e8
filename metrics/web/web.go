// Package web serves the JSON API (/api/v1/kpis, /api/v1/compare) and the
// overview page (/) behind their access guard: the handlers, the
// credentials check and the page's builder. cmd/cxpulse wires it to the
// HTTP server and the configuration.
package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/cxpulse/cxpulse/metrics/compare"
	"github.com/cxpulse/cxpulse/metrics/kpi"
	"github.com/cxpulse/cxpulse/metrics/overview"
)

// Server serves the JSON API (/api/v1/kpis, /api/v1/compare) and the
// overview page (/). Every query parameter is validated and bound; none reaches SQL
// as text.
type Server struct {
	engine *kpi.Engine
	// params are the current KPI parameters (a reload may replace them).
	params func() kpi.Params
	log    zerolog.Logger
	now    func() time.Time

	mu    sync.Mutex
	pages map[string]cachedPage // by window
}

type cachedPage struct {
	page  overview.Page
	built time.Time
}

// pageTTL is how long a rendered overview is reused: it costs a few dozen
// KPI computations, and numbers a minute old are fresh enough for people.
const pageTTL = time.Minute

// New serves the KPIs of engine; params returns the current KPI parameters
// (a reload may replace them). It does no I/O.
func New(engine *kpi.Engine, params func() kpi.Params, log zerolog.Logger) *Server {
	return &Server{engine: engine, params: params, log: log, now: time.Now, pages: map[string]cachedPage{}}
}

// Routes adds the API and the page behind the access guard: open without
// credentials only when addr is a loopback address. A nil Server from get
// (no ClickHouse yet) answers 503.
func Routes(addr string, auth func() Credentials, get func() *Server, log zerolog.Logger) func(mux *http.ServeMux) {
	loopback := IsLoopback(addr)
	if !auth().Enabled() && !loopback {
		log.Warn().Str("addr", addr).Msg("the API and overview page answer 403: they listen beyond the loopback without http.auth")
	}
	open := func(a Credentials) bool { return !a.Enabled() && loopback }
	wrap := func(h func(w *Server, rw http.ResponseWriter, r *http.Request)) http.Handler {
		return Guard(auth, open, "the API and the overview page", http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				apiError(rw, http.StatusMethodNotAllowed, "only GET")
				return
			}
			w := get()
			if w == nil {
				apiError(rw, http.StatusServiceUnavailable, "starting: not connected to ClickHouse yet")
				return
			}
			h(w, rw, r)
		}))
	}
	return func(mux *http.ServeMux) {
		mux.Handle("/api/v1/kpis", wrap((*Server).kpis))
		mux.Handle("/api/v1/compare", wrap((*Server).compare))
		mux.Handle("/{$}", wrap((*Server).overview))
	}
}

// query reads and checks the parameters every endpoint shares.
type query struct {
	asOf    time.Time
	windows []kpi.Window
}

func (w *Server) common(q url.Values, defaultWindow string) (query, error) {
	var out query
	for name := range q {
		switch name {
		case "kpi", "window", "by", "as_of", "branches", "policy", "target", "level", "fdr":
		default:
			return out, fmt.Errorf("unknown parameter %q", name)
		}
	}
	var err error
	if out.asOf, err = ParseAsOf(q.Get("as_of")); err != nil {
		return out, fmt.Errorf("as_of: want RFC 3339, e.g. 2026-10-01T00:00:00Z")
	}
	if out.asOf.After(w.now().Add(time.Minute)) {
		return out, fmt.Errorf("as_of %s is in the future", out.asOf.Format(time.RFC3339))
	}
	win := q.Get("window")
	if win == "" {
		win = defaultWindow
	}
	if out.windows, err = ParseWindows(win); err != nil {
		return out, fmt.Errorf("window: %v", err)
	}
	return out, nil
}

// kpis is /api/v1/kpis: what `cxpulse report --format json` prints.
func (w *Server) kpis(rw http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	c, err := w.common(q, "30d")
	if err != nil {
		apiError(rw, http.StatusBadRequest, err.Error())
		return
	}
	p := w.params()
	p.AsOf, p.Windows = c.asOf, c.windows
	p.By = SplitComma(q.Get("by"))
	if len(p.By) == 0 {
		p.By = []string{kpi.DimBranch, kpi.DimChannel}
	}
	if err := p.WithDefaults().Validate(); err != nil {
		apiError(rw, http.StatusBadRequest, "by: "+err.Error())
		return
	}
	kpis := SplitComma(q.Get("kpi"))
	for _, k := range kpis {
		if _, ok := kpi.Fields[k]; !ok {
			apiError(rw, http.StatusBadRequest, fmt.Sprintf("kpi %q: want one of %v", k, kpi.Names()))
			return
		}
	}
	rows, err := w.engine.Compute(r.Context(), p, kpis...)
	if err != nil {
		w.log.Error().Err(err).Msg("api kpis")
		apiError(rw, http.StatusInternalServerError, "computing the KPIs failed; see the server log")
		return
	}
	if rows == nil {
		rows = []kpi.Row{}
	}
	writeJSON(rw, rows)
}

// compare is /api/v1/compare: what `cxpulse compare --format json` prints.
func (w *Server) compare(rw http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	c, err := w.common(q, "30d")
	if err != nil {
		apiError(rw, http.StatusBadRequest, err.Error())
		return
	}
	opts, err := CompareOptions(q.Get("kpi"), c.windows, q.Get("branches"), q.Get("policy"), q.Get("target"), q.Get("level"), q.Get("fdr"))
	if err != nil {
		apiError(rw, http.StatusBadRequest, err.Error())
		return
	}
	p := w.params()
	p.AsOf = c.asOf
	res, err := compare.Compare(r.Context(), w.engine, p, opts)
	if err != nil {
		w.log.Error().Err(err).Msg("api compare")
		apiError(rw, http.StatusInternalServerError, "the comparison failed; see the server log")
		return
	}
	writeJSON(rw, res)
}

// overview is the page at /.
func (w *Server) overview(rw http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	c, err := w.common(q, "30d")
	if err != nil {
		apiError(rw, http.StatusBadRequest, err.Error())
		return
	}
	var page overview.Page
	if q.Get("as_of") != "" {
		page, err = w.build(r.Context(), c.asOf, c.windows[0])
	} else {
		page, err = w.page(r.Context(), c.windows[0])
	}
	if err != nil {
		w.log.Error().Err(err).Msg("overview page")
		http.Error(rw, "the overview could not be computed; see the server log", http.StatusInternalServerError)
		return
	}
	rw.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := overview.Render(rw, page); err != nil {
		w.log.Warn().Err(err).Msg("render overview")
	}
}

// page returns the overview of now for window, from the cache when fresh.
func (w *Server) page(ctx context.Context, win kpi.Window) (overview.Page, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if c, ok := w.pages[win.Label]; ok && w.now().Sub(c.built) < pageTTL {
		return c.page, nil
	}
	p, err := w.build(ctx, w.now().UTC().Truncate(time.Second), win)
	if err != nil {
		return p, err
	}
	w.pages[win.Label] = cachedPage{page: p, built: w.now()}
	return p, nil
}
