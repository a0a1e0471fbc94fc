package evidence

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// This file reads and writes the JSON of a version 2 bundle file
// (docs/EVIDENCE.md §5.2) without reflection. The reader is strict: it
// accepts exactly the RFC 8259 JSON of the v2 schema (no null, no
// duplicate or unknown fields, valid UTF-8 without unpaired surrogate
// escapes) and nothing after it but whitespace. Version 1 files are still
// read with encoding/json (ReadBundle), so their acceptance is unchanged.

// errTruncated is reported when the input ends inside the bundle.
var errTruncated = errors.New("bundle is truncated or empty")

type jsonSyntaxError struct {
	off int
	msg string
}

func (e *jsonSyntaxError) Error() string {
	return fmt.Sprintf("bundle is not valid JSON: %s (offset %d)", e.msg, e.off)
}

// v2File is what a v2 file holds: the bundle (records without proofs) and
// its proof node table.
type v2File struct {
	b     Bundle
	nodes []byte // the "proof" member, decoded
}

type jsonReader struct {
	d   []byte
	pos int
	err error
	// last strings read, to share repeated values (kinds, scope types and
	// ids) between records instead of allocating each.
	cache [8]string
}

func (r *jsonReader) fail(format string, args ...any) {
	if r.err == nil {
		if r.pos >= len(r.d) {
			r.err = errTruncated
			return
		}
		r.err = &jsonSyntaxError{off: r.pos, msg: fmt.Sprintf(format, args...)}
	}
}

func (r *jsonReader) ws() {
	for r.pos < len(r.d) {
		switch r.d[r.pos] {
		case ' ', '\t', '\n', '\r':
			r.pos++
		default:
			return
		}
	}
}

// peek skips whitespace and returns the next byte (0 at the end).
func (r *jsonReader) peek() byte {
	r.ws()
	if r.pos >= len(r.d) {
		return 0
	}
	return r.d[r.pos]
}

func (r *jsonReader) expect(c byte) bool {
	if r.err != nil {
		return false
	}
	if r.peek() != c {
		r.fail("expected %q", c)
		return false
	}
	r.pos++
	return true
}

// object reads an object, calling field for each member with the reader
// positioned at the value; field must read the value or fail. Duplicate
// member names are rejected by the callers (they track what they saw).
func (r *jsonReader) object(field func(name []byte)) {
	if !r.expect('{') {
		return
	}
	if r.peek() == '}' {
		r.pos++
		return
	}
	for r.err == nil {
		name := r.rawString()
		if r.err != nil || !r.expect(':') {
			return
		}
		field(name)
		if r.err != nil {
			return
		}
		switch r.peek() {
		case ',':
			r.pos++
		case '}':
			r.pos++
			return
		default:
			r.fail("expected ',' or '}'")
		}
	}
}

// array reads an array, calling elem for each element.
func (r *jsonReader) array(elem func()) {
	if !r.expect('[') {
		return
	}
	if r.peek() == ']' {
		r.pos++
		return
	}
	for r.err == nil {
		elem()
		if r.err != nil {
			return
		}
		switch r.peek() {
		case ',':
			r.pos++
		case ']':
			r.pos++
			return
		default:
			r.fail("expected ',' or ']'")
		}
	}
}

// rawString reads a string and returns its unescaped bytes. Without
// escapes the result aliases the input.
func (r *jsonReader) rawString() []byte {
	if !r.expect('"') {
		return nil
	}
	start := r.pos
	ascii := true
	for r.pos < len(r.d) {
		c := r.d[r.pos]
		if !strSpecial[c] {
			r.pos++
			continue
		}
		switch {
		case c == '"':
			s := r.d[start:r.pos]
			r.pos++
			if !ascii && !utf8.Valid(s) {
				r.pos = start
				r.fail("invalid UTF-8 in string")
				return nil
			}
			return s
		case c == '\\':
			return r.escapedString(start)
		case c < 0x20:
			r.fail("control character in string")
			return nil
		}
		ascii = false // c >= 0x80
		r.pos++
	}
	r.fail("unterminated string")
	return nil
}

// strSpecial marks the bytes rawString must look at: '"', '\\', control
// characters and non-ASCII.
var strSpecial = func() (t [256]bool) {
	for c := range 256 {
		t[c] = c == '"' || c == '\\' || c < 0x20 || c >= 0x80
	}
	return t
}()

