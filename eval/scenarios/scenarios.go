// Package scenarios generates labelled marketplace scenarios for tests,
// written independently of package sim: its own marketplaces, id formats,
// currencies, catalogues, chat texts and timings, emitted only as NDJSON in
// the v1 event contract (spec/events.md) plus `account,label` CSV. Nothing
// here imports the engine, so the scenarios can only reach it the way an
// outside evaluator's would: through the events.
package scenarios

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"time"
)

// Tactic names one scenario family.
type Tactic string

// The scenario families. Every one but Traps has extortionists.
const (
	Classic     Tactic = "classic"      // new account, cheap digital items, fast negative, demand with off-platform contact on chat
	SlowDrip    Tactic = "slow_drip"    // one victim every 10–20 days
	Sybil       Tactic = "sybil"        // rings of accounts sharing device/ip/payment/phone links, one or two victims each
	Camouflage  Tactic = "camouflage"   // aged accounts with 80%+ positives elsewhere
	OffPlatform Tactic = "off_platform" // nothing said on the marketplace's chat; behaviour and paid-off withdrawals only
	Traps       Tactic = "traps"        // no extortionists; many honest look-alikes
)

// Tactics lists every family.
var Tactics = []Tactic{Classic, SlowDrip, Sybil, Camouflage, OffPlatform, Traps}

// Market is one marketplace's conventions.
type Market struct {
	Name       string
	Chinese    bool   // item titles and chat mix Chinese and English; English only otherwise
	Currency   string // CNY or USD
	Deliveries bool   // the marketplace reports order.delivered
	IDs        string // "prefixed" (U-93842), "uuid" or "numeric"
	Start      time.Time
}

// Markets are the marketplaces scenarios run on.
var Markets = []Market{
	{Name: "cn", Chinese: true, Currency: "CNY", Deliveries: true, IDs: "prefixed", Start: time.Date(2026, 4, 6, 0, 0, 0, 0, time.UTC)},
	{Name: "us", Chinese: false, Currency: "USD", Deliveries: false, IDs: "uuid", Start: time.Date(2025, 10, 13, 0, 0, 0, 0, time.UTC)},
	{Name: "num", Chinese: true, Currency: "CNY", Deliveries: false, IDs: "numeric", Start: time.Date(2026, 1, 19, 0, 0, 0, 0, time.UTC)},
}

// Config sizes one scenario.
type Config struct {
	Seed          uint64
	Market        Market
	Tactic        Tactic
	Buyers        int // honest buyers
	Sellers       int
	Extortionists int // ignored for Traps
	Days          int
}

// Scenario is a generated marketplace: NDJSON events (in no particular
// order) and `account,label` CSV. Extortionists are labelled
// "extortionist"; honest buyers carry a label saying what they are.
type Scenario struct {
	Events []byte
	Labels []byte
	// Count of accounts per label, for reports.
	LabelCounts map[string]int
}

