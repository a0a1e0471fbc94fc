// Package service is the running fairmark: it ingests events into the
// store, feeds them to the one engine, keeps the engine's decisions and the
// evidence log, and answers queries. HTTP, import and the stream sources
// all ingest through it.
//
// The engine applies events in engine order. An event that arrives later
// than events already applied (by its `at`) makes the service rebuild the
// engine from the event log, so the state is always that of the ordered,
// deduplicated stream, whatever order events arrived in.
package service

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/engine"
	"github.com/fairmark/fairmark/event"
	"github.com/fairmark/fairmark/evidence"
	"github.com/fairmark/fairmark/replay"
	"github.com/fairmark/fairmark/store"
	"github.com/fairmark/fairmark/webhook"
)

// Options configures a Service.
type Options struct {
	DB       *store.DB
	Evidence *evidence.Log // nil: no evidence log
	// NewEngine makes an engine; the Service sets OnDecision. Rebuilds call
	// it again, so it must return a fresh engine with the same rules.
	Engine func(engine.Config) *engine.Engine
	Config engine.Config
	Logger *slog.Logger
	// RebuildEvery is the least time between two engine rebuilds caused by
	// late events (default 2s; negative: rebuild at every late batch).
	RebuildEvery time.Duration

	// Webhooks are the marketplace endpoints case decisions are sent to
	// (through the store's outbox); none: no webhooks.
	Webhooks []webhook.Endpoint
	// NoCases turns off opening cases from reports and flags (bulk
	// imports and benchmarks that only want the engine).
	NoCases bool
	// CleanHistory overrides the four-eyes test (default CleanHistory).
	CleanHistory func(engine.HistoryView) bool
	// Now is the clock of case decisions (default time.Now).
	Now func() time.Time
	// Cluster makes this Service one of several workers sharing one
	// PostgreSQL database; nil: the only one.
	Cluster *Cluster
	// FollowPublishedRules makes a clustered worker put in force a rule
	// set another worker published (checked at every lease round); set it
	// when the rules in force are the published ones, not a file.
	FollowPublishedRules bool
	// Warm is an engine run over the events while an import stored them
	// (NewWarm with these options): Open takes it instead of rebuilding
	// from the log when it is exactly what the rebuild would make. Open
	// closes it.
	Warm *Warm
}

// Service is the running fairmark. Its methods are safe for concurrent use.
type Service struct {
	opt Options
	db  *store.DB
	log *evidence.Log

	mu       sync.Mutex // serialises ingestion and engine access
	en       *engine.Engine
	pending  []engine.Decision
	rebuilds int64
	// late: events were stored that the engine has not applied in order;
	// the next rebuild takes them in.
	late        bool
	lateFrom    time.Time       // time of the earliest late event not yet taken in
	last        *fairmark.Event // the last event applied, in engine order
	lastRebuild time.Time
	ingested    int64
	decisions   map[engine.DecisionKind]int64
	// flagged: accounts the engine flagged since the case triggers last ran.
	flagged []fairmark.AccountID

	caseMu sync.Mutex // serialises case decisions; taken before mu, never inside it
	// caseEvidence, when not nil, collects the evidence records of case
	// events instead of appending them decision by decision: Open's
	// catch-up appends them at once. Under caseMu.
	caseEvidence *[]evidence.Record

	// With a Cluster: the position in the shared event log the engine has
	// followed to, the partitions held (nil without a Cluster), and
	// whether the next rebuild stores every decision about them.
	seq      store.Seq
	owned    atomic.Pointer[ownership]
	storeAll bool
	waiting  []trigger // triggers of events a query followed the log to
}

