package sim

import (
	"encoding/hex"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/fairmark/fairmark"
)

// gen is one simulation run. The world is simulated day by day: every
// action starting on a day schedules its whole story (order, delivery,
// chat, feedback, withdrawal, report) into a queue ordered by time, and
// once the day is generated every queued event before the day's end is
// emitted. Nothing can be scheduled earlier than the day being generated,
// so the output is in time order while memory holds only the look-ahead.
type gen struct {
	cfg   Config
	prof  profile
	r     *rand.Rand
	start int64 // unix seconds
	end   int64 // events at or after end are dropped

	sellers    []*seller
	byOpen     []*seller // by opening time
	cum        []float64 // cumulative weights over byOpen
	newByOpen  []*seller
	estDigital []*seller
	buyers     []*buyer
	labels     Labels

	q       pqueue
	opens   []opening // by time
	seq     uint64
	nEvent  int
	out     func(*fairmark.Event) error
	chaos   *chaos
	avail   int // byOpen[:avail] are open
	hourCum [24]float64

	nLink                                 int
	linkSalt                              uint64
	nItem, nOrder, nFb, nMsg, nConv, nRep int
}

// hourWeights is the share of marketplace activity by hour of day (UTC is
// used as the marketplace's local time).
var hourWeights = [24]float64{1, 0.5, 0.3, 0.2, 0.2, 0.3, 0.6, 1, 2, 3, 3.5, 3.5, 3, 3, 3, 3, 3, 3, 3.5, 4, 5, 5, 4.5, 3}

func run(cfg Config, out func(*fairmark.Event) error) (Labels, error) {
	g := &gen{
		cfg:    cfg,
		prof:   normalProfile,
		r:      rand.New(rand.NewPCG(uint64(cfg.Seed), 0x5eed_fa1e_3a4b)),
		start:  cfg.Start.Unix(),
		labels: make(Labels),
		out:    out,
	}
	g.end = g.start + int64(cfg.Days)*day
	if cfg.Tactic == Traps {
		g.prof = trapsProfile
	}
	g.linkSalt = g.r.Uint64()
	if cfg.Shuffle > 0 || cfg.Duplicates > 0 {
		g.chaos = newChaos(cfg, out)
	}
	sum := 0.0
	for h, w := range hourWeights {
		sum += w
		g.hourCum[h] = sum
	}
	g.buildSellers()
	g.buildBuyers()
	// account openings are merged into the stream from a sorted list
	// rather than queued, so the queue holds only the look-ahead
	g.opens = make([]opening, 0, len(g.sellers)+len(g.buyers))
	for _, s := range g.sellers {
		g.opens = append(g.opens, opening{at: s.opened, s: s})
	}
	for _, b := range g.buyers {
		g.opens = append(g.opens, opening{at: b.opened, b: b})
	}
	slices.SortStableFunc(g.opens, func(x, y opening) int { return cmpInt(x.at, y.at) })
	for d := -cfg.History; d < cfg.Days; d++ {
		ds := g.start + int64(d)*day
		if err := g.flush(ds); err != nil {
			return nil, err
		}
		g.day(d, ds)
	}
	if err := g.flush(g.end); err != nil {
		return nil, err
	}
	if g.chaos != nil {
		if err := g.chaos.close(); err != nil {
			return nil, err
		}
	}
	return g.labels, nil
}

// ---- the queue ----

type pending struct {
	at  int64
	seq uint64
	e   *fairmark.Event
}

type pqueue []pending

func (q pqueue) less(i, j int) bool {
	if q[i].at != q[j].at {
		return q[i].at < q[j].at
	}
	return q[i].seq < q[j].seq
}

func (q *pqueue) push(p pending) {
	*q = append(*q, p)
	h := *q
	i := len(h) - 1
	for i > 0 {
		parent := (i - 1) / 2
		if !h.less(i, parent) {
			break
		}
		h[i], h[parent] = h[parent], h[i]
		i = parent
	}
}

