package overview

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/cxpulse/cxpulse/metrics/stats"
)

// asOf is the instant of the sample pages.
var asOf = time.Date(2026, 11, 23, 6, 0, 0, 0, time.UTC)

// weekly is a trend of weekly values ending a week before asOf.
func weekly(values ...float64) []Point {
	pts := make([]Point, len(values))
	for i, v := range values {
		pts[i] = Point{AsOf: asOf.AddDate(0, 0, -7*(len(values)-i)), Value: v}
	}
	return pts
}

// samplePage is a fleet of eight branches as the demo shows it: one branch
// clearly better on NPS, one clearly worse, SLA slipping on chat.
func samplePage() Page {
	return Page{
		Title:  "cxpulse · Fleet overview",
		AsOf:   asOf,
		Window: "30d",
		Notes:  []string{"Demo data: 8 branches, 30 days of generated tickets and surveys."},
		Tiles: []Tile{
			{Name: "NPS", Has: true, Value: 22.6, HasInterval: true, Low: 17.1, High: 28.1, N: 1284,
				Trend: weekly(15.2, 16.8, 17.0, 18.9, 19.4, 21.0, 21.7, 22.6), HigherIsBetter: true},
			{Name: "CSAT", Unit: "%", Has: true, Value: 71.2, HasInterval: true, Low: 68.66, High: 73.61, N: 1102,
				Trend: weekly(70, 71, 70.5, 72, 71.5, 71.2), HigherIsBetter: true},
			{Name: "SLA attainment (first response)", Unit: "%", Has: true, Value: 93.1, HasInterval: true, Low: 92.39, High: 93.75, N: 5412,
				Trend: weekly(96.2, 95.8, 95.5, 94.7, 94.0, 93.1), HigherIsBetter: true},
			{Name: "First response, p90", Unit: "s", Has: true, Value: 5460, N: 5412,
				Trend: weekly(4200, 4350, 4900, 5100, 5460)},
			{Name: "Callbacks kept", Unit: "%", HigherIsBetter: true},
			{Name: "Retention, 90 days", Unit: "%", Has: true, Value: 84.6, N: 3920, HigherIsBetter: true},
		},
		Rankings: []Ranking{
			{
				KPI: "nps", Title: "NPS, 30 days", HigherIsBetter: true, Standard: 22.6, Level: 0.95, FDR: 0.05,
				APIURL: "/api/v1/compare?kpi=nps&window=30d",
				Funnel: stats.Funnel{Centre: 22.6, Sigma: 78, Between: 16, Phi: 1.4, Groups: 8},
				Rows: []RankRow{
					{Branch: "Kraków Rynek", N: 212, Value: 41.0, Low: 29.4, High: 51.6, Shrunk: 37.2, Flag: "above", QValue: 0.004},
					{Branch: "Brno Centrum", N: 96, Value: 33.3, Low: 15.6, High: 49.1, Shrunk: 27.0, QValue: 0.31},
					{Branch: "Praha Anděl", N: 188, Value: 27.1, Low: 14.6, High: 39.0, Shrunk: 25.9, QValue: 0.52},
					{Branch: "Warszawa Mokotów", N: 240, Value: 21.7, Low: 10.9, High: 32.1, Shrunk: 21.9, QValue: 0.88},
					{Branch: "Bratislava Staré Mesto", N: 12, Value: 16.7, Low: -26.0, High: 55.3, Shrunk: 22.0, QValue: 0.88},
					{Branch: "Budapest Váci utca", N: 201, Value: 15.4, Low: 3.9, High: 26.6, Shrunk: 16.8, QValue: 0.41},
					{Branch: "Gdańsk Wrzeszcz", N: 174, Value: 12.6, Low: 0.3, High: 24.8, Shrunk: 14.9, QValue: 0.27},
					{Branch: "Debrecen Piac utca", N: 161, Value: -3.1, Low: -16.1, High: 10.0, Shrunk: 1.4, Flag: "below", Worse: true, QValue: 0.003},
				},
			},
			{
				KPI: "sla", Title: "SLA attainment, first response, 30 days", Unit: "%", HigherIsBetter: true, Standard: 93.1, Level: 0.95, FDR: 0.05,
				APIURL: "/api/v1/compare?kpi=sla&window=30d",
				Funnel: stats.Funnel{Centre: 93.1, Sigma: 25.3, Between: 1.2, Phi: 2.1, Groups: 8},
				Rows: []RankRow{
					{Branch: "Praha Anděl", N: 702, Value: 97.2, Low: 95.7, High: 98.2, Shrunk: 96.9, Flag: "above", QValue: 0.0004},
					{Branch: "Kraków Rynek", N: 811, Value: 95.5, Low: 93.9, High: 96.7, Shrunk: 95.4, Flag: "above", QValue: 0.02},
					{Branch: "Warszawa Mokotów", N: 930, Value: 94.1, Low: 92.4, High: 95.4, Shrunk: 94, QValue: 0.31},
					{Branch: "Brno Centrum", N: 402, Value: 93.5, Low: 90.8, High: 95.4, Shrunk: 93.4, QValue: 0.77},
					{Branch: "Gdańsk Wrzeszcz", N: 655, Value: 92.8, Low: 90.6, High: 94.5, Shrunk: 92.8, QValue: 0.81},
					{Branch: "Budapest Váci utca", N: 780, Value: 91.5, Low: 89.4, High: 93.3, Shrunk: 91.6, QValue: 0.19},
					{Branch: "Bratislava Staré Mesto", N: 38, Value: 86.8, Low: 72.7, High: 94.3, Shrunk: 92.5, QValue: 0.31},
					{Branch: "Debrecen Piac utca", N: 1094, Value: 88.9, Low: 86.9, High: 90.6, Shrunk: 89, Flag: "below", Worse: true, QValue: 0.0001},
				},
			},
		},
		Heatmap: Heatmap{
			Title:     "SLA attainment, policy default, first response, 30 days",
			Channels:  []string{"email", "chat", "phone", "web", "social"},
			Objective: 0.95,
			Rows: []HeatRow{
				{Branch: "Praha Anděl", Cells: []Cell{{true, 0.981, 310}, {true, 0.962, 205}, {true, 0.975, 121}, {true, 0.958, 66}, {}}},
				{Branch: "Kraków Rynek", Cells: []Cell{{true, 0.966, 344}, {true, 0.931, 260}, {true, 0.970, 133}, {true, 0.95, 60}, {true, 1, 14}}},
				{Branch: "Warszawa Mokotów", Cells: []Cell{{true, 0.958, 401}, {true, 0.912, 298}, {true, 0.957, 150}, {true, 0.94, 67}, {true, 0.857, 14}}},
				{Branch: "Brno Centrum", Cells: []Cell{{true, 0.952, 170}, {true, 0.905, 137}, {true, 0.948, 58}, {true, 0.973, 37}, {}}},
				{Branch: "Gdańsk Wrzeszcz", Cells: []Cell{{true, 0.949, 280}, {true, 0.889, 208}, {true, 0.951, 102}, {true, 0.923, 65}, {}}},
				{Branch: "Budapest Váci utca", Cells: []Cell{{true, 0.937, 330}, {true, 0.874, 251}, {true, 0.942, 120}, {true, 0.911, 79}, {}}},
				{Branch: "Bratislava Staré Mesto", Cells: []Cell{{true, 0.9, 20}, {true, 0.8, 10}, {true, 0.875, 8}, {}, {}}},
				{Branch: "Debrecen Piac utca", Cells: []Cell{{true, 0.912, 452}, {true, 0.836, 366}, {true, 0.925, 186}, {true, 0.902, 82}, {true, 0.75, 8}}},
			},
		},
		Experience: Experience{
			Title: "Retention by service experience, 30 days",
			Rows: []ExperienceRow{
				{Branch: "Brno Centrum", Bad: 61, BadKept: 30, Good: 410, GoodKept: 312, HasGap: true, Gap: 0.269, Low: 0.135, High: 0.392, PValue: 0.00004},
				{Branch: "Praha Anděl", Bad: 44, BadKept: 33, Good: 520, GoodKept: 402, HasGap: true, Gap: 0.023, Low: -0.098, High: 0.163, PValue: 0.74},
				{Branch: "Bratislava Staré Mesto", Bad: 3, BadKept: 3, Good: 40, GoodKept: 29, HasGap: true, Gap: -0.275, Low: -0.416, High: 0.291, PValue: 0.55},
				{Branch: "Gdańsk Wrzeszcz", Bad: 0, BadKept: 0, Good: 120, GoodKept: 93},
				{Branch: "all", Bad: 108, BadKept: 66, Good: 1090, GoodKept: 836, HasGap: true, Gap: 0.156, Low: 0.063, High: 0.254, PValue: 0.0006},
			},
		},
		Links: []Link{
			{Title: "KPIs as JSON", URL: "/api/v1/kpis?window=30d"},
			{Title: "Branch comparisons as JSON", URL: "/api/v1/compare"},
			{Title: "Prometheus metrics", URL: "/metrics"},
		},
	}
}