// Open starts a Service: it rebuilds the engine from the event log and
// appends to the evidence log any message or report a crash left out.
func Open(ctx context.Context, opt Options) (*Service, error) {
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.Engine == nil {
		opt.Engine = engine.New
	}
	if opt.RebuildEvery == 0 {
		opt.RebuildEvery = 2 * time.Second
	}
	s := &Service{opt: opt, db: opt.DB, log: opt.Evidence, decisions: map[engine.DecisionKind]int64{}}
	if c := opt.Cluster; c != nil {
		if opt.DB.Dialect() != store.Postgres {
			return nil, fairmark.Errorf(fairmark.EINVALID, "several workers share one PostgreSQL database: a cluster worker needs --postgres")
		}
		if c.Worker == "" {
			return nil, fairmark.Errorf(fairmark.EINVALID, "a cluster worker needs an id")
		}
		c.defaults()
		// Hold partitions before the first rebuild, which stores the
		// decisions about their buyers.
		if _, err := s.renewLeases(ctx); err != nil {
			return nil, err
		}
	}
	adopted, logged := false, false
	if opt.Warm != nil {
		var err error
		if adopted, logged, err = s.adoptWarm(ctx, opt.Warm); err != nil {
			return nil, err
		}
	}
	if !adopted {
		if err := s.Rebuild(ctx); err != nil {
			return nil, err
		}
	}
	if !logged {
		if err := s.catchUpEvidence(ctx, s.db.UnloggedEvidence); err != nil {
			return nil, err
		}
	}
	if err := s.catchUpCases(ctx); err != nil {
		return nil, fmt.Errorf("cases catch-up: %w", err)
	}
	return s, nil
}

// catchUpEvidence logs the messages and reports that unlogged returns (the
// stored events a crash kept out of the evidence log).
func (s *Service) catchUpEvidence(ctx context.Context, unlogged func(context.Context) ([][]byte, error)) error {
	if s.log == nil {
		return nil
	}
	raws, err := unlogged(ctx)
	if err != nil {
		return fmt.Errorf("evidence catch-up: %w", err)
	}
	var ins []store.Incoming
	for _, raw := range raws {
		e, err := event.Decode(raw)
		if err != nil {
			return fmt.Errorf("stored event does not decode: %w", err)
		}
		ins = append(ins, store.Incoming{Event: e, Raw: raw})
	}
	if err := s.logEvidence(ctx, ins); err != nil {
		return err
	}
	if len(ins) > 0 {
		s.opt.Logger.Info("evidence log caught up", "records", len(ins))
	}
	return nil
}

func (s *Service) newEngine() *engine.Engine {
	cfg := s.opt.Config
	cfg.OnDecision = func(d engine.Decision) { s.pending = append(s.pending, d) }
	return s.opt.Engine(cfg)
}

// Rebuild replays the whole event log into a fresh engine.
func (s *Service) Rebuild(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rebuildLocked(ctx)
}

func (s *Service) rebuildLocked(ctx context.Context) error {
	start := time.Now()
	var evs []*fairmark.Event
	seq, err := s.db.EventsUpTo(ctx, func(raw []byte) error {
		e, err := event.Decode(raw)
		if err != nil {
			return fmt.Errorf("stored event does not decode: %w", err)
		}
		evs = append(evs, e)
		return nil
	})
	if err != nil {
		return err
	}
	replay.SortEvents(evs)
	var last *fairmark.Event
	if len(evs) > 0 {
		last = evs[len(evs)-1]
	}
	en := s.newEngine()
	s.pending = s.pending[:0]
	replay.Run(en, evs)
	// Decisions made before the earliest late event are the ones the
	// previous engine already made and stored (the engine is deterministic
	// on the same ordered prefix): store only those from there on. At start
	// (no previous engine), and when a worker has taken over partitions,
	// all of them are stored.
	if s.en != nil && s.late && !s.storeAll {
		kept := s.pending[:0]
		for _, d := range s.pending {
			if !d.At.Before(s.lateFrom) {
				kept = append(kept, d)
			}
		}
		s.pending = kept
	}
	s.en, s.last, s.seq, s.storeAll = en, last, seq, false
	s.rebuilds++
	s.late = false
	s.lastRebuild = time.Now()
	if err := s.flushDecisionsLocked(ctx); err != nil {
		return err
	}
	s.opt.Logger.Debug("engine rebuilt", "events", len(evs), "took", time.Since(start))
	return nil
}

// Result is the outcome of one Ingest.
type Result struct {
	Accepted   int        `json:"accepted"`
	Duplicates int        `json:"duplicates"`
	Rejected   []Rejected `json:"rejected"`
}

// Rejected is one event that did not validate.
type Rejected struct {
	Index int    `json:"index"`
	ID    string `json:"id,omitempty"`
	Error string `json:"error"`
}

