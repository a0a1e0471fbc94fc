package webhook

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Header names of the Standard Webhooks specification.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// SecretPrefix starts every serialized signing secret.
const SecretPrefix = "whsec_"

// DefaultTolerance is how far a webhook-timestamp may be from the
// receiver's clock, either way, when Verify is given no tolerance.
const DefaultTolerance = 5 * time.Minute

// Key sizes the specification allows for symmetric secrets: 24 to 64 bytes.
const (
	minKey = 24
	maxKey = 64
)

// Errors Verify and the secret functions return. Receivers may answer any
// of them with 400 or 401; they are distinct so that logs say why.
var (
	ErrBadSecret        = errors.New("webhook: secret is not whsec_ followed by a base64 key of 24 to 64 bytes")
	ErrMissingHeader    = errors.New("webhook: missing webhook-id, webhook-timestamp or webhook-signature header")
	ErrBadTimestamp     = errors.New("webhook: webhook-timestamp is not an integer number of unix seconds")
	ErrTimestampRange   = errors.New("webhook: webhook-timestamp is outside the tolerance (stale or from the future)")
	ErrNoValidSignature = errors.New("webhook: no signature in webhook-signature matches")
)

// NewSecret returns a new random signing secret, whsec_ followed by the
// base64 of a 32-byte key.
func NewSecret() string {
	var key [32]byte
	rand.Read(key[:]) // never fails (crypto/rand.Read panics instead)
	return SecretPrefix + base64.StdEncoding.EncodeToString(key[:])
}

// secretKey decodes a secret to its HMAC key. The whsec_ prefix may be left
// out, as the reference libraries allow.
func secretKey(secret string) ([]byte, error) {
	s := strings.TrimPrefix(strings.TrimSpace(secret), SecretPrefix)
	key, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		key, err = base64.RawStdEncoding.DecodeString(s)
	}
	if err != nil || len(key) < minKey || len(key) > maxKey {
		return nil, ErrBadSecret
	}
	return key, nil
}

// CheckSecret reports whether secret can sign: ErrBadSecret if not.
func CheckSecret(secret string) error {
	_, err := secretKey(secret)
	return err
}

func mac(key []byte, id string, ts int64, body []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(id))
	h.Write([]byte{'.'})
	h.Write(strconv.AppendInt(nil, ts, 10))
	h.Write([]byte{'.'})
	h.Write(body)
	return h.Sum(nil)
}

// Sign returns the webhook-signature value for a message id, the attempt's
// timestamp (sent as unix seconds) and the exact body sent:
// "v1," followed by the base64 HMAC-SHA256 of id.timestamp.body under the
// secret's key. The id must not be empty or contain '.', which would make
// the signed content ambiguous.
func Sign(secret, id string, ts time.Time, body []byte) (string, error) {
	key, err := secretKey(secret)
	if err != nil {
		return "", err
	}
	if id == "" || strings.ContainsAny(id, ".\r\n") {
		return "", fmt.Errorf("webhook: message id %q is empty or holds '.' or a line break", id)
	}
	return "v1," + base64.StdEncoding.EncodeToString(mac(key, id, ts.Unix(), body)), nil
}

// SetHeaders signs body and sets the three Standard Webhooks headers on h.
func SetHeaders(h http.Header, secret, id string, ts time.Time, body []byte) error {
	sig, err := Sign(secret, id, ts, body)
	if err != nil {
		return err
	}
	h.Set(HeaderID, id)
	h.Set(HeaderTimestamp, strconv.FormatInt(ts.Unix(), 10))
	h.Set(HeaderSignature, sig)
	return nil
}

// Verify checks a received webhook: that the three headers are present,
// that webhook-timestamp is within tolerance of now either way
// (DefaultTolerance when tolerance is 0 or less), and that one of the
// space-separated signatures in webhook-signature is a v1 signature of
// webhook-id.webhook-timestamp.body under secret. Signatures are compared
// in constant time; entries of other versions (v1a, …) are skipped.
//
// body must be the raw request body, before any JSON parsing. Receivers
// should then use webhook-id to drop messages they have already processed:
// retries and replays send the same id.
func Verify(secret string, h http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	key, err := secretKey(secret)
	if err != nil {
		return err
	}
	id, tsText, sigs := h.Get(HeaderID), h.Get(HeaderTimestamp), h.Get(HeaderSignature)
	if id == "" || tsText == "" || sigs == "" {
		return ErrMissingHeader
	}
	ts, err := strconv.ParseInt(tsText, 10, 64)
	if err != nil {
		return ErrBadTimestamp
	}
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	if d := now.Sub(time.Unix(ts, 0)); d > tolerance || d < -tolerance {
		return ErrTimestampRange
	}
	want := mac(key, id, ts, body)
	for _, f := range strings.Fields(sigs) {
		version, sig, ok := strings.Cut(f, ",")
		if !ok || version != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(sig)
		if err != nil {
			continue
		}
		if hmac.Equal(got, want) {
			return nil
		}
	}
	return ErrNoValidSignature
}

// LoadOrCreateSecret returns the secret kept in the file at path, or makes
// a new one and writes it there (mode 0600). created reports a new secret.
func LoadOrCreateSecret(path string) (secret string, created bool, err error) {
	b, err := os.ReadFile(path)
	if err == nil {
		secret = strings.TrimSpace(string(b))
		if err := CheckSecret(secret); err != nil {
			return "", false, fmt.Errorf("%s: %w", path, err)
		}
		return secret, false, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return "", false, err
	}
	secret = NewSecret()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", false, err
	}
	if err := os.WriteFile(path, []byte(secret+"\n"), 0o600); err != nil {
		return "", false, err
	}
	return secret, true, nil
}
