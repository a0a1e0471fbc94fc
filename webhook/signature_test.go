package webhook_test

import (
	"encoding/base64"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fairmark/fairmark/webhook"
)

// The test vector the Standard Webhooks reference libraries sign
// (libraries/go/webhook_test.go, TestWebhookSign, in
// github.com/standard-webhooks/standard-webhooks).
const (
	specSecret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	specID        = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	specTimestamp = 1614265330
	specBody      = `{"test": 2432232314}`
	specSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func TestSignSpecVector(t *testing.T) {
	got, err := webhook.Sign(specSecret, specID, time.Unix(specTimestamp, 0), []byte(specBody))
	if err != nil {
		t.Fatal(err)
	}
	if got != specSignature {
		t.Fatalf("got %s, want %s", got, specSignature)
	}
	// Without the whsec_ prefix too, as the reference libraries accept.
	got, err = webhook.Sign(strings.TrimPrefix(specSecret, "whsec_"), specID, time.Unix(specTimestamp, 0), []byte(specBody))
	if err != nil || got != specSignature {
		t.Fatalf("unprefixed secret: got %s (%v), want %s", got, err, specSignature)
	}
	h := specHeaders()
	if err := webhook.Verify(specSecret, h, []byte(specBody), time.Unix(specTimestamp, 0).Add(time.Minute), 0); err != nil {
		t.Fatalf("verify the spec vector: %v", err)
	}
}

func specHeaders() http.Header {
	h := http.Header{}
	h.Set("webhook-id", specID)
	h.Set("webhook-timestamp", strconv.Itoa(specTimestamp))
	h.Set("webhook-signature", specSignature)
	return h
}

func TestVerify(t *testing.T) {
	now := time.Unix(specTimestamp, 0)
	body := []byte(specBody)
	other := webhook.NewSecret()
	otherSig, _ := webhook.Sign(other, specID, now, body)
	for _, c := range []struct {
		name   string
		secret string
		edit   func(h http.Header)
		body   string
		now    time.Time
		tol    time.Duration
		want   error
	}{
		{name: "valid", want: nil},
		{name: "no id", edit: func(h http.Header) { h.Del("webhook-id") }, want: webhook.ErrMissingHeader},
		{name: "no timestamp", edit: func(h http.Header) { h.Del("webhook-timestamp") }, want: webhook.ErrMissingHeader},
		{name: "no signature", edit: func(h http.Header) { h.Del("webhook-signature") }, want: webhook.ErrMissingHeader},
		{name: "timestamp not a number", edit: func(h http.Header) { h.Set("webhook-timestamp", "2021-02-25T15:02:10Z") }, want: webhook.ErrBadTimestamp},
		{name: "tampered body", body: `{"test": 2432232315}`, want: webhook.ErrNoValidSignature},
		{name: "tampered id", edit: func(h http.Header) { h.Set("webhook-id", specID+"x") }, want: webhook.ErrNoValidSignature},
		{name: "tampered timestamp", edit: func(h http.Header) { h.Set("webhook-timestamp", strconv.Itoa(specTimestamp+1)) }, want: webhook.ErrNoValidSignature},
		{name: "wrong signature", edit: func(h http.Header) { h.Set("webhook-signature", "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=") }, want: webhook.ErrNoValidSignature},
		{name: "wrong secret", secret: other, want: webhook.ErrNoValidSignature},
		{name: "right signature under another version", edit: func(h http.Header) { h.Set("webhook-signature", "v2,"+strings.TrimPrefix(specSignature, "v1,")) }, want: webhook.ErrNoValidSignature},
		{name: "several signatures, one valid", edit: func(h http.Header) {
			h.Set("webhook-signature", "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v1a,aGVsbG8= garbage "+specSignature+" "+otherSig)
		}, want: nil},
		{name: "rotated secret: old and new signatures", secret: other, edit: func(h http.Header) { h.Set("webhook-signature", specSignature+" "+otherSig) }, want: nil},
		{name: "at the tolerance", now: now.Add(5 * time.Minute), want: nil},
		{name: "stale", now: now.Add(5*time.Minute + time.Second), want: webhook.ErrTimestampRange},
		{name: "from the future", now: now.Add(-5*time.Minute - time.Second), want: webhook.ErrTimestampRange},
		{name: "stale under a longer tolerance", now: now.Add(time.Hour), tol: 2 * time.Hour, want: nil},
		{name: "tight tolerance", now: now.Add(2 * time.Second), tol: time.Second, want: webhook.ErrTimestampRange},
		{name: "bad secret", secret: "whsec_short", want: webhook.ErrBadSecret},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := specHeaders()
			if c.edit != nil {
				c.edit(h)
			}
			secret, b, at := specSecret, body, now
			if c.secret != "" {
				secret = c.secret
			}
			if c.body != "" {
				b = []byte(c.body)
			}
			if !c.now.IsZero() {
				at = c.now
			}
			err := webhook.Verify(secret, h, b, at, c.tol)
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
		})
	}
}

