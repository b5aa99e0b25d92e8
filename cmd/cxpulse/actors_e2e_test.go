package main

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/cmd/cxpulse/config"
)

// actorProbe is an extra actor of the pipeline (where the demo's feeder runs)
// that reports whether it was left running: told to stop, it takes a moment
// to return, as a producer flushing would, so that a runPipeline that does
// not wait for it returns first.
type actorProbe struct {
	started, stopped atomic.Bool
	fail             chan error
}

func newActorProbe() *actorProbe { return &actorProbe{fail: make(chan error, 1)} }

func (p *actorProbe) run(ctx context.Context) error {
	p.started.Store(true)
	defer p.stopped.Store(true)
	select {
	case <-ctx.Done():
		time.Sleep(300 * time.Millisecond)
		return nil
	case err := <-p.fail:
		return err
	}
}

// runInProcess runs the pipeline of cfg in this process and returns its
// error, failing the test when it does not return within a minute.
func runInProcess(t *testing.T, cfg config.Config, opts pipelineOptions) error {
	t.Helper()
	a := newApp(cfg, zerolog.New(zerolog.NewTestWriter(t)))
	done := make(chan error, 1)
	go func() { done <- a.runPipeline(context.Background(), opts) }()
	select {
	case err := <-done:
		return err
	case <-time.After(time.Minute):
		t.Fatal("runPipeline did not return within a minute")
		return nil
	}
}

// requireAllStopped checks, right after runPipeline returned, that the
// actorProbe is not running and that the HTTP address is free again.
func requireAllStopped(t *testing.T, p *actorProbe, addr string) {
	t.Helper()
	require.False(t, p.started.Load() && !p.stopped.Load(), "runPipeline returned while an actor it started was still running")
	ln, err := net.Listen("tcp", addr)
	require.NoError(t, err, "the HTTP server still listens after runPipeline returned")
	require.NoError(t, ln.Close())
}

// TestPipelineStopsEveryActor fails the pipeline at each stage: in a build
// step (KPI parameters that do not parse, past the configuration's
// validation), while starting (a database that is not migrated) and while
// running (an actor fails). Each time runPipeline returns the error only
// once every actor it started has stopped.
func TestPipelineStopsEveryActor(t *testing.T) {
	p := newPipeline(t)
	base, err := config.LoadFile(p.configPath)
	require.NoError(t, err)

	for _, tc := range []struct {
		name, want string
		breaks     func(cfg *config.Config)
	}{
		// not validated here: KPIParams fails, after the exporter is built
		{"late build step", "kpi.windows", func(cfg *config.Config) { cfg.KPI.Windows = []string{"fortnight"} }},
		// the ClickHouse start fails once the HTTP server and the reloader run
		{"start step", "migrate", func(cfg *config.Config) { cfg.ClickHouse.Database = p.db + "_missing" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := base
			cfg.HTTP.Addr = freeAddr(t)
			tc.breaks(&cfg)
			pr := newActorProbe()
			err := runInProcess(t, cfg, pipelineOptions{kpi: true, extra: pr.run})
			require.ErrorContains(t, err, tc.want)
			requireAllStopped(t, pr, cfg.HTTP.Addr)
		})
	}

	t.Run("running actor fails", func(t *testing.T) {
		cfg := base
		cfg.HTTP.Addr = freeAddr(t)
		pr := newActorProbe()
		a := newApp(cfg, zerolog.New(zerolog.NewTestWriter(t)))
		done := make(chan error, 1)
		go func() { done <- a.runPipeline(context.Background(), pipelineOptions{kpi: true, extra: pr.run}) }()
		require.Eventually(t, func() bool {
			resp, err := http.Get("http://" + cfg.HTTP.Addr + "/readyz")
			if err != nil {
				return false
			}
			_ = resp.Body.Close()
			return resp.StatusCode == http.StatusOK && pr.started.Load()
		}, 60*time.Second, 100*time.Millisecond, "the pipeline never became ready")
		boom := errors.New("feeder broke")
		pr.fail <- boom
		select {
		case err := <-done:
			require.ErrorIs(t, err, boom)
		case <-time.After(time.Minute):
			t.Fatal("runPipeline did not return within a minute of an actor's failure")
		}
		requireAllStopped(t, pr, cfg.HTTP.Addr)
	})
}
