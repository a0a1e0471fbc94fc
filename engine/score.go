package engine

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fairmark/fairmark"
)

// The risk model is additive evidence in log-odds: a prior, plus one term
// per piece of behaviour, each with a reason. Every weight is here, named.
const (
	priorLogit = -4.5 // base rate about 1%

	// Per-negative suspicion, in log-odds; s = sigmoid(sum).
	negBase        = -2.5
	negFast        = 1.2 // left within an hour of purchase
	negVeryFast    = 0.5 // ... within 15 minutes
	negSameSession = 1.0 // left within 4 hours of purchase, but not within the hour: the same sitting, nearly as telling
	negPredelivery = 1.2 // physical item not yet delivered
	negCheap       = 0.4
	negCheapDigit  = 0.4 // cheap and digital (prepaid cards)
	negNewSeller   = 0.9
	negTurned      = 1.2  // later withdrawn or revised to positive
	negContact     = 1.2  // off-platform contact sent to that seller
	negIntent      = 3.0  // × intent probability, demand made to that seller
	negAgreement   = -3.0 // × consensus agreement
	negSlow        = -1.0 // left days after delivery

	// Buyer-level terms.
	wSuspicion     = 3.6 // × shrunk sum of per-seller suspicion
	shrinkK        = 0.5 // n/(n+k) shrinkage of little history
	wBurst         = 2.0 // ≥ 2 suspicious negatives to different sellers in 7 days
	wBurst3        = 0.6 // ≥ 3
	wSpree         = 1.0 // no burst, but ≥ 3 fairly suspicious negatives (s ≥ spreeAt) to different sellers in 7 days
	spreeAt        = 0.4
	wPair          = 3.2 // no burst or spree, but a young account's ≥ 2 negatives at pairAt to different new sellers in 7 days (youngPair)
	pairAt         = 0.5
	wContact       = 1.0 // first seller sent off-platform contact
	wContactMore   = 0.5 // each further seller, up to wContactCap
	wContactCap    = 2.0
	wIntent        = 3.0 // × max intent probability
	wIntentMore    = 1.0 // demands made to two or more sellers
	wReport        = 1.2 // × weighted reports, capped at 3
	wTurned        = 1.0 // negatives to two or more sellers withdrawn or turned positive without a refund
	wTurnedMore    = 0.5 // each further seller, up to wTurnedCap
	wTurnedCap     = 2.0
	wAllNegative   = 2.5  // a new account whose every order (≥ 3) got a negative remark
	ringWeakLink   = 1.5  // log-odds taken off a ring tied only by an IP address
	wRule          = 4.0  // × a fired rule's score
	suspiciousAt   = 0.6  // per-negative suspicion counted as suspicious
	holdOneAt      = 0.9  // hold one negative at once when this suspicious with text evidence
	suspicionFloor = 0.25 // per-remark suspicion below this is background
	liftAgreement  = 0.15 // mean agreement of the buyer's negatives gained since the flag that lets the model lift it
)

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// suspicion is the evidence that negative n was extortion: how it was left
// (baseSuspicion) weighed against whether credible other buyers say the same
// of its seller (agreement).
func (en *Engine) suspicion(b *account, n *feedback) (float64, []string) {
	s, _ := en.suspicionAgreement(b, n)
	return s, nil
}

// suspicionAgreement is suspicion with the agreement it weighed.
func (en *Engine) suspicionAgreement(b *account, n *feedback) (s, agree float64) {
	e := en.baseSuspicion(b, n)
	a := en.agreement(b, n)
	if a > 0 {
		e += negAgreement * a
	}
	return sigmoid(e), a
}

// baseSuspicion is the log-odds that n was extortion from n alone: timing,
// price, the seller's age, what happened after, what its buyer said.
func (en *Engine) baseSuspicion(b *account, n *feedback) float64 {
	e := negBase
	if n.minutes >= 0 && n.minutes <= fastN {
		e += negFast
		if n.minutes <= 15 {
			e += negVeryFast
		}
	} else if n.minutes > fastN && n.minutes <= sessionN {
		e += negSameSession
	}
	if n.predelivery {
		e += negPredelivery
	}
	if n.cheap {
		e += negCheap
		if n.digital {
			e += negCheapDigit
		}
	}
	if n.sellerNew {
		e += negNewSeller
	}
	if en.turned(n) {
		e += negTurned
	}
	if hasSeller(b.bs().contacts, n.seller) || n.hasContact {
		e += negContact
	}
	p := n.intent
	if i := indexSeller(b.bs().intents, n.seller); i >= 0 && b.bs().intents[i].prob > p {
		p = b.bs().intents[i].prob
	}
	e += negIntent * p
	if n.order != nil && !n.order.delivered.isZero() && n.left.time().Sub(n.order.delivered.time()) > 72*time.Hour {
		e += negSlow
	}
	return e
}

