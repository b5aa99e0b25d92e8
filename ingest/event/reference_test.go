package event_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/ingest/event"
	"github.com/cxpulse/cxpulse/ingest/gen"
)

// sameDecision fails unless Decode and the reference decoder agree on value:
// the same error (reason, field, message) or the same event.
func sameDecision(t testing.TB, value []byte, now time.Time) {
	t.Helper()
	sameDecisionWith(t, value, now, event.DefaultLimits)
}

func sameDecisionWith(t testing.TB, value []byte, now time.Time, lim event.Limits) {
	t.Helper()
	got, err := event.Decode(value, now, lim)
	want, wantErr := event.ReferenceDecode(value, now, lim)
	if wantErr != nil {
		var verr, wantVerr *event.Error
		require.True(t, errors.As(wantErr, &wantVerr), "reference error %v is not an *event.Error", wantErr)
		require.ErrorAs(t, err, &verr, "reference rejects %q with %v", value, wantErr)
		require.Equal(t, *wantVerr, *verr, "%q", value)
		return
	}
	require.NoError(t, err, "reference accepts %q", value)
	require.Equal(t, want, got, "%q", value)
}

// mutants are byte-level damages of a valid message: cut short, a byte
// replaced, an escape or a duplicate key inserted.
func mutants(r *rand.Rand, v []byte) [][]byte {
	out := [][]byte{v[:r.IntN(len(v))]}
	for _, b := range []byte{'"', '\\', ',', '}', ':', '0', ' ', 'x'} {
		m := append([]byte{}, v...)
		m[r.IntN(len(m))] = b
		out = append(out, m)
	}
	at := 1 + r.IntN(len(v)-1)
	for _, ins := range []string{`\u00e9`, `\"`, `\n`, `"event_id":"dup",`, `"attributes":{"a":"1","a":"2"},`, `"score":null,`} {
		out = append(out, append(append(append([]byte{}, v[:at]...), ins...), v[at:]...))
	}
	return out
}

// Every generated message, valid or bad (each bad variant of ingest/gen), and
// a dozen damaged copies of each valid one get the decision they got from the
// decoder before borrowed fields.
func TestDecodeMatchesReference(t *testing.T) {
	end := time.Date(2026, 11, 3, 6, 0, 0, 0, time.UTC)
	g, err := gen.New(gen.Config{Branches: 3, Days: 4, End: end, Seed: 3, BadRatio: 0.05})
	require.NoError(t, err)
	r := rand.New(rand.NewPCG(1, 2))
	n := 0
	_, err = g.Run(context.Background(), func(rec gen.Record) error {
		sameDecision(t, rec.Value, end)
		if rec.Valid && len(rec.Value) > 2 {
			for _, m := range mutants(r, rec.Value) {
				sameDecision(t, m, end)
			}
		}
		n++
		return nil
	})
	require.NoError(t, err)
	require.Greater(t, n, 1000)
}

// Contract 1.1's reason and the 1.0 consumer's type set, which the
// generator does not exercise: both decoders agree under both versions.
func TestDecodeMatchesReferenceContract11(t *testing.T) {
	base := `"occurred_at":"2026-10-05T09:00:00Z","branch":"b1","ticket_id":"T-1"`
	old := event.DefaultLimits
	old.Contract = "1.0"
	unknown := event.DefaultLimits
	unknown.Contract = "2.0"
	for _, v := range []string{
		`{"event_id":"p","type":"ticket.pending",` + base + `,"reason":"invoice number"}`,
		`{"event_id":"p","type":"ticket.pending",` + base + `}`,
		`{"event_id":"p","type":"ticket.pending",` + base + `,"reason":""}`,
		`{"event_id":"p","type":"ticket.pending",` + base + `,"reason":"a","comment":"b"}`,
		`{"event_id":"p","type":"ticket.pending",` + base + `,"reason":"` + strings.Repeat("r", 257) + `"}`,
		`{"event_id":"p","type":"ticket.pending",` + base + `,"reason":"` + strings.Repeat("é", 256) + `"}`,
		`{"event_id":"p","type":"ticket.pending",` + base + `,"reason":5}`,
		`{"event_id":"p","type":"ticket.pending",` + base + `,"reason":null,"comment":"c"}`,
		`{"event_id":"p","type":"ticket.pending","occurred_at":"2026-10-05T09:00:00Z","branch":"b1","reason":"x"}`,
		`{"event_id":"r","type":"ticket.resumed",` + base + `,"reason":"ignored","comment":"kept"}`,
		`{"event_id":"r","type":"ticket.resumed","occurred_at":"2026-10-05T09:00:00Z","branch":"b1"}`,
		`{"event_id":"m","type":"ticket.message",` + base + `,"author":"customer","reason":"x"}`,
		`{"event_id":"m","type":"ticket.message",` + base + `,"author":"customer","reason":7}`,
		`{"event_id":"c","type":"complaint.filed","occurred_at":"2026-10-05T09:00:00Z","branch":"b1"}`,
	} {
		for _, lim := range []event.Limits{event.DefaultLimits, old, unknown} {
			sameDecisionWith(t, []byte(v), now, lim)
		}
	}
}

func FuzzDecodeMatchesReference(f *testing.F) {
	f.Add([]byte(`{"event_id":"p","type":"ticket.pending","occurred_at":"2026-10-05T09:00:00Z","branch":"b","ticket_id":"t","reason":"r\u00e9"}`))
	f.Add([]byte(`{"event_id":"e","type":"survey.nps","occurred_at":"2026-10-05T09:00:00Z","branch":"b","score":9}`))
	f.Add([]byte(`{"event_id":"e\u0041","type":"customer.visit","occurred_at":"2026-10-05T09:00:00Z","branch":"b","customer_id":"c","attributes":{"k":"v","k":"w"},"amount":1.5}`))
	f.Add([]byte(` { "branch" : "b", "event_id":"e","type":"ticket.opened","ticket_id":"t\"x","channel":"chat","occurred_at":"2026-10-05T09:00:00+02:00"} `))
	f.Fuzz(func(t *testing.T, value []byte) {
		sameDecision(t, value, now)
	})
}
