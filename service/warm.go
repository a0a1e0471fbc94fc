package service

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/engine"
	"github.com/fairmark/fairmark/store"
)

// A Warm runs the engine over the events a bulk import stores while it
// stores them (on another core), so that Open need not read the whole log
// back and replay it: `fairmark import` into an empty embedded store.
//
// Open (Options.Warm) takes the warm engine only when it is exactly the
// engine a rebuild would make: the events came in engine order (time,
// then id), and the store holds exactly the events the Warm was given.
// Otherwise it rebuilds from the log as usual, so a Warm is never wrong,
// at worst wasted.
type Warm struct {
	in   chan warmBatch
	done chan struct{}

	detect  engine.Detector
	en      *engine.Engine // nil once broken
	sink    *[]engine.Decision
	pending []engine.Decision
	last    *fairmark.Event
	n       int64 // events applied
	broken  bool  // an event came out of engine order

	// Messages and reports, the first event of each id (the one the
	// store's projection keeps), with their arrival stamps: what the
	// evidence catch-up would log, sorted into its order by Close.
	evidence []warmRecord
	seen     map[string]bool // "m" or "r" + message or report id
	closed   bool
	adopted  bool // Open took the engine
}

// Adopted reports whether Open took the warm engine (false: it rebuilt
// the engine from the log).
func (w *Warm) Adopted() bool { return w.adopted }

type warmBatch struct {
	evs      []store.Incoming
	received int64
}

type warmRecord struct {
	received int64
	in       store.Incoming
}

// NewWarm starts a Warm whose engine is made as Open would make it from
// opt (Engine, Config); give Open the same options with Warm set.
func NewWarm(opt Options) *Warm {
	if opt.Engine == nil {
		opt.Engine = engine.New
	}
	w := &Warm{in: make(chan warmBatch, 4), done: make(chan struct{}), detect: opt.Config.Detect, seen: map[string]bool{}}
	w.sink = &w.pending
	cfg := opt.Config
	cfg.OnDecision = func(d engine.Decision) { *w.sink = append(*w.sink, d) }
	w.en = opt.Engine(cfg)
	go w.run()
	return w
}

// Add hands the Warm the events one store batch took as new (isNew, as
// Append returned it), in the order they were given to the store, and the
// arrival time the store gave them (store.Importer.Received). It blocks
// while the engine is more than a few batches behind.
func (w *Warm) Add(ins []store.Incoming, isNew []bool, received time.Time) {
	fresh := make([]store.Incoming, 0, len(ins))
	for i, in := range ins {
		if isNew[i] {
			fresh = append(fresh, in)
		}
	}
	w.in <- warmBatch{evs: fresh, received: received.UnixNano()}
}

func (w *Warm) run() {
	defer close(w.done)
	for b := range w.in {
		if w.broken {
			continue
		}
		for _, in := range b.evs {
			e := in.Event
			if w.last != nil && !fairmark.Less(w.last, e) {
				// Not in engine order: Open rebuilds from the log instead.
				w.broken, w.en, w.pending, w.evidence, w.seen = true, nil, nil, nil, nil
				break
			}
			w.en.Apply(engine.Prepare(w.detect, e))
			w.last = e
			w.n++
			var key string
			switch {
			case e.Message != nil:
				key = "m" + string(e.Message.ID)
			case e.Report != nil:
				key = "r" + string(e.Report.ID)
			default:
				continue
			}
			if !w.seen[key] {
				w.seen[key] = true
				w.evidence = append(w.evidence, warmRecord{received: b.received, in: in})
			}
		}
	}
}

// Close waits for the engine to apply what it was given; Add must not be
// called after it. It may be called more than once.
func (w *Warm) Close() {
	if w.closed {
		return
	}
	w.closed = true
	close(w.in)
	<-w.done
	w.seen = nil
	// The catch-up's order: arrival, then event id.
	slices.SortFunc(w.evidence, func(a, b warmRecord) int {
		if a.received != b.received {
			if a.received < b.received {
				return -1
			}
			return 1
		}
		return strings.Compare(string(a.in.Event.ID), string(b.in.Event.ID))
	})
}

// adoptWarm makes w's engine the service's if it is the one a rebuild
// would make, stores its decisions and, when the evidence log is empty,
// logs the messages and reports w saw. It reports whether it took the
// engine (false: Open rebuilds) and whether it logged the evidence
// (false: Open catches it up from the store).
func (s *Service) adoptWarm(ctx context.Context, w *Warm) (adopted, logged bool, err error) {
	w.Close()
	if w.broken || s.opt.Cluster != nil || s.db.Dialect() != store.SQLite {
		return false, false, nil
	}
	if ok, err := s.db.HoldsExactly(ctx, w.n); err != nil || !ok {
		return false, false, err
	}
	n := w.n
	start := time.Now()
	s.mu.Lock()
	s.pending = append(s.pending[:0], w.pending...)
	w.pending = nil
	w.sink = &s.pending
	s.en, s.last, s.seq, s.storeAll = w.en, w.last, 0, false
	w.adopted = true
	s.rebuilds++
	s.late = false
	s.lastRebuild = time.Now()
	err = s.flushDecisionsLocked(ctx)
	s.mu.Unlock()
	if err != nil {
		return true, false, err
	}
	s.opt.Logger.Debug("engine taken from the import", "events", n, "took", time.Since(start))
	if s.log == nil || s.log.Size() != 0 {
		return true, false, nil
	}
	// The store holds exactly w's events and nothing is logged yet: the
	// catch-up would log every message and report among them, in w's order.
	ins := make([]store.Incoming, len(w.evidence))
	for i, r := range w.evidence {
		ins[i] = r.in
	}
	w.evidence = nil
	if err := s.logEvidence(ctx, ins); err != nil {
		return true, false, err
	}
	return true, true, nil
}
