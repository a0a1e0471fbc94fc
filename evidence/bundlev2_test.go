package evidence

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

// v2JSON mirrors a version 2 bundle file, for tests that edit one.
type v2JSON struct {
	Format     string       `json:"format"`
	Origin     string       `json:"origin"`
	Key        string       `json:"key"`
	Checkpoint string       `json:"checkpoint"`
	Manifest   string       `json:"manifest"`
	Scope      Scope        `json:"scope"`
	Proof      []byte       `json:"proof"`
	Records    []v2Rec      `json:"records"`
	Blobs      []BundleBlob `json:"blobs,omitempty"`
}

type v2Rec struct {
	Leaf          int64   `json:"leaf"`
	Kind          string  `json:"kind"`
	Ref           string  `json:"ref"`
	Scopes        []Scope `json:"scopes"`
	At            string  `json:"at"`
	Logged        string  `json:"logged"`
	ContentSHA256 string  `json:"content_sha256"`
	Content       []byte  `json:"content,omitempty"`
	Redacted      bool    `json:"redacted,omitempty"`
}

func decodeV2JSON(t testing.TB, data []byte) *v2JSON {
	t.Helper()
	var f v2JSON
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("decoding v2 file: %v", err)
	}
	return &f
}

func TestWriteBundleWritesV2(t *testing.T) {
	data, l := buildBundle(t)
	f := decodeV2JSON(t, data) // no per-record proof members
	if f.Format != BundleFormatV2 || len(f.Records) != 14 || len(f.Proof)%tlog.HashSize != 0 {
		t.Fatalf("v2 file: format %q, %d records, %d proof bytes", f.Format, len(f.Records), len(f.Proof))
	}
	want, err := l.Bundle(bg, convA)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ReadBundle(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("ReadBundle(WriteBundle(b)) differs from b:\n got %+v\nwant %+v", got, want)
	}
	// v1 of the same bundle: verifies, reads back the same, is bigger.
	var v1 bytes.Buffer
	if err := WriteBundleV1(&v1, want); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(v1.Bytes(), []byte(`"format":"fairmark-evidence-bundle/v1"`)) || !bytes.Contains(v1.Bytes(), []byte(`"proof":"`)) {
		t.Fatalf("WriteBundleV1 wrote %.200s", v1.Bytes())
	}
	s1, err1 := Verify(v1.Bytes(), l.VerifierKey())
	s2, err2 := Verify(data, l.VerifierKey())
	if err1 != nil || err2 != nil || s1 != s2 {
		t.Fatalf("Verify v1 = %v, %v; v2 = %v, %v", s1, err1, s2, err2)
	}
	back, _ := ReadBundle(bytes.NewReader(v1.Bytes()))
	if !reflect.DeepEqual(back, want) {
		t.Fatalf("v1 round trip differs")
	}
	// A bundle whose proofs cannot form one table is written as v1.
	want.Records[2].Proof = want.Records[2].Proof[1:]
	var buf bytes.Buffer
	if err := WriteBundle(&buf, want); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(buf.Bytes(), []byte(BundleFormat)) || bytes.Contains(buf.Bytes(), []byte(BundleFormatV2)) {
		t.Fatalf("edited bundle written as %.100s", buf.Bytes())
	}
	if _, err := Verify(buf.Bytes(), ""); err == nil || !strings.Contains(err.Error(), "record 3") {
		t.Fatalf("edited bundle: %v", err)
	}
}

