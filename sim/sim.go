// Package sim is a deterministic marketplace simulator with extortion
// campaigns by professional complainers (职业差评师).
//
// It simulates sellers (new and established, digital and physical goods, a
// few genuinely bad ones), ordinary buyers, honest critics and harsh
// reviewers, and extortionists following one of several playbooks (see
// Tactic), and writes what happened as events of the v1 contract
// (shared/spec/events.md), one JSON line each, together with the ground
// truth of every account (Labels).
//
// What is simulated, per account kind:
//
//   - sellers: 30% new (opened in the 20 days before Start or during the
//     window), the rest established (opened months or years earlier, with
//     History days of trade before Start); digital shops (Q币 cards, 话费,
//     game cards, e-books; delivered within a minute) and physical ones
//     (clothes, phone cases, food; delivered after 1–4 days); 3% bad
//     sellers (8% under Traps) whose buyers independently complain, late
//     deliveries, refunds.
//   - ordinary buyers: occasional purchases, feedback on about half of
//     them a day or more after delivery, mostly positive; honest negatives
//     with specific complaints, refunds and revisions after a fix; chats
//     about shipping and sizes full of harmless numbers (order and
//     tracking numbers, prices, heights); rare traps: a delivery phone
//     number, a seller pushing WeChat or 好评返现, "refund or I keep the
//     negative", an invalid card complained about within minutes, fixed on
//     the chat and revised; shared household and café IPs.
//   - honest critics and harsh reviewers: several times more negatives,
//     after delivery (or the refund of an order never delivered), never undone without a fix on the platform;
//     bad sellers report some of them.
//   - extortionists: see Tactic. Their ids and names come from the same
//     generators as everyone else's.
//
// The same Config always yields byte-identical output. Events come in `at`
// order with ascending ids unless the chaos knobs (Config.Shuffle,
// Config.Duplicates) ask otherwise. Generate streams: memory holds the
// accounts and the events still pending in the simulation's look-ahead
// (deliveries, late feedback, withdrawals), not the output (about 0.6 KB
// per account live; the same for 30 or 120 days).
package sim

import (
	"bufio"
	"encoding/csv"
	"io"
	"slices"
	"time"

	"github.com/fairmark/fairmark"
)

// Tactic is an extortion playbook, or the mix of them the simulation uses.
type Tactic string

// The tactics. Every extortionist follows one variant; Mixed (the default)
// spreads the extortionists over Classic, SlowDrip, Sybil, Camouflage and
// OffPlatform; Traps has no extortionists at all.
const (
	// Classic: buy a cheap (mostly digital) item from a new seller, leave a
	// negative within minutes, demand money on the marketplace chat with an
	// off-platform contact, withdraw or revise the remark once paid. Several
	// victims a week.
	Classic Tactic = "classic"
	// SlowDrip: the classic playbook, but one victim every 10–20 days, with
	// ordinary positive purchases in between.
	SlowDrip Tactic = "slow_drip"
	// Sybil: rings of 3–6 accounts sharing device/ip/phone/payment links,
	// each member hitting different sellers at a lower rate.
	Sybil Tactic = "sybil"
	// Camouflage: the classic playbook from an older account that also buys
	// a lot elsewhere and rates it positively (80%+ positive feedback).
	Camouflage Tactic = "camouflage"
	// OffPlatform: no contact details or demands on the marketplace chat at
	// all (the contact happens by phone); only the timing pattern, the
	// withdrawals and the victims' reports show it.
	OffPlatform Tactic = "off_platform"
	// Traps: no extortionists; more honest critics, harsh reviewers, bad
	// sellers, shared household and café links, quick honest complaints
	// about invalid cards that are fixed and revised, sellers reporting
	// honest critics.
	Traps Tactic = "traps"
	// Mixed: a mix of the extortion variants above, with the usual
	// background of honest critics and bad sellers.
	Mixed Tactic = "mixed"
)

// Tactics lists every tactic.
var Tactics = []Tactic{Classic, SlowDrip, Sybil, Camouflage, OffPlatform, Traps, Mixed}

// Config describes a simulation. The zero value is usable: zero Sellers,
// Buyers, Days and History take the defaults of DefaultConfig; zero
// Complainers means none.
type Config struct {
	Seed    int64 // the same Config always yields the same output
	Sellers int   // seller accounts (0: 200)
	Buyers  int   // ordinary buyer accounts, not counting Complainers (0: 5000)
	Days    int   // length of the window from Start (0: 30)
	// Complainers is the number of extra buyer accounts run as
	// extortionists (0: none; DefaultConfig has 20). Under Traps they are
	// honest look-alikes instead: harsh reviewers and honest critics.
	Complainers int
	Tactic      Tactic    // "" means Mixed
	Start       time.Time // zero means 2026-03-01T00:00:00Z
	// History is the number of days of ordinary marketplace activity
	// simulated before Start, so that established sellers have feedback
	// (0: 14; negative: none). Account openings come before it at their own
	// (often much earlier) dates. No extortion happens before Start.
	History int
	// Shuffle is the fraction of events emitted out of order, held back
	// for up to a few hundred events (0..1, default 0).
	Shuffle float64
	// Duplicates is the fraction of events emitted twice, the copy soon
	// after the original (0..1, default 0).
	Duplicates float64
}

