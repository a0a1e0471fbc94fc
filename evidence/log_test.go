package evidence

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

func TestEnvelopeEncoding(t *testing.T) {
	r := Record{
		Index:  41,
		Kind:   "message",
		Ref:    "m17",
		Scopes: []Scope{{"conversation", "c1"}, {"order", "订单9"}},
		At:     time.Date(2024, 1, 2, 3, 4, 5, 6000, time.UTC),
		Logged: time.Date(2024, 1, 2, 3, 4, 6, 0, time.FixedZone("CST", 8*3600)),
	}
	r.ContentSHA256 = sha256.Sum256([]byte("hello"))

	// Built by hand from the spec in docs/EVIDENCE.md.
	var want bytes.Buffer
	want.WriteString("fairmark-evidence-envelope/v1\n")
	want.Write([]byte{0, 0, 0, 0, 0, 0, 0, 41})
	str := func(s string) {
		binary.Write(&want, binary.BigEndian, uint32(len(s)))
		want.WriteString(s)
	}
	str("message")
	str("m17")
	want.Write([]byte{0, 0, 0, 2})
	str("conversation")
	str("c1")
	str("order")
	str("订单9")
	binary.Write(&want, binary.BigEndian, int64(1704164645000006))
	binary.Write(&want, binary.BigEndian, int64(1704135846000000)) // 03:04:06 CST = 19:04:06 UTC the day before
	want.Write(r.ContentSHA256[:])

	got := Envelope(r)
	if !bytes.Equal(got, want.Bytes()) {
		t.Fatalf("Envelope:\n got %x\nwant %x", got, want.Bytes())
	}
	leaf := LeafHash(r)
	wantLeaf := sha256.Sum256(append([]byte{0}, want.Bytes()...))
	if leaf != tlog.Hash(wantLeaf) {
		t.Fatalf("LeafHash = %x, want %x", leaf, wantLeaf)
	}
	// Golden: changing the encoding must be a deliberate, versioned change.
	const golden = "20145aaaeb710c9a2538f0c7054f403a8ae15f0d447f0f2f722f5e7d5e7c0f35"
	if h := hex.EncodeToString(leaf[:]); h != golden {
		t.Logf("leaf hash %s (update golden if the envelope format changed on purpose)", h)
		t.Fatalf("LeafHash = %s, want golden %s", h, golden)
	}
}

func TestAppendNormalises(t *testing.T) {
	l, _ := newTestLog(t)
	at := time.Date(2024, 5, 1, 12, 0, 0, 123456789, time.FixedZone("CST", 8*3600))
	in := Record{
		Kind:    KindMessage,
		Ref:     "m1",
		Scopes:  []Scope{orderA, convA, orderA},
		At:      at,
		Content: []byte(`{"text":"hi"}`),
	}
	out := mustAppend(t, l, in, Record{Kind: KindDecision, Ref: "d1", Content: []byte("x")})
	got := out[0]
	if got.Index != 0 || out[1].Index != 1 {
		t.Fatalf("indexes = %d, %d; want 0, 1", got.Index, out[1].Index)
	}
	if want := []Scope{convA, orderA}; len(got.Scopes) != 2 || got.Scopes[0] != want[0] || got.Scopes[1] != want[1] {
		t.Fatalf("Scopes = %v, want %v (sorted, deduplicated)", got.Scopes, want)
	}
	if want := at.UTC().Truncate(time.Microsecond); !got.At.Equal(want) || got.At.Location() != time.UTC {
		t.Fatalf("At = %v, want %v in UTC", got.At, want)
	}
	if got.Logged.IsZero() || got.Logged.Nanosecond()%1000 != 0 {
		t.Fatalf("Logged = %v, want a microsecond time", got.Logged)
	}
	if got.ContentSHA256 != sha256.Sum256(in.Content) {
		t.Fatalf("ContentSHA256 = %x, want sha256 of content", got.ContentSHA256)
	}
	if !out[1].At.Equal(out[1].Logged) {
		t.Fatalf("zero At = %v, want Logged %v", out[1].At, out[1].Logged)
	}
	// The caller's record is not modified.
	if in.Scopes[0] != orderA || in.Index != 0 {
		t.Fatalf("Append modified its argument: %+v", in)
	}
	// A hash-only record is stored as redacted.
	h := sha256.Sum256([]byte("kept elsewhere"))
	ho := mustAppend(t, l, Record{Kind: KindUpload, Ref: "x", ContentSHA256: h})[0]
	if !ho.Redacted || ho.Content != nil || ho.ContentSHA256 != h {
		t.Fatalf("hash-only record = %+v, want redacted with the given hash", ho)
	}
}

