package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime/pprof"
	"time"

	"github.com/fairmark/fairmark/engine"
	"github.com/fairmark/fairmark/graph"
	"github.com/fairmark/fairmark/replay"
	"github.com/fairmark/fairmark/scan"
	"github.com/fairmark/fairmark/sim"
)

func (m *Main) replay(ctx context.Context, args []string) error {
	fs := m.newFlags("replay", "replay --in EVENTS.ndjson --out DIR [--rules FILE] [--decisions FILE]")
	in := fs.String("in", "", "events file (NDJSON); - for stdin")
	out := fs.String("out", "", "folder for accounts.csv, feedback.csv and sellers.csv")
	rulesFile := fs.String("rules", "", "operator rules file (default: the built-in rules)")
	quiet := fs.Bool("q", false, "no summary on stderr")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the replay to this file")
	phases := fs.Bool("phases", false, "print the time of each phase (load, apply, write) on stderr")
	decisions := fs.String("decisions", "", "also write every decision the engine makes, in order, as NDJSON to this file (slower: the file is read whole before applying)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErr("replay takes no arguments (got %q); use its flags", fs.Arg(0))
	}
	if *in == "" || *out == "" {
		return usageErr("replay needs --in FILE and --out DIR")
	}
	r, closeIn, err := m.openIn(*in)
	if err != nil {
		return err
	}
	defer closeIn()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return err
		}
		defer func() {
			pprof.StopCPUProfile()
			f.Close()
		}()
	}
	m.tuneBatchGC()
	start := time.Now()
	phase := func(name string, since time.Time) {
		if *phases {
			fmt.Fprintf(m.Stderr, "phase %s: %s\n", name, time.Since(since).Round(time.Millisecond))
		}
	}
	cfg, err := m.engineConfig(*rulesFile)
	if err != nil {
		return err
	}
	var flushDecisions func() error
	if *decisions != "" {
		f, err := os.Create(*decisions)
		if err != nil {
			return err
		}
		defer f.Close()
		bw := bufio.NewWriterSize(f, 1<<16)
		enc := json.NewEncoder(bw)
		var encErr error
		cfg.OnDecision = func(d engine.Decision) {
			if encErr == nil {
				encErr = enc.Encode(d)
			}
		}
		flushDecisions = func() error {
			if encErr != nil {
				return fmt.Errorf("write %s: %w", *decisions, encErr)
			}
			if err := bw.Flush(); err != nil {
				return fmt.Errorf("write %s: %w", *decisions, err)
			}
			return f.Close()
		}
	}
	en, st, err := replay.Replay(r, cfg)
	if err != nil {
		return fmt.Errorf("read %s: %w", *in, err)
	}
	if flushDecisions != nil {
		if err := flushDecisions(); err != nil {
			return err
		}
	}
	phase("load and apply", start)
	t := time.Now()
	if err := replay.WriteCSVs(en, *out); err != nil {
		return err
	}
	phase("write", t)
	for i, e := range st.Rejected {
		if i == 20 {
			fmt.Fprintf(m.Stderr, "... and %d more rejected lines\n", len(st.Rejected)-20)
			break
		}
		fmt.Fprintln(m.Stderr, "rejected:", e)
	}
	if !*quiet {
		fmt.Fprintf(m.Stderr, "replayed %d events (%d duplicates, %d rejected) in %s; wrote %s\n",
			st.Events, st.Duplicates, len(st.Rejected), time.Since(start).Round(time.Millisecond), *out)
	}
	if len(st.Rejected) > 0 {
		return &exitError{code: 1, msg: fmt.Sprintf("%d line(s) rejected; the valid events were replayed", len(st.Rejected))}
	}
	return nil
}

