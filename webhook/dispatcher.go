package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fairmark/fairmark"
)

// Endpoint is one marketplace URL fairmark POSTs to.
type Endpoint struct {
	URL    string
	Secret string // whsec_…, see NewSecret
	// Types the endpoint subscribes to; every type when empty.
	Types []string
}

// Wants reports whether e subscribes to messages of type typ.
func (e Endpoint) Wants(typ string) bool {
	return len(e.Types) == 0 || slices.Contains(e.Types, typ)
}

// Route returns, per endpoint URL, the messages that endpoint subscribes
// to, for producers that enqueue inside their own transaction:
//
//	for url, ms := range webhook.Route(endpoints, msgs) {
//		// enqueue ms for []string{url}
//	}
func Route(endpoints []Endpoint, msgs []Message) map[string][]Message {
	out := map[string][]Message{}
	for _, e := range endpoints {
		for _, m := range msgs {
			if e.Wants(m.Type) {
				out[e.URL] = append(out[e.URL], m)
			}
		}
	}
	return out
}

// DefaultSchedule is the wait after each failed attempt: after the first
// 5s, after the second 30s, … then 24h after each; with the default
// MaxAttempts of 10 a delivery is retried for about 45 hours before it is
// dead. Each wait is jittered by ±20%.
var DefaultSchedule = []time.Duration{
	5 * time.Second, 30 * time.Second, 2 * time.Minute, 10 * time.Minute, 30 * time.Minute,
	2 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour,
}

// Defaults of a [Dispatcher]'s zero fields.
const (
	DefaultMaxAttempts = 10
	DefaultTimeout     = 15 * time.Second
	DefaultLease       = 5 * time.Minute
	DefaultBatch       = 32
	DefaultWorkers     = 4
	// maxRetryAfter caps a receiver's Retry-After.
	maxRetryAfter = 24 * time.Hour
)

// Dispatcher delivers due messages from an Outbox to its endpoints.
//
// The outcome of an attempt:
//   - 2xx: delivered.
//   - 410 Gone: dead at once (the receiver no longer wants webhooks; remove
//     the endpoint from the configuration to stop sending it new ones).
//   - any other status, redirects included (they are not followed), or no
//     response (connection error, timeout): retried after the next wait of
//     Schedule, or after the receiver's Retry-After when that is longer
//     (capped at 24h), until MaxAttempts attempts, then dead. Other 4xx
//     are retried too: they usually mean a misconfigured receiver (a wrong
//     secret, a route not yet deployed) that an operator will fix, and a
//     dead delivery needs a manual replay.
//   - a message whose type the endpoint does not subscribe to (enqueued
//     without [Route]) is not sent: dead at once.
//
// Every attempt carries the message id as webhook-id, a fresh
// webhook-timestamp and its signature. Several dispatchers may share one
// outbox: a claimed delivery is leased to one of them.
type Dispatcher struct {
	Outbox    Outbox
	Endpoints []Endpoint
	// Client sends the requests; when nil, a client with DefaultTimeout
	// that does not follow redirects.
	Client *http.Client
	// Now is the dispatcher's clock; time.Now when nil.
	Now func() time.Time
	// Schedule is the wait after the 1st, 2nd, … failed attempt, the last
	// repeated; DefaultSchedule when empty.
	Schedule []time.Duration
	// MaxAttempts is how many attempts before a delivery is dead;
	// DefaultMaxAttempts when 0.
	MaxAttempts int
	// Rand returns a number in [0, 1) to jitter waits by ±20%
	// (0.5: no jitter); math/rand/v2 when nil.
	Rand func() float64
	// Lease is how long a claim holds its deliveries; it must outlast a
	// batch's sending. DefaultLease when 0.
	Lease time.Duration
	// BatchSize is how many deliveries a claim takes; DefaultBatch when 0.
	BatchSize int
	// Workers is how many requests are in flight at once; DefaultWorkers
	// when 0.
	Workers int
	Logger  *slog.Logger

	initOnce sync.Once
	initErr  error
	byURL    map[string]Endpoint
	urls     []string
}

// NewDispatcher returns a Dispatcher with default settings, after checking
// the endpoints: absolute http(s) URLs, each once, with a valid secret.
func NewDispatcher(outbox Outbox, endpoints []Endpoint, logger *slog.Logger) (*Dispatcher, error) {
	d := &Dispatcher{Outbox: outbox, Endpoints: endpoints, Logger: logger}
	if err := d.init(); err != nil {
		return nil, err
	}
	return d, nil
}

