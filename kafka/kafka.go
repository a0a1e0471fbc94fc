// Package kafkasource consumes marketplace events from Kafka and ingests
// them through the service.
//
// Each record's value is one event of the contract (shared/spec/events.md),
// or several as NDJSON (one event per line). Records are read by a consumer
// group with auto-commit disabled: the offsets of the records of one poll
// are committed only after Ingest returned nil for all of them, so every
// committed event is durable in the event log. Delivery is at least once; the
// event log is idempotent by event id, so a record delivered again (after a
// crash between storing and committing, or a rebalance) is stored once and
// counted as a duplicate.
//
// An invalid event is counted, logged with its error and committed with the
// rest: it will never become valid. A failed Ingest (the store is down)
// commits nothing; the same records are ingested again after a growing
// delay (RetryBackoff doubling up to MaxRetryBackoff) until it succeeds or
// the context is cancelled. Rebalances are blocked while a poll is being
// ingested (kgo.BlockRebalanceOnPoll), so a commit never lands on a
// partition this member no longer owns.
//
// Use:
//
//	src, err := kafkasource.New(svc, kafkasource.Config{
//		Brokers: []string{"127.0.0.1:9092"},
//		Topic:   "marketplace-events",
//		Group:   "fairmark",
//	}, logger)
//	if err != nil { ... }
//	err = src.Run(ctx) // blocks; returns nil once ctx is cancelled
//	st := src.Stats()  // counters for /metrics, safe at any time
//
// Run finishes the poll it is ingesting when ctx is cancelled (storing and
// committing it), then leaves the group and returns nil.
//
// # Order across partitions
//
// The engine applies events in time order and rebuilds itself from the
// event log when an event arrives earlier than one it has applied. Each
// partition is in time order (the marketplace keys events by buyer), but
// polls are not across partitions. So the source merges partitions by a low
// watermark: it hands the service only the events earlier than the latest
// event time every live partition has reached, and holds the rest (their
// offsets uncommitted) until the others catch up. A partition that brought
// nothing in two polls that took everything the client had buffered, for
// at least Config.Reorder, and had nothing more at the broker (its high
// watermark reached) at its last fetch, stops holding the others back;
// when none is live, everything held goes out.
// The merged stream is then in time order and the engine never rebuilds;
// events wait at most about Reorder longer. Held records of a partition
// this member loses in a rebalance are dropped: uncommitted, they go to
// the new owner.
package kafkasource

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/fairmark/fairmark/event"
	"github.com/fairmark/fairmark/service"
)

// Ingester is what the source feeds: *service.Service implements it.
type Ingester interface {
	Ingest(ctx context.Context, raws [][]byte) (service.Result, error)
}

// Config configures a Source.
type Config struct {
	Brokers []string // seed brokers, host:port (required)
	Topic   string   // topic to consume (required)
	Group   string   // consumer group (required)

	// ClientID names the client to the brokers (default "fairmark").
	ClientID string
	// MaxPollRecords bounds the records ingested in one Ingest call
	// (default 10000). Keep it large: a poll drains the buffered fetches
	// partition by partition, so a small poll runs one partition ahead of
	// the others and the next poll brings events earlier than those the
	// engine has applied, which costs the service a full rebuild each time
	// (at 10k events/s over 4 partitions, 1000 made the consumer fall
	// behind for good; see docs/benchmarks/streams.md).
	MaxPollRecords int
	// FetchMaxWait is how long a broker may hold a fetch waiting for data
	// (default 500ms).
	FetchMaxWait time.Duration
	// RetryBackoff is the delay before ingesting a poll again after a
	// failed Ingest; it doubles on each failure up to MaxRetryBackoff
	// (defaults 250ms and 30s).
	RetryBackoff    time.Duration
	MaxRetryBackoff time.Duration
	// CommitTimeout bounds the commit after a poll was ingested, and the
	// final Ingest and commit once ctx is cancelled (default 10s).
	CommitTimeout time.Duration
	// Reorder is how long the source waits for a partition that has
	// nothing new before it stops holding the others back (default 1s;
	// negative: no reordering, each poll is ingested as it comes). See
	// "Order across partitions" in the package documentation.
	Reorder time.Duration
	// Opts are extra kgo client options (TLS, SASL, …), applied last.
	Opts []kgo.Opt
}

