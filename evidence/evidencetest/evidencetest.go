// Package evidencetest holds the conformance suite for implementations of
// evidence.Storage. fairmark's SQL store runs it on SQLite and PostgreSQL;
// evidence.MemStorage runs it too.
package evidencetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/fairmark/fairmark/evidence"
	"golang.org/x/mod/sumdb/tlog"
)

// MidwayFailer is implemented by storages that can simulate a crash inside
// Append: the next Append fails with err after writing its records and
// before writing their hashes (for a SQL store: inside the transaction,
// which must then roll back). RunStorageTests uses it when available.
type MidwayFailer interface {
	FailNextAppendMidway(err error)
}

// RunStorageTests runs the conformance suite against the Storage returned
// by open, which must return a new, empty storage on every call (and may
// register cleanups on t).
func RunStorageTests(t *testing.T, open func(t *testing.T) evidence.Storage) {
	tests := []struct {
		name string
		fn   func(t *testing.T, st evidence.Storage)
	}{
		{"Empty", testEmpty},
		{"AppendAndRead", testAppendAndRead},
		{"RecordsByScope", testRecordsByScope},
		{"ReadHashes", testReadHashes},
		{"AppendConflict", testAppendConflict},
		{"ConcurrentAppendSameIndex", testConcurrentAppendSameIndex},
		{"AppendWrongHashCount", testAppendWrongHashCount},
		{"AppendBadBatchIsAtomic", testAppendBadBatch},
		{"AppendMidwayFailure", testAppendMidway},
		{"Redact", testRedact},
		{"Checkpoints", testCheckpoints},
		{"Blobs", testBlobs},
		{"NoAliasing", testNoAliasing},
		{"ConcurrentReads", testConcurrentReads},
		{"WithLog", testWithLog},
		{"AppendOnce", testAppendOnce},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open(t)) })
	}
}

var (
	ctx  = context.Background()
	t0   = time.Date(2024, 3, 1, 10, 4, 5, 123456000, time.UTC)
	scA  = evidence.Scope{Type: evidence.ScopeConversation, ID: "conv-1"}
	scB  = evidence.Scope{Type: evidence.ScopeOrder, ID: "订单-42"}
	scC  = evidence.Scope{Type: evidence.ScopeCase, ID: "case 7"}
	none = evidence.Scope{Type: evidence.ScopeReport, ID: "nobody"}
)

// builder makes valid records and their tree hashes, as a Log would.
type builder struct {
	hashes []tlog.Hash
	n      int64
}

func (b *builder) reader() tlog.HashReader {
	return tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			if x >= int64(len(b.hashes)) {
				return nil, fmt.Errorf("hash %d not built", x)
			}
			out[i] = b.hashes[x]
		}
		return out, nil
	})
}

// next returns k records starting at the builder's size and their hashes,
// and advances the builder.
func (b *builder) next(t *testing.T, k int, scopes ...evidence.Scope) ([]evidence.Record, []tlog.Hash) {
	t.Helper()
	start := len(b.hashes)
	recs := make([]evidence.Record, k)
	for i := range recs {
		content := fmt.Appendf(nil, `{"id":"m%d","text":"加我QQ 385721906 给50元删差评"}`, b.n)
		recs[i] = evidence.Record{
			Index:         b.n,
			Kind:          evidence.KindMessage,
			Ref:           fmt.Sprintf("m%d", b.n),
			Scopes:        slices.Clone(scopes),
			At:            t0.Add(time.Duration(b.n) * time.Minute),
			Logged:        t0.Add(time.Duration(b.n)*time.Minute + 1500*time.Microsecond),
			Content:       content,
			ContentSHA256: sha256.Sum256(content),
		}
		hs, err := tlog.StoredHashesForRecordHash(b.n, evidence.LeafHash(recs[i]), b.reader())
		if err != nil {
			t.Fatalf("building hashes: %v", err)
		}
		b.hashes = append(b.hashes, hs...)
		b.n++
	}
	return recs, slices.Clone(b.hashes[start:])
}

func mustAppend(t *testing.T, st evidence.Storage, recs []evidence.Record, hs []tlog.Hash) {
	t.Helper()
	if err := st.Append(ctx, recs, hs); err != nil {
		t.Fatalf("Append(%d records at %d): %v", len(recs), recs[0].Index, err)
	}
}

func wantSize(t *testing.T, st evidence.Storage, want int64) {
	t.Helper()
	got, err := st.Size(ctx)
	if err != nil {
		t.Fatalf("Size: %v", err)
	}
	if got != want {
		t.Fatalf("Size = %d, want %d", got, want)
	}
}

// equalRecord compares every field, times with Equal.
func equalRecord(a, b evidence.Record) bool {
	return a.Index == b.Index && a.Kind == b.Kind && a.Ref == b.Ref &&
		slices.Equal(a.Scopes, b.Scopes) && a.At.Equal(b.At) && a.Logged.Equal(b.Logged) &&
		bytes.Equal(a.Content, b.Content) && (a.Content == nil) == (b.Content == nil) &&
		a.ContentSHA256 == b.ContentSHA256 && a.Redacted == b.Redacted
}