func TestAppendRejects(t *testing.T) {
	good := msg(1, convA)
	tests := []struct {
		name string
		edit func(r *Record)
	}{
		{"empty kind", func(r *Record) { r.Kind = "" }},
		{"upper-case kind", func(r *Record) { r.Kind = "Message" }},
		{"long kind", func(r *Record) { r.Kind = strings.Repeat("k", MaxKindLen+1) }},
		{"empty ref", func(r *Record) { r.Ref = "" }},
		{"ref with newline", func(r *Record) { r.Ref = "m1\nm2" }},
		{"ref not UTF-8", func(r *Record) { r.Ref = "m\xff" }},
		{"long ref", func(r *Record) { r.Ref = strings.Repeat("r", MaxRefLen+1) }},
		{"unknown scope type", func(r *Record) { r.Scopes = []Scope{{"seller", "s1"}} }},
		{"empty scope id", func(r *Record) { r.Scopes = []Scope{{ScopeCase, ""}} }},
		{"scope id with control", func(r *Record) { r.Scopes = []Scope{{ScopeCase, "c\x001"}} }},
		{"too many scopes", func(r *Record) {
			r.Scopes = nil
			for i := range MaxScopes + 1 {
				r.Scopes = append(r.Scopes, Scope{ScopeCase, strings.Repeat("x", i+1)})
			}
		}},
		{"content hash mismatch", func(r *Record) { r.ContentSHA256 = sha256.Sum256([]byte("other")) }},
		{"time too late", func(r *Record) { r.At = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }},
		{"time too early", func(r *Record) { r.At = time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, st := newTestLog(t)
			bad := good
			tt.edit(&bad)
			_, err := l.Append(bg, good, bad)
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Append: got %v, want ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), "record 2 (") {
				t.Fatalf("error %q does not name record 2", err)
			}
			if n, _ := st.Size(bg); n != 0 || l.Size() != 0 {
				t.Fatalf("size after rejected batch = %d/%d, want 0", n, l.Size())
			}
		})
	}
}

