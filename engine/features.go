package engine

import (
	"math"

	"time"
)

// Features are a buyer's behaviour features at one moment, exact over their
// sliding windows (computed from the buyer's own negatives, which the engine
// keeps, not from sampled counters). They are what operator rules see; the
// names in the `rule` tags are the rule variables.
type Features struct {
	Negatives24h             int64   `rule:"negatives_24h"`
	Negatives7d              int64   `rule:"negatives_7d"`
	Negatives30d             int64   `rule:"negatives_30d"`
	NegativesTotal           int64   `rule:"negatives_total"`
	PositivesTotal           int64   `rule:"positives_total"`
	DistinctSellers7d        int64   `rule:"distinct_sellers_7d"`
	DistinctSellers30d       int64   `rule:"distinct_sellers_30d"`
	NewSellerNegatives30d    int64   `rule:"new_seller_negatives_30d"`
	FastNegatives30d         int64   `rule:"fast_negatives_30d"`
	PredeliveryNegatives     int64   `rule:"predelivery_negatives"`
	CheapDigitalNegatives30d int64   `rule:"cheap_digital_negatives_30d"`
	WithdrawnAfterNegative   int64   `rule:"withdrawn_after_negative"`
	ContactDetections        int64   `rule:"contact_detections"`
	IntentDetections         int64   `rule:"intent_detections"`
	ReportsAgainst           int64   `rule:"reports_against"`
	LinkedAccounts           int64   `rule:"linked_accounts"`
	RingNegatives7d          int64   `rule:"ring_negatives_7d"`
	RingDistinctSellers7d    int64   `rule:"ring_distinct_sellers_7d"`
	AccountAgeDays           float64 `rule:"account_age_days"`
	NewSellerShare           float64 `rule:"new_seller_share"`
	MinMinutesToNegative     float64 `rule:"min_minutes_to_negative"`
	MaxIntent                float64 `rule:"max_intent"`
	ReportsWeighted          float64 `rule:"reports_weighted"`
	ConsensusAgreement       float64 `rule:"consensus_agreement"`
	Risk                     float64 `rule:"risk"`
	IsNewAccount             bool    `rule:"is_new_account"`
}

const (
	day      = 24 * time.Hour
	fastN    = 60  // a negative within this many minutes of purchase is fast
	sessionN = 240 // ... within this many, still the same sitting
)

// features computes b's features at the engine's now.
func (en *Engine) features(b *account) Features { return en.featuresWith(b, nil, nil, nil) }

// featuresWith is features given, when views is not nil, b's negatives'
// views in order, whose agreements it uses rather than computing them again;
// and, when mates is not nil, b's ring mates, and ring their evaluation
// (nil when they are not weighed as a ring).
func (en *Engine) featuresWith(b *account, views []negView, mates []*account, ring *ringEval) Features {
	if views != nil && len(views) != len(b.bs().negs) {
		views = nil
	}
	now := en.now
	var f Features
	f.NegativesTotal = int64(len(b.bs().negs))
	f.PositivesTotal = int64(b.positives)
	f.AccountAgeDays = now.Sub(b.opened.time()).Hours() / 24
	f.IsNewAccount = f.AccountAgeDays < 30
	f.MinMinutesToNegative = -1
	var buf7, buf30 [16]*account
	sellers7, sellers30 := sellerSet(buf7[:0]), sellerSet(buf30[:0])
	var newNeg, agreeSum float64
	for i, n := range b.bs().negs {
		age := now.Sub(n.left.time())
		if age <= day {
			f.Negatives24h++
		}
		if age <= 7*day {
			f.Negatives7d++
			sellers7 = sellers7.add(n.seller)
		}
		if age <= 30*day {
			f.Negatives30d++
			sellers30 = sellers30.add(n.seller)
			if n.sellerNew {
				f.NewSellerNegatives30d++
			}
			if n.minutes >= 0 && n.minutes <= fastN {
				f.FastNegatives30d++
			}
			if n.cheap && n.digital {
				f.CheapDigitalNegatives30d++
			}
		}
		if n.predelivery {
			f.PredeliveryNegatives++
		}
		if en.turned(n) {
			f.WithdrawnAfterNegative++
		}
		if n.sellerNew {
			newNeg++
		}
		if n.minutes >= 0 && (f.MinMinutesToNegative < 0 || n.minutes < f.MinMinutesToNegative) {
			f.MinMinutesToNegative = n.minutes
		}
		if views != nil {
			agreeSum += views[i].agree
		} else {
			agreeSum += en.agreement(b, n)
		}
	}
	if len(b.bs().negs) > 0 {
		f.NewSellerShare = newNeg / float64(len(b.bs().negs))
		f.ConsensusAgreement = agreeSum / float64(len(b.bs().negs))
	}
	f.DistinctSellers7d = int64(len(sellers7))
	f.DistinctSellers30d = int64(len(sellers30))
	f.ContactDetections = int64(len(b.bs().contacts))
	f.IntentDetections = int64(len(b.bs().intents))
	for _, h := range b.bs().intents {
		f.MaxIntent = math.Max(f.MaxIntent, h.prob)
	}
	f.ReportsAgainst = int64(len(b.bs().reports))
	for _, r := range b.bs().reports {
		f.ReportsWeighted += r.weight
	}
	if mates == nil {
		mates = en.members(b)
		if len(mates) > 1 && !sharedNetwork(b.root(), len(mates)) {
			ring = &ringEval{}
			ring.neg7, ring.sellers7 = ringWindow(mates, now)
		}
	}
	f.LinkedAccounts = int64(len(mates) - 1)
	if ring != nil {
		f.RingNegatives7d, f.RingDistinctSellers7d = ring.neg7, ring.sellers7
	} else {
		f.RingNegatives7d, f.RingDistinctSellers7d = f.Negatives7d, f.DistinctSellers7d
	}
	return f
}

