package service

import (
	"context"
	"fmt"
	"hash/fnv"
	"slices"
	"time"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/engine"
	"github.com/fairmark/fairmark/event"
	"github.com/fairmark/fairmark/rules"
	"github.com/fairmark/fairmark/store"
)

// Cluster makes a Service one of several workers sharing one PostgreSQL
// database (docs/SCALING.md).
//
// Every worker stores what it ingests in the shared event log and follows
// that log in commit order, so every worker's engine applies every event
// and all of them compute the same state: the engine's scores read other
// buyers' risk, linked rings and the rating graph, so a buyer's decisions
// cannot be computed from its partition alone without changing them. What
// is partitioned by buyer is acting on the decisions: buyers are hashed
// into Partitions, each partition is leased to one worker, and only the
// holder stores decisions about its buyers, opens and feeds their cases and
// sends their webhooks. A worker that stops renewing its leases loses its
// partitions after LeaseTTL; the worker that takes one over rebuilds its
// engine and stores every decision about the partition's buyers (decisions
// are keyed, so the ones already stored are kept once) and acts on the
// reports and flags nobody acted on.
type Cluster struct {
	// Worker names this worker; unique among the workers (default: the
	// host name and process id, set by the caller).
	Worker string
	// Partitions is the number of buyer partitions, the same on every
	// worker (default 16).
	Partitions int
	// LeaseTTL is how long a lease lasts without renewal (default 10s);
	// leases are renewed every LeaseTTL/3.
	LeaseTTL time.Duration
	// Poll is how often the worker follows the shared event log (default
	// 200ms); ingesting and answering queries also follow it first.
	Poll time.Duration
}

func (c *Cluster) defaults() {
	if c.Partitions <= 0 {
		c.Partitions = 16
	}
	if c.LeaseTTL <= 0 {
		c.LeaseTTL = 10 * time.Second
	}
	if c.Poll <= 0 {
		c.Poll = 200 * time.Millisecond
	}
}

// Partition is the buyer partition of an account among n.
func Partition(id fairmark.AccountID, n int) int {
	h := fnv.New32a()
	h.Write([]byte(id))
	return int(h.Sum32() % uint32(n))
}

// ownership is the set of partitions a worker holds (nil Cluster: all).
type ownership struct {
	n    int
	held []bool
}

// owns reports whether this worker acts on decisions about account id: always
// without a cluster.
func (s *Service) owns(id fairmark.AccountID) bool {
	o := s.owned.Load()
	if o == nil {
		return true
	}
	return o.held[Partition(id, o.n)]
}

// Held returns the partitions this worker holds and their number (nil, 0
// without a cluster).
func (s *Service) Held() (parts []int, of int) {
	o := s.owned.Load()
	if o == nil {
		return nil, 0
	}
	for p, h := range o.held {
		if h {
			parts = append(parts, p)
		}
	}
	return parts, o.n
}

// renewLeases runs one lease round and returns the partitions gained.
func (s *Service) renewLeases(ctx context.Context) (gained []int, err error) {
	c := s.opt.Cluster
	parts, err := s.db.AcquireLeases(ctx, c.Worker, c.Partitions, c.LeaseTTL)
	if err != nil {
		return nil, fmt.Errorf("leases: %w", err)
	}
	next := &ownership{n: c.Partitions, held: make([]bool, c.Partitions)}
	old := s.owned.Load()
	for _, p := range parts {
		next.held[p] = true
		if old == nil || !old.held[p] {
			gained = append(gained, p)
		}
	}
	if old == nil || !slices.Equal(old.held, next.held) {
		s.opt.Logger.Info("partitions held", "worker", c.Worker, "partitions", parts, "gained", gained)
	}
	s.owned.Store(next)
	return gained, nil
}

// followLocked applies the events other workers (and this one) committed
// since the last one it applied, in commit order; events earlier than what
// the engine applied make it rebuild, as in ingest. It returns the report
// triggers of the events applied. read holds detector readings already
// taken (of the events this worker is ingesting); the others' are taken here.
func (s *Service) followLocked(ctx context.Context, read texts) ([]trigger, error) {
	var ts []trigger
	for {
		var evs []*fairmark.Event
		next, err := s.db.EventsAfter(ctx, s.seq, 5000, func(_ store.Seq, raw []byte) error {
			e, err := event.Decode(raw)
			if err != nil {
				return fmt.Errorf("stored event does not decode: %w", err)
			}
			evs = append(evs, e)
			return nil
		})
		if err != nil {
			return ts, fmt.Errorf("follow the event log: %w", err)
		}
		if len(evs) == 0 {
			return ts, nil
		}
		s.seq = next
		var unread []*fairmark.Event
		for _, e := range evs {
			if _, ok := read[e.ID]; !ok {
				unread = append(unread, e)
			}
		}
		read = s.prepare(unread, read)
		s.applyLocked(ctx, evs, read)
		for _, e := range evs {
			if e.Report != nil {
				ts = append(ts, reportTrigger(e))
			}
		}
		if err := s.flushDecisionsLocked(ctx); err != nil {
			return ts, err
		}
	}
}

