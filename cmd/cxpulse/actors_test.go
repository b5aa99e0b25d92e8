package main

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"
)

// stopLog records the order in which actors began and finished stopping.
type stopLog struct {
	mu     sync.Mutex
	events []string
}

func (l *stopLog) add(e string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, e)
}

// slowStop is an actor that, told to stop, takes a moment (a flush).
func (l *stopLog) slowStop(name string) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		<-ctx.Done()
		l.add(name + " stopping")
		time.Sleep(20 * time.Millisecond)
		l.add(name + " stopped")
		return nil
	}
}

func runActorsFor(t *testing.T, l *actors) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- l.run() }()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("the actors did not stop")
		return nil
	}
}

// TestActorsStopInTheirOrder: on a stop each actor is told only once the
// one before it has returned, in the order of the list; a stop by the
// context returns nil.
func TestActorsStopInTheirOrder(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var log stopLog
	l := newActors(ctx, zerolog.Nop())
	for _, name := range []string{"feeder", "ingest", "http"} {
		l.add(name, log.slowStop(name))
	}
	time.AfterFunc(50*time.Millisecond, cancel)
	require.NoError(t, runActorsFor(t, l))
	require.Equal(t, []string{"feeder stopping", "feeder stopped", "ingest stopping", "ingest stopped", "http stopping", "http stopped"}, log.events)
}

// TestActorsFailureStopsTheOthers: an error stops every actor and is what
// run returns; an actor that ends with nil on its own stops nothing.
func TestActorsFailureStopsTheOthers(t *testing.T) {
	var log stopLog
	l := newActors(context.Background(), zerolog.Nop())
	finished := make(chan struct{})
	l.add("feeder", func(context.Context) error { defer close(finished); return nil })
	l.add("ingest", log.slowStop("ingest"))
	boom := errors.New("boom")
	l.add("lag", func(ctx context.Context) error {
		<-finished
		select {
		case <-ctx.Done():
			return errors.New("stopped by the feeder's end")
		case <-time.After(50 * time.Millisecond):
			return boom
		}
	})
	l.add("http", log.slowStop("http"))
	require.ErrorIs(t, runActorsFor(t, l), boom)
	require.Equal(t, []string{"ingest stopping", "ingest stopped", "http stopping", "http stopped"}, log.events)
}
