package sim

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"flag"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/event"
)

var seed = flag.Int64("seed", 7, "simulation seed for the pattern tests")

func small(t Tactic) Config {
	return Config{Seed: *seed, Sellers: 120, Buyers: 2000, Days: 30, Complainers: 12, Tactic: t}
}

func generate(t testing.TB, cfg Config) ([]byte, Labels) {
	t.Helper()
	var buf bytes.Buffer
	l, err := Generate(cfg, &buf)
	if err != nil {
		t.Fatalf("Generate(%+v): %v", cfg, err)
	}
	return buf.Bytes(), l
}

func lines(b []byte) [][]byte {
	b = bytes.TrimSuffix(b, []byte("\n"))
	if len(b) == 0 {
		return nil
	}
	return bytes.Split(b, []byte("\n"))
}

// decodeAll decodes every line with event.Decode, failing on the first bad one.
func decodeAll(t *testing.T, b []byte) []*fairmark.Event {
	t.Helper()
	var evs []*fairmark.Event
	for i, ln := range lines(b) {
		e, err := event.Decode(ln)
		if err != nil {
			t.Fatalf("line %d does not decode: %v\n%s", i+1, err, ln)
		}
		evs = append(evs, e)
	}
	return evs
}

func TestDeterministic(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"mixed", small(Mixed)},
		{"chaos", Config{Seed: 3, Sellers: 50, Buyers: 800, Days: 20, Complainers: 5, Shuffle: 0.2, Duplicates: 0.1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, la := generate(t, tc.cfg)
			b, lb := generate(t, tc.cfg)
			if !bytes.Equal(a, b) {
				t.Fatalf("two runs of the same config differ (%d vs %d bytes)", len(a), len(b))
			}
			var ca, cb bytes.Buffer
			if err := WriteLabels(&ca, la); err != nil {
				t.Fatal(err)
			}
			if err := WriteLabels(&cb, lb); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(ca.Bytes(), cb.Bytes()) {
				t.Fatalf("labels differ between two runs")
			}
			other := tc.cfg
			other.Seed++
			c, _ := generate(t, other)
			if bytes.Equal(a, c) {
				t.Fatalf("seeds %d and %d gave the same output", tc.cfg.Seed, other.Seed)
			}
		})
	}
}

