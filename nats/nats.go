// Package natssource consumes marketplace events from a NATS JetStream
// stream and ingests them through the service.
//
// Each message's data is one event of the contract (shared/spec/events.md),
// or several as NDJSON (one event per line). The source reads a durable pull
// consumer (created or updated by Run, with explicit acks) in batches of up
// to Config.Batch messages, ingests each batch with one Ingest call and acks
// its messages only after Ingest returned nil, so every acked event is
// durable in the event log. Delivery is at least once; the event log is
// idempotent by event id, so a message delivered again (after a crash
// between storing and acking, or an ack that was lost) is stored once and
// counted as a duplicate.
//
// An invalid event is counted, logged with its error and acked with the
// rest: it will never become valid. A failed Ingest (the store is down)
// NAKs the whole batch with a delay (NakDelay, doubling on each consecutive
// failure up to MaxNakDelay) so JetStream delivers it again. The consumer's
// MaxDeliver is unlimited by default so that a long store outage drops
// nothing. AckWait must be longer than an Ingest of one batch takes, or
// messages are delivered again while being ingested (harmless: duplicates).
//
// Use:
//
//	src, err := natssource.New(svc, natssource.Config{
//		URL:     "nats://127.0.0.1:4222",
//		Stream:  "MARKETPLACE",
//		Subject: "marketplace.events.>",
//		Durable: "fairmark",
//	}, logger)
//	if err != nil { ... }
//	err = src.Run(ctx) // blocks; returns nil once ctx is cancelled
//	st := src.Stats()  // counters for /metrics, safe at any time
//
// The stream itself must exist; Run does not create it. Run finishes the
// batch it is ingesting when ctx is cancelled (storing and acking it), then
// returns nil; it stops within about MaxWait.
package natssource

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/fairmark/fairmark/event"
	"github.com/fairmark/fairmark/service"
)

// Ingester is what the source feeds: *service.Service implements it.
type Ingester interface {
	Ingest(ctx context.Context, raws [][]byte) (service.Result, error)
}

// Config configures a Source.
type Config struct {
	// URL of the NATS server(s), comma-separated (required unless Conn is
	// set).
	URL string
	// Conn, when set, is used instead of dialling URL; Run does not close
	// it.
	Conn *nats.Conn
	// Stream is the JetStream stream to read (required); it must exist.
	Stream string
	// Subject filters the stream's subjects ("" for all of them).
	Subject string
	// Durable names the durable consumer (required). Instances sharing it
	// share the work.
	Durable string

	// Batch is the most messages fetched and ingested at once (default 500).
	Batch int
	// MaxWait is how long one fetch waits to fill a batch (default 1s).
	MaxWait time.Duration
	// AckWait is how long JetStream waits for an ack before delivering a
	// message again (default 30s).
	AckWait time.Duration
	// NakDelay is the redelivery delay after a failed Ingest; it doubles on
	// each consecutive failure up to MaxNakDelay (defaults 1s and 30s).
	NakDelay    time.Duration
	MaxNakDelay time.Duration
	// MaxDeliver bounds deliveries of one message (default -1: unlimited).
	MaxDeliver int
	// Timeout bounds one Ingest call and the flush of a batch's acks
	// (default 30s).
	Timeout time.Duration
}

func (c *Config) defaults() error {
	if c.URL == "" && c.Conn == nil {
		return errors.New("natssource: no URL")
	}
	if c.Stream == "" {
		return errors.New("natssource: no stream")
	}
	if c.Durable == "" {
		return errors.New("natssource: no durable consumer name")
	}
	if c.Batch <= 0 {
		c.Batch = 500
	}
	if c.MaxWait <= 0 {
		c.MaxWait = time.Second
	}
	if c.AckWait <= 0 {
		c.AckWait = 30 * time.Second
	}
	if c.NakDelay <= 0 {
		c.NakDelay = time.Second
	}
	if c.MaxNakDelay < c.NakDelay {
		c.MaxNakDelay = max(30*time.Second, c.NakDelay)
	}
	if c.MaxDeliver == 0 {
		c.MaxDeliver = -1
	}
	if c.Timeout <= 0 {
		c.Timeout = 30 * time.Second
	}
	return nil
}

// Stats are the source's counters, cumulative since New.
type Stats struct {
	Messages    int64 // messages received
	Received    int64 // events received (a message may hold several NDJSON lines)
	Accepted    int64 // events stored for the first time
	Duplicates  int64 // valid events already in the event log
	Rejected    int64 // invalid events (acked and dropped)
	Redelivered int64 // messages JetStream delivered more than once
	Acked       int64 // messages acked (the server confirmed the batch's acks)
	IngestFails int64 // Ingest calls that failed (their batch NAKed)
	AckFails    int64 // acks or NAKs that could not be sent
}

// Source consumes one durable JetStream consumer into an Ingester.
type Source struct {
	svc Ingester
	cfg Config
	log *slog.Logger

	messages, received, accepted, duplicates, rejected atomic.Int64
	redelivered, acked, ingestFails, ackFails          atomic.Int64
	running                                            atomic.Bool
}

// New returns a Source; it checks cfg but does not connect. A nil logger
// discards logs.
func New(svc Ingester, cfg Config, logger *slog.Logger) (*Source, error) {
	if svc == nil {
		return nil, errors.New("natssource: nil ingester")
	}
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Source{svc: svc, cfg: cfg, log: logger.With("source", "nats", "stream", cfg.Stream, "durable", cfg.Durable)}, nil
}