// DefaultStart is the default start of the window.
var DefaultStart = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

// DefaultConfig returns the defaults the CLI uses: 200 sellers, 5,000
// buyers, 30 days, 20 complainers, Mixed.
func DefaultConfig() Config {
	return Config{Seed: 1, Sellers: 200, Buyers: 5000, Days: 30, Complainers: 20, Tactic: Mixed, Start: DefaultStart, History: 14}
}

// normalize fills defaults and validates. It returns EINVALID for values
// out of range.
func (c Config) normalize() (Config, error) {
	d := DefaultConfig()
	if c.Sellers == 0 {
		c.Sellers = d.Sellers
	}
	if c.Buyers == 0 {
		c.Buyers = d.Buyers
	}
	if c.Days == 0 {
		c.Days = d.Days
	}
	if c.History == 0 {
		c.History = d.History
	} else if c.History < 0 {
		c.History = 0
	}
	if c.Tactic == "" {
		c.Tactic = Mixed
	}
	if c.Start.IsZero() {
		c.Start = d.Start
	}
	c.Start = c.Start.UTC().Truncate(time.Second)
	switch {
	case c.Sellers < 0 || c.Buyers < 0 || c.Days < 0 || c.Complainers < 0:
		return c, fairmark.Errorf(fairmark.EINVALID, "sellers, buyers, days and complainers must not be negative")
	case c.Days > 3650 || c.History > 3650:
		return c, fairmark.Errorf(fairmark.EINVALID, "days and history must be at most 3650")
	case c.Sellers > 1_000_000 || c.Buyers > 100_000_000 || c.Complainers > 1_000_000:
		return c, fairmark.Errorf(fairmark.EINVALID, "sizes too large")
	case !(c.Shuffle >= 0 && c.Shuffle <= 1) || !(c.Duplicates >= 0 && c.Duplicates <= 1):
		return c, fairmark.Errorf(fairmark.EINVALID, "shuffle and duplicates must be fractions between 0 and 1")
	case !slices.Contains(Tactics, c.Tactic):
		return c, fairmark.Errorf(fairmark.EINVALID, "unknown tactic %q", c.Tactic)
	}
	return c, nil
}

// Labels are the ground truth, one label per account: sellers are "seller"
// or "bad_seller"; buyers are "honest", "honest_critic", "harsh_reviewer"
// or "extortionist" (the positives).
type Labels map[fairmark.AccountID]string

// The labels.
const (
	LabelExtortionist  = "extortionist"
	LabelHonest        = "honest"
	LabelHonestCritic  = "honest_critic"
	LabelHarshReviewer = "harsh_reviewer"
	LabelBadSeller     = "bad_seller"
	LabelSeller        = "seller"
)

// Generate runs the simulation and writes its events to w as NDJSON, one
// event per line in the contract format of event.Encode. It returns the
// ground truth. It returns EINVALID for a bad Config and any write error.
func Generate(cfg Config, w io.Writer) (Labels, error) {
	cfg, err := cfg.normalize()
	if err != nil {
		return nil, err
	}
	enc := newEncoder(w)
	labels, err := run(cfg, enc.add)
	if err != nil {
		enc.abort()
		return nil, err
	}
	if err := enc.close(); err != nil {
		return nil, err
	}
	return labels, nil
}

// Events runs the simulation and returns its events in memory, in the
// order Generate would write them. A duplicated event (Config.Duplicates)
// appears twice as the same pointer.
func Events(cfg Config) ([]*fairmark.Event, Labels, error) {
	cfg, err := cfg.normalize()
	if err != nil {
		return nil, nil, err
	}
	var evs []*fairmark.Event
	labels, err := run(cfg, func(e *fairmark.Event) error {
		evs = append(evs, e)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return evs, labels, nil
}

// WriteLabels writes the labels as CSV, `account,label` with a header,
// sorted by account id. The label `extortionist` marks the positives.
func WriteLabels(w io.Writer, l Labels) error {
	ids := make([]fairmark.AccountID, 0, len(l))
	for id := range l {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	bw := bufio.NewWriter(w)
	cw := csv.NewWriter(bw)
	if err := cw.Write([]string{"account", "label"}); err != nil {
		return err
	}
	for _, id := range ids {
		if err := cw.Write([]string{string(id), l[id]}); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// Count returns how many accounts carry each label.
func (l Labels) Count() map[string]int {
	m := make(map[string]int)
	for _, v := range l {
		m[v]++
	}
	return m
}
