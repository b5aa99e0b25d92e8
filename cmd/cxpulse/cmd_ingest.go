package main

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/segmentio/kafka-go"
	"github.com/spf13/cobra"

	"github.com/cxpulse/cxpulse/ingest"
	"github.com/cxpulse/cxpulse/metrics/expose"
	"github.com/cxpulse/cxpulse/metrics/web"
)

func newIngestCommand(g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "ingest",
		Short: "Consume events from Kafka into ClickHouse (one member of the consumer group)",
		Long: `ingest joins the consumer group, validates every message against the event
contract, streams valid events into ClickHouse (one INSERT open at a time, in
native blocks) and commits offsets only after the insert succeeded. Messages that break the contract go to the
dead-letter topic with headers naming the reason and the source offset.

Run several ingest processes with the same group id to share the partitions.
When ClickHouse is down, ingest retries with capped backoff, rereading the
uncommitted messages from Kafka; nothing accepted is dropped. SIGTERM ends the
open insert, commits, exits 0.
The schema must be migrated first (cxpulse migrate).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.load(cmd.Flags())
			if err != nil {
				return err
			}
			a := newApp(cfg, newLogger(cfg, cmd.ErrOrStderr())).reloadFrom(g, cmd)
			return a.runPipeline(cmd.Context(), pipelineOptions{})
		},
	}
}

// pipelineOptions say what else runPipeline does besides ingesting.
type pipelineOptions struct {
	migrate bool // apply migrations at start instead of only checking them
	// extra runs beside the pipeline as one more actor (the demo's feeder).
	extra func(ctx context.Context) error
	// kpi runs the scheduled KPI jobs, the API and the overview page (run, demo, compute).
	kpi bool
	// kpiOnly leaves ingest and the lag monitor out (compute).
	kpiOnly bool
}

// runPipeline builds every part, then runs them as one list of actors
// (actors.go) until ctx ends or one fails. The ClickHouse pool is closed
// after the last actor has returned: ingest has flushed by then.
func (a *app) runPipeline(ctx context.Context, opts pipelineOptions) error {
	conn, err := a.openClickHouse()
	if err != nil {
		return err
	}
	err = a.runActors(ctx, conn, opts)
	if cerr := conn.Close(); cerr != nil {
		a.log.Warn().Err(cerr).Msg("close clickhouse")
	}
	return err
}

// runActors builds the actors over conn and runs them. Nothing here does
// I/O before the list runs; the first actor to need ClickHouse is
// "clickhouse", which waits for the server, checks (or migrates) the schema
// and the topics, and opens the gate the others wait behind.
func (a *app) runActors(ctx context.Context, conn driver.Conn, opts pipelineOptions) error {
	ingesting := !opts.kpiOnly
	dialer, err := a.cfg.KafkaDialer()
	if err != nil {
		return err
	}
	transport, err := a.cfg.KafkaTransport()
	if err != nil {
		return err
	}
	started := make(chan struct{}) // closed once ClickHouse, the schema and the topics are there
	var ingester atomic.Pointer[ingest.Ingester]
	ready := func() error {
		select {
		case <-started:
		default:
			return errors.New("starting")
		}
		if !ingesting {
			return nil
		}
		if in := ingester.Load(); in != nil {
			return in.Ready()
		}
		return errors.New("starting")
	}
	srv := &healthServer{addr: a.cfg.HTTP.Addr, reg: a.reg, ready: ready, log: a.log, metricsAuth: a.metricsAuth}
	var kpiRun []namedActor
	var site *web.Server
	var served atomic.Pointer[web.Server] // nil until started: the API answers 503
	if opts.kpi {
		srv.kpi = a.newExporter()
		if site, err = a.newWeb(conn); err != nil {
			return err
		}
		if kpiRun, err = a.kpiActors(conn, srv.kpi); err != nil {
			return err
		}
		srv.routes = a.webRoutes(served.Load)
	}
	var metrics *ingest.Metrics
	var lag *ingest.LagMonitor
	if ingesting {
		metrics = ingest.NewMetrics(a.reg)
		lag = &ingest.LagMonitor{
			Client: &kafka.Client{Addr: kafka.TCP(a.cfg.Kafka.Brokers...), Transport: transport},
			Group:  a.cfg.Kafka.GroupID, Topic: a.cfg.Kafka.Topic, Interval: a.cfg.Kafka.LagInterval,
			Metrics: metrics, Log: a.log.With().Str("component", "lag").Logger(),
		}
	}
	reload, err := a.newServing(srv, srv.kpi) // last build step: it catches SIGHUP from here on
	if err != nil {
		return err
	}

	gated := func(fn func(ctx context.Context) error) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			select {
			case <-started:
				return fn(ctx)
			case <-ctx.Done():
				return nil
			}
		}
	}
	// Added in the order they stop: first what feeds and computes, then
	// ingest, which flushes its batch and commits, then what watches and
	// serves.
	l := newActors(ctx, a.log)
	if opts.extra != nil {
		l.add("feeder", gated(opts.extra))
	}
	for _, k := range kpiRun {
		l.add(k.name, gated(k.run))
	}
	if ingesting {
		l.add("ingest", gated(func(ctx context.Context) error {
			// the consumer group is joined inside Run, once ClickHouse is ready
			dead := a.newDeadLetterWriter(transport)
			defer dead.Close()
			in := ingest.New(a.ingestConfig(), a.kafkaSource(dialer), dead, conn, metrics, a.log.With().Str("component", "ingest").Logger())
			ingester.Store(in)
			a.log.Info().Strs("brokers", a.cfg.Kafka.Brokers).Str("topic", a.cfg.Kafka.Topic).
				Str("group", a.cfg.Kafka.GroupID).Str("table", a.table()).Msg("ingest started")
			return in.Run(ctx)
		}))
		l.add("lag monitor", gated(lag.Run))
	}
	l.add("clickhouse", func(ctx context.Context) error {
		if err := a.startClickHouse(ctx, conn, opts.migrate, ingesting, transport, srv.kpi); err != nil {
			return ignoreCancel(ctx, err)
		}
		served.Store(site)
		close(started)
		<-ctx.Done()
		return nil
	})
	a.addServing(l, srv, reload)
	return l.run()
}

// startClickHouse waits for the server, checks its layout and the schema
// (or migrates it), creates the topics when ingesting and kafka.create_topics
// is set, and serves the stored snapshots until the jobs' first runs.
func (a *app) startClickHouse(ctx context.Context, conn driver.Conn, migrate, ingesting bool, transport *kafka.Transport, exp *expose.Exporter) error {
	if err := a.awaitClickHouse(ctx, conn); err != nil {
		return err
	}
	var err error
	if migrate {
		err = a.migrate(ctx, conn)
	} else {
		err = a.checkSchema(ctx, conn)
	}
	if err != nil {
		return err
	}
	if ingesting && a.cfg.Kafka.CreateTopics {
		if err := a.ensureTopics(ctx, transport); err != nil {
			return err
		}
	}
	if exp != nil {
		a.preloadSnapshots(ctx, conn, exp)
	}
	return nil
}

// ignoreCancel turns an error caused by shutdown into a clean exit.
func ignoreCancel(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	return fmt.Errorf("%w", err)
}
