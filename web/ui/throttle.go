package ui

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Sign-in throttling: password guessing against one account, or from one
// address, is refused for a while after too many failures — even with the
// right password, so a guesser learns nothing during the lock-out. The
// failures are kept in the database (store.DB.SignInFailures), so every
// worker of a cluster counts the same ones; each process also keeps its
// own, which count should the database fail to answer.
const (
	signInWindow     = 15 * time.Minute
	maxFailsPerUser  = 5
	maxFailsPerAddr  = 20
	throttleMaxPrune = 10000 // prune expired entries when the map grows past this
)

// failureStore keeps failed sign-ins where every worker sees them.
type failureStore interface {
	SignInFailures(ctx context.Context, since time.Time, keys ...string) (map[string][]time.Time, error)
	RecordSignInFailure(ctx context.Context, at, forget time.Time, keys ...string) error
	ClearSignInFailures(ctx context.Context, key string) error
}

type throttle struct {
	shared failureStore // nil: this process's counts only
	logger *slog.Logger // nil: discard

	mu    sync.Mutex
	fails map[string][]time.Time // key -> failure times within the window, oldest first
}

// keys are the throttle keys of a sign-in attempt: the user name and the
// client address (RemoteAddr, not a forwarding header a client can forge).
func throttleKeys(r *http.Request, user string) (userKey, addrKey string) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return "user:" + strings.ToLower(user), "addr:" + host
}

func (t *throttle) warn(msg string, err error) {
	if t.logger != nil {
		t.logger.Warn(msg, "err", err)
	}
}

// failures returns the failures within the window at now under each key:
// the database's, or this process's if the database fails.
func (t *throttle) failures(ctx context.Context, now time.Time, keys ...string) map[string][]time.Time {
	if t.shared != nil {
		m, err := t.shared.SignInFailures(ctx, now.Add(-signInWindow+1), keys...)
		if err == nil {
			return m
		}
		t.warn("sign-in failures: counting this process's only", err)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	m := make(map[string][]time.Time, len(keys))
	for _, k := range keys {
		m[k] = slices.Clone(t.live(now, k))
	}
	return m
}

// retryAfter is how long until an attempt under these keys is allowed
// again; 0 when it is allowed now.
func (t *throttle) retryAfter(ctx context.Context, now time.Time, userKey, addrKey string) time.Duration {
	fails := t.failures(ctx, now, userKey, addrKey)
	wait := time.Duration(0)
	for _, k := range []struct {
		key string
		max int
	}{{userKey, maxFailsPerUser}, {addrKey, maxFailsPerAddr}} {
		fs := fails[k.key]
		if len(fs) >= k.max {
			// Allowed again when the oldest failure that keeps the count
			// at the limit leaves the window.
			if d := fs[len(fs)-k.max].Add(signInWindow).Sub(now); d > wait {
				wait = d
			}
		}
	}
	return wait
}

// fail records a failed attempt under both keys.
func (t *throttle) fail(ctx context.Context, now time.Time, keys ...string) {
	if t.shared != nil {
		if err := t.shared.RecordSignInFailure(ctx, now, now.Add(-signInWindow), keys...); err != nil {
			t.warn("sign-in failure not recorded in the database", err)
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.fails == nil {
		t.fails = map[string][]time.Time{}
	}
	if len(t.fails) > throttleMaxPrune {
		for k := range t.fails {
			t.live(now, k)
		}
	}
	for _, k := range keys {
		t.fails[k] = append(t.live(now, k), now)
	}
}

// succeed forgets the user's failures (not the address's).
func (t *throttle) succeed(ctx context.Context, userKey string) {
	if t.shared != nil {
		if err := t.shared.ClearSignInFailures(ctx, userKey); err != nil {
			t.warn("sign-in failures not cleared in the database", err)
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.fails, userKey)
}

// live drops key's failures older than the window and returns the rest.
func (t *throttle) live(now time.Time, key string) []time.Time {
	fs := t.fails[key]
	i := 0
	for i < len(fs) && now.Sub(fs[i]) >= signInWindow {
		i++
	}
	if i == len(fs) {
		delete(t.fails, key)
		return nil
	}
	fs = fs[i:]
	t.fails[key] = fs
	return fs
}
