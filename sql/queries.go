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
