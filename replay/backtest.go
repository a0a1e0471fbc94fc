package replay

import (
	"slices"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/engine"
	"github.com/fairmark/fairmark/rules"
)

// Backtest compares what a candidate rule set would have decided over a
// history of events with what a baseline rule set decided over the same
// events: `fairmark rules test` prints it, the staff console shows it
// before rules are published.
type Backtest struct {
	Events int
	// Fired counts, per rule of the candidate, the evaluations it fired in.
	Fired map[string]int
	// Flagged lists the accounts the candidate leaves flagged, sorted;
	// BaseFlagged counts those of the baseline.
	Flagged     []fairmark.AccountID
	BaseFlagged int
	// NewlyFlagged are flagged with the candidate and not with the
	// baseline; NoLongerFlagged the other way round. Both sorted.
	NewlyFlagged, NoLongerFlagged []fairmark.AccountID
	// Held and BaseHeld count the remarks held at the end of each run.
	Held, BaseHeld int
	// NewlyHeld and NoLongerHeld are the remarks whose hold differs, sorted.
	NewlyHeld, NoLongerHeld []fairmark.FeedbackID
}

// countingRules counts, per rule, how many evaluations it fired in.
type countingRules struct {
	inner *engine.Rules
	fired map[string]int
}

func (c *countingRules) Evaluate(f *engine.Features) ([]engine.RuleHit, error) {
	hits, err := c.inner.Evaluate(f)
	for _, h := range hits {
		c.fired[h.Name]++
	}
	return hits, err
}

// RunBacktest replays evs (in engine order; the slice is not changed)
// through two fresh engines made from cfg, one with the base rules and one
// with the candidate (nil: no rules, the risk model alone), and compares
// their end states. cfg's own Rules and OnDecision are not used.
func RunBacktest(evs []*fairmark.Event, cfg engine.Config, base, cand *rules.Set) Backtest {
	run := func(set *rules.Set) (*engine.Engine, map[string]int) {
		c := cfg
		c.OnDecision, c.Rules = nil, nil
		fired := map[string]int{}
		if set != nil {
			c.Rules = &countingRules{inner: engine.NewRules(set), fired: fired}
		}
		en := engine.New(c)
		Run(en, slices.Clone(evs))
		return en, fired
	}
	baseEn, _ := run(base)
	candEn, fired := run(cand)
	bt := Backtest{Events: len(evs), Fired: fired}
	for _, id := range candEn.AccountIDs() {
		c, _ := candEn.Account(id)
		b, _ := baseEn.Account(id)
		if c.Flagged {
			bt.Flagged = append(bt.Flagged, id)
			if !b.Flagged {
				bt.NewlyFlagged = append(bt.NewlyFlagged, id)
			}
		} else if b.Flagged {
			bt.NoLongerFlagged = append(bt.NoLongerFlagged, id)
		}
		if b.Flagged {
			bt.BaseFlagged++
		}
	}
	for _, id := range candEn.FeedbackIDs() {
		c, _ := candEn.Feedback(id)
		b, _ := baseEn.Feedback(id)
		if c.Held {
			bt.Held++
			if !b.Held {
				bt.NewlyHeld = append(bt.NewlyHeld, id)
			}
		} else if b.Held {
			bt.NoLongerHeld = append(bt.NoLongerHeld, id)
		}
		if b.Held {
			bt.BaseHeld++
		}
	}
	slices.Sort(bt.Flagged)
	slices.Sort(bt.NewlyFlagged)
	slices.Sort(bt.NoLongerFlagged)
	slices.Sort(bt.NewlyHeld)
	slices.Sort(bt.NoLongerHeld)
	return bt
}
