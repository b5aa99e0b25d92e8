// Command cmd dumps a dataset, the KPI queries the engine runs on it and
// their 18.16 results, for deploy/chdb/check.py (see package chdbdump).
//
//	go run ./metrics/kpi/kpitest/chdbdump/cmd -dataset golden|pending|gen -out DIR
//	go run ./metrics/kpi/kpitest/chdbdump/cmd -list   # the datasets, one a line
//
// It needs the ClickHouse server of deploy/local (CXPULSE_TEST_CLICKHOUSE_ADDR,
// default 127.0.0.1:9000) and clickhouse-client on PATH.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/cxpulse/cxpulse/metrics/kpi/kpitest"
	"github.com/cxpulse/cxpulse/metrics/kpi/kpitest/chdbdump"
	"github.com/cxpulse/cxpulse/sql/sqltest"
)

func main() {
	dataset := flag.String("dataset", "golden", "golden (testdata/golden), pending (its pending part) or gen (generated)")
	list := flag.Bool("list", false, "print the datasets, one a line, and exit")
	out := flag.String("out", "", "output directory (required)")
	golden := flag.String("golden", "", "golden fixture directory (default: testdata/golden of the module)")
	keep := flag.Bool("keep", false, "keep the scratch database on the server")
	flag.Parse()
	if *list {
		fmt.Println(strings.Join(chdbdump.Datasets, "\n"))
		return
	}
	if *out == "" {
		fmt.Fprintln(os.Stderr, "chdbdump: -out is required")
		os.Exit(2)
	}
	if err := run(*dataset, *out, *golden, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "chdbdump:", err)
		os.Exit(1)
	}
}

func run(dataset, out, golden string, keep bool) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if golden == "" {
		var err error
		if golden, err = kpitest.DefaultDir(); err != nil {
			return err
		}
	}
	ds, err := chdbdump.Load(ctx, dataset, golden)
	if err != nil {
		return err
	}
	addr := sqltest.Addr() // the test server's address, as every test uses
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("clickhouse address %q: %w", addr, err)
	}
	// Same options as sqltest.Connect, which needs a testing.TB.
	conn, err := clickhouse.Open(&clickhouse.Options{
		Addr: []string{addr}, Protocol: clickhouse.Native, DialTimeout: 5 * time.Second,
		Compression: &clickhouse.Compression{Method: clickhouse.CompressionLZ4},
	})
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := conn.Ping(ctx); err != nil {
		return fmt.Errorf("clickhouse at %s does not answer (start it with deploy/local/clickhouse.sh start): %w", addr, err)
	}
	if err := chdbdump.Dump(ctx, conn, ds, out, chdbdump.Options{Host: host, Port: port, Keep: keep}); err != nil {
		return err
	}
	fmt.Printf("chdbdump: %s: %d events, as_of %s -> %s\n", ds.Name, len(ds.Events), ds.Params.AsOf.Format(time.RFC3339Nano), out)
	return nil
}