func (c *Config) defaults() error {
	if len(c.Brokers) == 0 {
		return errors.New("kafkasource: no brokers")
	}
	if c.Topic == "" {
		return errors.New("kafkasource: no topic")
	}
	if c.Group == "" {
		return errors.New("kafkasource: no consumer group")
	}
	if c.ClientID == "" {
		c.ClientID = "fairmark"
	}
	if c.MaxPollRecords <= 0 {
		c.MaxPollRecords = 10000
	}
	if c.FetchMaxWait <= 0 {
		c.FetchMaxWait = 500 * time.Millisecond
	}
	if c.RetryBackoff <= 0 {
		c.RetryBackoff = 250 * time.Millisecond
	}
	if c.MaxRetryBackoff < c.RetryBackoff {
		c.MaxRetryBackoff = max(30*time.Second, c.RetryBackoff)
	}
	if c.CommitTimeout <= 0 {
		c.CommitTimeout = 10 * time.Second
	}
	if c.Reorder == 0 {
		c.Reorder = time.Second
	}
	return nil
}

// Stats are the source's counters, cumulative since New.
type Stats struct {
	Records     int64 // Kafka records received
	Received    int64 // events received (a record may hold several NDJSON lines)
	Accepted    int64 // events stored for the first time
	Duplicates  int64 // valid events already in the event log
	Rejected    int64 // invalid events (committed and dropped)
	Redelivered int64 // records ingested again after a failed Ingest
	Committed   int64 // records whose offsets were committed
	IngestFails int64 // Ingest calls that failed (nothing committed)
	CommitFails int64 // commits that failed (the records will come again)
	Held        int64 // records held now, waiting for other partitions
}

// Source consumes one topic into an Ingester.
type Source struct {
	svc Ingester
	cfg Config
	log *slog.Logger

	records, received, accepted, duplicates, rejected atomic.Int64
	redelivered, committed, ingestFails, commitFails  atomic.Int64
	held                                              atomic.Int64
	running                                           atomic.Bool

	mu    sync.Mutex // guards parts (rebalance callbacks run apart from Run)
	parts map[int32]*partition
}

// partition is the reorder buffer of one partition.
type partition struct {
	q      []heldRecord // in offset order
	last   time.Time    // the latest event time seen in the partition
	seen   time.Time    // when the partition last brought a record (wall clock)
	active bool
	// behind: the last fetch that brought records ended below the
	// partition's high watermark, so the broker has more and the partition
	// is not quiet however long a poll took.
	behind bool
	// idle counts the polls in a row that took everything buffered (fewer
	// records than MaxPollRecords) and brought nothing of this partition.
	idle int
}

type heldRecord struct {
	rec *kgo.Record
	at  time.Time // the latest event time in the record; zero when none decodes
}

// New returns a Source; it checks cfg but does not connect. A nil logger
// discards logs.
func New(svc Ingester, cfg Config, logger *slog.Logger) (*Source, error) {
	if svc == nil {
		return nil, errors.New("kafkasource: nil ingester")
	}
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Source{svc: svc, cfg: cfg, log: logger.With("source", "kafka", "topic", cfg.Topic, "group", cfg.Group)}, nil
}

// Stats returns the counters. It is safe to call while Run runs.
func (s *Source) Stats() Stats {
	return Stats{
		Records:     s.records.Load(),
		Received:    s.received.Load(),
		Accepted:    s.accepted.Load(),
		Duplicates:  s.duplicates.Load(),
		Rejected:    s.rejected.Load(),
		Redelivered: s.redelivered.Load(),
		Committed:   s.committed.Load(),
		IngestFails: s.ingestFails.Load(),
		CommitFails: s.commitFails.Load(),
		Held:        s.held.Load(),
	}
}

