// Package servicetest helps tests that need a running service: a fresh
// service on an embedded store with an evidence log, and the engine's end
// state as text for comparisons.
package servicetest

import (
	"bytes"
	"context"
	"sort"
	"testing"

	"github.com/fairmark/fairmark/engine"
	"github.com/fairmark/fairmark/evidence"
	"github.com/fairmark/fairmark/scan"
	"github.com/fairmark/fairmark/service"
	"github.com/fairmark/fairmark/store"
)

// Open returns a service on a fresh SQLite store in a temp folder, with an
// evidence log and the text detectors; it is closed when the test ends.
func Open(tb testing.TB) *service.Service {
	tb.Helper()
	ctx := context.Background()
	db, err := store.OpenSQLite(ctx, tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	svc, err := service.Open(ctx, service.Options{DB: db, Evidence: EvidenceLog(tb, db), Config: engine.Config{Detect: scan.Detector}})
	if err != nil {
		tb.Fatal(err)
	}
	return svc
}

// EvidenceLog opens db's evidence log with a key made in a temp folder.
func EvidenceLog(tb testing.TB, db *store.DB) *evidence.Log {
	tb.Helper()
	signer, err := evidence.LoadOrCreateKey(tb.TempDir(), "fairmark.test/log")
	if err != nil {
		tb.Fatal(err)
	}
	log, err := evidence.Open(context.Background(), db.Evidence(), signer)
	if err != nil {
		tb.Fatal(err)
	}
	return log
}

// CSVs renders an engine's end state as the three replay CSVs, one after
// the other.
func CSVs(tb testing.TB, en *engine.Engine) string {
	tb.Helper()
	var b bytes.Buffer
	for _, w := range []func(*bytes.Buffer) error{
		func(b *bytes.Buffer) error { return en.WriteAccountsCSV(b) },
		func(b *bytes.Buffer) error { return en.WriteFeedbackCSV(b) },
		func(b *bytes.Buffer) error { return en.WriteSellersCSV(b) },
	} {
		if err := w(&b); err != nil {
			tb.Fatal(err)
		}
	}
	return b.String()
}

// FirstDiff shows the first line where a and b differ.
func FirstDiff(a, b string) string {
	al, bl := bytes.Split([]byte(a), []byte("\n")), bytes.Split([]byte(b), []byte("\n"))
	for i := range min(len(al), len(bl)) {
		if !bytes.Equal(al[i], bl[i]) {
			return "got:  " + string(al[i]) + "\nwant: " + string(bl[i])
		}
	}
	return "lengths differ"
}

// DecisionKeys returns the distinct keys of ds, sorted: what a store that
// kept those decisions holds.
func DecisionKeys(ds []engine.Decision) []string {
	seen := map[string]bool{}
	var out []string
	for _, d := range ds {
		if k := d.Key(); !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}
