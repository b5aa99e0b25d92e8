package main

import (
	"context"
	"sync"

	"github.com/oklog/run"
	"github.com/rs/zerolog"
)

// actors is the flat list of what a long-running command runs, in the
// manner of Prometheus's cmd/prometheus/main.go: everything is built first
// (a build step that fails returns before anything runs), then every actor
// starts at once, and when one returns, or the command's context ends, all
// are stopped one after the other in the order they were added, each
// stopped only once the one before it has returned. The resources the
// actors share (the ClickHouse pool) are closed by the caller after run
// returns, that is after every actor has: ingest has flushed by then,
// whatever the order of defers.
//
// It is an oklog/run group (the library Prometheus uses) rather than an
// errgroup because run.Group calls the interrupts one by one in the order
// of the list: an interrupt that waits for its actor gives the stated stop
// order, where an errgroup's shared context stops everything at once.
type actors struct {
	group run.Group
	base  context.Context // the command's context without its cancellation
	log   zerolog.Logger
}

// newActors starts the list with the actor that ends the group when ctx
// ends (SIGINT, SIGTERM): a stop by signal returns nil.
func newActors(ctx context.Context, log zerolog.Logger) *actors {
	l := &actors{base: context.WithoutCancel(ctx), log: log}
	stop := make(chan struct{})
	var once sync.Once
	l.group.Add(func() error {
		select {
		case <-ctx.Done():
			log.Info().Msg("stopping")
		case <-stop:
		}
		return nil
	}, func(error) { once.Do(func() { close(stop) }) })
	return l
}

// add appends an actor: fn runs until its context ends. Stopping it
// cancels that context and waits for fn to return. An fn that returns nil
// before it is stopped has done its work (the demo's feeder at the end of
// its data) and does not stop the others; an error stops them all and is
// what run returns.
func (l *actors) add(name string, fn func(ctx context.Context) error) {
	ctx, cancel := context.WithCancel(l.base)
	done := make(chan struct{})
	l.group.Add(func() error {
		defer close(done)
		err := fn(ctx)
		if err == nil && ctx.Err() == nil {
			<-ctx.Done()
		}
		if err != nil && ctx.Err() == nil {
			l.log.Error().Err(err).Str("actor", name).Msg("failed; stopping the others")
		}
		l.log.Debug().Str("actor", name).Msg("stopped")
		return err
	}, func(error) {
		cancel()
		<-done
	})
}

// run runs every actor and returns, once all have stopped, the error of
// the first that returned (nil when ctx ended).
func (l *actors) run() error { return l.group.Run() }
