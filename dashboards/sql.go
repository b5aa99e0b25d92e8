package dashboards

import (
	"embed"
	"fmt"
	"regexp"
	"strings"
)

// sqlFiles are the ClickHouse queries of the SQL panels. {{name}} in a file
// includes sql/name.sql; extra placeholders are given by the caller.
//
//go:embed sql/*.sql
var sqlFiles embed.FS

var includeRE = regexp.MustCompile(`\{\{(\w+)\}\}`)

// loadSQL returns sql/name.sql with its includes expanded and the given
// placeholders replaced. It panics on a missing file: the files are
// embedded, so that is a bug the tests catch.
func loadSQL(name string, placeholders map[string]string) string {
	s, err := expandSQL(name, placeholders, 0)
	if err != nil {
		panic(err)
	}
	return strings.TrimSpace(s)
}

func expandSQL(name string, placeholders map[string]string, depth int) (string, error) {
	if depth > 5 {
		return "", fmt.Errorf("sql/%s.sql: includes nested too deep", name)
	}
	b, err := sqlFiles.ReadFile("sql/" + name + ".sql")
	if err != nil {
		return "", err
	}
	var firstErr error
	out := includeRE.ReplaceAllStringFunc(string(b), func(m string) string {
		key := includeRE.FindStringSubmatch(m)[1]
		if v, ok := placeholders[key]; ok {
			return v
		}
		inc, err := expandSQL(key, placeholders, depth+1)
		if err != nil && firstErr == nil {
			firstErr = fmt.Errorf("sql/%s.sql: %w", name, err)
		}
		return indent(strings.TrimSpace(inc), "    ")
	})
	return out, firstErr
}

// indent indents every line but the first (which follows the include's own
// indentation in the including file).
func indent(s, by string) string {
	return strings.ReplaceAll(s, "\n", "\n"+by)
}