// followOnQueryLocked brings a clustered worker's engine up to the shared
// log before it answers a query, so a query sees every event acknowledged
// by any worker before it was asked. Triggers of the events it applies
// wait for the next poll.
func (s *Service) followOnQueryLocked(ctx context.Context) error {
	if s.opt.Cluster == nil {
		return nil
	}
	ts, err := s.followLocked(ctx, nil)
	s.waiting = append(s.waiting, ts...)
	return err
}

// RunCluster keeps a clustered Service's leases and follows the shared
// event log until ctx ends, then gives its partitions back. Without a
// Cluster it returns at once.
func (s *Service) RunCluster(ctx context.Context) error {
	c := s.opt.Cluster
	if c == nil {
		return nil
	}
	follow := time.NewTicker(c.Poll)
	defer follow.Stop()
	renew := time.NewTicker(c.LeaseTTL / 3)
	defer renew.Stop()
	for {
		select {
		case <-ctx.Done():
			release, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			return s.db.ReleaseLeases(release, c.Worker)
		case <-renew.C:
			if err := s.adoptPublishedRules(ctx); err != nil {
				s.opt.Logger.Error("rule set published by another worker", "err", err)
			}
			gained, err := s.renewLeases(ctx)
			if err != nil {
				s.opt.Logger.Error("renew leases", "err", err)
				continue
			}
			if len(gained) > 0 {
				if err := s.takeOver(ctx, gained); err != nil {
					s.opt.Logger.Error("take over partitions", "partitions", gained, "err", err)
				}
			}
		case <-follow.C:
			s.mu.Lock()
			ts, err := s.followLocked(ctx, nil)
			ts = append(append(ts, s.waiting...), s.flagTriggersLocked()...)
			s.waiting = nil
			s.mu.Unlock()
			if err != nil {
				s.opt.Logger.Error("follow the event log", "err", err)
			}
			s.caseTriggers(ctx, ts)
		}
	}
}

// adoptPublishedRules puts in force the rule set published last, when it
// is not the one in force: another worker's lead published it. The engine
// is rebuilt under it, as on the publishing worker, and the decisions
// about this worker's buyers are stored.
func (s *Service) adoptPublishedRules(ctx context.Context) error {
	if !s.opt.FollowPublishedRules {
		return nil
	}
	pub, err := s.db.LatestRuleSet(ctx)
	if err != nil || pub == nil {
		return err
	}
	if cur := s.RuleSet(); cur != nil && cur.Hash == pub.Hash {
		return nil
	}
	set, err := rules.Parse("published", pub.Source, engine.FeatureVars(), rules.Options{})
	if err != nil {
		return fmt.Errorf("published rule set %d (%s): %w", pub.Seq, pub.Hash, err)
	}
	s.mu.Lock()
	old := s.opt.Config.Rules
	s.opt.Config.Rules = engine.NewRules(set)
	if err := s.rebuildLocked(ctx); err != nil {
		s.opt.Config.Rules = old
		s.mu.Unlock()
		return err
	}
	ts := s.flagTriggersLocked()
	s.mu.Unlock()
	s.opt.Logger.Info("rule set published by another worker put in force", "seq", pub.Seq, "hash", pub.Hash, "by", pub.PublishedBy)
	s.caseTriggers(ctx, ts)
	return nil
}

// takeOver makes this worker act on partitions it has just gained: it
// rebuilds the engine and stores every decision about their buyers (the
// previous holder may have died before storing some), logs the evidence a
// dead worker stored but did not log, then acts on the reports and flags
// of their buyers that nobody acted on.
//
// Evidence is caught up only for events received more than half a lease
// ago: a dead worker stopped renewing at least a lease before its
// partitions were free, so everything it stored is older than that, while
// a live worker logs what it stores within milliseconds.
func (s *Service) takeOver(ctx context.Context, gained []int) error {
	s.mu.Lock()
	s.storeAll = true
	err := s.rebuildLocked(ctx)
	s.mu.Unlock()
	if err != nil {
		return err
	}
	before := time.Now().Add(-s.opt.Cluster.LeaseTTL / 2)
	if err := s.catchUpEvidence(ctx, func(ctx context.Context) ([][]byte, error) {
		return s.db.UnloggedEvidenceBefore(ctx, before)
	}); err != nil {
		return err
	}
	return s.catchUpTriggers(ctx)
}

// ownedTriggers keeps the triggers about accounts this worker acts on.
func (s *Service) ownedTriggers(ts []trigger) []trigger {
	if s.owned.Load() == nil {
		return ts
	}
	kept := ts[:0:0]
	for _, t := range ts {
		if s.owns(t.accused) {
			kept = append(kept, t)
		}
	}
	return kept
}
