package ui

import (
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Sign-in throttling: password guessing against one account, or from one
// address, is refused for a while after too many failures — even with the
// right password, so a guesser learns nothing during the lock-out. The
// counts are per process (each worker of a cluster keeps its own).
const (
	signInWindow     = 15 * time.Minute
	maxFailsPerUser  = 5
	maxFailsPerAddr  = 20
	throttleMaxPrune = 10000 // prune expired entries when the map grows past this
)

type throttle struct {
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

// retryAfter is how long until an attempt under these keys is allowed
// again; 0 when it is allowed now.
func (t *throttle) retryAfter(now time.Time, userKey, addrKey string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	wait := time.Duration(0)
	for _, k := range []struct {
		key string
		max int
	}{{userKey, maxFailsPerUser}, {addrKey, maxFailsPerAddr}} {
		fs := t.live(now, k.key)
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
func (t *throttle) fail(now time.Time, keys ...string) {
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
func (t *throttle) succeed(userKey string) {
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