type term struct {
	logit  float64
	reason string
}

// ringView is the suspicion of a linked ring's negatives, per seller.
type negView struct {
	n     *feedback
	s     float64
	agree float64 // agreement(buyer, n), which s weighed
}

// rescore recomputes b's risk at event e, evaluates rules, and flags and
// holds as the evidence demands. Ring mates are rescored too.
func (en *Engine) rescore(b *account, e *fairmark.Event) {
	mates := en.members(b)
	if len(mates) == 1 && !b.flagged && len(b.bs().negs) == 0 && len(b.bs().contacts) == 0 && len(b.bs().intents) == 0 && len(b.bs().reports) == 0 {
		// Nothing to weigh: the risk is the prior and no rule can be
		// about anything (rules are evaluated for buyers with a negative,
		// a contact, a demand, a report or a link).
		b.risk = sigmoid(priorLogit)
		b.setReasons(nil)
		return
	}
	var ring *ringEval
	if len(mates) > 1 && !sharedNetwork(b.root(), len(mates)) {
		ring = en.evalRing(mates)
		defer func() { en.ringBuf = ring.views[:0] }()
	}
	for i, m := range mates {
		en.rescoreOne(m, i, mates, ring, e)
	}
}

// ringEval is what rescoring a linked ring weighs once for all its
// members: every member's negatives' views, the ring's pattern, and its
// 7-day window. None of it changes while the members are rescored in
// turn: a negative's suspicion reads no risk, flag or hold in its own ring.
type ringEval struct {
	views    []negView // every member's, member after member (mates' order)
	at       []int     // member i's views are views[at[i]:at[i+1]]
	terms    []term    // the ring's pattern, as a member would take it
	sum      float64   // sum of the ring's pattern, less the weak-link penalty
	neg7     int64     // RingNegatives7d
	sellers7 int64     // RingDistinctSellers7d
}

func (en *Engine) evalRing(mates []*account) *ringEval {
	r := &ringEval{views: en.ringBuf[:0], at: make([]int, 0, len(mates)+1)}
	now := en.now
	for _, m := range mates {
		r.at = append(r.at, len(r.views))
		for _, n := range m.bs().negs {
			s, a := en.suspicionAgreement(m, n)
			r.views = append(r.views, negView{n, s, a})
		}
	}
	r.at = append(r.at, len(r.views))
	r.neg7, r.sellers7 = ringWindow(mates, now)
	root := mates[0].root()
	penalty := ringWeakLink // only an IP in common: households and offices share one
	if !ipOnly(root) {
		penalty = 0
	}
	r.terms = en.patternTerms(r.views, now)
	r.sum = sum(r.terms) - penalty
	if len(r.terms) > 0 {
		r.terms[0].reason = fmt.Sprintf("linked to %d account(s) by %s; together: %s", len(mates)-1, linkKinds(root), r.terms[0].reason)
		r.terms[0].logit -= penalty
	}
	return r
}