func TestNewSecretRoundTrip(t *testing.T) {
	s1, s2 := webhook.NewSecret(), webhook.NewSecret()
	if s1 == s2 {
		t.Fatal("two new secrets are equal")
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s1, "whsec_"))
	if !strings.HasPrefix(s1, "whsec_") || err != nil || len(key) != 32 {
		t.Fatalf("secret %q: want whsec_ and a base64 32-byte key (%v, %d bytes)", s1, err, len(key))
	}
	now := time.Date(2026, 3, 5, 10, 0, 0, 0, time.UTC)
	body := []byte(`{"type":"account.banned","timestamp":"2026-03-05T09:59:00Z","data":{"account":"b123"}}`)
	h := http.Header{}
	if err := webhook.SetHeaders(h, s1, "case-c1-ban-b123", now, body); err != nil {
		t.Fatal(err)
	}
	if h.Get("webhook-timestamp") != strconv.FormatInt(now.Unix(), 10) || h.Get("webhook-id") != "case-c1-ban-b123" {
		t.Fatalf("headers: got %v", h)
	}
	if err := webhook.Verify(s1, h, body, now.Add(3*time.Second), 0); err != nil {
		t.Fatalf("round trip: %v", err)
	}
	if err := webhook.Verify(s2, h, body, now, 0); !errors.Is(err, webhook.ErrNoValidSignature) {
		t.Fatalf("another secret: got %v, want ErrNoValidSignature", err)
	}
	// Every single-byte change of the body breaks the signature.
	for i := range body {
		b := append([]byte(nil), body...)
		b[i] ^= 0x20
		if err := webhook.Verify(s1, h, b, now, 0); !errors.Is(err, webhook.ErrNoValidSignature) {
			t.Fatalf("body changed at byte %d: got %v, want ErrNoValidSignature", i, err)
		}
	}
}

func TestSignRefusesAmbiguousIDs(t *testing.T) {
	for _, id := range []string{"", "a.b", "a\nb"} {
		if _, err := webhook.Sign(specSecret, id, time.Unix(0, 0), nil); err == nil {
			t.Fatalf("Sign with id %q: got no error", id)
		}
	}
}

func TestLoadOrCreateSecret(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "webhook-secret")
	s, created, err := webhook.LoadOrCreateSecret(path)
	if err != nil || !created || webhook.CheckSecret(s) != nil {
		t.Fatalf("first call: got %q, %v, %v; want a new valid secret", s, created, err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("secret file: %v, mode %v; want 0600", err, fi.Mode())
	}
	again, created, err := webhook.LoadOrCreateSecret(path)
	if err != nil || created || again != s {
		t.Fatalf("second call: got %q, %v, %v; want the same secret, not created", again, created, err)
	}
	if err := os.WriteFile(path, []byte("hunter2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := webhook.LoadOrCreateSecret(path); !errors.Is(err, webhook.ErrBadSecret) {
		t.Fatalf("bad secret file: got %v, want ErrBadSecret", err)
	}
}

func TestMessageBody(t *testing.T) {
	m := webhook.Message{ID: "case-c1-ban-b123", Type: "account.banned", Payload: []byte(`{ "account": "b123" }`),
		CreatedAt: time.Date(2026, 3, 5, 18, 0, 0, 500, time.FixedZone("CST", 8*3600))}
	b, err := m.Body()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"type":"account.banned","timestamp":"2026-03-05T10:00:00.0000005Z","data":{"account":"b123"}}`
	if string(b) != want {
		t.Fatalf("got %s, want %s", b, want)
	}
	m.Payload = nil
	b, _ = m.Body()
	if !strings.Contains(string(b), `"data":{}`) {
		t.Fatalf("empty payload: got %s, want data {}", b)
	}
}
