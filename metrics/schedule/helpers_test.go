package schedule

import (
	"bytes"
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"
)

// recorder keeps the ticks each job was run for.
type recorder struct {
	mu    sync.Mutex
	ticks map[string][]time.Time
}

func newRecorder() *recorder { return &recorder{ticks: map[string][]time.Time{}} }

// job returns a Run func that records its tick, then calls do (if any).
func (r *recorder) job(name string, do func(ctx context.Context, tick time.Time) error) func(context.Context, time.Time) error {
	return func(ctx context.Context, tick time.Time) error {
		r.mu.Lock()
		r.ticks[name] = append(r.ticks[name], tick)
		r.mu.Unlock()
		if do == nil {
			return nil
		}
		return do(ctx, tick)
	}
}

// clocks returns the ticks of job as "15:04:05", which read better in a
// failed assertion than time.Time internals.
func (r *recorder) clocks(job string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, t := range r.ticks[job] {
		out = append(out, t.UTC().Format("15:04:05"))
	}
	return out
}

func (r *recorder) count(job string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.ticks[job])
}

// start runs s until the test ends; stop cancels it and returns what Run
// returned, failing the test if Run does not return within a generous bound.
func start(t *testing.T, s *Scheduler) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("Run did not return after cancel")
			}
		})
		return err
	}
	t.Cleanup(func() { _ = stop() })
	return stop
}

// logBuffer collects JSON log lines from concurrent loops.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func newLogger() (zerolog.Logger, *logBuffer) {
	buf := &logBuffer{}
	return zerolog.New(buf).Level(zerolog.DebugLevel), buf
}

// find returns the log lines with message msg of job.
func (l *logBuffer) find(t *testing.T, job, msg string) []map[string]any {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for _, line := range bytes.Split(l.b.Bytes(), []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var rec map[string]any
		require.NoError(t, json.Unmarshal(line, &rec), string(line))
		if rec["job"] == job && rec["message"] == msg {
			out = append(out, rec)
		}
	}
	return out
}

func unix(clock string) float64 { return float64(at(clock).Unix()) }