// TestContract checks every tactic's output against the event contract and
// the simulation's own invariants: unique ascending ids in time order,
// accounts opened before they act, references to earlier orders and
// feedback, one role per account.
func TestContract(t *testing.T) {
	for _, tac := range Tactics {
		t.Run(string(tac), func(t *testing.T) {
			cfg := small(tac)
			out, labels := generate(t, cfg)
			evs := decodeAll(t, out)
			if len(evs) < 5000 {
				t.Fatalf("got %d events, want at least 5000", len(evs))
			}
			role := map[fairmark.AccountID]fairmark.Role{}
			orders := map[fairmark.OrderID]*fairmark.Order{}
			fbs := map[fairmark.FeedbackID]bool{}
			ids := map[fairmark.EventID]bool{}
			types := map[fairmark.EventType]int{}
			opened := func(id fairmark.AccountID, want fairmark.Role, at int) {
				if r, ok := role[id]; !ok || r != want {
					t.Fatalf("event %d: account %s used as %s, opened as %q", at, id, want, r)
				}
			}
			for i, e := range evs {
				types[e.Type]++
				if ids[e.ID] {
					t.Fatalf("event %d: duplicate id %s", i, e.ID)
				}
				ids[e.ID] = true
				if i > 0 && !fairmark.Less(evs[i-1], e) {
					t.Fatalf("event %d (%s %s) is not after event %d (%s %s)", i, e.ID, e.At, i-1, evs[i-1].ID, evs[i-1].At)
				}
				end := cfg.Start
				if end.IsZero() {
					end = DefaultStart
				}
				if !e.At.Before(end.AddDate(0, 0, cfg.Days)) {
					t.Fatalf("event %s at %s is after the window", e.ID, e.At)
				}
				switch e.Type {
				case fairmark.AccountOpened:
					if _, ok := role[e.Account.ID]; ok {
						t.Fatalf("account %s opened twice", e.Account.ID)
					}
					role[e.Account.ID] = e.Account.Role
					if labels[e.Account.ID] == "" {
						t.Fatalf("account %s has no label", e.Account.ID)
					}
				case fairmark.OrderPlaced:
					opened(e.Order.Buyer, fairmark.Buyer, i)
					opened(e.Order.Seller, fairmark.Seller, i)
					if orders[e.Order.ID] != nil {
						t.Fatalf("order %s placed twice", e.Order.ID)
					}
					orders[e.Order.ID] = e.Order
					if e.Order.Amount.Value <= 0 || e.Order.Amount.Currency != "CNY" {
						t.Fatalf("order %s amount %v", e.Order.ID, e.Order.Amount)
					}
				case fairmark.OrderDelivered, fairmark.OrderRefunded:
					if orders[e.Order.ID] == nil {
						t.Fatalf("%s of unknown order %s", e.Type, e.Order.ID)
					}
				case fairmark.FeedbackLeft:
					o := orders[e.Feedback.Order]
					if o == nil || o.Buyer != e.Feedback.Buyer || o.Seller != e.Feedback.Seller {
						t.Fatalf("feedback %s does not match its order %s", e.Feedback.ID, e.Feedback.Order)
					}
					if fbs[e.Feedback.ID] {
						t.Fatalf("feedback %s left twice", e.Feedback.ID)
					}
					fbs[e.Feedback.ID] = true
				case fairmark.FeedbackRevised, fairmark.FeedbackWithdrawn:
					if !fbs[e.Feedback.ID] {
						t.Fatalf("%s of unknown feedback %s", e.Type, e.Feedback.ID)
					}
				case fairmark.MessageSent:
					m := e.Message
					if role[m.From] == "" || role[m.To] == "" || role[m.From] == role[m.To] {
						t.Fatalf("message %s from %s to %s", m.ID, m.From, m.To)
					}
					if o := orders[m.Order]; o == nil || (m.From != o.Buyer && m.From != o.Seller) {
						t.Fatalf("message %s about order %s not between its parties", m.ID, m.Order)
					}
				case fairmark.ReportFiled:
					if role[e.Report.Reporter] == "" || role[e.Report.Accused] == "" {
						t.Fatalf("report %s between unknown accounts", e.Report.ID)
					}
				}
			}
			for _, typ := range fairmark.EventTypes {
				// Reviewers' decisions come from cases, not from the marketplace.
				if typ == fairmark.ModerationAction {
					if types[typ] != 0 {
						t.Fatalf("the simulator made %d moderation.action events", types[typ])
					}
					continue
				}
				if types[typ] == 0 {
					t.Fatalf("no %s events in %d", typ, len(evs))
				}
			}
			if got := len(labels); got != len(role) {
				t.Fatalf("got %d labels, want %d (one per account)", got, len(role))
			}
		})
	}
}

func TestLabels(t *testing.T) {
	for _, tc := range []struct {
		tactic Tactic
		want   int // extortionists
	}{
		{Classic, 12}, {Mixed, 12}, {Sybil, 12}, {Traps, 0},
	} {
		_, l := generate(t, small(tc.tactic))
		c := l.Count()
		if c[LabelExtortionist] != tc.want {
			t.Fatalf("%s: got %d extortionists, want %d", tc.tactic, c[LabelExtortionist], tc.want)
		}
		if c[LabelSeller]+c[LabelBadSeller] != 120 || c[LabelBadSeller] == 0 {
			t.Fatalf("%s: sellers %v", tc.tactic, c)
		}
		if c[LabelHonestCritic] == 0 || c[LabelHarshReviewer] == 0 || c[LabelHonest] == 0 {
			t.Fatalf("%s: buyers %v", tc.tactic, c)
		}
		// the ids do not give the extortionists away: they are spread
		// among the buyer ids, not the last ones
		var xs, others []string
		for id, lab := range l {
			if strings.HasPrefix(string(id), "s") {
				continue
			}
			if lab == LabelExtortionist {
				xs = append(xs, string(id))
			} else {
				others = append(others, string(id))
			}
		}
		if len(xs) > 0 && slices.Min(xs) > slices.Max(others) {
			t.Fatalf("%s: extortionist ids %v all above the others", tc.tactic, xs)
		}
	}
}

func TestWriteLabels(t *testing.T) {
	l := Labels{"b00002": LabelExtortionist, "s0001": LabelSeller, "b00001": LabelHonest}
	var buf bytes.Buffer
	if err := WriteLabels(&buf, l); err != nil {
		t.Fatal(err)
	}
	want := "account,label\nb00001,honest\nb00002,extortionist\ns0001,seller\n"
	if got := buf.String(); got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil || len(recs) != 4 {
		t.Fatalf("got %d records, %v; want 4", len(recs), err)
	}
}