func (m *Main) simulate(ctx context.Context, args []string) error {
	def := sim.DefaultConfig()
	fs := m.newFlags("simulate", "simulate --out FILE --seed N [--sellers N --buyers N --days N --complainers N --tactic T --labels FILE]")
	out := fs.String("out", "", "events file to write (NDJSON); - for stdout")
	labels := fs.String("labels", "", "also write the ground truth as account,label CSV")
	seed := fs.Int64("seed", 1, "random seed; the same seed gives the same marketplace")
	sellers := fs.Int("sellers", def.Sellers, "seller accounts")
	buyers := fs.Int("buyers", def.Buyers, "ordinary buyer accounts")
	days := fs.Int("days", def.Days, "days simulated")
	complainers := fs.Int("complainers", def.Complainers, "professional complainers (under traps: honest look-alikes)")
	history := fs.Int("history", def.History, "days of ordinary trade simulated before the window (established sellers' feedback)")
	tactic := fs.String("tactic", "mixed", fmt.Sprintf("complainers' tactic: %v", sim.Tactics))
	shuffle := fs.Float64("shuffle", 0, "fraction of events emitted out of order")
	dups := fs.Float64("duplicates", 0, "fraction of events emitted twice")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErr("simulate takes no arguments (got %q); use its flags", fs.Arg(0))
	}
	if *out == "" {
		return usageErr("simulate needs --out FILE")
	}
	known := false
	for _, t := range sim.Tactics {
		known = known || string(t) == *tactic
	}
	if !known {
		return usageErr("unknown tactic %q (want one of %v)", *tactic, sim.Tactics)
	}
	w, closeOut, err := m.createOut(*out)
	if err != nil {
		return err
	}
	cfg := sim.Config{Seed: *seed, Sellers: *sellers, Buyers: *buyers, Days: *days, Complainers: *complainers,
		Tactic: sim.Tactic(*tactic), History: *history, Shuffle: *shuffle, Duplicates: *dups}
	l, err := sim.Generate(cfg, w)
	if cerr := closeOut(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if *labels != "" {
		lw, closeL, err := m.createOut(*labels)
		if err != nil {
			return err
		}
		if err := sim.WriteLabels(lw, l); err != nil {
			closeL()
			return err
		}
		if err := closeL(); err != nil {
			return err
		}
	}
	return nil
}

func (m *Main) scan(ctx context.Context, args []string) error {
	fs := m.newFlags("scan", "scan [--in FILE] [--out FILE]")
	in := fs.String("in", "", "JSON lines {\"id\":...,\"text\":...} (default stdin)")
	out := fs.String("out", "", "output JSON lines (default stdout)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErr("scan takes no arguments (got %q); use --in FILE", fs.Arg(0))
	}
	r, closeIn, err := m.openIn(*in)
	if err != nil {
		return err
	}
	defer closeIn()
	w, closeOut, err := m.createOut(*out)
	if err != nil {
		return err
	}
	if _, err := scan.Run(r, w); err != nil {
		closeOut()
		return err
	}
	return closeOut()
}

func (m *Main) graph(ctx context.Context, args []string) error {
	fs := m.newFlags("graph", "graph --in ratings.csv --out scores.csv [--algo fairmark|rev2]")
	in := fs.String("in", "", "SNAP CSV source,target,rating,time (no header); - for stdin")
	out := fs.String("out", "", "output CSV node,fairness,goodness,risk; - for stdout")
	algo := fs.String("algo", "fairmark", "algorithm: fairmark (REV2 + behavioural prior + rings) or rev2")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErr("graph takes no arguments (got %q); use its flags", fs.Arg(0))
	}
	if *in == "" || *out == "" {
		return usageErr("graph needs --in FILE and --out FILE")
	}
	if *algo != "fairmark" && *algo != "rev2" && *algo != "" {
		return usageErr("unknown --algo %q (want fairmark or rev2)", *algo)
	}
	r, closeIn, err := m.openIn(*in)
	if err != nil {
		return err
	}
	defer closeIn()
	w, closeOut, err := m.createOut(*out)
	if err != nil {
		return err
	}
	if err := graph.Run(r, w, graph.Options{Algo: *algo}); err != nil {
		closeOut()
		return err
	}
	return closeOut()
}

// engineConfig returns the engine configuration every command shares: the
// text detectors and the operator rules (built-in unless path names a file).
func (m *Main) engineConfig(rulesPath string) (engine.Config, error) {
	cfg := engine.Config{Detect: scan.Detector}
	rs, err := loadRules(rulesPath)
	if err != nil {
		return cfg, err
	}
	if rs != nil {
		cfg.Rules = rs
	}
	return cfg, nil
}