func testEmpty(t *testing.T, st evidence.Storage) {
	wantSize(t, st, 0)
	if _, err := st.Record(ctx, 0); !errors.Is(err, evidence.ErrNotFound) {
		t.Fatalf("Record(0) on empty: got %v, want ErrNotFound", err)
	}
	if _, _, err := st.LatestCheckpoint(ctx); !errors.Is(err, evidence.ErrNotFound) {
		t.Fatalf("LatestCheckpoint on empty: got %v, want ErrNotFound", err)
	}
	if _, _, err := st.Blob(ctx, [32]byte{1}); !errors.Is(err, evidence.ErrNotFound) {
		t.Fatalf("Blob on empty: got %v, want ErrNotFound", err)
	}
	if _, err := st.ReadHashes(ctx, []int64{0}); !errors.Is(err, evidence.ErrNotFound) {
		t.Fatalf("ReadHashes([0]) on empty: got %v, want ErrNotFound", err)
	}
	if err := st.Redact(ctx, 0); !errors.Is(err, evidence.ErrNotFound) {
		t.Fatalf("Redact(0) on empty: got %v, want ErrNotFound", err)
	}
	recs, err := st.Records(ctx, scA)
	if err != nil || len(recs) != 0 {
		t.Fatalf("Records on empty = %d records, %v; want 0, nil", len(recs), err)
	}
}

func testAppendAndRead(t *testing.T, st evidence.Storage) {
	var b builder
	var all []evidence.Record
	for _, k := range []int{1, 1, 3, 8, 20} {
		recs, hs := b.next(t, k, scA, scB)
		mustAppend(t, st, recs, hs)
		all = append(all, recs...)
	}
	// A hash-only, redacted-at-birth record with an empty scope list.
	hashOnly, hs := b.next(t, 1)
	hashOnly[0].Content = nil
	hashOnly[0].Redacted = true
	hashOnly[0].Scopes = nil
	mustAppend(t, st, hashOnly, hs)
	all = append(all, hashOnly...)
	// An empty, non-nil content must stay non-redacted.
	empty, hs := b.next(t, 1, scC)
	empty[0].Content = []byte{}
	empty[0].ContentSHA256 = sha256.Sum256(nil)
	mustAppend(t, st, empty, hs)
	all = append(all, empty...)

	wantSize(t, st, int64(len(all)))
	for _, want := range all {
		got, err := st.Record(ctx, want.Index)
		if err != nil {
			t.Fatalf("Record(%d): %v", want.Index, err)
		}
		if want.Index == empty[0].Index {
			// Drivers may return nil for an empty blob; only redaction
			// state and hash matter.
			if got.Redacted || len(got.Content) != 0 || got.ContentSHA256 != want.ContentSHA256 {
				t.Fatalf("Record(%d) empty content: got redacted=%v content=%q, want not redacted, empty", want.Index, got.Redacted, got.Content)
			}
			got.Content = want.Content
		}
		if len(want.Scopes) == 0 && len(got.Scopes) == 0 {
			got.Scopes = want.Scopes
		}
		if !equalRecord(got, want) {
			t.Fatalf("Record(%d):\n got %+v\nwant %+v", want.Index, got, want)
		}
	}
	if _, err := st.Record(ctx, int64(len(all))); !errors.Is(err, evidence.ErrNotFound) {
		t.Fatalf("Record past the end: got %v, want ErrNotFound", err)
	}
	if _, err := st.Record(ctx, -1); !errors.Is(err, evidence.ErrNotFound) {
		t.Fatalf("Record(-1): got %v, want ErrNotFound", err)
	}
}

func testRecordsByScope(t *testing.T, st evidence.Storage) {
	var b builder
	r1, h1 := b.next(t, 3, scA)
	mustAppend(t, st, r1, h1)
	r2, h2 := b.next(t, 2, scB)
	mustAppend(t, st, r2, h2)
	r3, h3 := b.next(t, 4, scA, scB)
	mustAppend(t, st, r3, h3)

	for _, tc := range []struct {
		scope evidence.Scope
		want  []int64
	}{
		{scA, []int64{0, 1, 2, 5, 6, 7, 8}},
		{scB, []int64{3, 4, 5, 6, 7, 8}},
		{scC, nil},
		{none, nil},
		{evidence.Scope{Type: scA.Type, ID: "CONV-1"}, nil}, // IDs are case-sensitive
	} {
		recs, err := st.Records(ctx, tc.scope)
		if err != nil {
			t.Fatalf("Records(%v): %v", tc.scope, err)
		}
		var got []int64
		for _, r := range recs {
			got = append(got, r.Index)
		}
		if !slices.Equal(got, tc.want) {
			t.Fatalf("Records(%v) indexes = %v, want %v", tc.scope, got, tc.want)
		}
	}
}

