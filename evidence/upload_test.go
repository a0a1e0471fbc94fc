package evidence

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"testing"
)

func TestPutUpload(t *testing.T) {
	l, _ := newTestLog(t)
	rec, err := l.PutUpload(bg, pngData, "image/jpeg", 1<<20, UploadMeta{
		Scopes:      []Scope{{ScopeCase, "case-1"}},
		By:          "seller-9",
		Description: "QQ chat: 给50元删差评",
	})
	if err != nil {
		t.Fatalf("PutUpload: %v", err)
	}
	sha := sha256.Sum256(pngData)
	if rec.Kind != KindUpload || rec.Ref != hex.EncodeToString(sha[:]) {
		t.Fatalf("upload record = %+v, want kind upload, ref %x", rec, sha)
	}
	var info UploadInfo
	if err := json.Unmarshal(rec.Content, &info); err != nil {
		t.Fatalf("upload content %q: %v", rec.Content, err)
	}
	want := UploadInfo{SHA256: rec.Ref, Size: int64(len(pngData)), ContentType: "image/png", DeclaredType: "image/jpeg", By: "seller-9", Description: "QQ chat: 给50元删差评"}
	if info != want {
		t.Fatalf("upload info = %+v, want %+v", info, want)
	}
	ct, data, err := l.Upload(bg, rec.Ref)
	if err != nil || ct != "image/png" || !bytes.Equal(data, pngData) {
		t.Fatalf("Upload(%s) = %q, %d bytes, %v", rec.Ref, ct, len(data), err)
	}
	for _, bad := range []string{"", "../../etc/passwd", rec.Ref[:10], rec.Ref + "00"} {
		if _, _, err := l.Upload(bg, bad); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Upload(%q): got %v, want ErrNotFound", bad, err)
		}
	}
	// The same bytes again share the blob and get a new record.
	rec2, err := l.PutUpload(bg, pngData, "", 0, UploadMeta{Scopes: []Scope{{ScopeCase, "case-1"}}})
	if err != nil || rec2.Index == rec.Index || rec2.Ref != rec.Ref {
		t.Fatalf("second PutUpload = %+v, %v", rec2, err)
	}
	b, err := l.Bundle(bg, Scope{ScopeCase, "case-1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Blobs) != 1 || !bytes.Equal(b.Blobs[0].Data, pngData) {
		t.Fatalf("bundle blobs = %d, want the one file", len(b.Blobs))
	}
	if _, err := VerifyBundle(b, l.VerifierKey()); err != nil {
		t.Fatalf("VerifyBundle: %v", err)
	}
	// Redacting the upload record leaves the file out of bundles.
	if _, err := l.Redact(bg, rec.Index, "privacy"); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Redact(bg, rec2.Index, "privacy"); err != nil {
		t.Fatal(err)
	}
	if b, err = l.Bundle(bg, Scope{ScopeCase, "case-1"}); err != nil || len(b.Blobs) != 0 {
		t.Fatalf("bundle after redaction: %d blobs, %v; want 0", len(b.Blobs), err)
	}
}

func TestPutUploadRejects(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		max  int64
		want error
	}{
		{"too large", pngData, 10, ErrTooLarge},
		{"over default limit", bytes.Repeat([]byte("a"), DefaultMaxUpload+1), 0, ErrTooLarge},
		{"empty", nil, 0, ErrInvalid},
		{"html", []byte("<!DOCTYPE html><script>alert(1)</script>"), 0, ErrUploadType},
		{"svg-like xml", []byte(`<?xml version="1.0"?><svg onload="x"/>`), 0, ErrUploadType},
		{"executable", []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"), 0, ErrUploadType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, st := newTestLog(t)
			if _, err := l.PutUpload(bg, tt.data, "image/png", tt.max, UploadMeta{}); !errors.Is(err, tt.want) {
				t.Fatalf("PutUpload: got %v, want %v", err, tt.want)
			}
			if n, _ := st.Size(bg); n != 0 {
				t.Fatalf("log size = %d after a rejected upload, want 0", n)
			}
		})
	}
	l, _ := newTestLog(t)
	rec, err := l.PutUpload(bg, []byte("2024-11-11 20:15 SMS from 138****5678: 不给钱就差评"), "image/png", 0, UploadMeta{})
	if err != nil {
		t.Fatalf("text upload: %v", err)
	}
	var info UploadInfo
	json.Unmarshal(rec.Content, &info)
	if info.ContentType != "text/plain; charset=utf-8" || info.DeclaredType != "image/png" {
		t.Fatalf("text upload info = %+v, want sniffed text/plain", info)
	}
}