// rescoreOne rescores b, the i-th of its ring's mates; ring is the ring's
// evaluation, nil when b is unlinked or its ring is a shared network.
func (en *Engine) rescoreOne(b *account, i int, mates []*account, ring *ringEval, e *fairmark.Event) {
	now := en.now
	var views []negView
	if ring != nil {
		views = ring.views[ring.at[i]:ring.at[i+1]:ring.at[i+1]]
	} else {
		views = en.viewBuf[:0]
		defer func() { en.viewBuf = views[:0] }()
		for _, n := range b.bs().negs {
			s, a := en.suspicionAgreement(b, n)
			views = append(views, negView{n, s, a})
		}
	}
	pattern := en.patternTerms(views, now)
	var terms []term
	turned := 0
	var turnedBuf [8]*account
	turnedAt := sellerSet(turnedBuf[:0])
	for _, v := range views {
		if en.turned(v.n) {
			turned++
			turnedAt = turnedAt.add(v.n.seller)
		}
	}
	if turned > 0 {
		// One remark turned is what a fixed problem looks like too (and it
		// already weighs in that remark's suspicion); the same with several
		// sellers, none of whom refunded, is the pay-to-withdraw pattern.
		w := 0.0
		if len(turnedAt) >= 2 {
			w = math.Min(wTurnedCap, wTurned+wTurnedMore*float64(len(turnedAt)-2))
		}
		terms = append(terms, term{w, fmt.Sprintf("%d negative remark(s) later withdrawn or turned positive (the pay-to-withdraw pattern)", turned)})
	}
	// An account opened for the purpose: new when it left its first
	// remark, it has bought nothing it did not rate negative (three orders
	// or more, no positive, neutral or unrated one) and at least two of
	// those remarks are fairly suspicious on their own. Honest new buyers
	// rate some orders well or not at all; harsh reviewers' remarks come
	// days after delivery and are not suspicious. A positive given later
	// ends the term, not the rest of the evidence.
	if negs := b.bs().negs; len(negs) >= 3 && b.positives == 0 && int(b.orders) == len(negs) &&
		negs[0].left.time().Sub(b.opened.time()) < 30*day && fairlySuspicious(views) >= 2 {
		terms = append(terms, term{wAllNegative, fmt.Sprintf("a new account whose every order (%d) got a negative remark", len(negs))})
	}
	if len(b.bs().contacts) > 0 {
		w := wContact + math.Min(wContactCap-wContact, wContactMore*float64(len(b.bs().contacts)-1))
		terms = append(terms, term{w, fmt.Sprintf("sent off-platform contact details (%s) to %d seller(s)", b.bs().contacts[0].kind, len(b.bs().contacts))})
	}
	if len(b.bs().intents) > 0 {
		maxP, why := 0.0, ""
		for _, h := range b.bs().intents {
			if h.prob > maxP {
				maxP, why = h.prob, h.kind
			}
		}
		w := wIntent * maxP
		if len(b.bs().intents) >= 2 {
			w += wIntentMore
		}
		terms = append(terms, term{w, fmt.Sprintf("extortion demand to %d seller(s): %s", len(b.bs().intents), why)})
	}
	if len(b.bs().reports) > 0 {
		rw := 0.0
		for _, r := range b.bs().reports {
			rw += r.weight
		}
		terms = append(terms, term{wReport * math.Min(rw, 3), fmt.Sprintf("%d report(s) against this account (weighted %.1f)", len(b.bs().reports), rw)})
	}
	// Ring: the linked accounts' pattern, taken as one account's, counts for
	// every member when it says more than the member's own.
	if ring != nil && ring.sum > sum(pattern)+0.3 {
		pattern = append(pattern[:0:0], ring.terms...)
	}
	terms = append(pattern, terms...)
	terms = append(terms, en.graphTerms(b)...)

	logit := priorLogit
	for _, t := range terms {
		logit += t.logit
	}
	b.risk = sigmoid(logit)
	// The agreements of b's negatives are those just weighed: agreement
	// reads no risk in b's own ring, and nothing else has changed.
	f := &en.featBuf // Evaluate takes a pointer: spare a heap copy per rescore
	*f = en.featuresWith(b, views, mates, ring)
	f.Risk = b.risk

	var holdAll, flag bool
	var ruleReasons []string
	if en.cfg.Rules != nil && b.role != codeSeller {
		hits, _ := en.cfg.Rules.Evaluate(f) // failed rules do not fire
		{
			for _, h := range hits {
				if h.Score != 0 {
					logit += wRule * h.Score
				}
				for _, a := range h.Actions {
					switch a {
					case "flag":
						flag = true
					case "hold":
						holdAll = true
					}
				}
				ruleReasons = append(ruleReasons, "rule "+h.Name+": "+h.Reason)
			}
			b.risk = sigmoid(logit)
		}
	}
	b.setReasons(reasons(terms, ruleReasons))
	if b.risk >= en.cfg.FlagAt {
		flag = true
	} else if flag || holdAll {
		// A rule that flags or holds says the risk is at least that high.
		b.risk = en.cfg.FlagAt
	}
	if b.cleared && b.risk < b.bs().clearedRisk+0.1 {
		flag, holdAll = false, false
	}
	if b.banned {
		flag = true
	}
	// Hysteresis: a flag the model alone raised is lifted when later evidence
	// (other buyers echoing the same complaints, say) brings the risk well
	// below the flag line; the holds it placed are released.
	//
	// A flag that rests on an act of extortion — a remark withdrawn or
	// turned positive without a refund, an off-platform contact, a demand,
	// a report — is lifted by later evidence, not by the clock: a risk that
	// fell only because the remarks left a rule's 7- or 30-day window or
	// aged is no reason to believe the buyer more, and neither is the
	// weekly rating-graph batch dropping a term (its dense blocks come and
	// go with everyone's ratings). The lift then needs the buyer's
	// negatives to agree more with credible other buyers than when flagged.
	// A flag on timing and targeting alone (statistics over windows) lapses
	// with them.
	// The mean over the buyer's negatives: one remark on a seller whom
	// others also fault does not excuse remarks on sellers nobody else
	// faults.
	agree := 0.0
	for _, v := range views {
		agree += v.agree
	}
	if len(views) > 0 {
		agree /= float64(len(views))
	}
	acts := turned > 0 || len(b.bs().contacts) > 0 || len(b.bs().intents) > 0 || len(b.bs().reports) > 0
	if b.flagged && !flag && !holdAll && b.risk < en.cfg.ClearAt && !acts {
		// The seed story's pattern — fairly suspicious negative remarks
		// to three or more new shops within one week — is an act too: it
		// happened, and a week passing does not make it less so. (Any
		// negatives to new shops kept honest customers of bad shops
		// flagged in dense marketplaces.)
		var buf [16]negView
		onNew := buf[:0]
		for _, v := range views {
			if v.n.sellerNew && v.s >= spreeAt {
				onNew = append(onNew, v)
			}
		}
		n, _ := burstOf(onNew, e.At, -1)
		acts = n >= 3
	}
	if b.flagged && !flag && !holdAll && b.risk < en.cfg.ClearAt &&
		(!acts || agree >= b.bs().flagAgree+liftAgreement) {
		en.unflag(e, b, fmt.Sprintf("risk fell to %.2f: %s", b.risk, firstReason(b)))
	}
	if flag && !b.flagged {
		b.flagged, b.buyer().flaggedAt = true, mkStamp(e.At)
		b.buyer().flagAgree = agree
		en.emit(Decision{Kind: FlagAccount, At: e.At, Event: e.ID, Account: b.id, Risk: b.risk, Reason: strings.Join(b.bs().reasons, " | ")})
		alerted := map[*account]bool{}
		for _, n := range b.bs().negs {
			if !alerted[n.seller] && !n.withdrawn {
				alerted[n.seller] = true
				en.alert(e, n.seller, b, "", n.id, newAlert(AlertBuyerFlagged,
					fmt.Sprintf("Buyer %s, who left you a negative remark, is flagged as a likely professional complainer: %s.", b.id, firstReason(b)),
					fmt.Sprintf("给你差评的买家 %s 被识别为疑似职业差评师：%s。", b.id, ReasonZH(firstReason(b)))))
			}
		}
	}
	if b.flagged || holdAll {
		why := firstReason(b)
		for _, n := range b.bs().negs {
			if en.hold(e, n, why) {
				n.holdByFlag = true
			}
		}
		return
	}
	// Hold one remark at once when it is itself clearly extortion.
	for _, v := range views {
		if v.s >= holdOneAt && (v.n.intent >= 0.5 || hasSeller(b.bs().intents, v.n.seller) || hasSeller(b.bs().contacts, v.n.seller) || v.n.hasContact) {
			en.hold(e, v.n, "remark came with an off-platform contact or a demand for money to the same seller")
		}
	}
}