func (d *Dispatcher) init() error {
	d.initOnce.Do(func() {
		if d.Outbox == nil {
			d.initErr = errors.New("webhook dispatcher: no outbox")
			return
		}
		d.byURL = map[string]Endpoint{}
		for _, e := range d.Endpoints {
			if err := CheckEndpoint(e.URL); err != nil {
				d.initErr = err
				return
			}
			if err := CheckSecret(e.Secret); err != nil {
				d.initErr = fmt.Errorf("webhook endpoint %s: %w", e.URL, err)
				return
			}
			if _, dup := d.byURL[e.URL]; dup {
				d.initErr = fmt.Errorf("webhook endpoint %s configured twice", e.URL)
				return
			}
			d.byURL[e.URL] = e
			d.urls = append(d.urls, e.URL)
		}
		if d.Client == nil {
			d.Client = &http.Client{Timeout: DefaultTimeout, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		}
		if d.Now == nil {
			d.Now = time.Now
		}
		if len(d.Schedule) == 0 {
			d.Schedule = DefaultSchedule
		}
		if d.MaxAttempts <= 0 {
			d.MaxAttempts = DefaultMaxAttempts
		}
		if d.Rand == nil {
			d.Rand = rand.Float64
		}
		if d.Lease <= 0 {
			d.Lease = DefaultLease
		}
		if d.BatchSize <= 0 {
			d.BatchSize = DefaultBatch
		}
		if d.Workers <= 0 {
			d.Workers = DefaultWorkers
		}
		if d.Logger == nil {
			d.Logger = slog.New(slog.DiscardHandler)
		}
	})
	return d.initErr
}

// URLs returns the endpoint URLs that subscribe to messages of type typ.
func (d *Dispatcher) URLs(typ string) []string {
	var out []string
	for _, e := range d.Endpoints {
		if e.Wants(typ) {
			out = append(out, e.URL)
		}
	}
	return out
}

// Enqueue puts msgs in the outbox for the endpoints that subscribe to
// them. Producers that write in their own transaction use [Route] and
// their store's transactional enqueue instead.
func (d *Dispatcher) Enqueue(ctx context.Context, msgs ...Message) error {
	if err := d.init(); err != nil {
		return err
	}
	for url, ms := range Route(d.Endpoints, msgs) {
		if err := d.Outbox.Enqueue(ctx, []string{url}, ms); err != nil {
			return err
		}
	}
	return nil
}

// Backoff returns the wait after a delivery's attempts-th failed attempt,
// jittered.
func (d *Dispatcher) Backoff(attempts int) time.Duration {
	if err := d.init(); err != nil {
		return 0
	}
	base := d.Schedule[min(max(attempts, 1), len(d.Schedule))-1]
	return time.Duration(float64(base) * (0.8 + 0.4*d.Rand()))
}

// RunOnce claims and sends every delivery due now, batch after batch,
// and returns how many attempts it made. Outcomes are recorded in the
// outbox; the error is the outbox's (claiming or recording), not the
// endpoints'. A recording refused because the lease was lost (ECONFLICT:
// the lease lapsed and another dispatcher took the delivery, or an
// operator replayed it) is logged, not returned.
func (d *Dispatcher) RunOnce(ctx context.Context) (int, error) {
	if err := d.init(); err != nil {
		return 0, err
	}
	if len(d.urls) == 0 {
		return 0, nil
	}
	total := 0
	for {
		ds, err := d.Outbox.Claim(ctx, ClaimOptions{Endpoints: d.urls, Now: d.Now(), Lease: d.Lease, Limit: d.BatchSize})
		if err != nil {
			return total, fmt.Errorf("claim webhook deliveries: %w", err)
		}
		if len(ds) == 0 {
			return total, nil
		}
		total += len(ds)
		var (
			wg       sync.WaitGroup
			mu       sync.Mutex
			firstErr error
			sem      = make(chan struct{}, d.Workers)
		)
		for _, dl := range ds {
			sem <- struct{}{}
			wg.Go(func() {
				defer func() { <-sem }()
				if err := d.deliver(ctx, dl); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if firstErr != nil {
			return total, firstErr
		}
		if len(ds) < d.BatchSize {
			return total, nil
		}
		if err := ctx.Err(); err != nil {
			return total, err
		}
	}
}

// Run calls RunOnce every interval until ctx is done, then returns nil.
// Outbox errors are logged and retried at the next tick.
func (d *Dispatcher) Run(ctx context.Context, interval time.Duration) error {
	if err := d.init(); err != nil {
		return err
	}
	if interval <= 0 {
		interval = time.Second
	}
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		if _, err := d.RunOnce(ctx); err != nil && ctx.Err() == nil {
			d.Logger.Error("webhook dispatch failed", "err", err)
		}
		t.Reset(interval)
	}
}

// deliver makes one attempt of dl and records its outcome.
func (d *Dispatcher) deliver(ctx context.Context, dl Delivery) error {
	log := d.Logger.With("delivery", dl.ID, "message", dl.Message.ID, "type", dl.Message.Type, "endpoint", dl.Endpoint, "attempt", dl.Attempts)
	ep := d.byURL[dl.Endpoint]
	var (
		a          Attempt
		ok, gone   bool
		retryAfter time.Duration
	)
	if !ep.Wants(dl.Message.Type) {
		a = Attempt{At: d.Now(), Error: "endpoint does not subscribe to type " + dl.Message.Type}
		gone = true
	} else {
		a, ok, gone, retryAfter = d.post(ctx, ep, dl.Message)
		if err := ctx.Err(); err != nil {
			// Shutting down: leave the delivery to the next claim once
			// the lease lapses.
			return err
		}
	}
	var err error
	switch {
	case ok:
		err = d.Outbox.MarkDelivered(ctx, dl.ID, dl.Lease, a)
		if err == nil {
			log.Info("webhook delivered", "status", a.Status)
		}
	case gone || dl.Attempts >= d.MaxAttempts:
		err = d.Outbox.MarkFailed(ctx, dl.ID, dl.Lease, a, time.Time{})
		if err == nil {
			log.Error("webhook delivery dead", "status", a.Status, "err", a.Error)
		}
	default:
		wait := max(d.Backoff(dl.Attempts), min(retryAfter, maxRetryAfter))
		next := a.At.Add(wait)
		err = d.Outbox.MarkFailed(ctx, dl.ID, dl.Lease, a, next)
		if err == nil {
			log.Warn("webhook attempt failed, will retry", "status", a.Status, "err", a.Error, "retry_at", next)
		}
	}
	if fairmark.ErrorCode(err) == fairmark.ECONFLICT {
		log.Warn("webhook outcome not recorded: the delivery's lease was lost", "err", err)
		return nil
	}
	if err != nil {
		return fmt.Errorf("record webhook delivery %s: %w", dl.ID, err)
	}
	return nil
}

// post sends m to ep once. ok: 2xx; gone: 410.
func (d *Dispatcher) post(ctx context.Context, ep Endpoint, m Message) (a Attempt, ok, gone bool, retryAfter time.Duration) {
	a.At = d.Now()
	body, err := m.Body()
	if err != nil {
		a.Error = "encode body: " + err.Error()
		return a, false, false, 0
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.URL, bytes.NewReader(body))
	if err != nil {
		a.Error = err.Error()
		return a, false, false, 0
	}
	if err := SetHeaders(req.Header, ep.Secret, m.ID, a.At, body); err != nil {
		a.Error = err.Error()
		return a, false, false, 0
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "fairmark-webhooks/1")
	res, err := d.Client.Do(req)
	if err != nil {
		a.Error = err.Error()
		return a, false, false, 0
	}
	defer res.Body.Close()
	// Read a little of the answer for the error and let the connection be
	// reused.
	snippet, _ := io.ReadAll(io.LimitReader(res.Body, 512))
	io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	a.Status = res.StatusCode
	if res.StatusCode >= 200 && res.StatusCode < 300 {
		return a, true, false, 0
	}
	a.Error = res.Status
	if s := strings.TrimSpace(strings.ToValidUTF8(string(snippet), "")); s != "" {
		a.Error += ": " + s
	}
	return a, false, res.StatusCode == http.StatusGone, parseRetryAfter(res.Header.Get("Retry-After"), a.At)
}

// parseRetryAfter reads Retry-After as seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n > 0 {
		return time.Duration(min(n, int(maxRetryAfter/time.Second))) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
