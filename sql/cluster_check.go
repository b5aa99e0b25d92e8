package sql

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// The errors that tell a configuration mistake from an outage.
var (
	// ErrUnknownCluster: the servers' remote_servers has no such cluster.
	ErrUnknownCluster = errors.New("no such cluster in the servers' remote_servers")
	// ErrLayoutMismatch: a single-node database opened in cluster mode, or a
	// cluster database opened as a single node.
	ErrLayoutMismatch = errors.New("database layout does not match clickhouse.cluster")
	// ErrServerDown: a server of the cluster does not answer.
	ErrServerDown = errors.New("cluster server does not answer")
	// ErrSchemaDiverged: the servers of a cluster hold different schemas, as
	// after a migration that reached only some of them.
	ErrSchemaDiverged = errors.New("schema differs between the servers of the cluster")
)

// The codes of "column already exists": ILLEGAL_COLUMN on 18.16,
// DUPLICATE_COLUMN on current servers.
const (
	codeDuplicateColumn        = 44
	codeDuplicateColumnCurrent = 15
)

func exceptionCode(err error) int32 {
	var ex *clickhouse.Exception
	if errors.As(err, &ex) {
		return ex.Code
	}
	return 0
}

// Server is one server of a cluster, as remote_servers lists it.
type Server struct {
	Shard, Replica uint32
	Addr           string
}

func (s Server) String() string {
	return fmt.Sprintf("%s (shard %d replica %d)", s.Addr, s.Shard, s.Replica)
}