// ringWindow counts the negatives mates left in the last 7 days and the
// sellers they went to.
func ringWindow(mates []*account, now time.Time) (negs, sellers int64) {
	var buf [16]*account
	in := sellerSet(buf[:0])
	for _, m := range mates {
		for _, n := range m.bs().negs {
			if now.Sub(n.left.time()) <= 7*day {
				negs++
				in = in.add(n.seller)
			}
		}
	}
	return negs, int64(len(in))
}

// voice is how much one buyer's negative says about a seller in particular:
// fully for a buyer who gave negatives to one or two sellers, 2/n for a
// buyer who gave negatives to n sellers. A buyer who complains about
// everyone tells little about anyone — and professional complainers, who
// often target the same new shops, must not vouch for each other as the
// consensus of a bad seller's customers before any of them is flagged.
func voice(b *account) float64 {
	n := min(b.bs().negSellers, 17) // kept incrementally as negatives arrive
	if n <= 2 {
		return 1
	}
	return 2 / float64(n)
}

// agreement is how much negative n agrees with what credible, unrelated
// buyers say about its seller: 0 when the seller's other ratings are
// overwhelmingly positive, 1 when many others complain too (a genuinely bad
// seller). Another buyer's negative counts as much as it is credible: not at
// all when it was itself left the way extortion is (fast, before delivery,
// on a new seller, later withdrawn) or its buyer is risky, so that a new
// seller hit by several complainers does not look like a bad seller.
func (en *Engine) agreement(b *account, n *feedback) float64 {
	s := n.seller
	if s.ss().rep == nil || len(s.ss().gotNegs) < 3 {
		return 0
	}
	ring := b.root()
	// First count the negatives that could be credible: each counts at
	// most 1 (a rounded sum of n terms below 1 is at most n), so when even
	// all of them would not make the share exceed 0.08, or reach 2, the
	// agreement is 0 without weighing any. Most sellers' negatives are a
	// small share of their ratings.
	var ringRatings float64
	candidates := 0
	if b.next == b {
		// Unlinked, as most buyers are: b's own negatives to s are the
		// ring's, and the seller's live count holds the rest.
		ringLive := 0
		for _, x := range b.bs().negs {
			if x.seller == s && !x.withdrawn && !x.removed {
				ringRatings++
				if x.rating == codeNegative {
					ringLive++
				}
			}
		}
		candidates = int(s.ss().live) - ringLive
	} else {
		for _, x := range s.ss().gotNegs {
			if x.buyer.root() == ring {
				if !x.withdrawn && !x.removed {
					ringRatings++
				}
				continue
			}
			if x.withdrawn || x.removed || x.rating != codeNegative {
				continue
			}
			candidates++
		}
	}
	total := float64(s.ss().rep.Raw.Total()) - ringRatings
	if candidates < 2 || total <= 0 || float64(candidates)/(total+2) <= 0.08 {
		return 0
	}
	var credible float64
	for _, x := range s.ss().gotNegs {
		if x.buyer.root() == ring || x.withdrawn || x.removed || x.rating != codeNegative {
			continue
		}
		credible += (1 - sigmoid(en.baseSuspicion(x.buyer, x))) * (1 - x.buyer.risk) * voice(x.buyer)
	}
	if credible < 2 {
		return 0
	}
	share := credible / (total + 2) // shrunk towards "not negative"
	a := (share - 0.08) / 0.2
	return math.Max(0, math.Min(1, a))
}
