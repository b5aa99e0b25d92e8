package event_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/ingest/event"
)

var now = time.Date(2026, 10, 5, 12, 0, 0, 0, time.UTC)

func TestDecodeAcceptsTheContractExamples(t *testing.T) {
	for _, line := range []string{
		`{"event_id":"7f1c2a9e-1","type":"ticket.opened","occurred_at":"2026-10-05T09:12:44Z","branch":"praha-1","channel":"chat","ticket_id":"T-1001","customer_id":"C-77","priority":"high"}`,
		`{"event_id":"7f1c2a9e-2","type":"ticket.message","occurred_at":"2026-10-05T09:13:30Z","branch":"praha-1","ticket_id":"T-1001","author":"agent","agent_id":"a-12","team":"front"}`,
		`{"event_id":"7f1c2a9e-3","type":"survey.nps","occurred_at":"2026-10-05T10:00:00Z","branch":"praha-1","ticket_id":"T-1001","customer_id":"C-77","score":9,"comment":"fast and kind"}`,
	} {
		_, err := event.Decode([]byte(line), now, event.DefaultLimits)
		require.NoError(t, err, line)
	}
}

func TestDecodeNormalisesTimesAndDefaults(t *testing.T) {
	ev, err := event.Decode([]byte(`{"event_id":"e1","type":"callback.promised","occurred_at":"2026-10-05T09:12:44.120+02:00","branch":"b1","ref_id":"R1","due_at":"2026-10-05T11:00:00+02:00","amount":12.5,"attributes":{"k":"v"},"unknown_field":[1,2]}`), now, event.DefaultLimits)
	require.NoError(t, err)
	require.Equal(t, time.Date(2026, 10, 5, 7, 12, 44, 120e6, time.UTC), ev.OccurredAt)
	require.Equal(t, time.Date(2026, 10, 5, 9, 0, 0, 0, time.UTC), *ev.DueAt)
	require.Equal(t, event.ChannelOther, ev.Channel, "absent channel counts as other")
	require.Equal(t, 12.5, *ev.Amount)
	require.Equal(t, map[string]string{"k": "v"}, ev.Attributes)

	opened, err := event.Decode([]byte(`{"event_id":"e2","type":"ticket.opened","occurred_at":"2026-10-05T09:00:00Z","branch":"b1","ticket_id":"T","channel":"email"}`), now, event.DefaultLimits)
	require.NoError(t, err)
	require.Equal(t, event.PriorityNormal, opened.Priority)
}

