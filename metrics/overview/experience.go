package overview

import "strconv"

// Experience is retention by service experience, per branch and for the
// fleet: the retention of the customers who had a bad experience in the
// previous window (a detractor answer, a breached SLA, a broken callback
// promise, a late appointment) against everybody else's.
type Experience struct {
	Title string // e.g. "Retention by service experience, 30d"
	// Rows are the branches, then the fleet (Branch "all").
	Rows []ExperienceRow
	// Level is the confidence level of the gaps' intervals (0: 95 %).
	Level float64
}

// ExperienceRow is one group: customers active in the previous window with
// a bad experience (Bad, of whom BadKept came back) and without (Good,
// GoodKept); the gap Good − Bad retention in [−1, 1] with its interval and
// two-sided p-value when HasGap (both groups have customers).
type ExperienceRow struct {
	Branch                       string
	Bad, BadKept, Good, GoodKept float64
	HasGap                       bool
	Gap, Low, High, PValue       float64
}

type experienceView struct {
	Title, Level string
	Rows         []experienceRowView
}

type experienceRowView struct {
	Branch, Class, Tip                     string
	Bad, BadRetention, Good, GoodRetention string
	Gap, Interval, PValue                  string
}

func newExperienceView(e Experience) experienceView {
	v := experienceView{Title: e.Title, Level: level(e.Level, 0.95)}
	if v.Title == "" {
		v.Title = "Retention by service experience"
	}
	for _, r := range e.Rows {
		rv := experienceRowView{Branch: r.Branch, Class: "plain", Bad: count(r.Bad), Good: count(r.Good),
			BadRetention: dash, GoodRetention: dash, Gap: dash, Interval: dash, PValue: dash}
		if r.Bad > 0 {
			rv.BadRetention = percent1(r.BadKept / r.Bad)
		}
		if r.Good > 0 {
			rv.GoodRetention = percent1(r.GoodKept / r.Good)
		}
		rv.Tip = r.Branch + ": no customer with a bad experience, or none without one"
		if r.HasGap && finite(r.Gap) {
			rv.Gap = points(r.Gap)
			rv.Interval = span(100*r.Low, 100*r.High, 1)
			rv.PValue = pValue(r.PValue)
			rv.Tip = r.Branch + ": retention " + rv.GoodRetention + " without a bad experience, " + rv.BadRetention +
				" after one: gap " + rv.Gap + " (" + v.Level + " interval " + rv.Interval + ")"
			switch {
			case r.Low > 0:
				rv.Class, rv.Tip = "bad", rv.Tip+": customers with a bad experience really come back less"
			case r.High < 0:
				rv.Class, rv.Tip = "ok", rv.Tip+": customers with a bad experience come back more"
			default:
				rv.Tip += ": within noise"
			}
		}
		v.Rows = append(v.Rows, rv)
	}
	return v
}

// points formats a difference of shares as signed percentage points.
func points(d float64) string {
	s := num(100*d, 1)
	if d > 0 {
		s = "+" + s
	}
	return withUnit(s, "pts")
}

// pValue formats a p-value with two significant digits, "< 0.001" below.
func pValue(p float64) string {
	switch {
	case !finite(p):
		return dash
	case p < 0.001:
		return "< 0.001"
	}
	return strconv.FormatFloat(p, 'g', 2, 64)
}
