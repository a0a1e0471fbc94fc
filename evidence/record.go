package evidence

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/tlog"
)

// Scope types: the kinds of bundle a record can belong to.
const (
	ScopeConversation = "conversation"
	ScopeOrder        = "order"
	ScopeReport       = "report"
	ScopeCase         = "case"
	ScopeAccount      = "account"
)

// Record kinds used by fairmark. Kind is free-form (see [Record]); these are
// the ones the package itself produces or that the server is expected to use.
const (
	KindMessage   = "message"
	KindReport    = "report"
	KindUpload    = "upload"
	KindCaseEvent = "case_event"
	KindDecision  = "decision"
	KindRule      = "rule_change"
	KindRedaction = "redaction"
)

// Limits on envelope fields, checked by [Log.Append].
const (
	MaxKindLen    = 64
	MaxRefLen     = 512
	MaxScopeIDLen = 256
	MaxScopes     = 64
)

// A Scope names a bundle a record belongs to: Type is one of the Scope*
// constants, ID the marketplace or fairmark id of that thing.
type Scope struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// String returns "type:id".
func (s Scope) String() string { return s.Type + ":" + s.ID }

// Validate reports whether s has a known Type and a non-empty ID of at most
// MaxScopeIDLen bytes of UTF-8 without control characters. The error wraps
// ErrInvalid.
func (s Scope) Validate() error {
	switch s.Type {
	case ScopeConversation, ScopeOrder, ScopeReport, ScopeCase, ScopeAccount:
	default:
		return fmt.Errorf("%w: unknown scope type %q", ErrInvalid, s.Type)
	}
	if err := checkText("scope id", s.ID, MaxScopeIDLen); err != nil {
		return err
	}
	return nil
}

// A Record is one entry of the evidence log.
//
// Index, Logged and ContentSHA256 are set by [Log.Append]; At defaults to
// Logged when zero. Times are kept with microsecond precision (Append
// truncates them) so that every SQL engine can store them exactly; storages
// must round-trip them to the microsecond.
type Record struct {
	Index  int64     // leaf index, assigned on append
	Kind   string    // "message", "report", "upload", "case_event", "rule_change", "decision", ...
	Ref    string    // id of the thing (message id, report id, hex sha256 of an upload, case event id)
	Scopes []Scope   // which bundles it belongs to; Append sorts and dedupes them
	At     time.Time // when it happened (event time)
	Logged time.Time // when fairmark logged it
	// Content is the record content as received (e.g. the event's JSON);
	// nil after redaction.
	Content []byte
	// ContentSHA256 is the SHA-256 of Content. Append computes it; a caller
	// may also set it and leave Content nil to log a hash only.
	ContentSHA256 [32]byte
	// Redacted is true once the content has been dropped (Storage.Redact).
	// It is not part of the envelope: redaction does not change the leaf.
	Redacted bool
}

// Label names r for humans and error messages: "message m17, leaf 41".
func (r Record) Label() string {
	return fmt.Sprintf("%s %s, leaf %d", r.Kind, r.Ref, r.Index)
}

// envelopeMagic starts every envelope; it versions the encoding.
const envelopeMagic = "fairmark-evidence-envelope/v1\n"

// Envelope returns the canonical bytes a leaf commits to:
//
//	envelope = "fairmark-evidence-envelope/v1\n"
//	           u64(Index)
//	           str(Kind) str(Ref)
//	           u32(len(Scopes)) { str(Type) str(ID) }...   (in the order given)
//	           i64(At in Unix microseconds) i64(Logged in Unix microseconds)
//	           ContentSHA256 (32 bytes)
//	str(s)   = u32(len(s)) || bytes of s
//
// All integers are big-endian. Times are converted with UnixMicro, so
// sub-microsecond precision is ignored. The leaf hash is
// tlog.RecordHash(envelope) = SHA-256(0x00 || envelope). Content and
// Redacted are not encoded.
func Envelope(r Record) []byte {
	n := len(envelopeMagic) + 8 + 4 + len(r.Kind) + 4 + len(r.Ref) + 4 + 8 + 8 + 32
	for _, s := range r.Scopes {
		n += 8 + len(s.Type) + len(s.ID)
	}
	b := make([]byte, 0, n)
	b = append(b, envelopeMagic...)
	b = binary.BigEndian.AppendUint64(b, uint64(r.Index))
	b = appendStr(b, r.Kind)
	b = appendStr(b, r.Ref)
	b = binary.BigEndian.AppendUint32(b, uint32(len(r.Scopes)))
	for _, s := range r.Scopes {
		b = appendStr(b, s.Type)
		b = appendStr(b, s.ID)
	}
	b = binary.BigEndian.AppendUint64(b, uint64(r.At.UnixMicro()))
	b = binary.BigEndian.AppendUint64(b, uint64(r.Logged.UnixMicro()))
	b = append(b, r.ContentSHA256[:]...)
	return b
}

