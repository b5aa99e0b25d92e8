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
	if !ValidIdentifier(database) {
		return "", fmt.Errorf("database name %q: must match %s", database, identifierName)
	}
	body, err := kpiFiles.ReadFile("kpi/" + name + ".sql")
	if err != nil {
		return "", fmt.Errorf("kpi query %q: %w", name, err)
	}
	// comments go first, so that placeholders named in prose stay prose
	var out strings.Builder
	for _, line := range strings.Split(Render(string(body), database), "\n") {
		if t := strings.TrimSpace(line); t == "" || strings.HasPrefix(t, "--") {
			continue
		}
		out.WriteString(line)
		out.WriteByte('\n')
	}
	text := out.String()
	for _, set := range parts {
		for placeholder, fragment := range set {
			sub := ""
			if fragment != "" {
				if sub, err = KPIQuery(fragment, database); err != nil {
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
var kpiFragments = map[string]bool{"tickets_open": true}

// KPIVariants lists every runnable form of every KPI query, for tools that
// replay what the engine runs (the check on current ClickHouse).
func KPIVariants() []KPIVariant {
	var out []KPIVariant
	for _, name := range KPIQueryNames() {
		switch {
		case kpiFragments[name]:
		case name == "tickets":
			out = append(out,
				KPIVariant{Label: "tickets", Name: name, Parts: map[string]string{"ticket_filter": ""}},
				KPIVariant{Label: "tickets_open", Name: name, Parts: map[string]string{"ticket_filter": "tickets_open"}})
		default:
			out = append(out, KPIVariant{Label: name, Name: name})
		}
	}
	return out
}