// TestProofSpans checks the node table and the multi-leaf walk against
// tlog on random trees and leaf sets.
func TestProofSpans(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 300 {
		size := 1 + rng.Int64N(300)
		var hashes []tlog.Hash
		hr := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
			out := make([]tlog.Hash, len(idx))
			for i, x := range idx {
				out[i] = hashes[x]
			}
			return out, nil
		})
		leafHash := make([]tlog.Hash, size)
		for i := range size {
			leafHash[i] = tlog.RecordHash([]byte{byte(i), byte(i >> 8)})
			hs, err := tlog.StoredHashesForRecordHash(i, leafHash[i], hr)
			if err != nil {
				t.Fatal(err)
			}
			hashes = append(hashes, hs...)
		}
		root, _ := tlog.TreeHash(size, hr)
		var leaves []int64
		p := rng.Float64()
		for i := range size {
			if rng.Float64() < p {
				leaves = append(leaves, i)
			}
		}
		if len(leaves) == 0 {
			leaves = []int64{rng.Int64N(size)}
		}
		spans := proofSpans(leaves, size)
		// Exactly the union of the leaves' proof paths, sorted.
		var union []span
		for _, x := range leaves {
			union = append(union, pathSpans(x, size)...)
		}
		less := func(a, b span) int {
			if a.lo != b.lo {
				return int(a.lo - b.lo)
			}
			return int(b.hi - a.hi)
		}
		slices.SortFunc(union, less)
		union = slices.Compact(union)
		if !slices.Equal(spans, union) {
			t.Fatalf("size %d leaves %v: proofSpans %v, union of paths %v", size, leaves, spans, union)
		}
		if countSpans(leaves, 0, size) != len(spans) {
			t.Fatalf("countSpans = %d, want %d", countSpans(leaves, 0, size), len(spans))
		}
		get := func(x int64) tlog.Hash { return hashes[x] }
		var nodes []byte
		for _, s := range spans {
			var idx []int64
			if len(storedSpanIndexes(s, idx)) == 0 {
				t.Fatal("no stored indexes")
			}
			h := spanHash(s, get)
			nodes = append(nodes, h[:]...)
		}
		lh := make([]tlog.Hash, len(leaves))
		for i, x := range leaves {
			lh[i] = leafHash[x]
			want, err := tlog.ProveRecord(size, x, hr)
			if err != nil {
				t.Fatal(err)
			}
			got := proofFromNodes(x, size, spans, nodes)
			var wantB []byte
			for _, h := range want {
				wantB = append(wantB, h[:]...)
			}
			if !bytes.Equal(got, wantB) {
				t.Fatalf("size %d leaf %d: proof from nodes differs from tlog.ProveRecord", size, x)
			}
		}
		if got, ok := multiRoot(leaves, lh, nodes, size); !ok || got != root {
			t.Fatalf("size %d leaves %v: multiRoot = %v, %v; want %v", size, leaves, got, ok, root)
		}
		// Any altered node or leaf hash is caught.
		if len(nodes) > 0 {
			k := rng.IntN(len(spans))
			nodes[k*32] ^= 1
			if got, ok := multiRoot(leaves, lh, nodes, size); ok && got == root {
				t.Fatalf("size %d leaves %v: altered node %d (%v) not caught", size, leaves, k, spans[k])
			}
			nodes[k*32] ^= 1
		}
		k := rng.IntN(len(lh))
		lh[k][0] ^= 1
		if got, ok := multiRoot(leaves, lh, nodes, size); ok && got == root {
			t.Fatalf("size %d leaves %v: altered leaf %d not caught", size, leaves, leaves[k])
		}
	}
}

