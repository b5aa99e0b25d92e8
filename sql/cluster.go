package sql

import (
	"bufio"
	_ "embed"
	"fmt"
	"regexp"
	"strings"
)

// LocalSuffix names the replicated table that holds a shard's rows in
// cluster mode; the plain name is the Distributed table over all shards, so
// every query and insert keeps its text.
const LocalSuffix = "_local"

//go:embed cluster/shard_keys.sql
var shardKeysFile string

// ShardKeys returns the sharding expression of every table (see
// cluster/shard_keys.sql).
func ShardKeys() (map[string]string, error) {
	keys := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(shardKeysFile))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "--") {
			continue
		}
		name, expr, ok := strings.Cut(line, "=")
		name, expr = strings.TrimSpace(name), strings.TrimSpace(expr)
		if !ok || !ValidIdentifier(name) || expr == "" {
			return nil, fmt.Errorf("cluster/shard_keys.sql line %d: want `table = expression`, got %q", n, line)
		}
		keys[name] = expr
	}
	return keys, nil
}

var (
	createTable   = regexp.MustCompile(`(?s)^CREATE TABLE IF NOT EXISTS (` + "`[^`]+`" + `)\.(\w+)(\s*\(.*)$`)
	mergeEngine   = regexp.MustCompile(`ENGINE\s*=\s*(\w*MergeTree)\b(\s*\(([^()]*)\))?`)
	createView    = regexp.MustCompile(`(?s)^CREATE MATERIALIZED VIEW IF NOT EXISTS (` + "`[^`]+`" + `)\.(\w+)(\s+TO\s.*)$`)
	alterTable    = regexp.MustCompile(`(?s)^ALTER TABLE (` + "`[^`]+`" + `)\.(\w+)(\s.*)$`)
	dropTable     = regexp.MustCompile(`(?s)^DROP TABLE IF EXISTS (` + "`[^`]+`" + `)\.(\w+)\s*$`)
	tableRef      = regexp.MustCompile("(`[^`]+`)\\.(\\w+)")
	addColumn     = regexp.MustCompile(`(?i)^ALTER TABLE \S+(\s+ON CLUSTER \S+)?\s+ADD COLUMN\b`)
	modifyOrderBy = regexp.MustCompile(`(?i)\bMODIFY\s+ORDER\s+BY\b`)
)

// Statement is one statement of a migration's cluster form.
type Statement struct {
	SQL string
	// EachShard: SQL runs on one replica of every shard, not once on the
	// migrating connection: 18.16's distributed DDL refuses MODIFY ORDER BY
	// (code 48, "Unsupported type of ALTER query"), while the same ALTER on
	// one replica of a replicated table reaches the shard's other replicas
	// through ZooKeeper.
	EachShard bool
}

// singleNode is the form of a single-node migration's statements that
// MigrateTarget runs: each once, on the migrating connection.
func singleNode(stmts []string) []Statement {
	out := make([]Statement, len(stmts))
	for i, s := range stmts {
		out[i] = Statement{SQL: s}
	}
	return out
}