func TestDecodeRejectsWithReasonAndField(t *testing.T) {
	base := `"event_id":"e1","occurred_at":"2026-10-05T09:00:00Z","branch":"b1"`
	cases := []struct {
		name   string
		value  string
		reason event.Reason
		field  string
	}{
		{"not json", `{"event_id":`, event.ReasonNotJSON, ""},
		{"array", `[1,2]`, event.ReasonNotJSON, ""},
		{"empty", ``, event.ReasonNotJSON, ""},
		{"invalid utf-8", "{\"event_id\":\"\xff\"}", event.ReasonNotJSON, ""},
		{"too large", `{` + base + `,"type":"complaint.filed","comment":"` + strings.Repeat("x", 70000) + `"}`, event.ReasonTooLarge, ""},
		{"no event_id", `{"type":"complaint.filed","occurred_at":"2026-10-05T09:00:00Z","branch":"b1"}`, event.ReasonMissingField, "event_id"},
		{"long event_id", `{"event_id":"` + strings.Repeat("e", 129) + `","type":"complaint.filed","occurred_at":"2026-10-05T09:00:00Z","branch":"b1"}`, event.ReasonInvalidField, "event_id"},
		{"no type", `{` + base + `}`, event.ReasonMissingField, "type"},
		{"unknown type", `{` + base + `,"type":"ticket.closed"}`, event.ReasonUnknownType, "type"},
		{"no occurred_at", `{"event_id":"e1","type":"complaint.filed","branch":"b1"}`, event.ReasonMissingField, "occurred_at"},
		{"bad occurred_at", `{"event_id":"e1","type":"complaint.filed","occurred_at":"2026-10-05 09:00:00","branch":"b1"}`, event.ReasonInvalidField, "occurred_at"},
		{"in future", `{"event_id":"e1","type":"complaint.filed","occurred_at":"2026-10-05T12:06:00Z","branch":"b1"}`, event.ReasonInFuture, "occurred_at"},
		{"no branch", `{"event_id":"e1","type":"complaint.filed","occurred_at":"2026-10-05T09:00:00Z"}`, event.ReasonMissingField, "branch"},
		{"bad branch", `{"event_id":"e1","type":"complaint.filed","occurred_at":"2026-10-05T09:00:00Z","branch":"-x"}`, event.ReasonInvalidField, "branch"},
		{"branch not a string", `{"event_id":"e1","type":"complaint.filed","occurred_at":"2026-10-05T09:00:00Z","branch":5}`, event.ReasonInvalidField, "branch"},
		{"ticket without ticket_id", `{` + base + `,"type":"ticket.resolved"}`, event.ReasonMissingField, "ticket_id"},
		{"opened without channel", `{` + base + `,"type":"ticket.opened","ticket_id":"T"}`, event.ReasonMissingField, "channel"},
		{"unknown channel", `{` + base + `,"type":"ticket.opened","ticket_id":"T","channel":"fax"}`, event.ReasonInvalidField, "channel"},
		{"unknown priority", `{` + base + `,"type":"ticket.opened","ticket_id":"T","channel":"chat","priority":"p1"}`, event.ReasonInvalidField, "priority"},
		{"message without author", `{` + base + `,"type":"ticket.message","ticket_id":"T"}`, event.ReasonMissingField, "author"},
		{"bad author", `{` + base + `,"type":"ticket.message","ticket_id":"T","author":"bot"}`, event.ReasonInvalidField, "author"},
		{"survey without score", `{` + base + `,"type":"survey.nps"}`, event.ReasonMissingField, "score"},
		{"nps 11", `{` + base + `,"type":"survey.nps","score":11}`, event.ReasonScoreRange, "score"},
		{"csat 0", `{` + base + `,"type":"survey.csat","score":0}`, event.ReasonScoreRange, "score"},
		{"ces 8", `{` + base + `,"type":"survey.ces","score":8}`, event.ReasonScoreRange, "score"},
		{"fractional score", `{` + base + `,"type":"survey.nps","score":9.5}`, event.ReasonInvalidField, "score"},
		{"score as string", `{` + base + `,"type":"survey.nps","score":"9"}`, event.ReasonInvalidField, "score"},
		{"visit without customer", `{` + base + `,"type":"customer.visit"}`, event.ReasonMissingField, "customer_id"},
		{"appointment without ref", `{` + base + `,"type":"appointment.started"}`, event.ReasonMissingField, "ref_id"},
		{"scheduled without due_at", `{` + base + `,"type":"appointment.scheduled","ref_id":"R"}`, event.ReasonMissingField, "due_at"},
		{"bad due_at", `{` + base + `,"type":"callback.promised","ref_id":"R","due_at":"tomorrow"}`, event.ReasonInvalidField, "due_at"},
		{"negative amount", `{` + base + `,"type":"customer.visit","customer_id":"C","amount":-1}`, event.ReasonInvalidField, "amount"},
		{"amount as string", `{` + base + `,"type":"customer.visit","customer_id":"C","amount":"5"}`, event.ReasonInvalidField, "amount"},
		{"long comment", `{` + base + `,"type":"complaint.filed","comment":"` + strings.Repeat("é", 4001) + `"}`, event.ReasonInvalidField, "comment"},
		{"long agent_id", `{` + base + `,"type":"complaint.filed","agent_id":"` + strings.Repeat("a", 65) + `"}`, event.ReasonInvalidField, "agent_id"},
		{"blank event_id", `{"event_id":"  ","type":"complaint.filed","occurred_at":"2026-10-05T09:00:00Z","branch":"b1"}`, event.ReasonMissingField, "event_id"},
		{"year 1", `{"event_id":"e1","type":"complaint.filed","occurred_at":"0001-01-01T00:00:00Z","branch":"b1"}`, event.ReasonInvalidField, "occurred_at"},
		{"due in year 9999", `{` + base + `,"type":"callback.promised","ref_id":"R","due_at":"9999-12-31T00:00:00Z"}`, event.ReasonInvalidField, "due_at"},
		{"NaN amount", `{` + base + `,"type":"customer.visit","customer_id":"C","amount":NaN}`, event.ReasonInvalidField, "amount"},
		{"infinite amount", `{` + base + `,"type":"customer.visit","customer_id":"C","amount":1e400}`, event.ReasonInvalidField, "amount"},
		{"score with leading zero", `{` + base + `,"type":"survey.nps","score":09}`, event.ReasonInvalidField, "score"},
		{"huge score on a ticket", `{` + base + `,"type":"ticket.opened","ticket_id":"T","channel":"chat","score":100000}`, event.ReasonInvalidField, "score"},
		{"attribute not a string", `{` + base + `,"type":"complaint.filed","attributes":{"k":1}}`, event.ReasonInvalidField, "attributes"},
		{"long attribute value", `{` + base + `,"type":"complaint.filed","attributes":{"k":"` + strings.Repeat("v", 257) + `"}}`, event.ReasonInvalidField, "attributes"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := event.Decode([]byte(tc.value), now, event.DefaultLimits)
			var verr *event.Error
			require.ErrorAs(t, err, &verr)
			require.Equal(t, tc.reason, verr.Reason, verr.Error())
			require.Equal(t, tc.field, verr.Field, verr.Error())
		})
	}
}

