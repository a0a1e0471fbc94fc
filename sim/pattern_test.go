package sim

import (
	"slices"
	"testing"
	"time"

	"github.com/fairmark/fairmark"
)

// world is what a test can see of a simulated marketplace: only the
// events, analysed the way an investigator would.
type world struct {
	opened    map[fairmark.AccountID]time.Time
	links     map[fairmark.AccountID]fairmark.Links
	orders    map[fairmark.OrderID]*fairmark.Order
	placed    map[fairmark.OrderID]time.Time
	delivered map[fairmark.OrderID]time.Time
	refunded  map[fairmark.OrderID]time.Time
	left      map[fairmark.FeedbackID]*fairmark.Event
	undone    map[fairmark.FeedbackID]*fairmark.Event // withdrawn or revised to positive
	byBuyer   map[fairmark.AccountID][]*fairmark.Event
	sent      map[fairmark.AccountID]int
	texts     map[fairmark.AccountID][]string
	sellerMsg map[fairmark.OrderID]time.Time // first message from the seller about an order
	reported  map[fairmark.AccountID]int     // extortion reports against an account
}

func analyse(t *testing.T, cfg Config) (*world, Labels) {
	t.Helper()
	out, labels := generate(t, cfg)
	w := &world{
		opened: map[fairmark.AccountID]time.Time{}, links: map[fairmark.AccountID]fairmark.Links{},
		orders: map[fairmark.OrderID]*fairmark.Order{}, placed: map[fairmark.OrderID]time.Time{},
		delivered: map[fairmark.OrderID]time.Time{}, refunded: map[fairmark.OrderID]time.Time{},
		left: map[fairmark.FeedbackID]*fairmark.Event{}, undone: map[fairmark.FeedbackID]*fairmark.Event{},
		byBuyer: map[fairmark.AccountID][]*fairmark.Event{}, sent: map[fairmark.AccountID]int{},
		texts:     map[fairmark.AccountID][]string{},
		sellerMsg: map[fairmark.OrderID]time.Time{}, reported: map[fairmark.AccountID]int{},
	}
	for _, e := range decodeAll(t, out) {
		switch e.Type {
		case fairmark.AccountOpened:
			w.opened[e.Account.ID] = e.At
			if e.Account.Links != nil {
				w.links[e.Account.ID] = *e.Account.Links
			}
		case fairmark.OrderPlaced:
			w.orders[e.Order.ID] = e.Order
			w.placed[e.Order.ID] = e.At
		case fairmark.OrderDelivered:
			w.delivered[e.Order.ID] = e.At
		case fairmark.OrderRefunded:
			w.refunded[e.Order.ID] = e.At
		case fairmark.FeedbackLeft:
			w.left[e.Feedback.ID] = e
			w.byBuyer[e.Feedback.Buyer] = append(w.byBuyer[e.Feedback.Buyer], e)
		case fairmark.FeedbackWithdrawn:
			w.undone[e.Feedback.ID] = e
		case fairmark.FeedbackRevised:
			if e.Feedback.Rating == fairmark.Positive {
				w.undone[e.Feedback.ID] = e
			}
		case fairmark.MessageSent:
			w.sent[e.Message.From]++
			w.texts[e.Message.From] = append(w.texts[e.Message.From], e.Message.Text)
			if o := w.orders[e.Message.Order]; o != nil && o.Seller == e.Message.From {
				if _, ok := w.sellerMsg[o.ID]; !ok {
					w.sellerMsg[o.ID] = e.At
				}
			}
		case fairmark.ReportFiled:
			if e.Report.Kind == fairmark.ReportExtortion {
				w.reported[e.Report.Accused]++
			}
		}
	}
	return w, labels
}

