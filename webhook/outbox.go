package webhook

import (
	"context"
	"time"

	"github.com/fairmark/fairmark"
)

// Outbox is the durable storage of deliveries. The store implements it in
// SQL (store.OutboxStorage); [MemOutbox] is the in-process one for tests.
// Errors carry fairmark error codes (fairmark.ErrorCode); any other error
// is a storage failure.
type Outbox interface {
	// Enqueue adds, in one step, a pending delivery of every message to
	// every endpoint, due at once (the outbox's clock). It is idempotent:
	// a delivery that exists for (message id, endpoint) is left as it is,
	// whatever its state, and a message id already stored keeps its first
	// type, payload and time. Enqueueing a stored message to a new endpoint
	// adds that delivery.
	//
	// Returns EINVALID, and stores nothing, if an endpoint is not an
	// absolute http(s) URL or a message is invalid ([Message.Validate]).
	Enqueue(ctx context.Context, endpoints []string, msgs []Message) error

	// Claim hands out up to o.Limit pending deliveries due at o.Now
	// (NextAttemptAt <= o.Now) whose endpoint is in o.Endpoints (any
	// endpoint when empty) and which no live claim holds, the earliest due
	// first (then by id). Each gets a new lease token, in Delivery.Lease,
	// held until o.Now + o.Lease, and its Attempts is incremented. Until
	// the lease lapses no other Claim returns the delivery, even from
	// another process on the same database.
	//
	// Returns EINVALID if o.Limit or o.Lease is not positive.
	Claim(ctx context.Context, o ClaimOptions) ([]Delivery, error)

	// MarkDelivered records a successful attempt: the delivery becomes
	// delivered, with a.At as DeliveredAt and LastAttemptAt, a.Status as
	// LastStatus, and its lease ends.
	//
	// Returns ENOTFOUND if no delivery has id, ECONFLICT if it is not
	// pending under lease (another claim took it after the lease lapsed,
	// or it was replayed or already marked).
	MarkDelivered(ctx context.Context, id DeliveryID, lease string, a Attempt) error

	// MarkFailed records a failed attempt (a.At, a.Status, a.Error) and
	// ends the lease. The delivery stays pending, due at retryAt, or
	// becomes dead when retryAt is zero.
	//
	// Returns ENOTFOUND if no delivery has id, ECONFLICT if it is not
	// pending under lease.
	MarkFailed(ctx context.Context, id DeliveryID, lease string, a Attempt, retryAt time.Time) error

	// Delivery returns one delivery. Returns ENOTFOUND if none has id.
	Delivery(ctx context.Context, id DeliveryID) (Delivery, error)

	// Deliveries lists deliveries matching f, newest first (CreatedAt
	// descending, then id). Returns EINVALID if f.Status is set and not a
	// known state.
	Deliveries(ctx context.Context, f DeliveryFilter) ([]Delivery, error)

	// Replay makes a delivery pending again, due at once (the outbox's
	// clock), with Attempts reset to 0 and any lease ended, keeping its id
	// and message so the receiver sees the same webhook-id. The last
	// attempt's time, status and error are kept until the next attempt.
	//
	// Returns ENOTFOUND if no delivery has id.
	Replay(ctx context.Context, id DeliveryID) (Delivery, error)
}

// ClaimOptions are the arguments of [Outbox.Claim].
type ClaimOptions struct {
	Endpoints []string      // only deliveries to these endpoints; all when empty
	Now       time.Time     // the dispatcher's clock
	Lease     time.Duration // how long the claim holds the deliveries
	Limit     int           // at most this many
}

// Check returns EINVALID unless o.Limit and o.Lease are positive.
// Outbox implementations call it first.
func (o ClaimOptions) Check() error {
	if o.Limit <= 0 || o.Lease <= 0 {
		return fairmark.Errorf(fairmark.EINVALID, "claim needs a positive limit and lease (got %d, %v)", o.Limit, o.Lease)
	}
	return nil
}

// DeliveryFilter selects deliveries to list; zero fields match anything.
type DeliveryFilter struct {
	Status    Status
	Type      string // message type
	MessageID string
	Endpoint  string
	// Limit is the most returned: DefaultListLimit when 0 or less, at
	// most MaxListLimit.
	Limit int
}

// List limits of [DeliveryFilter].
const (
	DefaultListLimit = 100
	MaxListLimit     = 1000
)

// Normalize checks f and applies the limit rules. Returns EINVALID if
// f.Status is set and not a known state.
func (f DeliveryFilter) Normalize() (DeliveryFilter, error) {
	if f.Status != "" && !f.Status.Valid() {
		return f, fairmark.Errorf(fairmark.EINVALID, "unknown delivery status %q (pending, delivered or dead)", f.Status)
	}
	if f.Limit <= 0 {
		f.Limit = DefaultListLimit
	}
	f.Limit = min(f.Limit, MaxListLimit)
	return f, nil
}
