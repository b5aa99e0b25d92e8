package ingest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/ingest/event"
)

// A ticket.pending's reason (contract 1.1) has no column of its own: both
// ways into a batch (a decoded message, a loaded event) keep it in comment.
func TestReasonIsStoredAsComment(t *testing.T) {
	now := time.Date(2026, 10, 5, 10, 0, 0, 0, time.UTC)
	var f event.Fields
	msg := []byte(`{"event_id":"p","type":"ticket.pending","occurred_at":"2026-10-05T09:00:00Z","branch":"b1","ticket_id":"T","reason":"invoice number"}`)
	require.NoError(t, event.DecodeFields(msg, now, event.DefaultLimits, &f))
	var r rows
	r.add(&f, 0, 1)
	ev, err := event.Decode(msg, now, event.DefaultLimits)
	require.NoError(t, err)
	r.addEvent(&ev, 0, 2)
	other, err := event.Decode([]byte(`{"event_id":"m","type":"ticket.message","occurred_at":"2026-10-05T09:00:00Z","branch":"b1","ticket_id":"T","author":"agent","comment":"hello"}`), now, event.DefaultLimits)
	require.NoError(t, err)
	r.addEvent(&other, 0, 3)
	require.Equal(t, []string{"invoice number", "invoice number", "hello"}, r.text)
	require.Equal(t, []int8{14, 14, 2}, r.typ, "Enum8 numbers of migration 0006")
}