// TestTreeMatchesReference appends in batches of varying size and checks
// every tree hash, inclusion proof and consistency proof against a tree
// computed independently with tlog.StoredHashes.
func TestTreeMatchesReference(t *testing.T) {
	l, _ := newTestLog(t)
	var all []Record
	var roots []tlog.Hash
	i := 0
	for _, k := range []int{1, 1, 2, 5, 1, 16, 3, 31, 7, 33, 1} {
		var batch []Record
		for range k {
			batch = append(batch, msg(i, convA))
			i++
		}
		all = append(all, mustAppend(t, l, batch...)...)
	}
	ref := refTree(t, all)
	n := int64(len(all))
	for size := int64(1); size <= n; size++ {
		want, err := tlog.TreeHash(size, ref)
		if err != nil {
			t.Fatal(err)
		}
		got, err := l.TreeHash(bg, size)
		if err != nil {
			t.Fatalf("TreeHash(%d): %v", size, err)
		}
		if got != want {
			t.Fatalf("TreeHash(%d) = %v, want %v", size, got, want)
		}
		roots = append(roots, got)
	}
	for _, size := range []int64{1, 2, 7, 64, n} {
		for idx := int64(0); idx < size; idx++ {
			p, err := l.InclusionProof(bg, idx, size)
			if err != nil {
				t.Fatalf("InclusionProof(%d, %d): %v", idx, size, err)
			}
			if err := tlog.CheckRecord(p, size, roots[size-1], idx, LeafHash(all[idx])); err != nil {
				t.Fatalf("CheckRecord(%d in %d): %v", idx, size, err)
			}
			// The proof must not prove a different leaf.
			if idx > 0 {
				if err := tlog.CheckRecord(p, size, roots[size-1], idx, LeafHash(all[idx-1])); err == nil {
					t.Fatalf("proof for leaf %d also proves leaf %d's hash", idx, idx-1)
				}
			}
		}
	}
	for _, pair := range [][2]int64{{1, 1}, {1, n}, {3, 17}, {64, 65}, {13, n}} {
		p, err := l.ConsistencyProof(bg, pair[0], pair[1])
		if err != nil {
			t.Fatalf("ConsistencyProof%v: %v", pair, err)
		}
		if err := tlog.CheckTree(p, pair[1], roots[pair[1]-1], pair[0], roots[pair[0]-1]); err != nil {
			t.Fatalf("CheckTree%v: %v", pair, err)
		}
	}
	for _, bad := range [][2]int64{{0, 5}, {6, 5}, {1, n + 1}} {
		if _, err := l.ConsistencyProof(bg, bad[0], bad[1]); !errors.Is(err, ErrInvalid) {
			t.Fatalf("ConsistencyProof%v: got %v, want ErrInvalid", bad, err)
		}
	}
	for _, bad := range [][2]int64{{-1, 5}, {5, 5}, {0, n + 1}} {
		if _, err := l.InclusionProof(bg, bad[0], bad[1]); !errors.Is(err, ErrInvalid) {
			t.Fatalf("InclusionProof%v: got %v, want ErrInvalid", bad, err)
		}
	}
}

func TestAppendStorageFailureLeavesLogUnchanged(t *testing.T) {
	l, st := newTestLog(t)
	mustAppend(t, l, msg(0, convA), msg(1, convA), msg(2, convA))
	boom := errors.New("disk on fire")
	st.FailNextAppendMidway(boom)
	if _, err := l.Append(bg, msg(3, convA), msg(4, convA)); !errors.Is(err, boom) {
		t.Fatalf("Append: got %v, want %v", err, boom)
	}
	if l.Size() != 3 {
		t.Fatalf("log size after failed append = %d, want 3", l.Size())
	}
	if n, _ := st.Size(bg); n != 3 {
		t.Fatalf("storage size after failed append = %d, want 3", n)
	}
	// The log goes on from where it was.
	mustAppend(t, l, msg(3, convA), msg(4, convA))
	if _, err := l.Checkpoint(bg); err != nil {
		t.Fatalf("Checkpoint after recovery: %v", err)
	}
	if err := l.Audit(bg); err != nil {
		t.Fatalf("Audit after recovery: %v", err)
	}
}