func appendStr(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

// LeafHash returns the Merkle leaf hash of r: tlog.RecordHash(Envelope(r)).
func LeafHash(r Record) tlog.Hash {
	return tlog.RecordHash(Envelope(r))
}

// minTime and maxTime bound record times so that UnixMicro never overflows
// and RFC 3339 can print them (years 1..9999).
var (
	minTime = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	maxTime = time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC)
)

// prepare validates r for appending and returns a normalised copy: scopes
// sorted and deduplicated, times truncated to microseconds in UTC, content
// copied and hashed. logged is the logging time; Index is not set.
func prepare(r Record, logged time.Time) (Record, error) {
	if err := checkKind(r.Kind); err != nil {
		return Record{}, err
	}
	if err := checkText("ref", r.Ref, MaxRefLen); err != nil {
		return Record{}, err
	}
	if len(r.Scopes) > MaxScopes {
		return Record{}, fmt.Errorf("%w: %d scopes, at most %d", ErrInvalid, len(r.Scopes), MaxScopes)
	}
	scopes := slices.Clone(r.Scopes)
	for _, s := range scopes {
		if err := s.Validate(); err != nil {
			return Record{}, err
		}
	}
	slices.SortFunc(scopes, compareScope)
	scopes = slices.Compact(scopes)
	out := Record{
		Kind:   r.Kind,
		Ref:    r.Ref,
		Scopes: scopes,
		At:     r.At,
		Logged: logged.UTC().Truncate(time.Microsecond),
	}
	if out.At.IsZero() {
		out.At = out.Logged
	}
	out.At = out.At.UTC().Truncate(time.Microsecond)
	for _, t := range []time.Time{out.At, out.Logged} {
		if t.Before(minTime) || t.After(maxTime) {
			return Record{}, fmt.Errorf("%w: time %v out of range", ErrInvalid, t)
		}
	}
	var zero [32]byte
	switch {
	case r.Content != nil:
		out.Content = slices.Clone(r.Content)
		out.ContentSHA256 = sha256.Sum256(r.Content)
		if r.ContentSHA256 != zero && r.ContentSHA256 != out.ContentSHA256 {
			return Record{}, fmt.Errorf("%w: ContentSHA256 does not match Content", ErrInvalid)
		}
	case r.ContentSHA256 != zero:
		// Hash-only record: the content lives elsewhere.
		out.ContentSHA256 = r.ContentSHA256
		out.Redacted = true
	default:
		out.Content = []byte{}
		out.ContentSHA256 = sha256.Sum256(nil)
	}
	return out, nil
}

func compareScope(a, b Scope) int {
	if c := strings.Compare(a.Type, b.Type); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

func checkKind(k string) error {
	if k == "" || len(k) > MaxKindLen {
		return fmt.Errorf("%w: kind must be 1..%d bytes", ErrInvalid, MaxKindLen)
	}
	for _, c := range []byte(k) {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return fmt.Errorf("%w: kind %q: only a-z 0-9 _ - . allowed", ErrInvalid, k)
		}
	}
	return nil
}

// checkText accepts 1..max bytes of UTF-8 without control characters.
func checkText(what, s string, max int) error {
	if s == "" || len(s) > max {
		return fmt.Errorf("%w: %s must be 1..%d bytes", ErrInvalid, what, max)
	}
	if !utf8.ValidString(s) {
		return fmt.Errorf("%w: %s is not UTF-8", ErrInvalid, what)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return fmt.Errorf("%w: %s contains a control character", ErrInvalid, what)
		}
	}
	return nil
}

// cloneRecord returns a deep copy of r.
func cloneRecord(r Record) Record {
	r.Scopes = slices.Clone(r.Scopes)
	if r.Content != nil {
		r.Content = slices.Clone(r.Content)
	}
	return r
}

func sha256Sum(b []byte) [32]byte { return sha256.Sum256(b) }