func testReadHashes(t *testing.T, st evidence.Storage) {
	var b builder
	recs, hs := b.next(t, 13, scA)
	mustAppend(t, st, recs[:5], hs[:tlog.StoredHashCount(5)])
	mustAppend(t, st, recs[5:], hs[tlog.StoredHashCount(5):])
	n := tlog.StoredHashCount(13)
	idx := []int64{n - 1, 0, 7, 7, 3}
	got, err := st.ReadHashes(ctx, idx)
	if err != nil {
		t.Fatalf("ReadHashes(%v): %v", idx, err)
	}
	for i, x := range idx {
		if got[i] != b.hashes[x] {
			t.Fatalf("ReadHashes(%v)[%d] = %v, want %v", idx, i, got[i], b.hashes[x])
		}
	}
	if _, err := st.ReadHashes(ctx, []int64{0, n}); !errors.Is(err, evidence.ErrNotFound) {
		t.Fatalf("ReadHashes past the end: got %v, want ErrNotFound", err)
	}
	got, err = st.ReadHashes(ctx, nil)
	if err != nil || len(got) != 0 {
		t.Fatalf("ReadHashes(nil) = %v, %v; want empty, nil", got, err)
	}
	root, err := tlog.TreeHash(13, tlog.HashReaderFunc(func(i []int64) ([]tlog.Hash, error) { return st.ReadHashes(ctx, i) }))
	if err != nil {
		t.Fatalf("TreeHash over storage: %v", err)
	}
	want, _ := tlog.TreeHash(13, b.reader())
	if root != want {
		t.Fatalf("TreeHash over storage = %v, want %v", root, want)
	}
}

func testAppendConflict(t *testing.T, st evidence.Storage) {
	var b builder
	recs, hs := b.next(t, 4, scA)
	mustAppend(t, st, recs, hs)
	// Appending the same indexes again (a second writer) conflicts.
	if err := st.Append(ctx, recs[2:], hs[tlog.StoredHashCount(2):]); !errors.Is(err, evidence.ErrConflict) {
		t.Fatalf("Append at index 2 of size 4: got %v, want ErrConflict", err)
	}
	// Leaving a gap conflicts too.
	b.next(t, 1, scA)
	gap, ghs := b.next(t, 1, scA)
	if err := st.Append(ctx, gap, ghs); !errors.Is(err, evidence.ErrConflict) {
		t.Fatalf("Append at index 5 of size 4: got %v, want ErrConflict", err)
	}
	wantSize(t, st, 4)
}

// testConcurrentAppendSameIndex: writers racing to append different
// batches at the same index (several processes on one database): exactly
// one wins, every other gets ErrConflict, and the winner's batch is stored
// whole.
func testConcurrentAppendSameIndex(t *testing.T, st evidence.Storage) {
	const writers = 4
	var size int64
	var base builder
	for round := range 6 {
		k := 1 + round%3
		batches := make([][]evidence.Record, writers)
		hashes := make([][]tlog.Hash, writers)
		for w := range writers {
			b := builder{hashes: slices.Clone(base.hashes), n: base.n}
			for range k {
				content := fmt.Appendf(nil, `{"writer":%d}`, w)
				r := evidence.Record{
					Index: b.n, Kind: evidence.KindMessage, Ref: fmt.Sprintf("w%d-%d", w, b.n),
					Scopes: []evidence.Scope{scA}, At: t0, Logged: t0,
					Content: content, ContentSHA256: sha256.Sum256(content),
				}
				hs, err := tlog.StoredHashesForRecordHash(r.Index, evidence.LeafHash(r), b.reader())
				if err != nil {
					t.Fatal(err)
				}
				b.hashes = append(b.hashes, hs...)
				b.n++
				batches[w] = append(batches[w], r)
			}
			hashes[w] = b.hashes[len(base.hashes):]
		}
		errs := make([]error, writers)
		var start, wg sync.WaitGroup
		start.Add(1)
		for w := range writers {
			wg.Go(func() {
				start.Wait()
				errs[w] = st.Append(ctx, batches[w], hashes[w])
			})
		}
		start.Done()
		wg.Wait()
		winner := -1
		for w, err := range errs {
			switch {
			case err == nil && winner >= 0:
				t.Fatalf("round %d: writers %d and %d both appended at %d", round, winner, w, size)
			case err == nil:
				winner = w
			case !errors.Is(err, evidence.ErrConflict):
				t.Fatalf("round %d: writer %d: got %v, want nil or ErrConflict", round, w, err)
			}
		}
		if winner < 0 {
			t.Fatalf("round %d: no writer appended at %d: %v", round, size, errs)
		}
		size += int64(k)
		wantSize(t, st, size)
		for _, want := range batches[winner] {
			got, err := st.Record(ctx, want.Index)
			if err != nil || !equalRecord(got, want) {
				t.Fatalf("round %d: record %d = %+v, %v; want writer %d's %+v", round, want.Index, got, err, winner, want)
			}
		}
		base.hashes = append(base.hashes, hashes[winner]...)
		base.n = size
	}
	// The stored tree is the winners' tree.
	root, err := tlog.TreeHash(size, tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) { return st.ReadHashes(ctx, idx) }))
	if err != nil {
		t.Fatalf("TreeHash over storage: %v", err)
	}
	if want, _ := tlog.TreeHash(size, base.reader()); root != want {
		t.Fatalf("stored tree hash %v, want the winners' %v", root, want)
	}
}

