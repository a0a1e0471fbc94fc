package evidence

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/note"
)

// Key file names inside the data folder.
const (
	// KeyFile holds the private signer key (note.NewSigner format), mode 0600.
	KeyFile = "evidence.key"
	// PublicKeyFile holds the verifier key (note.NewVerifier format), one
	// line, for `fairmark verify --key FILE` and for publishing.
	PublicKeyFile = "evidence.pub"
)

// A Signer signs checkpoints and bundle manifests with the log's Ed25519
// key. The key's name is the log's origin.
type Signer struct {
	origin string
	signer note.Signer
	vkey   string
	verif  note.Verifier
}

// NewSigner returns a Signer for an encoded note signer key
// ("PRIVATE+KEY+<origin>+<hash>+<keydata>"). The error wraps ErrInvalid.
func NewSigner(skey string) (*Signer, error) {
	s, err := note.NewSigner(strings.TrimSpace(skey))
	if err != nil {
		return nil, fmt.Errorf("%w: signer key: %v", ErrInvalid, err)
	}
	// Derive the verifier key from the signer key: the private key's text
	// is PRIVATE+KEY+name+hash+base64(alg||seed). Re-deriving through
	// GenerateKey is impossible, so parse it here.
	vkey, err := verifierKeyFor(strings.TrimSpace(skey))
	if err != nil {
		return nil, err
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, fmt.Errorf("%w: verifier key: %v", ErrInvalid, err)
	}
	if v.KeyHash() != s.KeyHash() || v.Name() != s.Name() {
		return nil, fmt.Errorf("%w: signer key is inconsistent", ErrInvalid)
	}
	return &Signer{origin: s.Name(), signer: s, vkey: vkey, verif: v}, nil
}

// GenerateSigner creates a new random key for origin (random source r, or
// crypto/rand when r is nil). See [ValidOrigin] for the origin's syntax.
func GenerateSigner(r io.Reader, origin string) (*Signer, string, error) {
	if err := ValidOrigin(origin); err != nil {
		return nil, "", err
	}
	if r == nil {
		r = rand.Reader
	}
	skey, _, err := note.GenerateKey(r, origin)
	if err != nil {
		return nil, "", fmt.Errorf("evidence: generating key: %w", err)
	}
	s, err := NewSigner(skey)
	if err != nil {
		return nil, "", err
	}
	return s, skey, nil
}

// ValidOrigin reports whether origin can name the log and its key: non-empty
// UTF-8 of at most 200 bytes, without spaces, control characters or '+'
// (the C2SP signed-note key name rules), for example
// "fairmark.example/evidence". The error wraps ErrInvalid.
func ValidOrigin(origin string) error {
	if origin == "" || len(origin) > 200 || !utf8.ValidString(origin) ||
		strings.ContainsRune(origin, '+') ||
		strings.IndexFunc(origin, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return fmt.Errorf("%w: origin %q: want non-empty UTF-8 without spaces or '+'", ErrInvalid, origin)
	}
	return nil
}

// LoadOrCreateKey returns the log's signer, kept in dir/evidence.key. At the
// first start it creates a new Ed25519 key named origin (file mode 0600)
// and writes the public verifier key to dir/evidence.pub; afterwards it
// loads the same key. It fails if the stored key is named for a different
// origin (changing the origin would start a different log) or, on Unix, if
// the key file is readable by group or others.
func LoadOrCreateKey(dir string, origin string) (*Signer, error) {
	if err := ValidOrigin(origin); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("evidence: key folder: %w", err)
	}
	path := filepath.Join(dir, KeyFile)
	s, err := loadKey(path)
	if errors.Is(err, fs.ErrNotExist) {
		s, err = createKey(dir, path, origin)
	}
	if err != nil {
		return nil, err
	}
	if s.origin != origin {
		return nil, fmt.Errorf("%w: key in %s is for origin %q, not %q", ErrInvalid, path, s.origin, origin)
	}
	pub := filepath.Join(dir, PublicKeyFile)
	if _, err := os.Stat(pub); errors.Is(err, fs.ErrNotExist) {
		if err := os.WriteFile(pub, []byte(s.vkey+"\n"), 0o644); err != nil {
			return nil, fmt.Errorf("evidence: writing public key: %w", err)
		}
	}
	return s, nil
}

func loadKey(path string) (*Signer, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("evidence: key file %s has mode %v; want 0600", path, fi.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	s, err := NewSigner(string(b))
	if err != nil {
		return nil, fmt.Errorf("evidence: key file %s: %w", path, err)
	}
	return s, nil
}

// createKey writes a new key to a temporary file and links it into place,
// so the key file is never seen half-written and two processes starting
// at once end up with the same key.
func createKey(dir, path, origin string) (*Signer, error) {
	_, skey, err := GenerateSigner(nil, origin)
	if err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(dir, ".evidence-key-*")
	if err != nil {
		return nil, fmt.Errorf("evidence: creating key: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("evidence: creating key: %w", err)
	}
	if _, err := tmp.WriteString(skey + "\n"); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("evidence: writing key: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("evidence: writing key: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("evidence: writing key: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("evidence: installing key: %w", err)
	}
	// Whoever won the race, load what is in place.
	return loadKey(path)
}

// Origin returns the log's origin, which is also the key's name.
func (s *Signer) Origin() string { return s.origin }

// VerifierKey returns the public key in note verifier-key format
// ("<origin>+<hash>+<base64 0x01||pubkey>"), for printing and serving.
func (s *Signer) VerifierKey() string { return s.vkey }

// Verifier returns the note verifier for the signer's public key.
func (s *Signer) Verifier() note.Verifier { return s.verif }

// sign signs text (which must end in a newline) as a signed note.
func (s *Signer) sign(text string) ([]byte, error) {
	return note.Sign(&note.Note{Text: text}, s.signer)
}

// verifierKeyFor derives the verifier key from an Ed25519 note signer key.
func verifierKeyFor(skey string) (string, error) {
	parts := strings.SplitN(skey, "+", 5)
	if len(parts) != 5 || parts[0] != "PRIVATE" || parts[1] != "KEY" {
		return "", fmt.Errorf("%w: malformed signer key", ErrInvalid)
	}
	key, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(key) != 1+ed25519.SeedSize || key[0] != 1 {
		return "", fmt.Errorf("%w: signer key is not an Ed25519 note key", ErrInvalid)
	}
	pub := ed25519.NewKeyFromSeed(key[1:]).Public().(ed25519.PublicKey)
	vkey, err := note.NewEd25519VerifierKey(parts[2], pub)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return vkey, nil
}