func (q *pqueue) pop() pending {
	h := *q
	top := h[0]
	n := len(h) - 1
	h[0] = h[n]
	h[n] = pending{}
	h = h[:n]
	i := 0
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && h.less(r, l) {
			m = r
		}
		if !h.less(m, i) {
			break
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
	*q = h
	return top
}

// push schedules e at unix time at; events at or after the end of the
// window are dropped.
func (g *gen) push(at int64, e *fairmark.Event) {
	if at >= g.end {
		return
	}
	g.seq++
	e.At = time.Unix(at, 0).UTC()
	g.q.push(pending{at, g.seq, e})
}

// opening is an account.opened event still to be emitted.
type opening struct {
	at int64
	s  *seller
	b  *buyer
}

func (o opening) event() *fairmark.Event {
	a := &fairmark.Account{}
	if o.s != nil {
		a.ID, a.Role, a.Name, a.Links = o.s.id, fairmark.Seller, o.s.name, &o.s.links
	} else {
		a.ID, a.Role, a.Name, a.Links = o.b.id, fairmark.Buyer, o.b.name, &o.b.links
	}
	return &fairmark.Event{Type: fairmark.AccountOpened, At: time.Unix(o.at, 0).UTC(), Account: a}
}

// flush emits every event before limit, openings and queued events merged
// by time (an opening first on a tie), assigning event ids in emission
// order.
func (g *gen) flush(limit int64) error {
	limit = min(limit, g.end)
	for {
		var p pending
		switch {
		case len(g.opens) > 0 && g.opens[0].at < limit && (len(g.q) == 0 || g.opens[0].at <= g.q[0].at):
			p.e = g.opens[0].event()
			g.opens = g.opens[1:]
		case len(g.q) > 0 && g.q[0].at < limit:
			p = g.q.pop()
		default:
			return nil
		}
		g.nEvent++
		p.e.ID = fairmark.EventID(padID("e", g.nEvent, 7))
		var err error
		if g.chaos != nil {
			err = g.chaos.add(p.e)
		} else {
			err = g.out(p.e)
		}
		if err != nil {
			return err
		}
	}
}

// ---- helpers ----

func (g *gen) timeOfDay() int64 {
	u := g.r.Float64() * g.hourCum[23]
	h := 0
	for h < 23 && g.hourCum[h] <= u {
		h++
	}
	return int64(h)*3600 + g.r.Int64N(3600)
}

// between returns a uniform duration in [lo, hi] seconds.
func (g *gen) between(lo, hi int64) int64 { return lo + g.r.Int64N(hi-lo+1) }

// expDur returns an exponential duration with the given mean, at least lo
// and at most hi seconds.
func (g *gen) expDur(lo int64, mean float64, hi int64) int64 {
	d := lo + int64(g.r.ExpFloat64()*mean)
	return min(d, hi)
}

func (g *gen) poisson(expNeg float64) int {
	k, p := 0, g.r.Float64()
	for p > expNeg && k < 8 {
		k++
		p *= g.r.Float64()
	}
	return k
}

func (g *gen) pickSeller() *seller {
	if g.avail == 0 {
		return nil
	}
	u := g.r.Float64() * g.cum[g.avail-1]
	i := sort.SearchFloat64s(g.cum[:g.avail], u)
	if i >= g.avail {
		i = g.avail - 1
	}
	return g.byOpen[i]
}

func (g *gen) newOrder() fairmark.OrderID {
	g.nOrder++
	return fairmark.OrderID(padID("o", g.nOrder, 7))
}

func (g *gen) newFeedback() fairmark.FeedbackID {
	g.nFb++
	return fairmark.FeedbackID(padID("f", g.nFb, 7))
}

func (g *gen) newConv() fairmark.ConversationID {
	g.nConv++
	return fairmark.ConversationID(padID("c", g.nConv, 7))
}

func (g *gen) msg(at int64, conv fairmark.ConversationID, o fairmark.OrderID, from, to fairmark.AccountID, text string) {
	g.nMsg++
	g.push(at, &fairmark.Event{Type: fairmark.MessageSent, Message: &fairmark.Message{
		ID: fairmark.MessageID(padID("m", g.nMsg, 7)), Conversation: conv, Order: o, From: from, To: to, Text: text}})
}

func (g *gen) feedback(at int64, f *fairmark.Feedback) {
	g.push(at, &fairmark.Event{Type: fairmark.FeedbackLeft, Feedback: f})
}

func (g *gen) report(at int64, rp *fairmark.Report) {
	g.nRep++
	rp.ID = fairmark.ReportID(padID("r", g.nRep, 6))
	g.push(at, &fairmark.Event{Type: fairmark.ReportFiled, Report: rp})
}

func (g *gen) sha256hex() string {
	var b [32]byte
	for i := 0; i < 32; i += 8 {
		x := g.r.Uint64()
		for j := range 8 {
			b[i+j] = byte(x >> (8 * j))
		}
	}
	return hex.EncodeToString(b[:])
}

func money(d fairmark.Decimal) *fairmark.Money { return &fairmark.Money{Value: d, Currency: "CNY"} }

// ---- the day ----

func (g *gen) day(d int, ds int64) {
	for g.avail < len(g.byOpen) && g.byOpen[g.avail].opened < ds {
		g.avail++
	}
	de := ds + day
	for _, b := range g.buyers {
		if b.opened >= ds {
			continue
		}
		for range g.poisson(b.expNegRate) {
			s := g.pickSeller()
			if s == nil {
				break
			}
			if b.kind == kExtortionist {
				// they shop "elsewhere": established sellers
				for try := 0; try < 4 && !s.established; try++ {
					s = g.pickSeller()
				}
				if !s.established {
					continue
				}
			}
			g.order(b, s, ds+g.timeOfDay(), false)
		}
		if b.kind == kExtortionist && d >= 0 {
			for b.nextAttack < de {
				if b.nextAttack >= ds {
					g.attack(b, b.nextAttack, ds)
				}
				b.nextAttack += g.interval(b)
			}
		}
	}
}

// order is an ordinary purchase and what follows it. camouflage forces a
// quick positive feedback.
func (g *gen) order(b *buyer, s *seller, t int64, camouflage bool) {
	r, p := g.r, g.prof
	it := s.items[r.IntN(len(s.items))]
	qty := int64(1)
	if !it.digital && it.price < 60*fairmark.DecimalScale && r.Float64() < 0.15 {
		qty = 2
	}
	o := g.newOrder()
	amount := money(it.price * fairmark.Decimal(qty))
	g.push(t, &fairmark.Event{Type: fairmark.OrderPlaced, Order: &fairmark.Order{ID: o, Buyer: b.id, Seller: s.id,
		Item: &fairmark.Item{ID: it.id, Title: it.title, Category: it.category, Digital: it.digital}, Amount: amount}})

	// chat about shipping, sizes, codes
	var conv fairmark.ConversationID
	chatP := 0.12
	switch {
	case b.tactic == OffPlatform:
		chatP = 0 // nothing on the chat at all
	case camouflage:
		chatP = 0.02
	}
	if r.Float64() < chatP {
		conv = g.newConv()
		at := t + g.between(30, 2*3600)
		ask, reply := askPhysical, replyPhysical
		if it.digital {
			ask, reply = askDigital, replyDigital
		}
		rounds := 1 + r.IntN(2)
		for range rounds {
			text := chatFill(r, pick(r, ask))
			if !it.digital && b.kind != kExtortionist && r.Float64() < 0.02 {
				text = chatFill(r, pick(r, deliveryPhone))
			}
			g.msg(at, conv, o, b.id, s.id, text)
			at += g.between(30, 3600)
			text = chatFill(r, pick(r, reply))
			pushed := r.Float64() < p.sellerPush
			if pushed {
				text = chatFill(r, pick(r, sellerPush))
			} else if r.Float64() < p.sellerPush {
				text = chatFill(r, pick(r, sellerCashback))
			}
			g.msg(at, conv, o, s.id, b.id, text)
			if pushed && r.Float64() < 0.1 {
				g.report(at+g.between(600, 2*day), &fairmark.Report{Reporter: b.id, Accused: s.id, Order: o,
					Kind: fairmark.ReportOffPlatformContact, Text: pick(r, reportBuyer)})
			}
			at += g.between(60, 4*3600)
		}
	}

	// delivery
	var delivered int64
	switch {
	case it.digital:
		delivered = t + g.between(5, 60)
	case s.bad:
		delivered = t + g.between(2*day, 7*day)
	default:
		delivered = t + g.between(day, 4*day)
	}
	if s.bad && r.Float64() < 0.05 {
		// never delivered: refunded a week later, often with a negative
		ref := t + g.between(7*day, 10*day)
		g.push(ref, &fairmark.Event{Type: fairmark.OrderRefunded, Order: &fairmark.Order{ID: o, Amount: amount}})
		if b.kind != kExtortionist && r.Float64() < 0.6 {
			g.feedback(ref+g.between(3600, 2*day), &fairmark.Feedback{ID: g.newFeedback(), Order: o, Buyer: b.id, Seller: s.id,
				Rating: fairmark.Negative, Stars: 1, Text: pick(r, negBadSeller)})
		}
		return
	}
	g.push(delivered, &fairmark.Event{Type: fairmark.OrderDelivered, Order: &fairmark.Order{ID: o}})

	// the honest "invalid card" complaint: quick, fixed on the platform, revised
	if it.digital && b.kind == kHonest && r.Float64() < p.cardTrap {
		g.cardTrap(b, s, o, conv, delivered)
		return
	}

	// feedback
	pFb, pNeg, pNeu := 0.5, 0.025, 0.035
	switch b.kind {
	case kHonest:
		if s.bad {
			pFb, pNeg, pNeu = 0.7, 0.55, 0.15
		}
	case kCritic:
		pFb, pNeg, pNeu = 0.85, 0.15, 0.15
		if s.bad {
			pNeg, pNeu = 0.75, 0.1
		}
	case kHarsh:
		pFb, pNeg, pNeu = 0.9, 0.4, 0.15
		if s.bad {
			pNeg, pNeu = 0.85, 0.1
		}
	case kExtortionist:
		pFb, pNeg, pNeu = 0.6, 0, 0
		if camouflage {
			pFb = 1
		}
	}
	if r.Float64() >= pFb {
		return
	}
	u := r.Float64()
	f0 := fairmark.Positive
	switch {
	case u < pNeg:
		f0 = fairmark.Negative
	case u < pNeg+pNeu:
		f0 = fairmark.Neutral
	}
	var at int64
	switch {
	case camouflage:
		at = delivered + g.between(600, 6*3600)
	case b.kind == kCritic || b.kind == kHarsh:
		at = delivered + g.expDur(day, 2*float64(day), 15*day)
	case it.digital && f0 == fairmark.Positive && r.Float64() < 0.2:
		// a card that works is sometimes confirmed at once
		at = delivered + g.between(300, 3600)
	default:
		at = delivered + g.expDur(day, 1.5*float64(day), 15*day)
	}
	f := &fairmark.Feedback{ID: g.newFeedback(), Order: o, Buyer: b.id, Seller: s.id}
	switch f0 {
	case fairmark.Negative:
		f.Rating, f.Stars = fairmark.Negative, 1+r.IntN(2)
		switch {
		case s.bad && r.Float64() < 0.6:
			f.Text = pick(r, negBadSeller)
		case it.digital:
			f.Text = pick(r, negDigitalHonest)
		default:
			f.Text = pick(r, negPhysicalHonest)
		}
	case fairmark.Neutral:
		f.Rating, f.Stars, f.Text = fairmark.Neutral, 3, pick(r, neutralTexts)
	default:
		f.Rating, f.Stars, f.Text = fairmark.Positive, 4+r.IntN(2), pick(r, positiveTexts)
	}
	g.feedback(at, f)
	if f.Rating == fairmark.Negative {
		g.afterHonestNegative(b, s, o, conv, amount, f, at)
	}
}

// afterHonestNegative is the seller's reaction to an honest negative:
// apologies, refunds, sometimes a revision by the buyer, sometimes a
// retaliatory report.
func (g *gen) afterHonestNegative(b *buyer, s *seller, o fairmark.OrderID, conv fairmark.ConversationID, amount *fairmark.Money, f *fairmark.Feedback, at int64) {
	r := g.r
	if conv == "" {
		conv = g.newConv()
	}
	if r.Float64() < g.prof.refundDemand {
		g.msg(at+g.between(300, 3600), conv, o, b.id, s.id, pick(r, buyerRefundDemand))
	}
	pSorry, pRefund := 0.5, 0.5
	if s.bad {
		pSorry, pRefund = 0.3, 0.3
	}
	if r.Float64() < pSorry {
		g.msg(at+g.between(600, day), conv, o, s.id, b.id, pick(r, sellerSorry))
	}
	if r.Float64() < pRefund {
		ref := at + g.between(3600, 3*day)
		g.push(ref, &fairmark.Event{Type: fairmark.OrderRefunded, Order: &fairmark.Order{ID: o, Amount: amount}})
		pRevise := 0.3
		switch b.kind {
		case kCritic:
			pRevise = 0.1
		case kHarsh:
			pRevise = 0
		}
		if r.Float64() < pRevise {
			g.push(ref+g.between(3600, 2*day), &fairmark.Event{Type: fairmark.FeedbackRevised, Feedback: &fairmark.Feedback{
				ID: f.ID, Rating: fairmark.Positive, Stars: 4, Text: pick(r, revisedAfterFixTexts)}})
		}
	}
	pReport := 0.02
	if s.bad && b.kind != kHonest {
		pReport = 0.15
	}
	if r.Float64() < pReport {
		kind := fairmark.ReportFakeFeedback
		if r.IntN(3) == 0 {
			kind = fairmark.ReportOther
		}
		g.report(at+g.between(3600, 3*day), &fairmark.Report{Reporter: s.id, Accused: b.id, Order: o, Feedback: f.ID,
			Kind: kind, Text: pick(r, reportFake)})
	}
}

// cardTrap is an honest buyer whose card really did not work: a negative
// minutes after delivery, a chat with the order number, a replacement, and
// a revision to positive.
func (g *gen) cardTrap(b *buyer, s *seller, o fairmark.OrderID, conv fairmark.ConversationID, delivered int64) {
	r := g.r
	if conv == "" {
		conv = g.newConv()
	}
	at := delivered + g.between(180, 900)
	f := &fairmark.Feedback{ID: g.newFeedback(), Order: o, Buyer: b.id, Seller: s.id, Rating: fairmark.Negative, Stars: 1, Text: pick(r, negCardInvalidHonest)}
	g.feedback(at, f)
	at += g.between(60, 300)
	g.msg(at, conv, o, b.id, s.id, "卡密提示无效，怎么回事？订单号 "+orderNumber(r))
	at += g.between(300, 3600)
	g.msg(at, conv, o, s.id, b.id, pick(r, []string{"抱歉亲，给您补发一张，请查收", "亲，这张卡有问题，已经给您重新发了", "sorry, resent a new code"}))
	at += g.between(600, 6*3600)
	if r.Float64() < 0.8 {
		g.push(at, &fairmark.Event{Type: fairmark.FeedbackRevised, Feedback: &fairmark.Feedback{ID: f.ID, Rating: fairmark.Positive, Stars: 5, Text: pick(r, revisedAfterFixTexts)}})
	} else {
		g.push(at, &fairmark.Event{Type: fairmark.FeedbackWithdrawn, Feedback: &fairmark.Feedback{ID: f.ID}})
	}
}

// ---- extortion ----

// pickVictim returns a new seller (opened between 25 days and 6 hours
// before t), preferring digital shops and sellers not yet hit by this
// extortionist or its ring.
func (g *gen) pickVictim(b *buyer, t int64) *seller {
	ns := g.newByOpen
	lo := sort.Search(len(ns), func(i int) bool { return ns[i].opened > t-25*day })
	hi := sort.Search(len(ns), func(i int) bool { return ns[i].opened > t-6*3600 })
	hit := &b.hit
	if b.ring != nil {
		hit = &b.ring.hit
	}
	var s *seller
	if lo < hi {
		for try := range 12 {
			c := ns[lo+g.r.IntN(hi-lo)]
			if (!c.digital && try < 6 && g.r.Float64() < 0.6) || (contains(*hit, c.idx) && try < 11) {
				continue
			}
			s = c
			break
		}
		if s == nil {
			s = ns[lo+g.r.IntN(hi-lo)]
		}
	} else {
		// no seller that young: the youngest one already open
		for i := len(g.byOpen) - 1; i >= 0; i-- {
			if g.byOpen[i].opened <= t-6*3600 {
				s = g.byOpen[i]
				break
			}
		}
	}
	if s != nil {
		*hit = append(*hit, s.idx)
	}
	return s
}

func contains(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

var demandAmounts = []int{20, 30, 30, 50, 50, 50, 50, 80, 100, 100, 150, 200}

// attack is one extortion: cheap purchase from a new seller, a negative
// within minutes, the demand (on the chat unless OffPlatform), payment and
// withdrawal or revision, sometimes a report by the victim.
func (g *gen) attack(b *buyer, t, ds int64) {
	r := g.r
	s := g.pickVictim(b, t)
	if s == nil {
		return
	}
	var it item
	if len(s.cheap) > 0 {
		it = s.items[s.cheap[r.IntN(len(s.cheap))]]
	} else {
		it = s.items[0]
		for _, x := range s.items[1:] {
			if x.price < it.price {
				it = x
			}
		}
	}
	o := g.newOrder()
	amount := money(it.price)
	g.push(t, &fairmark.Event{Type: fairmark.OrderPlaced, Order: &fairmark.Order{ID: o, Buyer: b.id, Seller: s.id,
		Item: &fairmark.Item{ID: it.id, Title: it.title, Category: it.category, Digital: it.digital}, Amount: amount}})
	if it.digital {
		g.push(t+g.between(10, 90), &fairmark.Event{Type: fairmark.OrderDelivered, Order: &fairmark.Order{ID: o}})
	} else {
		g.push(t+g.between(day, 3*day), &fairmark.Event{Type: fairmark.OrderDelivered, Order: &fairmark.Order{ID: o}})
	}
	negAt := t + g.between(120, 25*60)
	f := &fairmark.Feedback{ID: g.newFeedback(), Order: o, Buyer: b.id, Seller: s.id, Rating: fairmark.Negative, Stars: 1, Text: pick(r, negExtortion)}
	if it.digital && r.Float64() < 0.7 {
		f.Text = pick(r, negExtortionCard)
	}
	g.feedback(negAt, f)

	demand := pick(r, demandAmounts)
	at := negAt
	chat := b.tactic != OffPlatform
	var conv fairmark.ConversationID
	if chat {
		conv = g.newConv()
		say := func(text string) {
			at += g.between(60, 20*60)
			g.msg(at, conv, o, b.id, s.id, text)
		}
		sellerSays := func(text string) {
			at += g.between(60, 30*60)
			g.msg(at, conv, o, s.id, b.id, text)
		}
		opener := pick(r, openers)
		withOpener := func(s string) string {
			if opener == "" {
				return s
			}
			return opener + "，" + s
		}
		switch r.IntN(5) {
		case 0: // contact only, the demand comes off the platform
			say(withOpener(contactPhrase(r)))
		case 1: // demand only
			say(withOpener(demandPhrase(r, demand)))
		case 2: // both in one message
			if r.IntN(2) == 0 {
				say(demandPhrase(r, demand) + "，" + contactPhrase(r))
			} else {
				say(contactPhrase(r) + " " + demandPhrase(r, demand))
			}
		case 3: // contact, the seller asks, the demand
			say(withOpener(contactPhrase(r)))
			sellerSays(pick(r, sellerQ))
			say(demandPhrase(r, demand))
		default: // an opener, the seller asks, demand and contact
			say(pick(r, []string{"在吗", "老板在吗", "hello?", "卖家出来一下", "看看你的差评"}))
			sellerSays(pick(r, sellerQ))
			say(demandPhrase(r, demand) + "，" + contactPhrase(r))
		}
	}

	paid := r.Float64() < 0.7
	pReport := 0.45
	var paidAmount *fairmark.Money
	if paid {
		pReport = 0.2
		amt := demand
		if r.Float64() < 0.2 {
			amt = demand * (5 + r.IntN(4)) / 10 // bargained down
		}
		paidAmount = yuan(amt)
		payAt := at + g.between(20*60, day)
		if chat && r.Float64() < 0.25 {
			g.msg(payAt, conv, o, s.id, b.id, pick(r, sellerPaid))
		}
		undo := payAt + g.between(600, day)
		if r.Float64() < 0.55 {
			g.push(undo, &fairmark.Event{Type: fairmark.FeedbackWithdrawn, Feedback: &fairmark.Feedback{ID: f.ID}})
		} else {
			g.push(undo, &fairmark.Event{Type: fairmark.FeedbackRevised, Feedback: &fairmark.Feedback{ID: f.ID, Rating: fairmark.Positive, Stars: 5, Text: pick(r, revisedExtortion)}})
		}
	} else {
		if chat && r.Float64() < 0.4 {
			g.msg(at+g.between(2*3600, day), conv, o, b.id, s.id, pick(r, followUp))
		}
		if r.Float64() < 0.15 {
			g.push(at+g.between(3600, day), &fairmark.Event{Type: fairmark.OrderRefunded, Order: &fairmark.Order{ID: o, Amount: amount}})
		}
	}
	if r.Float64() < pReport {
		rp := &fairmark.Report{Reporter: s.id, Accused: b.id, Order: o, Feedback: f.ID, Kind: fairmark.ReportExtortion, Paid: paidAmount}
		switch {
		case !chat:
			rp.Text = pick(r, []string{"买家打电话勒索，说不给钱就继续差评", "买家短信威胁，要求转账{a}元", "拍完马上差评，然后打电话要{a}元", "buyer phoned me demanding {a} RMB to remove the remark"})
		case r.Float64() < 0.15:
			rp.Kind, rp.Text = fairmark.ReportOffPlatformContact, pick(r, reportOffPlatform)
		case b.ring != nil && r.Float64() < 0.4:
			rp.Text = pick(r, reportRing)
		default:
			rp.Text = pick(r, reportExtortion)
		}
		rp.Text = fill(rp.Text, "a", strconv.Itoa(demand))
		if r.Float64() < 0.5 {
			for range 1 + r.IntN(2) {
				ev := pick(r, evidence)
				rp.Evidence = append(rp.Evidence, fairmark.EvidenceRef{Kind: ev.kind, SHA256: g.sha256hex(), Note: ev.note})
			}
		}
		g.report(negAt+g.between(3600, 5*day), rp)
	}

	if b.tactic == Camouflage {
		// the cover: several quick positive purchases elsewhere the same day
		for range 5 + r.IntN(4) {
			var cs *seller
			if len(g.estDigital) > 0 {
				cs = g.estDigital[r.IntN(len(g.estDigital))]
			} else if cs = g.pickSeller(); cs == nil {
				break
			}
			g.order(b, cs, ds+g.timeOfDay(), true)
		}
	}
}
