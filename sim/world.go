package sim

import (
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/fairmark/fairmark"
)

// This file builds the world: sellers with their catalogues, buyers with
// their habits and links, extortionists with their playbooks.

const day = int64(24 * time.Hour / time.Second)

type item struct {
	id       fairmark.ItemID
	title    string
	category string
	digital  bool
	price    fairmark.Decimal
}

type seller struct {
	idx         int
	id          fairmark.AccountID
	name        string
	opened      int64 // unix seconds
	established bool
	bad         bool
	digital     bool
	weight      float64
	items       []item
	cheap       []int // indexes of items at most 100 yuan
	links       fairmark.Links
}

type kind uint8

const (
	kHonest kind = iota
	kCritic
	kHarsh
	kExtortionist
)

var kindLabel = [...]string{LabelHonest, LabelHonestCritic, LabelHarshReviewer, LabelExtortionist}

type buyer struct {
	id         fairmark.AccountID
	name       string
	opened     int64
	kind       kind
	tactic     Tactic // extortionists only
	expNegRate float64
	links      fairmark.Links
	ring       *ring
	nextAttack int64
	hit        []int // sellers this extortionist already hit (unless in a ring)
}

// ring is a sybil ring: its members share links and spread their remarks
// over different sellers.
type ring struct {
	members []*buyer
	hit     []int
}

// profile holds the rates that differ between Traps and the other tactics.
type profile struct {
	newShare, badShare       float64 // of sellers
	criticShare, harshShare  float64 // of ordinary buyers
	cardTrap                 float64 // honest quick "card invalid" complaint, fixed and revised
	household, sharedDevice  float64 // of buyers sharing an ip / device with another
	cafePer                  int     // one café ip per this many buyers
	sellerPush, refundDemand float64
}

var (
	normalProfile = profile{newShare: 0.3, badShare: 0.03, criticShare: 0.03, harshShare: 0.015, cardTrap: 0.004,
		household: 0.04, sharedDevice: 0.01, cafePer: 4000, sellerPush: 0.01, refundDemand: 0.1}
	trapsProfile = profile{newShare: 0.3, badShare: 0.08, criticShare: 0.08, harshShare: 0.04, cardTrap: 0.03,
		household: 0.08, sharedDevice: 0.02, cafePer: 2000, sellerPush: 0.03, refundDemand: 0.25}
)

func padID(prefix string, n, width int) string {
	s := strconv.Itoa(n)
	if len(s) >= width {
		return prefix + s
	}
	b := make([]byte, 0, len(prefix)+width)
	b = append(b, prefix...)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return string(append(b, s...))
}

// linkID returns a unique opaque link value: a bijective mix of a counter.
func (g *gen) linkID(prefix string) string {
	g.nLink++
	x := uint64(g.nLink)*0x9E3779B97F4A7C15 ^ g.linkSalt
	h := strconv.FormatUint(x, 16)
	return prefix + "0000000000000000"[len(h):] + h
}

func cents(c int64) fairmark.Decimal { return fairmark.Decimal(c * fairmark.DecimalScale / 100) }

func yuan(y int) *fairmark.Money {
	return &fairmark.Money{Value: fairmark.Decimal(int64(y) * fairmark.DecimalScale), Currency: "CNY"}
}

