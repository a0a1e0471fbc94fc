package event_test

import (
	"testing"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/event"
)

// benchLines are typical lines of every event type: the events.md examples
// and one of docs/EVENTS.md.
var benchLines = []struct {
	name string
	line string
}{
	{"account.opened", specAccount},
	{"order.placed", specPlaced},
	{"order.delivered", specDelivered},
	{"order.refunded", specRefunded},
	{"feedback.left", specLeft},
	{"feedback.revised", specRevised},
	{"feedback.withdrawn", specWithdrawn},
	{"message.sent", specMessage},
	{"report.filed", specReport},
	{"moderation.action", extBan},
}

// BenchmarkDecode measures Decode on typical lines, and BenchmarkDecodeJSON
// the json-based decoder it replaced (the oracle of FuzzDecodeDifferential):
//
//	go test -run '^$' -bench 'BenchmarkDecode' -benchmem ./event/
func BenchmarkDecode(b *testing.B) { benchDecode(b, event.Decode) }

func BenchmarkDecodeJSON(b *testing.B) { benchDecode(b, event.DecodeJSON) }

// BenchmarkBatchDecode measures a BatchDecoder's Decode on the same lines.
func BenchmarkBatchDecode(b *testing.B) {
	var bd event.BatchDecoder
	benchDecode(b, bd.Decode)
}

func benchDecode(b *testing.B, decode func([]byte) (*fairmark.Event, error)) {
	for _, bc := range benchLines {
		b.Run(bc.name, func(b *testing.B) {
			line := []byte(bc.line)
			if _, err := decode(line); err != nil {
				b.Fatalf("Decode: %v", err)
			}
			b.SetBytes(int64(len(line)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := decode(line); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
