package chdbdump

import (
	"testing"

	"github.com/ClickHouse/clickhouse-go/v2"

	cxsql "github.com/cxpulse/cxpulse/sql"
)

func TestBind(t *testing.T) {
	got, err := Bind("SELECT ?, '?', `a?`, ? -- ?\n, has(?, b) = ?, ?[2], c IN ?",
		[]any{int64(-5), "it's a \\ path", []string{"x", "o'k"}, uint8(1), []uint64{7, 8}, clickhouse.GroupSet{Value: []any{"a", "b"}}})
	if err != nil {
		t.Fatal(err)
	}
	want := "SELECT -5, '?', `a?`, 'it\\'s a \\\\ path' -- ?\n, has(['x', 'o\\'k'], b) = 1, [7, 8][2], c IN ('a', 'b')"
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	for _, bad := range [][]any{{int64(1)}, {int64(1), "a", []string{}, uint8(1), int64(2)}, {1.5, "a", []string{}, uint8(1)}, {[]byte("a"), "a", []string{}, uint8(1)}} {
		if _, err := Bind("SELECT ?, ?, ?, ?", bad); err == nil {
			t.Errorf("args %v: want an error", bad)
		}
	}
}

// Every KPI query binds with as many arguments as it has placeholders, and
// the bound text has none left outside literals.
func TestBindKPIQueries(t *testing.T) {
	for _, v := range cxsql.KPIVariants() {
		name := v.Label
		q, err := cxsql.KPIQuery(v.Name, TargetDB, v.Parts)
		if err != nil {
			t.Fatal(err)
		}
		var args []any
		for {
			if _, err := Bind(q, args); err == nil {
				break
			}
			if len(args) > 50 {
				t.Fatalf("%s: no argument count binds", name)
			}
			args = append(args, int64(len(args)))
		}
		if len(args) == 0 && name != "ticket_fold_state" { // the one query without arguments
			t.Errorf("%s: no placeholders", name)
		}
	}
}