func TestDecodeTooManyAttributes(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"event_id":"e1","type":"complaint.filed","occurred_at":"2026-10-05T09:00:00Z","branch":"b1","attributes":{`)
	for i := 0; i < 33; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"k` + strings.Repeat("x", i) + `":"v"`)
	}
	b.WriteString(`}}`)
	_, err := event.Decode([]byte(b.String()), now, event.DefaultLimits)
	require.ErrorContains(t, err, "33 keys")
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"event_id":"e","type":"survey.nps","occurred_at":"2026-10-05T09:00:00Z","branch":"b","score":9}`))
	f.Add([]byte(`{"event_id":"e","type":"ticket.opened"}`))
	f.Fuzz(func(t *testing.T, value []byte) {
		ev, err := event.Decode(value, now, event.DefaultLimits)
		if err != nil {
			var verr *event.Error
			require.ErrorAs(t, err, &verr)
			return
		}
		require.NotEmpty(t, ev.EventID)
		require.True(t, ev.Type.Known())
	})
}

// Contract 1.1 adds ticket.pending (with an optional reason, kept in the
// comment column) and ticket.resumed; both need a ticket_id like every
// ticket.* type.
func TestDecodePendingAndResumed(t *testing.T) {
	base := `"occurred_at":"2026-10-05T09:00:00Z","branch":"b1","ticket_id":"T-1"`
	ev, err := event.Decode([]byte(`{"event_id":"p1","type":"ticket.pending",`+base+`,"reason":"waiting for the invoice number"}`), now, event.DefaultLimits)
	require.NoError(t, err)
	require.Equal(t, event.TicketPending, ev.Type)
	require.Equal(t, "waiting for the invoice number", ev.Reason)
	require.True(t, ev.Type.IsTicket())

	ev, err = event.Decode([]byte(`{"event_id":"p2","type":"ticket.pending",`+base+`}`), now, event.DefaultLimits)
	require.NoError(t, err, "the reason is optional")
	require.Empty(t, ev.Reason)

	ev, err = event.Decode([]byte(`{"event_id":"r1","type":"ticket.resumed",`+base+`,"reason":"ignored here"}`), now, event.DefaultLimits)
	require.NoError(t, err)
	require.Equal(t, event.TicketResumed, ev.Type)
	require.Empty(t, ev.Reason, "only ticket.pending carries a reason; elsewhere it is an unknown field")

	for _, tc := range []struct{ name, value, field string }{
		{"pending without ticket", `{"event_id":"p","type":"ticket.pending","occurred_at":"2026-10-05T09:00:00Z","branch":"b1"}`, "ticket_id"},
		{"resumed without ticket", `{"event_id":"r","type":"ticket.resumed","occurred_at":"2026-10-05T09:00:00Z","branch":"b1"}`, "ticket_id"},
		{"long reason", `{"event_id":"p","type":"ticket.pending",` + base + `,"reason":"` + strings.Repeat("r", 257) + `"}`, "reason"},
		{"reason and comment", `{"event_id":"p","type":"ticket.pending",` + base + `,"reason":"a","comment":"b"}`, "reason"},
		{"reason not a string", `{"event_id":"p","type":"ticket.pending",` + base + `,"reason":5}`, "reason"},
	} {
		_, err := event.Decode([]byte(tc.value), now, event.DefaultLimits)
		var verr *event.Error
		require.ErrorAs(t, err, &verr, tc.name)
		require.Equal(t, tc.field, verr.Field, tc.name)
	}
}

// The compatibility rule of docs/EVENTS.md: a consumer of contract 1.0
// dead-letters the types 1.1 added with unknown_type, and accepts everything
// else a 1.1 producer sends exactly as before.
func TestDecodeAsContract10RejectsTheNewTypes(t *testing.T) {
	old := event.DefaultLimits
	old.Contract = "1.0"
	require.Len(t, event.TypesOf("1.0"), 13)
	for _, typ := range []event.Type{event.TicketPending, event.TicketResumed} {
		require.NotContains(t, event.TypesOf("1.0"), typ)
		line := `{"event_id":"e","type":"` + string(typ) + `","occurred_at":"2026-10-05T09:00:00Z","branch":"b1","ticket_id":"T"}`
		_, err := event.Decode([]byte(line), now, old)
		var verr *event.Error
		require.ErrorAs(t, err, &verr)
		require.Equal(t, event.ReasonUnknownType, verr.Reason)
		_, err = event.Decode([]byte(line), now, event.DefaultLimits)
		require.NoError(t, err)
	}
	for _, typ := range event.TypesOf("1.0") {
		require.Contains(t, event.Types, typ, "1.1 only adds types")
	}
	_, err := event.Decode([]byte(`{"event_id":"e","type":"ticket.message","occurred_at":"2026-10-05T09:00:00Z","branch":"b1","ticket_id":"T","author":"customer","reason":"x"}`), now, old)
	require.NoError(t, err, "a 1.0 consumer ignores the new field")
	require.Nil(t, event.TypesOf("2.0"))
}
