package engine

import (
	"cmp"
	"slices"
	"sort"
	"time"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/reputation"
)

// account is the engine's state of one account, buyer or seller: a small
// core every account has, and two parts allocated on first use. Most
// accounts are buyers who never leave a negative, send a contact or get
// reported, so they never get a buyerSide; only accounts that receive
// feedback get a sellerSide.
type account struct {
	id      fairmark.AccountID
	opened  stamp // account.opened time, else first seen
	risk    float64
	ring    *account // union-find parent over shared links; the root's ring is itself
	next    *account // the next member of its ring, round a cycle (itself when unlinked)
	buy     *buyerSide
	sell    *sellerSide
	orders  int32
	role    code
	flagged bool
	cleared bool    // cleared by a reviewer: not flagged again by the same evidence
	banned  bool    // banned by a reviewer: stays flagged, its negatives stay held
	linkVia linkSet // on the root: which link kinds tie the ring

	positives int32
}

// buyerSide is the part of an account that only buyers with something to
// weigh need.
type buyerSide struct {
	negs        []*feedback // negatives left (first rating negative), in time order
	contacts    []textHit   // off-platform contacts sent, one per seller
	intents     []textHit   // extortion-intent hits, one per seller (the strongest)
	reports     []report    // reports against this account
	reasons     []string
	flaggedAt   stamp
	clearedRisk float64
	// The evidence in the buyer's favour when the model flagged it: the
	// mean consensus agreement of its negatives. A flag on an act is
	// lifted only when later evidence improves on it.
	flagAgree float64
	// negSellers counts the distinct sellers among negs (voice).
	negSellers int32
}

// sellerSide is the part of an account that receives feedback.
type sellerSide struct {
	rep      *reputation.Seller
	received int32       // feedback received (any rating), for "new seller"
	gotNegs  []*feedback // negatives received
	live     int32       // gotNegs still negative and standing (feedback.live)
	got      []*feedback // all feedback received
}

// noBuyer and noSeller are read in place of a part not yet allocated; they
// are never written.
var (
	noBuyer  buyerSide
	noSeller sellerSide
)

// bs returns a's buyer side for reading (empty when not allocated).
func (a *account) bs() *buyerSide {
	if a.buy == nil {
		return &noBuyer
	}
	return a.buy
}

// buyer returns a's buyer side for writing, allocating it.
func (a *account) buyer() *buyerSide {
	if a.buy == nil {
		a.buy = new(buyerSide)
	}
	return a.buy
}

// ss returns a's seller side for reading (empty when not allocated).
func (a *account) ss() *sellerSide {
	if a.sell == nil {
		return &noSeller
	}
	return a.sell
}

// seller returns a's seller side for writing, allocating it.
func (a *account) seller() *sellerSide {
	if a.sell == nil {
		a.sell = new(sellerSide)
	}
	return a.sell
}

// setReasons sets a's reasons, allocating the buyer side only for some.
func (a *account) setReasons(rs []string) {
	if len(rs) == 0 && a.buy == nil {
		return // nil and empty read the same everywhere
	}
	a.buyer().reasons = rs
}

type textHit struct {
	to     *account // the seller (compared by pointer)
	seller fairmark.AccountID
	at     time.Time
	kind   string  // contact kind, or the intent reason
	prob   float64 // intent probability
	msg    fairmark.MessageID
}

type report struct {
	id       fairmark.ReportID
	reporter fairmark.AccountID
	kind     fairmark.ReportKind
	weight   float64
	at       time.Time
}

type order struct {
	id        fairmark.OrderID
	placed    stamp
	delivered stamp
	amount    fairmark.Decimal
	item      uint32 // category and currency (Engine.item)
	digital   bool
	refunded  bool
}

// feedback is the engine's state of one feedback.
type feedback struct {
	id      fairmark.FeedbackID
	order   *order
	buyer   *account
	seller  *account
	more    *feedbackMore // allocated when withdrawn, revised or held
	left    stamp
	minutes float64 // minutes from purchase, -1 unknown (what was known when it was left, for features)
	intent  float64 // intent probability of its own text
	amount  fairmark.Decimal
	item    uint32 // category and currency (Engine.item)
	first   code   // rating when left
	rating  code   // current rating

	withdrawn   bool
	removed     bool // removed by a reviewer's decision
	held        bool
	holdByFlag  bool // held because its buyer was flagged (released if the flag lifts)
	predelivery bool // physical item not yet delivered
	sellerNew   bool
	cheap       bool
	digital     bool
	hasContact  bool // its text carries off-platform contact
}

