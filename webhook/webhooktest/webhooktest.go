// Package webhooktest holds the conformance suite every webhook.Outbox
// must pass and a settable clock for tests.
package webhooktest

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/webhook"
)

// Clock is a settable clock, safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock showing t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set sets the clock.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// Add moves the clock by d and returns the new time.
func (c *Clock) Add(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	return c.t
}

// Open returns a new, empty outbox whose clock (for Enqueue and Replay)
// is now.
type Open func(t *testing.T, now func() time.Time) webhook.Outbox

// T0 is the time the suite's clocks start at (with nanoseconds, to check
// that outboxes keep them).
var T0 = time.Date(2026, 3, 5, 10, 0, 0, 123456789, time.UTC)

const (
	epA = "https://market.example/hooks/a"
	epB = "https://market.example/hooks/b"
	epC = "http://127.0.0.1:9/hooks"
)

func msg(id, typ, payload string) webhook.Message {
	m := webhook.Message{ID: id, Type: typ}
	if payload != "" {
		m.Payload = []byte(payload)
	}
	return m
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := fairmark.ErrorCode(err); got != code {
		t.Fatalf("%s: got error %v (code %q), want code %q", what, err, got, code)
	}
}

func sameTime(t *testing.T, what string, got, want time.Time) {
	t.Helper()
	if !got.Equal(want) {
		t.Fatalf("%s: got %v, want %v", what, got, want)
	}
}

func all(t *testing.T, o webhook.Outbox, f webhook.DeliveryFilter) []webhook.Delivery {
	t.Helper()
	ds, err := o.Deliveries(context.Background(), f)
	if err != nil {
		t.Fatalf("Deliveries(%+v): %v", f, err)
	}
	return ds
}

func get(t *testing.T, o webhook.Outbox, id webhook.DeliveryID) webhook.Delivery {
	t.Helper()
	d, err := o.Delivery(context.Background(), id)
	if err != nil {
		t.Fatalf("Delivery(%s): %v", id, err)
	}
	return d
}

func claim(t *testing.T, o webhook.Outbox, c webhook.ClaimOptions) []webhook.Delivery {
	t.Helper()
	ds, err := o.Claim(context.Background(), c)
	if err != nil {
		t.Fatalf("Claim(%+v): %v", c, err)
	}
	return ds
}

func ids(ds []webhook.Delivery) []webhook.DeliveryID {
	out := make([]webhook.DeliveryID, len(ds))
	for i, d := range ds {
		out[i] = d.ID
	}
	return out
}

func wantIDs(t *testing.T, what string, got []webhook.Delivery, want ...webhook.DeliveryID) {
	t.Helper()
	if fmt.Sprint(ids(got)) != fmt.Sprint(want) {
		t.Fatalf("%s: got deliveries %v, want %v", what, ids(got), want)
	}
}

// TestOutbox runs the conformance suite on outboxes made by open.
func TestOutbox(t *testing.T, open Open) {
	t.Run("EnqueueIdempotent", func(t *testing.T) { testEnqueueIdempotent(t, open) })
	t.Run("EnqueueInvalid", func(t *testing.T) { testEnqueueInvalid(t, open) })
	t.Run("NotFound", func(t *testing.T) { testNotFound(t, open) })
	t.Run("List", func(t *testing.T) { testList(t, open) })
	t.Run("ClaimAndMark", func(t *testing.T) { testClaimAndMark(t, open) })
	t.Run("ClaimFilters", func(t *testing.T) { testClaimFilters(t, open) })
	t.Run("LeaseExpiry", func(t *testing.T) { testLeaseExpiry(t, open) })
	t.Run("Replay", func(t *testing.T) { testReplay(t, open) })
	t.Run("ConcurrentClaims", func(t *testing.T) { testConcurrentClaims(t, open) })
}