// ClusterStatements turns the statements of a single-node migration into
// their cluster form, so that one set of migration files serves both:
//
//   - CREATE TABLE t … ENGINE = XMergeTree(args) becomes t_local ON CLUSTER
//     with ReplicatedXMergeTree (one ZooKeeper path per shard and table,
//     {shard} and {replica} from the servers' macros, the same args, sorting
//     key and settings), plus t ON CLUSTER as Distributed over t_local,
//     sharded by the table's key from cluster/shard_keys.sql;
//   - CREATE MATERIALIZED VIEW v TO t AS SELECT … FROM s becomes v ON CLUSTER
//     writing t_local from s_local: each shard's view sees the rows inserted
//     into its own shard;
//   - ALTER TABLE t … becomes ALTER TABLE t_local ON CLUSTER … (a replicated
//     ALTER runs once per shard and reaches the other replicas through
//     ZooKeeper), then t is dropped and created again AS t_local: 18.16
//     refuses an ALTER ON CLUSTER of a Distributed table over replicated
//     shards (code 371), and a Distributed table holds no data of its own
//     (cxpulse inserts synchronously); an ALTER with MODIFY ORDER BY runs
//     on one replica of each shard instead of ON CLUSTER (Statement.EachShard);
//   - DROP TABLE IF EXISTS t drops both, ON CLUSTER;
//   - INSERT … SELECT stays: it reads and writes the Distributed tables.
//
// Anything else is refused, so that a new kind of statement gets a rule here
// before it can half-work on a cluster.
func ClusterStatements(stmts []string, database, cluster string) ([]Statement, error) {
	if !ValidIdentifier(cluster) {
		return nil, fmt.Errorf("cluster name %q: must match %s", cluster, identifierName)
	}
	keys, err := ShardKeys()
	if err != nil {
		return nil, err
	}
	on := " ON CLUSTER `" + cluster + "`"
	var out []Statement
	add := func(sql ...string) {
		for _, s := range sql {
			out = append(out, Statement{SQL: s})
		}
	}
	for _, stmt := range stmts {
		stmt = strings.TrimSpace(stmt)
		switch {
		case createTable.MatchString(stmt):
			m := createTable.FindStringSubmatch(stmt)
			db, name, rest := m[1], m[2], m[3]
			key, ok := keys[name]
			if !ok {
				return nil, fmt.Errorf("table %s has no sharding key in sql/cluster/shard_keys.sql", name)
			}
			e := mergeEngine.FindStringSubmatchIndex(rest)
			if e == nil {
				return nil, fmt.Errorf("table %s: cluster mode needs a MergeTree-family engine", name)
			}
			engine := rest[e[2]:e[3]]
			args := "'/clickhouse/tables/{shard}/" + database + "/" + name + "', '{replica}'"
			if e[6] >= 0 && strings.TrimSpace(rest[e[6]:e[7]]) != "" {
				args += ", " + strings.TrimSpace(rest[e[6]:e[7]])
			}
			rest = rest[:e[0]] + "ENGINE = Replicated" + engine + "(" + args + ")" + rest[e[1]:]
			add("CREATE TABLE IF NOT EXISTS "+db+"."+name+LocalSuffix+on+rest,
				distributed(db, name, database, cluster, key))
		case createView.MatchString(stmt):
			m := createView.FindStringSubmatch(stmt)
			body := tableRef.ReplaceAllStringFunc(m[3], func(ref string) string {
				r := tableRef.FindStringSubmatch(ref)
				if _, sharded := keys[r[2]]; sharded {
					return r[1] + "." + r[2] + LocalSuffix
				}
				return ref
			})
			add("CREATE MATERIALIZED VIEW IF NOT EXISTS " + m[1] + "." + m[2] + on + body)
		case alterTable.MatchString(stmt):
			m := alterTable.FindStringSubmatch(stmt)
			db, name := m[1], m[2]
			key, ok := keys[name]
			if !ok {
				return nil, fmt.Errorf("ALTER of table %s: it has no sharding key in sql/cluster/shard_keys.sql", name)
			}
			if modifyOrderBy.MatchString(m[3]) {
				out = append(out, Statement{SQL: "ALTER TABLE " + db + "." + name + LocalSuffix + m[3], EachShard: true})
			} else {
				add("ALTER TABLE " + db + "." + name + LocalSuffix + on + m[3])
			}
			add("DROP TABLE IF EXISTS "+db+"."+name+on,
				distributed(db, name, database, cluster, key))
		case dropTable.MatchString(stmt):
			m := dropTable.FindStringSubmatch(stmt)
			add("DROP TABLE IF EXISTS "+m[1]+"."+m[2]+on, "DROP TABLE IF EXISTS "+m[1]+"."+m[2]+LocalSuffix+on)
		case strings.HasPrefix(stmt, "INSERT INTO "):
			add(stmt)
		default:
			first, _, _ := strings.Cut(stmt, "\n")
			return nil, fmt.Errorf("cluster mode has no rule for the statement %q (see ClusterStatements)", first)
		}
	}
	return out, nil
}

func distributed(db, name, database, cluster, key string) string {
	return "CREATE TABLE IF NOT EXISTS " + db + "." + name + " ON CLUSTER `" + cluster + "` AS " + db + "." + name + LocalSuffix +
		" ENGINE = Distributed(`" + cluster + "`, `" + database + "`, `" + name + LocalSuffix + "`, " + key + ")"
}

// isAddColumn: an ALTER … ADD COLUMN, which 18.16 cannot make idempotent (no
// IF NOT EXISTS): its "column already exists" on a re-run means done.
func isAddColumn(stmt string) bool { return addColumn.MatchString(strings.TrimSpace(stmt)) }
