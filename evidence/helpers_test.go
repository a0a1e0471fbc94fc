package evidence

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

var (
	bg       = context.Background()
	testT0   = time.Date(2024, 11, 11, 20, 15, 0, 0, time.UTC)
	convA    = Scope{Type: ScopeConversation, ID: "conv-7f3a"}
	orderA   = Scope{Type: ScopeOrder, ID: "order-1001"}
	otherCon = Scope{Type: ScopeConversation, ID: "conv-other"}
)

// testSigner returns a deterministic signer for origin, seeded by seed.
func testSigner(t testing.TB, origin string, seed byte) *Signer {
	t.Helper()
	s, _, err := GenerateSigner(bytes.NewReader(bytes.Repeat([]byte{seed}, 64)), origin)
	if err != nil {
		t.Fatalf("GenerateSigner: %v", err)
	}
	return s
}

// fakeClock returns a Now function ticking by one second per call.
func fakeClock() func() time.Time {
	t := testT0
	return func() time.Time {
		t = t.Add(time.Second)
		return t
	}
}

// newTestLog opens a log on a fresh MemStorage with a fixed clock.
func newTestLog(t testing.TB) (*Log, *MemStorage) {
	t.Helper()
	st := new(MemStorage)
	l, err := Open(bg, st, testSigner(t, "fairmark.test/evidence", 1))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	l.Now = fakeClock()
	return l, st
}

// msg returns a chat message record in the given scopes.
func msg(i int, scopes ...Scope) Record {
	return Record{
		Kind:    KindMessage,
		Ref:     fmt.Sprintf("m%d", i),
		Scopes:  scopes,
		At:      testT0.Add(time.Duration(i) * time.Minute),
		Content: fmt.Appendf(nil, `{"id":"m%d","text":"亲，加我QQ 385721906，给50块就删差评 #%d"}`, i, i),
	}
}

func mustAppend(t testing.TB, l *Log, recs ...Record) []Record {
	t.Helper()
	out, err := l.Append(bg, recs...)
	if err != nil {
		t.Fatalf("Append: %v", err)
	}
	return out
}

// refTree computes the stored hashes of leaves with tlog.StoredHashes, as
// an independent reference.
func refTree(t testing.TB, recs []Record) tlog.HashReader {
	t.Helper()
	var hashes []tlog.Hash
	r := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = hashes[x]
		}
		return out, nil
	})
	for i, rec := range recs {
		hs, err := tlog.StoredHashes(int64(i), Envelope(rec), r)
		if err != nil {
			t.Fatalf("StoredHashes: %v", err)
		}
		hashes = append(hashes, hs...)
	}
	return r
}

func hexEncode(b []byte) string { return hex.EncodeToString(b) }