// quickNegatives returns the times of an account's negatives left within
// 30 minutes of the purchase to sellers less than 30 days old.
func (w *world) quickNegatives(id fairmark.AccountID) []time.Time {
	var ts []time.Time
	for _, e := range w.byBuyer[id] {
		f := e.Feedback
		if f.Rating != fairmark.Negative {
			continue
		}
		if e.At.Sub(w.placed[f.Order]) <= 30*time.Minute && e.At.Sub(w.opened[f.Seller]) < 30*24*time.Hour {
			ts = append(ts, e.At)
		}
	}
	return ts
}

func (w *world) undoneCount(id fairmark.AccountID) int {
	n := 0
	for _, e := range w.byBuyer[id] {
		if w.undone[e.Feedback.ID] != nil {
			n++
		}
	}
	return n
}

func (w *world) positiveShare(id fairmark.AccountID) float64 {
	pos := 0
	for _, e := range w.byBuyer[id] {
		if e.Feedback.Rating == fairmark.Positive {
			pos++
		}
	}
	return float64(pos) / float64(len(w.byBuyer[id]))
}

func linked(a, b fairmark.Links) bool {
	return a.Device != "" && a.Device == b.Device || a.IP != "" && a.IP == b.IP ||
		a.Phone != "" && a.Phone == b.Phone || a.Payment != "" && a.Payment == b.Payment
}