// maxIPRing is the largest ring tied by IP addresses alone whose remarks
// are weighed as one account's. More accounts behind one address are a
// network — an office, a campus, a mobile carrier's NAT — not one person's
// sybils: their negatives are as unrelated as any strangers'.
const maxIPRing = 5

// ipOnly reports whether the ring rooted at root is tied by IP addresses
// alone.
func ipOnly(root *account) bool {
	return !(root.linkVia.has("device") || root.linkVia.has("payment") || root.linkVia.has("phone"))
}

// sharedNetwork reports whether a ring of size accounts rooted at root is
// a shared network rather than a ring (see maxIPRing).
func sharedNetwork(root *account, size int) bool {
	return size > maxIPRing && ipOnly(root)
}

// fairlySuspicious counts the views at suspicion spreeAt or more.
func fairlySuspicious(views []negView) int {
	n := 0
	for _, v := range views {
		if v.s >= spreeAt {
			n++
		}
	}
	return n
}

// patternTerms is the evidence of a set of negatives: the shrunk sum of
// per-seller suspicion, the most telling remark, and a burst of suspicious
// remarks to different sellers within 7 days. The first term is always the
// suspicion sum when there are negatives.
func (en *Engine) patternTerms(views []negView, now time.Time) []term {
	var terms []term
	total, n := perSellerSum(views, now)
	if n == 0 {
		return nil
	}
	shrunk := total * n / (n + shrinkK)
	terms = append(terms, term{wSuspicion * shrunk, describeNegatives(views, now, en.cfg.NewSellerDays)})
	if top := mostSuspicious(views); top != nil && top.s >= suspiciousAt {
		if d := en.describeOne(top.n); d != "" {
			terms = append(terms, term{0, d})
		}
	}
	if n, age := burstOf(views, now, suspiciousAt); n >= 2 {
		w := wBurst
		if n >= 3 {
			w += wBurst3
		}
		terms = append(terms, term{w * decay(age), fmt.Sprintf("%d suspicious negative remarks to %d different sellers within 7 days", n, n)})
	} else if n, age := burstOf(views, now, spreeAt); n >= 3 {
		terms = append(terms, term{wSpree * decay(age), fmt.Sprintf("%d fairly suspicious negative remarks to %d different sellers within 7 days", n, n)})
	} else if n, age := youngPair(views, now); n >= 2 {
		terms = append(terms, term{wPair * decay(age), fmt.Sprintf("%d fairly suspicious negative remarks to %d new sellers within 7 days from an account under 30 days old", n, n)})
	}
	return terms
}

