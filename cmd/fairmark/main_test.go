package main

// Contract tests of the command line (../../shared/spec/cli.md and the replay
// output of events.md), run in-process through Main.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/fairmark/fairmark/evidence"
	"github.com/fairmark/fairmark/store"
)

// result is what one in-process run of the program did.
type result struct {
	stdout, stderr string
	err            error
	code           int    // the exit status main would use
	msg            string // the line main would print on stderr, "" if none
}

// run runs `fairmark args...` in-process with stdin and an empty
// environment, and recovers a panic into a test failure.
func run(t *testing.T, stdin string, args ...string) (r result) {
	t.Helper()
	var out, errb bytes.Buffer
	m := &Main{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
	defer func() {
		if p := recover(); p != nil {
			t.Fatalf("fairmark %q panicked: %v", args, p)
		}
	}()
	err := m.Run(context.Background(), args)
	r = result{stdout: out.String(), stderr: errb.String(), err: err}
	// Mirror main(): the exit code and the one line it prints.
	var ee *exitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.code, r.msg = ee.code, ee.msg
	default:
		r.code, r.msg = 1, oneLine(err.Error())
	}
	return r
}

func mustRun(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	r := run(t, stdin, args...)
	if r.err != nil {
		t.Fatalf("fairmark %q: %v\nstderr: %s", args, r.err, r.stderr)
	}
	return r
}

// ---- a small story ----------------------------------------------------

var t0 = time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)

func ev(id, typ string, at time.Time, noun string, payload map[string]any) string {
	b, err := json.Marshal(map[string]any{"id": id, "type": typ, "at": at.Format(time.RFC3339), noun: payload})
	if err != nil {
		panic(err)
	}
	return string(b)
}

func opened(id, role string, at time.Time) string {
	return ev("e-open-"+id, "account.opened", at, "account", map[string]any{"id": id, "role": role})
}

const qqText = "想删差评加我扣扣 3 8 5 7 2 1 9 0 6"

// story: buyer b1 extorts two new sellers s1 and s2 (a 50-yuan prepaid
// card, a negative remark minutes after delivery, a QQ number on chat);
// buyer b2 buys honestly from s3 and leaves a positive remark.
func story() []string {
	lines := []string{opened("b1", "buyer", t0), opened("b2", "buyer", t0)}
	for i, s := range []string{"s1", "s2"} {
		n := i + 1
		day := t0.Add(time.Duration(n) * 24 * time.Hour)
		o, f, m, c := fmt.Sprintf("o%d", n), fmt.Sprintf("f%d", n), fmt.Sprintf("m%d", n), fmt.Sprintf("c%d", n)
		lines = append(lines,
			opened(s, "seller", day.Add(-24*time.Hour)),
			ev("e-place-"+o, "order.placed", day.Add(2*time.Hour), "order", map[string]any{
				"id": o, "buyer": "b1", "seller": s,
				"item":   map[string]any{"id": "i" + o, "title": "50元 Q币充值卡", "category": "prepaid_card", "digital": true},
				"amount": map[string]any{"value": "50.00", "currency": "CNY"}}),
			ev("e-deliver-"+o, "order.delivered", day.Add(2*time.Hour+time.Minute), "order", map[string]any{"id": o}),
			ev("e-fb-"+f, "feedback.left", day.Add(2*time.Hour+5*time.Minute), "feedback", map[string]any{
				"id": f, "order": o, "buyer": "b1", "seller": s, "rating": "negative", "stars": 1, "text": "骗子卖家，充值卡无效"}),
			ev("e-msg-"+m, "message.sent", day.Add(2*time.Hour+7*time.Minute), "message", map[string]any{
				"id": m, "conversation": c, "order": o, "from": "b1", "to": s, "text": qqText}),
		)
	}
	lines = append(lines,
		opened("s3", "seller", t0.Add(-300*24*time.Hour)),
		ev("e-place-o3", "order.placed", t0.Add(3*time.Hour), "order", map[string]any{
			"id": "o3", "buyer": "b2", "seller": "s3",
			"item":   map[string]any{"id": "i3", "title": "保温杯", "category": "home", "digital": false},
			"amount": map[string]any{"value": "89.00", "currency": "CNY"}}),
		ev("e-deliver-o3", "order.delivered", t0.Add(51*time.Hour), "order", map[string]any{"id": "o3"}),
		ev("e-fb-f3", "feedback.left", t0.Add(60*time.Hour), "feedback", map[string]any{
			"id": "f3", "order": "o3", "buyer": "b2", "seller": "s3", "rating": "positive", "stars": 5, "text": "很好，谢谢"}),
	)
	return lines
}

func writeFile(t *testing.T, name string, lines []string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return rows
}