func TestCheckpoint(t *testing.T) {
	l, st := newTestLog(t)
	c0, err := l.Checkpoint(bg)
	if err != nil {
		t.Fatalf("Checkpoint of empty log: %v", err)
	}
	if c0.Size != 0 || c0.Root != tlog.Hash(sha256.Sum256(nil)) {
		t.Fatalf("empty checkpoint = %d %v, want 0 and sha256 of nothing", c0.Size, c0.Root)
	}
	recs := mustAppend(t, l, msg(0, convA), msg(1, convA), msg(2, convA))
	c1, err := l.Checkpoint(bg)
	if err != nil {
		t.Fatalf("Checkpoint: %v", err)
	}
	want, _ := tlog.TreeHash(3, refTree(t, recs))
	if c1.Size != 3 || c1.Root != want {
		t.Fatalf("checkpoint = %d %v, want 3 %v", c1.Size, c1.Root, want)
	}
	// The note is a C2SP checkpoint signed by the log's key.
	text, sigs, ok := strings.Cut(string(c1.Note), "\n\n")
	if !ok || text+"\n" != c1.Text() || !strings.HasPrefix(sigs, "— fairmark.test/evidence ") {
		t.Fatalf("note = %q, want text %q and a signature line by the origin", c1.Note, c1.Text())
	}
	if lines := strings.Split(c1.Text(), "\n"); len(lines) != 4 || lines[0] != "fairmark.test/evidence" || lines[1] != "3" {
		t.Fatalf("checkpoint text = %q", c1.Text())
	}
	opened, err := OpenCheckpoint(c1.Note, l.VerifierKey())
	if err != nil || opened.Size != 3 || opened.Root != c1.Root {
		t.Fatalf("OpenCheckpoint = %+v, %v", opened, err)
	}
	if _, err := OpenCheckpoint(c1.Note, testSigner(t, "fairmark.test/evidence", 2).VerifierKey()); !errors.Is(err, ErrVerify) {
		t.Fatalf("OpenCheckpoint with another key: got %v, want ErrVerify", err)
	}
	// No growth: the same checkpoint comes back and nothing new is saved.
	again, err := l.Checkpoint(bg)
	if err != nil || !bytes.Equal(again.Note, c1.Note) {
		t.Fatalf("second Checkpoint = %q, %v; want the first", again.Note, err)
	}
	if size, note, _ := st.LatestCheckpoint(bg); size != 3 || !bytes.Equal(note, c1.Note) {
		t.Fatalf("stored checkpoint = %d %q", size, note)
	}
}

func TestParseCheckpointText(t *testing.T) {
	root := "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
	tests := []struct {
		text    string
		wantErr bool
	}{
		{"o\n5\n" + root + "\n", false},
		{"o\n5\n" + root + "\next one\n", false},
		{"o\n5\n" + root, true},
		{"o\n5\n", true},
		{"o\n05\n" + root + "\n", true},
		{"o\n-5\n" + root + "\n", true},
		{"o\n+5\n" + root + "\n", true},
		{"o\n5\nnot-base64\n", true},
		{"o\n5\nAAAA\n", true},
		{"o\n5\n" + root + "\n\n", true},
		{"\n5\n" + root + "\n", true},
		{"o\n99999999999999999999\n" + root + "\n", true},
	}
	for _, tt := range tests {
		c, err := ParseCheckpointText(tt.text)
		if (err != nil) != tt.wantErr {
			t.Fatalf("ParseCheckpointText(%q) = %+v, %v; want error %v", tt.text, c, err, tt.wantErr)
		}
		if err == nil && (c.Origin != "o" || c.Size != 5) {
			t.Fatalf("ParseCheckpointText(%q) = %+v", tt.text, c)
		}
	}
}

// rewriteHistory replaces record k's content in st and recomputes every
// stored hash from the records, as an attacker with database access who
// knows the format would.
func rewriteHistory(t *testing.T, st *MemStorage, k int64, content []byte) {
	t.Helper()
	n, _ := st.Size(bg)
	var recs []Record
	for i := range n {
		r, err := st.Record(bg, i)
		if err != nil {
			t.Fatal(err)
		}
		if i == k {
			r.Content = content
			r.ContentSHA256 = sha256.Sum256(content)
			st.tamperRecord(r)
		}
		recs = append(recs, r)
	}
	ref := refTree(t, recs)
	idx := make([]int64, tlog.StoredHashCount(n))
	for i := range idx {
		idx[i] = int64(i)
	}
	hs, _ := ref.ReadHashes(idx)
	st.tamperHashes(0, hs)
}