func testEnqueueIdempotent(t *testing.T, open Open) {
	ctx := context.Background()
	clk := NewClock(T0)
	o := open(t, clk.Now)
	created := T0.Add(-time.Hour)
	m1 := msg("case-c1-ban-b123", webhook.TypeAccountBanned, `{"account":"b123","case":"c1"}`)
	m1.CreatedAt = created.In(time.FixedZone("CST", 8*3600))
	m2 := msg("case-c1-feedback-f1", webhook.TypeFeedbackRemoved, "")
	if err := o.Enqueue(ctx, []string{epA, epB}, []webhook.Message{m1, m2}); err != nil {
		t.Fatal(err)
	}
	if n := len(all(t, o, webhook.DeliveryFilter{})); n != 4 {
		t.Fatalf("after first enqueue: got %d deliveries, want 4", n)
	}
	// The same messages again, one with another payload, endpoints repeated.
	changed := m1
	changed.Payload = []byte(`{"account":"someone-else"}`)
	if err := o.Enqueue(ctx, []string{epA, epB, epA}, []webhook.Message{changed, m1, m2}); err != nil {
		t.Fatal(err)
	}
	if n := len(all(t, o, webhook.DeliveryFilter{})); n != 4 {
		t.Fatalf("after enqueueing again: got %d deliveries, want 4", n)
	}
	d := get(t, o, webhook.DeliveryIDFor(m1.ID, epA))
	if d.ID != webhook.DeliveryIDFor(m1.ID, epA) || d.Endpoint != epA || d.Status != webhook.StatusPending || d.Attempts != 0 || d.Lease != "" || d.LastStatus != 0 || d.LastError != "" {
		t.Fatalf("new delivery: got %+v", d)
	}
	sameTime(t, "new delivery's NextAttemptAt", d.NextAttemptAt, T0)
	sameTime(t, "new delivery's CreatedAt", d.CreatedAt, T0)
	if !d.LastAttemptAt.IsZero() || !d.DeliveredAt.IsZero() || !d.LeasedUntil.IsZero() {
		t.Fatalf("new delivery has attempt, delivery or lease times: %+v", d)
	}
	if d.Message.ID != m1.ID || d.Message.Type != m1.Type || !bytes.Equal(d.Message.Payload, m1.Payload) {
		t.Fatalf("stored message: got %s %s %s, want the first enqueued %s %s %s", d.Message.ID, d.Message.Type, d.Message.Payload, m1.ID, m1.Type, m1.Payload)
	}
	sameTime(t, "message CreatedAt", d.Message.CreatedAt, created)
	d2 := get(t, o, webhook.DeliveryIDFor(m2.ID, epB))
	if string(d2.Message.Payload) != `{}` {
		t.Fatalf("empty payload: got %q, want {}", d2.Message.Payload)
	}
	sameTime(t, "message without time: CreatedAt", d2.Message.CreatedAt, T0)

	// A new endpoint for a stored message adds that delivery only.
	later := clk.Add(time.Minute)
	if err := o.Enqueue(ctx, []string{epC}, []webhook.Message{m1}); err != nil {
		t.Fatal(err)
	}
	if n := len(all(t, o, webhook.DeliveryFilter{})); n != 5 {
		t.Fatalf("after a new endpoint: got %d deliveries, want 5", n)
	}
	d3 := get(t, o, webhook.DeliveryIDFor(m1.ID, epC))
	sameTime(t, "third endpoint's CreatedAt", d3.CreatedAt, later)
	sameTime(t, "third endpoint's message CreatedAt", d3.Message.CreatedAt, created)
	// Nothing to do is no error.
	if err := o.Enqueue(ctx, nil, []webhook.Message{m1}); err != nil {
		t.Fatal(err)
	}
	if err := o.Enqueue(ctx, []string{epA}, nil); err != nil {
		t.Fatal(err)
	}
}