// escapedString continues rawString from the first backslash.
func (r *jsonReader) escapedString(start int) []byte {
	out := append([]byte(nil), r.d[start:r.pos]...)
	for r.pos < len(r.d) {
		c := r.d[r.pos]
		switch {
		case c == '"':
			r.pos++
			if !utf8.Valid(out) {
				r.pos = start
				r.fail("invalid UTF-8 in string")
				return nil
			}
			return out
		case c < 0x20:
			r.fail("control character in string")
			return nil
		case c != '\\':
			out = append(out, c)
			r.pos++
			continue
		}
		if r.pos+1 >= len(r.d) {
			r.pos = len(r.d)
			r.fail("unterminated string")
			return nil
		}
		e := r.d[r.pos+1]
		r.pos += 2
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			c1, ok := r.hex4()
			if !ok {
				return nil
			}
			ch := rune(c1)
			if utf16.IsSurrogate(ch) {
				// Must be a high surrogate followed by \u low surrogate.
				if r.pos+1 < len(r.d) && r.d[r.pos] == '\\' && r.d[r.pos+1] == 'u' {
					r.pos += 2
					c2, ok := r.hex4()
					if !ok {
						return nil
					}
					ch = utf16.DecodeRune(ch, rune(c2))
				} else {
					ch = utf8.RuneError
				}
				if ch == utf8.RuneError {
					r.fail("unpaired surrogate in string")
					return nil
				}
			}
			out = utf8.AppendRune(out, ch)
		default:
			r.pos -= 2
			r.fail("invalid escape in string")
			return nil
		}
	}
	r.fail("unterminated string")
	return nil
}

func (r *jsonReader) hex4() (uint16, bool) {
	if r.pos+4 > len(r.d) {
		r.pos = len(r.d)
		r.fail("unterminated string")
		return 0, false
	}
	v, err := strconv.ParseUint(string(r.d[r.pos:r.pos+4]), 16, 16)
	if err != nil {
		r.fail("invalid \\u escape in string")
		return 0, false
	}
	r.pos += 4
	return uint16(v), true
}

// str reads a string value as a Go string, sharing it with a recently
// read equal string when there is one (slot picks the cache entry).
func (r *jsonReader) str(slot int) string {
	b := r.rawString()
	if r.err != nil {
		return ""
	}
	if slot >= 0 {
		if c := r.cache[slot]; c == string(b) { // no allocation for the comparison
			return c
		}
		r.cache[slot] = string(b)
		return r.cache[slot]
	}
	return string(b)
}

// base64 reads a string of standard base64 (with padding). The string
// may not contain escapes (nor anything but the base64 alphabet).
func (r *jsonReader) base64() []byte {
	if !r.expect('"') {
		return nil
	}
	start := r.pos
	end := bytes.IndexByte(r.d[start:], '"')
	if end < 0 {
		r.pos = len(r.d)
		r.fail("unterminated string")
		return nil
	}
	b := r.d[start : start+end]
	// The decoder skips CR and LF; a v2 file must not contain them. It
	// rejects any other byte outside the alphabet (backslashes of escapes,
	// control characters, non-ASCII).
	if bytes.IndexByte(b, '\r') >= 0 || bytes.IndexByte(b, '\n') >= 0 {
		r.fail("string is not standard base64")
		return nil
	}
	out := make([]byte, base64.StdEncoding.DecodedLen(len(b)))
	n, err := base64.StdEncoding.Strict().Decode(out, b)
	if err != nil {
		r.fail("string is not standard base64: %v", err)
		return nil
	}
	r.pos = start + end + 1
	return out[:n]
}

// int64 reads an integer (no fraction or exponent) that fits an int64.
func (r *jsonReader) int64() int64 {
	r.ws()
	start := r.pos
	if r.pos < len(r.d) && r.d[r.pos] == '-' {
		r.pos++
	}
	digits := r.pos
	for r.pos < len(r.d) && r.d[r.pos] >= '0' && r.d[r.pos] <= '9' {
		r.pos++
	}
	if r.pos == digits {
		r.fail("expected an integer")
		return 0
	}
	if r.d[digits] == '0' && r.pos-digits > 1 {
		r.pos = start
		r.fail("number with a leading zero")
		return 0
	}
	if r.pos < len(r.d) && (r.d[r.pos] == '.' || r.d[r.pos] == 'e' || r.d[r.pos] == 'E') {
		r.fail("expected an integer")
		return 0
	}
	v, err := strconv.ParseInt(string(r.d[start:r.pos]), 10, 64)
	if err != nil {
		r.pos = start
		r.fail("integer out of range")
		return 0
	}
	return v
}

// boolean reads true or false.
func (r *jsonReader) boolean() bool {
	r.ws()
	rest := r.d[r.pos:]
	for _, lit := range [...]string{"true", "false"} {
		if len(rest) >= len(lit) && string(rest[:len(lit)]) == lit {
			r.pos += len(lit)
			return lit == "true"
		}
		if len(rest) > 0 && len(rest) < len(lit) && string(rest) == lit[:len(rest)] {
			r.pos = len(r.d) // a cut-off literal: truncated
		}
	}
	r.fail("expected true or false")
	return false
}

// seen tracks the members of one object to reject duplicates.
type seen uint32

func (r *jsonReader) once(s *seen, bit int, name []byte) bool {
	if *s&(1<<bit) != 0 {
		r.fail("duplicate field %q", name)
		return false
	}
	*s |= 1 << bit
	return true
}

