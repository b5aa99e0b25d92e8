package calendar_test

import (
	"testing"
	"time"

	"github.com/cxpulse/cxpulse/metrics/calendar"
)

// BenchmarkBusinessSeconds measures the KPIS.md example calendar on the
// spans the KPI engine sees: a reply within the day, a ticket resolved after
// a weekend, a ticket still open after 90 days. "cold" builds a new calendar
// every time, which is the cost of the first span of a branch in a refresh.
func BenchmarkBusinessSeconds(b *testing.B) {
	c := praha(b)
	loc := prague(b)
	start := at(b, loc, "2026-10-09 10:12:13.456") // a Friday
	july := at(b, loc, "2026-07-01 10:12:13.456")
	for _, bc := range []struct {
		name       string
		start, end time.Time
	}{
		{"within-day", start, start.Add(42 * time.Minute)},
		{"3-days", start, start.Add(3 * 24 * time.Hour)},
		{"90-days", start, start.Add(90 * 24 * time.Hour)},
		// Crosses the chunk boundary of 2026-08-14: two chunks, one more lookup.
		{"90-days-two-chunks", july, july.Add(90 * 24 * time.Hour)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				c.BusinessSeconds(bc.start, bc.end)
			}
		})
	}
	b.Run("cold-90-days", func(b *testing.B) {
		var spec calendar.Spec
		if err := decodeFile(b, "testdata/praha.yml", &spec); err != nil {
			b.Fatal(err)
		}
		end := start.Add(90 * 24 * time.Hour)
		for b.Loop() {
			c, _ := calendar.New(spec)
			c.BusinessSeconds(start, end)
		}
	})
}
