package chdbdump

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/cxpulse/cxpulse/ingest/event"
	"github.com/cxpulse/cxpulse/ingest/gen"
	"github.com/cxpulse/cxpulse/metrics/calendar"
	"github.com/cxpulse/cxpulse/metrics/kpi"
	"github.com/cxpulse/cxpulse/metrics/kpi/kpitest"
)

// Datasets are the names Load knows, in the order deploy/chdb/run.sh dumps
// them: every part of the golden fixture (the first, then its pending part,
// kpitest.PendingPart, and its retention-by-experience part,
// kpitest.ExperiencePart), then the generated data.
var Datasets = []string{"golden", kpitest.PendingPart, kpitest.ExperiencePart, "gen"}

// Load returns the dataset called name; golden is the golden fixture's
// directory (testdata/golden).
func Load(ctx context.Context, name, golden string) (Dataset, error) {
	switch name {
	case "golden":
		return Golden(golden, name)
	case kpitest.PendingPart, kpitest.ExperiencePart:
		return Golden(filepath.Join(golden, name), name)
	case "gen":
		return Generated(ctx)
	}
	return Dataset{}, fmt.Errorf("unknown dataset %q (one of %s)", name, strings.Join(Datasets, ", "))
}

// Golden is a part of the hand-written fixture (testdata/golden, or its
// pending part) with its own params, called name.
func Golden(dir, name string) (Dataset, error) {
	g, err := kpitest.LoadGolden(dir)
	if err != nil {
		return Dataset{}, err
	}
	return Dataset{Name: name, Events: g.Events, Params: g.Params}, nil
}

// GenEnd is the fixed end of the generated dataset: its 30 days cross a month
// boundary (cohorts, partitions) and the Central European DST change of
// 2026-03-29 (toTimeZone in cohorts).
var GenEnd = time.Date(2026, 4, 5, 12, 0, 0, 0, time.UTC)

// GenAsOf lies 6.5 h before GenEnd and off a whole second, so that events at
// or after as_of exist and the millisecond bounds of every query matter.
var GenAsOf = GenEnd.Add(-6*time.Hour - 30*time.Minute + 250*time.Millisecond)

// Generated is the generator's data for the chDB replay's config, decoded as ingest
// would, with the generated branches' regions and calendars. The last branch
// gets no calendar, so that the cohorts query's "branches without a
// calendar" form (has(…) = 0, in UTC) returns rows too.
func Generated(ctx context.Context) (Dataset, error) {
	g, events, err := Events(ctx, gen.Config{Branches: 6, Days: 30, End: GenEnd, Seed: 7, TicketsPerBranchDay: 10})
	if err != nil {
		return Dataset{}, err
	}
	branches := g.Branches()
	var conf struct {
		Branches map[string]struct {
			Region string `yaml:"region"`
		} `yaml:"branches"`
		Calendars map[string]calendar.Spec `yaml:"calendars"`
	}
	if err := yaml.Unmarshal([]byte(gen.ConfigYAML(branches[:len(branches)-1])), &conf); err != nil {
		return Dataset{}, err
	}
	p := kpi.Params{AsOf: GenAsOf, Regions: map[string]string{}}
	for _, b := range branches {
		p.Regions[b.Name] = b.Region
	}
	if p.Calendars, err = calendar.NewSet(conf.Calendars); err != nil {
		return Dataset{}, err
	}
	return Dataset{Name: "gen", Events: events, Params: p}, nil
}

// Events generates cfg's data and returns its valid events decoded as ingest
// would (duplicates kept), with the generator.
func Events(ctx context.Context, cfg gen.Config) (*gen.Generator, []event.Event, error) {
	g, err := gen.New(cfg)
	if err != nil {
		return nil, nil, err
	}
	var events []event.Event
	_, err = g.Run(ctx, func(r gen.Record) error {
		if !r.Valid {
			return nil
		}
		ev, err := event.Decode(r.Value, cfg.End, event.DefaultLimits)
		if err != nil {
			return fmt.Errorf("generated event %s: %w", r.Key, err)
		}
		events = append(events, ev)
		return nil
	})
	return g, events, err
}