// TestVerifyV2DetectsTampering edits version 2 files. Every failure names
// the same record or part as for version 1, and Verify agrees with
// VerifyBundle(ReadBundle(...)).
func TestVerifyV2DetectsTampering(t *testing.T) {
	data, l := buildBundle(t)
	other := testSigner(t, "fairmark.test/evidence", 2)
	orig := decodeV2JSON(t, data)
	// The proof node used by record 3 (leaf 4) alone: its sibling leaf 5.
	size := int64(26)
	spans := proofSpans([]int64{0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 25}, size)
	sib5 := findSpan(spans, span{5, 6})
	top := findSpan(spans, span{16, 26}) // used by every record in [0, 16)
	if sib5 < 0 || top < 0 || len(orig.Proof) != len(spans)*tlog.HashSize {
		t.Fatalf("unexpected node table: %d nodes, %d bytes", len(spans), len(orig.Proof))
	}

	tests := []struct {
		name   string
		edit   func(f *v2JSON)
		raw    func(d []byte) []byte
		pinned string
		record int
		want   string
	}{
		{name: "edited content", edit: func(f *v2JSON) { f.Records[2].Content = []byte(`{"id":"m2","text":"谢谢，好评"}`) }, record: 3, want: "record 3 (message m2, leaf 4): content does not match its SHA-256"},
		{name: "edited content and its hash", edit: func(f *v2JSON) {
			c := []byte(`{"id":"m2","text":"谢谢，好评"}`)
			f.Records[2].Content, f.Records[2].ContentSHA256 = c, sha256Hex(c)
		}, record: 3, want: "inclusion proof does not match checkpoint root"},
		{name: "edited kind", edit: func(f *v2JSON) { f.Records[2].Kind = "decision" }, record: 3, want: "inclusion proof does not match"},
		{name: "edited ref", edit: func(f *v2JSON) { f.Records[2].Ref = "m999" }, record: 3, want: "record 3 (message m999, leaf 4): inclusion proof does not match"},
		{name: "edited event time", edit: func(f *v2JSON) { f.Records[2].At = "2024-11-11T20:18:00.000001Z" }, record: 3, want: "inclusion proof does not match"},
		{name: "edited logged time", edit: func(f *v2JSON) { f.Records[2].Logged = "2020-01-01T00:00:00.000000Z" }, record: 3, want: "inclusion proof does not match"},
		{name: "malformed time", edit: func(f *v2JSON) { f.Records[2].At = "yesterday" }, record: 3, want: "at: malformed time"},
		{name: "sub-microsecond time", edit: func(f *v2JSON) { f.Records[2].At = "2024-11-11T20:17:00.0000001Z" }, record: 3, want: "sub-microsecond"},
		{name: "edited scopes", edit: func(f *v2JSON) { f.Records[2].Scopes = append(f.Records[2].Scopes, orderA) }, record: 3, want: "inclusion proof does not match"},
		{name: "edited leaf index", edit: func(f *v2JSON) { f.Records[2].Leaf = 5 }, record: 3, want: "inclusion proof does not match"},
		{name: "leaf outside tree", edit: func(f *v2JSON) { f.Records[2].Leaf = 1000 }, record: 3, want: "outside the checkpoint"},
		{name: "edited proof node of one record", edit: func(f *v2JSON) { f.Proof[sib5*32+7] ^= 1 }, record: 3, want: "record 3 (message m2, leaf 4): inclusion proof does not match"},
		{name: "edited proof node shared by many", edit: func(f *v2JSON) { f.Proof[top*32] ^= 1 }, record: 1, want: "record 1 (message m0, leaf 0): inclusion proof does not match"},
		{name: "proof nodes swapped", edit: func(f *v2JSON) {
			a, b := f.Proof[sib5*32:sib5*32+32], f.Proof[top*32:top*32+32]
			t := slices.Clone(a)
			copy(a, b)
			copy(b, t)
		}, record: 1, want: "inclusion proof does not match"},
		{name: "proof node missing", edit: func(f *v2JSON) { f.Proof = f.Proof[32:] }, want: "bundle: proof: "},
		{name: "proof node added", edit: func(f *v2JSON) { f.Proof = append(f.Proof, make([]byte, 32)...) }, want: "bundle: proof: "},
		{name: "proof not a whole number of hashes", edit: func(f *v2JSON) { f.Proof = f.Proof[1:] }, want: "bundle: proof: "},
		{name: "proof not base64", raw: func(d []byte) []byte { return bytes.Replace(d, []byte(`"proof":"`), []byte(`"proof":"!`), 1) }, want: "bundle: bundle is not valid JSON"},
		{name: "proof with an escape", raw: func(d []byte) []byte { return bytes.Replace(d, []byte(`"proof":"`), []byte(`"proof":"\u0041`), 1) }, want: "bundle: bundle is not valid JSON"},
		{name: "content hash not hex", edit: func(f *v2JSON) { f.Records[2].ContentSHA256 = "zz" }, record: 3, want: "content_sha256"},
		{name: "content added to redacted record", edit: func(f *v2JSON) { f.Records[4].Content = []byte("guess") }, record: 5, want: "marked redacted but carries content"},
		{name: "redacted record un-redacted with fake content", edit: func(f *v2JSON) {
			f.Records[4].Redacted = false
			f.Records[4].Content = []byte(`{"text":"fake"}`)
		}, record: 5, want: "content does not match its SHA-256"},
		{name: "dropped record", edit: func(f *v2JSON) { f.Records = slices.Delete(f.Records, 6, 7) }, record: 7, want: "record 7 (message m7, leaf 14): the signed manifest lists leaf 12 at this position: a record before this one was dropped or moved"},
		{name: "dropped last record", edit: func(f *v2JSON) { f.Records = f.Records[:len(f.Records)-1] }, want: "bundle: leaf 25, listed in the signed manifest at position 14, is missing: a record was dropped"},
		{name: "reordered records", edit: func(f *v2JSON) { f.Records[3], f.Records[4] = f.Records[4], f.Records[3] }, record: 4, want: "a record before this one was dropped or moved"},
		{name: "moved record", edit: func(f *v2JSON) {
			r := f.Records[1]
			f.Records = slices.Insert(slices.Delete(f.Records, 1, 2), 5, r)
		}, record: 2, want: "dropped or moved"},
		{name: "duplicated record", edit: func(f *v2JSON) { f.Records = slices.Insert(f.Records, 3, f.Records[2]) }, record: 4, want: "out of order: the signed manifest lists it at position 3"},
		{name: "record from another scope added", edit: func(f *v2JSON) {
			r := f.Records[0]
			r.Scopes = []Scope{convA, otherCon}
			f.Records = append(f.Records, r)
		}, record: 15, want: "inclusion proof does not match"},
		{name: "record not in the manifest added", edit: func(f *v2JSON) {
			r := f.Records[0]
			r.Leaf = 1
			f.Records = append(f.Records, r)
		}, record: 15, want: "inclusion proof does not match"},
		{name: "scope changed", edit: func(f *v2JSON) { f.Scope = otherCon }, want: "manifest: signed for scope conversation:conv-7f3a"},
		{name: "manifest edited", edit: func(f *v2JSON) { f.Manifest = strings.Replace(f.Manifest, "\n14\n", "\n13\n", 1) }, want: "manifest: signature: invalid signature"},
		{name: "manifest missing", edit: func(f *v2JSON) { f.Manifest = "" }, want: "manifest: signature"},
		{name: "checkpoint edited", edit: func(f *v2JSON) { f.Checkpoint = strings.Replace(f.Checkpoint, "\n26\n", "\n25\n", 1) }, want: "checkpoint: signature: invalid signature"},
		{name: "origin changed", edit: func(f *v2JSON) { f.Origin = "other.example/evidence" }, want: "checkpoint: checkpoint is for log"},
		{name: "key swapped", edit: func(f *v2JSON) { f.Key = other.VerifierKey() }, want: "checkpoint: signature: not signed by key"},
		{name: "key missing", edit: func(f *v2JSON) { f.Key = "" }, want: "key: bundle carries no key"},
		{name: "wrong pinned key", pinned: other.VerifierKey(), want: "key: bundle is signed for key"},
		{name: "blob edited", edit: func(f *v2JSON) { f.Blobs[0].Data = append(f.Blobs[0].Data, '!') }, want: "blob " + sha256HexS(pngData) + ": data does not match its SHA-256"},
		{name: "blob added", edit: func(f *v2JSON) {
			f.Blobs = append(f.Blobs, BundleBlob{SHA256: sha256HexS([]byte("x")), Data: []byte("x")})
		}, want: "not referenced by any upload record"},
		{name: "format", edit: func(f *v2JSON) { f.Format = "fairmark-evidence-bundle/v3" }, want: "bundle: format"},
		{name: "truncated", raw: func(d []byte) []byte { return d[:len(d)/2] }, want: "bundle: bundle is truncated"},
		{name: "truncated in a literal", raw: func(d []byte) []byte {
			i := bytes.Index(d, []byte(`"redacted":true`))
			return d[:i+len(`"redacted":tr`)]
		}, want: "bundle: bundle is truncated"},
		{name: "trailing data", raw: func(d []byte) []byte { return append(slices.Clone(d), "{}"...) }, want: "bundle: data after the bundle"},
		{name: "unknown field", raw: func(d []byte) []byte { return bytes.Replace(d, []byte(`"origin"`), []byte(`"extra":1,"origin"`), 1) }, want: "unknown field"},
		{name: "per-record proof", raw: func(d []byte) []byte { return bytes.Replace(d, []byte(`{"leaf":`), []byte(`{"proof":"","leaf":`), 1) }, want: "unknown field \"proof\""},
		{name: "duplicate field", raw: func(d []byte) []byte {
			return bytes.Replace(d, []byte(`"kind":"message"`), []byte(`"kind":"message","kind":"decision"`), 1)
		}, want: "duplicate field"},
		{name: "null", raw: func(d []byte) []byte { return bytes.Replace(d, []byte(`"scopes":[`), []byte(`"scopes":null,"x":[`), 1) }, want: "bundle: bundle is not valid JSON"},
		{name: "invalid UTF-8", raw: func(d []byte) []byte { return bytes.Replace(d, []byte(`"ref":"m2"`), []byte("\"ref\":\"m\xff\""), 1) }, want: "invalid UTF-8"},
		{name: "leading zero", raw: func(d []byte) []byte { return bytes.Replace(d, []byte(`"leaf":4,`), []byte(`"leaf":04,`), 1) }, want: "leading zero"},
		{name: "fraction", raw: func(d []byte) []byte { return bytes.Replace(d, []byte(`"leaf":4,`), []byte(`"leaf":4.0,`), 1) }, want: "expected an integer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := data
			switch {
			case tt.raw != nil:
				in = tt.raw(data)
			case tt.edit != nil:
				f := decodeV2JSON(t, data)
				tt.edit(f)
				var err error
				if in, err = json.Marshal(f); err != nil {
					t.Fatal(err)
				}
			}
			if bytes.Equal(in, data) && tt.pinned == "" {
				t.Fatal("edit changed nothing")
			}
			_, err := Verify(in, tt.pinned)
			var ve *VerifyError
			if !errors.As(err, &ve) || !errors.Is(err, ErrVerify) {
				t.Fatalf("Verify: got %v, want a *VerifyError", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Verify error = %q, want it to contain %q", err, tt.want)
			}
			if ve.Record != tt.record {
				t.Fatalf("VerifyError.Record = %d, want %d (%v)", ve.Record, tt.record, err)
			}
			checkAgrees(t, in, tt.pinned)
		})
	}
	// The unedited file verifies through both paths.
	checkAgrees(t, data, l.VerifierKey())
}