// Stats returns the counters. It is safe to call while Run runs.
func (s *Source) Stats() Stats {
	return Stats{
		Messages:    s.messages.Load(),
		Received:    s.received.Load(),
		Accepted:    s.accepted.Load(),
		Duplicates:  s.duplicates.Load(),
		Rejected:    s.rejected.Load(),
		Redelivered: s.redelivered.Load(),
		Acked:       s.acked.Load(),
		IngestFails: s.ingestFails.Load(),
		AckFails:    s.ackFails.Load(),
	}
}

// Run consumes until ctx is cancelled, then returns nil. It returns an
// error when it cannot connect, when the consumer cannot be created (the
// stream does not exist, say) or when the connection is closed under it.
// Run may be called again after it returned; calls must not overlap.
func (s *Source) Run(ctx context.Context) error {
	if !s.running.CompareAndSwap(false, true) {
		return errors.New("natssource: Run is already running")
	}
	defer s.running.Store(false)
	nc := s.cfg.Conn
	if nc == nil {
		var err error
		nc, err = nats.Connect(s.cfg.URL, nats.Name("fairmark"), nats.MaxReconnects(-1))
		if err != nil {
			return fmt.Errorf("natssource: connect %s: %w", s.cfg.URL, err)
		}
		defer nc.Close()
	}
	js, err := jetstream.New(nc)
	if err != nil {
		return fmt.Errorf("natssource: %w", err)
	}
	cc := jetstream.ConsumerConfig{
		Durable:       s.cfg.Durable,
		FilterSubject: s.cfg.Subject,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       s.cfg.AckWait,
		MaxDeliver:    s.cfg.MaxDeliver,
		DeliverPolicy: jetstream.DeliverAllPolicy,
		MaxAckPending: max(1000, 2*s.cfg.Batch),
	}
	cctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	cons, err := js.CreateOrUpdateConsumer(cctx, s.cfg.Stream, cc)
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("natssource: consumer %s on stream %s: %w", s.cfg.Durable, s.cfg.Stream, err)
	}
	s.log.Info("consuming", "subject", s.cfg.Subject)

	nak := s.cfg.NakDelay
	for ctx.Err() == nil {
		batch, err := cons.Fetch(s.cfg.Batch, jetstream.FetchMaxWait(s.cfg.MaxWait))
		if err != nil {
			if nc.IsClosed() {
				return s.closed(ctx)
			}
			s.log.Warn("fetch failed", "err", err)
			sleep(ctx, s.cfg.MaxWait)
			continue
		}
		var msgs []jetstream.Msg
		for m := range batch.Messages() {
			msgs = append(msgs, m)
		}
		if err := batch.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) {
			if nc.IsClosed() && len(msgs) == 0 {
				return s.closed(ctx)
			}
			s.log.Warn("fetch ended with an error", "messages", len(msgs), "err", err)
		}
		if len(msgs) == 0 {
			continue
		}
		if s.handle(ctx, nc, msgs, nak) {
			nak = s.cfg.NakDelay
		} else {
			nak = min(2*nak, s.cfg.MaxNakDelay)
		}
	}
	return nil
}

func (s *Source) closed(ctx context.Context) error {
	if ctx.Err() != nil {
		return nil
	}
	return errors.New("natssource: connection closed")
}

// handle ingests one batch and acks it, or NAKs it with delay nak when
// Ingest fails. It reports whether Ingest succeeded.
func (s *Source) handle(ctx context.Context, nc *nats.Conn, msgs []jetstream.Msg, nak time.Duration) bool {
	s.messages.Add(int64(len(msgs)))
	var raws [][]byte
	var from []int // from[i] is the index in msgs of raws[i]
	for i, m := range msgs {
		if md, err := m.Metadata(); err == nil && md.NumDelivered > 1 {
			s.redelivered.Add(1)
		}
		for _, raw := range event.SplitPayload(m.Data()) {
			raws = append(raws, raw)
			from = append(from, i)
		}
	}
	s.received.Add(int64(len(raws)))

	// The Ingest of a batch runs to the end even when ctx is cancelled
	// meanwhile: a graceful stop acks what it stored.
	ictx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.Timeout)
	res, err := s.svc.Ingest(ictx, raws)
	cancel()
	if err != nil {
		s.ingestFails.Add(1)
		delay := nak
		if ctx.Err() != nil {
			delay = 0 // stopping: let another instance have them now
		}
		s.log.Error("ingest failed; batch NAKed for redelivery", "messages", len(msgs), "redeliver_in", delay, "err", err)
		for _, m := range msgs {
			var err error
			if delay > 0 {
				err = m.NakWithDelay(delay)
			} else {
				err = m.Nak()
			}
			if err != nil {
				s.ackFails.Add(1)
			}
		}
		return false
	}
	s.accepted.Add(int64(res.Accepted))
	s.duplicates.Add(int64(res.Duplicates))
	s.rejected.Add(int64(len(res.Rejected)))
	for _, rj := range res.Rejected {
		m := msgs[from[rj.Index]]
		var seq uint64
		if md, err := m.Metadata(); err == nil {
			seq = md.Sequence.Stream
		}
		s.log.Warn("rejected event", "subject", m.Subject(), "stream_seq", seq, "id", rj.ID, "err", rj.Error)
	}

	sent := 0
	for _, m := range msgs {
		if err := m.Ack(); err != nil {
			s.ackFails.Add(1)
			s.log.Error("ack failed; the message will be delivered again", "err", err)
			continue
		}
		sent++
	}
	// One round trip makes sure the server has the batch's acks.
	if err := nc.FlushTimeout(s.cfg.Timeout); err != nil {
		s.ackFails.Add(int64(sent))
		s.log.Error("flushing acks failed; the batch may be delivered again", "messages", sent, "err", err)
		return true
	}
	s.acked.Add(int64(sent))
	return true
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
