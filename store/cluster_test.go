package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/store"
)

func TestLeasesShareAndTakeOver(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			db := open(t)
			now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
			db.Now = func() time.Time { return now }
			const ttl = 10 * time.Second

			a, err := db.AcquireLeases(ctx, "a", 8, ttl)
			if err != nil {
				t.Fatal(err)
			}
			if len(a) != 8 {
				t.Fatalf("a alone holds %v, want all 8", a)
			}
			// b arrives: a gives back half at its next round, b takes them.
			b, err := db.AcquireLeases(ctx, "b", 8, ttl)
			if err != nil {
				t.Fatal(err)
			}
			if len(b) != 0 {
				t.Fatalf("b took %v while a's leases were live", b)
			}
			now = now.Add(time.Second)
			if a, err = db.AcquireLeases(ctx, "a", 8, ttl); err != nil {
				t.Fatal(err)
			}
			if b, err = db.AcquireLeases(ctx, "b", 8, ttl); err != nil {
				t.Fatal(err)
			}
			if len(a) != 4 || len(b) != 4 {
				t.Fatalf("after rebalancing a %v, b %v; want 4 each", a, b)
			}
			assertDisjointCover(t, 8, a, b)

			// b dies (stops renewing). Within ttl its partitions stay its own.
			now = now.Add(ttl / 2)
			if a, err = db.AcquireLeases(ctx, "a", 8, ttl); err != nil {
				t.Fatal(err)
			}
			if len(a) != 4 {
				t.Fatalf("a took b's live leases: %v", a)
			}
			// After ttl, a takes them all over.
			now = now.Add(ttl)
			if a, err = db.AcquireLeases(ctx, "a", 8, ttl); err != nil {
				t.Fatal(err)
			}
			if len(a) != 8 {
				t.Fatalf("after b's leases expired a holds %v, want all 8", a)
			}
			ls, err := db.Leases(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range ls {
				if l.Owner != "a" || !l.Expires.Equal(now.Add(ttl)) {
					t.Fatalf("lease %+v, want owner a until %v", l, now.Add(ttl))
				}
				if l.Epoch < 1 {
					t.Fatalf("lease %+v has no epoch", l)
				}
			}
			// b comes back and a shuts down cleanly: b gets everything at once.
			if _, err := db.AcquireLeases(ctx, "b", 8, ttl); err != nil {
				t.Fatal(err)
			}
			if err := db.ReleaseLeases(ctx, "a"); err != nil {
				t.Fatal(err)
			}
			if b, err = db.AcquireLeases(ctx, "b", 8, ttl); err != nil {
				t.Fatal(err)
			}
			if len(b) != 8 {
				t.Fatalf("after a released, b holds %v", b)
			}
			// A worker started with another partition count is refused.
			if _, err := db.AcquireLeases(ctx, "c", 16, ttl); fairmark.ErrorCode(err) != fairmark.ECONFLICT {
				t.Fatalf("16 partitions on an 8-partition database: %v, want a conflict", err)
			}
			if _, err := db.AcquireLeases(ctx, "", 8, ttl); fairmark.ErrorCode(err) != fairmark.EINVALID {
				t.Fatalf("no worker id: %v, want invalid", err)
			}
		})
	}
}

func assertDisjointCover(t *testing.T, n int, sets ...[]int) {
	t.Helper()
	seen := map[int]int{}
	for _, s := range sets {
		for _, p := range s {
			seen[p]++
		}
	}
	for p := 0; p < n; p++ {
		if seen[p] != 1 {
			t.Fatalf("partition %d held %d times across %v", p, seen[p], sets)
		}
	}
}

// TestLeasesConcurrentRounds: workers racing their rounds never hold the
// same partition.
func TestLeasesConcurrentRounds(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			db := open(t)
			const workers, parts = 3, 16
			held := make([][]int, workers)
			for round := 0; round < 4; round++ {
				var wg sync.WaitGroup
				errs := make([]error, workers)
				for w := range workers {
					wg.Add(1)
					go func() {
						defer wg.Done()
						held[w], errs[w] = db.AcquireLeases(ctx, fmt.Sprintf("w%d", w), parts, time.Minute)
					}()
				}
				wg.Wait()
				for _, err := range errs {
					if err != nil {
						t.Fatal(err)
					}
				}
				seen := map[int]bool{}
				for _, h := range held {
					for _, p := range h {
						if seen[p] {
							t.Fatalf("round %d: partition %d held twice: %v", round, p, held)
						}
						seen[p] = true
					}
				}
			}
			// By now every worker has its share: 6, 5, 5 in some order.
			total := 0
			for _, h := range held {
				if len(h) < 5 || len(h) > 6 {
					t.Fatalf("shares %v, want 5 or 6 each", held)
				}
				total += len(h)
			}
			if total != parts {
				t.Fatalf("%d partitions held, want %d", total, parts)
			}
		})
	}
}

// TestEventsAfterFollowsCommits: following the log from any position sees
// every event once, in commit order, with concurrent writers.
func TestEventsAfterFollowsCommits(t *testing.T) {
	ctx := context.Background()
	if db := MustOpenSQLite(t); true {
		if _, err := db.EventsAfter(ctx, 0, 10, func(store.Seq, []byte) error { return nil }); fairmark.ErrorCode(err) != fairmark.EINVALID {
			t.Fatalf("EventsAfter on SQLite: %v, want a clear refusal", err)
		}
	}
	db := MustOpenPostgres(t)
	const writers, batches, per = 4, 10, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range batches {
				var lines []string
				for i := range per {
					lines = append(lines, fmt.Sprintf(`{"id":"w%d-%d-%d","type":"account.opened","at":"2026-03-01T08:00:00Z","account":{"id":"a%d-%d-%d","role":"buyer"}}`, w, b, i, w, b, i))
				}
				// Every batch also repeats one id of another writer.
				lines = append(lines, fmt.Sprintf(`{"id":"w%d-%d-0","type":"account.opened","at":"2026-03-01T08:00:00Z","account":{"id":"a%d-%d-0","role":"buyer"}}`, (w+1)%writers, b, (w+1)%writers, b))
				if _, err := db.Append(ctx, mustDecode(t, lines...)); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	// Follow the log while it is written.
	seen := map[string]int{}
	var last store.Seq
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	follow := func() {
		for {
			next, err := db.EventsAfter(ctx, last, 7, func(seq store.Seq, raw []byte) error {
				if seq <= last {
					return fmt.Errorf("seq %d after %d", seq, last)
				}
				seen[string(raw)]++
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if next == last {
				return
			}
			last = next
		}
	}
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
			follow()
		}
	}
	follow()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if len(seen) != writers*batches*per {
		t.Fatalf("followed %d distinct events, want %d", len(seen), writers*batches*per)
	}
	for raw, n := range seen {
		if n != 1 {
			t.Fatalf("event seen %d times: %s", n, raw)
		}
	}
	top, err := db.LastSeq(ctx)
	if err != nil || top != last {
		t.Fatalf("LastSeq %d (%v), followed up to %d", top, err, last)
	}
}
