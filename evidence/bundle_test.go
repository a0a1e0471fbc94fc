package evidence

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
)

// pngData is a tiny file that http.DetectContentType sniffs as image/png.
var pngData = append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte("QQ chat screenshot "), 20)...)

// buildBundle makes a log in which conversation convA has 12 records
// (interleaved with other scopes), one upload and one redacted record, and
// returns its bundle encoded and the log.
func buildBundle(t testing.TB) ([]byte, *Log) {
	t.Helper()
	l, _ := newTestLog(t)
	for i := range 12 {
		mustAppend(t, l, msg(i, convA), msg(100+i, otherCon))
		if i == 5 {
			if _, err := l.Checkpoint(bg); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := l.PutUpload(bg, pngData, "image/png", 0, UploadMeta{Scopes: []Scope{convA}, By: "seller-9"}); err != nil {
		t.Fatalf("PutUpload: %v", err)
	}
	if _, err := l.Redact(bg, 8, "buyer's home address"); err != nil {
		t.Fatalf("Redact: %v", err)
	}
	b, err := l.Bundle(bg, convA)
	if err != nil {
		t.Fatalf("Bundle: %v", err)
	}
	var buf bytes.Buffer
	if err := WriteBundle(&buf, b); err != nil {
		t.Fatalf("WriteBundle: %v", err)
	}
	return buf.Bytes(), l
}

func TestBundleVerifies(t *testing.T) {
	data, l := buildBundle(t)
	for _, pinned := range []string{"", l.VerifierKey(), l.VerifierKey() + "\n"} {
		sum, err := Verify(data, pinned)
		if err != nil {
			t.Fatalf("Verify(pinned=%q): %v", pinned, err)
		}
		// 12 messages + 1 upload + 1 redaction record.
		if sum.Records != 14 || sum.Redacted != 1 || sum.Blobs != 1 || sum.Size != 26 || sum.Scope != convA {
			t.Fatalf("Summary = %+v, want 14 records, 1 redacted, 1 blob, size 26", sum)
		}
		cp, _ := l.LatestCheckpoint(bg)
		if sum.Root != cp.Root {
			t.Fatalf("Summary root %v, want %v", sum.Root, cp.Root)
		}
		want := "ok: 14 records, checkpoint 26 " + base64.StdEncoding.EncodeToString(cp.Root[:])
		if sum.String() != want {
			t.Fatalf("Summary.String() = %q, want %q", sum.String(), want)
		}
	}
	b, _ := ReadBundle(bytes.NewReader(data))
	if !b.Records[4].Redacted || b.Records[4].Content != nil {
		t.Fatalf("record 5 (leaf 8) = %+v, want redacted without content", b.Records[4])
	}
}

func TestBundleOfUnknownScope(t *testing.T) {
	l, _ := newTestLog(t)
	mustAppend(t, l, msg(0, convA))
	if _, err := l.Bundle(bg, orderA); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Bundle of empty scope: got %v, want ErrNotFound", err)
	}
	if _, err := l.Bundle(bg, Scope{"nope", "x"}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("Bundle of bad scope: got %v, want ErrInvalid", err)
	}
}

// resign re-signs the checkpoint and manifest of b with s, as an attacker
// with their own key would after editing b.
func resign(t *testing.T, b *Bundle, s *Signer) {
	t.Helper()
	for _, n := range []*string{&b.Checkpoint, &b.Manifest} {
		text, _, _ := strings.Cut(*n, "\n\n")
		signed, err := s.sign(text + "\n")
		if err != nil {
			t.Fatal(err)
		}
		*n = string(signed)
	}
	b.Key = s.VerifierKey()
}

func TestVerifyDetectsTampering(t *testing.T) {
	data, l := buildBundle(t)
	other := testSigner(t, "fairmark.test/evidence", 2)    // same origin, another key
	otherLog := testSigner(t, "other.example/evidence", 3) // another log
	otherBundle := func() *Bundle {
		ol, _ := newTestLog(t)
		ol.signer = otherLog
		mustAppend(t, ol, msg(0, convA))
		b, err := ol.Bundle(bg, convA)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}()

	tests := []struct {
		name   string
		edit   func(b *Bundle)
		raw    func(data []byte) []byte // instead of edit
		pinned string
		record int    // expected VerifyError.Record (0: not a record)
		want   string // substring of the error
	}{
		{name: "edited content", edit: func(b *Bundle) {
			b.Records[2].Content = []byte(`{"id":"m2","text":"谢谢，好评"}`)
		}, record: 3, want: "record 3 (message m2, leaf 4): content does not match its SHA-256"},
		{name: "edited content and its hash", edit: func(b *Bundle) {
			c := []byte(`{"id":"m2","text":"谢谢，好评"}`)
			b.Records[2].Content = c
			b.Records[2].ContentSHA256 = sha256Hex(c)
		}, record: 3, want: "inclusion proof does not match checkpoint root"},
		{name: "edited kind", edit: func(b *Bundle) { b.Records[2].Kind = "decision" }, record: 3, want: "inclusion proof does not match"},
		{name: "edited ref", edit: func(b *Bundle) { b.Records[2].Ref = "m999" }, record: 3, want: "record 3 (message m999, leaf 4): inclusion proof does not match"},
		{name: "edited event time", edit: func(b *Bundle) { b.Records[2].At = "2024-11-11T20:18:00.000001Z" }, record: 3, want: "inclusion proof does not match"},
		{name: "edited logged time", edit: func(b *Bundle) { b.Records[2].Logged = "2020-01-01T00:00:00.000000Z" }, record: 3, want: "inclusion proof does not match"},
		{name: "malformed time", edit: func(b *Bundle) { b.Records[2].At = "yesterday" }, record: 3, want: "at: malformed time"},
		{name: "sub-microsecond time", edit: func(b *Bundle) { b.Records[2].At = "2024-11-11T20:17:00.0000001Z" }, record: 3, want: "sub-microsecond"},
		{name: "edited scopes", edit: func(b *Bundle) { b.Records[2].Scopes = append(b.Records[2].Scopes, orderA) }, record: 3, want: "inclusion proof does not match"},
		{name: "edited leaf index", edit: func(b *Bundle) { b.Records[2].Leaf = 5 }, record: 3, want: "inclusion proof does not match"},
		{name: "leaf outside tree", edit: func(b *Bundle) { b.Records[2].Leaf = 1000 }, record: 3, want: "outside the checkpoint"},
		{name: "edited proof", edit: func(b *Bundle) { b.Records[2].Proof[40] ^= 1 }, record: 3, want: "inclusion proof does not match"},
		{name: "short proof", edit: func(b *Bundle) { b.Records[2].Proof = b.Records[2].Proof[32:] }, record: 3, want: "inclusion proof does not match"},
		{name: "malformed proof", edit: func(b *Bundle) { b.Records[2].Proof = b.Records[2].Proof[1:] }, record: 3, want: "not a whole number of 32-byte hashes"},
		{name: "proof not base64", raw: func(d []byte) []byte { return bytes.Replace(d, []byte(`"proof":"`), []byte(`"proof":"!`), 1) }, want: "bundle: bundle is not valid JSON"},
		{name: "content hash not hex", edit: func(b *Bundle) { b.Records[2].ContentSHA256 = "zz" }, record: 3, want: "content_sha256"},
		{name: "content added to redacted record", edit: func(b *Bundle) { b.Records[4].Content = []byte("guess") }, record: 5, want: "marked redacted but carries content"},
		{name: "redacted record un-redacted with fake content", edit: func(b *Bundle) {
			b.Records[4].Redacted = false
			b.Records[4].Content = []byte(`{"text":"fake"}`)
		}, record: 5, want: "content does not match its SHA-256"},
		{name: "dropped record", edit: func(b *Bundle) { b.Records = slices.Delete(b.Records, 6, 7) }, record: 7, want: "record 7 (message m7, leaf 14): the signed manifest lists leaf 12 at this position: a record before this one was dropped or moved"},
		{name: "dropped last record", edit: func(b *Bundle) { b.Records = b.Records[:len(b.Records)-1] }, want: "bundle: leaf 25, listed in the signed manifest at position 14, is missing: a record was dropped"},
		{name: "reordered records", edit: func(b *Bundle) { b.Records[3], b.Records[4] = b.Records[4], b.Records[3] }, record: 4, want: "a record before this one was dropped or moved"},
		{name: "moved record", edit: func(b *Bundle) {
			r := b.Records[1]
			b.Records = slices.Insert(slices.Delete(b.Records, 1, 2), 5, r)
		}, record: 2, want: "dropped or moved"},
		{name: "duplicated record", edit: func(b *Bundle) { b.Records = slices.Insert(b.Records, 3, b.Records[2]) }, record: 4, want: "out of order: the signed manifest lists it at position 3"},
		{name: "record from another scope added", edit: func(b *Bundle) {
			b.Records = append(b.Records, b.Records[0])
			b.Records[len(b.Records)-1].Scopes = []Scope{convA, otherCon}
		}, record: 15, want: "inclusion proof does not match"},
		{name: "scope changed", edit: func(b *Bundle) { b.Scope = otherCon }, want: "manifest: signed for scope conversation:conv-7f3a"},
		{name: "manifest edited", edit: func(b *Bundle) {
			b.Manifest = strings.Replace(b.Manifest, "\n14\n", "\n13\n", 1)
		}, want: "manifest: signature: invalid signature"},
		{name: "manifest missing", edit: func(b *Bundle) { b.Manifest = "" }, want: "manifest: signature"},
		{name: "checkpoint edited", edit: func(b *Bundle) {
			b.Checkpoint = strings.Replace(b.Checkpoint, "\n26\n", "\n25\n", 1)
		}, want: "checkpoint: signature: invalid signature"},
		{name: "checkpoint from another log", edit: func(b *Bundle) { b.Checkpoint = otherBundle.Checkpoint }, want: "checkpoint: signature: not signed by key fairmark.test/evidence"},
		{name: "whole bundle of another log, pinned", edit: func(b *Bundle) { *b = *otherBundle }, pinned: l.VerifierKey(), want: "key: bundle is signed for key other.example/evidence"},
		{name: "origin changed", edit: func(b *Bundle) { b.Origin = "other.example/evidence" }, want: "checkpoint: checkpoint is for log"},
		{name: "key swapped", edit: func(b *Bundle) { b.Key = other.VerifierKey() }, want: "checkpoint: signature: not signed by key"},
		{name: "key malformed", edit: func(b *Bundle) { b.Key = "not a key" }, want: "key: malformed verifier key"},
		{name: "key missing", edit: func(b *Bundle) { b.Key = "" }, want: "key: bundle carries no key"},
		{name: "wrong pinned key", pinned: other.VerifierKey(), want: "key: bundle is signed for key"},
		{name: "forged and re-signed, pinned", edit: func(b *Bundle) {
			b.Records[2].Ref = "m999"
			resign(t, b, other)
		}, pinned: l.VerifierKey(), want: "key: bundle is signed for key"},
		{name: "re-signed with pinned key missing from bundle", edit: func(b *Bundle) {
			resign(t, b, other)
			b.Key = ""
		}, pinned: l.VerifierKey(), want: "checkpoint: signature: not signed by key"},
		{name: "blob edited", edit: func(b *Bundle) { b.Blobs[0].Data = append(b.Blobs[0].Data, '!') }, want: "blob " + sha256HexS(pngData) + ": data does not match its SHA-256"},
		{name: "blob added", edit: func(b *Bundle) {
			b.Blobs = append(b.Blobs, BundleBlob{SHA256: sha256HexS([]byte("x")), Data: []byte("x")})
		}, want: "not referenced by any upload record"},
		{name: "format", edit: func(b *Bundle) { b.Format = "v0" }, want: "bundle: format"},
		{name: "truncated", raw: func(d []byte) []byte { return d[:len(d)/2] }, want: "bundle: bundle is truncated"},
		{name: "trailing data", raw: func(d []byte) []byte { return append(slices.Clone(d), "{}"...) }, want: "bundle: data after the bundle"},
		{name: "unknown field", raw: func(d []byte) []byte { return bytes.Replace(d, []byte(`"format"`), []byte(`"extra":1,"format"`), 1) }, want: "unknown field"},
		{name: "empty", raw: func(d []byte) []byte { return nil }, want: "bundle: bundle is truncated or empty"},
		{name: "not JSON", raw: func(d []byte) []byte { return []byte("PK\x03\x04 zip?") }, want: "bundle: bundle is not valid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := data
			switch {
			case tt.raw != nil:
				in = tt.raw(data)
			case tt.edit != nil:
				b, err := ReadBundle(bytes.NewReader(data))
				if err != nil {
					t.Fatal(err)
				}
				tt.edit(b)
				in, err = json.Marshal(b)
				if err != nil {
					t.Fatal(err)
				}
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
		})
	}
}

// A bundle re-signed by someone else's key is self-consistent: it verifies
// only when the verifier does not pin the log's key. This is why the CLI
// has --key and why sellers should check the key against the published one.
func TestVerifyResignedBundleNeedsPinning(t *testing.T) {
	data, l := buildBundle(t)
	b, _ := ReadBundle(bytes.NewReader(data))
	b.Records[2].Ref = "m999" // breaks the proof: re-signing alone can't fix that
	resign(t, b, testSigner(t, "fairmark.test/evidence", 2))
	if _, err := VerifyBundle(b, ""); err == nil || !strings.Contains(err.Error(), "record 3") {
		t.Fatalf("forged record after re-signing: got %v, want record 3 to fail", err)
	}
	b, _ = ReadBundle(bytes.NewReader(data))
	resign(t, b, testSigner(t, "fairmark.test/evidence", 2))
	if _, err := VerifyBundle(b, ""); err != nil {
		t.Fatalf("re-signed unchanged bundle without pin: %v", err)
	}
	if _, err := VerifyBundle(b, l.VerifierKey()); err == nil {
		t.Fatalf("re-signed bundle verified against the pinned log key")
	}
}

func TestBundleReusesCoveringCheckpoint(t *testing.T) {
	l, st := newTestLog(t)
	mustAppend(t, l, msg(0, convA), msg(1, orderA))
	cp, err := l.Checkpoint(bg)
	if err != nil {
		t.Fatal(err)
	}
	mustAppend(t, l, msg(2, orderA))
	b, err := l.Bundle(bg, convA)
	if err != nil {
		t.Fatal(err)
	}
	if b.Checkpoint != string(cp.Note) {
		t.Fatalf("bundle checkpoint = %q, want the covering checkpoint %q", b.Checkpoint, cp.Note)
	}
	b, err = l.Bundle(bg, orderA)
	if err != nil {
		t.Fatal(err)
	}
	if size, _, _ := st.LatestCheckpoint(bg); size != 3 || !strings.Contains(b.Checkpoint, "\n3\n") {
		t.Fatalf("bundle of a newer record did not publish a new checkpoint: %q", b.Checkpoint)
	}
	var buf bytes.Buffer
	WriteBundle(&buf, b)
	if _, err := Verify(buf.Bytes(), l.VerifierKey()); err != nil {
		t.Fatalf("Verify: %v", err)
	}
}

func sha256Hex(b []byte) string  { return sha256HexS(b) }
func sha256HexS(b []byte) string { s := sha256Sum(b); return hexEncode(s[:]) }

// TestVerifyReportsFirstFailure: records are checked in parallel chunks,
// yet the first failing record by position is the one reported.
func TestVerifyReportsFirstFailure(t *testing.T) {
	l, _ := newTestLog(t)
	var recs []Record
	for i := range 3000 {
		recs = append(recs, msg(i, convA))
	}
	mustAppend(t, l, recs...)
	b, err := l.Bundle(bg, convA)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := VerifyBundle(b, ""); err != nil {
		t.Fatalf("VerifyBundle: %v", err)
	}
	b.Records[2900].Ref = "late"
	b.Records[1700].Ref = "middle"
	_, err = VerifyBundle(b, "")
	var ve *VerifyError
	if !errors.As(err, &ve) || ve.Record != 1701 || ve.Ref != "middle" {
		t.Fatalf("VerifyBundle: got %v, want record 1701 (middle)", err)
	}
	b.Records[3].Ref = "early"
	if _, err = VerifyBundle(b, ""); !errors.As(err, &ve) || ve.Record != 4 {
		t.Fatalf("VerifyBundle: got %v, want record 4", err)
	}
}