// Run consumes until ctx is cancelled, then returns nil. It returns an
// error only when the client cannot be created. Run may be called again
// after it returned; calls must not overlap.
func (s *Source) Run(ctx context.Context) error {
	if !s.running.CompareAndSwap(false, true) {
		return errors.New("kafkasource: Run is already running")
	}
	defer s.running.Store(false)
	opts := []kgo.Opt{
		kgo.SeedBrokers(s.cfg.Brokers...),
		kgo.ClientID(s.cfg.ClientID),
		kgo.ConsumerGroup(s.cfg.Group),
		kgo.ConsumeTopics(s.cfg.Topic),
		kgo.DisableAutoCommit(),
		kgo.BlockRebalanceOnPoll(),
		kgo.FetchMaxWait(s.cfg.FetchMaxWait),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.OnPartitionsAssigned(s.assigned),
		kgo.OnPartitionsRevoked(s.dropHeld),
		kgo.OnPartitionsLost(s.dropHeld),
	}
	s.mu.Lock()
	s.parts = map[int32]*partition{}
	s.mu.Unlock()
	cl, err := kgo.NewClient(append(opts, s.cfg.Opts...)...)
	if err != nil {
		return fmt.Errorf("kafkasource: %w", err)
	}
	defer cl.CloseAllowingRebalance()
	s.log.Info("consuming", "brokers", s.cfg.Brokers)
	for {
		// With records held, poll no longer than Reorder, so that they go
		// out when the partitions holding them back fall quiet.
		pctx, cancel := ctx, context.CancelFunc(func() {})
		if s.held.Load() > 0 {
			pctx, cancel = context.WithTimeout(ctx, s.cfg.Reorder)
		}
		fetches := cl.PollRecords(pctx, s.cfg.MaxPollRecords)
		cancel()
		if ctx.Err() != nil && fetches.Empty() {
			return nil
		}
		if fetches.IsClientClosed() {
			return nil
		}
		fetchErr := false
		fetches.EachError(func(topic string, p int32, err error) {
			if !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
				fetchErr = true
				s.log.Warn("fetch error", "partition", p, "err", err)
			}
		})
		recs := fetches.Records()
		if s.cfg.Reorder < 0 {
			if len(recs) > 0 {
				s.handle(ctx, cl, recs)
			}
		} else if out := s.merge(fetches, len(recs) < s.cfg.MaxPollRecords, time.Now(), ctx.Err() != nil); len(out) > 0 {
			s.handle(ctx, cl, out)
		}
		cl.AllowRebalance()
		if ctx.Err() != nil {
			return nil
		}
		if fetchErr && len(recs) == 0 {
			// Do not spin on a broker that keeps failing; kgo retries too.
			sleep(ctx, s.cfg.RetryBackoff)
		}
	}
}

// merge adds a poll's records to the reorder buffers and returns those
// now due, oldest partition prefix first: every held record earlier than
// the low watermark across live partitions (all of them when flush or
// when no partition brought anything for Reorder).
func (s *Source) merge(fetches kgo.Fetches, drained bool, now time.Time, flush bool) []*kgo.Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	brought := map[int32]bool{}
	fetches.EachPartition(func(fp kgo.FetchTopicPartition) {
		if fp.Err != nil {
			return
		}
		p := s.parts[fp.Partition]
		if p == nil {
			p = &partition{}
			s.parts[fp.Partition] = p
		}
		if n := len(fp.Records); n > 0 {
			p.behind = fp.Records[n-1].Offset+1 < fp.HighWatermark
		}
		for _, r := range fp.Records {
			h := heldRecord{rec: r}
			for _, raw := range event.SplitPayload(r.Value) {
				if e, err := event.Decode(raw); err == nil && e.At.After(h.at) {
					h.at = e.At
				}
			}
			p.q = append(p.q, h)
			p.seen, p.active, p.idle = now, true, 0
			brought[fp.Partition] = true
			if h.at.After(p.last) {
				p.last = h.at
			}
		}
	})
	// The watermark: the least latest-time of the partitions still live.
	var wm time.Time
	limited := false
	for id, p := range s.parts {
		if drained && !brought[id] {
			p.idle++
		}
		// Quiet only when it brought nothing in two polls that emptied the
		// client's buffers, for Reorder, with nothing more at the broker
		// at its last fetch: a slow poll or ingest alone proves nothing.
		if p.idle >= 2 && now.Sub(p.seen) >= s.cfg.Reorder && !p.behind {
			// Quiet: it no longer holds the others back, and what it
			// holds goes out once the live ones pass it (or at once when
			// none is live).
			p.active = false
		}
		if p.active && (!limited || p.last.Before(wm)) {
			wm, limited = p.last, true
		}
	}
	var out []*kgo.Record
	ids := make([]int32, 0, len(s.parts))
	for id := range s.parts {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		p := s.parts[id]
		n := 0
		// A prefix only, so that committing its last offset commits nothing
		// still held; strictly earlier than the watermark, so an event of
		// another partition at the watermark itself is not late.
		for n < len(p.q) && (flush || !limited || p.q[n].at.IsZero() || p.q[n].at.Before(wm)) {
			out = append(out, p.q[n].rec)
			n++
		}
		p.q = append(p.q[:0], p.q[n:]...)
	}
	held := 0
	for _, p := range s.parts {
		held += len(p.q)
	}
	s.held.Store(int64(held))
	return out
}

