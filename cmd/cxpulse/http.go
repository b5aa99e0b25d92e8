package main

import (
	"compress/gzip"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	stdlog "log"
	"net"
	"net/http"
	"net/http/pprof"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/common/expfmt"
	"github.com/rs/zerolog"

	"github.com/cxpulse/cxpulse/cmd/cxpulse/config"
	"github.com/cxpulse/cxpulse/metrics/expose"
)

// healthServer serves /metrics, /healthz (the process is alive) and /readyz
// (it can do its work: ready returns nil).
type healthServer struct {
	addr  string
	reg   *prometheus.Registry
	kpi   *expose.Exporter // KPI series after the registry's; nil without KPI jobs
	ready func() error
	log   zerolog.Logger
	// routes adds handlers (the API and the overview page).
	routes func(mux *http.ServeMux)
	// metricsAuth returns the credentials protecting /metrics (a SIGHUP may change them).
	metricsAuth func() config.HTTPAuth
	// tls, when set, serves TLS with its current certificate, checked for
	// a change every tlsReload.
	tls       *config.CertStore
	tlsReload time.Duration
}

func (s *healthServer) handler() http.Handler {
	mux := http.NewServeMux()
	var metrics http.Handler = promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{Registry: s.reg})
	if s.kpi != nil {
		metrics = s.metricsHandler()
	}
	mux.Handle("/metrics", guard(s.metricsAuth, func(a config.HTTPAuth) bool { return !a.Enabled() }, "/metrics", metrics))
	if s.routes != nil {
		s.routes(mux)
	}
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, _ *http.Request) {
		if err := s.ready(); err != nil {
			http.Error(w, "not ready: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		_, _ = fmt.Fprintln(w, "ready")
	})
	return mux
}

// Run listens until ctx ends, then shuts down gracefully.
func (s *healthServer) Run(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		return fmt.Errorf("http server: %w", err)
	}
	scheme := "http"
	if s.tls != nil {
		ln, scheme = tls.NewListener(ln, s.tls.ServerConfig()), "https"
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() { defer close(done); s.watchTLS(stop) }()
		defer func() { close(stop); <-done }()
	}
	s.log.Info().Str("addr", ln.Addr().String()).Str("scheme", scheme).Msg("serving /metrics, /healthz, /readyz")
	return serve(ctx, ln, s.handler(), "http server", s.log)
}

// watchTLS re-reads the certificate files every tlsReload until stop.
func (s *healthServer) watchTLS(stop <-chan struct{}) {
	t := time.NewTicker(s.tlsReload)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			s.reloadTLS()
		}
	}
}

// reloadTLS makes changed certificate files current, keeping the old
// material when the new files do not load.
func (s *healthServer) reloadTLS() {
	changed, err := s.tls.Reload()
	switch {
	case err != nil:
		s.log.Error().Err(err).Msg("new TLS certificate refused; serving the previous one")
	case changed:
		s.log.Info().Msg("TLS certificate reloaded")
	}
}

// serve runs h on ln until ctx ends, then shuts down gracefully. The
// server's own complaints (failed TLS handshakes) go to the structured log.
func serve(ctx context.Context, ln net.Listener, h http.Handler, what string, log zerolog.Logger) error {
	errLog := log.With().Str("component", what).Logger()
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ErrorLog: stdlog.New(&errLog, "", 0)}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("%s: %w", what, err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("%s shutdown: %w", what, err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// runPprof serves Go's profiles on their own listener (debug.pprof_addr),
// never on the public server: they show internals and cost CPU while taken.
func runPprof(ctx context.Context, addr string, log zerolog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("pprof server: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	log.Warn().Str("addr", ln.Addr().String()).Msg("serving /debug/pprof/ (debug.pprof_addr): keep it off public networks")
	return serve(ctx, ln, mux, "pprof server", log)
}

// metricsHandler serves the process registry and then the KPI series, always
// in the text format (which every Prometheus accepts), gzipped when asked:
// the KPI part is encoded once per snapshot, so a scrape of a few hundred
// thousand series costs a copy, not an encoding.
func (s *healthServer) metricsHandler() http.Handler {
	format := expfmt.NewFormat(expfmt.TypeTextPlain)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mfs, err := s.reg.Gather()
		if err != nil {
			http.Error(w, "gather metrics: "+err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", string(format))
		var out io.Writer = w
		if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			w.Header().Set("Content-Encoding", "gzip")
			gz, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
			defer gz.Close()
			out = gz
		}
		enc := expfmt.NewEncoder(out, format)
		for _, mf := range mfs {
			if err := enc.Encode(mf); err != nil {
				s.log.Warn().Err(err).Msg("write /metrics")
				return
			}
		}
		if err := s.kpi.WriteText(out); err != nil {
			s.log.Warn().Err(err).Msg("write /metrics")
		}
	})
}
