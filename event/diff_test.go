package event_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fairmark/fairmark/event"
)

// diffSeeds are lines that exercise what the hand-written decoder must
// reproduce of encoding/json: key folding, duplicate keys, null, merging,
// escapes, the order of errors, and the field a Decimal error names.
var diffSeeds = []string{
	// Keys match case-insensitively, with Unicode folding (K is the
	// Kelvin sign, ſ the long s); İ and ı do not fold to ASCII.
	`{"ID":"a","tYpE":"account.opened","At":"2026-03-01T08:00:00Z","ACCOUNT":{"Id":"s","ROLE":"seller","LinKs":{"IP":"x"}}}`,
	`{"id":"a","type":"report.filed","at":"2026-03-01T08:00:00Z","report":{"id":"r","reporter":"s","accused":"b","ＫIND":"other","\u212aind":"extortion","evidence":[{"\u212aind":"k","\u017fha256":"` + strings.Repeat("a", 64) + `"}]}}`,
	`{"\u0130d":"a","\u0131d":"b","id":"c","type":"feedback.withdrawn","at":"2026-03-01T08:00:00Z","feedback":{"id":"f"}}`,
	// Duplicate keys: the last wins, objects merge, null resets pointers
	// and leaves strings.
	`{"id":"a","id":"b","id":null,"type":"account.opened","at":"2026-03-01T08:00:00Z","account":{"id":"x"},"account":{"role":"buyer","name":null}}`,
	`{"id":"a","type":"account.opened","at":"2026-03-01T08:00:00Z","account":{"id":"x"},"account":null,"account":{"id":"y","role":"buyer"}}`,
	`{"id":"a","type":"order.placed","at":"2026-03-01T08:00:00Z","order":{"id":"o","buyer":"b","seller":"s","item":{"digital":true},"item":{"digital":null,"title":"t"},"amount":{"value":"1","currency":"CNY"},"amount":{"currency":"USD"}}}`,
	// Evidence arrays decode into the slice in place: a shorter array
	// after a longer one leaves elements that a third array exposes.
	`{"id":"a","type":"report.filed","at":"2026-03-01T08:00:00Z","report":{"id":"r","reporter":"s","accused":"b","kind":"other","evidence":[{"kind":"k1","sha256":"` + strings.Repeat("a", 64) + `"},{"kind":"k2","sha256":"` + strings.Repeat("b", 64) + `","note":"n2"},{"kind":"k3","sha256":"` + strings.Repeat("c", 64) + `"}],"evidence":[{"note":"x"}],"evidence":[null,{},{}]}}`,
	`{"id":"a","type":"report.filed","at":"2026-03-01T08:00:00Z","report":{"id":"r","reporter":"s","accused":"b","kind":"other","evidence":[{"kind":"k"}],"evidence":[],"evidence":null}}`,
	// Moderation id lists behave like evidence arrays: decoded in place,
	// null elements leave what was there, null resets the list, [] is an
	// empty list; keys fold (ſ, K) and duplicate payloads merge.
	`{"id":"a","type":"moderation.action","at":"2026-03-01T08:00:00Z","moderation":{"action":"ban","accounts":["b1","b2","b3"],"accounts":["x"],"accounts":[null,null,null],"by":"r","reason":"x"}}`,
	`{"id":"a","type":"moderation.action","at":"2026-03-01T08:00:00Z","moderation":{"action":"ban","accounts":["b1","b2","b3"],"accounts":["x"],"accounts":[null,null,null,null,null],"by":"r","reason":"x"}}`,
	`{"id":"a","type":"moderation.action","at":"2026-03-01T08:00:00Z","moderation":{"action":"ban","accounts":["b1"],"accounts":[],"accounts":null,"by":"r","reason":"x"}}`,
	`{"id":"a","type":"moderation.action","at":"2026-03-01T08:00:00Z","moderation":{"action":"ban","accounts":["b1"],"by":"r","reason":"x"},"moderation":{"feedback":[],"reason":null},"moderation":null,"moderation":{"action":"remove_feedback","feedback":["f\u0031"],"by":"r","reason":"y"}}`,
	`{"id":"a","type":"moderation.action","at":"2026-03-01T08:00:00Z","Moderation":{"Action":"clear","ACCOUNTS":["b"],"By":"r","REA\u017fON":"x","CASE":"c"}}`,
	`{"id":"a","type":"moderation.action","at":"2026-03-01T08:00:00Z","moderation":{"action":"clear","acco\u0075nts":["b"],"by":"r","reason":"x","case":null,"x":[{"accounts":1}]}}`,
	`{"id":"a","type":"moderation.action","at":"2026-03-01T08:00:00Z","moderation":{"action":"ban","accounts":["b1",1,true,{},[],"b2"],"by":"r","reason":"x"}}`,
	`{"id":"a","type":"moderation.action","at":"2026-03-01T08:00:00Z","moderation":{"action":"ban","accounts":{},"feedback":"f","by":7,"reason":"x"}}`,
	`{"id":"a","type":"moderation.action","at":"2026-03-01T08:00:00Z","moderation":{"action":"ban","accounts":["b1"],"feedback":["f1"],"by":"r","reason":"x"}}`,
	`{"id":"a","type":"moderation.action","at":"2026-03-01T08:00:00Z","moderation":{"action":"restore_feedback","feedback":["f1",""],"by":"r","reason":"x"}}`,
	`{"id":"a","type":"moderation.action","at":"2026-03-01T08:00:00Z","moderation":{"action":"unban","accounts":["b1"],"by":"r","reason":"x"},"order":{"id":"o","amount":{"value":"x"}}}`,
	`{"id":"a","type":"moderation.action","at":"2026-03-01T08:00:00Z","moderation":{"action":"unban","accounts":["b1"],"by":"r","reason":"x"},"report":{"id":"r"},"account":7}`,
	`{"id":"a","type":"feedback.withdrawn","at":"2026-03-01T08:00:00Z","feedback":{"id":"f"},"moderation":{"action":"nope","accounts":[""]}}`,
	`{"id":"a","type":"feedback.withdrawn","at":"2026-03-01T08:00:00Z","feedback":{"id":"f"},"moderation":{"accounts":[1]}}`,
	`{"id":"a","type":"moderation.action","at":"2026-03-01T08:00:00Z","moderation":{"action":"ban","accounts":["b1" "b2"]}}`,
	`{"id":"a","type":"moderation.action","at":"2026-03-01T08:00:00Z","moderation":{"action":"ban","accounts":["b1",]}}`,
	`{"id":"a","type":"moderation.action","at":"2026-03-01T08:00:00Z","moderation":{"action":"ban","accounts":["b1"`,
	// A zero amount needs a "value" key in some amount object.
	`{"id":"a","type":"order.refunded","at":"2026-03-01T08:00:00Z","order":{"id":"o","amount":{"value":"0","currency":"CNY"}},"order":null,"order":{"id":"o","amount":{"currency":"CNY"}}}`,
	`{"id":"a","type":"order.refunded","at":"2026-03-01T08:00:00Z","order":{"id":"o","amount":{"value":"0","currency":"CNY"},"amount":null,"amount":{"currency":"CNY"}}}`,
	`{"id":"a","type":"report.filed","at":"2026-03-01T08:00:00Z","report":{"id":"r","reporter":"s","accused":"b","kind":"other","paid":{"currency":"CNY"}}}`,
	// Errors: syntax anywhere beats a Decimal error, which beats an
	// earlier type error; the Decimal error names its field by the type
	// decoded so far, or the last type of the event.
	`{"id":5,"type":"order.refunded","at":"2026-03-01T08:00:00Z","order":{"id":"o","amount":{"value":5,"currency":"CNY"}}}`,
	`{"id":5,"type":"order.refunded","at":"2026-03-01T08:00:00Z","order":{"id":"o","amount":{"value":5,"currency":"CNY"}}} x`,
	`{"id":"a","order":{"id":"o","amount":{"value":"x"}},"type":"order.placed"}`,
	`{"id":"a","order":{"id":"o","amount":{"value":"x"}},"type":"report.filed","type":null}`,
	`{"id":"a","order":{"id":"o","amount":{"value":"x"}},"type":"order.placed","type":7}`,
	`{"type":"report.filed","type":null,"report":{"paid":{"value":null}},"type":"report.filed"}`,
	`{"type":"feedback.left","order":{"amount":{"value":[1,{"a":"\u00e9"}]}}}`,
	`{"id":"a","type":"feedback.revised","at":"2026-03-01T08:00:00Z","feedback":{"id":"f","stars":1e0}}`,
	`{"id":"a","type":"feedback.revised","at":"2026-03-01T08:00:00Z","feedback":{"id":"f","stars":-0,"stars":99999999999999999999}}`,
	`{"id":"a","type":"order.placed","at":"2026-03-01T08:00:00Z","order":{"item":[],"amount":"x","id":{}}}`,
	`{"id":"a","type":"report.filed","at":"2026-03-01T08:00:00Z","report":{"evidence":[1,{"kind":true}]}}`,
	// Fields the type does not check are kept as they are.
	`{"id":"a","type":"feedback.withdrawn","at":"2026-03-01T08:00:00Z","feedback":{"id":"f","rating":"bogus","stars":3,"order":"o"}}`,
	`{"id":"a","type":"order.delivered","at":"2026-03-01T08:00:00Z","order":{"id":"o","buyer":"b","seller":"b","item":{"id":"i"}}}`,
	// Escapes and surrogates.
	`{"id":"\ud83d\ude00\ud800\u0041\udc00\ud800\ud800x\/\b\f\n\r\t\"\\","type":"feedback.withdrawn","at":"2026-03-01T08:00:00Z","feedback":{"id":"\u0000"}}`,
	`{"id":"a","type":"feedback.withdrawn","at":"2026\u002d03-01T08:00:00Z","feedback":{"id":"f"}}`,
	// Syntax errors of every kind, and at the end of the input.
	`{"id":"a\u12`, `{"id":"a\x`, `{"id":tru`, `{"id":nul}`, `{"id":fals`, `{"id":-`, `{"id":1.`, `{"id":1e+`, `{"id":01}`,
	`{"id" "a"}`, `{"id":"a" "b"}`, `{"id":"a",}`, `{"a":[1,]}`, `{"a":[1 2]}`, "{\"id\":\"a\tb\"}", `{"id":}`, `{,}`,
	`{"a":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}`,
	`{"a":` + strings.Repeat("[", 9999) + strings.Repeat("]", 9999) + `}`,
	"\u00a0{}\u2028", `{}é`,
}