// byKey indexes CSV rows (after the header) by their first column, as
// maps from column name to value.
func byKey(t *testing.T, rows [][]string) map[string]map[string]string {
	t.Helper()
	out := map[string]map[string]string{}
	for _, r := range rows[1:] {
		m := map[string]string{}
		for i, h := range rows[0] {
			m[h] = r[i]
		}
		if _, dup := out[r[0]]; dup {
			t.Errorf("row for %s appears twice", r[0])
		}
		out[r[0]] = m
	}
	return out
}

// ---- replay -----------------------------------------------------------

var csvHeaders = map[string][]string{
	"accounts.csv": {"account", "role", "risk", "flagged", "first_flagged_at", "reasons"},
	"feedback.csv": {"feedback", "seller", "buyer", "rating", "held", "counted", "reason"},
	"sellers.csv":  {"seller", "score_raw", "score_protected", "negatives_raw", "negatives_counted"},
}

func TestReplayStory(t *testing.T) {
	in := writeFile(t, "story.ndjson", story())
	out := t.TempDir()
	mustRun(t, "", "replay", "--in", in, "--out", out)

	tables := map[string]map[string]map[string]string{}
	for name, header := range csvHeaders {
		rows := readCSV(t, filepath.Join(out, name))
		if len(rows) == 0 || !slices.Equal(rows[0], header) {
			t.Fatalf("%s header: got %q, want %q", name, rows[0], header)
		}
		tables[name] = byKey(t, rows)
	}

	accounts := tables["accounts.csv"]
	if got := len(accounts); got != 5 {
		t.Errorf("accounts.csv: got %d rows, want 5 (b1 b2 s1 s2 s3)", got)
	}
	for id, a := range accounts {
		risk, err := strconv.ParseFloat(a["risk"], 64)
		if err != nil || risk < 0 || risk > 1 {
			t.Errorf("accounts.csv %s: risk %q is not a number in 0..1", id, a["risk"])
		}
		if a["flagged"] != "true" && a["flagged"] != "false" {
			t.Errorf("accounts.csv %s: flagged %q, want true or false", id, a["flagged"])
		}
		if a["flagged"] == "true" {
			at, err := time.Parse(time.RFC3339, a["first_flagged_at"])
			if err != nil || at.Before(t0) || at.After(t0.Add(72*time.Hour)) {
				t.Errorf("accounts.csv %s: first_flagged_at %q, want an RFC 3339 event time of the story", id, a["first_flagged_at"])
			}
		}
	}
	b1 := accounts["b1"]
	if b1["role"] != "buyer" || b1["flagged"] != "true" || b1["reasons"] == "" {
		t.Errorf("accounts.csv b1: got %v, want a flagged buyer with reasons", b1)
	}
	for _, id := range []string{"b2", "s1", "s2", "s3"} {
		a := accounts[id]
		if a["flagged"] != "false" || a["first_flagged_at"] != "" {
			t.Errorf("accounts.csv %s: got %v, want not flagged, empty first_flagged_at", id, a)
		}
	}
	if accounts["s1"]["role"] != "seller" || accounts["b2"]["role"] != "buyer" {
		t.Errorf("accounts.csv roles: s1 %q, b2 %q", accounts["s1"]["role"], accounts["b2"]["role"])
	}

	fb := tables["feedback.csv"]
	want := map[string][]string{ // seller, buyer, rating, held, counted
		"f1": {"s1", "b1", "negative", "true", "false"},
		"f2": {"s2", "b1", "negative", "true", "false"},
		"f3": {"s3", "b2", "positive", "false", "true"},
	}
	if len(fb) != len(want) {
		t.Errorf("feedback.csv: got %d rows, want %d", len(fb), len(want))
	}
	for id, w := range want {
		f := fb[id]
		got := []string{f["seller"], f["buyer"], f["rating"], f["held"], f["counted"]}
		if !slices.Equal(got, w) {
			t.Errorf("feedback.csv %s: got %q, want %q", id, got, w)
		}
		if f["held"] == "true" && f["reason"] == "" {
			t.Errorf("feedback.csv %s: held without a reason", id)
		}
	}

	sellers := tables["sellers.csv"]
	if len(sellers) != 3 {
		t.Errorf("sellers.csv: got %d rows, want 3", len(sellers))
	}
	for _, id := range []string{"s1", "s2"} {
		s := sellers[id]
		raw, _ := strconv.Atoi(s["score_raw"])
		prot, _ := strconv.Atoi(s["score_protected"])
		if prot <= raw || s["negatives_raw"] != "1" || s["negatives_counted"] != "0" {
			t.Errorf("sellers.csv %s: got %v, want score_protected > score_raw, 1 negative raw, 0 counted", id, s)
		}
	}
	if s := sellers["s3"]; s["score_raw"] != s["score_protected"] || s["negatives_raw"] != "0" {
		t.Errorf("sellers.csv s3: got %v, want equal scores and no negatives", s)
	}
}

