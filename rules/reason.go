package rules

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"cel.dev/cel-go/common/types"
)

// tmplPart is a literal (v < 0) or a variable reference (v = index).
type tmplPart struct {
	lit string
	v   int
}

// template is a compiled reason: "{name}" is replaced by the value of the
// variable name, "{{" and "}}" stand for literal braces.
type template []tmplPart

// placeholderError is a template problem at byte offset off of the
// unquoted template text.
type placeholderError struct {
	off int
	msg string
}

// parseTemplate compiles a reason template against the schema.
func parseTemplate(s string, sc *schema) (template, []placeholderError) {
	var t template
	var errs []placeholderError
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			t = append(t, tmplPart{lit: lit.String(), v: -1})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '{' && i+1 < len(s) && s[i+1] == '{':
			lit.WriteByte('{')
			i += 2
		case c == '}' && i+1 < len(s) && s[i+1] == '}':
			lit.WriteByte('}')
			i += 2
		case c == '{':
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				errs = append(errs, placeholderError{i, "unclosed { in reason (write {{ for a literal brace)"})
				i = len(s)
				continue
			}
			name := s[i+1 : i+end]
			idx, ok := sc.index[name]
			if !ok {
				errs = append(errs, placeholderError{i, fmt.Sprintf("reason placeholder {%s} is not a declared variable", name)})
			} else {
				flush()
				t = append(t, tmplPart{v: idx})
			}
			i += end + 1
		case c == '}':
			errs = append(errs, placeholderError{i, "unmatched } in reason (write }} for a literal brace)"})
			i++
		default:
			lit.WriteByte(c)
			i++
		}
	}
	flush()
	return t, errs
}

// placeholderPos maps a template error back into the file: exact when the
// offending text appears verbatim in the quoted source, else the opening
// quote.
func placeholderPos(quoted, unq string, e placeholderError, start pos) pos {
	frag := unq[e.off:]
	if j := strings.IndexByte(frag[1:], '}'); j >= 0 && frag[0] == '{' {
		frag = frag[:j+2]
	} else if len(frag) > 1 {
		frag = frag[:1]
	}
	if k := strings.Index(quoted, frag); k >= 0 {
		return pos{start.line, start.col + utf8.RuneCountInString(quoted[:k])}
	}
	return start
}

// render appends the template rendered with v's values to b.
func (t template) render(b []byte, v *Values) []byte {
	for _, p := range t {
		if p.v < 0 {
			b = append(b, p.lit...)
			continue
		}
		b = appendVar(b, v, p.v)
	}
	return b
}

// appendVar formats variable i of v: ints in decimal, doubles with at most
// two decimals (trailing zeros dropped), bools as true/false, strings as
// is.
func appendVar(b []byte, v *Values, i int) []byte {
	switch v.sc.vars[i].Type {
	case Int:
		return strconv.AppendInt(b, int64(v.raw[i]), 10)
	case Double:
		return appendDouble(b, math.Float64frombits(v.raw[i]))
	case Bool:
		return strconv.AppendBool(b, v.raw[i] != 0)
	}
	return append(b, v.vals[i].(types.String)...)
}

// appendDouble formats f as strconv.AppendFloat(b, f, 'f', 2, 64) with
// trailing zeros and a trailing point dropped and "-0" written "0", and
// infinities and NaN as strconv's 'g' format does.
func appendDouble(b []byte, f float64) []byte {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return strconv.AppendFloat(b, f, 'g', -1, 64)
	}
	if math.Abs(f) >= 1e15 {
		return appendDoubleSlow(b, f)
	}
	// f = ±mant × 2^-shift exactly, with mant < 2^53 and, as |f| < 1e15
	// < 2^50, shift >= 3. hundredths = |f| × 100 rounded to the nearest
	// integer, ties to even, as strconv rounds the exact value.
	bits := math.Float64bits(f)
	mant := bits & (1<<52 - 1)
	exp := int(bits>>52) & 0x7ff
	if exp == 0 {
		exp = 1 // subnormal
	} else {
		mant |= 1 << 52
	}
	shift := uint(1075 - exp)
	var hundredths uint64
	if shift < 64 {
		m := mant * 100 // < 2^60
		hundredths = m >> shift
		rem, half := m&(1<<shift-1), uint64(1)<<(shift-1)
		if rem > half || (rem == half && hundredths&1 == 1) {
			hundredths++
		}
	} // else |f| × 100 < 2^60 / 2^64: rounds to 0
	if hundredths == 0 {
		return append(b, '0')
	}
	if bits>>63 != 0 {
		b = append(b, '-')
	}
	b = strconv.AppendUint(b, hundredths/100, 10)
	switch frac := hundredths % 100; {
	case frac == 0:
	case frac%10 == 0:
		b = append(b, '.', byte('0'+frac/10))
	default:
		b = append(b, '.', byte('0'+frac/10), byte('0'+frac%10))
	}
	return b
}

// appendDoubleSlow is appendDouble by way of strconv, for any finite f.
func appendDoubleSlow(b []byte, f float64) []byte {
	n := len(b)
	b = strconv.AppendFloat(b, f, 'f', 2, 64)
	for len(b) > n && b[len(b)-1] == '0' {
		b = b[:len(b)-1]
	}
	if len(b) > n && b[len(b)-1] == '.' {
		b = b[:len(b)-1]
	}
	if string(b[n:]) == "-0" {
		b = append(b[:n], '0')
	}
	return b
}