// feedbackMore is the part of a feedback that few need.
type feedbackMore struct {
	changedAt stamp  // withdrawal or revision time
	holdWhy   string // why it is held
}

var noMore feedbackMore

// m returns f's rarer part for reading.
func (f *feedback) m() *feedbackMore {
	if f.more == nil {
		return &noMore
	}
	return f.more
}

// mut returns f's rarer part for writing, allocating it.
func (f *feedback) mut() *feedbackMore {
	if f.more == nil {
		f.more = new(feedbackMore)
	}
	return f.more
}

// live reports whether f is a negative (first and still) that stands: not
// withdrawn, not removed. Its seller's sellerSide.live counts them.
func (f *feedback) live() bool {
	return f.first == codeNegative && f.rating == codeNegative && !f.withdrawn && !f.removed
}

// restate records a change to f (rating, withdrawal, removal) in its
// seller's reputation and live count; old and wasLive are f's entry and
// live before the change.
func (en *Engine) restate(f *feedback, old reputation.Entry, wasLive bool) {
	en.sellerRep(f.seller).Apply(old, f.entry())
	if now := f.live(); now != wasLive {
		if now {
			f.seller.ss().live++
		} else {
			f.seller.ss().live--
		}
	}
}

func (f *feedback) entry() reputation.Entry {
	return reputation.Entry{Rating: f.rating.rating(), Stands: !f.withdrawn && !f.removed, Held: f.held}
}

// turned reports whether a negative was later withdrawn or revised to
// positive without a refund through the marketplace first: the
// pay-to-withdraw pattern. A refund on the platform is a dispute resolved
// where it should be.
func (en *Engine) turned(f *feedback) bool {
	if f.first != codeNegative || !(f.withdrawn || f.rating == codePositive) {
		return false
	}
	return f.order == nil || !f.order.refunded || en.refundAt[f.order].time().After(f.m().changedAt.time())
}

// root returns the representative of a's linked ring.
func (a *account) root() *account {
	r := a
	for r.ring != r {
		r = r.ring
	}
	for a.ring != r { // path compression
		next := a.ring
		a.ring = r
		a = next
	}
	return r
}

// link unites the rings of a and b, tied by a link of kind.
func (en *Engine) link(a, b *account, kind string) {
	ra, rb := a.root(), b.root()
	if ra != rb {
		na, nb := ringSize(ra), ringSize(rb)
		if na < nb || (na == nb && rb.id < ra.id) {
			ra, rb = rb, ra
		}
		rb.ring = ra
		ra.next, rb.next = rb.next, ra.next // one cycle of both
		ra.linkVia |= rb.linkVia
		rb.linkVia = 0
	}
	ra.addVia(kind)
}

func (a *account) addVia(kind string) {
	a.linkVia |= linkBit(kind)
}

// members returns the accounts in a's ring, sorted by id (a itself when
// unlinked).
func (en *Engine) members(a *account) []*account {
	m := []*account{a}
	for x := a.next; x != a; x = x.next {
		m = append(m, x)
	}
	if len(m) > 1 {
		slices.SortFunc(m, func(x, y *account) int { return cmp.Compare(x.id, y.id) })
	}
	return m
}

// ringSize is the number of accounts in a's ring.
func ringSize(a *account) int {
	n := 1
	for x := a.next; x != a; x = x.next {
		n++
	}
	return n
}

func sortAccounts(as []*account) {
	sort.Slice(as, func(i, j int) bool { return as[i].id < as[j].id })
}

// linkSet is a set of link kinds, one bit each.
type linkSet uint8

var linkKindNames = []string{"device", "ip", "phone", "payment"}

func linkBit(kind string) linkSet {
	for i, k := range linkKindNames {
		if k == kind {
			return 1 << i
		}
	}
	return 0
}

func (s linkSet) has(kind string) bool { return s&linkBit(kind) != 0 }
