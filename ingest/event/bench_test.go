package event_test

import (
	"testing"

	"github.com/cxpulse/cxpulse/ingest/event"
)

func BenchmarkDecode(b *testing.B) {
	value := []byte(`{"event_id":"910a2dec-8902-5cc1-9758-35de1c9756ce","type":"ticket.message","occurred_at":"2026-10-05T09:13:30.551+02:00","branch":"praha-1","ticket_id":"praha-1-T000002","customer_id":"praha-1-C000142","author":"agent","agent_id":"praha-1-a3","team":"front"}`)
	b.SetBytes(int64(len(value)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := event.Decode(value, now, event.DefaultLimits); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeFields is the ingest path: borrowed strings, reused attribute slices.
func BenchmarkDecodeFields(b *testing.B) {
	value := []byte(`{"event_id":"910a2dec-8902-5cc1-9758-35de1c9756ce","type":"ticket.message","occurred_at":"2026-10-05T09:13:30.551+02:00","branch":"praha-1","ticket_id":"praha-1-T000002","customer_id":"praha-1-C000142","author":"agent","agent_id":"praha-1-a3","team":"front","attributes":{"lang":"cs"}}`)
	b.SetBytes(int64(len(value)))
	b.ReportAllocs()
	var f event.Fields
	for b.Loop() {
		if err := event.DecodeFields(value, now, event.DefaultLimits, &f); err != nil {
			b.Fatal(err)
		}
	}
}
