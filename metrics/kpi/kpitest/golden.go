// Package kpitest owns what KPI tests share: the golden fixture of
// testdata/golden (a hand-written event set with hand-derived expected rows)
// and the row comparisons that check an implementation against it. The
// ClickHouse engine (metrics/kpi) and the plain-Go reference
// (metrics/kpi/kpitest/reference) are both held to the same fixture.
package kpitest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/cxpulse/cxpulse/ingest/event"
	"github.com/cxpulse/cxpulse/metrics/calendar"
	"github.com/cxpulse/cxpulse/metrics/kpi"
	"github.com/cxpulse/cxpulse/metrics/sla"
)

// The files of a golden fixture directory.
const (
	ConfigFile   = "config.yaml"
	EventsFile   = "events.jsonl"
	ExpectedFile = "expected.yaml"
)

// Golden is a loaded golden fixture.
type Golden struct {
	// Dir is the fixture's directory.
	Dir string
	// Events are the events of events.jsonl decoded with the contract
	// decoder, in file order, duplicates kept (deduplication is the job of
	// the code under test).
	Events []event.Event
	// Lines are the raw JSON lines, one per event, as a producer would send
	// them to Kafka.
	Lines [][]byte
	// Params are the parameters the expected rows were worked out for.
	Params kpi.Params
	// Expected are the hand-derived rows; each has AsOf = Params.AsOf.
	Expected []kpi.Row
}

// DefaultDir returns the repository's golden fixture, testdata/golden under
// the module root: the nearest directory above the working directory (a
// test's package directory) that holds go.mod.
func DefaultDir() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "testdata", "golden"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("golden fixture: no go.mod above the working directory")
		}
		dir = parent
	}
}

// PendingPart is the directory, under the golden fixture's, of its part on
// pending tickets (contract 1.1): its own events, SLA policies and expected
// rows, so that the hand-worked numbers of the first part stay as they were.
const PendingPart = "pending"

// ExperiencePart is the directory, under the golden fixture's, of its part
// on retention by service experience (docs/KPIS.md), with its own events and
// expected rows.
const ExperiencePart = "experience"

// LoadAll loads every part of the repository's golden fixture: the first
// (DefaultDir), then PendingPart and ExperiencePart; or fails t.
func LoadAll(t testing.TB) []*Golden {
	t.Helper()
	first := Load(t)
	out := []*Golden{first}
	for _, part := range []string{PendingPart, ExperiencePart} {
		g, err := LoadGolden(filepath.Join(first.Dir, part))
		if err != nil {
			t.Fatalf("load golden fixture: %v", err)
		}
		out = append(out, g)
	}
	return out
}

// Load loads the repository's golden fixture (DefaultDir) or fails t.
func Load(t testing.TB) *Golden {
	t.Helper()
	dir, err := DefaultDir()
	if err != nil {
		t.Fatal(err)
	}
	g, err := LoadGolden(dir)
	if err != nil {
		t.Fatalf("load golden fixture: %v", err)
	}
	return g
}

// config is the shape of config.yaml: the KPI sections of the cxpulse
// configuration (docs/KPIS.md) plus the instant and windows of the fixture.
type config struct {
	AsOf    string   `yaml:"as_of"`
	Windows []string `yaml:"windows"`
	KPI     struct {
		TicketLookback    string  `yaml:"ticket_lookback"`
		BreachingLookback string  `yaml:"breaching_lookback"`
		AtRiskFraction    float64 `yaml:"at_risk_fraction"`
		PunctualityGrace  string  `yaml:"punctuality_grace"`
	} `yaml:"kpi"`
	Branches map[string]struct {
		Region string `yaml:"region"`
	} `yaml:"branches"`
	Calendars   map[string]calendar.Spec `yaml:"calendars"`
	SLAPolicies []sla.Policy             `yaml:"sla_policies"`
}

// expectedRow is the shape of one entry of expected.yaml.
type expectedRow struct {
	KPI    string `yaml:"kpi"`
	Window string `yaml:"window"`
	Labels struct {
		Branch   string `yaml:"branch"`
		Channel  string `yaml:"channel"`
		Region   string `yaml:"region"`
		Team     string `yaml:"team"`
		Agent    string `yaml:"agent"`
		Priority string `yaml:"priority"`
		Policy   string `yaml:"policy"`
		Target   string `yaml:"target"`
		Cohort   string `yaml:"cohort"`
		K        int    `yaml:"k"`
	} `yaml:"labels"`
	Values map[string]float64 `yaml:"values"`
}

