package sql

import (
	"embed"
	"fmt"
	"strings"
)

//go:embed kpi/*.sql
var kpiFiles embed.FS

// KPIQuery returns the embedded KPI query kpi/NAME.sql for the database, with
// its comment lines removed: the driver binds `?` placeholders by position and
// must not see any in prose. Values are always bound, never spliced.
// {{part}} placeholders are filled from parts: the name of another embedded
// query file (a fragment), or "" to drop the placeholder.
func KPIQuery(name, database string, parts ...map[string]string) (string, error) {
	// comments go first, so that placeholders named in prose stay prose
	text, err := statement(kpiFiles, "kpi/"+name+".sql", database)
	if err != nil {
		return "", fmt.Errorf("kpi query %q: %w", name, err)
	}
	for _, set := range parts {
		for placeholder, fragment := range set {
			if !strings.Contains(text, "{{"+placeholder+"}}") {
				continue
			}
			sub := ""
			if fragment != "" {
				if sub, err = KPIQuery(fragment, database, parts...); err != nil {
					return "", err
				}
			}
			text = strings.ReplaceAll(text, "{{"+placeholder+"}}", sub)
		}
	}
	if i := strings.Index(text, "{{"); i >= 0 {
		return "", fmt.Errorf("kpi query %q: placeholder without a value at %q", name, text[i:min(len(text), i+30)])
	}
	return text, nil
}

// KPIQueryNames lists the embedded KPI queries.
func KPIQueryNames() []string {
	entries, _ := kpiFiles.ReadDir("kpi")
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".sql"))
	}
	return names
}

// KPIVariant is one runnable form of an embedded KPI query: the query with
// its placeholders filled (Parts), under a Label for reports.
type KPIVariant struct {
	Label string
	Name  string
	Parts map[string]string
}

// kpiFragments are files that are parts of other queries, not queries.
var kpiFragments = map[string]bool{
	"tickets_open": true, "ticket_groups": true, "ticket_facts_window": true,
	"ticket_events_window": true, "ticket_events_since": true, "ticket_prewhere_touched": true,
	"ticket_touched_ids": true, "ticket_final": true, "ticket_since": true, "ticket_open_ids": true,
	"customer_masks": true, "experience_candidates": true,
}

// The forms of the queries with placeholders, by label: the engine runs
// them by these labels, and replays find them under the same ones.
var ticketVariants = []KPIVariant{
	{Label: "tickets", Name: "tickets", Parts: map[string]string{
		"ticket_source": "ticket_groups", "ticket_prewhere": "", "ticket_events": "ticket_events_window", "ticket_filter": ""}},
	{Label: "tickets_open", Name: "tickets", Parts: map[string]string{
		"ticket_source": "ticket_groups", "ticket_prewhere": "", "ticket_events": "ticket_events_window", "ticket_filter": "tickets_open"}},
	{Label: "tickets_facts", Name: "tickets", Parts: map[string]string{
		"ticket_source": "ticket_facts_window", "ticket_final": "ticket_final", "ticket_facts_prewhere": "", "ticket_facts_filter": ""}},
	{Label: "tickets_facts_open", Name: "tickets", Parts: map[string]string{
		"ticket_source": "ticket_facts_window", "ticket_final": "ticket_final", "ticket_facts_prewhere": "ticket_open_ids", "ticket_facts_filter": ""}},
	{Label: "tickets_fact_versions", Name: "tickets", Parts: map[string]string{
		"ticket_source": "ticket_facts_window", "ticket_final": "", "ticket_facts_prewhere": "", "ticket_facts_filter": "ticket_since"}},
	{Label: "ticket_fold_full", Name: "ticket_fold", Parts: map[string]string{
		"ticket_groups": "ticket_groups", "ticket_prewhere": "", "ticket_events": "ticket_events_since"}},
	{Label: "ticket_fold_touched", Name: "ticket_fold", Parts: map[string]string{
		"ticket_groups": "ticket_groups", "ticket_prewhere": "ticket_prewhere_touched",
		"ticket_touched_ids": "ticket_touched_ids", "ticket_events": "ticket_events_since"}},
	{Label: "ticket_touched", Name: "ticket_touched", Parts: map[string]string{"ticket_touched_ids": "ticket_touched_ids"}},
	{Label: "retention", Name: "retention", Parts: map[string]string{"customer_masks": "customer_masks", "customer_filter": ""}},
	{Label: "experience_activity", Name: "experience_activity", Parts: map[string]string{
		"customer_masks": "customer_masks", "customer_filter": "experience_candidates"}},
}

// KPIVariants lists every runnable form of every KPI query, for tools that
// replay what the engine runs (the check on current ClickHouse).
func KPIVariants() []KPIVariant {
	out := append([]KPIVariant(nil), ticketVariants...)
	for _, name := range KPIQueryNames() {
		if kpiFragments[name] || name == "tickets" || name == "ticket_fold" || name == "ticket_touched" ||
			name == "retention" || name == "experience_activity" {
			continue
		}
		out = append(out, KPIVariant{Label: name, Name: name})
	}
	return out
}

// KPIVariantQuery renders the form of a query under label (see KPIVariants).
func KPIVariantQuery(label, database string) (string, error) {
	for _, v := range KPIVariants() {
		if v.Label == label {
			return KPIQuery(v.Name, database, v.Parts)
		}
	}
	return "", fmt.Errorf("kpi query %q: no such form", label)
}

// KPIStatement is a rendered form of a KPI query: its text for one
// database, the file it comes from, and how many `?` it binds.
type KPIStatement struct {
	Text   string
	File   string // the KPIVariant's Name
	Params int
}

// KPIStatements renders every form of every KPI query for the database once,
// by label: what an engine keeps, so that no call renders again.
func KPIStatements(database string) (map[string]KPIStatement, error) {
	out := map[string]KPIStatement{}
	for _, v := range KPIVariants() {
		text, err := KPIQuery(v.Name, database, v.Parts)
		if err != nil {
			return nil, err
		}
		out[v.Label] = KPIStatement{Text: text, File: v.Name, Params: strings.Count(text, "?")}
	}
	return out, nil
}

//go:embed bench/*.sql
var benchFiles embed.FS

// BenchStatement returns the embedded statement bench/NAME.sql of the
// benchmarks for the database, comments removed.
func BenchStatement(name, database string) (string, error) {
	text, err := statement(benchFiles, "bench/"+name+".sql", database)
	if err != nil {
		return "", fmt.Errorf("bench statement %q: %w", name, err)
	}
	return text, nil
}

// statement reads an embedded SQL file for the database, without its
// comment and blank lines: the driver binds `?` placeholders by position and
// must not see any in prose.
func statement(files embed.FS, path, database string) (string, error) {
	if !ValidIdentifier(database) {
		return "", fmt.Errorf("database name %q: must match %s", database, identifierName)
	}
	body, err := files.ReadFile(path)
	if err != nil {
		return "", err
	}
	var out strings.Builder
	for _, line := range strings.Split(Render(string(body), database), "\n") {
		if t := strings.TrimSpace(line); t != "" && !strings.HasPrefix(t, "--") {
			out.WriteString(line)
			out.WriteByte('\n')
		}
	}
	return out.String(), nil
}