// Generate builds the scenario cfg describes. The same cfg gives the same
// bytes.
func Generate(cfg Config) Scenario {
	if cfg.Days == 0 {
		cfg.Days = 70
	}
	g := &gen{cfg: cfg, m: cfg.Market, r: rand.New(rand.NewPCG(cfg.Seed, uint64(len(cfg.Tactic))*7919+uint64(len(cfg.Market.Name)))), labels: map[string]string{}, used: map[string]bool{}}
	g.openShops()
	g.honest()
	if cfg.Tactic != Traps {
		g.extortion()
	}
	var labels bytes.Buffer
	labels.WriteString("account,label\n")
	ids := make([]string, 0, len(g.labels))
	for id := range g.labels {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	counts := map[string]int{}
	for _, id := range ids {
		fmt.Fprintf(&labels, "%s,%s\n", id, g.labels[id])
		counts[g.labels[id]]++
	}
	return Scenario{Events: g.out.Bytes(), Labels: labels.Bytes(), LabelCounts: counts}
}

type seller struct {
	id      string
	opened  time.Time
	isNew   bool
	bad     bool    // sells cards that often do not work
	negRate float64 // honest negative rate
	items   []item
	weight  float64
}

type item struct {
	id, title, category string
	digital             bool
	cents               int
}

type gen struct {
	cfg     Config
	m       Market
	r       *rand.Rand
	out     bytes.Buffer
	n       int
	labels  map[string]string
	used    map[string]bool
	sellers []*seller
	total   float64
}

func (g *gen) start() time.Time { return g.m.Start }
func (g *gen) end() time.Time   { return g.m.Start.Add(time.Duration(g.cfg.Days) * 24 * time.Hour) }

// id returns a fresh identifier of kind ("buyer", "seller", "order", …) in
// the market's style.
func (g *gen) id(kind string) string {
	for {
		var s string
		switch g.m.IDs {
		case "uuid":
			s = fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", g.r.Uint32(), g.r.IntN(1<<16), g.r.IntN(1<<12), 0x8000|g.r.IntN(1<<14), g.r.Uint64()&(1<<48-1))
		case "numeric":
			s = fmt.Sprintf("%d", 10_000_000+g.r.IntN(89_999_999))
		default:
			p := map[string]string{"buyer": "U", "seller": "S", "order": "ORD", "item": "SKU", "feedback": "FB", "message": "MSG", "conv": "CV", "report": "RPT", "event": "ev", "link": "h"}[kind]
			s = fmt.Sprintf("%s-%05d", p, g.r.IntN(100000))
			if kind == "event" || kind == "message" || kind == "order" || kind == "feedback" {
				s = fmt.Sprintf("%s-%08d", p, g.r.IntN(100_000_000))
			}
		}
		if !g.used[s] {
			g.used[s] = true
			return s
		}
	}
}

func (g *gen) money(cents int) map[string]string {
	return map[string]string{"value": fmt.Sprintf("%d.%02d", cents/100, cents%100), "currency": g.m.Currency}
}

func (g *gen) emit(typ string, at time.Time, noun string, payload any) {
	line := map[string]any{"id": g.id("event"), "type": typ, "at": at.UTC().Format(time.RFC3339), noun: payload}
	b, err := json.Marshal(line)
	if err != nil {
		panic(err)
	}
	g.out.Write(b)
	g.out.WriteByte('\n')
	g.n++
}

func (g *gen) account(id, role string, at time.Time, links map[string]string) {
	acc := map[string]any{"id": id, "role": role}
	if len(links) > 0 {
		acc["links"] = links
	}
	if role == "seller" && g.r.IntN(2) == 0 {
		acc["name"] = g.pick(shopNames(g.m.Chinese))
	}
	g.emit("account.opened", at, "account", acc)
}

// ownLinks gives an account its own device, ip and payment hashes;
// honest buyers sometimes share an IP with a campus or office.
func (g *gen) ownLinks(sharedIP string) map[string]string {
	l := map[string]string{"device": "dev:" + g.id("link"), "payment": "pay:" + g.id("link")}
	if sharedIP != "" {
		l["ip"] = sharedIP
	} else {
		l["ip"] = "ip:" + g.id("link")
	}
	if g.r.IntN(3) == 0 {
		l["phone"] = "tel:" + g.id("link")
	}
	return l
}

func (g *gen) pick(xs []string) string { return xs[g.r.IntN(len(xs))] }

func (g *gen) minutes(lo, hi int) time.Duration {
	return time.Duration(lo+g.r.IntN(hi-lo+1)) * time.Minute
}

// when returns a time in the window, at least margin days before its end.
func (g *gen) when(fromDay, margin int) time.Time {
	span := g.cfg.Days - margin - fromDay
	if span < 1 {
		span = 1
	}
	return g.start().Add(time.Duration(fromDay)*24*time.Hour + time.Duration(g.r.Int64N(int64(span)*24*int64(time.Hour))))
}

func (g *gen) openShops() {
	n := g.cfg.Sellers
	bad := 1
	if g.cfg.Tactic == Traps {
		bad = 4
	}
	for i := range n {
		s := &seller{id: g.id("seller"), negRate: 0.02 + 0.05*g.r.Float64()}
		s.isNew = i%3 == 0
		if s.isNew {
			s.opened = g.start().Add(time.Duration(g.r.IntN(g.cfg.Days*2/3)) * 24 * time.Hour).Add(g.minutes(0, 1400))
			s.weight = 0.3 + 0.5*g.r.Float64()
		} else {
			s.opened = g.start().Add(-time.Duration(60+g.r.IntN(900)) * 24 * time.Hour)
			s.weight = 0.5 + 2*g.r.Float64()
		}
		cats := catalogue(g.m)
		for range 1 + g.r.IntN(2) {
			c := cats[g.r.IntN(len(cats))]
			for _, t := range c.titles {
				cents := c.lo + g.r.IntN(c.hi-c.lo+1)
				cents -= cents % 100
				if g.r.IntN(3) == 0 {
					cents += 99 - 100
				}
				if cents < 100 {
					cents = 100
				}
				s.items = append(s.items, item{id: g.id("item"), title: t, category: c.name, digital: c.digital, cents: cents})
			}
		}
		if i < bad {
			// a genuinely bad new seller of cards that often do not work
			s.bad, s.isNew = true, true
			s.opened = g.start().Add(time.Duration(g.r.IntN(g.cfg.Days/4)) * 24 * time.Hour)
			s.weight = 2.5
			s.items = nil
			c := cats[0]
			for _, t := range c.titles {
				s.items = append(s.items, item{id: g.id("item"), title: t, category: c.name, digital: true, cents: c.lo + 100*g.r.IntN(3)})
			}
		}
		g.account(s.id, "seller", s.opened, nil)
		g.sellers = append(g.sellers, s)
	}
	for _, s := range g.sellers {
		g.total += s.weight
	}
}

// open returns a seller open for business at t, chosen by weight.
func (g *gen) shop(t time.Time, filter func(*seller) bool) *seller {
	for range 200 {
		x := g.r.Float64() * g.total
		for _, s := range g.sellers {
			x -= s.weight
			if x <= 0 {
				if s.opened.Before(t) && (filter == nil || filter(s)) {
					return s
				}
				break
			}
		}
	}
	for _, s := range g.sellers {
		if s.opened.Before(t) && (filter == nil || filter(s)) {
			return s
		}
	}
	return nil
}

type order struct {
	id     string
	buyer  string
	s      *seller
	it     item
	placed time.Time
	deliv  time.Time
	conv   string
}

func (g *gen) place(buyer string, s *seller, it item, at time.Time) *order {
	o := &order{id: g.id("order"), buyer: buyer, s: s, it: it, placed: at, conv: g.id("conv")}
	g.emit("order.placed", at, "order", map[string]any{
		"id": o.id, "buyer": buyer, "seller": s.id,
		"item":   map[string]any{"id": it.id, "title": it.title, "category": it.category, "digital": it.digital},
		"amount": g.money(it.cents),
	})
	if it.digital {
		o.deliv = at.Add(g.minutes(0, 3))
	} else {
		o.deliv = at.Add(time.Duration(24+g.r.IntN(96)) * time.Hour)
	}
	if g.m.Deliveries {
		g.emit("order.delivered", o.deliv, "order", map[string]any{"id": o.id})
	}
	return o
}

func (g *gen) feedback(o *order, at time.Time, rating, text string) string {
	id := g.id("feedback")
	stars := map[string]int{"positive": 4 + g.r.IntN(2), "neutral": 3, "negative": 1 + g.r.IntN(2)}[rating]
	fb := map[string]any{"id": id, "order": o.id, "buyer": o.buyer, "seller": o.s.id, "rating": rating, "text": text}
	if g.r.IntN(4) != 0 {
		fb["stars"] = stars
	}
	g.emit("feedback.left", at, "feedback", fb)
	return id
}

func (g *gen) say(o *order, from, to string, at time.Time, text string) {
	g.emit("message.sent", at, "message", map[string]any{"id": g.id("message"), "conversation": o.conv, "order": o.id, "from": from, "to": to, "text": text})
}

func (g *gen) item(s *seller, cheapDigital bool) item {
	if cheapDigital {
		var c []item
		for _, it := range s.items {
			if it.digital && it.cents <= cheapCents(g.m) {
				c = append(c, it)
			}
		}
		if len(c) > 0 {
			return c[g.r.IntN(len(c))]
		}
	}
	return s.items[g.r.IntN(len(s.items))]
}

func cheapCents(m Market) int {
	if m.Currency == "USD" {
		return 3000
	}
	return 10000
}

// honest generates the honest population, trap behaviours included.
func (g *gen) honest() {
	traps := g.cfg.Tactic == Traps
	// campus / office IPs shared by many honest buyers
	var sharedIPs []string
	for range 1 + g.cfg.Buyers/150 {
		sharedIPs = append(sharedIPs, "ip:"+g.id("link"))
	}
	for range g.cfg.Buyers {
		id := g.id("buyer")
		label := "honest"
		harsh, fixer, critic := false, false, false
		x := g.r.Float64()
		rate := 0.02
		if traps {
			rate = 0.06
		}
		switch {
		case x < rate:
			label, harsh = "harsh_reviewer", true
		case x < 2*rate:
			label, fixer = "fixer", true
		case x < 3*rate:
			label, critic = "critic", true
		}
		opened := g.start().Add(-time.Duration(g.r.IntN(700)) * 24 * time.Hour)
		if g.r.IntN(5) == 0 {
			opened = g.when(0, 7)
		}
		ip := ""
		if g.r.IntN(8) == 0 {
			ip = sharedIPs[g.r.IntN(len(sharedIPs))]
		}
		g.account(id, "buyer", opened, g.ownLinks(ip))
		n := 1 + g.r.IntN(6)
		if harsh {
			n = 6 + g.r.IntN(8)
		}
		if fixer || critic {
			n = 2 + g.r.IntN(4)
		}
		for k := range n {
			at := g.when(0, 2)
			if at.Before(opened) {
				at = opened.Add(g.minutes(5, 600))
			}
			s := g.shop(at, nil)
			if s == nil {
				continue
			}
			it := g.item(s, fixer && k == 0)
			if fixer && k == 0 && !it.digital {
				// a fixer's story needs a card; find a shop that sells them
				if s2 := g.shop(at, func(s *seller) bool { return hasCheapDigital(s, g.m) && !s.bad }); s2 != nil {
					s, it = s2, g.item(s2, true)
				}
			}
			o := g.place(id, s, it, at)
			if s.bad {
				label = "bad_seller_customer"
				if g.r.Float64() < 0.5 {
					g.cardFailed(o, g.r.Float64() < 0.5)
					continue
				}
			}
			if fixer && k == 0 {
				g.cardFailed(o, true)
				continue
			}
			g.ordinary(o, harsh, critic)
		}
		g.labels[id] = label
	}
}

func hasCheapDigital(s *seller, m Market) bool {
	for _, it := range s.items {
		if it.digital && it.cents <= cheapCents(m) {
			return true
		}
	}
	return false
}

// ordinary is an honest purchase's aftermath.
func (g *gen) ordinary(o *order, harsh, critic bool) {
	zh := g.m.Chinese && g.r.IntN(4) != 0
	if !o.it.digital && g.r.IntN(25) == 0 {
		// a phone number for the courier, or asking when it ships
		g.say(o, o.buyer, o.s.id, o.placed.Add(g.minutes(10, 600)), g.pick(deliveryNotes(zh)))
		if g.r.IntN(2) == 0 {
			g.say(o, o.s.id, o.buyer, o.placed.Add(g.minutes(620, 900)), g.pick(sellerOK(zh)))
		}
	}
	p := 0.6
	if harsh || critic {
		p = 0.95
	}
	if g.r.Float64() > p {
		return
	}
	neg := o.s.negRate
	if harsh {
		neg = 0.75
	}
	if critic {
		neg = 0.4
	}
	after := o.deliv
	if after.Before(o.placed) {
		after = o.placed
	}
	switch {
	case g.r.Float64() < neg:
		// honest negatives come after using the thing: hours to days
		d := g.minutes(180, 7*24*60)
		if o.it.digital && g.r.IntN(3) == 0 {
			d = g.minutes(20, 600)
		}
		at := after.Add(d)
		fid := g.feedback(o, at, "negative", g.pick(honestNegative(zh, o.it.digital, harsh || critic)))
		if g.r.IntN(6) == 0 {
			// a refund request on chat; sometimes refunded, then the buyer
			// softens the remark
			g.say(o, o.buyer, o.s.id, at.Add(g.minutes(5, 300)), g.pick(refundAsk(zh)))
			if g.r.IntN(2) == 0 {
				rt := at.Add(g.minutes(300, 3000))
				g.emit("order.refunded", rt, "order", map[string]any{"id": o.id, "amount": g.money(o.it.cents)})
				if g.r.IntN(2) == 0 {
					g.emit("feedback.revised", rt.Add(g.minutes(30, 2000)), "feedback", map[string]any{"id": fid, "rating": "neutral", "text": g.pick(afterRefund(zh))})
				}
			}
		}
	case g.r.Float64() < 0.06:
		g.feedback(o, after.Add(g.minutes(60, 5*24*60)), "neutral", g.pick(neutralTexts(zh)))
	default:
		g.feedback(o, after.Add(g.minutes(5, 6*24*60)), "positive", g.pick(positiveTexts(zh)))
	}
}

// cardFailed: an honest buyer's card does not work; a fast, honest
// negative. With fixed, the seller re-sends a working one on the chat
// and the buyer turns the remark positive without any refund.
func (g *gen) cardFailed(o *order, fixed bool) {
	zh := g.m.Chinese && g.r.IntN(4) != 0
	at := o.placed.Add(g.minutes(3, 90))
	if g.r.IntN(2) == 0 {
		g.say(o, o.buyer, o.s.id, at.Add(-g.minutes(1, 2)), g.pick(cardBroken(zh)))
	}
	fid := g.feedback(o, at, "negative", g.pick(honestNegative(zh, true, false)))
	if o.s.bad {
		if g.r.IntN(3) == 0 {
			g.emit("order.refunded", at.Add(g.minutes(600, 4000)), "order", map[string]any{"id": o.id, "amount": g.money(o.it.cents)})
		}
		return
	}
	if fixed {
		g.say(o, o.s.id, o.buyer, at.Add(g.minutes(20, 240)), g.pick(sellerResend(zh)))
		rev := at.Add(g.minutes(260, 1500))
		if g.r.IntN(3) == 0 {
			g.emit("feedback.withdrawn", rev, "feedback", map[string]any{"id": fid})
		} else {
			g.emit("feedback.revised", rev, "feedback", map[string]any{"id": fid, "rating": "positive", "text": g.pick(fixedTexts(zh))})
		}
	}
}

// extortion generates the scenario's extortionists.
func (g *gen) extortion() {
	n := g.cfg.Extortionists
	switch g.cfg.Tactic {
	case Sybil:
		for n > 0 {
			size := min(n, 3+g.r.IntN(3))
			g.ring(size)
			n -= size
		}
	default:
		for range n {
			g.extortionist()
		}
	}
}

func (g *gen) extortionist() {
	id := g.id("buyer")
	g.labels[id] = "extortionist"
	t := g.cfg.Tactic
	first := g.when(0, 25)
	opened := first.Add(-g.minutes(30, 3*24*60))
	if t == Camouflage || t == SlowDrip {
		first = g.when(0, g.cfg.Days*2/3)
		opened = g.start().Add(-time.Duration(30+g.r.IntN(400)) * 24 * time.Hour)
	}
	g.account(id, "buyer", opened, g.ownLinks(""))
	victims := 3 + g.r.IntN(4)
	hit := map[*seller]bool{}
	at := first
	for v := range victims {
		if at.After(g.end()) {
			break
		}
		g.hit(id, at, t, hit)
		switch t {
		case SlowDrip:
			at = at.Add(time.Duration(10+g.r.IntN(11))*24*time.Hour + g.minutes(0, 600))
		default:
			// bursts: the next victim within a day or two, a pause now and then
			gap := g.minutes(90, 48*60)
			if v%3 == 2 {
				gap = time.Duration(5+g.r.IntN(10)) * 24 * time.Hour
			}
			at = at.Add(gap)
		}
	}
	if t == Camouflage {
		// aged account with plenty of genuine, satisfied purchases elsewhere
		for range 12 + g.r.IntN(14) {
			at := g.when(0, 2)
			s := g.shop(at, func(s *seller) bool { return !s.bad })
			if s == nil {
				continue
			}
			o := g.place(id, s, g.item(s, false), at)
			after := o.deliv
			g.feedback(o, after.Add(g.minutes(30, 3*24*60)), "positive", g.pick(positiveTexts(g.m.Chinese && g.r.IntN(3) != 0)))
		}
	}
}

// ring makes size accounts linked in a chain of shared device, phone or
// payment hashes (never all the same one), each extorting one or two
// sellers, the ring's victims distinct and close in time.
func (g *gen) ring(size int) {
	first := g.when(0, 20)
	hit := map[*seller]bool{}
	var prev map[string]string
	for i := range size {
		id := g.id("buyer")
		g.labels[id] = "extortionist"
		l := g.ownLinks("")
		if prev != nil {
			switch g.r.IntN(4) {
			case 0:
				l["device"] = prev["device"]
			case 1:
				l["payment"] = prev["payment"]
			case 2:
				if prev["phone"] == "" {
					prev["phone"] = "tel:" + g.id("link")
				}
				l["phone"] = prev["phone"]
			default:
				l["ip"] = prev["ip"]
				l["device"] = prev["device"]
			}
		}
		prev = l
		at := first.Add(time.Duration(i)*g.minutes(60, 30*60) + g.minutes(0, 600))
		g.account(id, "buyer", at.Add(-g.minutes(20, 2*24*60)), l)
		for range 1 + g.r.IntN(2) {
			g.hit(id, at, Sybil, hit)
			at = at.Add(g.minutes(120, 4*24*60))
		}
	}
}

// hit is one extortion of a seller not in hit (complainers move on to a
// new victim each time): a cheap purchase, a fast negative, the demand
// (on the chat, or for OffPlatform elsewhere), and for some sellers the
// payment and the withdrawal of the remark.
func (g *gen) hit(buyer string, at time.Time, t Tactic, hit map[*seller]bool) {
	preferNew := g.r.Float64() < 0.7
	s := g.shop(at, func(s *seller) bool {
		return !s.bad && !hit[s] && hasCheapDigital(s, g.m) && (!preferNew || s.isNew)
	})
	if s == nil {
		s = g.shop(at, func(s *seller) bool { return !s.bad && !hit[s] })
	}
	if s == nil {
		return
	}
	hit[s] = true
	cheap := g.r.IntN(8) != 0
	o := g.place(buyer, s, g.item(s, cheap), at)
	zh := g.m.Chinese && g.r.IntN(5) != 0
	delay := g.minutes(2, 240)
	if g.r.IntN(7) == 0 {
		delay = g.minutes(20*60, 30*60) // waits about a day
	}
	nt := at.Add(delay)
	fid := g.feedback(o, nt, "negative", g.pick(extortionNegative(zh)))
	talk := t != OffPlatform
	mt := nt.Add(g.minutes(2, 90))
	if talk {
		switch x := g.r.IntN(10); {
		case x < 6: // demand with contact
			g.say(o, buyer, s.id, mt, g.pick(demands(zh, g.currencySign()))+" "+g.contact(zh))
		case x < 8: // contact first, the demand later
			g.say(o, buyer, s.id, mt, g.pick(contactLeadIns(zh))+" "+g.contact(zh))
			g.say(o, buyer, s.id, mt.Add(g.minutes(5, 120)), g.pick(demands(zh, g.currencySign())))
		default: // demand only, money on the platform or unspecified
			g.say(o, buyer, s.id, mt, g.pick(demands(zh, g.currencySign())))
		}
		if g.r.IntN(2) == 0 {
			g.say(o, s.id, buyer, mt.Add(g.minutes(3, 60)), g.pick(sellerRefuses(zh)))
		}
	}
	pay := 0.25
	if s.isNew {
		pay = 0.55
	}
	paid := g.r.Float64() < pay
	if paid {
		wt := mt.Add(g.minutes(60, 36*60))
		if g.r.IntN(2) == 0 {
			g.emit("feedback.withdrawn", wt, "feedback", map[string]any{"id": fid})
		} else {
			g.emit("feedback.revised", wt, "feedback", map[string]any{"id": fid, "rating": "positive", "text": g.pick(paidOff(zh))})
		}
	}
	if t != OffPlatform && (!paid && g.r.IntN(3) == 0 || paid && g.r.IntN(6) == 0) {
		rep := map[string]any{"id": g.id("report"), "reporter": s.id, "accused": buyer, "order": o.id, "feedback": fid, "kind": "extortion", "text": g.pick(reportTexts(zh))}
		if paid {
			rep["paid"] = g.money(500 + 100*g.r.IntN(20))
		}
		g.emit("report.filed", mt.Add(g.minutes(120, 3000)), "report", rep)
	}
}

func (g *gen) currencySign() string {
	if g.m.Currency == "USD" {
		return "$"
	}
	return "¥"
}

// contact writes an off-platform contact in one of the disguises people
// use to get past a chat filter.
func (g *gen) contact(zh bool) string {
	digits := func(n int) string {
		var b strings.Builder
		b.WriteByte(byte('1' + g.r.IntN(9)))
		for range n - 1 {
			b.WriteByte(byte('0' + g.r.IntN(10)))
		}
		return b.String()
	}
	spaced := func(s string) string { return strings.Join(strings.Split(s, ""), " ") }
	handle := g.pick([]string{"abc", "lucky", "tom", "xiaomei", "kk", "refund", "fast", "ming"}) + g.pick([]string{"_", "", "."}) + digits(3+g.r.IntN(3))
	mobile := "1" + g.pick([]string{"38", "39", "57", "86", "50"}) + digits(8)[:8]
	cnNum := func(s string) string {
		zhd := []string{"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"}
		var b strings.Builder
		for _, c := range s {
			b.WriteString(zhd[c-'0'])
		}
		return b.String()
	}
	if zh {
		qq := digits(9 + g.r.IntN(2))
		return g.pick([]string{
			"加V: " + handle,
			"扣扣 " + spaced(qq),
			"企鹅 " + cnNum(qq),
			"wx同号 " + mobile,
			"VX：" + handle,
			"薇信 " + handle,
			"电话 " + mobile[:3] + "-" + mobile[3:7] + "-" + mobile[7:],
			"q q：" + qq,
			"加我微信 " + handle + " 详聊",
		})
	}
	us := fmt.Sprintf("+1 %s 555 %04d", g.pick([]string{"415", "646", "312", "213"}), g.r.IntN(10000))
	return g.pick([]string{
		"whatsapp " + us,
		"call me " + mobile[:3] + "-" + mobile[3:7] + "-" + mobile[7:],
		"telegram @" + handle,
		"text me at (" + us[3:6] + ") 555-" + fmt.Sprintf("%04d", g.r.IntN(10000)),
		"add me on wechat: " + handle,
		"hit me up on whats app, " + us,
		"my tg is " + handle + " (t dot me)",
	})
}
