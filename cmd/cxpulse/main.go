// Command cxpulse is the service-quality KPI pipeline: it ingests customer-service
// events from Kafka into ClickHouse and serves pipeline health and KPIs.
// main stays small: it builds the command tree and runs it.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := newRootCommand().ExecuteContext(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "cxpulse:", err)
		os.Exit(1)
	}
}