func TestCheckpointRefusesRewrittenHistory(t *testing.T) {
	t.Run("rewrite then append", func(t *testing.T) {
		l, st := newTestLog(t)
		for i := range 10 {
			mustAppend(t, l, msg(i, convA))
		}
		if _, err := l.Checkpoint(bg); err != nil {
			t.Fatalf("Checkpoint: %v", err)
		}
		rewriteHistory(t, st, 3, []byte(`{"text":"nothing to see here"}`))
		mustAppend(t, l, msg(10, convA), msg(11, convA))
		_, err := l.Checkpoint(bg)
		if !errors.Is(err, ErrInconsistent) || !strings.Contains(err.Error(), "not consistent with the published checkpoint of size 10") {
			t.Fatalf("Checkpoint after rewrite: got %v, want the consistency check to fail", err)
		}
		if _, note, _ := st.LatestCheckpoint(bg); !strings.Contains(string(note), "\n10\n") {
			t.Fatalf("a checkpoint was published despite the failure: %q", note)
		}
		if _, err := Open(bg, st, l.signer); !errors.Is(err, ErrInconsistent) {
			t.Fatalf("Open on rewritten log: got %v, want ErrInconsistent", err)
		}
	})
	t.Run("rewrite at same size", func(t *testing.T) {
		l, st := newTestLog(t)
		for i := range 6 {
			mustAppend(t, l, msg(i, convA))
		}
		if _, err := l.Checkpoint(bg); err != nil {
			t.Fatalf("Checkpoint: %v", err)
		}
		rewriteHistory(t, st, 5, []byte(`{}`))
		if _, err := l.Checkpoint(bg); !errors.Is(err, ErrInconsistent) {
			t.Fatalf("Checkpoint after rewrite: got %v, want ErrInconsistent", err)
		}
	})
	t.Run("frontier hash edited", func(t *testing.T) {
		l, st := newTestLog(t)
		for i := range 5 {
			mustAppend(t, l, msg(i, convA))
		}
		// Storage index of the last leaf: part of the frontier of size 5.
		st.tamperHashes(tlog.StoredHashIndex(0, 4), []tlog.Hash{{1}})
		if _, err := l.Checkpoint(bg); !errors.Is(err, ErrInconsistent) {
			t.Fatalf("Checkpoint after editing a hash: got %v, want ErrInconsistent", err)
		}
	})
	t.Run("record edited without hashes", func(t *testing.T) {
		l, st := newTestLog(t)
		recs := mustAppend(t, l, msg(0, convA), msg(1, convA), msg(2, convA), msg(3, convA))
		if _, err := l.Checkpoint(bg); err != nil {
			t.Fatalf("Checkpoint: %v", err)
		}
		r := recs[2]
		r.Ref = "m-forged"
		st.tamperRecord(r)
		if _, err := l.Bundle(bg, convA); !errors.Is(err, ErrInconsistent) || !strings.Contains(err.Error(), "record 3 (message m-forged, leaf 2)") {
			t.Fatalf("Bundle over an edited record: got %v, want ErrInconsistent naming record 3", err)
		}
		if err := l.Audit(bg); !errors.Is(err, ErrInconsistent) || !strings.Contains(err.Error(), "record 2") {
			t.Fatalf("Audit over an edited record: got %v, want ErrInconsistent naming record 2", err)
		}
	})
	t.Run("content edited", func(t *testing.T) {
		l, st := newTestLog(t)
		recs := mustAppend(t, l, msg(0, convA), msg(1, convA))
		r := recs[1]
		r.Content = []byte(`{"text":"edited"}`)
		st.tamperRecord(r)
		if err := l.Audit(bg); !errors.Is(err, ErrInconsistent) || !strings.Contains(err.Error(), "content does not match") {
			t.Fatalf("Audit: got %v, want content mismatch", err)
		}
		if _, err := l.Bundle(bg, convA); !errors.Is(err, ErrInconsistent) {
			t.Fatalf("Bundle: got %v, want ErrInconsistent", err)
		}
	})
	t.Run("interior leaf hash edited", func(t *testing.T) {
		l, st := newTestLog(t)
		for i := range 9 {
			mustAppend(t, l, msg(i, convA))
		}
		st.tamperHashes(tlog.StoredHashIndex(0, 2), []tlog.Hash{{2}})
		if err := l.Audit(bg); !errors.Is(err, ErrInconsistent) {
			t.Fatalf("Audit: got %v, want ErrInconsistent", err)
		}
		if _, err := l.Bundle(bg, convA); !errors.Is(err, ErrInconsistent) {
			t.Fatalf("Bundle: got %v, want ErrInconsistent", err)
		}
	})
	t.Run("second writer", func(t *testing.T) {
		l, st := newTestLog(t)
		mustAppend(t, l, msg(0, convA))
		other, err := Open(bg, st, l.signer)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := other.Append(bg, msg(1, convA)); err != nil {
			t.Fatal(err)
		}
		// The stale writer catches up: its record goes after the other's.
		recs, err := l.Append(bg, msg(2, convA))
		if err != nil || recs[0].Index != 2 || l.Size() != 3 {
			t.Fatalf("Append by stale writer: got %+v, %v, size %d; want index 2, size 3", recs, err, l.Size())
		}
		if _, err := other.Append(bg, msg(3, convA)); err != nil {
			t.Fatal(err)
		}
		cp, err := l.Checkpoint(bg)
		if err != nil || cp.Size != 4 || l.Size() != 4 {
			t.Fatalf("Checkpoint by stale writer: got size %d, %v; want 4 (it catches up first)", cp.Size, err)
		}
		cp2, err := other.Checkpoint(bg)
		if err != nil || cp2.Size != 4 || cp2.Root != cp.Root {
			t.Fatalf("Checkpoint by the other writer: got %d %v, %v; want the same checkpoint", cp2.Size, cp2.Root, err)
		}
		got, err := st.Record(bg, 1)
		if err != nil || got.Ref != "m1" {
			t.Fatalf("record 1: %+v, %v; want the other writer's m1", got, err)
		}
	})
	t.Run("second writer rewrote history", func(t *testing.T) {
		// The storage a stale writer finds grown is not an extension of
		// the tree it appended: it must not append on top of it.
		l, st := newTestLog(t)
		sw := &swapStorage{Storage: st}
		l.st = sw
		mustAppend(t, l, msg(0, convA), msg(1, convA))
		forged, _ := newTestLog(t)
		mustAppend(t, forged, msg(0, convA), msg(7, convA), msg(8, convA))
		sw.Storage = forged.st
		if _, err := l.Append(bg, msg(2, convA)); !errors.Is(err, ErrInconsistent) {
			t.Fatalf("Append over a rewritten history: got %v, want ErrInconsistent", err)
		}
		if _, err := l.Checkpoint(bg); !errors.Is(err, ErrInconsistent) {
			t.Fatalf("Checkpoint over a rewritten history: got %v, want ErrInconsistent", err)
		}
		if n, _ := forged.st.Size(bg); n != 3 || l.Size() != 2 {
			t.Fatalf("after the refusals: storage size %d, log size %d; want 3 and 2 (nothing appended)", n, l.Size())
		}
	})
}