func testAppendWrongHashCount(t *testing.T, st evidence.Storage) {
	var b builder
	recs, hs := b.next(t, 4, scA)
	for _, bad := range [][]tlog.Hash{hs[:len(hs)-1], append(slices.Clone(hs), tlog.Hash{}), nil} {
		if err := st.Append(ctx, recs, bad); err == nil {
			t.Fatalf("Append with %d hashes (want %d) succeeded", len(bad), len(hs))
		}
		wantSize(t, st, 0)
	}
	mustAppend(t, st, recs, hs)
	wantSize(t, st, 4)
}

// testAppendBadBatch: a batch whose later record is invalid stores nothing,
// not even its valid first records.
func testAppendBadBatch(t *testing.T, st evidence.Storage) {
	var b builder
	recs, hs := b.next(t, 2, scA)
	mustAppend(t, st, recs, hs)
	more, mhs := b.next(t, 3, scA)
	bad := slices.Clone(more)
	bad[2].Index = 9 // not contiguous
	if err := st.Append(ctx, bad, mhs); err == nil {
		t.Fatalf("Append with a non-contiguous index succeeded")
	}
	wantSize(t, st, 2)
	if _, err := st.Record(ctx, 2); !errors.Is(err, evidence.ErrNotFound) {
		t.Fatalf("Record(2) after failed append: got %v, want ErrNotFound", err)
	}
	if _, err := st.ReadHashes(ctx, []int64{tlog.StoredHashIndex(0, 2)}); !errors.Is(err, evidence.ErrNotFound) {
		t.Fatalf("hash of record 2 after failed append: got %v, want ErrNotFound", err)
	}
	recs, err := st.Records(ctx, scA)
	if err != nil || len(recs) != 2 {
		t.Fatalf("Records after failed append = %d, %v; want 2, nil", len(recs), err)
	}
	// The same batch, fixed, then goes in at the same place.
	mustAppend(t, st, more, mhs)
	wantSize(t, st, 5)
}

func testAppendMidway(t *testing.T, st evidence.Storage) {
	f, ok := st.(MidwayFailer)
	if !ok {
		t.Skipf("%T does not implement evidencetest.MidwayFailer; mid-transaction failure not tested", st)
	}
	var b builder
	recs, hs := b.next(t, 3, scA)
	mustAppend(t, st, recs, hs)
	more, mhs := b.next(t, 5, scA, scB)
	boom := errors.New("simulated crash")
	f.FailNextAppendMidway(boom)
	if err := st.Append(ctx, more, mhs); !errors.Is(err, boom) {
		t.Fatalf("Append with injected failure: got %v, want %v", err, boom)
	}
	wantSize(t, st, 3)
	for _, sc := range []evidence.Scope{scA, scB} {
		got, err := st.Records(ctx, sc)
		if err != nil {
			t.Fatalf("Records: %v", err)
		}
		for _, r := range got {
			if r.Index >= 3 {
				t.Fatalf("record %d visible after failed append", r.Index)
			}
		}
	}
	if _, err := st.ReadHashes(ctx, []int64{tlog.StoredHashIndex(0, 3)}); !errors.Is(err, evidence.ErrNotFound) {
		t.Fatalf("hash of record 3 after failed append: got %v, want ErrNotFound", err)
	}
	mustAppend(t, st, more, mhs)
	wantSize(t, st, 8)
}

func testRedact(t *testing.T, st evidence.Storage) {
	var b builder
	recs, hs := b.next(t, 3, scA)
	mustAppend(t, st, recs, hs)
	for range 2 { // twice: idempotent
		if err := st.Redact(ctx, 1); err != nil {
			t.Fatalf("Redact(1): %v", err)
		}
	}
	got, err := st.Record(ctx, 1)
	if err != nil {
		t.Fatalf("Record(1): %v", err)
	}
	want := recs[1]
	want.Content, want.Redacted = nil, true
	if !equalRecord(got, want) {
		t.Fatalf("redacted Record(1):\n got %+v\nwant %+v", got, want)
	}
	list, err := st.Records(ctx, scA)
	if err != nil {
		t.Fatalf("Records: %v", err)
	}
	if len(list) != 3 || !list[1].Redacted || list[1].Content != nil || list[0].Redacted || list[0].Content == nil {
		t.Fatalf("Records after Redact(1): redacted flags/content wrong: %+v", list)
	}
	if err := st.Redact(ctx, 3); !errors.Is(err, evidence.ErrNotFound) {
		t.Fatalf("Redact(3) of size 3: got %v, want ErrNotFound", err)
	}
	// The hashes are untouched.
	h, err := st.ReadHashes(ctx, []int64{tlog.StoredHashIndex(0, 1)})
	if err != nil || h[0] != evidence.LeafHash(recs[1]) {
		t.Fatalf("leaf hash after redaction = %v, %v; want %v", h, err, evidence.LeafHash(recs[1]))
	}
}