func testEnqueueInvalid(t *testing.T, open Open) {
	ctx := context.Background()
	o := open(t, NewClock(T0).Now)
	good := msg("m-1", "case.opened", `{"case":"c1"}`)
	for _, c := range []struct {
		name string
		eps  []string
		msgs []webhook.Message
	}{
		{"ftp endpoint", []string{"ftp://market.example/x"}, []webhook.Message{good}},
		{"empty endpoint", []string{epA, ""}, []webhook.Message{good}},
		{"relative endpoint", []string{"/hooks"}, []webhook.Message{good}},
		{"empty id", []string{epA}, []webhook.Message{good, msg("", "case.opened", "")}},
		{"dot in id", []string{epA}, []webhook.Message{msg("a.b", "case.opened", "")}},
		{"space in id", []string{epA}, []webhook.Message{msg("a b", "case.opened", "")}},
		{"empty type", []string{epA}, []webhook.Message{msg("m-2", "", "")}},
		{"bad type", []string{epA}, []webhook.Message{msg("m-2", "Case Opened", "")}},
		{"double dot type", []string{epA}, []webhook.Message{msg("m-2", "case..opened", "")}},
		{"bad payload", []string{epA}, []webhook.Message{good, msg("m-2", "case.opened", `{"a":`)}},
	} {
		err := o.Enqueue(ctx, c.eps, c.msgs)
		wantCode(t, c.name, err, fairmark.EINVALID)
	}
	if n := len(all(t, o, webhook.DeliveryFilter{})); n != 0 {
		t.Fatalf("invalid enqueues stored %d deliveries, want none", n)
	}
}

func testNotFound(t *testing.T, open Open) {
	ctx := context.Background()
	o := open(t, NewClock(T0).Now)
	id := webhook.DeliveryIDFor("nope", epA)
	_, err := o.Delivery(ctx, id)
	wantCode(t, "Delivery", err, fairmark.ENOTFOUND)
	_, err = o.Replay(ctx, id)
	wantCode(t, "Replay", err, fairmark.ENOTFOUND)
	err = o.MarkDelivered(ctx, id, "x", webhook.Attempt{At: T0, Status: 200})
	wantCode(t, "MarkDelivered", err, fairmark.ENOTFOUND)
	err = o.MarkFailed(ctx, id, "x", webhook.Attempt{At: T0, Status: 500}, T0.Add(time.Minute))
	wantCode(t, "MarkFailed", err, fairmark.ENOTFOUND)
	_, err = o.Deliveries(ctx, webhook.DeliveryFilter{Status: "lost"})
	wantCode(t, "Deliveries with an unknown status", err, fairmark.EINVALID)
	_, err = o.Claim(ctx, webhook.ClaimOptions{Now: T0, Lease: time.Minute})
	wantCode(t, "Claim without a limit", err, fairmark.EINVALID)
	_, err = o.Claim(ctx, webhook.ClaimOptions{Now: T0, Limit: 1})
	wantCode(t, "Claim without a lease", err, fairmark.EINVALID)
}