// checkAgrees checks that Verify and VerifyBundle(ReadBundle) give the
// same result.
func checkAgrees(t *testing.T, data []byte, pinned string) {
	t.Helper()
	s1, err1 := Verify(data, pinned)
	var s2 Summary
	b, err2 := ReadBundle(bytes.NewReader(data))
	if err2 == nil {
		s2, err2 = VerifyBundle(b, pinned)
	} else {
		err2 = &VerifyError{Part: "bundle", Reason: strings.TrimPrefix(err2.Error(), ErrInvalid.Error()+": ")}
	}
	if s1 != s2 || (err1 == nil) != (err2 == nil) || err1 != nil && err1.Error() != err2.Error() {
		t.Fatalf("Verify = %v, %v; VerifyBundle(ReadBundle) = %v, %v", s1, err1, s2, err2)
	}
}

// TestVerifyV2ReportsFirstFailure: the multi-leaf check falls back to
// per-record checks to name the first failing record.
func TestVerifyV2ReportsFirstFailure(t *testing.T) {
	l, _ := newTestLog(t)
	var recs []Record
	for i := range 3000 {
		recs = append(recs, msg(i, convA), msg(i, otherCon))
	}
	mustAppend(t, l, recs...)
	b, err := l.Bundle(bg, convA)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteBundle(&buf, b); err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(buf.Bytes(), l.VerifierKey()); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	f := decodeV2JSON(t, buf.Bytes())
	f.Records[2900].Ref = "late"
	f.Records[1700].Ref = "middle"
	data, _ := json.Marshal(f)
	var ve *VerifyError
	if _, err = Verify(data, ""); !errors.As(err, &ve) || ve.Record != 1701 || ve.Ref != "middle" {
		t.Fatalf("Verify: got %v, want record 1701 (middle)", err)
	}
	f.Records[3].Ref = "early"
	data, _ = json.Marshal(f)
	if _, err = Verify(data, ""); !errors.As(err, &ve) || ve.Record != 4 {
		t.Fatalf("Verify: got %v, want record 4", err)
	}
	checkAgrees(t, data, "")
}

