package event_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/event"
)

// FuzzEncodeDifferential holds Encode to the json-based encoder it replaced
// (encodeJSON), byte for byte: on every event Decode accepts from data, and
// on an event with every payload set, made of s (any bytes, invalid UTF-8
// included), n and k, which need not be valid.
func FuzzEncodeDifferential(f *testing.F) {
	for _, bc := range benchLines {
		f.Add([]byte(bc.line), "a\"\\\x00\x1f\x7f<>&\u2028\u2029\xff\xc3é", int64(500000), uint8(0xff))
	}
	f.Add([]byte(specReport), "", int64(-1<<63), uint8(0))
	f.Add([]byte(specLeft), "x", int64(1<<63-1), uint8(0x0f))
	f.Add([]byte(specPlaced), "\b\f\n\r\t", int64(-125), uint8(0xf0))
	f.Fuzz(func(t *testing.T, data []byte, s string, n int64, k uint8) {
		if e, err := event.Decode(data); err == nil {
			compareEncode(t, e)
		}
		opt := func(bit uint8) string { // s or "" by a bit of k
			if k&bit != 0 {
				return s
			}
			return ""
		}
		e := &fairmark.Event{ID: fairmark.EventID(s), Type: fairmark.EventType(opt(1)),
			At:       time.Unix(n%(1<<35), n%1e9).In(time.FixedZone("X", int(n%50000))),
			Account:  &fairmark.Account{ID: fairmark.AccountID(opt(2)), Role: fairmark.Role(s), Name: opt(4)},
			Order:    &fairmark.Order{ID: fairmark.OrderID(s), Buyer: fairmark.AccountID(opt(8)), Seller: fairmark.AccountID(opt(16))},
			Feedback: &fairmark.Feedback{ID: fairmark.FeedbackID(s), Order: fairmark.OrderID(opt(32)), Rating: fairmark.Rating(opt(64)), Stars: int(n % 9), Text: opt(128)},
			Message:  &fairmark.Message{ID: fairmark.MessageID(opt(1)), Order: fairmark.OrderID(opt(2)), Text: opt(4)},
			Report: &fairmark.Report{ID: fairmark.ReportID(opt(8)), Kind: fairmark.ReportKind(s), Text: opt(16),
				Paid: &fairmark.Money{Value: fairmark.Decimal(n), Currency: s}},
			Moderation: &fairmark.Moderation{Action: fairmark.Action(s), Case: fairmark.CaseID(opt(32)), By: opt(64), Reason: opt(128)},
		}
		if k&1 != 0 {
			e.Account.Links = &fairmark.Links{Device: opt(2), IP: opt(4), Phone: opt(8), Payment: opt(16)}
			e.Order.Item = &fairmark.Item{ID: fairmark.ItemID(opt(32)), Title: opt(64), Category: opt(128), Digital: k&2 != 0}
			e.Order.Amount = &fairmark.Money{Value: fairmark.Decimal(-n), Currency: opt(4)}
			e.Report.Evidence = []fairmark.EvidenceRef{{Kind: s, SHA256: opt(2), Note: opt(4)}, {}}
			e.Moderation.Accounts = []fairmark.AccountID{fairmark.AccountID(s), fairmark.AccountID(opt(8)), ""}
			e.Moderation.Feedback = []fairmark.FeedbackID{fairmark.FeedbackID(opt(16))}
		}
		if k&2 != 0 {
			e.Report.Evidence = []fairmark.EvidenceRef{}
			e.Moderation.Accounts = []fairmark.AccountID{}
		}
		compareEncode(t, e)
	})
}

func compareEncode(t *testing.T, e *fairmark.Event) {
	t.Helper()
	got, gerr := event.Encode(e)
	want, werr := event.EncodeJSON(e)
	if gerr != nil || werr != nil {
		t.Fatalf("Encode(%+v): errors %v, %v", e, gerr, werr)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("Encode(%+v):\ngot  %s\nwant %s", e, got, want)
	}
}

// BenchmarkEncode measures Encode, and BenchmarkEncodeJSON the json-based
// encoder it replaced, on the events.md examples.
func BenchmarkEncode(b *testing.B) { benchEncode(b, event.Encode) }

func BenchmarkEncodeJSON(b *testing.B) { benchEncode(b, event.EncodeJSON) }

func benchEncode(b *testing.B, encode func(*fairmark.Event) ([]byte, error)) {
	for _, bc := range benchLines {
		b.Run(bc.name, func(b *testing.B) {
			e, err := event.Decode([]byte(bc.line))
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := encode(e); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