func testList(t *testing.T, open Open) {
	ctx := context.Background()
	clk := NewClock(T0)
	o := open(t, clk.Now)
	m1 := msg("m1", webhook.TypeAccountBanned, `{"n":1}`)
	m2 := msg("m2", webhook.TypeFeedbackRemoved, `{"n":2}`)
	m3 := msg("m3", webhook.TypeAccountBanned, `{"n":3}`)
	if err := o.Enqueue(ctx, []string{epA, epB}, []webhook.Message{m1}); err != nil {
		t.Fatal(err)
	}
	clk.Add(time.Second)
	if err := o.Enqueue(ctx, []string{epA}, []webhook.Message{m2}); err != nil {
		t.Fatal(err)
	}
	clk.Add(time.Second)
	if err := o.Enqueue(ctx, []string{epB}, []webhook.Message{m3}); err != nil {
		t.Fatal(err)
	}
	m1a, m1b := webhook.DeliveryIDFor("m1", epA), webhook.DeliveryIDFor("m1", epB)
	if m1b < m1a {
		m1a, m1b = m1b, m1a
	}
	m2a, m3b := webhook.DeliveryIDFor("m2", epA), webhook.DeliveryIDFor("m3", epB)
	wantIDs(t, "all, newest first", all(t, o, webhook.DeliveryFilter{}), m3b, m2a, m1a, m1b)
	wantIDs(t, "limit 2", all(t, o, webhook.DeliveryFilter{Limit: 2}), m3b, m2a)
	wantIDs(t, "type account.banned", all(t, o, webhook.DeliveryFilter{Type: webhook.TypeAccountBanned}), m3b, m1a, m1b)
	wantIDs(t, "endpoint A", all(t, o, webhook.DeliveryFilter{Endpoint: epA}), m2a, webhook.DeliveryIDFor("m1", epA))
	wantIDs(t, "message m1", all(t, o, webhook.DeliveryFilter{MessageID: "m1"}), m1a, m1b)
	wantIDs(t, "pending", all(t, o, webhook.DeliveryFilter{Status: webhook.StatusPending}), m3b, m2a, m1a, m1b)
	wantIDs(t, "delivered", all(t, o, webhook.DeliveryFilter{Status: webhook.StatusDelivered}))

	cl := claim(t, o, webhook.ClaimOptions{Endpoints: []string{epA}, Now: clk.Now(), Lease: time.Minute, Limit: 1})
	wantIDs(t, "claim the earliest due to A", cl, webhook.DeliveryIDFor("m1", epA))
	if err := o.MarkDelivered(ctx, cl[0].ID, cl[0].Lease, webhook.Attempt{At: clk.Now(), Status: 204}); err != nil {
		t.Fatal(err)
	}
	wantIDs(t, "delivered", all(t, o, webhook.DeliveryFilter{Status: webhook.StatusDelivered}), webhook.DeliveryIDFor("m1", epA))
	wantIDs(t, "pending, banned", all(t, o, webhook.DeliveryFilter{Status: webhook.StatusPending, Type: webhook.TypeAccountBanned}), m3b, webhook.DeliveryIDFor("m1", epB))
	ls := all(t, o, webhook.DeliveryFilter{MessageID: "m2"})
	if len(ls) != 1 || string(ls[0].Message.Payload) != `{"n":2}` || ls[0].Message.Type != webhook.TypeFeedbackRemoved || ls[0].Lease != "" {
		t.Fatalf("listed delivery: got %+v", ls)
	}
}