func TestOpenChecksKey(t *testing.T) {
	l, st := newTestLog(t)
	mustAppend(t, l, msg(0, convA))
	if _, err := l.Checkpoint(bg); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(bg, st, testSigner(t, "fairmark.test/evidence", 9)); !errors.Is(err, ErrInconsistent) {
		t.Fatalf("Open with another key: got %v, want ErrInconsistent", err)
	}
}

func TestRedact(t *testing.T) {
	l, st := newTestLog(t)
	recs := mustAppend(t, l, msg(0, convA, orderA), msg(1, convA))
	red, err := l.Redact(bg, 0, "contains the buyer's ID card number")
	if err != nil {
		t.Fatalf("Redact: %v", err)
	}
	if red.Kind != KindRedaction || red.Ref != "0" || len(red.Scopes) != 2 || !strings.Contains(string(red.Content), `"leaf":0`) {
		t.Fatalf("redaction record = %+v", red)
	}
	got, _ := st.Record(bg, 0)
	if !got.Redacted || got.Content != nil || got.ContentSHA256 != recs[0].ContentSHA256 {
		t.Fatalf("redacted record = %+v", got)
	}
	if _, err := l.Redact(bg, 99, "x"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Redact(99): got %v, want ErrNotFound", err)
	}
	if _, err := l.Redact(bg, 1, ""); !errors.Is(err, ErrInvalid) {
		t.Fatalf("Redact without reason: got %v, want ErrInvalid", err)
	}
	if err := l.Audit(bg); err != nil {
		t.Fatalf("Audit after redaction: %v", err)
	}
}

