package ui

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/fairmark/fairmark/store"
)

func TestThrottleLocksOutAndForgets(t *testing.T) {
	ctx := context.Background()
	var th throttle
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	r := httptest.NewRequest("POST", "/login", nil)
	r.RemoteAddr = "203.0.113.9:5555"
	user, addr := throttleKeys(r, "Seller1")
	if user != "user:seller1" || addr != "addr:203.0.113.9" {
		t.Fatalf("keys %q %q", user, addr)
	}
	for i := range maxFailsPerUser {
		if d := th.retryAfter(ctx, now, user, addr); d != 0 {
			t.Fatalf("attempt %d refused for %v before the limit", i+1, d)
		}
		th.fail(ctx, now.Add(time.Duration(i)*time.Minute), user, addr)
	}
	now = now.Add(5 * time.Minute)
	if d := th.retryAfter(ctx, now, user, addr); d != signInWindow-5*time.Minute {
		t.Fatalf("after %d failures: retry after %v, want %v", maxFailsPerUser, d, signInWindow-5*time.Minute)
	}
	// Another user from the same address is still let in.
	other, _ := throttleKeys(r, "seller2")
	if d := th.retryAfter(ctx, now, other, addr); d != 0 {
		t.Fatalf("another user refused for %v", d)
	}
	// When the oldest failure leaves the window, one more try is allowed.
	now = now.Add(signInWindow - 5*time.Minute)
	if d := th.retryAfter(ctx, now, user, addr); d != 0 {
		t.Fatalf("after the window: refused for %v", d)
	}
	// A success forgets the user's failures.
	th.succeed(ctx, user)
	th.fail(ctx, now, user, addr)
	if d := th.retryAfter(ctx, now, user, addr); d != 0 {
		t.Fatalf("one failure after a success: refused for %v", d)
	}
	// The address limit holds across user names.
	var th2 throttle
	for i := range maxFailsPerAddr {
		u, a := throttleKeys(r, "guess"+string(rune('a'+i)))
		th2.fail(ctx, now, u, a)
	}
	fresh, a := throttleKeys(r, "fresh")
	if d := th2.retryAfter(ctx, now, fresh, a); d != signInWindow {
		t.Fatalf("after %d failures from one address: retry after %v, want %v", maxFailsPerAddr, d, signInWindow)
	}
	// Expired entries are pruned, so memory does not grow without bound.
	th2.fail(ctx, now.Add(signInWindow), "user:late")
	for k := range th2.fails {
		th2.live(now.Add(signInWindow), k)
	}
	if len(th2.fails) != 1 {
		t.Fatalf("%d keys kept after the window, want 1", len(th2.fails))
	}
}

// TestThrottleSharedByWorkers: two UIs on one database (two workers of a
// cluster) count the same failures, so guessing on one locks out the
// other; a database that fails falls back to the process's own counts.
func TestThrottleSharedByWorkers(t *testing.T) {
	ctx := context.Background()
	db, err := store.OpenSQLite(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a, b := throttle{shared: db}, throttle{shared: db}
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	r := httptest.NewRequest("POST", "/login", nil)
	r.RemoteAddr = "198.51.100.7:4444"
	user, addr := throttleKeys(r, "lee")
	for i := range maxFailsPerUser {
		w := &a
		if i%2 == 1 {
			w = &b
		}
		w.fail(ctx, now.Add(time.Duration(i)*time.Second), user, addr)
	}
	now = now.Add(time.Minute)
	for name, w := range map[string]*throttle{"a": &a, "b": &b} {
		if d := w.retryAfter(ctx, now, user, addr); d != signInWindow-time.Minute {
			t.Errorf("worker %s: retry after %v, want %v", name, d, signInWindow-time.Minute)
		}
	}
	// A fresh worker that never saw a failure refuses too.
	c := throttle{shared: db}
	if d := c.retryAfter(ctx, now, user, addr); d == 0 {
		t.Error("a third worker lets the guesser in")
	}
	// A success on one worker clears the user's failures for all.
	b.succeed(ctx, user)
	if d := a.retryAfter(ctx, now, user, addr); d != 0 {
		t.Errorf("after a success on b, a refuses for %v", d)
	}

	// The database down: each worker counts its own.
	broken := throttle{shared: failingStore{}}
	for i := range maxFailsPerUser {
		broken.fail(ctx, now.Add(time.Duration(i)*time.Second), "user:zed", addr)
	}
	if d := broken.retryAfter(ctx, now.Add(time.Minute), "user:zed", addr); d == 0 {
		t.Error("with the database down, the process's own failures do not count")
	}
}

type failingStore struct{}

var errDown = errors.New("database down")

func (failingStore) SignInFailures(context.Context, time.Time, ...string) (map[string][]time.Time, error) {
	return nil, errDown
}
func (failingStore) RecordSignInFailure(context.Context, time.Time, time.Time, ...string) error {
	return errDown
}
func (failingStore) ClearSignInFailures(context.Context, string) error { return errDown }
