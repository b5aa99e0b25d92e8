// Package reference is a plain, obviously-correct Go implementation of every
// KPI of docs/KPIS.md, following the rules pinned down in docs/KPI-ENGINE.md.
// It exists only so that tests can check the ClickHouse engine (metrics/kpi)
// and the hand-written golden fixture against a third, independent reading of
// the same rules: it favours clarity over speed, keeps every event in memory
// and always sees the whole history (it ignores kpi.Params.TicketLookback,
// which only bounds the engine's cost).
//
// One file per KPI family: surveys.go (NPS, CSAT, CES), tickets.go (the
// per-ticket facts), responses.go (response times, resolution, reopen, FCR,
// volume), sla.go (attainment, breaching now, at risk), complaints.go,
// retention.go (rolling and cohorts), promises.go (punctuality and promise
// kept). groups.go owns the grouping rules, stats.go the arithmetic.
package reference