// ClusterServers lists the servers of the cluster as the connected server
// knows them; ErrUnknownCluster (naming the known ones) when it has none.
func ClusterServers(ctx context.Context, conn driver.Conn, cluster string) ([]Server, error) {
	rows, err := conn.Query(ctx, "SELECT cluster, shard_num, replica_num, host_address, port FROM system.clusters ORDER BY cluster, shard_num, replica_num")
	if err != nil {
		return nil, fmt.Errorf("read system.clusters: %w", err)
	}
	defer rows.Close()
	var out []Server
	known := map[string]bool{}
	for rows.Next() {
		var name, host string
		var s Server
		var port uint16
		if err := rows.Scan(&name, &s.Shard, &s.Replica, &host, &port); err != nil {
			return nil, fmt.Errorf("read system.clusters: %w", err)
		}
		known[name] = true
		if name == cluster {
			s.Addr = fmt.Sprintf("%s:%d", host, port)
			out = append(out, s)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read system.clusters: %w", err)
	}
	if len(out) == 0 {
		names := make([]string, 0, len(known))
		for n := range known {
			names = append(names, n)
		}
		sort.Strings(names)
		return nil, fmt.Errorf("%w: %q (the server knows: %s)", ErrUnknownCluster, cluster, strings.Join(names, ", "))
	}
	return out, nil
}

// onEach runs f on a connection to each server, collecting the failures.
func onEach(ctx context.Context, servers []Server, dial func(context.Context, string) (driver.Conn, error),
	f func(Server, driver.Conn) error) error {
	if dial == nil {
		return errors.New("cluster mode needs a way to dial each server (Target.Dial)")
	}
	var errs []error
	for _, s := range servers {
		conn, err := dial(ctx, s.Addr)
		if err == nil {
			err = conn.Ping(ctx)
			if err == nil {
				err = f(s, conn)
			} else {
				err = fmt.Errorf("%w: %s: %v", ErrServerDown, s, err)
			}
			_ = conn.Close()
		} else {
			err = fmt.Errorf("%w: %s: %v", ErrServerDown, s, err)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func pingServers(ctx context.Context, servers []Server, dial func(context.Context, string) (driver.Conn, error)) error {
	return onEach(ctx, servers, dial, func(Server, driver.Conn) error { return nil })
}

// ShardsAnswering returns an error naming every shard none of whose
// replicas answers (ErrServerDown); a shard with one live replica is
// served, so a replica down is only listed in down.
func ShardsAnswering(ctx context.Context, servers []Server, dial func(context.Context, string) (driver.Conn, error)) (down []Server, err error) {
	live := map[uint32]bool{}
	for _, s := range servers {
		if e := onEach(ctx, []Server{s}, dial, func(Server, driver.Conn) error { return nil }); e != nil {
			down = append(down, s)
			continue
		}
		live[s.Shard] = true
	}
	var errs []error
	for _, s := range down {
		if !live[s.Shard] {
			errs = append(errs, fmt.Errorf("%w: %s, and no other replica of shard %d answers", ErrServerDown, s, s.Shard))
		}
	}
	return down, errors.Join(errs...)
}

// CompareSchemas reads every server's tables (engine) and columns (type)
// of the database and reports each one a server lacks or holds differently
// from the others (ErrSchemaDiverged), with the schema version it records.
func CompareSchemas(ctx context.Context, servers []Server, database string, dial func(context.Context, string) (driver.Conn, error)) error {
	schemas := map[string]map[string]string{} // server → object → definition
	versions := map[string]uint32{}
	err := onEach(ctx, servers, dial, func(s Server, conn driver.Conn) error {
		objs, err := schemaObjects(ctx, conn, database)
		if err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
		schemas[s.Addr] = objs
		if applied, err := AppliedMigrations(ctx, conn, database); err == nil && len(applied) > 0 {
			versions[s.Addr] = applied[len(applied)-1].Version
		}
		return nil
	})
	if err != nil {
		return err
	}
	all := map[string]map[string]int{} // object → definition → servers holding it
	for _, objs := range schemas {
		for o, def := range objs {
			if all[o] == nil {
				all[o] = map[string]int{}
			}
			all[o][def]++
		}
	}
	var problems []string
	for _, s := range servers {
		objs := schemas[s.Addr]
		var lacks, differs []string
		for o, defs := range all {
			def, ok := objs[o]
			holders := 0
			for _, n := range defs {
				holders += n
			}
			switch {
			case !ok:
				lacks = append(lacks, o)
			case len(defs) > 1 || holders < len(schemas):
				differs = append(differs, o+" "+def)
			}
		}
		sort.Strings(lacks)
		sort.Strings(differs)
		if len(lacks) > 0 {
			problems = append(problems, fmt.Sprintf("%s at schema version %d lacks %s", s, versions[s.Addr], strings.Join(lacks, ", ")))
		}
		if len(differs) > 0 {
			problems = append(problems, fmt.Sprintf("%s at schema version %d has %s", s, versions[s.Addr], strings.Join(differs, ", ")))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: database %s: %s; run `cxpulse migrate` again (every server must answer) or repair by hand",
			ErrSchemaDiverged, database, strings.Join(problems, "; "))
	}
	return nil
}

func schemaObjects(ctx context.Context, conn driver.Conn, database string) (map[string]string, error) {
	objs := map[string]string{}
	rows, err := conn.Query(ctx, "SELECT name, engine FROM system.tables WHERE database = ?", database)
	if err != nil {
		return nil, fmt.Errorf("read system.tables: %w", err)
	}
	for rows.Next() {
		var name, engine string
		if err := rows.Scan(&name, &engine); err != nil {
			rows.Close()
			return nil, err
		}
		objs["table "+name] = engine
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = conn.Query(ctx, "SELECT table, name, type FROM system.columns WHERE database = ?", database)
	if err != nil {
		return nil, fmt.Errorf("read system.columns: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var table, name, typ string
		if err := rows.Scan(&table, &name, &typ); err != nil {
			return nil, err
		}
		objs["column "+table+"."+name] = typ
	}
	return objs, rows.Err()
}

// CheckLayout checks, before anything runs, that the database and the
// configuration agree: with a cluster, that the cluster is known, that every
// shard has a replica that answers (it returns the replicas that do not) and
// that the database, if it exists, was made in cluster mode; without one,
// that the database is not a cluster's.
func CheckLayout(ctx context.Context, conn driver.Conn, database, cluster string,
	dial func(context.Context, string) (driver.Conn, error)) (down []Server, err error) {
	var engine string
	row := conn.QueryRow(ctx, "SELECT any(engine) FROM system.tables WHERE database = ? AND name = 'events'", database)
	if err := row.Scan(&engine); err != nil {
		return nil, fmt.Errorf("read the engine of %s.events: %w", database, err)
	}
	if cluster == "" {
		if engine == "Distributed" {
			return nil, fmt.Errorf("%w: database %s is a cluster's (its events table is Distributed), but no cluster is configured", ErrLayoutMismatch, database)
		}
		return nil, nil
	}
	servers, err := ClusterServers(ctx, conn, cluster)
	if err != nil {
		return nil, err
	}
	if engine != "" && engine != "Distributed" {
		return nil, fmt.Errorf("%w: database %s is a single server's (its events table is %s, not Distributed over cluster %s)",
			ErrLayoutMismatch, database, engine, cluster)
	}
	return ShardsAnswering(ctx, servers, dial)
}
