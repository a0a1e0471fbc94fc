package main

import (
	"context"
	"fmt"

	"github.com/fairmark/fairmark/engine"
	"github.com/fairmark/fairmark/eval"
	"github.com/fairmark/fairmark/replay"
)

func (m *Main) eval(ctx context.Context, args []string) error {
	fs := m.newFlags("eval", "eval --in EVENTS --labels LABELS.csv [--rules FILE]")
	in := fs.String("in", "", "events file (NDJSON)")
	labelsPath := fs.String("labels", "", "account,label CSV; label extortionist marks positives")
	rulesFile := fs.String("rules", "", "operator rules file (default: built-in)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *in == "" || *labelsPath == "" {
		return usageErr("eval needs --in FILE and --labels FILE")
	}
	lr, closeL, err := m.openIn(*labelsPath)
	if err != nil {
		return err
	}
	labels, err := eval.ReadLabels(lr)
	closeL()
	if err != nil {
		return err
	}
	r, closeIn, err := m.openIn(*in)
	if err != nil {
		return err
	}
	defer closeIn()
	m.tuneBatchGC()
	evs, st, err := replay.Load(r)
	if err != nil {
		return err
	}
	if len(st.Rejected) > 0 {
		fmt.Fprintf(m.Stderr, "warning: %d line(s) rejected, first: %v\n", len(st.Rejected), st.Rejected[0])
	}
	cfg, err := m.engineConfig(*rulesFile)
	if err != nil {
		return err
	}
	en := engine.New(cfg)
	replay.Run(en, evs)
	eval.Evaluate(en, labels).Write(m.Stdout)
	return nil
}
