package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/segmentio/kafka-go"
	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/ingest"
	"github.com/cxpulse/cxpulse/ingest/event"
	"github.com/cxpulse/cxpulse/ingest/gen"
	"github.com/cxpulse/cxpulse/ingest/kafkatest"
	"github.com/cxpulse/cxpulse/sql/sqltest"
)

// binary is the cxpulse executable the end-to-end tests run as real processes.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "cxpulse-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "cxpulse")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build cxpulse:", err)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// pipeline is one isolated end-to-end setup: its own topics, consumer group
// and ClickHouse database on the real servers.
type pipeline struct {
	t          *testing.T
	conn       driver.Conn
	db         string
	topic, dlq string
	group      string
	configPath string
}

func newPipeline(t *testing.T) *pipeline {
	conn := sqltest.Connect(t)
	p := &pipeline{
		t: t, conn: conn, db: sqltest.Database(t, conn),
		topic: kafkatest.Topic(t, "events", 6), dlq: kafkatest.Topic(t, "dlq", 3),
	}
	p.group = "cxtest-" + p.topic
	p.configPath = filepath.Join(t.TempDir(), "cxpulse.yaml")
	cfg := fmt.Sprintf(`log: {level: info, format: json}
kafka:
  brokers: [%q]
  topic: %q
  dead_letter_topic: %q
  group_id: %q
  session_timeout: 6s
  lag_interval: 1s
clickhouse:
  addr: [%q]
  database: %q
ingest:
  batch_rows: 1500
  batch_interval: 200ms
  retry_initial: 200ms
  retry_max: 2s
  shutdown_timeout: 20s
`, strings.Join(kafkatest.Brokers(), ","), p.topic, p.dlq, p.group, sqltest.Addr(), p.db)
	require.NoError(t, os.WriteFile(p.configPath, []byte(cfg), 0o600))
	p.run("migrate")
	return p
}

// run runs a short cxpulse subcommand to completion.
func (p *pipeline) run(args ...string) string {
	p.t.Helper()
	cmd := exec.Command(binary, append(args, "--config", p.configPath)...)
	out, err := cmd.CombinedOutput()
	require.NoError(p.t, err, "cxpulse %v:\n%s", args, out)
	return string(out)
}

// stdout runs a short cxpulse subcommand to completion and returns what it
// printed on stdout (its logs go to stderr, shown when it fails).
func (p *pipeline) stdout(args ...string) string {
	p.t.Helper()
	cmd := exec.Command(binary, append(args, "--config", p.configPath)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(p.t, err, "cxpulse %v:\n%s", args, stderr.String())
	return string(out)
}

// appendConfig adds YAML sections to the pipeline's configuration file.
func (p *pipeline) appendConfig(yaml string) {
	p.t.Helper()
	f, err := os.OpenFile(p.configPath, os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(p.t, err)
	_, err = f.WriteString(yaml)
	require.NoError(p.t, err)
	require.NoError(p.t, f.Close())
}

// process is a long-running cxpulse subprocess.
type process struct {
	cmd      *exec.Cmd
	httpAddr string
	logs     *bytes.Buffer
	done     chan error
	mu       *sync.Mutex
}

type lockedBuffer struct {
	mu  *sync.Mutex
	buf *bytes.Buffer
}

func (l lockedBuffer) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(b)
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().String()
}

// start launches `cxpulse ingest`; the test's cleanup kills it if still running.
func (p *pipeline) start(name string) *process {
	p.t.Helper()
	return p.startCommand(name, "ingest")
}

// startCommand launches a long-running cxpulse subcommand (ingest, compute,
// run) with its own HTTP address.
func (p *pipeline) startCommand(name string, args ...string) *process {
	p.t.Helper()
	return p.startCommandAt(name, freeAddr(p.t), args...)
}

// startCommandAt is startCommand listening on addr.
func (p *pipeline) startCommandAt(name, addr string, args ...string) *process {
	p.t.Helper()
	cmd := exec.Command(binary, append(args, "--config", p.configPath, "--http-addr", addr)...)
	pr := &process{cmd: cmd, httpAddr: addr, logs: &bytes.Buffer{}, done: make(chan error, 1), mu: &sync.Mutex{}}
	cmd.Stdout = lockedBuffer{pr.mu, pr.logs}
	cmd.Stderr = lockedBuffer{pr.mu, pr.logs}
	require.NoError(p.t, cmd.Start())
	go func() { pr.done <- cmd.Wait() }()
	p.t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			<-pr.done
		}
		if p.t.Failed() {
			p.t.Logf("logs of %s:\n%s", name, pr.output())
		}
	})
	return pr
}