func (g *gen) buildSellers() {
	r, cfg, p := g.r, g.cfg, g.prof
	n := cfg.Sellers
	nNew := int(math.Round(float64(n) * p.newShare))
	if nNew == 0 && n >= 2 {
		nNew = 1
	}
	nBad := int(math.Round(float64(n) * p.badShare))
	if nBad == 0 && n >= 10 {
		nBad = 1
	}
	perm := r.Perm(n)
	start := g.start
	for i := range n {
		s := &seller{id: fairmark.AccountID(padID("s", perm[i]+1, 4)), idx: i}
		if i < nNew {
			// opened in the 20 days before the window or during its first 80%
			span := 20*day + int64(float64(cfg.Days)*0.8*float64(day))
			s.opened = start - 20*day + r.Int64N(span+1)
			s.digital = r.Float64() < 0.6
			s.weight = 0.25 * math.Exp(r.NormFloat64()*0.5)
		} else {
			s.established = true
			s.opened = start - (60+r.Int64N(2000))*day - r.Int64N(day)
			s.digital = r.Float64() < 0.35
			s.weight = math.Exp(r.NormFloat64())
			if i >= n-nBad {
				s.bad = true
				s.weight = 1.5 // cheap prices draw buyers
			}
		}
		s.name = sellerName(r, s.digital)
		s.links = fairmark.Links{Device: g.linkID("d-"), IP: g.linkID("ip-"), Phone: g.linkID("ph-"), Payment: g.linkID("pay-")}
		g.buildCatalogue(s)
		g.sellers = append(g.sellers, s)
		label := LabelSeller
		if s.bad {
			label = LabelBadSeller
		}
		g.labels[s.id] = label
	}
	// by opening time, for availability and for victim selection
	g.byOpen = slices.Clone(g.sellers)
	slices.SortStableFunc(g.byOpen, func(a, b *seller) int { return cmpInt(a.opened, b.opened) })
	g.cum = make([]float64, len(g.byOpen))
	sum := 0.0
	for i, s := range g.byOpen {
		sum += s.weight
		g.cum[i] = sum
		if !s.established {
			g.newByOpen = append(g.newByOpen, s)
		}
		if s.established && s.digital && !s.bad {
			g.estDigital = append(g.estDigital, s)
		}
	}
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (g *gen) buildCatalogue(s *seller) {
	r := g.r
	pool := physicalItems
	if s.digital {
		pool = digitalItems
	}
	nTpl := 1 + r.IntN(3)
	nItems := 3 + r.IntN(6)
	tpls := make([]itemTemplate, nTpl)
	for i := range tpls {
		tpls[i] = pick(r, pool)
	}
	for range nItems {
		t := pick(r, tpls)
		title, c := makeItem(r, t)
		g.nItem++
		s.items = append(s.items, item{id: fairmark.ItemID(padID("i", g.nItem, 6)), title: title, category: t.category, digital: t.digital, price: cents(c)})
	}
	if s.digital {
		// a card shop always has a cheap card
		t := digitalItems[r.IntN(3)]
		v := pick(r, []int{10, 20, 30, 50})
		g.nItem++
		s.items = append(s.items, item{id: fairmark.ItemID(padID("i", g.nItem, 6)), title: fill(t.title, "v", strconv.Itoa(v)), category: t.category, digital: true, price: cents(int64(v) * 100)})
	}
	for i, it := range s.items {
		if it.price <= 100*fairmark.DecimalScale {
			s.cheap = append(s.cheap, i)
		}
	}
}

// mixedTactics is how Mixed spreads extortionists over the variants.
var mixedTactics = []struct {
	t Tactic
	w float64
}{{Classic, 0.35}, {SlowDrip, 0.15}, {Sybil, 0.2}, {Camouflage, 0.15}, {OffPlatform, 0.15}}

func (g *gen) buildBuyers() {
	r, cfg, p := g.r, g.cfg, g.prof
	total := cfg.Buyers + cfg.Complainers
	perm := r.Perm(total)
	start, days := g.start, int64(cfg.Days)
	g.buyers = make([]*buyer, total)
	honest := make([]int, 0, cfg.Buyers)
	for i := range total {
		b := &buyer{id: fairmark.AccountID(padID("b", perm[i]+1, 5)), name: buyerName(r)}
		rate := 0.0
		switch {
		case i >= cfg.Buyers && cfg.Tactic == Traps:
			// look-alikes: the complainer slots filled by harsh honest accounts
			b.kind = kHarsh
			if r.IntN(2) == 0 {
				b.kind = kCritic
			}
		case i >= cfg.Buyers:
			b.kind = kExtortionist
		default:
			u := r.Float64()
			switch {
			case u < p.harshShare:
				b.kind = kHarsh
			case u < p.harshShare+p.criticShare:
				b.kind = kCritic
			}
		}
		switch b.kind {
		case kHonest:
			rate = 0.025 * math.Exp(r.NormFloat64()*0.8-0.32)
		case kCritic:
			rate = 0.08 * math.Exp(r.NormFloat64()*0.5-0.125)
		case kHarsh:
			rate = 0.07 * math.Exp(r.NormFloat64()*0.5-0.125)
		}
		if b.kind != kExtortionist {
			if r.Float64() < 0.85 {
				b.opened = start - (30+r.Int64N(2200))*day - r.Int64N(day)
			} else {
				b.opened = start - 14*day + r.Int64N((days+14)*day)
			}
			honest = append(honest, i)
		}
		b.expNegRate = math.Exp(-rate)
		b.links = fairmark.Links{Device: g.linkID("d-"), IP: g.linkID("ip-")}
		if r.Float64() < 0.7 {
			b.links.Phone = g.linkID("ph-")
		}
		if r.Float64() < 0.85 {
			b.links.Payment = g.linkID("pay-")
		}
		g.buyers[i] = b
		g.labels[b.id] = kindLabel[b.kind]
	}
	// benign link sharing among honest accounts: households, cafés
	if len(honest) >= 2 {
		for _, i := range honest {
			if r.Float64() < p.household {
				g.buyers[i].links.IP = g.buyers[honest[r.IntN(len(honest))]].links.IP
			}
			if r.Float64() < p.sharedDevice {
				g.buyers[i].links.Device = g.buyers[honest[r.IntN(len(honest))]].links.Device
			}
		}
		for range max(1, len(honest)/p.cafePer) {
			ip := g.linkID("ip-")
			for range 5 + r.IntN(21) {
				g.buyers[honest[r.IntN(len(honest))]].links.IP = ip
			}
		}
	}
	g.buildExtortionists(g.buyers[cfg.Buyers:])
}

func (g *gen) buildExtortionists(xs []*buyer) {
	r, cfg := g.r, g.cfg
	if cfg.Tactic == Traps || len(xs) == 0 {
		return
	}
	start, days := g.start, int64(cfg.Days)
	firstSpan := max(day, days*day/4)
	for i := 0; i < len(xs); {
		t := cfg.Tactic
		if t == Mixed {
			u, acc := r.Float64(), 0.0
			t = Classic
			for _, m := range mixedTactics {
				acc += m.w
				if u < acc {
					t = m.t
					break
				}
			}
		}
		if t == Sybil {
			size := min(3+r.IntN(4), len(xs)-i)
			if rest := len(xs) - i - size; rest > 0 && rest < 3 && cfg.Tactic == Sybil {
				size += rest // no rings of one or two at the end
			}
			g.buildRing(xs[i:i+size], start+r.Int64N(firstSpan))
			i += size
			continue
		}
		b := xs[i]
		i++
		b.tactic = t
		rate := 0.05
		switch t {
		case Classic:
			b.nextAttack = start + r.Int64N(firstSpan)
			b.opened = b.nextAttack - (2+r.Int64N(44))*day - r.Int64N(day)
		case SlowDrip:
			b.nextAttack = start + r.Int64N(5*day)
			b.opened = b.nextAttack - (30+r.Int64N(370))*day
			rate = 0.12
		case Camouflage:
			b.nextAttack = start + r.Int64N(firstSpan)
			b.opened = start - (120+r.Int64N(900))*day
			rate = 0.3
		case OffPlatform:
			b.nextAttack = start + r.Int64N(firstSpan)
			b.opened = b.nextAttack - (2+r.Int64N(59))*day - r.Int64N(day)
		}
		b.expNegRate = math.Exp(-rate)
	}
}

// buildRing makes a sybil ring: members opened within hours of each other,
// all sharing one core link and some sharing more.
func (g *gen) buildRing(ms []*buyer, first int64) {
	r := g.r
	rg := &ring{members: ms}
	base := first - (3+r.Int64N(28))*day
	shared := fairmark.Links{Device: g.linkID("d-"), IP: g.linkID("ip-"), Phone: g.linkID("ph-"), Payment: g.linkID("pay-")}
	core := r.IntN(3)
	for _, b := range ms {
		b.tactic = Sybil
		b.ring = rg
		b.opened = base + r.Int64N(6*3600)
		b.nextAttack = first + r.Int64N(4*day)
		b.expNegRate = math.Exp(-0.03)
		take := func(k int, p float64) bool { return k == core || r.Float64() < p }
		if take(0, 0.4) {
			b.links.Device = shared.Device
		}
		if take(1, 0.5) {
			b.links.IP = shared.IP
		}
		if take(2, 0.3) {
			b.links.Payment = shared.Payment
		}
		if r.Float64() < 0.2 {
			b.links.Phone = shared.Phone
		}
	}
}

// interval is the time to an extortionist's next attack.
func (g *gen) interval(b *buyer) int64 {
	r := g.r
	mean := 1.7
	switch b.tactic {
	case SlowDrip:
		return 10*day + r.Int64N(10*day+1)
	case Sybil:
		mean = 4
	case Camouflage:
		mean = 3.5
	case OffPlatform:
		mean = 2
	}
	return 6*3600 + int64(r.ExpFloat64()*mean*float64(day))
}