// FuzzDecodeDifferential holds Decode to the json-based decoder it replaced
// (decodeJSON): the same event (deep-equal) or the same error, field and
// message. Decode's event must not refer to the input bytes, which are
// overwritten before comparing. Seeds: diffSeeds, the events.md examples,
// the FuzzDecode and FuzzReader seed corpora and the lines of
// testdata/corpus.
func FuzzDecodeDifferential(f *testing.F) {
	for _, s := range diffSeeds {
		f.Add([]byte(s))
	}
	for _, bc := range benchLines {
		f.Add([]byte(bc.line))
	}
	for _, seed := range corpusSeeds(f) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		in := bytes.Clone(data)
		got, gerr := event.Decode(in)
		for i := range in {
			in[i] = 'X'
		}
		want, werr := event.DecodeJSON(data)
		if (gerr == nil) != (werr == nil) {
			t.Fatalf("Decode(%q):\ngot  %v, %v\nwant %v, %v", data, got, gerr, want, werr)
		}
		if werr != nil {
			var gfe, wfe *event.FieldError
			if !errors.As(gerr, &gfe) || !errors.As(werr, &wfe) {
				t.Fatalf("Decode(%q): got error %T %v, want *event.FieldError like %v", data, gerr, gerr, werr)
			}
			if *gfe != *wfe {
				t.Fatalf("Decode(%q):\ngot  error %q (field %q)\nwant error %q (field %q)", data, gfe, gfe.Field, wfe, wfe.Field)
			}
			if got != nil {
				t.Fatalf("Decode(%q): got event %+v with error %v", data, got, gerr)
			}
			return
		}
		if diff := cmp.Diff(want, got); diff != "" || !reflect.DeepEqual(want, got) {
			t.Fatalf("Decode(%q) mismatch (-json +Decode):\n%s", data, diff)
		}
	})
}

