// Package reputation computes a seller's reputation the way Taobao-style
// marketplaces show it: every counted rating adds +1 (positive), 0 (neutral)
// or -1 (negative) to the score, and the positive rate is positives over all
// counted ratings.
//
// fairmark keeps two of them per seller: the raw reputation counts every
// feedback that stands (not withdrawn, not removed), the protected one leaves
// out feedback held pending review. Both change as feedback is left,
// revised, withdrawn, held and released.
package reputation

import "github.com/fairmark/fairmark"

// Tally counts ratings.
type Tally struct {
	Positives int
	Neutrals  int
	Negatives int
}

// Add counts one rating (delta +1) or uncounts it (delta -1).
func (t *Tally) Add(r fairmark.Rating, delta int) {
	switch r {
	case fairmark.Positive:
		t.Positives += delta
	case fairmark.Neutral:
		t.Neutrals += delta
	case fairmark.Negative:
		t.Negatives += delta
	}
}

// Score is positives minus negatives.
func (t Tally) Score() int { return t.Positives - t.Negatives }

// Total is the number of counted ratings.
func (t Tally) Total() int { return t.Positives + t.Neutrals + t.Negatives }

// PositiveRate is positives over all counted ratings, 1 when there are none
// (a seller with no ratings has nothing against it).
func (t Tally) PositiveRate() float64 {
	if t.Total() == 0 {
		return 1
	}
	return float64(t.Positives) / float64(t.Total())
}

// Seller is a seller's raw and protected reputation.
type Seller struct {
	Raw       Tally
	Protected Tally
}

// Entry is how one feedback currently counts.
type Entry struct {
	Rating fairmark.Rating
	Stands bool // not withdrawn and not removed: counts in the raw score
	Held   bool // held pending review: left out of the protected score
}

// Apply moves one feedback from its old standing to its new one.
func (s *Seller) Apply(old, new Entry) {
	if old.Stands {
		s.Raw.Add(old.Rating, -1)
		if !old.Held {
			s.Protected.Add(old.Rating, -1)
		}
	}
	if new.Stands {
		s.Raw.Add(new.Rating, +1)
		if !new.Held {
			s.Protected.Add(new.Rating, +1)
		}
	}
}
