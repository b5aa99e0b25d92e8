// Package docs holds only tests: that the README and the comments point at
// what is in the repository.
package docs

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/dashboards"
)

const root = ".."

// section returns the lines of the README section titled heading (any
// level), up to the next heading of the same or a higher level.
func section(t *testing.T, text, heading string) []string {
	t.Helper()
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		level := len(l) - len(strings.TrimLeft(l, "#"))
		if level == 0 || strings.TrimSpace(l[level:]) != heading {
			continue
		}
		var out []string
		for _, next := range lines[i+1:] {
			if n := len(next) - len(strings.TrimLeft(next, "#")); n > 0 && n <= level && strings.HasPrefix(next[n:], " ") {
				break
			}
			out = append(out, next)
		}
		return out
	}
	t.Fatalf("README has no section %q", heading)
	return nil
}

// panelTitles are the titles of every panel of the generated dashboards.
func panelTitles(t *testing.T) map[string]bool {
	t.Helper()
	titles := map[string]bool{}
	var walk func(panels []any)
	walk = func(panels []any) {
		for _, p := range panels {
			m, _ := p.(map[string]any)
			if title, ok := m["title"].(string); ok {
				titles[title] = true
			}
			inner, _ := m["panels"].([]any)
			walk(inner)
		}
	}
	for _, b := range dashboards.All() {
		data, err := dashboards.Marshal(b)
		require.NoError(t, err)
		var board map[string]any
		require.NoError(t, json.Unmarshal(data, &board))
		panels, _ := board["panels"].([]any)
		walk(panels)
		rows, _ := board["rows"].([]any)
		walk(rows)
	}
	require.NotEmpty(t, titles)
	return titles
}

var backticked = regexp.MustCompile("`([^`]+)`")

// TestWhereThingsAre keeps README "Where things are" true: every file it
// names exists, every metric family is in docs/METRICS.md, every panel is a
// panel title of the generated dashboards.
func TestWhereThingsAre(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	require.NoError(t, err)
	metricsDoc, err := os.ReadFile(filepath.Join(root, "docs", "METRICS.md"))
	require.NoError(t, err)
	titles := panelTitles(t)

	lines := section(t, string(readme), "Where things are")
	var rows int
	for _, l := range lines {
		for _, m := range backticked.FindAllStringSubmatch(l, -1) {
			name := m[1]
			switch {
			case strings.HasPrefix(name, "cxpulse_"):
				require.Contains(t, string(metricsDoc), "`"+name+"`", "metric family %s is not in docs/METRICS.md", name)
			case strings.Contains(name, "/"):
				_, err := os.Stat(filepath.Join(root, name))
				require.NoError(t, err, "README names %s", name)
			}
		}
		cells := strings.Split(strings.Trim(strings.TrimSpace(l), "|"), "|")
		if !strings.HasPrefix(l, "| ") || len(cells) != 5 || strings.TrimSpace(cells[0]) == "KPI" {
			continue
		}
		rows++
		for i, c := range cells[1:4] {
			require.Regexp(t, "^`[^`]+`$", strings.TrimSpace(c), "row %q, column %d: one name in backticks", l, i+2)
		}
		panel := strings.TrimSpace(cells[4])
		require.True(t, titles[panel], "row %q: no dashboard has a panel titled %q", l, panel)
	}
	require.GreaterOrEqual(t, rows, 5, "the map lists the KPIs")
}

// leftElsewhere are files still citing issue numbers: those other branches
// were rewriting at the time (the Makefile's CI steps, README Deploy, the
// Helm chart's compute replicas and the compose stack) and the applied
// migrations, whose text is checksummed, so their comments stay as they
// were. The list may only shrink: an entry that no longer cites an issue is
// logged, to be dropped.
var leftElsewhere = map[string]bool{
	"Makefile":                    true,
	"README.md":                   true,
	"deploy/compose/compose.yaml": true,
	"deploy/helm/ci-values.yaml":  true,
	"deploy/helm/cxpulse/templates/compute.yaml":   true,
	"deploy/helm/cxpulse/values.yaml":              true,
	"sql/migrations/0003_ticket_facts.sql":         true,
	"sql/migrations/0004_customer_first_seen.sql":  true,
	"sql/migrations/0005_customer_months.sql":      true,
	"sql/migrations/0006_ticket_pending.sql":       true,
	"sql/migrations/0007_scheduler_generation.sql": true,
}

var (
	sharedSpec = regexp.MustCompile(`shared/[A-Z][A-Z0-9.-]*\.md`)
	issueRef   = regexp.MustCompile(`(?i)\bissues? #?[0-9]+\b`)
	docsRef    = regexp.MustCompile(`docs/([A-Za-z0-9_-]+\.md)`)
)

// TestCommentsPointIntoTheRepository: no comment or doc cites the specs
// outside the repository (shared/*.md) or an issue number (CHANGELOG.md
// may), and every docs/*.md named exists.
func TestCommentsPointIntoTheRepository(t *testing.T) {
	seen := map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			if rel == ".git" || d.Name() == ".run" || d.Name() == "node_modules" || d.Name() == ".venv" { // .venv: deploy/chdb's chDB, not ours
				return filepath.SkipDir
			}
			return nil
		}
		switch filepath.Ext(path) {
		case ".go", ".sql", ".md", ".yaml", ".yml", ".sh", ".py", ".tmpl":
		default:
			if d.Name() != "Makefile" {
				return nil
			}
		}
		if rel == "CHANGELOG.md" || rel == filepath.Join("docs", "where_test.go") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		text := string(data)
		require.Empty(t, sharedSpec.FindAllString(text, -1), "%s cites a spec outside the repository", rel)
		if refs := issueRef.FindAllString(text, -1); len(refs) > 0 {
			seen[rel] = true
			require.True(t, leftElsewhere[rel], "%s cites %v: point at a file or README section instead", rel, refs)
		}
		for _, m := range docsRef.FindAllStringSubmatch(text, -1) {
			_, err := os.Stat(filepath.Join(root, "docs", m[1]))
			require.NoError(t, err, "%s names docs/%s", rel, m[1])
		}
		return nil
	})
	require.NoError(t, err)
	for f := range leftElsewhere {
		if !seen[f] {
			t.Logf("%s no longer cites an issue: drop it from leftElsewhere", f)
		}
	}
}