func (r *jsonReader) unknown(name []byte) {
	r.fail("json: unknown field %q", name)
}

func (r *jsonReader) scope(slotType, slotID int) Scope {
	var sc Scope
	var s seen
	r.object(func(name []byte) {
		switch string(name) {
		case "type":
			if r.once(&s, 0, name) {
				sc.Type = r.str(slotType)
			}
		case "id":
			if r.once(&s, 1, name) {
				sc.ID = r.str(slotID)
			}
		default:
			r.unknown(name)
		}
	})
	return sc
}

func (r *jsonReader) record() BundleRecord {
	var br BundleRecord
	var s seen
	r.object(func(name []byte) {
		switch string(name) {
		case "leaf":
			if r.once(&s, 0, name) {
				br.Leaf = r.int64()
			}
		case "kind":
			if r.once(&s, 1, name) {
				br.Kind = r.str(0)
			}
		case "ref":
			if r.once(&s, 2, name) {
				br.Ref = r.str(-1)
			}
		case "scopes":
			if r.once(&s, 3, name) {
				br.Scopes = []Scope{}
				r.array(func() {
					n := len(br.Scopes)
					br.Scopes = append(br.Scopes, r.scope(1+2*min(n, 2), 2+2*min(n, 2)))
				})
			}
		case "at":
			if r.once(&s, 4, name) {
				br.At = r.str(-1)
			}
		case "logged":
			if r.once(&s, 5, name) {
				br.Logged = r.str(-1)
			}
		case "content_sha256":
			if r.once(&s, 6, name) {
				br.ContentSHA256 = r.str(-1)
			}
		case "content":
			if r.once(&s, 7, name) {
				br.Content = r.base64()
			}
		case "redacted":
			if r.once(&s, 8, name) {
				br.Redacted = r.boolean()
			}
		default:
			r.unknown(name)
		}
	})
	return br
}

func (r *jsonReader) blob() BundleBlob {
	var bl BundleBlob
	var s seen
	r.object(func(name []byte) {
		switch string(name) {
		case "sha256":
			if r.once(&s, 0, name) {
				bl.SHA256 = r.str(-1)
			}
		case "content_type":
			if r.once(&s, 1, name) {
				bl.ContentType = r.str(-1)
			}
		case "data":
			if r.once(&s, 2, name) {
				bl.Data = r.base64()
			}
		default:
			r.unknown(name)
		}
	})
	return bl
}

// parseV2 reads a version 2 bundle file. The error is errTruncated or a
// *jsonSyntaxError.
func parseV2(data []byte) (*v2File, error) {
	r := &jsonReader{d: data}
	f := &v2File{}
	b := &f.b
	var s seen
	r.object(func(name []byte) {
		switch string(name) {
		case "format":
			if r.once(&s, 0, name) {
				b.Format = r.str(-1)
			}
		case "origin":
			if r.once(&s, 1, name) {
				b.Origin = r.str(-1)
			}
		case "key":
			if r.once(&s, 2, name) {
				b.Key = r.str(-1)
			}
		case "checkpoint":
			if r.once(&s, 3, name) {
				b.Checkpoint = r.str(-1)
			}
		case "manifest":
			if r.once(&s, 4, name) {
				b.Manifest = r.str(-1)
			}
		case "scope":
			if r.once(&s, 5, name) {
				b.Scope = r.scope(-1, -1)
			}
		case "proof":
			if r.once(&s, 6, name) {
				f.nodes = r.base64()
			}
		case "records":
			if r.once(&s, 7, name) {
				// Guess the count from the size to avoid regrowing.
				b.Records = make([]BundleRecord, 0, min(len(data)/300+1, 1<<20))
				r.array(func() { b.Records = append(b.Records, r.record()) })
			}
		case "blobs":
			if r.once(&s, 8, name) {
				b.Blobs = []BundleBlob{}
				r.array(func() { b.Blobs = append(b.Blobs, r.blob()) })
			}
		default:
			r.unknown(name)
		}
	})
	if r.err == nil && r.peek() != 0 {
		return nil, errors.New("data after the bundle")
	}
	if r.err != nil {
		return nil, r.err
	}
	return f, nil
}

// appendJSONString appends s as a JSON string. Like encoding/json without
// HTML escaping, it replaces invalid UTF-8 by U+FFFD and escapes U+2028
// and U+2029.
func appendJSONString(b []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		ch, size := utf8.DecodeRuneInString(s[i:])
		if ch == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if ch == '\u2028' || ch == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[ch&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

func appendJSONBase64(b []byte, data []byte) []byte {
	b = append(b, '"')
	b = base64.StdEncoding.AppendEncode(b, data)
	return append(b, '"')
}

func appendJSONScope(b []byte, s Scope) []byte {
	b = append(b, `{"type":`...)
	b = appendJSONString(b, s.Type)
	b = append(b, `,"id":`...)
	b = appendJSONString(b, s.ID)
	return append(b, '}')
}