func testCheckpoints(t *testing.T, st evidence.Storage) {
	for _, c := range []struct {
		size int64
		note string
	}{{0, "cp0\n"}, {5, "cp5\n"}, {9, "cp9 — 签名\n"}} {
		if err := st.SaveCheckpoint(ctx, c.size, []byte(c.note)); err != nil {
			t.Fatalf("SaveCheckpoint(%d): %v", c.size, err)
		}
		size, note, err := st.LatestCheckpoint(ctx)
		if err != nil {
			t.Fatalf("LatestCheckpoint: %v", err)
		}
		if size != c.size || string(note) != c.note {
			t.Fatalf("LatestCheckpoint = %d %q, want %d %q", size, note, c.size, c.note)
		}
	}
}

func testBlobs(t *testing.T, st evidence.Storage) {
	data := []byte("\x89PNG\r\n\x1a\n fake screenshot")
	sha := sha256.Sum256(data)
	for range 2 { // idempotent
		if err := st.PutBlob(ctx, sha, "image/png", data); err != nil {
			t.Fatalf("PutBlob: %v", err)
		}
	}
	ct, got, err := st.Blob(ctx, sha)
	if err != nil {
		t.Fatalf("Blob: %v", err)
	}
	if ct != "image/png" || !bytes.Equal(got, data) {
		t.Fatalf("Blob = %q %q, want %q %q", ct, got, "image/png", data)
	}
	big := bytes.Repeat([]byte{0xff, 0x00, 0x7f}, 1<<19)
	bsha := sha256.Sum256(big)
	if err := st.PutBlob(ctx, bsha, "application/octet-stream", big); err != nil {
		t.Fatalf("PutBlob 1.5 MiB: %v", err)
	}
	if _, got, err := st.Blob(ctx, bsha); err != nil || !bytes.Equal(got, big) {
		t.Fatalf("Blob 1.5 MiB: equal=%v err=%v", bytes.Equal(got, big), err)
	}
	if _, _, err := st.Blob(ctx, [32]byte{9}); !errors.Is(err, evidence.ErrNotFound) {
		t.Fatalf("Blob unknown: got %v, want ErrNotFound", err)
	}
}

func testNoAliasing(t *testing.T, st evidence.Storage) {
	var b builder
	recs, hs := b.next(t, 2, scA)
	orig := recs[0]
	orig.Content = slices.Clone(recs[0].Content)
	orig.Scopes = slices.Clone(recs[0].Scopes)
	mustAppend(t, st, recs, hs)
	// Mutating what was passed in must not change what is stored.
	recs[0].Content[0] = 'X'
	recs[0].Scopes[0].ID = "changed"
	got, err := st.Record(ctx, 0)
	if err != nil {
		t.Fatalf("Record(0): %v", err)
	}
	if !equalRecord(got, orig) {
		t.Fatalf("stored record changed with the caller's slices:\n got %+v\nwant %+v", got, orig)
	}
	// Nor must mutating what was returned.
	got.Content[0] = 'Y'
	again, _ := st.Record(ctx, 0)
	if !equalRecord(again, orig) {
		t.Fatalf("stored record changed with a returned slice:\n got %+v\nwant %+v", again, orig)
	}
}

func testConcurrentReads(t *testing.T, st evidence.Storage) {
	var b builder
	var wg sync.WaitGroup
	stop := make(chan struct{})
	errs := make(chan error, 4)
	for range 3 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				n, err := st.Size(ctx)
				if err != nil {
					errs <- err
					return
				}
				if n == 0 {
					continue
				}
				// Everything below the size just read must be readable.
				if _, err := st.Record(ctx, n-1); err != nil {
					errs <- fmt.Errorf("Record(%d) after Size %d: %w", n-1, n, err)
					return
				}
				if _, err := st.ReadHashes(ctx, []int64{tlog.StoredHashCount(n) - 1}); err != nil {
					errs <- fmt.Errorf("last hash after Size %d: %w", n, err)
					return
				}
			}
		})
	}
	for range 50 {
		recs, hs := b.next(t, 3, scA)
		if err := st.Append(ctx, recs, hs); err != nil {
			close(stop)
			wg.Wait()
			t.Fatalf("Append: %v", err)
		}
	}
	close(stop)
	wg.Wait()
	select {
	case err := <-errs:
		t.Fatalf("concurrent reader: %v", err)
	default:
	}
	wantSize(t, st, 150)
}

