package contact

import (
	"bufio"
	"encoding/json"
	"flag"
	"os"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"
)

var showMisses = flag.Bool("misses", false, "log every false positive and false negative of the corpus tests")

// labelled is one line of a labelled corpus file.
type labelled struct {
	Text     string `json:"text"`
	Contacts []struct {
		Kind  Kind   `json:"kind"`
		Value string `json:"value"`
	} `json:"contacts"`
}

func loadCorpus(t *testing.T, path string) []labelled {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("open corpus: %v", err)
	}
	defer f.Close()
	var out []labelled
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		var l labelled
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("%s:%d: %v", path, n, err)
		}
		out = append(out, l)
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read corpus: %v", err)
	}
	return out
}

// counts holds true positives, false positives and false negatives.
type counts struct{ tp, fp, fn int }

func (c counts) precision() float64 {
	if c.tp+c.fp == 0 {
		return 1
	}
	return float64(c.tp) / float64(c.tp+c.fp)
}

func (c counts) recall() float64 {
	if c.tp+c.fn == 0 {
		return 1
	}
	return float64(c.tp) / float64(c.tp+c.fn)
}

// score matches found contacts against the labels on kind+value and
// checks every offset pair. It returns overall and per-kind counts.
func score(t *testing.T, corpus []labelled) (counts, map[Kind]counts) {
	t.Helper()
	per := map[Kind]counts{}
	var all counts
	for i, l := range corpus {
		got := Find(l.Text)
		checkOffsets(t, l.Text, got)
		want := map[string]int{}
		for _, c := range l.Contacts {
			want[string(c.Kind)+":"+c.Value]++
		}
		for _, c := range got {
			key := string(c.Kind) + ":" + c.Value
			pc := per[c.Kind]
			if want[key] > 0 {
				want[key]--
				pc.tp++
				all.tp++
			} else {
				pc.fp++
				all.fp++
				if *showMisses {
					t.Logf("line %d FP %s in %q (span %q)", i+1, key, l.Text, l.Text[c.Start:c.End])
				}
			}
			per[c.Kind] = pc
		}
		for key, n := range want {
			for ; n > 0; n-- {
				k := Kind(key[:strings.IndexByte(key, ':')])
				pc := per[k]
				pc.fn++
				per[k] = pc
				all.fn++
				if *showMisses {
					t.Logf("line %d FN %s in %q", i+1, key, l.Text)
				}
			}
		}
	}
	return all, per
}

func logScores(t *testing.T, name string, all counts, per map[Kind]counts) {
	t.Helper()
	kinds := make([]string, 0, len(per))
	for k := range per {
		kinds = append(kinds, string(k))
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		c := per[Kind(k)]
		t.Logf("%s %-7s P=%.3f R=%.3f (tp=%d fp=%d fn=%d)", name, k, c.precision(), c.recall(), c.tp, c.fp, c.fn)
	}
	t.Logf("%s overall P=%.3f R=%.3f (tp=%d fp=%d fn=%d)", name, all.precision(), all.recall(), all.tp, all.fp, all.fn)
}

// checkOffsets verifies that every contact's span is a non-empty range of
// whole runes inside text and holds the evidence for its value.
func checkOffsets(t *testing.T, text string, got []Contact) {
	t.Helper()
	bounds := runeBounds(text)
	prevEnd := -1
	for _, c := range got {
		if c.Start < 0 || c.End > len(text) || c.Start >= c.End {
			t.Fatalf("%q: bad span [%d,%d) for %v", text, c.Start, c.End, c)
		}
		if !bounds[c.Start] || !bounds[c.End] {
			t.Fatalf("%q: span [%d,%d) of %v not on rune boundaries", text, c.Start, c.End, c)
		}
		if c.Start < prevEnd {
			t.Fatalf("%q: contacts overlap or are unsorted: %v", text, got)
		}
		prevEnd = c.End
		if ev := evidence(c); !subsequence(spanAlnum(text[c.Start:c.End]), ev) && !rotatedDigits(text[c.Start:c.End], ev) &&
			!(c.Kind == Phone && subsequence(keypadDigits(text[c.Start:c.End]), ev)) {
			t.Fatalf("%q: span %q does not hold the evidence %q of %v", text, text[c.Start:c.End], ev, c)
		}
	}
}

// runeBounds marks the offsets where a rune starts (an invalid byte is a
// rune of its own), plus len(text).
func runeBounds(text string) []bool {
	b := make([]bool, len(text)+1)
	for i := 0; i < len(text); {
		b[i] = true
		_, n := utf8.DecodeRuneInString(text[i:])
		i += n
	}
	b[len(text)] = true
	return b
}

