package webhook

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/fairmark/fairmark"
)

// MemOutbox is an in-memory [Outbox] for tests and tools. The zero value is
// ready to use; it is safe for concurrent use.
type MemOutbox struct {
	// Now is the outbox's clock (Enqueue, Replay); time.Now when nil.
	Now func() time.Time

	mu     sync.Mutex
	msgs   map[string]Message
	dels   map[DeliveryID]*Delivery // Message holds only the id
	leases int
}

var _ Outbox = (*MemOutbox)(nil)

func (o *MemOutbox) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

// Enqueue implements [Outbox.Enqueue].
func (o *MemOutbox) Enqueue(ctx context.Context, endpoints []string, msgs []Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	now := o.now().UTC().Round(0)
	eps, ms, err := PrepareEnqueue(endpoints, msgs, now)
	if err != nil {
		return err
	}
	if len(eps) == 0 {
		return nil // a message is kept only with a delivery
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.msgs == nil {
		o.msgs = map[string]Message{}
		o.dels = map[DeliveryID]*Delivery{}
	}
	for _, m := range ms {
		if _, ok := o.msgs[m.ID]; !ok {
			o.msgs[m.ID] = m
		}
		for _, e := range eps {
			id := DeliveryIDFor(m.ID, e)
			if _, ok := o.dels[id]; ok {
				continue
			}
			o.dels[id] = &Delivery{ID: id, Message: Message{ID: m.ID}, Endpoint: e, Status: StatusPending, NextAttemptAt: now, CreatedAt: now}
		}
	}
	return nil
}

// full returns a copy of d with its message.
func (o *MemOutbox) full(d *Delivery) Delivery {
	c := *d
	c.Lease = "" // only Claim hands out the lease
	c.Message = o.msgs[d.Message.ID]
	c.Message.Payload = append(json.RawMessage(nil), c.Message.Payload...)
	return c
}

// Claim implements [Outbox.Claim].
func (o *MemOutbox) Claim(ctx context.Context, c ClaimOptions) ([]Delivery, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := c.Check(); err != nil {
		return nil, err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	var due []*Delivery
	for _, d := range o.dels {
		if d.Status != StatusPending || d.NextAttemptAt.After(c.Now) || d.LeasedUntil.After(c.Now) {
			continue
		}
		if len(c.Endpoints) > 0 && !slices.Contains(c.Endpoints, d.Endpoint) {
			continue
		}
		due = append(due, d)
	}
	slices.SortFunc(due, func(a, b *Delivery) int {
		return cmp.Or(a.NextAttemptAt.Compare(b.NextAttemptAt), cmp.Compare(a.ID, b.ID))
	})
	if len(due) > c.Limit {
		due = due[:c.Limit]
	}
	if len(due) == 0 {
		return nil, nil
	}
	o.leases++
	lease := "mem-" + strconv.Itoa(o.leases)
	out := make([]Delivery, len(due))
	for i, d := range due {
		d.Lease = lease
		d.LeasedUntil = c.Now.Add(c.Lease).UTC().Round(0)
		d.Attempts++
		out[i] = o.full(d)
		out[i].Lease = lease
	}
	return out, nil
}

// leased returns the delivery id if it is pending under lease.
func (o *MemOutbox) leased(id DeliveryID, lease string) (*Delivery, error) {
	d, ok := o.dels[id]
	if !ok {
		return nil, fairmark.Errorf(fairmark.ENOTFOUND, "delivery %s not found", id)
	}
	if d.Status != StatusPending || d.Lease == "" || d.Lease != lease {
		return nil, fairmark.Errorf(fairmark.ECONFLICT, "delivery %s is no longer held by this claim", id)
	}
	return d, nil
}

func (d *Delivery) record(a Attempt) {
	d.LastAttemptAt = a.At.UTC().Round(0)
	d.LastStatus = a.Status
	d.LastError = a.Error
	d.Lease = ""
	d.LeasedUntil = time.Time{}
}

// MarkDelivered implements [Outbox.MarkDelivered].
func (o *MemOutbox) MarkDelivered(ctx context.Context, id DeliveryID, lease string, a Attempt) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	d, err := o.leased(id, lease)
	if err != nil {
		return err
	}
	d.record(a)
	d.LastError = ""
	d.Status = StatusDelivered
	d.DeliveredAt = d.LastAttemptAt
	d.NextAttemptAt = time.Time{}
	return nil
}

// MarkFailed implements [Outbox.MarkFailed].
func (o *MemOutbox) MarkFailed(ctx context.Context, id DeliveryID, lease string, a Attempt, retryAt time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	d, err := o.leased(id, lease)
	if err != nil {
		return err
	}
	d.record(a)
	if retryAt.IsZero() {
		d.Status = StatusDead
		d.NextAttemptAt = time.Time{}
	} else {
		d.NextAttemptAt = retryAt.UTC().Round(0)
	}
	return nil
}

// Delivery implements [Outbox.Delivery].
func (o *MemOutbox) Delivery(ctx context.Context, id DeliveryID) (Delivery, error) {
	if err := ctx.Err(); err != nil {
		return Delivery{}, err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	d, ok := o.dels[id]
	if !ok {
		return Delivery{}, fairmark.Errorf(fairmark.ENOTFOUND, "delivery %s not found", id)
	}
	return o.full(d), nil
}

// Deliveries implements [Outbox.Deliveries].
func (o *MemOutbox) Deliveries(ctx context.Context, f DeliveryFilter) ([]Delivery, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := f.Normalize()
	if err != nil {
		return nil, err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []Delivery
	for _, d := range o.dels {
		if f.Status != "" && d.Status != f.Status ||
			f.MessageID != "" && d.Message.ID != f.MessageID ||
			f.Endpoint != "" && d.Endpoint != f.Endpoint ||
			f.Type != "" && o.msgs[d.Message.ID].Type != f.Type {
			continue
		}
		out = append(out, o.full(d))
	}
	slices.SortFunc(out, func(a, b Delivery) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	if len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

// Replay implements [Outbox.Replay].
func (o *MemOutbox) Replay(ctx context.Context, id DeliveryID) (Delivery, error) {
	if err := ctx.Err(); err != nil {
		return Delivery{}, err
	}
	now := o.now().UTC().Round(0)
	o.mu.Lock()
	defer o.mu.Unlock()
	d, ok := o.dels[id]
	if !ok {
		return Delivery{}, fairmark.Errorf(fairmark.ENOTFOUND, "delivery %s not found", id)
	}
	d.Status = StatusPending
	d.NextAttemptAt = now
	d.Attempts = 0
	d.Lease = ""
	d.LeasedUntil = time.Time{}
	d.DeliveredAt = time.Time{}
	return o.full(d), nil
}
