package event

import (
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/fairmark/fairmark"
)

// Encode writes e as one compact JSON line without the trailing newline, in
// the contract's format: the bytes encoding/json wrote for the events'
// struct tags (omitempty, fields in struct order, no HTML escaping, amounts
// as decimal strings). FuzzEncodeDifferential holds it to that.
func Encode(e *fairmark.Event) ([]byte, error) {
	b := make([]byte, 0, 256)
	b = append(b, `{"id":`...)
	b = appendString(b, string(e.ID))
	b = append(b, `,"type":`...)
	b = appendString(b, string(e.Type))
	b = append(b, `,"at":"`...)
	b = e.At.UTC().AppendFormat(b, time.RFC3339Nano) // digits, signs, ':', '.', 'T', 'Z': nothing to escape
	b = append(b, '"')
	if a := e.Account; a != nil {
		b = append(b, `,"account":{"id":`...)
		b = appendString(b, string(a.ID))
		b = append(b, `,"role":`...)
		b = appendString(b, string(a.Role))
		b = appendOpt(b, `,"name":`, a.Name)
		if l := a.Links; l != nil {
			b = append(b, `,"links":{`...)
			n := len(b)
			b = appendOpt(b, `,"device":`, l.Device)
			b = appendOpt(b, `,"ip":`, l.IP)
			b = appendOpt(b, `,"phone":`, l.Phone)
			b = appendOpt(b, `,"payment":`, l.Payment)
			b = dropComma(b, n)
			b = append(b, '}')
		}
		b = append(b, '}')
	}
	if o := e.Order; o != nil {
		b = append(b, `,"order":{"id":`...)
		b = appendString(b, string(o.ID))
		b = appendOpt(b, `,"buyer":`, string(o.Buyer))
		b = appendOpt(b, `,"seller":`, string(o.Seller))
		if it := o.Item; it != nil {
			b = append(b, `,"item":{`...)
			n := len(b)
			b = appendOpt(b, `,"id":`, string(it.ID))
			b = appendOpt(b, `,"title":`, it.Title)
			b = appendOpt(b, `,"category":`, it.Category)
			if it.Digital {
				b = append(b, `,"digital":true`...)
			}
			b = dropComma(b, n)
			b = append(b, '}')
		}
		if m := o.Amount; m != nil {
			b = appendMoney(append(b, `,"amount":`...), m)
		}
		b = append(b, '}')
	}
	if f := e.Feedback; f != nil {
		b = append(b, `,"feedback":{"id":`...)
		b = appendString(b, string(f.ID))
		b = appendOpt(b, `,"order":`, string(f.Order))
		b = appendOpt(b, `,"buyer":`, string(f.Buyer))
		b = appendOpt(b, `,"seller":`, string(f.Seller))
		b = appendOpt(b, `,"rating":`, string(f.Rating))
		if f.Stars != 0 {
			b = strconv.AppendInt(append(b, `,"stars":`...), int64(f.Stars), 10)
		}
		b = appendOpt(b, `,"text":`, f.Text)
		b = append(b, '}')
	}
	if m := e.Message; m != nil {
		b = append(b, `,"message":{"id":`...)
		b = appendString(b, string(m.ID))
		b = append(b, `,"conversation":`...)
		b = appendString(b, string(m.Conversation))
		b = appendOpt(b, `,"order":`, string(m.Order))
		b = append(b, `,"from":`...)
		b = appendString(b, string(m.From))
		b = append(b, `,"to":`...)
		b = appendString(b, string(m.To))
		b = append(b, `,"text":`...)
		b = appendString(b, m.Text)
		b = append(b, '}')
	}
	if r := e.Report; r != nil {
		b = append(b, `,"report":{"id":`...)
		b = appendString(b, string(r.ID))
		b = append(b, `,"reporter":`...)
		b = appendString(b, string(r.Reporter))
		b = append(b, `,"accused":`...)
		b = appendString(b, string(r.Accused))
		b = appendOpt(b, `,"order":`, string(r.Order))
		b = appendOpt(b, `,"feedback":`, string(r.Feedback))
		b = append(b, `,"kind":`...)
		b = appendString(b, string(r.Kind))
		b = appendOpt(b, `,"text":`, r.Text)
		if r.Paid != nil {
			b = appendMoney(append(b, `,"paid":`...), r.Paid)
		}
		if len(r.Evidence) > 0 {
			b = append(b, `,"evidence":[`...)
			for i, ev := range r.Evidence {
				if i > 0 {
					b = append(b, ',')
				}
				b = append(b, `{"kind":`...)
				b = appendString(b, ev.Kind)
				b = append(b, `,"sha256":`...)
				b = appendString(b, ev.SHA256)
				b = appendOpt(b, `,"note":`, ev.Note)
				b = append(b, '}')
			}
			b = append(b, ']')
		}
		b = append(b, '}')
	}
	if m := e.Moderation; m != nil {
		b = append(b, `,"moderation":{"action":`...)
		b = appendString(b, string(m.Action))
		if len(m.Accounts) > 0 {
			b = append(b, `,"accounts":[`...)
			for i, id := range m.Accounts {
				if i > 0 {
					b = append(b, ',')
				}
				b = appendString(b, string(id))
			}
			b = append(b, ']')
		}
		if len(m.Feedback) > 0 {
			b = append(b, `,"feedback":[`...)
			for i, id := range m.Feedback {
				if i > 0 {
					b = append(b, ',')
				}
				b = appendString(b, string(id))
			}
			b = append(b, ']')
		}
		b = appendOpt(b, `,"case":`, string(m.Case))
		b = append(b, `,"by":`...)
		b = appendString(b, m.By)
		b = append(b, `,"reason":`...)
		b = appendString(b, m.Reason)
		b = append(b, '}')
	}
	b = append(b, '}')
	return b, nil
}