// spanAlnum folds a span and keeps its letters and digits (Chinese and
// circled numerals and spelled-out English digits read as digits).
func spanAlnum(s string) string {
	var sb strings.Builder
	for _, x := range spelledDigits(normalize(nil, s)) {
		switch {
		case x.d >= 0:
			sb.WriteByte(byte('0' + x.d))
		case isASCIIAlnum(x.r):
			sb.WriteRune(x.r)
		}
	}
	return sb.String()
}

// evidence is what a span must show for a value: the subscriber digits of
// a phone number, the id itself, the mailbox of an e-mail address (the
// domain may be implied, as in "qq邮箱 12345"), the first label of a URL
// host.
func evidence(c Contact) string {
	v := c.Value
	if c.Kind == Alipay {
		if strings.HasPrefix(v, "+") {
			return evidence(Contact{Kind: Phone, Value: v})
		}
		return evidence(Contact{Kind: Email, Value: v})
	}
	switch c.Kind {
	case Phone:
		if len(v) > 7 {
			return v[len(v)-7:]
		}
		return v
	case Email:
		return alnumOnly(v[:strings.IndexByte(v, '@')])
	case URL:
		host := v
		if p := strings.IndexByte(host, '.'); p >= 0 {
			host = host[:p]
		}
		return alnumOnly(host)
	}
	return alnumOnly(v)
}

func alnumOnly(s string) string {
	var sb strings.Builder
	for _, r := range s {
		if isASCIIAlnum(r) {
			sb.WriteRune(r)
		}
	}
	return sb.String()
}

// rotatedDigits reports whether the digits of span, read from some
// point to the end and then from the start, hold ev: a number told tail
// first ("尾号 8000，前面是 138 0013").
func rotatedDigits(span, ev string) bool {
	var d []byte
	for _, x := range spelledDigits(normalize(nil, span)) {
		if x.d >= 0 {
			d = append(d, byte('0'+x.d))
		}
	}
	for i := 1; i < len(d); i++ {
		if subsequence(string(d[i:])+string(d[:i]), ev) {
			return true
		}
	}
	return false
}

// keypadDigits reads the digits of a vanity number ("1-800-FIX-REVW"):
// capitals as the keys that carry them.
func keypadDigits(span string) string {
	var sb strings.Builder
	for i := 0; i < len(span); i++ {
		switch c := span[i]; {
		case c >= '0' && c <= '9':
			sb.WriteByte(c)
		case c >= 'A' && c <= 'Z':
			sb.WriteByte(keypad(rune(c - 'A' + 'a')))
		}
	}
	return sb.String()
}

// lookAlike reports whether letter a stands for digit b in a digit run.
func lookAlike(a, b byte) bool {
	return b == '0' && a == 'o' || b == '1' && (a == 'l' || a == 'i')
}

// subsequence reports whether sub can be read in s in order.
func subsequence(s, sub string) bool {
	j := 0
	for i := 0; i < len(s) && j < len(sub); i++ {
		if s[i] == sub[j] || lookAlike(s[i], sub[j]) {
			j++
		}
	}
	return j == len(sub)
}

// TestCorpusQuality scores Find on the labelled corpus the rules were
// developed against. It fails below precision 0.98 or recall 0.97.
func TestCorpusQuality(t *testing.T) {
	corpus := loadCorpus(t, "testdata/corpus.jsonl")
	if len(corpus) < 600 {
		t.Fatalf("corpus has %d lines, want at least 600", len(corpus))
	}
	all, per := score(t, corpus)
	logScores(t, "corpus", all, per)
	if p, r := all.precision(), all.recall(); p < 0.98 || r < 0.97 {
		t.Fatalf("got P=%.3f R=%.3f, want P>=0.98 R>=0.97 (run with -misses to list errors)", p, r)
	}
}

// TestDevQuality scores Find on two small corpora written separately and
// not tuned on (dev.jsonl was scored once before rule fixes that its
// errors shared with the main corpus; dev2.jsonl was written after the
// rules were done). It checks generalisation and fails only on a collapse.
func TestDevQuality(t *testing.T) {
	for _, name := range []string{"dev", "dev2"} {
		corpus := loadCorpus(t, "testdata/"+name+".jsonl")
		all, per := score(t, corpus)
		logScores(t, name, all, per)
		if p, r := all.precision(), all.recall(); p < 0.85 || r < 0.80 {
			t.Fatalf("got P=%.3f R=%.3f on %s, want P>=0.85 R>=0.80", p, r, name)
		}
	}
}