// Ingest stores the valid events durably, applies the new ones to the
// engine and logs messages and reports as evidence. Invalid events are
// listed in Rejected by their index in raws and never stop the valid ones.
// When Ingest returns nil every accepted event is durable.
func (s *Service) Ingest(ctx context.Context, raws [][]byte) (Result, error) {
	res := Result{Rejected: []Rejected{}}
	ins := make([]store.Incoming, 0, len(raws))
	for i, raw := range raws {
		e, err := event.Decode(raw)
		if err != nil {
			res.Rejected = append(res.Rejected, Rejected{Index: i, ID: event.PeekID(raw), Error: err.Error()})
			continue
		}
		ins = append(ins, store.Incoming{Event: e, Raw: raw})
	}
	acc, dup, err := s.IngestValid(ctx, ins)
	res.Accepted, res.Duplicates = acc, dup
	return res, err
}

// IngestValid is Ingest for events already decoded and validated. Reports
// among them, and accounts the engine flags, open or feed cases.
func (s *Service) IngestValid(ctx context.Context, ins []store.Incoming) (accepted, duplicates int, err error) {
	accepted, duplicates, ts, err := s.ingest(ctx, ins)
	if err != nil {
		return accepted, duplicates, err
	}
	s.caseTriggers(ctx, ts)
	return accepted, duplicates, nil
}

// ingest stores and applies events and returns the case triggers they
// raised; it takes mu, so it must not be called with mu held.
func (s *Service) ingest(ctx context.Context, ins []store.Incoming) (accepted, duplicates int, ts []trigger, err error) {
	if len(ins) == 0 {
		return 0, 0, nil, nil
	}
	// Run the detectors before taking the lock, on all cores: they are pure.
	all := make([]*fairmark.Event, len(ins))
	for i, in := range ins {
		all[i] = in.Event
	}
	read := s.prepare(all, nil)
	s.mu.Lock()
	defer s.mu.Unlock()
	isNew, err := s.db.Append(ctx, ins)
	if err != nil {
		return 0, 0, nil, fmt.Errorf("store events: %w", err)
	}
	var fresh []store.Incoming
	var evs []*fairmark.Event
	for i, n := range isNew {
		if n {
			fresh = append(fresh, ins[i])
			evs = append(evs, ins[i].Event)
		}
	}
	accepted, duplicates = len(fresh), len(ins)-len(fresh)
	s.ingested += int64(accepted)
	if len(evs) == 0 {
		return accepted, duplicates, nil, nil
	}
	var reports []trigger
	if s.opt.Cluster != nil {
		// The engine takes events from the shared log, in commit order,
		// these among them (and other workers' since the last poll).
		if reports, err = s.followLocked(ctx, read); err != nil {
			return accepted, duplicates, nil, err
		}
	} else {
		s.applyLocked(ctx, evs, read)
		if err := s.flushDecisionsLocked(ctx); err != nil {
			return accepted, duplicates, nil, err
		}
		for _, in := range fresh {
			if in.Event.Report != nil {
				reports = append(reports, reportTrigger(in.Event))
			}
		}
	}
	// The events are stored: their evidence records must follow even if
	// the caller gives up waiting (a resend would find them duplicates and
	// log nothing).
	if err := s.logEvidence(context.WithoutCancel(ctx), fresh); err != nil {
		return accepted, duplicates, nil, err
	}
	ts = append(append(reports, s.waiting...), s.flagTriggersLocked()...)
	s.waiting = nil
	return accepted, duplicates, ts, nil
}

// applyLocked applies new events, sorted here into engine order. Events
// later than what the engine has applied are stored but not applied: the
// engine is rebuilt from the log to take them in order — at once, or, when
// it rebuilt less than RebuildEvery ago, at the next query, Settle or
// ingest after that, so a stream with many late events cannot make it
// rebuild on every batch. Decisions are left pending (a rebuild stores
// its own).
func (s *Service) applyLocked(ctx context.Context, evs []*fairmark.Event, read texts) {
	replay.SortEvents(evs)
	for _, e := range evs {
		if s.last != nil && fairmark.Less(e, s.last) {
			// Before the last applied event in engine order (time, then id).
			if !s.late || e.At.Before(s.lateFrom) {
				s.lateFrom = e.At
			}
			s.late = true
			continue
		}
		s.en.Apply(engine.Prepared{Event: e, Text: read[e.ID]})
		s.last = e
	}
	if s.late && time.Since(s.lastRebuild) >= s.opt.RebuildEvery {
		// The events are durable already; the rebuild only brings the
		// engine up to them. It is not cut short by the caller's deadline
		// (a half rebuild is wasted work), and if it fails the events stay
		// marked late for the next query or batch to take in: failing the
		// ingest would make the sender resend what is stored.
		if err := s.rebuildLocked(context.WithoutCancel(ctx)); err != nil {
			s.opt.Logger.Error("rebuild engine; late events wait for the next attempt", "err", err)
		}
	}
}