// LoadGolden reads the fixture in dir: config.yaml into Params (with the
// defaults of kpi.Params.WithDefaults for what it leaves out), events.jsonl
// through the contract decoder, and expected.yaml into rows. Unknown keys in
// the YAML files and duplicate row keys are errors.
func LoadGolden(dir string) (*Golden, error) {
	g := &Golden{Dir: dir}
	var err error
	if g.Params, err = loadParams(filepath.Join(dir, ConfigFile)); err != nil {
		return nil, err
	}
	if g.Lines, g.Events, err = loadEvents(filepath.Join(dir, EventsFile)); err != nil {
		return nil, err
	}
	if g.Expected, err = loadExpected(filepath.Join(dir, ExpectedFile), g.Params.AsOf); err != nil {
		return nil, err
	}
	return g, nil
}

// decodeStrict decodes one YAML document, rejecting unknown keys.
func decodeStrict(path string, out any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(out); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func loadParams(path string) (kpi.Params, error) {
	var c config
	if err := decodeStrict(path, &c); err != nil {
		return kpi.Params{}, err
	}
	var p kpi.Params
	var errs []error
	bad := func(field string, err error) { errs = append(errs, fmt.Errorf("%s: %s: %w", path, field, err)) }

	asOf, err := time.Parse(time.RFC3339Nano, c.AsOf)
	if err != nil {
		bad("as_of", err)
	}
	p.AsOf = asOf.UTC()
	for i, s := range c.Windows {
		w, err := kpi.ParseWindow(s)
		if err != nil {
			bad(fmt.Sprintf("windows[%d]", i), err)
			continue
		}
		p.Windows = append(p.Windows, w)
	}
	if s := c.KPI.TicketLookback; s != "" {
		if p.TicketLookback, err = kpi.ParseDuration(s); err != nil {
			bad("kpi.ticket_lookback", err)
		}
	}
	if s := c.KPI.BreachingLookback; s != "" {
		if p.BreachingLookback, err = kpi.ParseWindow(s); err != nil {
			bad("kpi.breaching_lookback", err)
		}
	}
	p.AtRiskFraction = c.KPI.AtRiskFraction
	if s := c.KPI.PunctualityGrace; s != "" {
		if p.PunctualityGrace, err = kpi.ParseDuration(s); err != nil {
			bad("kpi.punctuality_grace", err)
		}
	}
	if len(c.Branches) > 0 {
		p.Regions = make(map[string]string, len(c.Branches))
		for b, br := range c.Branches {
			p.Regions[b] = br.Region
		}
	}
	if p.Calendars, err = calendar.NewSet(c.Calendars); err != nil {
		bad("calendars", err)
	}
	if err := sla.Validate(c.SLAPolicies); err != nil {
		bad("sla_policies", err)
	}
	p.Policies = sla.WithDefaults(c.SLAPolicies)
	if len(errs) > 0 {
		return kpi.Params{}, errors.Join(errs...)
	}
	p = p.WithDefaults()
	if err := p.Validate(); err != nil {
		return kpi.Params{}, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}

// decodeLimits are the contract's limits without the future-skew rule: the
// fixture holds events after as_of on purpose, and its dates would otherwise
// depend on the clock of the machine that runs the tests.
var decodeLimits = event.Limits{MaxBytes: event.DefaultLimits.MaxBytes}

func loadEvents(path string) ([][]byte, []event.Event, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	var lines [][]byte
	var events []event.Event
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), event.DefaultLimits.MaxBytes+1)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		ev, err := event.Decode(line, time.Time{}, decodeLimits)
		if err != nil {
			return nil, nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		lines = append(lines, bytes.Clone(line))
		events = append(events, ev)
	}
	if err := sc.Err(); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return lines, events, nil
}

func loadExpected(path string, asOf time.Time) ([]kpi.Row, error) {
	var in []expectedRow
	if err := decodeStrict(path, &in); err != nil {
		return nil, err
	}
	rows := make([]kpi.Row, 0, len(in))
	seen := make(map[string]int, len(in))
	for i, e := range in {
		l := e.Labels
		r := kpi.Row{
			KPI: e.KPI, Window: e.Window, AsOf: asOf, Values: e.Values,
			Labels: kpi.Labels{
				Branch: l.Branch, Channel: l.Channel, Region: l.Region, Team: l.Team, Agent: l.Agent,
				Priority: l.Priority, Policy: l.Policy, Target: l.Target, Cohort: l.Cohort, K: l.K,
			},
		}
		if r.Values == nil {
			r.Values = map[string]float64{}
		}
		if j, dup := seen[r.Key()]; dup {
			return nil, fmt.Errorf("%s: rows %d and %d have the same key %s", path, j, i, r.Key())
		}
		seen[r.Key()] = i
		rows = append(rows, r)
	}
	return rows, nil
}