// appendOpt appends an omitempty string field with its key (",\"name\":").
func appendOpt(b []byte, key, s string) []byte {
	if s == "" {
		return b
	}
	return appendString(append(b, key...), s)
}

// dropComma removes the comma of the first field written after n, in an
// object whose fields are all omitempty.
func dropComma(b []byte, n int) []byte {
	if len(b) > n {
		copy(b[n:], b[n+1:])
		b = b[:len(b)-1]
	}
	return b
}

func appendMoney(b []byte, m *fairmark.Money) []byte {
	b = append(b, `{"value":"`...)
	b = appendDecimal(b, m.Value)
	b = append(b, `","currency":`...)
	b = appendString(b, m.Currency)
	return append(b, '}')
}

// appendDecimal appends d.String(): two decimal places, or more when
// needed ("50.00", "0.125").
func appendDecimal(b []byte, d fairmark.Decimal) []byte {
	u := uint64(d)
	if d < 0 {
		b = append(b, '-')
		u = -u
	}
	b = strconv.AppendUint(b, u/fairmark.DecimalScale, 10)
	frac := u % fairmark.DecimalScale
	digits := [4]byte{byte('0' + frac/1000), byte('0' + frac/100%10), byte('0' + frac/10%10), byte('0' + frac%10)}
	n := 4
	for n > 2 && digits[n-1] == '0' {
		n--
	}
	b = append(b, '.')
	return append(b, digits[:n]...)
}

const hexDigits = "0123456789abcdef"

// appendString is encoding/json's string encoding without HTML escaping:
// '"', '\\' and control characters escaped, invalid UTF-8 as \ufffd,
// U+2028 and U+2029 escaped.
func appendString(dst []byte, src string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(src); {
		if c := src[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, src[start:i]...)
			switch c {
			case '\\', '"':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(src[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, src[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, src[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, src[start:]...)
	return append(dst, '"')
}