// texts are the text detectors' readings of events, by event id.
type texts map[fairmark.EventID]*engine.Text

// prepare runs the text detectors over evs on all cores and adds their
// readings to into (made when nil), which it returns.
func (s *Service) prepare(evs []*fairmark.Event, into texts) texts {
	detect := s.opt.Config.Detect
	ps := make([]engine.Prepared, len(evs))
	workers := min(runtime.GOMAXPROCS(0), (len(evs)+63)/64)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(evs); i += workers {
				ps[i] = engine.Prepare(detect, evs[i])
			}
		}()
	}
	wg.Wait()
	if into == nil {
		into = make(texts, len(evs))
	}
	for i, e := range evs {
		into[e.ID] = ps[i].Text
	}
	return into
}

func (s *Service) flushDecisionsLocked(ctx context.Context) error {
	if len(s.pending) == 0 {
		return nil
	}
	rows := make([]store.Decision, 0, len(s.pending))
	for _, d := range s.pending {
		if !s.owns(decisionSubject(d)) {
			continue // another worker's partition: it stores and acts on this
		}
		body, err := json.Marshal(d)
		if err != nil {
			return err
		}
		if d.Kind == engine.FlagAccount {
			s.flagged = append(s.flagged, d.Account)
		}
		rows = append(rows, store.Decision{Key: d.Key(), Kind: string(d.Kind), At: d.At, Event: d.Event, Account: d.Account, Seller: d.Seller, Feedback: d.Feedback, Body: body})
		s.decisions[d.Kind]++
	}
	s.pending = s.pending[:0]
	if err := s.db.SaveDecisions(ctx, rows); err != nil {
		return fmt.Errorf("store decisions: %w", err)
	}
	return nil
}

// decisionSubject is the account whose partition a decision belongs to:
// the buyer concerned, else the seller.
func decisionSubject(d engine.Decision) fairmark.AccountID {
	if d.Account != "" {
		return d.Account
	}
	return d.Seller
}

// logEvidence appends every message and report among ins to the evidence
// log, with the event as received for content.
func (s *Service) logEvidence(ctx context.Context, ins []store.Incoming) error {
	if s.log == nil {
		return nil
	}
	var recs []evidence.Record
	for _, in := range ins {
		e := in.Event
		switch {
		case e.Message != nil:
			m := e.Message
			scopes := []evidence.Scope{
				{Type: evidence.ScopeConversation, ID: string(m.Conversation)},
				{Type: evidence.ScopeAccount, ID: string(m.From)},
				{Type: evidence.ScopeAccount, ID: string(m.To)},
			}
			if m.Order != "" {
				scopes = append(scopes, evidence.Scope{Type: evidence.ScopeOrder, ID: string(m.Order)})
			}
			recs = append(recs, evidence.Record{Kind: "message", Ref: string(m.ID), Scopes: scopes, At: e.At, Content: in.Raw})
		case e.Report != nil:
			r := e.Report
			scopes := []evidence.Scope{
				{Type: evidence.ScopeReport, ID: string(r.ID)},
				{Type: evidence.ScopeAccount, ID: string(r.Accused)},
				{Type: evidence.ScopeAccount, ID: string(r.Reporter)},
			}
			if r.Order != "" {
				scopes = append(scopes, evidence.Scope{Type: evidence.ScopeOrder, ID: string(r.Order)})
			}
			recs = append(recs, evidence.Record{Kind: "report", Ref: string(r.ID), Scopes: scopes, At: e.At, Content: in.Raw})
		}
	}
	if len(recs) == 0 {
		return nil
	}
	if _, err := s.log.AppendOnce(ctx, recs...); err != nil {
		return fmt.Errorf("evidence log: %w", err)
	}
	return nil
}

// Settle applies any late events now (rebuilding the engine), so that the
// state is exactly that of the ordered stream of everything stored.
func (s *Service) Settle(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.followOnQueryLocked(ctx); err != nil {
		return err
	}
	if !s.late {
		return nil
	}
	return s.rebuildLocked(ctx)
}