// corpusSeeds returns the inputs of the FuzzDecode and FuzzReader seed
// corpora and their lines, and the lines of testdata/corpus.
func corpusSeeds(tb testing.TB) [][]byte {
	tb.Helper()
	var seeds [][]byte
	addLines := func(b []byte) {
		for line := range bytes.SplitSeq(b, []byte("\n")) {
			seeds = append(seeds, line)
		}
	}
	files, err := filepath.Glob("testdata/fuzz/Fuzz*/*")
	if err != nil {
		tb.Fatal(err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			tb.Fatal(err)
		}
		for _, line := range strings.Split(string(b), "\n")[1:] {
			q, ok := strings.CutPrefix(line, "[]byte(")
			if !ok {
				continue
			}
			s, err := strconv.Unquote(strings.TrimSuffix(q, ")"))
			if err != nil {
				tb.Fatalf("%s: %v", name, err)
			}
			seeds = append(seeds, []byte(s))
			addLines([]byte(s))
		}
	}
	files, err = filepath.Glob("testdata/corpus/*.ndjson")
	if err != nil {
		tb.Fatal(err)
	}
	if len(files) == 0 {
		tb.Fatal("no testdata/corpus/*.ndjson")
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			tb.Fatal(err)
		}
		addLines(b)
	}
	return seeds
}