func TestEventsMatchesGenerate(t *testing.T) {
	cfg := Config{Seed: 11, Sellers: 40, Buyers: 600, Days: 14, Complainers: 5, Duplicates: 0.05, Shuffle: 0.05}
	out, l1 := generate(t, cfg)
	evs, l2, err := Events(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	for _, e := range evs {
		b, err := event.Encode(e)
		if err != nil {
			t.Fatal(err)
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	if !bytes.Equal(buf.Bytes(), out) {
		t.Fatalf("Events and Generate differ (%d vs %d bytes)", buf.Len(), len(out))
	}
	if len(l1) != len(l2) {
		t.Fatalf("labels: got %d, want %d", len(l2), len(l1))
	}
}

func TestChaos(t *testing.T) {
	base := Config{Seed: 5, Sellers: 60, Buyers: 1000, Days: 20, Complainers: 6}
	ordered, _ := generate(t, base)
	chaotic := base
	chaotic.Shuffle, chaotic.Duplicates = 0.1, 0.05
	mixed, _ := generate(t, chaotic)

	want := lines(ordered)
	got := lines(mixed)
	seen := map[string]int{}
	for _, ln := range got {
		seen[string(ln)]++
	}
	if len(seen) != len(want) {
		t.Fatalf("got %d unique events, want %d", len(seen), len(want))
	}
	for _, ln := range want {
		if seen[string(ln)] == 0 {
			t.Fatalf("event missing from the chaotic run: %s", ln)
		}
	}
	dups := len(got) - len(want)
	if lo, hi := len(want)/40, len(want)/10; dups < lo || dups > hi {
		t.Fatalf("got %d duplicates of %d events, want about 5%% (%d..%d)", dups, len(want), lo, hi)
	}
	// out of order: an event after one that follows it
	var last *fairmark.Event
	inversions := 0
	for _, ln := range got {
		e, err := event.Decode(ln)
		if err != nil {
			t.Fatal(err)
		}
		if last != nil && fairmark.Less(e, last) {
			inversions++
		}
		last = e
	}
	if lo := len(want) / 20; inversions < lo {
		t.Fatalf("got %d inversions, want at least %d", inversions, lo)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, cfg := range []Config{
		{Shuffle: 1.5},
		{Duplicates: -0.1},
		{Tactic: "nope"},
		{Days: -1},
		{Days: 5000},
		{Complainers: -1},
	} {
		_, err := Generate(cfg, io.Discard)
		if fairmark.ErrorCode(err) != fairmark.EINVALID {
			t.Fatalf("Generate(%+v): got %v, want an invalid error", cfg, err)
		}
	}
}

type failWriter struct{ n int }

func (w *failWriter) Write(p []byte) (int, error) {
	if w.n--; w.n < 0 {
		return 0, io.ErrClosedPipe
	}
	return len(p), nil
}

func TestWriteError(t *testing.T) {
	_, err := Generate(small(Mixed), bufio.NewWriterSize(&failWriter{n: 1}, 16))
	if err == nil {
		t.Fatalf("got no error from a failing writer")
	}
}

func TestDefaultsScale(t *testing.T) {
	if testing.Short() {
		t.Skip("default size")
	}
	out, l := generate(t, DefaultConfig())
	n := bytes.Count(out, []byte("\n"))
	if n < 15000 || n > 40000 {
		t.Fatalf("default config: %d events, want 15,000..40,000", n)
	}
	if c := l.Count()[LabelExtortionist]; c != 20 {
		t.Fatalf("default config: %d extortionists, want 20", c)
	}

}

// TestTiny runs every tactic on the smallest marketplaces: it must not
// fail or emit an invalid event when there is hardly anyone to trade with.
func TestTiny(t *testing.T) {
	for _, tac := range Tactics {
		for _, cfg := range []Config{
			{Seed: 1, Sellers: 1, Buyers: 1, Days: 1, Complainers: 1, History: -1, Tactic: tac},
			{Seed: 4, Sellers: 3, Buyers: 10, Days: 2, Tactic: tac},
			{Seed: 2, Sellers: 2, Buyers: 3, Days: 3, Complainers: 2, Tactic: tac},
			{Seed: 3, Sellers: 5, Buyers: 20, Days: 10, Complainers: 7, Tactic: tac, Shuffle: 0.5, Duplicates: 0.5},
		} {
			out, l := generate(t, cfg)
			evs := decodeAll(t, out)
			if len(evs) < cfg.Sellers+cfg.Buyers {
				t.Fatalf("%+v: got %d events, want at least the account openings", cfg, len(evs))
			}
			if want := cfg.Sellers + cfg.Buyers + cfg.Complainers; len(l) != want {
				t.Fatalf("%+v: got %d labels, want %d", cfg, len(l), want)
			}
		}
	}
}
