package main

import (
	"context"
	"sort"
	"time"

	"github.com/rs/zerolog"

	"github.com/cxpulse/cxpulse/ingest/event"
	"github.com/cxpulse/cxpulse/ingest/gen"
)

// scheduled is a generated event that lies in the future: the demo holds it
// back and produces it when its time comes, so the data keeps arriving live.
type scheduled struct {
	at         time.Time
	key, value []byte
}

// produceLive produces the generated history at once and then every later
// event at its own occurred_at, until the generator's End or ctx ends.
func produceLive(ctx context.Context, a *app, gnr *gen.Generator, log zerolog.Logger) error {
	p, err := newProducer(ctx, a, -1, "producing")
	if err != nil {
		return err
	}
	defer func() { _ = p.close(context.Background()) }()
	now := time.Now()
	var later []scheduled
	truth, err := gnr.Run(ctx, func(r gen.Record) error {
		if r.Valid {
			// Decoding with a far clock only reads occurred_at; it is valid by construction.
			if ev, err := event.Decode(r.Value, gnr.Config().End.Add(time.Hour), event.DefaultLimits); err == nil && ev.OccurredAt.After(now) {
				later = append(later, scheduled{at: ev.OccurredAt, key: r.Key, value: r.Value})
				return nil
			}
		}
		return p.add(ctx, r.Key, r.Value)
	})
	if err != nil {
		return err
	}
	if err := p.flush(ctx); err != nil {
		return err
	}
	sort.SliceStable(later, func(i, j int) bool { return later[i].at.Before(later[j].at) })
	log.Info().Int("history", truth.Messages-len(later)).Int("live", len(later)).
		Msg("demo history produced; the rest follows live at each event's own time")
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for len(later) > 0 {
		select {
		case <-ctx.Done():
			return nil
		case now := <-tick.C:
			n := sort.Search(len(later), func(i int) bool { return later[i].at.After(now) })
			for _, s := range later[:n] {
				if err := p.add(ctx, s.key, s.value); err != nil {
					return err
				}
			}
			if err := p.flush(ctx); err != nil {
				return err
			}
			later = later[n:]
		}
	}
	log.Info().Msg("demo data exhausted; produce more with kcat or cxpulse produce")
	return nil
}