func ofLabel(l Labels, label string) []fairmark.AccountID {
	var ids []fairmark.AccountID
	for id, v := range l {
		if v == label {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// maxInWeek is the most times within any 7 days.
func maxInWeek(ts []time.Time) int {
	best := 0
	for i := range ts {
		n := 0
		for j := i; j < len(ts) && ts[j].Sub(ts[i]) < 7*24*time.Hour; j++ {
			n++
		}
		best = max(best, n)
	}
	return best
}

func TestClassicPattern(t *testing.T) {
	w, l := analyse(t, small(Classic))
	xs := ofLabel(l, LabelExtortionist)
	for _, x := range xs {
		q := w.quickNegatives(x)
		if len(q) < 2 {
			t.Fatalf("%s: got %d quick negatives to new sellers, want at least 2", x, len(q))
		}
		if maxInWeek(q) < 2 {
			t.Fatalf("%s: at most %d victims in a week, want several", x, maxInWeek(q))
		}
		if w.sent[x] == 0 {
			t.Fatalf("%s: sent no message on the chat", x)
		}
		if w.undoneCount(x) == 0 {
			t.Fatalf("%s: no negative withdrawn or revised after payment", x)
		}
	}
	// the chat texts vary
	distinct, total := map[string]bool{}, 0
	for _, x := range xs {
		for _, m := range w.texts[x] {
			distinct[m] = true
			total++
		}
	}
	if len(distinct) < total*6/10 {
		t.Fatalf("extortionists sent %d distinct texts in %d messages, want at least 60%% distinct", len(distinct), total)
	}
	// ordinary buyers do not look like this
	for _, h := range ofLabel(l, LabelHonest) {
		if n := len(w.quickNegatives(h)); n >= 2 {
			t.Fatalf("honest %s has %d quick negatives to new sellers", h, n)
		}
	}
}

func TestSlowDripPattern(t *testing.T) {
	cfg := small(SlowDrip)
	cfg.Days = 45
	w, l := analyse(t, cfg)
	for _, x := range ofLabel(l, LabelExtortionist) {
		q := w.quickNegatives(x)
		if len(q) < 2 {
			t.Fatalf("%s: got %d quick negatives, want at least 2", x, len(q))
		}
		for i := 1; i < len(q); i++ {
			if gap := q[i].Sub(q[i-1]); gap < 9*24*time.Hour || gap > 21*24*time.Hour {
				t.Fatalf("%s: %v between victims, want 10 to 20 days", x, gap)
			}
		}
		// and nothing else negative
		for _, e := range w.byBuyer[x] {
			if e.Feedback.Rating == fairmark.Negative && !slices.Contains(q, e.At) {
				t.Fatalf("%s: a negative outside the pattern: %+v", x, e.Feedback)
			}
		}
	}
}

func TestSybilPattern(t *testing.T) {
	w, l := analyse(t, small(Sybil))
	xs := ofLabel(l, LabelExtortionist)
	// rings are the components of the link graph among the extortionists
	ring := map[fairmark.AccountID]int{}
	var rings [][]fairmark.AccountID
	for _, x := range xs {
		if _, ok := ring[x]; ok {
			continue
		}
		id := len(rings)
		comp := []fairmark.AccountID{x}
		ring[x] = id
		for i := 0; i < len(comp); i++ {
			for _, y := range xs {
				if _, ok := ring[y]; !ok && linked(w.links[comp[i]], w.links[y]) {
					ring[y] = id
					comp = append(comp, y)
				}
			}
		}
		rings = append(rings, comp)
	}
	for _, comp := range rings {
		if len(comp) < 3 || len(comp) > 8 {
			t.Fatalf("ring %v has %d members, want 3..6 (8 with a remainder)", comp, len(comp))
		}
		sellers := map[fairmark.AccountID]bool{}
		for _, x := range comp {
			if len(w.quickNegatives(x)) == 0 {
				t.Fatalf("%s: no quick negative to a new seller", x)
			}
			for _, e := range w.byBuyer[x] {
				if e.Feedback.Rating == fairmark.Negative {
					sellers[e.Feedback.Seller] = true
				}
			}
		}
		if len(sellers) < 2*len(comp) {
			t.Fatalf("ring of %d hit only %d sellers, want remarks spread over at least %d", len(comp), len(sellers), 2*len(comp))
		}
		// members opened their accounts close together
		var first, last time.Time
		for i, x := range comp {
			if o := w.opened[x]; i == 0 || o.Before(first) {
				first = o
			}
			if o := w.opened[x]; o.After(last) {
				last = o
			}
		}
		if last.Sub(first) > 6*time.Hour {
			t.Fatalf("ring %v opened over %v, want within hours", comp, last.Sub(first))
		}
	}
}

func TestCamouflagePattern(t *testing.T) {
	w, l := analyse(t, small(Camouflage))
	for _, x := range ofLabel(l, LabelExtortionist) {
		if q := w.quickNegatives(x); len(q) < 2 {
			t.Fatalf("%s: got %d quick negatives, want at least 2", x, len(q))
		}
		if s := w.positiveShare(x); s < 0.8 {
			t.Fatalf("%s: %.2f of its feedback is positive, want at least 0.8", x, s)
		}
		if w.opened[x].After(DefaultStart.AddDate(0, 0, -90)) {
			t.Fatalf("%s: opened %v, want an old account", x, w.opened[x])
		}
	}
}

func TestOffPlatformPattern(t *testing.T) {
	w, l := analyse(t, small(OffPlatform))
	xs := ofLabel(l, LabelExtortionist)
	undone := 0
	for _, x := range xs {
		if w.sent[x] != 0 {
			t.Fatalf("%s: sent %d messages on the chat, want none", x, w.sent[x])
		}
		if q := w.quickNegatives(x); len(q) < 2 {
			t.Fatalf("%s: got %d quick negatives, want at least 2", x, len(q))
		}
		undone += w.undoneCount(x)
	}
	if undone < len(xs) {
		t.Fatalf("got %d withdrawals or revisions from %d extortionists, want the paid ones undone", undone, len(xs))
	}
}

func TestMixedHasEveryVariant(t *testing.T) {
	cfg := small(Mixed)
	cfg.Complainers = 40
	w, l := analyse(t, cfg)
	xs := ofLabel(l, LabelExtortionist)
	silent, ringed, drip, camo := 0, 0, 0, 0
	for _, x := range xs {
		if w.sent[x] == 0 {
			silent++
		}
		for _, y := range xs {
			if x != y && linked(w.links[x], w.links[y]) {
				ringed++
				break
			}
		}
		if q := w.quickNegatives(x); len(q) >= 2 && q[1].Sub(q[0]) >= 10*24*time.Hour {
			drip++
		}
		if len(w.byBuyer[x]) >= 10 && w.positiveShare(x) >= 0.8 {
			camo++
		}
	}
	if silent == 0 || ringed == 0 || drip == 0 || camo == 0 {
		t.Fatalf("variants among %d: silent %d, ringed %d, slow %d, camouflaged %d; want each", len(xs), silent, ringed, drip, camo)
	}
}

// TestHonestBehaviour checks the traps: honest critics and harsh reviewers
// complain after delivery and undo a remark only after the seller fixed
// things on the platform (a refund or a reply); bad sellers draw negatives
// from many independent buyers.
func TestHonestBehaviour(t *testing.T) {
	for _, tac := range []Tactic{Traps, Mixed} {
		w, l := analyse(t, small(tac))
		if tac == Traps && len(ofLabel(l, LabelExtortionist)) != 0 {
			t.Fatalf("traps has extortionists")
		}
		critics := append(ofLabel(l, LabelHonestCritic), ofLabel(l, LabelHarshReviewer)...)
		negs := 0
		for _, c := range critics {
			for _, e := range w.byBuyer[c] {
				f := e.Feedback
				if f.Rating != fairmark.Negative {
					continue
				}
				negs++
				d, ok := w.delivered[f.Order]
				_, refunded := w.refunded[f.Order]
				if (!ok || e.At.Before(d)) && !refunded {
					t.Fatalf("%s: %s negative %s before delivery", tac, c, f.ID)
				}
			}
		}
		honest := ofLabel(l, LabelHonest)
		honestNegs := 0
		for _, h := range honest {
			for _, e := range w.byBuyer[h] {
				if e.Feedback.Rating == fairmark.Negative {
					honestNegs++
				}
			}
		}
		perCritic, perHonest := float64(negs)/float64(len(critics)), float64(honestNegs)/float64(len(honest))
		if perCritic < 3*perHonest {
			t.Fatalf("%s: %.3f negatives per critic, %.3f per honest buyer; want critics at least 3 times harsher", tac, perCritic, perHonest)
		}
		for id, e := range w.left {
			u := w.undone[id]
			if u == nil || l[e.Feedback.Buyer] == LabelExtortionist {
				continue
			}
			o := e.Feedback.Order
			r, refunded := w.refunded[o]
			m, replied := w.sellerMsg[o]
			if !(refunded && r.Before(u.At)) && !(replied && m.Before(u.At)) {
				t.Fatalf("%s: honest %s undid %s with no refund or reply before", tac, e.Feedback.Buyer, id)
			}
		}
		// bad sellers: a large share of negatives, from independent buyers
		all := map[fairmark.AccountID]bool{}
		bad := ofLabel(l, LabelBadSeller)
		total := 0
		negs = 0
		for _, s := range bad {
			buyers := map[fairmark.AccountID]bool{}
			n := 0
			for _, e := range w.left {
				if e.Feedback.Seller != s || l[e.Feedback.Buyer] == LabelExtortionist {
					continue
				}
				n++
				if e.Feedback.Rating == fairmark.Negative {
					buyers[e.Feedback.Buyer] = true
					all[e.Feedback.Buyer] = true
				}
			}
			total += n
			negs += len(buyers)
			if n >= 8 && len(buyers) < 2 {
				t.Fatalf("%s: bad seller %s: negatives from %d of %d buyers, want several", tac, s, len(buyers), n)
			}
		}
		if float64(negs) < 0.35*float64(total) {
			t.Fatalf("%s: bad sellers drew %d negative buyers in %d feedback, want at least 35%%", tac, negs, total)
		}
		if len(all) < 3*len(bad) {
			t.Fatalf("%s: %d bad sellers drew negatives from %d buyers, want at least %d", tac, len(bad), len(all), 3*len(bad))
		}
	}
}
