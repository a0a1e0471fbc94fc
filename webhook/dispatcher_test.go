package webhook_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fairmark/fairmark/webhook"
	"github.com/fairmark/fairmark/webhook/webhooktest"
)

var t0 = webhooktest.T0

// received is one request a receiver got.
type received struct {
	id, ts  string
	body    []byte
	ctype   string
	verify  error
	attempt int
}

// receiver is a marketplace endpoint behind httptest: it verifies every
// request with webhook.Verify and answers with respond.
type receiver struct {
	t      *testing.T
	srv    *httptest.Server
	secret string
	clock  func() time.Time

	mu      sync.Mutex
	got     []received
	respond func(w http.ResponseWriter, r *http.Request, n int)
}

func newReceiver(t *testing.T, clock func() time.Time, respond func(w http.ResponseWriter, r *http.Request, n int)) *receiver {
	rc := &receiver{t: t, secret: webhook.NewSecret(), clock: clock, respond: respond}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		n := len(rc.got) + 1
		rc.got = append(rc.got, received{
			id: r.Header.Get("webhook-id"), ts: r.Header.Get("webhook-timestamp"), body: body,
			ctype: r.Header.Get("Content-Type"), verify: webhook.Verify(rc.secret, r.Header, body, rc.clock(), 0), attempt: n,
		})
		respond := rc.respond
		rc.mu.Unlock()
		if respond != nil {
			respond(w, r, n)
		}
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) requests() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

func status(code int) func(w http.ResponseWriter, r *http.Request, n int) {
	return func(w http.ResponseWriter, r *http.Request, n int) { w.WriteHeader(code) }
}