// assigned starts the reorder buffers of newly assigned partitions: until
// one brings a record (or stays quiet for Reorder) it holds the others
// back, so that its earlier events are not overtaken.
func (s *Source) assigned(_ context.Context, _ *kgo.Client, got map[string][]int32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	for _, ps := range got {
		for _, id := range ps {
			if s.parts[id] == nil {
				s.parts[id] = &partition{seen: now, active: true}
			}
		}
	}
}

// dropHeld forgets the held records of partitions this member no longer
// owns: they were not committed, so their new owner receives them.
func (s *Source) dropHeld(_ context.Context, _ *kgo.Client, lost map[string][]int32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ps := range lost {
		for _, id := range ps {
			if p := s.parts[id]; p != nil {
				s.held.Add(-int64(len(p.q)))
				delete(s.parts, id)
			}
		}
	}
}

// handle ingests one poll's records and commits them when Ingest succeeds.
func (s *Source) handle(ctx context.Context, cl *kgo.Client, recs []*kgo.Record) {
	s.records.Add(int64(len(recs)))
	var raws [][]byte
	var from []int // from[i] is the index in recs of raws[i]
	for i, r := range recs {
		for _, raw := range event.SplitPayload(r.Value) {
			raws = append(raws, raw)
			from = append(from, i)
		}
	}
	s.received.Add(int64(len(raws)))

	backoff := s.cfg.RetryBackoff
	var res service.Result
	for attempt := 0; ; attempt++ {
		// The Ingest of a poll runs to the end even when ctx is cancelled
		// meanwhile: a graceful stop commits what it stored.
		ictx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.CommitTimeout)
		var err error
		res, err = s.svc.Ingest(ictx, raws)
		cancel()
		if err == nil {
			break
		}
		s.ingestFails.Add(1)
		s.log.Error("ingest failed; will retry, nothing committed", "records", len(recs), "attempt", attempt+1, "retry_in", backoff, "err", err)
		if !sleep(ctx, backoff) {
			s.log.Info("stopping with an uncommitted poll; its records will be delivered again", "records", len(recs))
			return
		}
		backoff = min(2*backoff, s.cfg.MaxRetryBackoff)
		s.redelivered.Add(int64(len(recs)))
	}
	s.accepted.Add(int64(res.Accepted))
	s.duplicates.Add(int64(res.Duplicates))
	s.rejected.Add(int64(len(res.Rejected)))
	for _, rj := range res.Rejected {
		r := recs[from[rj.Index]]
		s.log.Warn("rejected event", "partition", r.Partition, "offset", r.Offset, "id", rj.ID, "err", rj.Error)
	}

	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.CommitTimeout)
	defer cancel()
	if err := cl.CommitRecords(cctx, recs...); err != nil {
		s.commitFails.Add(1)
		s.log.Error("commit failed; the records will be delivered again", "records", len(recs), "err", err)
		return
	}
	s.committed.Add(int64(len(recs)))
}

// sleep waits d or until ctx is done; it reports whether d elapsed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