func (pr *process) output() string {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	return pr.logs.String()
}

// stop sends sig and waits for the exit; it returns the exit error.
func (pr *process) stop(t *testing.T, sig syscall.Signal) error {
	require.NoError(t, pr.cmd.Process.Signal(sig))
	select {
	case err := <-pr.done:
		return err
	case <-time.After(60 * time.Second):
		t.Fatalf("process did not exit within 60s of %v:\n%s", sig, pr.output())
		return nil
	}
}

func (pr *process) alive() bool {
	select {
	case err := <-pr.done:
		pr.done <- err
		return false
	default:
		return true
	}
}

func (pr *process) get(path string) (int, error) {
	client := http.Client{Timeout: 2 * time.Second}
	resp, err := client.Get("http://" + pr.httpAddr + path)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// generate returns a small realistic stream with bad and duplicate messages.
func generate(t *testing.T, seed uint64) ([]gen.Record, gen.Truth) {
	return generateAt(t, seed, time.Now().UTC().Truncate(time.Minute))
}

func generatorAt(t *testing.T, seed uint64, end time.Time) *gen.Generator {
	return generatorFor(t, seed, end, 7)
}

// generatorFor is generatorAt over days days. Appointments are booked one to
// fourteen days ahead, so a week holds only about ten that have started: a
// test that needs every punctuality field (a late start among them) wants two.
func generatorFor(t *testing.T, seed uint64, end time.Time, days int) *gen.Generator {
	g, err := gen.New(gen.Config{Branches: 5, Days: days, End: end, Seed: seed,
		TicketsPerBranchDay: 15, BadRatio: 0.02, DupRatio: 0.05})
	require.NoError(t, err)
	return g
}

// generatedCalendars is the configuration fragment (regions, calendars) of
// the branches generateAt makes.
func generatedCalendars(t *testing.T, seed uint64) string {
	return gen.ConfigYAML(generatorAt(t, seed, time.Now().UTC()).Branches())
}

// generateAt is generate for a period that ends at end.
func generateAt(t *testing.T, seed uint64, end time.Time) ([]gen.Record, gen.Truth) {
	return generateFrom(t, generatorAt(t, seed, end))
}

func generateFrom(t *testing.T, g *gen.Generator) ([]gen.Record, gen.Truth) {
	var recs []gen.Record
	truth, err := g.Run(context.Background(), func(r gen.Record) error { recs = append(recs, r); return nil })
	require.NoError(t, err)
	require.Greater(t, truth.Valid, 1000)
	for _, r := range event.Reasons {
		require.Positive(t, truth.Bad[r], "generator must plant reason %s", r)
	}
	return recs, truth
}

func (p *pipeline) produce(recs []gen.Record) {
	p.t.Helper()
	w := kafkatest.Writer(p.t, p.topic)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	msgs := make([]kafka.Message, 0, len(recs))
	for _, r := range recs {
		msgs = append(msgs, kafka.Message{Key: r.Key, Value: r.Value})
	}
	for len(msgs) > 0 {
		n := min(len(msgs), 2000)
		require.NoError(p.t, w.WriteMessages(ctx, msgs[:n]...))
		msgs = msgs[n:]
	}
}

// uniqueByType counts distinct event_ids per type, as every KPI counts them.
func (p *pipeline) uniqueByType() (map[event.Type]int, error) {
	return sqltest.UniqueByType(p.conn, p.db)
}

func total(m map[event.Type]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// waitForAll waits until ClickHouse holds as many unique events as the truth.
func (p *pipeline) waitForAll(truth gen.Truth, timeout time.Duration) {
	p.t.Helper()
	deadline := time.Now().Add(timeout)
	var got map[event.Type]int
	for time.Now().Before(deadline) {
		var err error
		got, err = p.uniqueByType()
		if err == nil && total(got) >= truth.Valid {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	p.requireExact(truth)
}

// requireExact checks the stored events against the generator's ground truth:
// exactly the valid unique events, per type, each counted once.
func (p *pipeline) requireExact(truth gen.Truth) {
	p.t.Helper()
	got, err := p.uniqueByType()
	require.NoError(p.t, err)
	want := map[event.Type]int{}
	for typ, n := range truth.Types {
		if n > 0 {
			want[typ] = n
		}
	}
	require.Equal(p.t, want, got, "unique events per type in ClickHouse")
	var final uint64
	ctx := context.Background()
	require.NoError(p.t, p.conn.QueryRow(ctx, "SELECT count() FROM `"+p.db+"`.events FINAL").Scan(&final))
	require.Equal(p.t, uint64(truth.Valid), final, "rows after ReplacingMergeTree deduplication (FINAL)")
}

// requireDeadLetters checks that the dead-letter topic holds exactly the bad
// messages, each once per source offset, each with its reason and lineage.
func (p *pipeline) requireDeadLetters(recs []gen.Record, truth gen.Truth) {
	p.t.Helper()
	byValue := map[string]event.Reason{}
	for _, r := range recs {
		if !r.Valid {
			byValue[string(r.Value)] = r.Reason
		}
	}
	msgs := kafkatest.ReadAll(p.t, p.dlq)
	seen := map[string]bool{}
	got := map[event.Reason]int{}
	for _, m := range msgs {
		h := map[string]string{}
		for _, kv := range m.Headers {
			h[kv.Key] = string(kv.Value)
		}
		source := h[ingest.HeaderSourcePartition] + "/" + h[ingest.HeaderSourceOffset]
		require.Equal(p.t, p.topic, h[ingest.HeaderSourceTopic])
		require.NotEmpty(p.t, h[ingest.HeaderSourceOffset])
		require.NotEmpty(p.t, h[ingest.HeaderError])
		want, ok := byValue[string(m.Value)]
		require.True(p.t, ok, "dead letter is byte for byte a bad message we sent: %.80q", m.Value)
		require.Equal(p.t, string(want), h[ingest.HeaderReason], "reason of %.80q", m.Value)
		if seen[source] {
			continue // redelivered after a crash: the same source offset again
		}
		seen[source] = true
		got[want]++
	}
	wantCounts := map[event.Reason]int{}
	for r, n := range truth.Bad {
		if n > 0 {
			wantCounts[r] = n
		}
	}
	require.Equal(p.t, wantCounts, got, "dead letters per reason")
}

// lag returns the group's total uncommitted messages.
func (p *pipeline) lag() int64 {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	lag, err := ingest.GroupLag(ctx, kafkatest.Client(), p.group, p.topic)
	require.NoError(p.t, err)
	var n int64
	for _, v := range lag {
		n += v
	}
	return n
}

func (p *pipeline) waitForLag(want int64, timeout time.Duration) {
	p.t.Helper()
	deadline := time.Now().Add(timeout)
	var got int64
	for time.Now().Before(deadline) {
		if got = p.lag(); got == want {
			return
		}
		time.Sleep(500 * time.Millisecond)
	}
	p.t.Fatalf("consumer lag is %d after %s, want %d", got, timeout, want)
}

// reconnect opens a fresh connection after the server restarted.
func reconnect(t *testing.T) driver.Conn {
	return sqltest.Connect(t)
}