// youngPair is the evidence a fresh account gives by its second remark,
// before any withdrawal, contact or demand: negatives left while it was
// under 30 days old, each fairly suspicious on its own (s ≥ pairAt: left in
// the same sitting as a cheap purchase, say) and each on a seller under 30
// days old, to two or more sellers within 7 days. They must be at least two
// thirds of the buyer's negatives: harsh reviewers leave many remarks, and
// two of them falling this way among slower ones is chance. Aged accounts
// are left to the other terms: honest customers of a bad new shop of gift
// cards leave exactly such a pair before other buyers' remarks agree with
// them, and theirs are old accounts nearly always (docs/RISK.md, item 14).
// So are young accounts that rated as many orders well as the pair holds.
// It returns the burst's size and the age of its last remark.
func youngPair(views []negView, now time.Time) (int, time.Duration) {
	var buf [16]negView
	pair := buf[:0]
	for _, v := range views {
		if v.n.sellerNew && v.s >= pairAt && v.n.left.time().Sub(v.n.buyer.opened.time()) < 30*day {
			pair = append(pair, v)
		}
	}
	if 3*len(pair) < 2*len(views) {
		return 0, 0
	}
	// A fresh account that has rated more orders well than these remarks
	// is an active buyer with two bad purchases, not one opened to
	// complain: two remarks are too little to outweigh that (the burst and
	// spree terms, which ignore positives, take over from three).
	var positives int32
	var last *account
	for _, v := range views {
		if b := v.n.buyer; b != last {
			positives, last = positives+b.positives, b
		}
	}
	if int(positives) >= len(pair) {
		return 0, 0
	}
	return burstOf(pair, now, pairAt)
}