// testWithLog runs the evidence.Log on the storage end to end.
func testWithLog(t *testing.T, st evidence.Storage) {
	signer, _, err := evidence.GenerateSigner(bytes.NewReader(bytes.Repeat([]byte{7}, 64)), "fairmark.test/evidence")
	if err != nil {
		t.Fatalf("GenerateSigner: %v", err)
	}
	log, err := evidence.Open(ctx, st, signer)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	var recs []evidence.Record
	for i := range 37 {
		recs = append(recs, evidence.Record{
			Kind:    evidence.KindMessage,
			Ref:     fmt.Sprintf("m%d", i),
			Scopes:  []evidence.Scope{scA},
			At:      t0.Add(time.Duration(i) * time.Second),
			Content: fmt.Appendf(nil, `{"text":"message %d"}`, i),
		})
	}
	if _, err := log.Append(ctx, recs[:10]...); err != nil {
		t.Fatalf("Append: %v", err)
	}
	cp1, err := log.Checkpoint(ctx)
	if err != nil {
		t.Fatalf("Checkpoint: %v", err)
	}
	for _, r := range recs[10:] {
		if _, err := log.Append(ctx, r); err != nil {
			t.Fatalf("Append: %v", err)
		}
	}
	// Reopen on the same storage, as after a restart.
	log, err = evidence.Open(ctx, st, signer)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	if _, err := log.Redact(ctx, 3, "buyer's phone number"); err != nil {
		t.Fatalf("Redact: %v", err)
	}
	cp2, err := log.Checkpoint(ctx)
	if err != nil {
		t.Fatalf("Checkpoint after reopen: %v", err)
	}
	if cp2.Size != 38 {
		t.Fatalf("checkpoint size = %d, want 38", cp2.Size)
	}
	proof, err := log.ConsistencyProof(ctx, cp1.Size, cp2.Size)
	if err != nil {
		t.Fatalf("ConsistencyProof: %v", err)
	}
	if err := tlog.CheckTree(proof, cp2.Size, cp2.Root, cp1.Size, cp1.Root); err != nil {
		t.Fatalf("consistency %d..%d does not check: %v", cp1.Size, cp2.Size, err)
	}
	if err := log.Audit(ctx); err != nil {
		t.Fatalf("Audit: %v", err)
	}
	b, err := log.Bundle(ctx, scA)
	if err != nil {
		t.Fatalf("Bundle: %v", err)
	}
	var buf bytes.Buffer
	if err := evidence.WriteBundle(&buf, b); err != nil {
		t.Fatalf("WriteBundle: %v", err)
	}
	sum, err := evidence.Verify(buf.Bytes(), signer.VerifierKey())
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if sum.Records != 38 || sum.Redacted != 1 || sum.Size != 38 {
		t.Fatalf("Verify summary = %+v, want 38 records, 1 redacted, size 38", sum)
	}
}

// RunSharedStorageTests runs the tests of several evidence.Log writers on
// one storage. open must return two handles on one new, empty storage (for
// a SQL store, two connections to one database, as two processes would
// have; for an in-memory storage, the same value twice).
func RunSharedStorageTests(t *testing.T, open func(t *testing.T) (a, b evidence.Storage)) {
	t.Run("TwoLogs", func(t *testing.T) {
		a, b := open(t)
		testTwoLogs(t, a, b)
	})
	t.Run("TwoLogsAppendOnce", func(t *testing.T) {
		a, b := open(t)
		testTwoLogsAppendOnce(t, a, b)
	})
}