func readAll(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for name := range csvHeaders {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		out[name] = b
	}
	return out
}

// simulatedPair writes a small simulated marketplace twice: in engine order,
// and shuffled with duplicates (simulate --shuffle --duplicates).
func simulatedPair(t *testing.T) (ordered, chaos string) {
	t.Helper()
	dir := t.TempDir()
	ordered = filepath.Join(dir, "ordered.ndjson")
	chaos = filepath.Join(dir, "chaos.ndjson")
	sim := []string{"--seed", "5", "--sellers", "15", "--buyers", "150", "--days", "10", "--complainers", "3"}
	mustRun(t, "", append([]string{"simulate", "--out", ordered}, sim...)...)
	mustRun(t, "", append([]string{"simulate", "--out", chaos, "--shuffle", "0.3", "--duplicates", "0.2"}, sim...)...)
	return ordered, chaos
}

// TestReplayOrderAndDuplicatesDoNotMatter: the CSVs of a shuffled,
// duplicated copy of the events are byte-identical to those of the
// ordered events.
func TestReplayOrderAndDuplicatesDoNotMatter(t *testing.T) {
	ordered, chaos := simulatedPair(t)

	orderedLines := strings.Split(strings.TrimSpace(mustRead(t, ordered)), "\n")
	chaosLines := strings.Split(strings.TrimSpace(mustRead(t, chaos)), "\n")
	if len(chaosLines) <= len(orderedLines) || slices.Equal(chaosLines[:len(orderedLines)], orderedLines) {
		t.Fatalf("simulate --shuffle --duplicates: %d lines vs %d ordered; want more lines in another order", len(chaosLines), len(orderedLines))
	}

	// Our own chaos too: the story and the simulated file, shuffled with
	// every fifth line repeated.
	rng := rand.New(rand.NewPCG(1, 2))
	mine := append(slices.Clone(orderedLines), story()...)
	for i := 0; i < len(mine); i += 5 {
		mine = append(mine, mine[i])
	}
	rng.Shuffle(len(mine), func(i, j int) { mine[i], mine[j] = mine[j], mine[i] })
	mineFile := writeFile(t, "mine.ndjson", mine)
	orderedPlusStory := writeFile(t, "ordered-story.ndjson", append(slices.Clone(orderedLines), story()...))

	for _, tc := range []struct{ name, a, b string }{
		{"simulate --shuffle --duplicates", ordered, chaos},
		{"shuffled here", orderedPlusStory, mineFile},
	} {
		t.Run(tc.name, func(t *testing.T) {
			outA, outB := t.TempDir(), t.TempDir()
			mustRun(t, "", "replay", "-q", "--in", tc.a, "--out", outA)
			mustRun(t, "", "replay", "-q", "--in", tc.b, "--out", outB)
			a, b := readAll(t, outA), readAll(t, outB)
			for name := range csvHeaders {
				if !bytes.Equal(a[name], b[name]) {
					t.Errorf("%s differs between ordered and shuffled input:\n%s", name, cmp.Diff(string(a[name]), string(b[name])))
				}
				if bytes.Count(a[name], []byte("\n")) < 2 {
					t.Errorf("%s has no rows:\n%s", name, a[name])
				}
			}
		})
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// ---- import -----------------------------------------------------------

func eventCount(t *testing.T, dir string) int64 {
	t.Helper()
	db, err := store.OpenSQLite(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	n, err := db.EventCount(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestImport(t *testing.T) {
	lines := story()
	t.Run("clean file", func(t *testing.T) {
		data := t.TempDir()
		in := writeFile(t, "story.ndjson", lines)
		r := run(t, "", "import", "--data", data, in)
		if r.code != 0 {
			t.Fatalf("import: got exit %d (%v), want 0; stderr %s", r.code, r.err, r.stderr)
		}
		if !strings.Contains(r.stdout, fmt.Sprintf("%d accepted, 0 duplicates, 0 rejected", len(lines))) {
			t.Errorf("import summary: got %q, want %d accepted", r.stdout, len(lines))
		}
		if n := eventCount(t, data); n != int64(len(lines)) {
			t.Errorf("stored events: got %d, want %d", n, len(lines))
		}
		// Importing again adds nothing and is still a success.
		r = run(t, "", "import", "--data", data, in)
		if r.code != 0 || !strings.Contains(r.stdout, fmt.Sprintf("0 accepted, %d duplicates, 0 rejected", len(lines))) {
			t.Errorf("second import: got exit %d, stdout %q; want 0 and all duplicates", r.code, r.stdout)
		}
		if n := eventCount(t, data); n != int64(len(lines)) {
			t.Errorf("stored events after the second import: got %d, want %d", n, len(lines))
		}
	})
	t.Run("bad lines", func(t *testing.T) {
		data := t.TempDir()
		bad := slices.Clone(lines)
		bad = slices.Insert(bad, 2, `{"id":"e-bad","type":"feedback.left","at":"2026-03-02T10:00:00Z","feedback":{"id":"fx","order":"o1","buyer":"b1","seller":"s1","rating":"awful"}}`)
		bad = slices.Insert(bad, 5, `this is not json`)
		in := writeFile(t, "bad.ndjson", bad)
		r := run(t, "", "import", "--data", data, in)
		if r.code != 1 {
			t.Fatalf("import with bad lines: got exit %d (%v), want 1", r.code, r.err)
		}
		if r.msg == "" || strings.Contains(r.msg, "\n") {
			t.Errorf("import with bad lines: got message %q, want one line", r.msg)
		}
		for _, want := range []string{"line 3 (id e-bad): feedback.rating", "line 6"} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("import stderr: got %q, want it to name %q", r.stderr, want)
			}
		}
		// The valid lines were kept: all of them are there, and a clean
		// import of them adds nothing.
		if n := eventCount(t, data); n != int64(len(lines)) {
			t.Errorf("stored events: got %d, want the %d valid ones", n, len(lines))
		}
		r = run(t, "", "import", "--data", data, writeFile(t, "clean.ndjson", lines))
		if r.code != 0 || !strings.Contains(r.stdout, fmt.Sprintf("0 accepted, %d duplicates", len(lines))) {
			t.Errorf("clean re-import: got exit %d, stdout %q; want all duplicates", r.code, r.stdout)
		}
	})
	t.Run("stdin", func(t *testing.T) {
		data := t.TempDir()
		r := run(t, strings.Join(lines, "\n"), "import", "--data", data, "-")
		if r.code != 0 || eventCount(t, data) != int64(len(lines)) {
			t.Errorf("import from stdin: got exit %d (%v), want 0 and %d events", r.code, r.err, len(lines))
		}
	})
}

// TestImportOverlap: importing with the engine run while the events are
// stored (the default, into an empty store) stores the same decisions,
// evidence records and cases as running it afterwards over the stored log
// (--overlap=false), for a file in engine order with duplicates and for a
// shuffled one (which falls back to the stored log).
func TestImportOverlap(t *testing.T) {
	ordered, chaos := simulatedPair(t)
	// The ordered file with every 25th line repeated a little later.
	lines := strings.Split(strings.TrimSpace(mustRead(t, ordered)), "\n")
	var withDups []string
	for i, l := range lines {
		withDups = append(withDups, l)
		if i%25 == 24 {
			withDups = append(withDups, lines[i-3])
		}
	}
	dups := writeFile(t, "dups.ndjson", withDups)
	for _, c := range []struct{ name, file string }{{"ordered with duplicates", dups}, {"shuffled", chaos}} {
		t.Run(c.name, func(t *testing.T) {
			after, during := t.TempDir(), t.TempDir()
			ra := mustRun(t, "", "import", "--batch", "150", "--overlap=false", "--data", after, c.file)
			rd := mustRun(t, "", "import", "--batch", "150", "--data", during, c.file)
			// The same summary but for the times.
			summary := func(s string) string { return s[:strings.Index(s, "; stored in")] }
			if summary(rd.stdout) != summary(ra.stdout) {
				t.Errorf("summary: got %q, want %q", rd.stdout, ra.stdout)
			}
			want, got := importedDigest(t, after), importedDigest(t, during)
			if len(want.decisions) == 0 || len(want.evidence) == 0 || len(want.cases) == 0 {
				t.Fatalf("too quiet to compare: %d decisions, %d evidence records, %d cases", len(want.decisions), len(want.evidence), len(want.cases))
			}
			for _, x := range []struct {
				what      string
				got, want []string
			}{{"decisions", got.decisions, want.decisions}, {"evidence records", got.evidence, want.evidence}, {"cases", got.cases, want.cases}} {
				if !slices.Equal(x.got, x.want) {
					t.Errorf("%s differ: got %d, want %d\n%s", x.what, len(x.got), len(x.want), firstDiff(x.got, x.want))
				}
			}
		})
	}
}

type digest struct{ decisions, evidence, cases []string }

// importedDigest reads what an import stored in dir: every decision, the
// evidence log's records in order (without the times they were logged,
// and case events without their time and content, which hold the time
// the case was decided), the cases with their victims (without times).
func importedDigest(t *testing.T, dir string) digest {
	t.Helper()
	ctx := context.Background()
	db, err := store.OpenSQLite(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var d digest
	ds, err := db.Decisions(ctx, store.DecisionFilter{Limit: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range ds {
		d.decisions = append(d.decisions, x.Key+" "+string(x.Body))
	}
	slices.Sort(d.decisions)
	size, err := db.Evidence().Size(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range size {
		r, err := db.Evidence().Record(ctx, i)
		if err != nil {
			t.Fatal(err)
		}
		s := fmt.Sprintf("%d %s %s %v", r.Index, r.Kind, r.Ref, r.Scopes)
		if r.Kind != "case_event" {
			s += " " + r.At.Format(time.RFC3339Nano) + " " + string(r.Content)
		}
		d.evidence = append(d.evidence, s)
	}
	cs, err := db.Cases(ctx, store.CaseFilter{Limit: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		s := fmt.Sprintf("%s %s %s %d", c.ID, c.Accused, c.Status, c.Seq)
		for _, v := range c.Victims {
			s += fmt.Sprintf(" %s%v", v.Seller, v.Feedback)
		}
		d.cases = append(d.cases, s)
	}
	return d
}

func firstDiff(got, want []string) string {
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			return fmt.Sprintf("#%d got:  %.300s\n#%d want: %.300s", i, got[i], i, want[i])
		}
	}
	return "one is a prefix of the other"
}

// ---- scan -------------------------------------------------------------

type scanOut struct {
	ID       *string `json:"id"`
	Contacts []struct {
		Kind  string `json:"kind"`
		Value string `json:"value"`
		Start int    `json:"start"`
		End   int    `json:"end"`
	} `json:"contacts"`
	Extortion     *float64 `json:"extortion"`
	ExtortionFlag *bool    `json:"extortion_flag"`
	Reasons       []string `json:"reasons"`
	Error         string   `json:"error"`
}

func TestScan(t *testing.T) {
	m2 := "加我微信 abc_123456 或者打 13812345678，邮箱 Foo@Example.com 看 https://www.T.cn/abc123"
	texts := map[string]string{"m1": qqText, "m2": m2, "m3": "东西很好，谢谢"}
	input := strings.Join([]string{
		`{"id":"m1","text":` + strconv.Quote(qqText) + `}`,
		`not json at all`,
		`{"id":"m2","text":` + strconv.Quote(m2) + `}`,
		`{"id":"m3","text":"东西很好，谢谢"}`,
		`{"id":"m4","text":`,
		`{"id":"m5","text":"加我扣扣 385721906 不然不删"}`,
	}, "\n") + "\n"

	check := func(t *testing.T, out string) {
		t.Helper()
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		if len(lines) != 6 {
			t.Fatalf("got %d output lines, want 6 (one per input line):\n%s", len(lines), out)
		}
		res := make([]scanOut, len(lines))
		for i, l := range lines {
			if err := json.Unmarshal([]byte(l), &res[i]); err != nil {
				t.Fatalf("output line %d is not JSON: %q", i+1, l)
			}
		}
		// Invalid lines: id null and an error; the next lines still run.
		for _, i := range []int{1, 4} {
			if res[i].ID != nil || res[i].Error == "" || !strings.HasPrefix(lines[i], `{"id":null,`) {
				t.Errorf("output line %d: got %s, want {\"id\":null,\"error\":...}", i+1, lines[i])
			}
		}
		wantIDs := map[int]string{0: "m1", 2: "m2", 3: "m3", 5: "m5"}
		for i, id := range wantIDs {
			r := res[i]
			if r.ID == nil || *r.ID != id || r.Error != "" || r.Extortion == nil || r.ExtortionFlag == nil || r.Contacts == nil || r.Reasons == nil {
				t.Errorf("output line %d: got %s, want id %s with contacts, extortion, extortion_flag, reasons", i+1, lines[i], id)
				continue
			}
			if *r.Extortion < 0 || *r.Extortion > 1 {
				t.Errorf("%s: extortion %v outside 0..1", id, *r.Extortion)
			}
			for _, c := range r.Contacts {
				text := texts[id]
				if id == "m5" {
					text = "加我扣扣 385721906 不然不删"
				}
				if c.Start < 0 || c.End > len(text) || c.Start >= c.End || !utf8.ValidString(text[c.Start:c.End]) {
					t.Errorf("%s: contact %+v: offsets are not a byte span of the text", id, c)
				}
			}
		}
		// m1: the spaced QQ number, its byte span covering the digits.
		if r := res[0]; len(r.Contacts) != 1 || r.Contacts[0].Kind != "qq" || r.Contacts[0].Value != "385721906" {
			t.Errorf("m1 contacts: got %+v, want one qq 385721906", r.Contacts)
		} else {
			c := r.Contacts[0]
			start := strings.Index(qqText, "3 8 5")
			if c.Start != start || c.End != len(qqText) {
				t.Errorf("m1 qq offsets: got %d..%d (%q), want %d..%d (%q)", c.Start, c.End, qqText[c.Start:c.End], start, len(qqText), qqText[start:])
			}
			if !*r.ExtortionFlag || !slices.Contains(r.Reasons, "off-platform contact: qq") {
				t.Errorf("m1: got flag %v reasons %q, want flagged with an off-platform reason", *r.ExtortionFlag, r.Reasons)
			}
		}
		// m2: every kind normalised as cli.md says.
		var got []string
		for _, c := range res[2].Contacts {
			got = append(got, c.Kind+" "+c.Value+" "+m2[c.Start:c.End])
		}
		want := []string{
			"wechat abc_123456 abc_123456",
			"phone +8613812345678 13812345678",
			"email foo@example.com Foo@Example.com",
			"url t.cn/abc123 https://www.T.cn/abc123",
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("m2 contacts (kind value span) (-want +got):\n%s", diff)
		}
		if r := res[3]; len(r.Contacts) != 0 || *r.ExtortionFlag || len(r.Reasons) != 0 {
			t.Errorf("m3 (a thank-you): got %s, want nothing found", lines[3])
		}
		if c := res[5].Contacts; len(c) != 1 || c[0].Kind != "qq" || c[0].Value != "385721906" || c[0].Start != len("加我扣扣 ") {
			t.Errorf("m5 contacts: got %+v, want qq 385721906 at byte %d", c, len("加我扣扣 "))
		}
	}

	t.Run("stdin to stdout", func(t *testing.T) {
		r := mustRun(t, input, "scan")
		check(t, r.stdout)
	})
	t.Run("files", func(t *testing.T) {
		dir := t.TempDir()
		in, out := filepath.Join(dir, "in.jsonl"), filepath.Join(dir, "out.jsonl")
		if err := os.WriteFile(in, []byte(input), 0o600); err != nil {
			t.Fatal(err)
		}
		r := mustRun(t, "", "scan", "--in", in, "--out", out)
		if r.stdout != "" {
			t.Errorf("scan --out FILE wrote to stdout: %q", r.stdout)
		}
		check(t, mustRead(t, out))
	})
}

// ---- evidence export and verify ---------------------------------------

var okLine = regexp.MustCompile(`^ok: (\d+) records, checkpoint (\d+) ([A-Za-z0-9+/=]+)\n$`)

func TestExportAndVerify(t *testing.T) {
	data := t.TempDir()
	lines := append(story(), ev("e-msg-m9", "message.sent", t0.Add(24*time.Hour+3*time.Hour), "message", map[string]any{
		"id": "m9", "conversation": "c1", "order": "o1", "from": "s1", "to": "b1", "text": "请在平台上沟通"}))
	mustRun(t, "", "import", "--data", data, writeFile(t, "story.ndjson", lines))
	bundle := filepath.Join(t.TempDir(), "c1.json")
	mustRun(t, "", "evidence", "export", "--data", data, "--conversation", "c1", "--out", bundle)

	r := mustRun(t, "", "verify", bundle)
	m := okLine.FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("verify: got %q, want \"ok: N records, checkpoint SIZE HASH\"", r.stdout)
	}
	raw, err := os.ReadFile(bundle)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := evidence.Verify(raw, "")
	if err != nil {
		t.Fatal(err)
	}
	if m[1] != "2" || m[2] != strconv.FormatInt(sum.Size, 10) || m[3] != base64.StdEncoding.EncodeToString(sum.Root[:]) {
		t.Errorf("verify: got %q, want 2 records (m1, m9) at checkpoint %d %x", r.stdout, sum.Size, sum.Root)
	}
	// The log holds the story's messages m1, m2 and m9 and the events of
	// the case b1's flag opened.
	db, err := store.OpenSQLite(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	caseEvents, err := db.Evidence().RecordsByKind(context.Background(), "case_event")
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(caseEvents) == 0 || sum.Size != int64(3+len(caseEvents)) {
		t.Errorf("checkpoint size: got %d, want 3 messages + %d case events", sum.Size, len(caseEvents))
	}

	// Pinning the log's own key passes; another key fails.
	pub := filepath.Join(data, "keys", evidence.PublicKeyFile)
	if r := run(t, "", "verify", "--key", pub, bundle); r.code != 0 {
		t.Errorf("verify --key (the log's key): got exit %d %q", r.code, r.msg)
	}
	other, _, err := evidence.GenerateSigner(nil, "fairmark.local/evidence")
	if err != nil {
		t.Fatal(err)
	}
	otherKey := filepath.Join(t.TempDir(), "other.pub")
	os.WriteFile(otherKey, []byte(other.VerifierKey()+"\n"), 0o600)
	if r := run(t, "", "verify", "--key", otherKey, bundle); r.code != 1 {
		t.Errorf("verify --key (another key): got exit %d, want 1", r.code)
	}

	// Tamper: change one record's content (the message text).
	tamper := func(t *testing.T, edit func(b map[string]any)) string {
		t.Helper()
		var b map[string]any
		if err := json.Unmarshal(raw, &b); err != nil {
			t.Fatal(err)
		}
		edit(b)
		out, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(t.TempDir(), "tampered.json")
		if err := os.WriteFile(p, out, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	record := func(b map[string]any, i int) map[string]any { return b["records"].([]any)[i].(map[string]any) }
	tests := []struct {
		name string
		edit func(b map[string]any)
		want string // the failure message names this
	}{
		{"content edited", func(b map[string]any) {
			rec := record(b, 1)
			c, _ := base64.StdEncoding.DecodeString(rec["content"].(string))
			c = bytes.Replace(c, []byte("请在平台上沟通"), []byte("好的我付钱吧"), 1)
			rec["content"] = base64.StdEncoding.EncodeToString(c)
		}, "record 2"},
		{"content and its hash edited", func(b map[string]any) {
			rec := record(b, 0)
			c, _ := base64.StdEncoding.DecodeString(rec["content"].(string))
			c = bytes.Replace(c, []byte("3 8 5"), []byte("3 8 6"), 1)
			rec["content"] = base64.StdEncoding.EncodeToString(c)
			rec["content_sha256"] = fmt.Sprintf("%x", sha256Sum(c))
		}, "record 1"},
		{"record dropped", func(b map[string]any) {
			b["records"] = b["records"].([]any)[:1]
		}, "manifest"},
		{"checkpoint signature", func(b map[string]any) {
			cp := b["checkpoint"].(string)
			b["checkpoint"] = strings.Replace(cp, "\n\n", "\n\nx", 1)
		}, "checkpoint"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tamper(t, tt.edit)
			r := run(t, "", "verify", p)
			if r.code != 1 {
				t.Fatalf("verify of a tampered bundle: got exit %d, stdout %q, want 1", r.code, r.stdout)
			}
			if !strings.Contains(r.msg, tt.want) || strings.Contains(r.msg, "\n") {
				t.Errorf("verify failure: got %q, want one line naming %q", r.msg, tt.want)
			}
			if strings.HasPrefix(r.stdout, "ok") {
				t.Errorf("verify printed %q for a tampered bundle", r.stdout)
			}
		})
	}
}

// ---- graph ------------------------------------------------------------

func TestGraph(t *testing.T) {
	in := writeFile(t, "ratings.csv", []string{
		"1,2,5,1700000000",
		"2,3,-5,1700000100.5",
		"3,1,10,1700000200",
		"4,1,-10,1700000300",
		"4,2,-10,1700000400",
		"5,2,9,1700000500",
	})
	out := filepath.Join(t.TempDir(), "scores.csv")
	mustRun(t, "", "graph", "--in", in, "--out", out)
	rows := readCSV(t, out)
	if len(rows) == 0 || !slices.Equal(rows[0], []string{"node", "fairness", "goodness", "risk"}) {
		t.Fatalf("graph header: got %q, want node,fairness,goodness,risk", rows)
	}
	var nodes []string
	for _, r := range rows[1:] {
		nodes = append(nodes, r[0])
		f, err1 := strconv.ParseFloat(r[1], 64)
		g, err2 := strconv.ParseFloat(r[2], 64)
		k, err3 := strconv.ParseFloat(r[3], 64)
		if err1 != nil || err2 != nil || err3 != nil || f < 0 || f > 1 || g < -1 || g > 1 || k < 0 || k > 1 {
			t.Errorf("graph row %q: want fairness 0..1, goodness -1..1, risk 0..1", r)
		}
	}
	slices.Sort(nodes)
	if want := []string{"1", "2", "3", "4", "5"}; !slices.Equal(nodes, want) {
		t.Errorf("graph nodes: got %q, want one row each for %q", nodes, want)
	}
	// --algo rev2 honours the same contract.
	mustRun(t, "", "graph", "--in", in, "--out", out, "--algo", "rev2")
	if rows := readCSV(t, out); len(rows) != 6 {
		t.Errorf("graph --algo rev2: got %d rows, want header + 5", len(rows))
	}
}

// ---- bad input --------------------------------------------------------

func TestBadInvocations(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage")
	os.WriteFile(garbage, []byte("not a bundle\n"), 0o600)
	badCSV := filepath.Join(dir, "bad.csv")
	os.WriteFile(badCSV, []byte("a,b\n1,2,x,y\n"), 0o600)
	events := writeFile(t, "ev.ndjson", story())
	data := t.TempDir()
	tests := [][]string{
		{},
		{"frobnicate"},
		{"--data", dir},
		{"replay"},
		{"replay", "--in", events},
		{"replay", "--out", dir},
		{"replay", "--bogus"},
		{"replay", "--in", filepath.Join(dir, "missing.ndjson"), "--out", dir},
		{"import"},
		{"import", "--data", data},
		{"import", "--data", data, filepath.Join(dir, "missing.ndjson")},
		{"import", "--data", data, events, events},
		{"import", "--batch", "x", events},
		{"scan", "--in", filepath.Join(dir, "missing.jsonl")},
		{"scan", "extra", "--nope"},
		{"scan", filepath.Join(dir, "in.jsonl")},
		{"replay", "--in", events, "--out", dir, "extra"},
		{"graph", "--in", badCSV, "--out", filepath.Join(dir, "o.csv"), "extra"},
		{"simulate", "--out", filepath.Join(dir, "s.ndjson"), "extra"},
		{"graph"},
		{"graph", "--in", badCSV},
		{"graph", "--in", badCSV, "--out", filepath.Join(dir, "o.csv")},
		{"graph", "--in", events, "--out", filepath.Join(dir, "o.csv"), "--algo", "pagerank"},
		{"graph", "--in", filepath.Join(dir, "missing.csv"), "--out", filepath.Join(dir, "o.csv")},
		{"verify"},
		{"verify", filepath.Join(dir, "missing.json")},
		{"verify", garbage},
		{"verify", "--key", filepath.Join(dir, "missing.pub"), garbage},
		{"evidence"},
		{"evidence", "import"},
		{"evidence", "export"},
		{"evidence", "export", "--data", data, "--out", filepath.Join(dir, "b.json")},
		{"evidence", "export", "--data", data, "--conversation", "c1"},
		{"evidence", "export", "--data", data, "--conversation", "c1", "--order", "o1", "--out", filepath.Join(dir, "b.json")},
		{"evidence", "export", "--data", filepath.Join(dir, "no-such-data"), "--conversation", "c1", "--out", filepath.Join(dir, "b.json")},
		{"simulate"},
		{"simulate", "--out", filepath.Join(dir, "s.ndjson"), "--tactic", "nonsense"},
		{"simulate", "--out", filepath.Join(dir, "s.ndjson"), "--sellers", "many"},
		{"serve", "--data", data, "--addr", "not an address"},
		{"serve", "--data", data, "--log-level", "loud"},
		{"eval"},
		{"rules"},
		{"rules", "frobnicate"},
	}
	for _, args := range tests {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			r := run(t, "", args...)
			if r.err == nil || r.code == 0 {
				t.Fatalf("got exit %d (err %v), want a non-zero exit", r.code, r.err)
			}
			if r.msg == "" || strings.Contains(r.msg, "\n") || len(r.msg) > 300 {
				t.Errorf("got message %q, want one clear line", r.msg)
			}
			if strings.Contains(r.stderr, "panic") || strings.Contains(r.stderr, "goroutine ") {
				t.Errorf("stderr looks like a crash: %s", r.stderr)
			}
		})
	}
	// -h is not an error.
	for _, args := range [][]string{{"help"}, {"replay", "-h"}, {"scan", "-h"}} {
		if r := run(t, "", args...); r.code != 0 {
			t.Errorf("fairmark %q: got exit %d, want 0", args, r.code)
		}
	}
}

func sha256Sum(b []byte) []byte {
	h := sha256.Sum256(b)
	return h[:]
}

// TestReplayDecisions: --decisions writes every decision as NDJSON, and
// the CSVs are those of a replay without it. In the story, b1's flag and
// the holds of f1 and f2 are there, and nothing about b2.
func TestReplayDecisions(t *testing.T) {
	in := writeFile(t, "story.ndjson", story())
	plain, withDec := t.TempDir(), t.TempDir()
	decPath := filepath.Join(t.TempDir(), "decisions.ndjson")
	mustRun(t, "", "replay", "--in", in, "--out", plain)
	mustRun(t, "", "replay", "--in", in, "--out", withDec, "--decisions", decPath)
	a, b := readAll(t, plain), readAll(t, withDec)
	for name := range a {
		if !bytes.Equal(a[name], b[name]) {
			t.Errorf("%s differs with --decisions", name)
		}
	}
	raw, err := os.ReadFile(decPath)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for i, line := range bytes.Split(bytes.TrimSpace(raw), []byte("\n")) {
		var d struct {
			Kind     string `json:"kind"`
			Account  string `json:"account"`
			Feedback string `json:"feedback"`
			Event    string `json:"event"`
			Reason   string `json:"reason"`
		}
		if err := json.Unmarshal(line, &d); err != nil {
			t.Fatalf("line %d: %v: %s", i+1, err, line)
		}
		if d.Kind == "" || d.Event == "" {
			t.Errorf("line %d: no kind or event: %s", i+1, line)
		}
		if d.Account == "b2" {
			t.Errorf("line %d: a decision about the honest buyer b2: %s", i+1, line)
		}
		subject := d.Account
		if d.Feedback != "" {
			subject = d.Feedback
		}
		seen[d.Kind+" "+subject] = true
	}
	for _, want := range []string{"flag_account b1", "hold_feedback f1", "hold_feedback f2"} {
		if !seen[want] {
			t.Errorf("no %s decision in %s", want, raw)
		}
	}
}
