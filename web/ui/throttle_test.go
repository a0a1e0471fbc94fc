package ui

import (
	"net/http/httptest"
	"testing"
	"time"
)

func TestThrottleLocksOutAndForgets(t *testing.T) {
	var th throttle
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	r := httptest.NewRequest("POST", "/login", nil)
	r.RemoteAddr = "203.0.113.9:5555"
	user, addr := throttleKeys(r, "Seller1")
	if user != "user:seller1" || addr != "addr:203.0.113.9" {
		t.Fatalf("keys %q %q", user, addr)
	}
	for i := range maxFailsPerUser {
		if d := th.retryAfter(now, user, addr); d != 0 {
			t.Fatalf("attempt %d refused for %v before the limit", i+1, d)
		}
		th.fail(now.Add(time.Duration(i)*time.Minute), user, addr)
	}
	now = now.Add(5 * time.Minute)
	if d := th.retryAfter(now, user, addr); d != signInWindow-5*time.Minute {
		t.Fatalf("after %d failures: retry after %v, want %v", maxFailsPerUser, d, signInWindow-5*time.Minute)
	}
	// Another user from the same address is still let in.
	other, _ := throttleKeys(r, "seller2")
	if d := th.retryAfter(now, other, addr); d != 0 {
		t.Fatalf("another user refused for %v", d)
	}
	// When the oldest failure leaves the window, one more try is allowed.
	now = now.Add(signInWindow - 5*time.Minute)
	if d := th.retryAfter(now, user, addr); d != 0 {
		t.Fatalf("after the window: refused for %v", d)
	}
	// A success forgets the user's failures.
	th.succeed(user)
	th.fail(now, user, addr)
	if d := th.retryAfter(now, user, addr); d != 0 {
		t.Fatalf("one failure after a success: refused for %v", d)
	}
	// The address limit holds across user names.
	var th2 throttle
	for i := range maxFailsPerAddr {
		u, a := throttleKeys(r, "guess"+string(rune('a'+i)))
		th2.fail(now, u, a)
	}
	fresh, a := throttleKeys(r, "fresh")
	if d := th2.retryAfter(now, fresh, a); d != signInWindow {
		t.Fatalf("after %d failures from one address: retry after %v, want %v", maxFailsPerAddr, d, signInWindow)
	}
	// Expired entries are pruned, so memory does not grow without bound.
	th2.fail(now.Add(signInWindow), "user:late")
	for k := range th2.fails {
		th2.live(now.Add(signInWindow), k)
	}
	if len(th2.fails) != 1 {
		t.Fatalf("%d keys kept after the window, want 1", len(th2.fails))
	}
}
