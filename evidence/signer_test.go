package evidence

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
)

func TestLoadOrCreateKey(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	s1, err := LoadOrCreateKey(dir, "fairmark.example/evidence")
	if err != nil {
		t.Fatalf("first LoadOrCreateKey: %v", err)
	}
	fi, err := os.Stat(filepath.Join(dir, KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode = %v, want 0600", fi.Mode().Perm())
	}
	pub, err := os.ReadFile(filepath.Join(dir, PublicKeyFile))
	if err != nil || strings.TrimSpace(string(pub)) != s1.VerifierKey() {
		t.Fatalf("public key file = %q, %v; want %q", pub, err, s1.VerifierKey())
	}
	if _, err := note.NewVerifier(s1.VerifierKey()); err != nil {
		t.Fatalf("VerifierKey %q is not a note verifier key: %v", s1.VerifierKey(), err)
	}
	if !strings.HasPrefix(s1.VerifierKey(), "fairmark.example/evidence+") || s1.Origin() != "fairmark.example/evidence" {
		t.Fatalf("key %q / origin %q", s1.VerifierKey(), s1.Origin())
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 2 {
		t.Fatalf("data folder holds %d files, want 2 (no temporary left over)", len(ents))
	}

	s2, err := LoadOrCreateKey(dir, "fairmark.example/evidence")
	if err != nil {
		t.Fatalf("second LoadOrCreateKey: %v", err)
	}
	if s2.VerifierKey() != s1.VerifierKey() {
		t.Fatalf("key changed across restarts: %q then %q", s1.VerifierKey(), s2.VerifierKey())
	}
	// A signature by the reloaded key verifies with the first key.
	signed, err := s2.sign("hello\n")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := note.Open(signed, note.VerifierList(s1.Verifier())); err != nil {
		t.Fatalf("signature by reloaded key: %v", err)
	}

	if _, err := LoadOrCreateKey(dir, "other.example/log"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("LoadOrCreateKey with another origin: got %v, want ErrInvalid", err)
	}
	if err := os.Chmod(filepath.Join(dir, KeyFile), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateKey(dir, "fairmark.example/evidence"); err == nil || !strings.Contains(err.Error(), "want 0600") {
		t.Fatalf("LoadOrCreateKey with a world-readable key: got %v, want a mode error", err)
	}
}

func TestLoadOrCreateKeyErrors(t *testing.T) {
	for _, origin := range []string{"", "has space", "a+b", "tab\there", "nl\n"} {
		if _, err := LoadOrCreateKey(t.TempDir(), origin); !errors.Is(err, ErrInvalid) {
			t.Fatalf("LoadOrCreateKey(origin %q): got %v, want ErrInvalid", origin, err)
		}
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, KeyFile), []byte("PRIVATE+KEY+garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateKey(dir, "fairmark.example/evidence"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("LoadOrCreateKey over a corrupt key file: got %v, want ErrInvalid", err)
	}
}

func TestNewSigner(t *testing.T) {
	s, skey, err := GenerateSigner(nil, "fairmark.example/evidence")
	if err != nil {
		t.Fatal(err)
	}
	s2, err := NewSigner(skey + "\n")
	if err != nil || s2.VerifierKey() != s.VerifierKey() {
		t.Fatalf("NewSigner(generated key) = %v, %v", s2, err)
	}
	for _, bad := range []string{"", "PRIVATE+KEY+x+00000000+AAAA", strings.Replace(skey, "PRIVATE", "PUBLIC", 1)} {
		if _, err := NewSigner(bad); !errors.Is(err, ErrInvalid) {
			t.Fatalf("NewSigner(%q): got %v, want ErrInvalid", bad, err)
		}
	}
}