// bigPage is a fleet of n branches with random but plausible numbers, some
// of them missing (NaN shrinkage, unbounded intervals, cells without tickets).
func bigPage(n int) Page {
	rng := rand.New(rand.NewPCG(1, 2))
	p := samplePage()
	p.Title = fmt.Sprintf("cxpulse · %d branches", n)
	rank := Ranking{KPI: "nps", Title: "NPS, 30 days", HigherIsBetter: true, Standard: 20, APIURL: "/api/v1/compare?kpi=nps"}
	hm := Heatmap{Title: "SLA attainment", Channels: []string{"email", "chat", "phone"}, Objective: 0.9}
	for i := range n {
		name := fmt.Sprintf("Branch %03d", i+1)
		v := 60 - 80*float64(i)/float64(n)
		hw := 5 + 20*rng.Float64()
		row := RankRow{Branch: name, N: float64(20 + rng.IntN(400)), Value: v, Low: v - hw, High: v + hw, Shrunk: (v + 20) / 2, QValue: rng.Float64()}
		switch {
		case i < n/10:
			row.Flag = "above"
		case i >= n-n/10:
			row.Flag, row.Worse = "below", true
		}
		if i%17 == 0 {
			row.Shrunk = math.NaN()
		}
		if i%23 == 0 {
			row.Low, row.High = math.Inf(-1), math.Inf(1)
		}
		rank.Rows = append(rank.Rows, row)
		hr := HeatRow{Branch: name}
		for range hm.Channels {
			if rng.IntN(10) == 0 {
				hr.Cells = append(hr.Cells, Cell{})
				continue
			}
			hr.Cells = append(hr.Cells, Cell{Has: true, Value: 0.8 + 0.2*rng.Float64(), N: float64(1 + rng.IntN(300))})
		}
		hm.Rows = append(hm.Rows, hr)
	}
	p.Rankings = []Ranking{rank}
	p.Heatmap = hm
	return p
}