func testClaimAndMark(t *testing.T, open Open) {
	ctx := context.Background()
	clk := NewClock(T0)
	o := open(t, clk.Now)
	if err := o.Enqueue(ctx, []string{epA, epB}, []webhook.Message{msg("m1", "case.closed", `{"case":"c1"}`)}); err != nil {
		t.Fatal(err)
	}
	t1 := clk.Add(time.Second)
	if err := o.Enqueue(ctx, []string{epA}, []webhook.Message{msg("m2", "case.closed", `{"case":"c2"}`)}); err != nil {
		t.Fatal(err)
	}
	m1a, m1b, m2a := webhook.DeliveryIDFor("m1", epA), webhook.DeliveryIDFor("m1", epB), webhook.DeliveryIDFor("m2", epA)
	first, second := m1a, m1b
	if second < first {
		first, second = second, first
	}
	lease := time.Minute
	cl := claim(t, o, webhook.ClaimOptions{Now: T0, Lease: lease, Limit: 10})
	wantIDs(t, "claim at T0 (m2 not yet due)", cl, first, second)
	for _, d := range cl {
		if d.Attempts != 1 || d.Lease == "" || d.Status != webhook.StatusPending {
			t.Fatalf("claimed delivery: got %+v, want attempt 1 with a lease", d)
		}
		sameTime(t, "claimed LeasedUntil", d.LeasedUntil, T0.Add(lease))
		if d.Message.ID != "m1" || string(d.Message.Payload) != `{"case":"c1"}` {
			t.Fatalf("claimed delivery's message: got %+v", d.Message)
		}
	}
	leaseOf := map[webhook.DeliveryID]string{cl[0].ID: cl[0].Lease, cl[1].ID: cl[1].Lease}
	wantIDs(t, "claim again at T0", claim(t, o, webhook.ClaimOptions{Now: T0, Lease: lease, Limit: 10}))
	cl2 := claim(t, o, webhook.ClaimOptions{Now: t1, Lease: lease, Limit: 10})
	wantIDs(t, "claim at T0+1s", cl2, m2a)

	// Delivered.
	err := o.MarkDelivered(ctx, m1a, "not-the-lease", webhook.Attempt{At: t1, Status: 200})
	wantCode(t, "MarkDelivered with another lease", err, fairmark.ECONFLICT)
	err = o.MarkDelivered(ctx, m1a, cl2[0].Lease, webhook.Attempt{At: t1, Status: 200})
	wantCode(t, "MarkDelivered with another claim's lease", err, fairmark.ECONFLICT)
	if err := o.MarkDelivered(ctx, m1a, leaseOf[m1a], webhook.Attempt{At: t1, Status: 200}); err != nil {
		t.Fatal(err)
	}
	d := get(t, o, m1a)
	if d.Status != webhook.StatusDelivered || d.LastStatus != 200 || d.LastError != "" || d.Attempts != 1 || d.Lease != "" {
		t.Fatalf("delivered: got %+v", d)
	}
	sameTime(t, "DeliveredAt", d.DeliveredAt, t1)
	sameTime(t, "LastAttemptAt", d.LastAttemptAt, t1)
	if !d.NextAttemptAt.IsZero() || !d.LeasedUntil.IsZero() {
		t.Fatalf("delivered delivery keeps a next attempt or lease: %+v", d)
	}
	err = o.MarkDelivered(ctx, m1a, leaseOf[m1a], webhook.Attempt{At: t1, Status: 200})
	wantCode(t, "MarkDelivered twice", err, fairmark.ECONFLICT)
	err = o.MarkFailed(ctx, m1a, leaseOf[m1a], webhook.Attempt{At: t1, Status: 500}, t1)
	wantCode(t, "MarkFailed after delivered", err, fairmark.ECONFLICT)
	if err := o.MarkDelivered(ctx, m2a, cl2[0].Lease, webhook.Attempt{At: t1, Status: 202}); err != nil {
		t.Fatal(err)
	}

	// Failed, retried, then dead.
	retry := T0.Add(10 * time.Second)
	if err := o.MarkFailed(ctx, m1b, leaseOf[m1b], webhook.Attempt{At: t1, Status: 503, Error: "503 Service Unavailable"}, retry); err != nil {
		t.Fatal(err)
	}
	d = get(t, o, m1b)
	if d.Status != webhook.StatusPending || d.LastStatus != 503 || d.LastError != "503 Service Unavailable" || d.Attempts != 1 || d.Lease != "" || !d.LeasedUntil.IsZero() {
		t.Fatalf("failed: got %+v", d)
	}
	sameTime(t, "failed NextAttemptAt", d.NextAttemptAt, retry)
	sameTime(t, "failed LastAttemptAt", d.LastAttemptAt, t1)
	wantIDs(t, "claim before the retry", claim(t, o, webhook.ClaimOptions{Now: retry.Add(-time.Nanosecond), Lease: lease, Limit: 10}))
	cl = claim(t, o, webhook.ClaimOptions{Now: retry, Lease: lease, Limit: 10})
	wantIDs(t, "claim at the retry", cl, m1b)
	if cl[0].Attempts != 2 {
		t.Fatalf("second claim: got attempts %d, want 2", cl[0].Attempts)
	}
	if err := o.MarkFailed(ctx, m1b, cl[0].Lease, webhook.Attempt{At: retry, Error: "connection refused"}, time.Time{}); err != nil {
		t.Fatal(err)
	}
	d = get(t, o, m1b)
	if d.Status != webhook.StatusDead || d.LastStatus != 0 || d.LastError != "connection refused" || d.Attempts != 2 || !d.NextAttemptAt.IsZero() {
		t.Fatalf("dead: got %+v", d)
	}
	wantIDs(t, "claim much later", claim(t, o, webhook.ClaimOptions{Now: T0.Add(1000 * time.Hour), Lease: lease, Limit: 10}))
}