// testTwoLogs: two Logs on one storage appending from several goroutines
// each, with checkpoints in between. Every record is stored exactly once
// at contiguous indexes, the tree verifies, and every checkpoint either
// Log published is consistent with the final tree.
func testTwoLogs(t *testing.T, sta, stb evidence.Storage) {
	signer, _, err := evidence.GenerateSigner(bytes.NewReader(bytes.Repeat([]byte{7}, 64)), "fairmark.test/evidence")
	if err != nil {
		t.Fatalf("GenerateSigner: %v", err)
	}
	var logs [2]*evidence.Log
	for i, st := range []evidence.Storage{sta, stb} {
		if logs[i], err = evidence.Open(ctx, st, signer); err != nil {
			t.Fatalf("Open %d: %v", i, err)
		}
	}
	shared := evidence.Scope{Type: evidence.ScopeAccount, ID: "shared"}
	const perLog, batches = 3, 12
	type result struct {
		recs []evidence.Record
		cps  []evidence.Checkpoint
		err  error
	}
	results := make([]result, 2*perLog)
	var wg sync.WaitGroup
	for g := range results {
		log := logs[g%2]
		wg.Go(func() {
			res := &results[g]
			own := evidence.Scope{Type: evidence.ScopeConversation, ID: fmt.Sprintf("g%d", g)}
			for j := range batches {
				var in []evidence.Record
				for k := range 1 + (g+j)%4 {
					in = append(in, evidence.Record{
						Kind: evidence.KindMessage, Ref: fmt.Sprintf("g%d-%d-%d", g, j, k),
						Scopes:  []evidence.Scope{own, shared},
						Content: fmt.Appendf(nil, `{"g":%d,"batch":%d,"k":%d}`, g, j, k),
					})
				}
				out, err := log.Append(ctx, in...)
				if err != nil {
					res.err = fmt.Errorf("Append: %w", err)
					return
				}
				for k := 1; k < len(out); k++ {
					if out[k].Index != out[0].Index+int64(k) {
						res.err = fmt.Errorf("batch %d: indexes %d, %d not contiguous", j, out[k-1].Index, out[k].Index)
						return
					}
				}
				res.recs = append(res.recs, out...)
				if j%4 == 3 {
					cp, err := log.Checkpoint(ctx)
					if err != nil {
						res.err = fmt.Errorf("Checkpoint: %w", err)
						return
					}
					res.cps = append(res.cps, cp)
				}
			}
		})
	}
	wg.Wait()
	var all []evidence.Record
	var cps []evidence.Checkpoint
	for g, res := range results {
		if res.err != nil {
			t.Fatalf("writer goroutine %d (log %d): %v", g, g%2, res.err)
		}
		all = append(all, res.recs...)
		cps = append(cps, res.cps...)
	}
	n := int64(len(all))
	wantSize(t, sta, n)
	// Exactly once each, at the index Append returned, indexes 0..n-1.
	seen := make(map[int64]string, n)
	for _, r := range all {
		if prev, dup := seen[r.Index]; dup {
			t.Fatalf("index %d returned for %s and %s", r.Index, prev, r.Ref)
		}
		seen[r.Index] = r.Ref
		got, err := stb.Record(ctx, r.Index)
		if err != nil || got.Ref != r.Ref || got.ContentSHA256 != r.ContentSHA256 {
			t.Fatalf("record %d = %s, %v; want %s", r.Index, got.Ref, err, r.Ref)
		}
	}
	for i := range n {
		if _, ok := seen[i]; !ok {
			t.Fatalf("index %d of %d was not returned by any Append", i, n)
		}
	}
	// Both Logs catch up to the same final checkpoint.
	final, err := logs[0].Checkpoint(ctx)
	if err != nil {
		t.Fatalf("final Checkpoint (log 0): %v", err)
	}
	final1, err := logs[1].Checkpoint(ctx)
	if err != nil {
		t.Fatalf("final Checkpoint (log 1): %v", err)
	}
	if final.Size != n || final1.Size != n || final.Root != final1.Root {
		t.Fatalf("final checkpoints: %d %v and %d %v, want both of size %d with one root", final.Size, final.Root, final1.Size, final1.Root, n)
	}
	for i, log := range logs {
		if log.Size() != n {
			t.Fatalf("log %d Size() = %d after its checkpoint, want %d", i, log.Size(), n)
		}
	}
	// Every checkpoint published on the way is a prefix of the final tree.
	for _, cp := range cps {
		if _, err := evidence.OpenCheckpoint(cp.Note, signer.VerifierKey()); err != nil {
			t.Fatalf("checkpoint %d: %v", cp.Size, err)
		}
		if cp.Size == n {
			if cp.Root != final.Root {
				t.Fatalf("checkpoint of size %d has another root than the final one", n)
			}
			continue
		}
		proof, err := logs[1].ConsistencyProof(ctx, cp.Size, n)
		if err != nil {
			t.Fatalf("ConsistencyProof(%d, %d): %v", cp.Size, n, err)
		}
		if err := tlog.CheckTree(proof, n, final.Root, cp.Size, cp.Root); err != nil {
			t.Fatalf("checkpoint of size %d is not consistent with the final tree: %v", cp.Size, err)
		}
	}
	// Inclusion proofs of every record, against the final checkpoint.
	for _, r := range all {
		proof, err := logs[r.Index%2].InclusionProof(ctx, r.Index, n)
		if err != nil {
			t.Fatalf("InclusionProof(%d): %v", r.Index, err)
		}
		if err := tlog.CheckRecord(proof, n, final.Root, r.Index, evidence.LeafHash(r)); err != nil {
			t.Fatalf("record %d (%s) does not verify in the final tree: %v", r.Index, r.Ref, err)
		}
	}
	// A full recomputation agrees, and a bundle of the shared scope verifies.
	if err := logs[0].Audit(ctx); err != nil {
		t.Fatalf("Audit: %v", err)
	}
	bundle, err := logs[1].Bundle(ctx, shared)
	if err != nil {
		t.Fatalf("Bundle: %v", err)
	}
	var buf bytes.Buffer
	if err := evidence.WriteBundle(&buf, bundle); err != nil {
		t.Fatalf("WriteBundle: %v", err)
	}
	sum, err := evidence.Verify(buf.Bytes(), signer.VerifierKey())
	if err != nil || sum.Records != int(n) {
		t.Fatalf("Verify: %+v, %v; want %d records", sum, err, n)
	}
}

