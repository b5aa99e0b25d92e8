package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"reflect"
	"sort"
	"sync/atomic"
	"syscall"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/cxpulse/cxpulse/cmd/cxpulse/config"
	"github.com/cxpulse/cxpulse/metrics/expose"
	"github.com/cxpulse/cxpulse/metrics/kpi"
)

// liveState is what the running parts read from the configuration that a
// SIGHUP may replace: calendars and SLA policies (as KPI parameters), the
// HTTP credentials read from their files, the log level. Everything else is
// read once at start.
type liveState struct {
	cfg       config.Config
	params    kpi.Params
	paramsErr error
}

func newLiveState(cfg config.Config) *liveState {
	p, err := cfg.KPIParams()
	return &liveState{cfg: cfg, params: p, paramsErr: err}
}

// with is s with the reloadable settings of cfg: everything else, the
// KPI windows and lookbacks among them, stays as the process started.
func (s *liveState) with(cfg config.Config) (*liveState, error) {
	next := s.cfg
	next.Log.Level = cfg.Log.Level
	next.Calendars, next.SLAPolicies = cfg.Calendars, cfg.SLAPolicies
	next.HTTP.Auth, next.HTTP.MetricsAuth = cfg.HTTP.Auth, cfg.HTTP.MetricsAuth
	fresh, err := next.KPIParams()
	if err != nil {
		return nil, err
	}
	params := s.params
	params.Calendars, params.Policies = fresh.Calendars, fresh.Policies
	return &liveState{cfg: next, params: params}, nil
}

// kpiParams are the current KPI parameters (calendars, policies, windows).
func (a *app) kpiParams() (kpi.Params, error) {
	s := a.live.Load()
	return s.params, s.paramsErr
}

func (a *app) httpAuth() config.HTTPAuth    { return a.live.Load().cfg.HTTP.Auth }
func (a *app) metricsAuth() config.HTTPAuth { return a.live.Load().cfg.HTTP.MetricsAuth }

// levelHook drops events below the current level, so that a reload can
// change the level of every logger already handed out.
type levelHook struct{ min atomic.Int32 }

func (h *levelHook) Run(e *zerolog.Event, level zerolog.Level, _ string) {
	if level < zerolog.Level(h.min.Load()) {
		e.Discard()
	}
}

func (h *levelHook) set(name string) {
	level, _ := zerolog.ParseLevel(name)
	h.min.Store(int32(level))
}

// reloadable is what a SIGHUP changes in place; restartFields lists the
// sections read only at start, by the names the reload log gives them.
var reloadable = []string{"log.level", "calendars", "sla_policies", "http.auth", "http.metrics_auth", "http.tls (the files' contents)"}

// reloader re-reads the configuration on SIGHUP: file, environment and
// flags again, validated exactly as at start. A configuration that does not
// validate is refused, naming its fields, and the running one is kept.
type reloader struct {
	a    *app
	load func() (config.Config, error)
	exp  *expose.Exporter // nil without KPI series
	tls  func()           // re-reads the certificate files; nil without TLS

	hup       chan os.Signal
	success   prometheus.Gauge
	timestamp prometheus.Gauge
}

// newReloader registers the reload series on a's registry.
func (a *app) newReloader(exp *expose.Exporter, tlsReload func()) *reloader {
	r := &reloader{a: a, load: a.loadConfig, exp: exp, tls: tlsReload,
		success: prometheus.NewGauge(prometheus.GaugeOpts{Name: "cxpulse_config_last_reload_successful",
			Help: "1 when the last configuration reload (SIGHUP) succeeded or none was asked for, 0 when it was refused."}),
		timestamp: prometheus.NewGauge(prometheus.GaugeOpts{Name: "cxpulse_config_last_reload_success_timestamp_seconds",
			Help: "Unix time of the last configuration loaded successfully: the start, or the last accepted SIGHUP."}),
	}
	r.success.Set(1)
	r.timestamp.SetToCurrentTime()
	a.reg.MustRegister(r.success, r.timestamp)
	// Caught from now on: SIGHUP's default action would end the process.
	r.hup = make(chan os.Signal, 1)
	signal.Notify(r.hup, syscall.SIGHUP)
	return r
}

