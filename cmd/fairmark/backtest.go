package main

import (
	"context"
	"fmt"

	"github.com/fairmark/fairmark/replay"
)

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
	cfg, _ := m.engineConfig("")
	bt := replay.RunBacktest(evs, cfg, base.Set, cand.Set)
	fmt.Fprintf(m.Stdout, "rule set %s (version %s, %s) over %d events\n\n", *path, cand.Set.Version, cand.Set.Hash, len(evs))
	fmt.Fprintln(m.Stdout, "rule                              evaluations fired")
	for _, r := range cand.Set.Rules {
		fmt.Fprintf(m.Stdout, "%-33s %d\n", r.Name, bt.Fired[r.Name])
	}
	fmt.Fprintf(m.Stdout, "\nwould flag %d accounts (built-in rules: %d): %s\n", len(bt.Flagged), bt.BaseFlagged, abbreviate(bt.Flagged))
	fmt.Fprintf(m.Stdout, "newly flagged vs built-in: %d %s\n", len(bt.NewlyFlagged), abbreviate(bt.NewlyFlagged))
	fmt.Fprintf(m.Stdout, "no longer flagged vs built-in: %d %s\n", len(bt.NoLongerFlagged), abbreviate(bt.NoLongerFlagged))
	fmt.Fprintf(m.Stdout, "would hold %d feedback (built-in rules: %d)\n", bt.Held, bt.BaseHeld)
	return nil
}

func abbreviate[ID ~string](ids []ID) string {
	if len(ids) > 30 {
		return fmt.Sprint(ids[:30]) + fmt.Sprintf(" … (+%d)", len(ids)-30)
	}
	return fmt.Sprint(ids)
}