func testClaimFilters(t *testing.T, open Open) {
	ctx := context.Background()
	o := open(t, NewClock(T0).Now)
	var msgs []webhook.Message
	for i := range 5 {
		msgs = append(msgs, msg(fmt.Sprintf("m%d", i), "victim.notice", `{}`))
	}
	if err := o.Enqueue(ctx, []string{epA, epB}, msgs); err != nil {
		t.Fatal(err)
	}
	c := webhook.ClaimOptions{Endpoints: []string{epB}, Now: T0, Lease: time.Minute, Limit: 3}
	got := claim(t, o, c)
	c.Limit = 10
	got = append(got, claim(t, o, c)...)
	if len(got) != 5 {
		t.Fatalf("claims for B: got %d deliveries, want 5", len(got))
	}
	for _, d := range got {
		if d.Endpoint != epB {
			t.Fatalf("claim for B returned a delivery to %s", d.Endpoint)
		}
	}
	c.Endpoints = []string{epC, epA}
	if n := len(claim(t, o, c)); n != 5 {
		t.Fatalf("claim for C and A: got %d deliveries, want 5", n)
	}
}

func testLeaseExpiry(t *testing.T, open Open) {
	ctx := context.Background()
	o := open(t, NewClock(T0).Now)
	if err := o.Enqueue(ctx, []string{epA}, []webhook.Message{msg("m1", "case.opened", ""), msg("m2", "case.opened", "")}); err != nil {
		t.Fatal(err)
	}
	m1, m2 := webhook.DeliveryIDFor("m1", epA), webhook.DeliveryIDFor("m2", epA)
	opts := func(now time.Time) webhook.ClaimOptions {
		return webhook.ClaimOptions{Endpoints: []string{epA}, Now: now, Lease: time.Minute, Limit: 10}
	}
	c1 := claim(t, o, opts(T0))
	if len(c1) != 2 {
		t.Fatalf("first claim: got %d, want 2", len(c1))
	}
	lease1 := map[webhook.DeliveryID]string{c1[0].ID: c1[0].Lease, c1[1].ID: c1[1].Lease}
	wantIDs(t, "claim before the lease lapses", claim(t, o, opts(T0.Add(time.Minute-time.Nanosecond))))
	// m2's dispatcher records its outcome late, but nobody took it: kept.
	if err := o.MarkFailed(ctx, m2, lease1[m2], webhook.Attempt{At: T0.Add(5 * time.Minute), Status: 500}, T0.Add(time.Hour)); err != nil {
		t.Fatalf("late MarkFailed under a lapsed but untaken lease: %v", err)
	}
	c2 := claim(t, o, opts(T0.Add(time.Minute)))
	wantIDs(t, "claim when the lease lapses", c2, m1)
	if c2[0].Attempts != 2 || c2[0].Lease == lease1[m1] {
		t.Fatalf("reclaimed: got attempts %d lease %q, want 2 and a new lease", c2[0].Attempts, c2[0].Lease)
	}
	err := o.MarkDelivered(ctx, m1, lease1[m1], webhook.Attempt{At: T0.Add(61 * time.Second), Status: 200})
	wantCode(t, "MarkDelivered under the lost lease", err, fairmark.ECONFLICT)
	err = o.MarkFailed(ctx, m1, lease1[m1], webhook.Attempt{At: T0.Add(61 * time.Second), Status: 500}, T0.Add(time.Hour))
	wantCode(t, "MarkFailed under the lost lease", err, fairmark.ECONFLICT)
	if err := o.MarkDelivered(ctx, m1, c2[0].Lease, webhook.Attempt{At: T0.Add(62 * time.Second), Status: 200}); err != nil {
		t.Fatal(err)
	}
}