// Run reloads on every SIGHUP until ctx ends.
func (r *reloader) Run(ctx context.Context) error {
	defer signal.Stop(r.hup)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-r.hup:
			_ = r.reload()
		}
	}
}

// reload loads, validates and applies the configuration once.
func (r *reloader) reload() error {
	log := r.a.log.With().Str("component", "reload").Logger()
	running := r.a.live.Load()
	var next *liveState
	cfg, err := r.load()
	if err == nil {
		err = config.CheckServerTLS(cfg.HTTP.TLS)
	}
	if err == nil {
		next, err = running.with(cfg)
	}
	if err != nil {
		r.success.Set(0)
		log.Error().Err(err).Msg("configuration reload refused: the running configuration is kept")
		return err
	}
	if changed := restartFields(running.cfg, cfg); len(changed) > 0 {
		log.Warn().Strs("fields", changed).Msg("these settings changed but are read only at start: restart to apply them")
	}
	r.a.live.Store(next)
	if r.exp != nil {
		r.exp.SetPolicies(next.params.Policies)
	}
	if r.tls != nil {
		r.tls()
	}
	r.success.Set(1)
	r.timestamp.SetToCurrentTime()
	log.Info().Strs("reloadable", reloadable).Str("log_level", cfg.Log.Level).Int("calendars", len(cfg.Calendars)).
		Int("sla_policies", len(cfg.SLAPolicies)).Msg("configuration reloaded")
	// last, so that the line above shows at the old level too
	r.a.level.set(next.cfg.Log.Level)
	return nil
}

// restartFields names the top-level sections (and http's keys) that differ
// between old and new outside what a reload applies.
func restartFields(old, new config.Config) []string {
	strip := func(c config.Config) config.Config {
		c.Log.Level = ""
		c.Calendars, c.SLAPolicies = nil, nil
		c.HTTP.Auth, c.HTTP.MetricsAuth = config.HTTPAuth{}, config.HTTPAuth{}
		return c
	}
	o, n := reflect.ValueOf(strip(old)), reflect.ValueOf(strip(new))
	var out []string
	for i := 0; i < o.NumField(); i++ {
		if !reflect.DeepEqual(o.Field(i).Interface(), n.Field(i).Interface()) {
			out = append(out, yamlName(o.Type().Field(i)))
		}
	}
	sort.Strings(out)
	return out
}

func yamlName(f reflect.StructField) string {
	if tag := f.Tag.Get("yaml"); tag != "" && tag != "-" {
		return tag
	}
	return f.Name
}

// startServing adds to group what every long-running command serves: the
// HTTP server (over TLS when http.tls is set), the SIGHUP reloader and, when
// debug.pprof_addr is set, the profiles. A certificate that does not load
// fails here, before anything runs.
func (a *app) startServing(ctx context.Context, group *errgroup.Group, srv *healthServer, exp *expose.Exporter) error {
	var tlsReload func()
	if t := a.cfg.HTTP.TLS; t.Enabled() {
		store, err := config.NewCertStore(t)
		if err != nil {
			return err
		}
		srv.tls, srv.tlsReload, tlsReload = store, t.ReloadInterval, srv.reloadTLS
	}
	r := a.newReloader(exp, tlsReload)
	group.Go(func() error { return srv.Run(ctx) })
	group.Go(func() error { return r.Run(ctx) })
	if addr := a.cfg.Debug.PprofAddr; addr != "" {
		group.Go(func() error { return runPprof(ctx, addr, a.log) })
	}
	return nil
}

// loadConfig loads the configuration again as the command did at start.
func (a *app) loadConfig() (config.Config, error) {
	if a.source == nil {
		return config.Config{}, fmt.Errorf("no configuration source")
	}
	return a.source()
}

// reloadFrom remembers how cmd loaded its configuration, for SIGHUP.
func (a *app) reloadFrom(g *globalFlags, cmd *cobra.Command) *app {
	a.source = func() (config.Config, error) { return g.load(cmd.Flags()) }
	return a
}