// testAppendOnce: Log.AppendOnce on a storage that implements
// evidence.RefIndex appends only records whose (kind, ref) is new — to the
// storage and within the batch — and Logged answers for more refs than
// one query takes. A storage without RefIndex is skipped.
func testAppendOnce(t *testing.T, st evidence.Storage) {
	idx, ok := st.(evidence.RefIndex)
	if !ok {
		t.Skip("the storage does not implement evidence.RefIndex")
	}
	signer, _, err := evidence.GenerateSigner(bytes.NewReader(bytes.Repeat([]byte{9}, 64)), "fairmark.test/evidence")
	if err != nil {
		t.Fatal(err)
	}
	log, err := evidence.Open(ctx, st, signer)
	if err != nil {
		t.Fatal(err)
	}
	conv := evidence.Scope{Type: evidence.ScopeConversation, ID: "c1"}
	rec := func(kind, ref string) evidence.Record {
		return evidence.Record{Kind: kind, Ref: ref, Scopes: []evidence.Scope{conv}, Content: []byte(`{"ref":"` + ref + `"}`)}
	}
	if _, err := log.AppendOnce(ctx, rec(evidence.KindMessage, "m1"), rec(evidence.KindMessage, "m2")); err != nil {
		t.Fatal(err)
	}
	// m2 is logged, m3 is new but twice in the batch, r-m2 is another kind.
	out, err := log.AppendOnce(ctx, rec(evidence.KindMessage, "m2"), rec(evidence.KindMessage, "m3"), rec(evidence.KindMessage, "m3"), rec(evidence.KindReport, "m2"))
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 2 || out[0].Ref != "m3" || out[0].Index != 2 || out[1].Kind != evidence.KindReport || out[1].Index != 3 {
		t.Fatalf("AppendOnce(m2, m3, m3, report m2) appended %v, want message m3 at 2 and report m2 at 3", out)
	}
	wantSize(t, st, 4)
	if out, err := log.AppendOnce(ctx, rec(evidence.KindMessage, "m1"), rec(evidence.KindReport, "m2")); err != nil || len(out) != 0 {
		t.Fatalf("AppendOnce of logged records: %v, %v; want nothing appended", out, err)
	}
	wantSize(t, st, 4)
	// Many refs at once: Logged splits its queries.
	var many []evidence.Record
	var refs []string
	for i := range 1200 {
		ref := fmt.Sprintf("bulk-%04d", i)
		refs = append(refs, ref)
		if i%2 == 0 {
			many = append(many, rec(evidence.KindMessage, ref))
		}
	}
	if _, err := log.Append(ctx, many...); err != nil {
		t.Fatal(err)
	}
	got, err := idx.Logged(ctx, evidence.KindMessage, refs)
	if err != nil {
		t.Fatal(err)
	}
	for i, ref := range refs {
		if got[ref] != (i%2 == 0) {
			t.Fatalf("Logged(%s) = %v, want %v", ref, got[ref], i%2 == 0)
		}
	}
	if len(got) != 600 {
		t.Fatalf("Logged found %d of 1,200 refs, want the 600 appended", len(got))
	}
	if got, err := idx.Logged(ctx, evidence.KindReport, []string{"m2", "m3"}); err != nil || !got["m2"] || got["m3"] {
		t.Fatalf("Logged(report; m2, m3) = %v, %v; want m2 only", got, err)
	}
	if err := log.Audit(ctx); err != nil {
		t.Fatalf("Audit: %v", err)
	}
}

// testTwoLogsAppendOnce: two Logs on one storage (two processes catching
// up the same evidence at once) AppendOnce overlapping batches from
// several goroutines each; every ref is stored exactly once and the tree
// verifies.
func testTwoLogsAppendOnce(t *testing.T, sta, stb evidence.Storage) {
	if _, ok := sta.(evidence.RefIndex); !ok {
		t.Skip("the storage does not implement evidence.RefIndex")
	}
	signer, _, err := evidence.GenerateSigner(bytes.NewReader(bytes.Repeat([]byte{7}, 64)), "fairmark.test/evidence")
	if err != nil {
		t.Fatal(err)
	}
	var logs [2]*evidence.Log
	for i, st := range []evidence.Storage{sta, stb} {
		if logs[i], err = evidence.Open(ctx, st, signer); err != nil {
			t.Fatalf("Open %d: %v", i, err)
		}
	}
	const refs, writers, batch = 120, 6, 15
	scope := evidence.Scope{Type: evidence.ScopeConversation, ID: "shared"}
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			// Every writer logs every ref, in batches starting at
			// different places, so the batches overlap.
			for j := range refs / batch {
				var in []evidence.Record
				for k := range batch {
					i := (w*7 + j*batch + k) % refs
					in = append(in, evidence.Record{Kind: evidence.KindMessage, Ref: fmt.Sprintf("m%03d", i), Scopes: []evidence.Scope{scope},
						Content: fmt.Appendf(nil, `{"m":%d}`, i)})
				}
				if _, err := logs[w%2].AppendOnce(ctx, in...); err != nil {
					errs[w] = err
					return
				}
			}
		})
	}
	wg.Wait()
	for w, err := range errs {
		if err != nil {
			t.Fatalf("writer %d: %v", w, err)
		}
	}
	wantSize(t, sta, refs)
	recs, err := stb.Records(ctx, scope)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range recs {
		if seen[r.Ref] {
			t.Fatalf("%s logged twice", r.Ref)
		}
		seen[r.Ref] = true
	}
	if len(seen) != refs {
		t.Fatalf("%d refs logged, want %d", len(seen), refs)
	}
	if err := logs[0].Audit(ctx); err != nil {
		t.Fatalf("Audit: %v", err)
	}
}