// FuzzVerifyV2: Verify and VerifyBundle(ReadBundle) agree, and what the
// v2 reader accepts encoding/json reads the same way.
func FuzzVerifyV2(f *testing.F) {
	data, _ := buildBundle(f)
	f.Add(data)
	f.Add(data[:len(data)/3])
	f.Add(bytes.Replace(data, []byte(`"m2"`), []byte(`"m9"`), 1))
	f.Add([]byte(`{"format":"fairmark-evidence-bundle/v2","records":[{"leaf":-1,"scopes":[]}],"proof":""}`))
	f.Add([]byte(`{"format":"fairmark-evidence-bundle/v2","records":[{"ref":"a\ud83d\ude00\u00e9\n","redacted":true}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkAgrees(t, data, "")
		v, err := parseV2(data)
		if err != nil {
			return
		}
		var j v2JSON
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&j); err != nil {
			t.Fatalf("parseV2 accepted what encoding/json rejects: %v", err)
		}
		b := v.b
		if b.Format != j.Format || b.Origin != j.Origin || b.Key != j.Key || b.Checkpoint != j.Checkpoint ||
			b.Manifest != j.Manifest || b.Scope != j.Scope || !bytes.Equal(v.nodes, j.Proof) ||
			len(b.Records) != len(j.Records) || len(b.Blobs) != len(j.Blobs) {
			t.Fatalf("parseV2 and encoding/json differ:\n%+v\n%+v", b, j)
		}
		for i, r := range j.Records {
			br := b.Records[i]
			if br.Leaf != r.Leaf || br.Kind != r.Kind || br.Ref != r.Ref || !slices.Equal(br.Scopes, r.Scopes) || br.At != r.At ||
				br.Logged != r.Logged || br.ContentSHA256 != r.ContentSHA256 || !bytes.Equal(br.Content, r.Content) || br.Redacted != r.Redacted {
				t.Fatalf("record %d: parseV2 %+v, encoding/json %+v", i, br, r)
			}
		}
		for i, bl := range j.Blobs {
			if !reflect.DeepEqual(bl.SHA256, b.Blobs[i].SHA256) || bl.ContentType != b.Blobs[i].ContentType || !bytes.Equal(bl.Data, b.Blobs[i].Data) {
				t.Fatalf("blob %d differs", i)
			}
		}
	})
}