// burstOf finds the largest burst in views: the most distinct sellers that
// got a suspicious negative within one 7-day window, at any time (a burst
// that happened stays evidence after its week is over, weighed down with
// age like the rest). It returns that count and the age of the burst's
// last remark; on ties, the most recent burst.
func burstOf(views []negView, now time.Time, at float64) (int, time.Duration) {
	n, sorted := 0, true
	var last time.Time
	for _, v := range views {
		if v.s >= at {
			t := v.n.left.time()
			if n > 0 && t.Before(last) {
				sorted = false
			}
			n, last = n+1, t
		}
	}
	if n < 2 {
		return n, 0
	}
	var buf [16]*feedback
	sus := buf[:0]
	for _, v := range views {
		if v.s >= at {
			sus = append(sus, v.n)
		}
	}
	if !sorted { // a ring's views, member after member; one buyer's are in time order
		slices.SortFunc(sus, func(a, b *feedback) int { return a.left.time().Compare(b.left.time()) })
	}
	// Slide a 7-day window over the remarks in time order, counting the
	// remarks of each seller in it.
	var cbuf [16]sellerCount
	in := sellerCounts{counts: cbuf[:0]}
	best, bestAge, lo := 0, time.Duration(0), 0
	for _, f := range sus {
		end := f.left.time()
		in = in.add(f.seller, 1)
		for end.Sub(sus[lo].left.time()) > 7*day {
			in = in.add(sus[lo].seller, -1)
			lo++
		}
		if in.distinct >= best {
			best, bestAge = in.distinct, now.Sub(end)
		}
	}
	return best, bestAge
}

// sellerCounts counts remarks per seller in a window; buyers hit few
// sellers, so a slice beats a map.
type sellerCounts struct {
	counts   []sellerCount
	distinct int // sellers with a count above 0
}

type sellerCount struct {
	seller *account
	n      int
}

// add returns c with d added to s's count.
func (c sellerCounts) add(s *account, d int) sellerCounts {
	for i := range c.counts {
		if c.counts[i].seller == s {
			was := c.counts[i].n
			c.counts[i].n += d
			switch {
			case was == 0 && c.counts[i].n > 0:
				c.distinct++
			case was > 0 && c.counts[i].n == 0:
				c.distinct--
			}
			return c
		}
	}
	c.counts = append(c.counts, sellerCount{s, d})
	if d > 0 {
		c.distinct++
	}
	return c
}

func sum(ts []term) float64 {
	x := 0.0
	for _, t := range ts {
		x += t.logit
	}
	return x
}

// perSellerSum sums, over distinct sellers, the most suspicious negative to
// each, weighted down with age; it returns the sum and the seller count.
func perSellerSum(views []negView, now time.Time) (float64, float64) {
	type best struct {
		seller *account
		s      float64
	}
	var buf [16]best
	bs := buf[:0]
	for _, v := range views {
		s := excess(v.s) * decay(now.Sub(v.n.left.time()))
		i := 0
		for i < len(bs) && bs[i].seller != v.n.seller {
			i++
		}
		if i == len(bs) {
			bs = append(bs, best{v.n.seller, s})
		} else if s > bs[i].s {
			bs[i].s = s
		}
	}
	sum := 0.0
	for _, b := range bs {
		sum += b.s
	}
	return sum, float64(len(bs))
}

// sellerSet is a small set of sellers; buyers hit few, so a slice beats a
// map.
type sellerSet []*account

// add returns s with a added (a value method, so that a set whose array
// is on the caller's stack stays there).
func (s sellerSet) add(a *account) sellerSet {
	for _, x := range s {
		if x == a {
			return s
		}
	}
	return append(s, a)
}

// excess keeps the part of a remark's suspicion above the background of
// ordinary negatives, so that many unremarkable negatives (a harsh but
// honest reviewer's) do not add up to one suspicious pattern.
func excess(s float64) float64 { return math.Max(0, (s-suspicionFloor)/(1-suspicionFloor)) }

func decay(age time.Duration) float64 {
	switch {
	case age <= 30*day:
		return 1
	case age <= 90*day:
		return 0.8
	}
	return 0.5
}

func mostSuspicious(views []negView) *negView {
	var top *negView
	for i := range views {
		if top == nil || views[i].s > top.s {
			top = &views[i]
		}
	}
	return top
}

