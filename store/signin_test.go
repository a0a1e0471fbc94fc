package store_test

import (
	"context"
	"testing"
	"time"
)

// TestSignInFailures: failures are returned per key within the window,
// oldest first; recording forgets the expired ones; clearing forgets one
// key's.
func TestSignInFailures(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			db := open(t)
			t0 := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
			for i := range 3 {
				at := t0.Add(time.Duration(i) * time.Minute)
				if err := db.RecordSignInFailure(ctx, at, at.Add(-15*time.Minute), "user:ann", "addr:203.0.113.9"); err != nil {
					t.Fatal(err)
				}
			}
			if err := db.RecordSignInFailure(ctx, t0.Add(3*time.Minute), t0.Add(-12*time.Minute), "user:bob", "addr:203.0.113.9"); err != nil {
				t.Fatal(err)
			}
			got, err := db.SignInFailures(ctx, t0.Add(time.Minute), "user:ann", "addr:203.0.113.9", "user:nobody")
			if err != nil {
				t.Fatal(err)
			}
			if fs := got["user:ann"]; len(fs) != 2 || !fs[0].Equal(t0.Add(time.Minute)) || !fs[1].Equal(t0.Add(2*time.Minute)) {
				t.Errorf("user:ann since t0+1m: %v, want t0+1m and t0+2m", fs)
			}
			if n := len(got["addr:203.0.113.9"]); n != 3 {
				t.Errorf("address since t0+1m: %d failures, want 3", n)
			}
			if _, ok := got["user:nobody"]; ok {
				t.Error("a key with no failures is present")
			}
			// Recording at t0+20m forgets everything before t0+5m.
			late := t0.Add(20 * time.Minute)
			if err := db.RecordSignInFailure(ctx, late, late.Add(-15*time.Minute), "user:cy"); err != nil {
				t.Fatal(err)
			}
			got, err = db.SignInFailures(ctx, time.Time{}, "user:ann", "user:bob", "addr:203.0.113.9", "user:cy")
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || len(got["user:cy"]) != 1 {
				t.Errorf("after the window: %v, want only user:cy's one failure", got)
			}
			if err := db.ClearSignInFailures(ctx, "user:cy"); err != nil {
				t.Fatal(err)
			}
			if got, err = db.SignInFailures(ctx, time.Time{}, "user:cy"); err != nil || len(got) != 0 {
				t.Errorf("after clearing: %v, %v", got, err)
			}
		})
	}
}
