package main

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/rs/zerolog"

	"github.com/cxpulse/cxpulse/cmd/cxpulse/config"
	"github.com/cxpulse/cxpulse/metrics/compare"
	"github.com/cxpulse/cxpulse/metrics/kpi"
	"github.com/cxpulse/cxpulse/metrics/overview"
)

// web serves the JSON API (/api/v1/kpis, /api/v1/compare) and the overview
// page (/). Every query parameter is validated and bound; none reaches SQL
// as text.
type web struct {
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

func (a *app) newWeb(conn driver.Conn) (*web, error) {
	if _, err := a.kpiParams(); err != nil {
		return nil, err
	}
	params := func() kpi.Params { p, _ := a.kpiParams(); return p }
	return &web{engine: a.newEngine(conn), params: params,
		log: a.log.With().Str("component", "web").Logger(), now: time.Now, pages: map[string]cachedPage{}}, nil
}

// routes adds the API and the page behind the access guard. A nil w (no
// ClickHouse yet) answers 503.
func webRoutes(addr string, auth func() config.HTTPAuth, get func() *web, log zerolog.Logger) func(mux *http.ServeMux) {
	loopback := isLoopback(addr)
	if !auth().Enabled() && !loopback {
		log.Warn().Str("addr", addr).Msg("the API and overview page answer 403: they listen beyond the loopback without http.auth")
	}
	open := func(a config.HTTPAuth) bool { return !a.Enabled() && loopback }
	wrap := func(h func(w *web, rw http.ResponseWriter, r *http.Request)) http.Handler {
		return guard(auth, open, "the API and the overview page", http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
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
		mux.Handle("/api/v1/kpis", wrap((*web).kpis))
		mux.Handle("/api/v1/compare", wrap((*web).compare))
		mux.Handle("/{$}", wrap((*web).overview))
	}
}

// guard lets a request through when it carries the current bearer token or
// basic-auth credentials, or when open says the current credentials leave
// it open; otherwise 401 (or 403 when no credentials are configured at all).
// The credentials are read per request: a SIGHUP may replace them.
func guard(current func() config.HTTPAuth, open func(config.HTTPAuth) bool, what string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		auth := current()
		if open(auth) || authorized(auth, r) {
			next.ServeHTTP(rw, r)
			return
		}
		if !auth.Enabled() {
			apiError(rw, http.StatusForbidden, what+" listen beyond the loopback and need http.auth (a token_file, basic_auth_file or CXPULSE_HTTP_TOKEN)")
			return
		}
		rw.Header().Set("WWW-Authenticate", `Basic realm="cxpulse"`)
		apiError(rw, http.StatusUnauthorized, "unauthorized")
	})
}

func authorized(auth config.HTTPAuth, r *http.Request) bool {
	if auth.Token != "" {
		if t, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok &&
			subtle.ConstantTimeCompare([]byte(t), []byte(auth.Token)) == 1 {
			return true
		}
	}
	if user, pass, ok := r.BasicAuth(); ok {
		if want, known := auth.Basic[user]; known && subtle.ConstantTimeCompare([]byte(pass), []byte(want)) == 1 {
			return true
		}
	}
	return false
}

// isLoopback reports whether addr listens on the loopback only.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func apiError(rw http.ResponseWriter, code int, msg string) {
	rw.Header().Set("Content-Type", "application/json")
	rw.WriteHeader(code)
	_ = json.NewEncoder(rw).Encode(map[string]string{"error": msg})
}

func writeJSON(rw http.ResponseWriter, v any) {
	rw.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(rw)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// query reads and checks the parameters every endpoint shares.
type query struct {
	asOf    time.Time
	windows []kpi.Window
}

func (w *web) common(q url.Values, defaultWindow string) (query, error) {
	var out query
	for name := range q {
		switch name {
		case "kpi", "window", "by", "as_of", "branches", "policy", "target", "level", "fdr":
		default:
			return out, fmt.Errorf("unknown parameter %q", name)
		}
	}
	var err error
	if out.asOf, err = parseAsOf(q.Get("as_of")); err != nil {
		return out, fmt.Errorf("as_of: want RFC 3339, e.g. 2026-10-01T00:00:00Z")
	}
	if out.asOf.After(w.now().Add(time.Minute)) {
		return out, fmt.Errorf("as_of %s is in the future", out.asOf.Format(time.RFC3339))
	}
	win := q.Get("window")
	if win == "" {
		win = defaultWindow
	}
	if out.windows, err = parseWindows(win); err != nil {
		return out, fmt.Errorf("window: %v", strings.TrimPrefix(err.Error(), "--window: "))
	}
	return out, nil
}

// kpis is /api/v1/kpis: what `cxpulse report --format json` prints.
func (w *web) kpis(rw http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	c, err := w.common(q, "30d")
	if err != nil {
		apiError(rw, http.StatusBadRequest, err.Error())
		return
	}
	p := w.params()
	p.AsOf, p.Windows = c.asOf, c.windows
	p.By = splitComma(q.Get("by"))
	if len(p.By) == 0 {
		p.By = []string{kpi.DimBranch, kpi.DimChannel}
	}
	if err := p.WithDefaults().Validate(); err != nil {
		apiError(rw, http.StatusBadRequest, "by: "+err.Error())
		return
	}
	kpis := splitComma(q.Get("kpi"))
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
func (w *web) compare(rw http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	c, err := w.common(q, "30d")
	if err != nil {
		apiError(rw, http.StatusBadRequest, err.Error())
		return
	}
	opts, err := compareOptions(q.Get("kpi"), c.windows, q.Get("branches"), q.Get("policy"), q.Get("target"), q.Get("level"), q.Get("fdr"))
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

// compareOptions checks the parameters of a comparison (CLI and API alike).
func compareOptions(kpiName string, windows []kpi.Window, branches, policy, target, level, fdr string) (compare.Options, error) {
	opts := compare.Options{KPI: kpiName, Branches: splitComma(branches), Policy: policy, Target: target}
	if _, ok := compare.KPIs[kpiName]; !ok {
		names := make([]string, 0, len(compare.KPIs))
		for k := range compare.KPIs {
			names = append(names, k)
		}
		sort.Strings(names)
		return opts, fmt.Errorf("kpi %q: want one of %s", kpiName, strings.Join(names, ", "))
	}
	if len(windows) != 1 {
		return opts, fmt.Errorf("window: one window, e.g. 30d")
	}
	opts.Window = windows[0]
	if target != "" && target != "first_response" && target != "resolution" {
		return opts, fmt.Errorf("target %q: want first_response or resolution", target)
	}
	for name, v := range map[string]*float64{"level": &opts.Level, "fdr": &opts.FDR} {
		s := map[string]string{"level": level, "fdr": fdr}[name]
		if s == "" {
			continue
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f <= 0 || f >= 1 {
			return opts, fmt.Errorf("%s %q: want a number between 0 and 1", name, s)
		}
		*v = f
	}
	return opts, nil
}

// overview is the page at /.
func (w *web) overview(rw http.ResponseWriter, r *http.Request) {
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
func (w *web) page(ctx context.Context, win kpi.Window) (overview.Page, error) {
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