// describeNegatives says how many negatives went to how many sellers, how
// many were new, over how long.
func describeNegatives(views []negView, now time.Time, newDays int) string {
	var buf1, buf2 [16]*account
	sellers, newSellers := sellerSet(buf1[:0]), sellerSet(buf2[:0])
	first, last := time.Time{}, time.Time{}
	for _, v := range views {
		sellers = sellers.add(v.n.seller)
		if v.n.sellerNew {
			newSellers = newSellers.add(v.n.seller)
		}
		left := v.n.left.time()
		if first.IsZero() || left.Before(first) {
			first = left
		}
		if left.After(last) {
			last = left
		}
	}
	span := last.Sub(first)
	spanS := plural(int(math.Ceil(span.Hours()/24)), "day")
	if span < day {
		spanS = plural(int(math.Ceil(span.Hours())), "hour")
	}
	if len(views) == 1 {
		if len(newSellers) == 1 {
			return fmt.Sprintf("1 negative remark to a seller under %d days old", newDays)
		}
		return "1 negative remark"
	}
	// Built without fmt: this runs at every rescore of a buyer with
	// negatives.
	b := make([]byte, 0, 64)
	b = strconv.AppendInt(b, int64(len(views)), 10)
	b = append(b, " negative remarks to "...)
	b = strconv.AppendInt(b, int64(len(sellers)), 10)
	if len(newSellers) == len(sellers) {
		b = append(b, " sellers under "...)
		b = strconv.AppendInt(b, int64(newDays), 10)
		b = append(b, " days old within "...)
	} else {
		b = append(b, " sellers ("...)
		b = strconv.AppendInt(b, int64(len(newSellers)), 10)
		b = append(b, " new) within "...)
	}
	return string(append(b, spanS...))
}

// plural is "1 day", "3 days".
func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

// describeOne describes the most telling negative: "negative left 4 min
// after buying a ¥50.00 prepaid card".
func (en *Engine) describeOne(n *feedback) string {
	if n.minutes < 0 {
		return ""
	}
	it := en.item(n.item)
	what := "an item"
	if it.category != "" {
		what = "a " + strings.ReplaceAll(it.category, "_", " ")
	} else if n.digital {
		what = "a digital item"
	}
	// Built without fmt, as describeNegatives: "negative left " + when +
	// " after buying " + (price: "a " + price + what without its article)
	// + ", before delivery".
	b := make([]byte, 0, 80)
	b = append(b, "negative left "...)
	if n.minutes >= 120 {
		b = strconv.AppendFloat(b, n.minutes/60, 'f', 0, 64)
		b = append(b, " h"...)
	} else {
		b = strconv.AppendInt(b, int64(math.Round(n.minutes)), 10)
		b = append(b, " min"...)
	}
	b = append(b, " after buying "...)
	if n.amount > 0 {
		b = append(b, "a "...)
		if it.currency == "CNY" {
			b = append(b, "¥"...)
		} else {
			b = append(b, it.currency...)
			b = append(b, ' ')
		}
		b = append(b, n.amount.String()...)
		b = append(b, ' ')
		what = strings.TrimPrefix(what, "a ")
	}
	b = append(b, what...)
	if n.predelivery {
		b = append(b, ", before delivery"...)
	}
	return string(b)
}

func linkKinds(root *account) string {
	var ks []string
	for _, k := range []string{"device", "ip", "payment", "phone"} {
		if root.linkVia.has(k) {
			ks = append(ks, k)
		}
	}
	return strings.Join(ks, ", ")
}

// reasons orders the terms by weight, strongest first, then rule reasons.
func reasons(terms []term, rules []string) []string {
	slices.SortStableFunc(terms, func(a, b term) int { return cmp.Compare(b.logit, a.logit) })
	out := make([]string, 0, len(terms)+len(rules))
	for _, t := range terms {
		if t.reason != "" {
			out = append(out, t.reason)
		}
	}
	return append(out, rules...)
}

// RuleHit is one operator rule that fired.
type RuleHit struct {
	Name    string
	Actions []string // flag, hold, alert, review
	Score   float64  // extra evidence, 0..1; adds wRule×Score to the log-odds
	Reason  string
}

// RuleEvaluator evaluates operator rules over a buyer's features.
type RuleEvaluator interface {
	Evaluate(f *Features) ([]RuleHit, error)
}

// unflag lifts b's flag and releases the holds the flag placed.
func (en *Engine) unflag(e *fairmark.Event, b *account, why string) {
	b.flagged = false
	en.emit(Decision{Kind: ClearAccount, At: e.At, Event: e.ID, Account: b.id, Risk: b.risk, Reason: why})
	for _, n := range b.bs().negs {
		if n.held && n.holdByFlag {
			n.holdByFlag = false
			en.release(e, n, "buyer no longer flagged: "+why)
		}
	}
}