func testReplay(t *testing.T, open Open) {
	ctx := context.Background()
	clk := NewClock(T0)
	o := open(t, clk.Now)
	if err := o.Enqueue(ctx, []string{epA}, []webhook.Message{msg("case-c9-ban-b1", webhook.TypeAccountBanned, `{"account":"b1"}`)}); err != nil {
		t.Fatal(err)
	}
	id := webhook.DeliveryIDFor("case-c9-ban-b1", epA)
	opts := func(now time.Time) webhook.ClaimOptions {
		return webhook.ClaimOptions{Now: now, Lease: time.Minute, Limit: 10}
	}
	cl := claim(t, o, opts(T0))
	if err := o.MarkFailed(ctx, id, cl[0].Lease, webhook.Attempt{At: T0, Status: 410, Error: "410 Gone"}, time.Time{}); err != nil {
		t.Fatal(err)
	}
	t1 := clk.Add(time.Hour)
	d, err := o.Replay(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if d.ID != id || d.Status != webhook.StatusPending || d.Attempts != 0 || d.LastStatus != 410 || d.LastError != "410 Gone" || d.Message.ID != "case-c9-ban-b1" || d.Lease != "" {
		t.Fatalf("replayed: got %+v", d)
	}
	sameTime(t, "replayed NextAttemptAt", d.NextAttemptAt, t1)
	if got := get(t, o, id); got.Status != webhook.StatusPending || got.Attempts != 0 {
		t.Fatalf("replayed, read back: got %+v", got)
	}
	cl = claim(t, o, opts(t1))
	wantIDs(t, "claim after replay", cl, id)
	if cl[0].Attempts != 1 || cl[0].Message.ID != "case-c9-ban-b1" {
		t.Fatalf("claimed after replay: got %+v", cl[0])
	}
	// Replaying a leased delivery ends that lease.
	if _, err := o.Replay(ctx, id); err != nil {
		t.Fatal(err)
	}
	err = o.MarkDelivered(ctx, id, cl[0].Lease, webhook.Attempt{At: t1, Status: 200})
	wantCode(t, "MarkDelivered under a lease replay ended", err, fairmark.ECONFLICT)
	cl = claim(t, o, opts(t1))
	wantIDs(t, "claim after replaying a leased delivery", cl, id)
	if err := o.MarkDelivered(ctx, id, cl[0].Lease, webhook.Attempt{At: t1, Status: 200}); err != nil {
		t.Fatal(err)
	}
	// Replaying a delivered one sends it again.
	t2 := clk.Add(time.Hour)
	d, err = o.Replay(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != webhook.StatusPending || !d.DeliveredAt.IsZero() || d.Attempts != 0 {
		t.Fatalf("replayed a delivered delivery: got %+v", d)
	}
	sameTime(t, "replayed NextAttemptAt", d.NextAttemptAt, t2)
	wantIDs(t, "claim after replaying a delivered delivery", claim(t, o, opts(t2)), id)
}

func testConcurrentClaims(t *testing.T, open Open) {
	ctx := context.Background()
	o := open(t, NewClock(T0).Now)
	const n = 60
	var msgs []webhook.Message
	for i := range n {
		msgs = append(msgs, msg(fmt.Sprintf("m%03d", i), "restitution.owed", `{}`))
	}
	if err := o.Enqueue(ctx, []string{epA}, msgs); err != nil {
		t.Fatal(err)
	}
	var (
		mu   sync.Mutex
		seen = map[webhook.DeliveryID]int{}
		wg   sync.WaitGroup
		errs = make(chan error, 8)
	)
	for range 8 {
		wg.Go(func() {
			for {
				ds, err := o.Claim(ctx, webhook.ClaimOptions{Now: T0, Lease: time.Minute, Limit: 3})
				if err != nil {
					errs <- err
					return
				}
				if len(ds) == 0 {
					return
				}
				mu.Lock()
				for _, d := range ds {
					seen[d.ID]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent claim: %v", err)
	}
	if len(seen) != n {
		t.Fatalf("concurrent claims: got %d distinct deliveries, want %d", len(seen), n)
	}
	for id, k := range seen {
		if k != 1 {
			t.Fatalf("delivery %s claimed %d times", id, k)
		}
	}
}