// swapStorage lets a test replace the storage under a Log.
type swapStorage struct{ Storage }

// hookStorage runs beforeLatest (once) when LatestCheckpoint is called.
type hookStorage struct {
	Storage
	beforeLatest func()
}

func (h *hookStorage) LatestCheckpoint(ctx context.Context) (int64, []byte, error) {
	if f := h.beforeLatest; f != nil {
		h.beforeLatest = nil
		f()
	}
	return h.Storage.LatestCheckpoint(ctx)
}

// TestOpenWhileAnotherWriterCheckpoints: a Log opening while another
// writer appends and publishes a checkpoint of a larger tree (between the
// new Log reading the size and reading the latest checkpoint) catches up
// instead of reporting a log shorter than its checkpoint.
func TestOpenWhileAnotherWriterCheckpoints(t *testing.T) {
	l, st := newTestLog(t)
	mustAppend(t, l, msg(0, convA), msg(1, convA))
	if _, err := l.Checkpoint(bg); err != nil {
		t.Fatal(err)
	}
	h := &hookStorage{Storage: st, beforeLatest: func() {
		mustAppend(t, l, msg(2, convA), msg(3, convA), msg(4, convA))
		if _, err := l.Checkpoint(bg); err != nil {
			t.Fatal(err)
		}
	}}
	other, err := Open(bg, h, l.signer)
	if err != nil {
		t.Fatalf("Open while another writer checkpoints: %v", err)
	}
	if other.Size() != 5 {
		t.Fatalf("Size() = %d after Open, want 5", other.Size())
	}
	cp, err := other.Checkpoint(bg)
	if err != nil || cp.Size != 5 {
		t.Fatalf("Checkpoint: %d, %v; want the other writer's checkpoint of 5", cp.Size, err)
	}
}

// raceStorage lets another writer append just before each of the first
// losses Appends of the Log it is given to, as a writer appending back to
// back on another machine would.
type raceStorage struct {
	Storage
	losses int
	other  func()
}

func (r *raceStorage) Append(ctx context.Context, recs []Record, hashes []tlog.Hash) error {
	if r.losses > 0 {
		r.losses--
		r.other()
	}
	return r.Storage.Append(ctx, recs, hashes)
}

// TestAppendOutlastsABusyWriter: a Log that loses the race to the storage
// 20 times in a row (more than the 16 tries Append once gave up after,
// which a busy second writer made CI fail on) catches up each time and
// appends, with the other writer's records before its own.
func TestAppendOutlastsABusyWriter(t *testing.T) {
	l, st := newTestLog(t)
	mustAppend(t, l, msg(0, convA))
	n := 1
	r := &raceStorage{Storage: st, losses: 20, other: func() {
		mustAppend(t, l, msg(n, convA))
		n++
	}}
	slow, err := Open(bg, r, l.signer)
	if err != nil {
		t.Fatal(err)
	}
	out, err := slow.Append(bg, msg(100, otherCon), msg(101, otherCon))
	if err != nil {
		t.Fatalf("Append after 20 lost races: %v", err)
	}
	if r.losses != 0 || out[0].Index != 21 || slow.Size() != 23 {
		t.Fatalf("appended at %d (size %d, %d races left), want at 21 after the other writer's 20", out[0].Index, slow.Size(), r.losses)
	}
	if err := slow.Audit(bg); err != nil {
		t.Fatalf("Audit: %v", err)
	}
}