// settleLocked takes late events in before a query answers, so answers are
// never stale; ingestion alone rebuilds at most every RebuildEvery.
func (s *Service) settleLocked() {
	if err := s.followOnQueryLocked(context.Background()); err != nil {
		s.opt.Logger.Error("follow the event log", "err", err)
	}
	if s.late {
		if err := s.rebuildLocked(context.Background()); err != nil {
			s.opt.Logger.Error("rebuild engine", "err", err)
		}
	}
}

// lookup answers one query from the engine, with late events taken in
// first; ENOTFOUND (naming what and id) when the engine does not know it.
func lookup[ID ~string, V any](s *Service, what string, id ID, get func(*engine.Engine, ID) (V, bool)) (V, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleLocked()
	v, ok := get(s.en, id)
	if !ok {
		return v, fairmark.Errorf(fairmark.ENOTFOUND, "%s %s not found", what, id)
	}
	return v, nil
}

// Account returns an account's current risk; ENOTFOUND if unknown.
func (s *Service) Account(id fairmark.AccountID) (engine.AccountView, error) {
	return lookup(s, "account", id, (*engine.Engine).Account)
}

// Reputation returns a seller's reputation; ENOTFOUND if unknown.
func (s *Service) Reputation(id fairmark.AccountID) (engine.ReputationView, error) {
	return lookup(s, "seller", id, (*engine.Engine).Reputation)
}

// Feedback returns one feedback's standing; ENOTFOUND if unknown.
func (s *Service) Feedback(id fairmark.FeedbackID) (engine.FeedbackView, error) {
	return lookup(s, "feedback", id, (*engine.Engine).Feedback)
}

// Alerts returns the alerts sent to a seller, newest first.
func (s *Service) Alerts(ctx context.Context, seller fairmark.AccountID, limit int) ([]engine.Decision, error) {
	rows, err := s.db.Decisions(ctx, store.DecisionFilter{Kind: string(engine.AlertSeller), Seller: seller, Limit: limit})
	if err != nil {
		return nil, err
	}
	return decodeDecisions(rows)
}

// Decisions returns stored decisions matching f, newest first.
func (s *Service) Decisions(ctx context.Context, f store.DecisionFilter) ([]engine.Decision, error) {
	rows, err := s.db.Decisions(ctx, f)
	if err != nil {
		return nil, err
	}
	return decodeDecisions(rows)
}

func decodeDecisions(rows []store.Decision) ([]engine.Decision, error) {
	out := make([]engine.Decision, 0, len(rows))
	for _, r := range rows {
		var d engine.Decision
		if err := json.Unmarshal(r.Body, &d); err != nil {
			return nil, fmt.Errorf("stored decision %s: %w", r.Key, err)
		}
		out = append(out, d)
	}
	return out, nil
}

// Stats are counters for /metrics.
type Stats struct {
	Ingested  int64
	Applied   int64
	Rebuilds  int64
	Decisions map[engine.DecisionKind]int64
	// With a Cluster: the partitions this worker holds, of how many, and
	// the position in the shared event log its engine has followed to.
	Held, Partitions int
	Followed         int64
}

// Stats returns the service's counters.
func (s *Service) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := make(map[engine.DecisionKind]int64, len(s.decisions))
	for k, v := range s.decisions {
		d[k] = v
	}
	held, of := s.Held()
	return Stats{Ingested: s.ingested, Applied: s.en.Applied(), Rebuilds: s.rebuilds, Decisions: d, Held: len(held), Partitions: of, Followed: s.seq}
}

// DB returns the store.
func (s *Service) DB() *store.DB { return s.db }

// EvidenceLog returns the evidence log, nil when there is none.
func (s *Service) EvidenceLog() *evidence.Log { return s.log }

// Ping checks the store.
func (s *Service) Ping(ctx context.Context) error { return s.db.Ping(ctx) }

// Snapshot calls fn with the engine under the service's lock and returns
// its result: for tests and reports that need a consistent view.
//
// Late events not yet taken in are taken in first (the engine is rebuilt),
// so the view is exactly that of the ordered stream of everything stored.
func Snapshot[T any](s *Service, fn func(*engine.Engine) T) T {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleLocked()
	return fn(s.en)
}
