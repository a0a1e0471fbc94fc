package main

import (
	"context"
	"fmt"
	"sort"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/engine"
	"github.com/fairmark/fairmark/replay"
)

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

// rulesTest backtests a rule set on history: it replays the events with
// the built-in rules and with the candidate, and prints what the candidate
// would have flagged and held, and how that differs.
func (m *Main) rulesTest(ctx context.Context, args []string) error {
	fs := m.newFlags("rules test", "rules test --rules FILE --in EVENTS")
	path := fs.String("rules", "", "candidate rules file")
	in := fs.String("in", "", "events file (NDJSON)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *path == "" || *in == "" {
		return usageErr("rules test needs --rules FILE and --in EVENTS")
	}
	cand, err := loadRules(*path)
	if err != nil {
		return err
	}
	base, err := loadRules("")
	if err != nil {
		return err
	}
	r, closeIn, err := m.openIn(*in)
	if err != nil {
		return err
	}
	defer closeIn()
	evs, st, err := replay.Load(r)
	if err != nil {
		return err
	}
	if len(st.Rejected) > 0 {
		fmt.Fprintf(m.Stderr, "warning: %d line(s) rejected, first: %v\n", len(st.Rejected), st.Rejected[0])
	}
	run := func(rs *engine.Rules) (*engine.Engine, map[string]int) {
		cfg, _ := m.engineConfig("")
		c := &countingRules{inner: rs, fired: map[string]int{}}
		cfg.Rules = c
		en := engine.New(cfg)
		replay.Run(en, append([]*fairmark.Event(nil), evs...))
		return en, c.fired
	}
	baseEn, _ := run(base)
	candEn, fired := run(cand)
	fmt.Fprintf(m.Stdout, "rule set %s (version %s, %s) over %d events\n\n", *path, cand.Set.Version, cand.Set.Hash, len(evs))
	names := make([]string, 0, len(cand.Set.Rules))
	for _, r := range cand.Set.Rules {
		names = append(names, r.Name)
	}
	fmt.Fprintln(m.Stdout, "rule                              evaluations fired")
	for _, n := range names {
		fmt.Fprintf(m.Stdout, "%-33s %d\n", n, fired[n])
	}
	var flagged, newFlags, dropped []string
	for _, id := range candEn.AccountIDs() {
		c, _ := candEn.Account(id)
		b, _ := baseEn.Account(id)
		if c.Flagged {
			flagged = append(flagged, string(id))
			if !b.Flagged {
				newFlags = append(newFlags, string(id))
			}
		} else if b.Flagged {
			dropped = append(dropped, string(id))
		}
	}
	held, heldBase := 0, 0
	for _, id := range candEn.FeedbackIDs() {
		c, _ := candEn.Feedback(id)
		b, _ := baseEn.Feedback(id)
		if c.Held {
			held++
		}
		if b.Held {
			heldBase++
		}
	}
	sort.Strings(flagged)
	fmt.Fprintf(m.Stdout, "\nwould flag %d accounts (built-in rules: %d): %s\n", len(flagged), len(flagged)-len(newFlags)+len(dropped), abbreviate(flagged))
	fmt.Fprintf(m.Stdout, "newly flagged vs built-in: %d %s\n", len(newFlags), abbreviate(newFlags))
	fmt.Fprintf(m.Stdout, "no longer flagged vs built-in: %d %s\n", len(dropped), abbreviate(dropped))
	fmt.Fprintf(m.Stdout, "would hold %d feedback (built-in rules: %d)\n", held, heldBase)
	return nil
}

func abbreviate(ids []string) string {
	if len(ids) > 30 {
		return fmt.Sprint(ids[:30]) + fmt.Sprintf(" … (+%d)", len(ids)-30)
	}
	return fmt.Sprint(ids)
}