// setup returns an outbox and a dispatcher for one endpoint, on a fake
// clock, without jitter.
func setup(t *testing.T, rc *receiver, clk *webhooktest.Clock) (*webhook.MemOutbox, *webhook.Dispatcher) {
	t.Helper()
	ob := &webhook.MemOutbox{Now: clk.Now}
	d, err := webhook.NewDispatcher(ob, []webhook.Endpoint{{URL: rc.srv.URL, Secret: rc.secret}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	d.Now = clk.Now
	d.Rand = func() float64 { return 0.5 }
	return ob, d
}

func runOnce(t *testing.T, d *webhook.Dispatcher, want int) {
	t.Helper()
	n, err := d.RunOnce(context.Background())
	if err != nil {
		t.Fatalf("RunOnce: %v", err)
	}
	if n != want {
		t.Fatalf("RunOnce: got %d attempts, want %d", n, want)
	}
}

func only(t *testing.T, ob webhook.Outbox) webhook.Delivery {
	t.Helper()
	ds, err := ob.Deliveries(context.Background(), webhook.DeliveryFilter{})
	if err != nil || len(ds) != 1 {
		t.Fatalf("got %d deliveries (%v), want 1", len(ds), err)
	}
	return ds[0]
}

var banned = webhook.Message{ID: "case-c1-ban-b123", Type: webhook.TypeAccountBanned, Payload: json.RawMessage(`{"account":"b123","case":"c1"}`), CreatedAt: t0.Add(-time.Minute)}

func TestDispatchDelivers(t *testing.T) {
	clk := webhooktest.NewClock(t0)
	rc := newReceiver(t, clk.Now, status(http.StatusNoContent))
	ob, d := setup(t, rc, clk)
	if err := d.Enqueue(context.Background(), banned); err != nil {
		t.Fatal(err)
	}
	runOnce(t, d, 1)
	got := rc.requests()
	if len(got) != 1 {
		t.Fatalf("receiver got %d requests, want 1", len(got))
	}
	r := got[0]
	if r.verify != nil {
		t.Fatalf("receiver's Verify: %v", r.verify)
	}
	want, _ := banned.Body()
	if r.id != banned.ID || string(r.body) != string(want) || r.ctype != "application/json" || r.ts != fmt.Sprint(t0.Unix()) {
		t.Fatalf("request: got id %s ts %s type %s body %s; want %s %d application/json %s", r.id, r.ts, r.ctype, r.body, banned.ID, t0.Unix(), want)
	}
	var env struct {
		Type      string          `json:"type"`
		Timestamp time.Time       `json:"timestamp"`
		Data      json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(r.body, &env); err != nil || env.Type != banned.Type || !env.Timestamp.Equal(banned.CreatedAt) || string(env.Data) != string(banned.Payload) {
		t.Fatalf("envelope: got %+v (%v)", env, err)
	}
	dl := only(t, ob)
	if dl.Status != webhook.StatusDelivered || dl.LastStatus != 204 || dl.Attempts != 1 || !dl.DeliveredAt.Equal(t0) {
		t.Fatalf("delivery: got %+v", dl)
	}
	runOnce(t, d, 0)
}

func TestDispatchRetriesWithBackoff(t *testing.T) {
	clk := webhooktest.NewClock(t0)
	rc := newReceiver(t, clk.Now, func(w http.ResponseWriter, r *http.Request, n int) {
		if n <= 2 {
			http.Error(w, "database is down", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	ob, d := setup(t, rc, clk)
	if err := d.Enqueue(context.Background(), banned); err != nil {
		t.Fatal(err)
	}
	runOnce(t, d, 1)
	dl := only(t, ob)
	if dl.Status != webhook.StatusPending || dl.LastStatus != 500 || !strings.Contains(dl.LastError, "database is down") || !dl.NextAttemptAt.Equal(t0.Add(5*time.Second)) {
		t.Fatalf("after a 500: got %+v, want pending, due in 5s", dl)
	}
	runOnce(t, d, 0) // not yet due
	clk.Add(5 * time.Second)
	runOnce(t, d, 1)
	dl = only(t, ob)
	if dl.Status != webhook.StatusPending || dl.Attempts != 2 || !dl.NextAttemptAt.Equal(t0.Add(35*time.Second)) {
		t.Fatalf("after a second 500: got %+v, want pending, due 30s later", dl)
	}
	clk.Add(29 * time.Second)
	runOnce(t, d, 0)
	clk.Add(time.Second)
	runOnce(t, d, 1)
	dl = only(t, ob)
	if dl.Status != webhook.StatusDelivered || dl.Attempts != 3 || dl.LastStatus != 200 || dl.LastError != "" {
		t.Fatalf("after a 200: got %+v", dl)
	}
	got := rc.requests()
	if len(got) != 3 {
		t.Fatalf("receiver got %d requests, want 3", len(got))
	}
	for i, r := range got {
		if r.id != banned.ID || r.verify != nil {
			t.Fatalf("request %d: id %s, verify %v; want the message id and a valid signature", i, r.id, r.verify)
		}
		if i > 0 && r.ts == got[i-1].ts {
			t.Fatalf("request %d: same webhook-timestamp as the one before", i)
		}
	}
}

func TestBackoffJitter(t *testing.T) {
	d, err := webhook.NewDispatcher(&webhook.MemOutbox{}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		attempts int
		r        float64
		want     time.Duration
	}{
		{1, 0.5, 5 * time.Second},
		{1, 0, 4 * time.Second},
		{2, 0.5, 30 * time.Second},
		{3, 1, 144 * time.Second},
		{9, 0.5, 24 * time.Hour},
		{50, 0.5, 24 * time.Hour},
	} {
		d.Rand = func() float64 { return c.r }
		if got := d.Backoff(c.attempts); got != c.want {
			t.Fatalf("Backoff(%d) with rand %v: got %v, want %v", c.attempts, c.r, got, c.want)
		}
	}
}

func TestDispatchDeadAfterMaxAttempts(t *testing.T) {
	clk := webhooktest.NewClock(t0)
	rc := newReceiver(t, clk.Now, status(http.StatusServiceUnavailable))
	ob, d := setup(t, rc, clk)
	d.MaxAttempts = 3
	d.Schedule = []time.Duration{time.Second}
	if err := d.Enqueue(context.Background(), banned); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		runOnce(t, d, 1)
		clk.Add(time.Second)
	}
	dl := only(t, ob)
	if dl.Status != webhook.StatusDead || dl.Attempts != 3 || dl.LastStatus != 503 || !dl.NextAttemptAt.IsZero() {
		t.Fatalf("after 3 failures: got %+v, want dead", dl)
	}
	clk.Add(time.Hour)
	runOnce(t, d, 0)
	if n := len(rc.requests()); n != 3 {
		t.Fatalf("receiver got %d requests, want 3", n)
	}
}

func TestDispatchGoneIsDead(t *testing.T) {
	clk := webhooktest.NewClock(t0)
	rc := newReceiver(t, clk.Now, status(http.StatusGone))
	ob, d := setup(t, rc, clk)
	if err := d.Enqueue(context.Background(), banned); err != nil {
		t.Fatal(err)
	}
	runOnce(t, d, 1)
	if dl := only(t, ob); dl.Status != webhook.StatusDead || dl.LastStatus != 410 || dl.Attempts != 1 {
		t.Fatalf("after 410: got %+v, want dead at once", dl)
	}
}

func TestDispatchClientErrorsAndRedirectsRetry(t *testing.T) {
	for _, code := range []int{400, 401, 404, 408, 302} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			clk := webhooktest.NewClock(t0)
			rc := newReceiver(t, clk.Now, func(w http.ResponseWriter, r *http.Request, n int) {
				if code == 302 {
					http.Redirect(w, r, "/elsewhere", code)
					return
				}
				w.WriteHeader(code)
			})
			ob, d := setup(t, rc, clk)
			if err := d.Enqueue(context.Background(), banned); err != nil {
				t.Fatal(err)
			}
			runOnce(t, d, 1)
			if dl := only(t, ob); dl.Status != webhook.StatusPending || dl.LastStatus != code || !dl.NextAttemptAt.Equal(t0.Add(5*time.Second)) {
				t.Fatalf("after %d: got %+v, want a retry in 5s", code, dl)
			}
			if n := len(rc.requests()); n != 1 {
				t.Fatalf("receiver got %d requests, want 1 (redirects not followed)", n)
			}
		})
	}
}

func TestDispatchRetryAfter(t *testing.T) {
	clk := webhooktest.NewClock(t0)
	rc := newReceiver(t, clk.Now, func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("Retry-After", "120")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	ob, d := setup(t, rc, clk)
	if err := d.Enqueue(context.Background(), banned); err != nil {
		t.Fatal(err)
	}
	runOnce(t, d, 1)
	if dl := only(t, ob); dl.Status != webhook.StatusPending || !dl.NextAttemptAt.Equal(t0.Add(2*time.Minute)) {
		t.Fatalf("after 429 with Retry-After 120: got %+v, want due in 2m", dl)
	}
}

func TestDispatchTimeout(t *testing.T) {
	clk := webhooktest.NewClock(t0)
	rc := newReceiver(t, clk.Now, func(w http.ResponseWriter, r *http.Request, n int) {
		<-r.Context().Done() // never answers
	})
	ob, d := setup(t, rc, clk)
	d.Client = &http.Client{Timeout: 50 * time.Millisecond}
	if err := d.Enqueue(context.Background(), banned); err != nil {
		t.Fatal(err)
	}
	runOnce(t, d, 1)
	dl := only(t, ob)
	if dl.Status != webhook.StatusPending || dl.LastStatus != 0 || !strings.Contains(dl.LastError, "Timeout") || !dl.NextAttemptAt.Equal(t0.Add(5*time.Second)) {
		t.Fatalf("after a timeout: got %+v, want pending with a timeout error, due in 5s", dl)
	}
}

func TestDispatchConnectionRefused(t *testing.T) {
	clk := webhooktest.NewClock(t0)
	rc := newReceiver(t, clk.Now, nil)
	ob, d := setup(t, rc, clk)
	rc.srv.Close()
	if err := d.Enqueue(context.Background(), banned); err != nil {
		t.Fatal(err)
	}
	runOnce(t, d, 1)
	if dl := only(t, ob); dl.Status != webhook.StatusPending || dl.LastStatus != 0 || dl.LastError == "" {
		t.Fatalf("after connection refused: got %+v", dl)
	}
}

func TestReplayResendsSameID(t *testing.T) {
	clk := webhooktest.NewClock(t0)
	rc := newReceiver(t, clk.Now, status(http.StatusOK))
	ob, d := setup(t, rc, clk)
	ctx := context.Background()
	if err := d.Enqueue(ctx, banned); err != nil {
		t.Fatal(err)
	}
	runOnce(t, d, 1)
	id := only(t, ob).ID
	clk.Add(time.Hour)
	if _, err := ob.Replay(ctx, id); err != nil {
		t.Fatal(err)
	}
	runOnce(t, d, 1)
	got := rc.requests()
	if len(got) != 2 || got[0].id != banned.ID || got[1].id != banned.ID || got[1].verify != nil || string(got[0].body) != string(got[1].body) {
		t.Fatalf("requests: got %+v, want the same message twice with one webhook-id", got)
	}
	if dl := only(t, ob); dl.ID != id || dl.Status != webhook.StatusDelivered || !dl.DeliveredAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("after replay: got %+v", dl)
	}
}

func TestReplayDuringAttempt(t *testing.T) {
	clk := webhooktest.NewClock(t0)
	arrived, release := make(chan struct{}), make(chan struct{})
	rc := newReceiver(t, clk.Now, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			close(arrived)
			<-release
		}
		w.WriteHeader(http.StatusOK)
	})
	ob, d := setup(t, rc, clk)
	ctx := context.Background()
	if err := d.Enqueue(ctx, banned); err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() { _, err := d.RunOnce(ctx); done <- err }()
	<-arrived
	if _, err := ob.Replay(ctx, only(t, ob).ID); err != nil {
		t.Fatal(err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("RunOnce whose lease a replay ended: got %v, want nil (logged)", err)
	}
	if dl := only(t, ob); dl.Status != webhook.StatusPending || dl.Attempts != 0 {
		t.Fatalf("after the replay: got %+v, want pending again", dl)
	}
	runOnce(t, d, 1)
	if got := rc.requests(); len(got) != 2 || got[1].id != banned.ID {
		t.Fatalf("requests: got %+v", got)
	}
}

func TestTwoDispatchersDoNotDoubleSend(t *testing.T) {
	clk := webhooktest.NewClock(t0)
	arrived, release := make(chan struct{}), make(chan struct{})
	rc := newReceiver(t, clk.Now, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			close(arrived)
			<-release
		}
		w.WriteHeader(http.StatusOK)
	})
	ob, d1 := setup(t, rc, clk)
	d2, err := webhook.NewDispatcher(ob, d1.Endpoints, nil)
	if err != nil {
		t.Fatal(err)
	}
	d2.Now = clk.Now
	ctx := context.Background()
	if err := d1.Enqueue(ctx, banned); err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() { _, err := d1.RunOnce(ctx); done <- err }()
	<-arrived
	// d1 holds the delivery and waits for the receiver: d2 finds nothing.
	runOnce(t, d2, 0)
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := len(rc.requests()); n != 1 {
		t.Fatalf("receiver got %d requests, want 1", n)
	}

	// Many messages, both dispatchers at once: each sent once.
	var msgs []webhook.Message
	for i := range 50 {
		msgs = append(msgs, webhook.Message{ID: fmt.Sprintf("m-%02d", i), Type: webhook.TypeVictimNotice, Payload: json.RawMessage(`{}`)})
	}
	if err := d1.Enqueue(ctx, msgs...); err != nil {
		t.Fatal(err)
	}
	d1.BatchSize, d2.BatchSize = 4, 4
	var wg sync.WaitGroup
	for _, d := range []*webhook.Dispatcher{d1, d2} {
		wg.Go(func() {
			if _, err := d.RunOnce(ctx); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	seen := map[string]int{}
	for _, r := range rc.requests() {
		seen[r.id]++
	}
	for _, m := range msgs {
		if seen[m.ID] != 1 {
			t.Fatalf("message %s sent %d times, want 1", m.ID, seen[m.ID])
		}
	}
}

func TestDispatchSubscriptions(t *testing.T) {
	clk := webhooktest.NewClock(t0)
	rc := newReceiver(t, clk.Now, status(http.StatusOK))
	ob := &webhook.MemOutbox{Now: clk.Now}
	d, err := webhook.NewDispatcher(ob, []webhook.Endpoint{{URL: rc.srv.URL, Secret: rc.secret, Types: []string{webhook.TypeAccountBanned}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	d.Now = clk.Now
	ctx := context.Background()
	opened := webhook.Message{ID: "case-c1-opened", Type: webhook.TypeCaseOpened}
	if err := d.Enqueue(ctx, banned, opened); err != nil {
		t.Fatal(err)
	}
	if got := d.URLs(webhook.TypeCaseOpened); len(got) != 0 {
		t.Fatalf("URLs(case.opened): got %v, want none", got)
	}
	ds, _ := ob.Deliveries(ctx, webhook.DeliveryFilter{})
	if len(ds) != 1 || ds[0].Message.ID != banned.ID {
		t.Fatalf("enqueued: got %+v, want the ban only", ds)
	}
	// Enqueued past the routing: not sent, dead.
	if err := ob.Enqueue(ctx, []string{rc.srv.URL}, []webhook.Message{opened}); err != nil {
		t.Fatal(err)
	}
	runOnce(t, d, 2)
	dl, _ := ob.Delivery(ctx, webhook.DeliveryIDFor(opened.ID, rc.srv.URL))
	if dl.Status != webhook.StatusDead || !strings.Contains(dl.LastError, "subscribe") {
		t.Fatalf("unsubscribed type: got %+v, want dead", dl)
	}
	if got := rc.requests(); len(got) != 1 || got[0].id != banned.ID {
		t.Fatalf("requests: got %+v, want the ban only", got)
	}
}

func TestDispatcherIgnoresOtherEndpoints(t *testing.T) {
	clk := webhooktest.NewClock(t0)
	rc := newReceiver(t, clk.Now, status(http.StatusOK))
	ob, d := setup(t, rc, clk)
	ctx := context.Background()
	if err := ob.Enqueue(ctx, []string{"https://no-longer-configured.example/hook"}, []webhook.Message{banned}); err != nil {
		t.Fatal(err)
	}
	runOnce(t, d, 0)
	if dl := only(t, ob); dl.Status != webhook.StatusPending || dl.Attempts != 0 {
		t.Fatalf("delivery to an unconfigured endpoint: got %+v, want untouched", dl)
	}
}

func TestRun(t *testing.T) {
	rc := newReceiver(t, time.Now, status(http.StatusOK))
	ob := &webhook.MemOutbox{}
	d, err := webhook.NewDispatcher(ob, []webhook.Endpoint{{URL: rc.srv.URL, Secret: rc.secret}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- d.Run(ctx, 5*time.Millisecond) }()
	m := banned
	m.CreatedAt = time.Time{}
	if err := d.Enqueue(ctx, m); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(rc.requests()) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: got %v, want nil after cancel", err)
	}
	got := rc.requests()
	if len(got) != 1 || got[0].verify != nil {
		t.Fatalf("Run: receiver got %+v, want one verified request", got)
	}
}

func TestNewDispatcherChecksEndpoints(t *testing.T) {
	good := webhook.NewSecret()
	for _, c := range []struct {
		name string
		eps  []webhook.Endpoint
	}{
		{"not a URL", []webhook.Endpoint{{URL: "market.example/hook", Secret: good}}},
		{"bad secret", []webhook.Endpoint{{URL: "https://market.example/hook", Secret: "password"}}},
		{"twice", []webhook.Endpoint{{URL: "https://market.example/hook", Secret: good}, {URL: "https://market.example/hook", Secret: good}}},
	} {
		if _, err := webhook.NewDispatcher(&webhook.MemOutbox{}, c.eps, nil); err == nil {
			t.Fatalf("%s: got no error", c.name)
		}
	}
}
