package event_test

import (
	"errors"
	"flag"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/event"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// The examples of events.md, one per line, as the marketplace sends them.
const (
	specAccount   = `{"id":"e1","type":"account.opened","at":"2026-03-01T08:00:00Z","account":{"id":"s9","role":"seller","name":"Naughty Baby","links":{"device":"d-77","ip":"ip-5","phone":"ph-31","payment":"pay-2"}}}`
	specPlaced    = `{"id":"e2","type":"order.placed","at":"2026-03-02T10:00:00Z","order":{"id":"o1","buyer":"b123","seller":"s9","item":{"id":"i1","title":"50元 Q币充值卡","category":"prepaid_card","digital":true},"amount":{"value":"50.00","currency":"CNY"}}}`
	specDelivered = `{"id":"e3","type":"order.delivered","at":"2026-03-02T10:01:00Z","order":{"id":"o1"}}`
	specRefunded  = `{"id":"e4","type":"order.refunded","at":"2026-03-09T10:00:00Z","order":{"id":"o1","amount":{"value":"50.00","currency":"CNY"}}}`
	specLeft      = `{"id":"e5","type":"feedback.left","at":"2026-03-02T10:04:00Z","feedback":{"id":"f1","order":"o1","buyer":"b123","seller":"s9","rating":"negative","stars":1,"text":"骗子卖家，充值卡无效"}}`
	specRevised   = `{"id":"e6","type":"feedback.revised","at":"2026-03-04T09:00:00Z","feedback":{"id":"f1","rating":"positive","text":"误会，卡没问题"}}`
	specWithdrawn = `{"id":"e7","type":"feedback.withdrawn","at":"2026-03-04T09:00:00Z","feedback":{"id":"f1"}}`
	specMessage   = `{"id":"e8","type":"message.sent","at":"2026-03-02T10:06:00Z","message":{"id":"m1","conversation":"c1","order":"o1","from":"b123","to":"s9","text":"想删差评加我扣扣 3 8 5 7 2 1 9 0 6"}}`
	specReport    = `{"id":"e9","type":"report.filed","at":"2026-03-03T12:00:00Z","report":{"id":"r1","reporter":"s9","accused":"b123","order":"o1","feedback":"f1","kind":"extortion","text":"He wants 50 yuan to remove the remark","paid":{"value":"50.00","currency":"CNY"},"evidence":[{"kind":"screenshot","sha256":"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef","note":"QQ chat"}]}}`
)

// The examples of docs/EVENTS.md, the moderation.action extension.
const (
	extBan    = `{"id":"m1","type":"moderation.action","at":"2026-03-05T10:00:00Z","moderation":{"action":"ban","accounts":["b123","b124"],"case":"c1","by":"lead:li","reason":"extortion confirmed: 3 victims in 6 days"}}`
	extRemove = `{"id":"m2","type":"moderation.action","at":"2026-03-05T10:00:01Z","moderation":{"action":"remove_feedback","feedback":["f1","f7"],"case":"c1","by":"lead:li","reason":"extortion remark"}}`
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func cny(v fairmark.Decimal) *fairmark.Money { return &fairmark.Money{Value: v, Currency: "CNY"} }

// TestDecodeSpecExamples decodes every example of events.md and of its
// extension docs/EVENTS.md into the event it describes, field by field.
func TestDecodeSpecExamples(t *testing.T) {
	tests := []struct {
		line string
		want *fairmark.Event
	}{
		{specAccount, &fairmark.Event{ID: "e1", Type: fairmark.AccountOpened, At: at("2026-03-01T08:00:00Z"),
			Account: &fairmark.Account{ID: "s9", Role: fairmark.Seller, Name: "Naughty Baby",
				Links: &fairmark.Links{Device: "d-77", IP: "ip-5", Phone: "ph-31", Payment: "pay-2"}}}},
		{specPlaced, &fairmark.Event{ID: "e2", Type: fairmark.OrderPlaced, At: at("2026-03-02T10:00:00Z"),
			Order: &fairmark.Order{ID: "o1", Buyer: "b123", Seller: "s9",
				Item:   &fairmark.Item{ID: "i1", Title: "50元 Q币充值卡", Category: "prepaid_card", Digital: true},
				Amount: cny(500000)}}},
		{specDelivered, &fairmark.Event{ID: "e3", Type: fairmark.OrderDelivered, At: at("2026-03-02T10:01:00Z"),
			Order: &fairmark.Order{ID: "o1"}}},
		{specRefunded, &fairmark.Event{ID: "e4", Type: fairmark.OrderRefunded, At: at("2026-03-09T10:00:00Z"),
			Order: &fairmark.Order{ID: "o1", Amount: cny(500000)}}},
		{specLeft, &fairmark.Event{ID: "e5", Type: fairmark.FeedbackLeft, At: at("2026-03-02T10:04:00Z"),
			Feedback: &fairmark.Feedback{ID: "f1", Order: "o1", Buyer: "b123", Seller: "s9",
				Rating: fairmark.Negative, Stars: 1, Text: "骗子卖家，充值卡无效"}}},
		{specRevised, &fairmark.Event{ID: "e6", Type: fairmark.FeedbackRevised, At: at("2026-03-04T09:00:00Z"),
			Feedback: &fairmark.Feedback{ID: "f1", Rating: fairmark.Positive, Text: "误会，卡没问题"}}},
		{specWithdrawn, &fairmark.Event{ID: "e7", Type: fairmark.FeedbackWithdrawn, At: at("2026-03-04T09:00:00Z"),
			Feedback: &fairmark.Feedback{ID: "f1"}}},
		{specMessage, &fairmark.Event{ID: "e8", Type: fairmark.MessageSent, At: at("2026-03-02T10:06:00Z"),
			Message: &fairmark.Message{ID: "m1", Conversation: "c1", Order: "o1", From: "b123", To: "s9",
				Text: "想删差评加我扣扣 3 8 5 7 2 1 9 0 6"}}},
		{specReport, &fairmark.Event{ID: "e9", Type: fairmark.ReportFiled, At: at("2026-03-03T12:00:00Z"),
			Report: &fairmark.Report{ID: "r1", Reporter: "s9", Accused: "b123", Order: "o1", Feedback: "f1",
				Kind: fairmark.ReportExtortion, Text: "He wants 50 yuan to remove the remark", Paid: cny(500000),
				Evidence: []fairmark.EvidenceRef{{Kind: "screenshot",
					SHA256: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", Note: "QQ chat"}}}}},
		{extBan, &fairmark.Event{ID: "m1", Type: fairmark.ModerationAction, At: at("2026-03-05T10:00:00Z"),
			Moderation: &fairmark.Moderation{Action: fairmark.ActionBan, Accounts: []fairmark.AccountID{"b123", "b124"},
				Case: "c1", By: "lead:li", Reason: "extortion confirmed: 3 victims in 6 days"}}},
		{extRemove, &fairmark.Event{ID: "m2", Type: fairmark.ModerationAction, At: at("2026-03-05T10:00:01Z"),
			Moderation: &fairmark.Moderation{Action: fairmark.ActionRemoveFeedback, Feedback: []fairmark.FeedbackID{"f1", "f7"},
				Case: "c1", By: "lead:li", Reason: "extortion remark"}}},
	}
	for _, tt := range tests {
		t.Run(string(tt.want.ID)+"/"+string(tt.want.Type), func(t *testing.T) {
			got, err := event.Decode([]byte(tt.line))
			if err != nil {
				t.Fatalf("Decode: got error %v, want nil", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Fatalf("Decode mismatch (-want +got):\n%s", diff)
			}
			checkEvent(t, got)
			checkRoundTrip(t, got)
		})
	}
}

// TestDecodeValid covers accepted variations: time zones normalised to UTC,
// unknown fields ignored, the payloads of other types dropped, optional
// fields absent.
func TestDecodeValid(t *testing.T) {
	tests := []struct {
		name string
		line string
		want *fairmark.Event
	}{
		{"offset time becomes UTC",
			`{"id":"a","type":"feedback.withdrawn","at":"2026-03-02T18:04:00.5+08:00","feedback":{"id":"f1"}}`,
			&fairmark.Event{ID: "a", Type: fairmark.FeedbackWithdrawn, At: time.Date(2026, 3, 2, 10, 4, 0, 5e8, time.UTC),
				Feedback: &fairmark.Feedback{ID: "f1"}}},
		{"unknown fields ignored at every level",
			`{"id":"a","type":"account.opened","at":"2026-03-01T08:00:00Z","v":2,"src":{"x":[1,null]},"account":{"id":"b1","role":"buyer","age":3,"links":{"email":"h-1"}}}`,
			&fairmark.Event{ID: "a", Type: fairmark.AccountOpened, At: at("2026-03-01T08:00:00Z"),
				Account: &fairmark.Account{ID: "b1", Role: fairmark.Buyer, Links: &fairmark.Links{}}}},
		{"payload of another type is dropped",
			`{"id":"a","type":"feedback.withdrawn","at":"2026-03-01T08:00:00Z","feedback":{"id":"f1"},"order":{"id":"o1"},"message":{"id":"m1"}}`,
			&fairmark.Event{ID: "a", Type: fairmark.FeedbackWithdrawn, At: at("2026-03-01T08:00:00Z"),
				Feedback: &fairmark.Feedback{ID: "f1"}}},
		{"moderation on a v1 type is an unknown extra field, whatever its shape",
			`{"id":"a","type":"feedback.withdrawn","at":"2026-03-01T08:00:00Z","feedback":{"id":"f1"},"moderation":[],"moderation":{"action":7}}`,
			&fairmark.Event{ID: "a", Type: fairmark.FeedbackWithdrawn, At: at("2026-03-01T08:00:00Z"),
				Feedback: &fairmark.Feedback{ID: "f1"}}},
		{"surrounding whitespace",
			" \t" + `{"id":"a","type":"order.delivered","at":"2026-03-01T08:00:00Z","order":{"id":"o1"}}` + " \r",
			&fairmark.Event{ID: "a", Type: fairmark.OrderDelivered, At: at("2026-03-01T08:00:00Z"), Order: &fairmark.Order{ID: "o1"}}},
		{"refund without amount, four decimal places",
			`{"id":"a","type":"order.refunded","at":"2026-03-01T08:00:00Z","order":{"id":"o1"}}`,
			&fairmark.Event{ID: "a", Type: fairmark.OrderRefunded, At: at("2026-03-01T08:00:00Z"), Order: &fairmark.Order{ID: "o1"}}},
		{"placed with smallest amount and no item",
			`{"id":"a","type":"order.placed","at":"2026-03-01T08:00:00Z","order":{"id":"o1","buyer":"b","seller":"s","amount":{"value":"0.0001","currency":"USD"}}}`,
			&fairmark.Event{ID: "a", Type: fairmark.OrderPlaced, At: at("2026-03-01T08:00:00Z"),
				Order: &fairmark.Order{ID: "o1", Buyer: "b", Seller: "s", Amount: &fairmark.Money{Value: 1, Currency: "USD"}}}},
		{"explicit zero amount and edge years",
			`{"id":"a","type":"order.refunded","at":"0000-01-01T00:00:00Z","order":{"id":"o1","amount":{"value":"0","currency":"CNY"}}}`,
			&fairmark.Event{ID: "a", Type: fairmark.OrderRefunded, At: time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC),
				Order: &fairmark.Order{ID: "o1", Amount: cny(0)}}},
		{"last second of year 9999",
			`{"id":"a","type":"report.filed","at":"9999-12-31T23:59:59.999999999Z","report":{"id":"r","reporter":"s","accused":"b","kind":"other","paid":{"value":"0.00","currency":"CNY"},"evidence":[]}}`,
			&fairmark.Event{ID: "a", Type: fairmark.ReportFiled, At: time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
				Report: &fairmark.Report{ID: "r", Reporter: "s", Accused: "b", Kind: fairmark.ReportOther, Paid: cny(0), Evidence: []fairmark.EvidenceRef{}}}},
		{"feedback.left without stars or text, neutral",
			`{"id":"a","type":"feedback.left","at":"2026-03-01T08:00:00Z","feedback":{"id":"f","order":"o","buyer":"b","seller":"s","rating":"neutral"}}`,
			&fairmark.Event{ID: "a", Type: fairmark.FeedbackLeft, At: at("2026-03-01T08:00:00Z"),
				Feedback: &fairmark.Feedback{ID: "f", Order: "o", Buyer: "b", Seller: "s", Rating: fairmark.Neutral}}},
		{"report with kind only",
			`{"id":"a","type":"report.filed","at":"2026-03-01T08:00:00Z","report":{"id":"r","reporter":"s","accused":"b","kind":"fake_feedback"}}`,
			&fairmark.Event{ID: "a", Type: fairmark.ReportFiled, At: at("2026-03-01T08:00:00Z"),
				Report: &fairmark.Report{ID: "r", Reporter: "s", Accused: "b", Kind: fairmark.ReportFakeFeedback}}},
		{"moderation: every action, case optional",
			`{"id":"a","type":"moderation.action","at":"2026-03-01T08:00:00Z","moderation":{"action":"clear","accounts":["b1"],"by":"r:1","reason":"appeal"}}`,
			&fairmark.Event{ID: "a", Type: fairmark.ModerationAction, At: at("2026-03-01T08:00:00Z"),
				Moderation: &fairmark.Moderation{Action: fairmark.ActionClear, Accounts: []fairmark.AccountID{"b1"}, By: "r:1", Reason: "appeal"}}},
		{"moderation unban",
			`{"id":"a","type":"moderation.action","at":"2026-03-01T08:00:00Z","moderation":{"action":"unban","accounts":["b1","b2"],"case":"","by":"r","reason":"x"}}`,
			&fairmark.Event{ID: "a", Type: fairmark.ModerationAction, At: at("2026-03-01T08:00:00Z"),
				Moderation: &fairmark.Moderation{Action: fairmark.ActionUnban, Accounts: []fairmark.AccountID{"b1", "b2"}, By: "r", Reason: "x"}}},
		{"moderation restore_feedback, the other list empty or null",
			`{"id":"a","type":"moderation.action","at":"2026-03-01T08:00:00Z","moderation":{"action":"restore_feedback","feedback":["f1"],"accounts":[],"by":"r","reason":"x"}}`,
			&fairmark.Event{ID: "a", Type: fairmark.ModerationAction, At: at("2026-03-01T08:00:00Z"),
				Moderation: &fairmark.Moderation{Action: fairmark.ActionRestoreFeedback, Feedback: []fairmark.FeedbackID{"f1"}, Accounts: []fairmark.AccountID{}, By: "r", Reason: "x"}}},
		{"moderation ban, feedback null",
			`{"id":"a","type":"moderation.action","at":"2026-03-01T08:00:00Z","moderation":{"action":"ban","accounts":["b1"],"feedback":null,"by":"r","reason":"x"}}`,
			&fairmark.Event{ID: "a", Type: fairmark.ModerationAction, At: at("2026-03-01T08:00:00Z"),
				Moderation: &fairmark.Moderation{Action: fairmark.ActionBan, Accounts: []fairmark.AccountID{"b1"}, By: "r", Reason: "x"}}},
		{"moderation: keys folded, duplicates, unknown fields, other payloads dropped",
			`{"id":"a","type":"moderation.action","at":"2026-03-01T08:00:00Z","feedback":{"id":"f1"},"MODERATION":{"Action":"ban","ACCOUNTS":["x","y","z"],"by":"r","reason":"x","note":{"a":[1]}},"moderation":{"accounts":["b1",null],"reason":"y"}}`,
			&fairmark.Event{ID: "a", Type: fairmark.ModerationAction, At: at("2026-03-01T08:00:00Z"),
				Moderation: &fairmark.Moderation{Action: fairmark.ActionBan, Accounts: []fairmark.AccountID{"b1", "y"}, By: "r", Reason: "y"}}},
		{"moderation payload on another type is dropped",
			`{"id":"a","type":"feedback.withdrawn","at":"2026-03-01T08:00:00Z","feedback":{"id":"f1"},"moderation":{"action":"ban","accounts":["b1"]}}`,
			&fairmark.Event{ID: "a", Type: fairmark.FeedbackWithdrawn, At: at("2026-03-01T08:00:00Z"),
				Feedback: &fairmark.Feedback{ID: "f1"}}},
		{"escaped text",
			`{"id":"\u0061\n","type":"message.sent","at":"2026-03-01T08:00:00Z","message":{"id":"m","conversation":"c","from":"b","to":"s","text":"\u52a0\u6211 \"qq\" <b>&"}}`,
			&fairmark.Event{ID: "a\n", Type: fairmark.MessageSent, At: at("2026-03-01T08:00:00Z"),
				Message: &fairmark.Message{ID: "m", Conversation: "c", From: "b", To: "s", Text: `加我 "qq" <b>&`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := event.Decode([]byte(tt.line))
			if err != nil {
				t.Fatalf("Decode: got error %v, want nil", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Fatalf("Decode mismatch (-want +got):\n%s", diff)
			}
			if got.At.Location() != time.UTC {
				t.Fatalf("got location %v, want UTC", got.At.Location())
			}
			checkEvent(t, got)
			checkRoundTrip(t, got)
		})
	}
}

// TestDecodeErrors checks that each kind of bad event is rejected with a
// *FieldError naming the field, and a message saying what is wrong.
func TestDecodeErrors(t *testing.T) {
	const head = `"at":"2026-03-02T10:04:00Z"`
	tests := []struct {
		name      string
		line      string
		wantField string
		wantMsg   string // substring of the message
	}{
		{"empty", ``, "", "empty event"},
		{"spaces", "  \t", "", "empty event"},
		{"array", `[{"id":"a"}]`, "", "JSON object"},
		{"null", `null`, "", "JSON object"},
		{"string", `"a"`, "", "JSON object"},
		{"number", `12`, "", "JSON object"},
		{"truncated", `{"id":"a","type":"feedback.left",`, "", "JSON"},
		{"trailing garbage", `{"id":"a"} x`, "", "JSON"},
		{"invalid utf-8", "{\"id\":\"a\xff\"}", "", "UTF-8"},
		{"too large", `{"id":"a","x":"` + strings.Repeat("x", event.MaxLine) + `"}`, "", "1 MiB"},
		{"missing id", `{"type":"feedback.withdrawn",` + head + `,"feedback":{"id":"f"}}`, "id", "required"},
		{"empty id", `{"id":"","type":"feedback.withdrawn",` + head + `,"feedback":{"id":"f"}}`, "id", "required"},
		{"number id", `{"id":7,"type":"feedback.withdrawn",` + head + `,"feedback":{"id":"f"}}`, "id", "string"},
		{"missing type", `{"id":"a",` + head + `,"feedback":{"id":"f"}}`, "type", "required"},
		{"unknown type", `{"id":"a","type":"feedback.deleted",` + head + `,"feedback":{"id":"f"}}`, "type", `unknown event type "feedback.deleted"`},
		{"type wrong case", `{"id":"a","type":"FEEDBACK.LEFT",` + head + `}`, "type", "unknown event type"},
		{"missing at", `{"id":"a","type":"feedback.withdrawn","feedback":{"id":"f"}}`, "at", "required"},
		{"at not RFC 3339", `{"id":"a","type":"feedback.withdrawn","at":"2026-03-02","feedback":{"id":"f"}}`, "at", "RFC 3339"},
		{"at without zone", `{"id":"a","type":"feedback.withdrawn","at":"2026-03-02T10:04:00","feedback":{"id":"f"}}`, "at", "RFC 3339"},
		{"at comma fraction", `{"id":"a","type":"feedback.withdrawn","at":"2026-03-02T10:04:00,5Z","feedback":{"id":"f"}}`, "at", "RFC 3339"},
		{"at year 0 in UTC is year -1", `{"id":"a","type":"feedback.withdrawn","at":"0000-01-01T00:00:00+01:00","feedback":{"id":"f"}}`, "at", "0000 to 9999"},
		{"at year 9999 in UTC is year 10000", `{"id":"a","type":"feedback.withdrawn","at":"9999-12-31T23:00:00-01:00","feedback":{"id":"f"}}`, "at", "0000 to 9999"},
		{"at number", `{"id":"a","type":"feedback.withdrawn","at":1,"feedback":{"id":"f"}}`, "at", "string"},
		{"missing payload", `{"id":"a","type":"feedback.withdrawn",` + head + `}`, "feedback", "required for feedback.withdrawn"},
		{"null payload", `{"id":"a","type":"message.sent",` + head + `,"message":null}`, "message", "required"},
		{"payload not object", `{"id":"a","type":"report.filed",` + head + `,"report":[]}`, "report", "object"},
		{"wrong payload", `{"id":"a","type":"account.opened",` + head + `,"order":{"id":"o"}}`, "account", "required"},
		{"account id", `{"id":"a","type":"account.opened",` + head + `,"account":{"role":"buyer"}}`, "account.id", "required"},
		{"account role missing", `{"id":"a","type":"account.opened",` + head + `,"account":{"id":"x"}}`, "account.role", "required"},
		{"account role bad", `{"id":"a","type":"account.opened",` + head + `,"account":{"id":"x","role":"staff"}}`, "account.role", `not "staff"`},
		{"order id", `{"id":"a","type":"order.delivered",` + head + `,"order":{}}`, "order.id", "required"},
		{"order buyer", `{"id":"a","type":"order.placed",` + head + `,"order":{"id":"o","seller":"s","amount":{"value":"1","currency":"CNY"}}}`, "order.buyer", "required"},
		{"order seller", `{"id":"a","type":"order.placed",` + head + `,"order":{"id":"o","buyer":"b","amount":{"value":"1","currency":"CNY"}}}`, "order.seller", "required"},
		{"self order", `{"id":"a","type":"order.placed",` + head + `,"order":{"id":"o","buyer":"b","seller":"b","amount":{"value":"1","currency":"CNY"}}}`, "order.seller", "differ"},
		{"order amount missing", `{"id":"a","type":"order.placed",` + head + `,"order":{"id":"o","buyer":"b","seller":"s"}}`, "order.amount", "required"},
		{"amount number", `{"id":"a","type":"order.placed",` + head + `,"order":{"id":"o","buyer":"b","seller":"s","amount":{"value":50.00,"currency":"CNY"}}}`, "order.amount.value", "decimal string"},
		{"amount negative", `{"id":"a","type":"order.placed",` + head + `,"order":{"id":"o","buyer":"b","seller":"s","amount":{"value":"-1","currency":"CNY"}}}`, "order.amount.value", "not a decimal amount"},
		{"amount 5 places", `{"id":"a","type":"order.refunded",` + head + `,"order":{"id":"o","amount":{"value":"1.00001","currency":"CNY"}}}`, "order.amount.value", "4 decimal places"},
		{"amount too large", `{"id":"a","type":"order.refunded",` + head + `,"order":{"id":"o","amount":{"value":"100000000000000","currency":"CNY"}}}`, "order.amount.value", "too large"},
		{"amount empty", `{"id":"a","type":"order.refunded",` + head + `,"order":{"id":"o","amount":{"value":"","currency":"CNY"}}}`, "order.amount.value", "empty"},
		{"amount without value", `{"id":"a","type":"order.placed",` + head + `,"order":{"id":"o","buyer":"b","seller":"s","amount":{"currency":"CNY"}}}`, "order.amount.value", "required"},
		{"paid without value", `{"id":"a","type":"report.filed",` + head + `,"report":{"id":"r","reporter":"s","accused":"b","kind":"other","paid":{"currency":"CNY"}}}`, "report.paid.value", "required"},
		{"delivered amount bad value", `{"id":"a","type":"order.delivered",` + head + `,"order":{"id":"o","amount":{"value":"x","currency":"CNY"}}}`, "order.amount.value", "not a decimal amount"},
		{"delivered amount bad currency", `{"id":"a","type":"order.delivered",` + head + `,"order":{"id":"o","amount":{"value":"1","currency":"rmb"}}}`, "order.amount.currency", "ISO 4217"},
		{"currency lower", `{"id":"a","type":"order.refunded",` + head + `,"order":{"id":"o","amount":{"value":"1","currency":"cny"}}}`, "order.amount.currency", "ISO 4217"},
		{"currency missing", `{"id":"a","type":"order.placed",` + head + `,"order":{"id":"o","buyer":"b","seller":"s","amount":{"value":"1"}}}`, "order.amount.currency", "ISO 4217"},
		{"currency number", `{"id":"a","type":"order.placed",` + head + `,"order":{"id":"o","buyer":"b","seller":"s","amount":{"value":"1","currency":156}}}`, "order.amount.currency", "string"},
		{"item digital string", `{"id":"a","type":"order.placed",` + head + `,"order":{"id":"o","buyer":"b","seller":"s","item":{"digital":"yes"},"amount":{"value":"1","currency":"CNY"}}}`, "order.item.digital", "true or false"},
		{"feedback id", `{"id":"a","type":"feedback.withdrawn",` + head + `,"feedback":{}}`, "feedback.id", "required"},
		{"feedback order", `{"id":"a","type":"feedback.left",` + head + `,"feedback":{"id":"f","buyer":"b","seller":"s","rating":"positive"}}`, "feedback.order", "required"},
		{"feedback buyer", `{"id":"a","type":"feedback.left",` + head + `,"feedback":{"id":"f","order":"o","seller":"s","rating":"positive"}}`, "feedback.buyer", "required"},
		{"feedback seller", `{"id":"a","type":"feedback.left",` + head + `,"feedback":{"id":"f","order":"o","buyer":"b","rating":"positive"}}`, "feedback.seller", "required"},
		{"rating missing", `{"id":"a","type":"feedback.left",` + head + `,"feedback":{"id":"f","order":"o","buyer":"b","seller":"s"}}`, "feedback.rating", "required"},
		{"rating bad", `{"id":"a","type":"feedback.revised",` + head + `,"feedback":{"id":"f","rating":"good"}}`, "feedback.rating", `not "good"`},
		{"stars 6", `{"id":"a","type":"feedback.revised",` + head + `,"feedback":{"id":"f","stars":6}}`, "feedback.stars", "1 to 5"},
		{"stars negative", `{"id":"a","type":"feedback.revised",` + head + `,"feedback":{"id":"f","stars":-2}}`, "feedback.stars", "1 to 5"},
		{"stars fraction", `{"id":"a","type":"feedback.revised",` + head + `,"feedback":{"id":"f","stars":2.5}}`, "feedback.stars", "integer"},
		{"stars string", `{"id":"a","type":"feedback.revised",` + head + `,"feedback":{"id":"f","stars":"2"}}`, "feedback.stars", "integer"},
		{"message from", `{"id":"a","type":"message.sent",` + head + `,"message":{"id":"m","conversation":"c","to":"s"}}`, "message.from", "required"},
		{"message to", `{"id":"a","type":"message.sent",` + head + `,"message":{"id":"m","conversation":"c","from":"b"}}`, "message.to", "required"},
		{"message conversation", `{"id":"a","type":"message.sent",` + head + `,"message":{"id":"m","from":"b","to":"s"}}`, "message.conversation", "required"},
		{"message text number", `{"id":"a","type":"message.sent",` + head + `,"message":{"id":"m","conversation":"c","from":"b","to":"s","text":5}}`, "message.text", "string"},
		{"report reporter", `{"id":"a","type":"report.filed",` + head + `,"report":{"id":"r","accused":"b","kind":"other"}}`, "report.reporter", "required"},
		{"report accused", `{"id":"a","type":"report.filed",` + head + `,"report":{"id":"r","reporter":"s","kind":"other"}}`, "report.accused", "required"},
		{"report kind missing", `{"id":"a","type":"report.filed",` + head + `,"report":{"id":"r","reporter":"s","accused":"b"}}`, "report.kind", "required"},
		{"report kind bad", `{"id":"a","type":"report.filed",` + head + `,"report":{"id":"r","reporter":"s","accused":"b","kind":"scam"}}`, "report.kind", `not "scam"`},
		{"report paid", `{"id":"a","type":"report.filed",` + head + `,"report":{"id":"r","reporter":"s","accused":"b","kind":"other","paid":{"value":"5 yuan","currency":"CNY"}}}`, "report.paid.value", "not a decimal amount"},
		{"report paid currency", `{"id":"a","type":"report.filed",` + head + `,"report":{"id":"r","reporter":"s","accused":"b","kind":"other","paid":{"value":"5","currency":"RMB1"}}}`, "report.paid.currency", "ISO 4217"},
		{"evidence sha", `{"id":"a","type":"report.filed",` + head + `,"report":{"id":"r","reporter":"s","accused":"b","kind":"other","evidence":[{"kind":"chat","sha256":"xyz"}]}}`, "report.evidence[0].sha256", "64 hex"},
		{"evidence kind", `{"id":"a","type":"report.filed",` + head + `,"report":{"id":"r","reporter":"s","accused":"b","kind":"other","evidence":[{"kind":"chat","sha256":"` + strings.Repeat("0", 64) + `"},{"sha256":"` + strings.Repeat("F", 64) + `"}]}}`, "report.evidence[1].kind", "required"},
		{"moderation missing", `{"id":"a","type":"moderation.action",` + head + `}`, "moderation", "required for moderation.action"},
		{"moderation null", `{"id":"a","type":"moderation.action",` + head + `,"moderation":null}`, "moderation", "required for moderation.action"},
		{"moderation not object", `{"id":"a","type":"moderation.action",` + head + `,"moderation":"ban"}`, "moderation", "must be an object, not a JSON string"},
		{"moderation wrong payload", `{"id":"a","type":"moderation.action",` + head + `,"report":{"id":"r"}}`, "moderation", "required"},
		{"moderation action missing", `{"id":"a","type":"moderation.action",` + head + `,"moderation":{"accounts":["b"],"by":"r","reason":"x"}}`, "moderation.action", "required (ban, unban, remove_feedback, restore_feedback or clear)"},
		{"moderation action bad", `{"id":"a","type":"moderation.action",` + head + `,"moderation":{"action":"delete","accounts":["b"],"by":"r","reason":"x"}}`, "moderation.action", `must be ban, unban, remove_feedback, restore_feedback or clear, not "delete"`},
		{"moderation action case", `{"id":"a","type":"moderation.action",` + head + `,"moderation":{"action":"BAN","accounts":["b"],"by":"r","reason":"x"}}`, "moderation.action", `not "BAN"`},
		{"moderation action number", `{"id":"a","type":"moderation.action",` + head + `,"moderation":{"action":1,"accounts":["b"],"by":"r","reason":"x"}}`, "moderation.action", "must be a string, not a JSON number"},
		{"ban without accounts", `{"id":"a","type":"moderation.action",` + head + `,"moderation":{"action":"ban","by":"r","reason":"x"}}`, "moderation.accounts", "required for action ban"},
		{"unban empty accounts", `{"id":"a","type":"moderation.action",` + head + `,"moderation":{"action":"unban","accounts":[],"by":"r","reason":"x"}}`, "moderation.accounts", "required for action unban"},
		{"clear null accounts", `{"id":"a","type":"moderation.action",` + head + `,"moderation":{"action":"clear","accounts":null,"by":"r","reason":"x"}}`, "moderation.accounts", "required for action clear"},
		{"ban empty account id", `{"id":"a","type":"moderation.action",` + head + `,"moderation":{"action":"ban","accounts":["b1",""],"by":"r","reason":"x"}}`, "moderation.accounts[1]", "required"},
		{"ban null account id", `{"id":"a","type":"moderation.action",` + head + `,"moderation":{"action":"ban","accounts":[null],"by":"r","reason":"x"}}`, "moderation.accounts[0]", "required"},
		{"ban with feedback", `{"id":"a","type":"moderation.action",` + head + `,"moderation":{"action":"ban","accounts":["b1"],"feedback":["f1"],"by":"r","reason":"x"}}`, "moderation.feedback", "not allowed for action ban"},
		{"accounts not array", `{"id":"a","type":"moderation.action",` + head + `,"moderation":{"action":"ban","accounts":"b1","by":"r","reason":"x"}}`, "moderation.accounts", "must be an array, not a JSON string"},
		{"account id number", `{"id":"a","type":"moderation.action",` + head + `,"moderation":{"action":"ban","accounts":["b1",7],"by":"r","reason":"x"}}`, "moderation.accounts", "must be a string, not a JSON number"},
		{"remove without feedback", `{"id":"a","type":"moderation.action",` + head + `,"moderation":{"action":"remove_feedback","accounts":["b1"],"by":"r","reason":"x"}}`, "moderation.feedback", "required for action remove_feedback"},
		{"restore empty feedback id", `{"id":"a","type":"moderation.action",` + head + `,"moderation":{"action":"restore_feedback","feedback":[""],"by":"r","reason":"x"}}`, "moderation.feedback[0]", "required"},
		{"remove with accounts", `{"id":"a","type":"moderation.action",` + head + `,"moderation":{"action":"remove_feedback","feedback":["f1"],"accounts":["b1"],"by":"r","reason":"x"}}`, "moderation.accounts", "not allowed for action remove_feedback"},
		{"feedback ids object", `{"id":"a","type":"moderation.action",` + head + `,"moderation":{"action":"remove_feedback","feedback":[{"id":"f1"}],"by":"r","reason":"x"}}`, "moderation.feedback", "must be a string, not a JSON object"},
		{"moderation by missing", `{"id":"a","type":"moderation.action",` + head + `,"moderation":{"action":"ban","accounts":["b1"],"reason":"x"}}`, "moderation.by", "required"},
		{"moderation by empty", `{"id":"a","type":"moderation.action",` + head + `,"moderation":{"action":"ban","accounts":["b1"],"by":"","reason":"x"}}`, "moderation.by", "required"},
		{"moderation reason missing", `{"id":"a","type":"moderation.action",` + head + `,"moderation":{"action":"ban","accounts":["b1"],"by":"r"}}`, "moderation.reason", "required"},
		{"moderation case number", `{"id":"a","type":"moderation.action",` + head + `,"moderation":{"action":"ban","accounts":["b1"],"case":1,"by":"r","reason":"x"}}`, "moderation.case", "must be a string"},
		{"evidence not array", `{"id":"a","type":"report.filed",` + head + `,"report":{"id":"r","reporter":"s","accused":"b","kind":"other","evidence":{}}}`, "report.evidence", "array"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := event.Decode([]byte(tt.line))
			if err == nil {
				t.Fatalf("Decode: got event %+v, want error on %q", ev, tt.wantField)
			}
			if ev != nil {
				t.Fatalf("Decode: got event %+v with error %v, want nil event", ev, err)
			}
			var fe *event.FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("got error %T %v, want a *event.FieldError", err, err)
			}
			if fe.Field != tt.wantField {
				t.Fatalf("got field %q (%v), want %q", fe.Field, err, tt.wantField)
			}
			if !strings.Contains(fe.Msg, tt.wantMsg) {
				t.Fatalf("got message %q, want it to contain %q", fe.Msg, tt.wantMsg)
			}
			if tt.wantField != "" && !strings.HasPrefix(err.Error(), tt.wantField+": ") {
				t.Fatalf("got %q, want it to start with the field %q", err.Error(), tt.wantField)
			}
		})
	}
}

func TestFieldErrorString(t *testing.T) {
	tests := []struct {
		err  event.FieldError
		want string
	}{
		{event.FieldError{Field: "feedback.rating", Msg: "required"}, "feedback.rating: required"},
		{event.FieldError{Msg: "empty event"}, "empty event"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Fatalf("got %q, want %q", got, tt.want)
		}
	}
}

// TestEncode checks the wire form: compact, no trailing newline, UTC time,
// no HTML escaping, payloads of other types omitted.
func TestEncode(t *testing.T) {
	e := &fairmark.Event{ID: "x", Type: fairmark.MessageSent,
		At:      time.Date(2026, 3, 2, 18, 6, 0, 1000, time.FixedZone("CST", 8*3600)),
		Message: &fairmark.Message{ID: "m", Conversation: "c", From: "b", To: "s", Text: "<加我> & \"qq\""}}
	got, err := event.Encode(e)
	if err != nil {
		t.Fatalf("Encode: %v", err)
	}
	want := `{"id":"x","type":"message.sent","at":"2026-03-02T10:06:00.000001Z","message":{"id":"m","conversation":"c","from":"b","to":"s","text":"<加我> & \"qq\""}}`
	if string(got) != want {
		t.Fatalf("got %s, want %s", got, want)
	}
	for _, line := range []string{specAccount, specPlaced, specDelivered, specRefunded, specLeft, specRevised, specWithdrawn, specMessage, specReport, extBan, extRemove} {
		e, err := event.Decode([]byte(line))
		if err != nil {
			t.Fatalf("Decode(%s): %v", line, err)
		}
		got, err := event.Encode(e)
		if err != nil {
			t.Fatalf("Encode: %v", err)
		}
		// The examples are written in the contract's canonical form.
		if string(got) != line {
			t.Fatalf("got %s, want %s", got, line)
		}
	}
}

// checkEvent asserts the invariants every decoded event must satisfy.
func checkEvent(t testing.TB, e *fairmark.Event) {
	t.Helper()
	if e == nil {
		t.Fatalf("got nil event, want an event")
	}
	if e.ID == "" {
		t.Fatalf("got empty id, want non-empty")
	}
	if !e.Type.Known() {
		t.Fatalf("got type %q, want a known type", e.Type)
	}
	if e.At.Location() != time.UTC {
		t.Fatalf("got at in %v, want UTC", e.At.Location())
	}
	if y := e.At.Year(); y < 0 || y > 9999 {
		t.Fatalf("got year %d, want 0..9999 (RFC 3339)", y)
	}
	payloads := map[string]bool{
		"account": e.Account != nil, "order": e.Order != nil, "feedback": e.Feedback != nil,
		"message": e.Message != nil, "report": e.Report != nil, "moderation": e.Moderation != nil,
	}
	noun, _, _ := strings.Cut(string(e.Type), ".")
	for name, set := range payloads {
		if set != (name == noun) {
			t.Fatalf("%s event: payload %s set=%v, want exactly the %s payload", e.Type, name, set, noun)
		}
	}
	switch noun {
	case "account":
		if e.Account.ID == "" || (e.Account.Role != fairmark.Buyer && e.Account.Role != fairmark.Seller) {
			t.Fatalf("got account %+v, want id and role", e.Account)
		}
	case "order":
		if e.Order.ID == "" {
			t.Fatalf("got empty order id")
		}
		if e.Type == fairmark.OrderPlaced && (e.Order.Buyer == "" || e.Order.Seller == "" || e.Order.Amount == nil || e.Order.Buyer == e.Order.Seller) {
			t.Fatalf("got order %+v, want buyer, seller and amount", e.Order)
		}
		checkMoney(t, e.Order.Amount)
	case "feedback":
		f := e.Feedback
		if f.ID == "" || f.Stars < 0 || f.Stars > 5 {
			t.Fatalf("got feedback %+v, want id and stars 0..5", f)
		}
		switch f.Rating {
		case fairmark.Positive, fairmark.Neutral, fairmark.Negative:
		case "":
			if e.Type == fairmark.FeedbackLeft {
				t.Fatalf("feedback.left without rating")
			}
		default:
			t.Fatalf("got rating %q", f.Rating)
		}
	case "message":
		m := e.Message
		if m.ID == "" || m.Conversation == "" || m.From == "" || m.To == "" {
			t.Fatalf("got message %+v, want id, conversation, from and to", m)
		}
	case "report":
		r := e.Report
		if r.ID == "" || r.Reporter == "" || r.Accused == "" {
			t.Fatalf("got report %+v, want id, reporter and accused", r)
		}
		switch r.Kind {
		case fairmark.ReportExtortion, fairmark.ReportOffPlatformContact, fairmark.ReportFakeFeedback, fairmark.ReportOther:
		default:
			t.Fatalf("got report kind %q", r.Kind)
		}
		checkMoney(t, r.Paid)
		for _, ev := range r.Evidence {
			if ev.Kind == "" || len(ev.SHA256) != 64 {
				t.Fatalf("got evidence %+v", ev)
			}
		}
	case "moderation":
		m := e.Moderation
		if !m.Action.Known() || m.By == "" || m.Reason == "" {
			t.Fatalf("got moderation %+v, want a known action, by and reason", m)
		}
		ids, other := len(m.Accounts), len(m.Feedback)
		if !m.Action.OnAccounts() {
			ids, other = other, ids
		}
		if ids == 0 || other != 0 {
			t.Fatalf("got moderation %+v, want ids of the kind action %s names, and only those", m, m.Action)
		}
		for _, id := range m.Accounts {
			if id == "" {
				t.Fatalf("got moderation %+v with an empty account id", m)
			}
		}
		for _, id := range m.Feedback {
			if id == "" {
				t.Fatalf("got moderation %+v with an empty feedback id", m)
			}
		}
	}
}

func checkMoney(t testing.TB, m *fairmark.Money) {
	t.Helper()
	if m == nil {
		return
	}
	if m.Value < 0 {
		t.Fatalf("got negative amount %v", m.Value)
	}
	if len(m.Currency) != 3 || strings.Trim(m.Currency, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		t.Fatalf("got currency %q, want 3 capital letters", m.Currency)
	}
}

// checkRoundTrip asserts that Encode(e) decodes to an equal event and that
// encoding is stable.
func checkRoundTrip(t testing.TB, e *fairmark.Event) {
	t.Helper()
	b, err := event.Encode(e)
	if err != nil {
		t.Fatalf("Encode(%+v): %v", e, err)
	}
	e2, err := event.Decode(b)
	if err != nil {
		t.Fatalf("Decode(Encode(e)) = %v, want nil error; encoded %s", err, b)
	}
	// An empty evidence list and no evidence list mean the same; Encode
	// omits both.
	if diff := cmp.Diff(e, e2, cmpopts.EquateEmpty()); diff != "" {
		t.Fatalf("round trip mismatch (-decoded +re-decoded):\n%s\nencoded %s", diff, b)
	}
	if !e.At.Equal(e2.At) || e2.At.Location() != time.UTC {
		t.Fatalf("round trip time: got %v, want %v in UTC", e2.At, e.At)
	}
	b2, err := event.Encode(e2)
	if err != nil {
		t.Fatalf("Encode: %v", err)
	}
	if string(b) != string(b2) {
		t.Fatalf("Encode not stable: got %s, then %s", b, b2)
	}
}
