package event_test

import (
	"testing"

	"github.com/fairmark/fairmark/event"
)

// BenchmarkDecode measures Decode on typical lines:
//
//	go test -run '^$' -bench BenchmarkDecode -benchmem ./event/
func BenchmarkDecode(b *testing.B) {
	for _, bc := range []struct {
		name string
		line string
	}{
		{"feedback.left", specLeft},
		{"message.sent", specMessage},
	} {
		b.Run(bc.name, func(b *testing.B) {
			line := []byte(bc.line)
			if _, err := event.Decode(line); err != nil {
				b.Fatalf("Decode: %v", err)
			}
			b.SetBytes(int64(len(line)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := event.Decode(line); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
