package evidence

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// A Checkpoint is a signed tree head in the C2SP tlog-checkpoint format.
// Its note text is exactly three lines:
//
//	<origin>
//	<tree size, decimal>
//	<root hash, standard base64>
//
// and Note holds the whole signed note (text, blank line, signature lines).
type Checkpoint struct {
	Origin string
	Size   int64
	Root   tlog.Hash
	Note   []byte // the signed note; nil for an unsigned checkpoint
}

// Text returns the checkpoint's note text.
func (c Checkpoint) Text() string {
	return fmt.Sprintf("%s\n%d\n%s\n", c.Origin, c.Size, base64.StdEncoding.EncodeToString(c.Root[:]))
}

// ParseCheckpointText parses a checkpoint note text (not the signed note).
// It accepts and ignores extension lines after the third line, as C2SP
// allows. The error wraps ErrInvalid.
func ParseCheckpointText(text string) (Checkpoint, error) {
	if !strings.HasSuffix(text, "\n") {
		return Checkpoint{}, fmt.Errorf("%w: checkpoint text does not end in a newline", ErrInvalid)
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) < 3 {
		return Checkpoint{}, fmt.Errorf("%w: checkpoint has %d lines, want at least 3", ErrInvalid, len(lines))
	}
	for _, l := range lines {
		if l == "" {
			return Checkpoint{}, fmt.Errorf("%w: checkpoint has an empty line", ErrInvalid)
		}
	}
	size, err := parseSize(lines[1])
	if err != nil {
		return Checkpoint{}, fmt.Errorf("%w: checkpoint size: %v", ErrInvalid, err)
	}
	root, err := parseHash(lines[2])
	if err != nil {
		return Checkpoint{}, fmt.Errorf("%w: checkpoint root: %v", ErrInvalid, err)
	}
	return Checkpoint{Origin: lines[0], Size: size, Root: root}, nil
}

// OpenCheckpoint verifies a signed checkpoint note with the verifier key
// vkey (note verifier-key format) and parses it. It fails unless the note
// carries a valid signature by that key and the checkpoint's origin is the
// key's name. The error wraps ErrInvalid or ErrVerify.
func OpenCheckpoint(signed []byte, vkey string) (Checkpoint, error) {
	v, err := note.NewVerifier(strings.TrimSpace(vkey))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("%w: verifier key: %v", ErrInvalid, err)
	}
	return openCheckpoint(signed, v)
}

func openCheckpoint(signed []byte, v note.Verifier) (Checkpoint, error) {
	n, err := note.Open(signed, note.VerifierList(v))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("%w: checkpoint signature: %s", ErrVerify, noteError(err, v))
	}
	c, err := ParseCheckpointText(n.Text)
	if err != nil {
		return Checkpoint{}, err
	}
	if c.Origin != v.Name() {
		return Checkpoint{}, fmt.Errorf("%w: checkpoint origin %q is not the key's %q", ErrVerify, c.Origin, v.Name())
	}
	c.Note = signed
	return c, nil
}

// noteError turns note.Open errors into a sentence a seller can read.
func noteError(err error, v note.Verifier) string {
	switch err.(type) {
	case *note.UnverifiedNoteError:
		return fmt.Sprintf("not signed by key %s (%08x)", v.Name(), v.KeyHash())
	case *note.InvalidSignatureError:
		return fmt.Sprintf("invalid signature by key %s (%08x): the text was altered", v.Name(), v.KeyHash())
	}
	return err.Error()
}

// parseSize parses a non-negative decimal without sign or leading zeros.
func parseSize(s string) (int64, error) {
	if s == "" || s[0] == '+' || s[0] == '-' || (len(s) > 1 && s[0] == '0') {
		return 0, fmt.Errorf("malformed number %q", s)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("malformed number %q", s)
	}
	return n, nil
}

func parseHash(s string) (tlog.Hash, error) {
	var h tlog.Hash
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil || len(b) != len(h) {
		return h, fmt.Errorf("malformed hash %q", s)
	}
	copy(h[:], b)
	return h, nil
}

// manifestMagic is the first line of a bundle manifest. It is not an
// origin, so a manifest can never be taken for a checkpoint.
const manifestMagic = "fairmark-evidence-bundle/v1"

// manifest is the signed list of what a bundle contains. Its note text:
//
//	fairmark-evidence-bundle/v1
//	<origin>
//	<checkpoint size>
//	<checkpoint root, base64>
//	<scope type>
//	<scope id>
//	<number of records>
//	<leaf index of each record, one per line, in bundle order>
type manifest struct {
	Origin string
	Size   int64
	Root   tlog.Hash
	Scope  Scope
	Leaves []int64
}

func (m manifest) text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n%s\n%d\n%s\n%s\n%s\n%d\n", manifestMagic, m.Origin, m.Size,
		base64.StdEncoding.EncodeToString(m.Root[:]), m.Scope.Type, m.Scope.ID, len(m.Leaves))
	for _, x := range m.Leaves {
		b.WriteString(strconv.FormatInt(x, 10))
		b.WriteByte('\n')
	}
	return b.String()
}

func parseManifest(text string) (manifest, error) {
	var m manifest
	if !strings.HasSuffix(text, "\n") {
		return m, fmt.Errorf("manifest does not end in a newline")
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) < 7 || lines[0] != manifestMagic {
		return m, fmt.Errorf("not a %s manifest", manifestMagic)
	}
	m.Origin = lines[1]
	var err error
	if m.Size, err = parseSize(lines[2]); err != nil {
		return m, fmt.Errorf("manifest size: %v", err)
	}
	if m.Root, err = parseHash(lines[3]); err != nil {
		return m, fmt.Errorf("manifest root: %v", err)
	}
	m.Scope = Scope{Type: lines[4], ID: lines[5]}
	n, err := parseSize(lines[6])
	if err != nil || n != int64(len(lines)-7) {
		return m, fmt.Errorf("manifest record count %q does not match its %d leaf lines", lines[6], len(lines)-7)
	}
	m.Leaves = make([]int64, n)
	for i, l := range lines[7:] {
		if m.Leaves[i], err = parseSize(l); err != nil {
			return m, fmt.Errorf("manifest leaf %d: %v", i+1, err)
		}
	}
	return m, nil
}
