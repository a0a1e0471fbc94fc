package event

import (
	"strconv"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"

	"github.com/fairmark/fairmark"
)

// This file is the single-pass decoder behind Decode. It reproduces exactly
// what encoding/json.Unmarshal into the wire struct did (FuzzDecodeDifferential
// holds it to that json-based decoder, kept in decodejson_test.go):
//
//   - a syntax error anywhere wins over every other error, with the
//     offset and message of encoding/json's scanner (which validated the
//     whole input before decoding);
//   - an error of fairmark.Decimal stops decoding at once (the rest is only
//     checked for syntax); it wins over type errors seen before it;
//   - otherwise the first type error ("id":7) is the error, decoding going
//     on after it as encoding/json did;
//   - keys match a field exactly or else case-insensitively (encoding/json's
//     foldName); the last of duplicate keys wins, objects decoded into a
//     payload already set merge into it, null resets a pointer or slice and
//     leaves a string, number or bool alone;
//   - strings are unescaped like encoding/json (lone surrogates become
//     U+FFFD).
//
// Strings are decoded as transient views of the input (or of a scratch
// buffer for strings with escapes); the strings of the returned event are
// copied into one buffer at the end (intern), so the event never refers to
// the caller's bytes and keeps only the bytes it uses.

// maxDepth is encoding/json's nesting limit.
const maxDepth = 10000

type accountT struct {
	a        fairmark.Account // Links unset: see links
	hasLinks bool
	links    fairmark.Links
}

type orderT struct {
	o                  fairmark.Order // Item and Amount unset
	hasItem, hasAmount bool
	item               fairmark.Item
	amount             fairmark.Money
}

type reportT struct {
	r       fairmark.Report // Paid unset; Evidence holds transient strings
	hasPaid bool
	paid    fairmark.Money
}

// decoder holds the state of one Decode; it lives on Decode's stack.
type decoder struct {
	data  []byte
	i     int
	depth int

	err     error // syntax error: decoding stops
	fatal   error // error of a Decimal: the rest is only checked for syntax
	typeErr error // first type error: decoding goes on
	// modTypeErr is the first type error inside "moderation": it counts
	// only for a moderation.action event. On the v1 types "moderation" is
	// an unknown extra field, and those are ignored (events.md).
	modTypeErr error

	scratch []byte // unescaped strings; append-only

	// The envelope, like the *string fields of the json wire struct:
	// has* is "pointer not nil".
	hasID, hasType, hasAt bool
	id, typ, at           string
	// typeBad: a "type" value was neither a string nor null, which made
	// the json decoder's second look at "type" fail.
	typeBad bool
	// fatalTyp is the type a Decimal error names its field by, as the json
	// decoder chose it: the "type" decoded so far, or when there was none
	// yet, the last "type" of the whole event.
	fatalHasType bool
	fatalTyp     string

	hasAccount, hasOrder, hasFeedback, hasMessage, hasReport, hasModeration bool
	account                                                                 accountT
	order                                                                   orderT
	feedback                                                                fairmark.Feedback
	message                                                                 fairmark.Message
	report                                                                  reportT
	moderation                                                              fairmark.Moderation // Accounts and Feedback hold transient strings

	// orderValue and paidValue record that some order.amount or
	// report.paid object had a "value" key, even one later replaced: the
	// json decoder looked this up in a second pass over the raw event,
	// with structs that null does not reset.
	orderValue, paidValue bool
}

// transient returns b as a string without copying; it must not outlive
// Decode unless interned.
func transient(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

func (d *decoder) peek() byte {
	if d.i < len(d.data) {
		return d.data[d.i]
	}
	return 0
}

func (d *decoder) ws() {
	for d.i < len(d.data) {
		switch d.data[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// fail records a syntax error at d.i as encoding/json's scanner words it.
// At the end of the input the scanner feeds a space: where a space is
// allowed (spaceOK) the input is merely truncated.
func (d *decoder) fail(context string, spaceOK bool) {
	if d.err != nil {
		return
	}
	var off int
	var msg string
	if d.i >= len(d.data) {
		off = len(d.data)
		if spaceOK {
			msg = "unexpected end of JSON input"
		} else {
			msg = "invalid character ' ' " + context
		}
	} else {
		off = d.i + 1
		msg = "invalid character " + quoteChar(d.data[d.i]) + " " + context
	}
	d.err = fieldErr("", "malformed JSON at byte %d: %s", off, msg)
}

// quoteChar is encoding/json's.
func quoteChar(c byte) string {
	if c == '\'' {
		return `'\''`
	}
	if c == '"' {
		return `'"'`
	}
	s := strconv.Quote(string(rune(c)))
	return "'" + s[1:len(s)-1] + "'"
}

// mistyped skips a value that does not fit the field and records the type
// error (the first one only).
func (d *decoder) mistyped(field, want string) {
	kind := d.skip()
	if d.err == nil {
		d.typeError(field, want, kind)
	}
}

func (d *decoder) typeError(field, want, kind string) {
	if d.typeErr == nil {
		d.typeErr = &FieldError{Field: field, Msg: "must be " + want + ", not a JSON " + kind}
	}
}

// open consumes the '{' or '[' at d.i.
func (d *decoder) open() bool {
	d.depth++
	if d.depth > maxDepth {
		d.fail("exceeded max depth", false)
		return false
	}
	d.i++
	return true
}

// firstKey, after open, reads the first key and its colon; false at '}'.
func (d *decoder) firstKey() (string, bool) {
	if d.err != nil {
		return "", false
	}
	d.ws()
	if d.peek() == '}' {
		d.i++
		d.depth--
		return "", false
	}
	return d.key()
}

// nextKey, after a value, reads ',' and the next key; false at '}'.
func (d *decoder) nextKey() (string, bool) {
	if d.err != nil {
		return "", false
	}
	d.ws()
	switch d.peek() {
	case ',':
		d.i++
		d.ws()
		return d.key()
	case '}':
		d.i++
		d.depth--
		return "", false
	}
	d.fail("after object key:value pair", true)
	return "", false
}

func (d *decoder) key() (string, bool) {
	if d.peek() != '"' {
		d.fail("looking for beginning of object key string", true)
		return "", false
	}
	k, ok := d.str()
	if !ok {
		return "", false
	}
	d.ws()
	if d.peek() != ':' {
		d.fail("after object key", true)
		return "", false
	}
	d.i++
	d.ws()
	return k, true
}

// str reads the string at d.i (a '"'), unescaped; the result is transient.
func (d *decoder) str() (string, bool) {
	data := d.data
	start := d.i + 1
	for i := start; i < len(data); i++ {
		if plain[data[i]] {
			continue
		}
		switch c := data[i]; {
		case c == '"':
			d.i = i + 1
			return transient(data[start:i]), true
		case c == '\\':
			d.i = i
			return d.strEscaped(start)
		case c < 0x20:
			d.i = i
			d.fail("in string literal", false)
			return "", false
		}
	}
	d.i = len(data)
	d.fail("in string literal", true)
	return "", false
}

// plain marks the bytes that need no attention inside a string.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// strEscaped goes on with a string from its first backslash at d.i,
// unescaping into d.scratch. The scratch buffer is only appended to, so the
// strings already cut from it stay valid.
func (d *decoder) strEscaped(start int) (string, bool) {
	data := d.data
	if d.scratch == nil {
		d.scratch = make([]byte, 0, len(data)) // unescaping never lengthens
	}
	b := d.scratch
	from := len(b)
	b = append(b, data[start:d.i]...)
	i := d.i
	for {
		if i >= len(data) {
			d.i = i
			d.fail("in string literal", true)
			return "", false
		}
		c := data[i]
		switch {
		case c == '"':
			d.i = i + 1
			d.scratch = b
			return transient(b[from:]), true
		case c == '\\':
			i++
			if i >= len(data) {
				d.i = i
				d.fail("in string escape code", false)
				return "", false
			}
			switch e := data[i]; e {
			case '"', '\\', '/':
				b = append(b, e)
				i++
			case 'b':
				b = append(b, '\b')
				i++
			case 'f':
				b = append(b, '\f')
				i++
			case 'n':
				b = append(b, '\n')
				i++
			case 'r':
				b = append(b, '\r')
				i++
			case 't':
				b = append(b, '\t')
				i++
			case 'u':
				i++
				r := rune(0)
				for k := 0; k < 4; k++ {
					h := hexVal(data, i+k)
					if h < 0 {
						d.i = i + k
						d.fail(`in \u hexadecimal character escape`, false)
						return "", false
					}
					r = r<<4 | h
				}
				i += 4
				if utf16.IsSurrogate(r) {
					// As encoding/json: a pair when a valid \u escape follows
					// and decodes with it, else U+FFFD (the next escape is
					// then read on its own).
					if r2, ok := u4(data, i); ok {
						if dec := utf16.DecodeRune(r, r2); dec != unicode.ReplacementChar {
							b = utf8.AppendRune(b, dec)
							i += 6
							continue
						}
					}
					r = unicode.ReplacementChar
				}
				b = utf8.AppendRune(b, r)
			default:
				d.i = i
				d.fail("in string escape code", false)
				return "", false
			}
		case c < 0x20:
			d.i = i
			d.fail("in string literal", false)
			return "", false
		default:
			b = append(b, c)
			i++
		}
	}
}

func hexVal(data []byte, i int) rune {
	if i >= len(data) {
		return -1
	}
	switch c := data[i]; {
	case '0' <= c && c <= '9':
		return rune(c - '0')
	case 'a' <= c && c <= 'f':
		return rune(c - 'a' + 10)
	case 'A' <= c && c <= 'F':
		return rune(c - 'A' + 10)
	}
	return -1
}

// u4 decodes a \uXXXX escape at data[i:], like encoding/json's getu4.
func u4(data []byte, i int) (rune, bool) {
	if i+6 > len(data) || data[i] != '\\' || data[i+1] != 'u' {
		return 0, false
	}
	r := rune(0)
	for k := 2; k < 6; k++ {
		h := hexVal(data, i+k)
		if h < 0 {
			return 0, false
		}
		r = r<<4 | h
	}
	return r, true
}

// skipStr checks the string at d.i without unescaping it.
func (d *decoder) skipStr() bool {
	data := d.data
	i := d.i + 1
	for i < len(data) {
		c := data[i]
		switch {
		case c == '"':
			d.i = i + 1
			return true
		case c == '\\':
			i++
			if i >= len(data) {
				d.i = i
				d.fail("in string escape code", false)
				return false
			}
			switch data[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i++
			case 'u':
				i++
				for k := 0; k < 4; k++ {
					if hexVal(data, i+k) < 0 {
						d.i = i + k
						d.fail(`in \u hexadecimal character escape`, false)
						return false
					}
				}
				i += 4
			default:
				d.i = i
				d.fail("in string escape code", false)
				return false
			}
		case c < 0x20:
			d.i = i
			d.fail("in string literal", false)
			return false
		default:
			i++
		}
	}
	d.i = i
	d.fail("in string literal", true)
	return false
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// num reads the number at d.i ('-' or a digit) and returns its literal.
func (d *decoder) num() ([]byte, bool) {
	data := d.data
	start := d.i
	i := start
	if data[i] == '-' {
		i++
	}
	if i >= len(data) || !isDigit(data[i]) {
		d.i = i
		d.fail("in numeric literal", false)
		return nil, false
	}
	if data[i] == '0' {
		i++
	} else {
		for i++; i < len(data) && isDigit(data[i]); i++ {
		}
	}
	if i < len(data) && data[i] == '.' {
		i++
		if i >= len(data) || !isDigit(data[i]) {
			d.i = i
			d.fail("after decimal point in numeric literal", false)
			return nil, false
		}
		for i++; i < len(data) && isDigit(data[i]); i++ {
		}
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if i >= len(data) || !isDigit(data[i]) {
			d.i = i
			d.fail("in exponent of numeric literal", false)
			return nil, false
		}
		for i++; i < len(data) && isDigit(data[i]); i++ {
		}
	}
	d.i = i
	return data[start:i], true
}

// lit reads the literal word (true, false or null) whose first byte is at d.i.
func (d *decoder) lit(word string) bool {
	for k := 1; k < len(word); k++ {
		if d.i+k >= len(d.data) || d.data[d.i+k] != word[k] {
			d.i += k
			d.fail("in literal "+word+" (expecting '"+word[k:k+1]+"')", false)
			return false
		}
	}
	d.i += len(word)
	return true
}

// skip checks and skips any value, returning its JSON kind ("" on a syntax
// error).
func (d *decoder) skip() string {
	switch c := d.peek(); {
	case c == '"':
		if d.skipStr() {
			return "string"
		}
	case c == '{':
		if !d.open() {
			return ""
		}
		for _, ok := d.firstKey(); ok; _, ok = d.nextKey() {
			d.skip()
		}
		if d.err == nil {
			return "object"
		}
	case c == '[':
		if !d.open() {
			return ""
		}
		d.ws()
		if d.peek() == ']' {
			d.i++
			d.depth--
			return "array"
		}
		for {
			d.skip()
			if d.err != nil {
				return ""
			}
			d.ws()
			switch d.peek() {
			case ',':
				d.i++
				d.ws()
				continue
			case ']':
				d.i++
				d.depth--
				return "array"
			}
			d.fail("after array element", true)
			return ""
		}
	case c == 't':
		if d.lit("true") {
			return "bool"
		}
	case c == 'f':
		if d.lit("false") {
			return "bool"
		}
	case c == 'n':
		if d.lit("null") {
			return "null"
		}
	case c == '-' || isDigit(c):
		if _, ok := d.num(); ok {
			return "number"
		}
	default:
		d.fail("looking for beginning of value", true)
	}
	return ""
}

// Typed values. Each reads the value at d.i into its destination the way
// encoding/json stores into that Go type.

// setStr stores a string into a string field; null leaves it.
func (d *decoder) setStr(dst *string, field string) {
	switch d.peek() {
	case '"':
		if s, ok := d.str(); ok {
			*dst = s
		}
	case 'n':
		d.lit("null")
	default:
		d.mistyped(field, "a string")
	}
}

// setPtrStr stores into a *string field: null makes it nil (has false).
// On a type error encoding/json had already allocated the pointer, which
// changes nothing that matters once there is an error.
func (d *decoder) setPtrStr(dst *string, has *bool, field string) {
	switch d.peek() {
	case '"':
		if s, ok := d.str(); ok {
			*dst, *has = s, true
		}
	case 'n':
		if d.lit("null") {
			*dst, *has = "", false
		}
	default:
		d.mistyped(field, "a string")
	}
}

// setInt stores an integer; a fraction, exponent or overflow is a type
// error naming the number.
func (d *decoder) setInt(dst *int, field string) {
	switch c := d.peek(); {
	case c == '-' || isDigit(c):
		lit, ok := d.num()
		if !ok {
			return
		}
		n, err := strconv.ParseInt(transient(lit), 10, strconv.IntSize)
		if err != nil {
			d.typeError(field, "an integer", "number "+string(lit))
			return
		}
		*dst = int(n)
	case c == 'n':
		d.lit("null")
	default:
		d.mistyped(field, "an integer")
	}
}

func (d *decoder) setBool(dst *bool, field string) {
	switch d.peek() {
	case 't':
		if d.lit("true") {
			*dst = true
		}
	case 'f':
		if d.lit("false") {
			*dst = false
		}
	case 'n':
		d.lit("null")
	default:
		d.mistyped(field, "true or false")
	}
}

// object starts a value decoded into a struct or pointer to struct: true
// when it is an object whose '{' is at d.i. null clears has (a pointer
// becomes nil); anything else is a type error.
func (d *decoder) object(field string, has *bool) bool {
	switch d.peek() {
	case '{':
		return true
	case 'n':
		if d.lit("null") && has != nil {
			*has = false
		}
	default:
		d.mistyped(field, "an object")
	}
	return false
}

// decimal stores a fairmark.Decimal, which has its own UnmarshalJSON: it
// is called for any value, null included, and its error stops decoding.
func (d *decoder) decimal(dst *fairmark.Decimal) {
	var err error
	switch d.peek() {
	case '"':
		s, ok := d.str()
		if !ok {
			return
		}
		v, perr := fairmark.ParseDecimal(s)
		if perr == nil {
			*dst = v
			return
		}
		err = perr
	case 'n':
		if !d.lit("null") {
			return
		}
		_, err = fairmark.ParseDecimal("")
	default:
		if d.skip() == "" {
			return
		}
		err = fairmark.Errorf(fairmark.EINVALID, "must be a decimal string such as \"50.00\"")
	}
	msg := err.Error()
	if ae, ok := err.(*fairmark.Error); ok {
		msg = ae.Message
	}
	d.fatal = &FieldError{Msg: msg} // Field set by Decode once "type" is known
	d.fatalHasType, d.fatalTyp = d.hasType, d.typ
}

// Key lookup: an exact match, else encoding/json's case folding. The
// indexes are those of the names slices.

var (
	topNames      = []string{"id", "type", "at", "account", "order", "feedback", "message", "report", "moderation"}
	accountNames  = []string{"id", "role", "name", "links"}
	linksNames    = []string{"device", "ip", "phone", "payment"}
	orderNames    = []string{"id", "buyer", "seller", "item", "amount"}
	itemNames     = []string{"id", "title", "category", "digital"}
	moneyNames    = []string{"value", "currency"}
	feedbackNames = []string{"id", "order", "buyer", "seller", "rating", "stars", "text"}
	messageNames  = []string{"id", "conversation", "order", "from", "to", "text"}
	reportNames   = []string{"id", "reporter", "accused", "order", "feedback", "kind", "text", "paid", "evidence"}
	evidenceNames = []string{"kind", "sha256", "note"}
	modNames      = []string{"action", "accounts", "feedback", "case", "by", "reason"}
)

// foldIndex returns the index of the name k matches case-insensitively the
// way encoding/json does (foldName: ASCII letters upper-cased, other runes
// replaced by the smallest rune of their case-folding orbit), or -1.
func foldIndex(k string, names []string) int {
	for n, name := range names {
		if foldEq(k, name) {
			return n
		}
	}
	return -1
}

// foldEq reports foldName(k) == foldName(name) for a lower-case ASCII name.
func foldEq(k, name string) bool {
	j := 0
	for i := 0; i < len(k); {
		if j >= len(name) {
			return false
		}
		want := name[j] // lower-case letter, digit or '_'
		if 'a' <= want && want <= 'z' {
			want -= 'a' - 'A'
		}
		c := k[i]
		if c < utf8.RuneSelf {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			if c != want {
				return false
			}
			i++
		} else {
			r, size := utf8.DecodeRuneInString(k[i:])
			if foldRune(r) != rune(want) {
				return false
			}
			i += size
		}
		j++
	}
	return j == len(name)
}

// foldRune is encoding/json's: the smallest rune of r's fold orbit.
func foldRune(r rune) rune {
	for {
		r2 := unicode.SimpleFold(r)
		if r2 <= r {
			return r2
		}
		r = r2
	}
}

func topField(k string) int {
	switch k {
	case "id":
		return 0
	case "type":
		return 1
	case "at":
		return 2
	case "account":
		return 3
	case "order":
		return 4
	case "feedback":
		return 5
	case "message":
		return 6
	case "report":
		return 7
	case "moderation":
		return 8
	}
	return foldIndex(k, topNames)
}

func accountField(k string) int {
	switch k {
	case "id":
		return 0
	case "role":
		return 1
	case "name":
		return 2
	case "links":
		return 3
	}
	return foldIndex(k, accountNames)
}

func linksField(k string) int {
	switch k {
	case "device":
		return 0
	case "ip":
		return 1
	case "phone":
		return 2
	case "payment":
		return 3
	}
	return foldIndex(k, linksNames)
}

func orderField(k string) int {
	switch k {
	case "id":
		return 0
	case "buyer":
		return 1
	case "seller":
		return 2
	case "item":
		return 3
	case "amount":
		return 4
	}
	return foldIndex(k, orderNames)
}

func itemField(k string) int {
	switch k {
	case "id":
		return 0
	case "title":
		return 1
	case "category":
		return 2
	case "digital":
		return 3
	}
	return foldIndex(k, itemNames)
}

func moneyField(k string) int {
	switch k {
	case "value":
		return 0
	case "currency":
		return 1
	}
	return foldIndex(k, moneyNames)
}

func feedbackField(k string) int {
	switch k {
	case "id":
		return 0
	case "order":
		return 1
	case "buyer":
		return 2
	case "seller":
		return 3
	case "rating":
		return 4
	case "stars":
		return 5
	case "text":
		return 6
	}
	return foldIndex(k, feedbackNames)
}

func messageField(k string) int {
	switch k {
	case "id":
		return 0
	case "conversation":
		return 1
	case "order":
		return 2
	case "from":
		return 3
	case "to":
		return 4
	case "text":
		return 5
	}
	return foldIndex(k, messageNames)
}

func reportField(k string) int {
	switch k {
	case "id":
		return 0
	case "reporter":
		return 1
	case "accused":
		return 2
	case "order":
		return 3
	case "feedback":
		return 4
	case "kind":
		return 5
	case "text":
		return 6
	case "paid":
		return 7
	case "evidence":
		return 8
	}
	return foldIndex(k, reportNames)
}

func evidenceField(k string) int {
	switch k {
	case "kind":
		return 0
	case "sha256":
		return 1
	case "note":
		return 2
	}
	return foldIndex(k, evidenceNames)
}

func moderationField(k string) int {
	switch k {
	case "action":
		return 0
	case "accounts":
		return 1
	case "feedback":
		return 2
	case "case":
		return 3
	case "by":
		return 4
	case "reason":
		return 5
	}
	return foldIndex(k, modNames)
}

// parse decodes the event object at d.data (which starts with '{').
func (d *decoder) parse() {
	if !d.open() {
		return
	}
	for k, ok := d.firstKey(); ok; k, ok = d.nextKey() {
		f := topField(k)
		if d.fatal != nil {
			// Decoding has stopped; only "type" still counts, for the
			// field the Decimal error names.
			if f == 1 {
				d.typeAfterFatal()
			} else {
				d.skip()
			}
			continue
		}
		switch f {
		case 0:
			d.setPtrStr(&d.id, &d.hasID, "id")
		case 1:
			if c := d.peek(); c != '"' && c != 'n' {
				d.typeBad = true
			}
			d.setPtrStr(&d.typ, &d.hasType, "type")
		case 2:
			d.setPtrStr(&d.at, &d.hasAt, "at")
		case 3:
			if d.object("account", &d.hasAccount) {
				if !d.hasAccount {
					d.hasAccount, d.account = true, accountT{}
				}
				d.accountObj(&d.account)
			}
		case 4:
			if d.object("order", &d.hasOrder) {
				if !d.hasOrder {
					d.hasOrder, d.order = true, orderT{}
				}
				d.orderObj(&d.order)
			}
		case 5:
			if d.object("feedback", &d.hasFeedback) {
				if !d.hasFeedback {
					d.hasFeedback, d.feedback = true, fairmark.Feedback{}
				}
				d.feedbackObj(&d.feedback)
			}
		case 6:
			if d.object("message", &d.hasMessage) {
				if !d.hasMessage {
					d.hasMessage, d.message = true, fairmark.Message{}
				}
				d.messageObj(&d.message)
			}
		case 7:
			if d.object("report", &d.hasReport) {
				if !d.hasReport {
					d.hasReport, d.report = true, reportT{}
				}
				d.reportObj(&d.report)
			}
		case 8:
			outer := d.typeErr
			d.typeErr = nil
			if d.object("moderation", &d.hasModeration) {
				if !d.hasModeration {
					d.hasModeration, d.moderation = true, fairmark.Moderation{}
				}
				d.moderationObj(&d.moderation)
			}
			if d.modTypeErr == nil {
				d.modTypeErr = d.typeErr
			}
			d.typeErr = outer
		default:
			d.skip()
		}
	}
	if d.err != nil {
		return
	}
	d.ws()
	if d.i < len(d.data) {
		d.fail("after top-level value", false)
	}
}

// typeAfterFatal reads a "type" after a Decimal error, as the json decoder's
// second look at "type" alone did.
func (d *decoder) typeAfterFatal() {
	switch d.peek() {
	case '"':
		if s, ok := d.str(); ok {
			d.typ, d.hasType = s, true
		}
	case 'n':
		if d.lit("null") {
			d.typ, d.hasType = "", false
		}
	default:
		d.skip()
		d.typeBad = true
	}
}

// fatalField is the field a Decimal error names, chosen by the event type
// as the json decoder did.
func (d *decoder) fatalField() string {
	typ := ""
	switch {
	case d.fatalHasType:
		typ = d.fatalTyp
	case d.hasType && !d.typeBad:
		typ = d.typ
	}
	switch fairmark.EventType(typ) {
	case fairmark.OrderPlaced, fairmark.OrderDelivered, fairmark.OrderRefunded:
		return "order.amount.value"
	case fairmark.ReportFiled:
		return "report.paid.value"
	}
	return "amount.value"
}

func (d *decoder) accountObj(a *accountT) {
	if !d.open() {
		return
	}
	for k, ok := d.firstKey(); ok; k, ok = d.nextKey() {
		if d.fatal != nil {
			d.skip()
			continue
		}
		switch accountField(k) {
		case 0:
			d.setStr((*string)(&a.a.ID), "account.id")
		case 1:
			d.setStr((*string)(&a.a.Role), "account.role")
		case 2:
			d.setStr(&a.a.Name, "account.name")
		case 3:
			if d.object("account.links", &a.hasLinks) {
				if !a.hasLinks {
					a.hasLinks, a.links = true, fairmark.Links{}
				}
				d.linksObj(&a.links)
			}
		default:
			d.skip()
		}
	}
}

func (d *decoder) linksObj(l *fairmark.Links) {
	if !d.open() {
		return
	}
	for k, ok := d.firstKey(); ok; k, ok = d.nextKey() {
		if d.fatal != nil {
			d.skip()
			continue
		}
		switch linksField(k) {
		case 0:
			d.setStr(&l.Device, "account.links.device")
		case 1:
			d.setStr(&l.IP, "account.links.ip")
		case 2:
			d.setStr(&l.Phone, "account.links.phone")
		case 3:
			d.setStr(&l.Payment, "account.links.payment")
		default:
			d.skip()
		}
	}
}

func (d *decoder) orderObj(o *orderT) {
	if !d.open() {
		return
	}
	for k, ok := d.firstKey(); ok; k, ok = d.nextKey() {
		if d.fatal != nil {
			d.skip()
			continue
		}
		switch orderField(k) {
		case 0:
			d.setStr((*string)(&o.o.ID), "order.id")
		case 1:
			d.setStr((*string)(&o.o.Buyer), "order.buyer")
		case 2:
			d.setStr((*string)(&o.o.Seller), "order.seller")
		case 3:
			if d.object("order.item", &o.hasItem) {
				if !o.hasItem {
					o.hasItem, o.item = true, fairmark.Item{}
				}
				d.itemObj(&o.item)
			}
		case 4:
			if d.object("order.amount", &o.hasAmount) {
				if !o.hasAmount {
					o.hasAmount, o.amount = true, fairmark.Money{}
				}
				d.moneyObj(&o.amount, "order.amount.currency", &d.orderValue)
			}
		default:
			d.skip()
		}
	}
}

func (d *decoder) itemObj(it *fairmark.Item) {
	if !d.open() {
		return
	}
	for k, ok := d.firstKey(); ok; k, ok = d.nextKey() {
		if d.fatal != nil {
			d.skip()
			continue
		}
		switch itemField(k) {
		case 0:
			d.setStr((*string)(&it.ID), "order.item.id")
		case 1:
			d.setStr(&it.Title, "order.item.title")
		case 2:
			d.setStr(&it.Category, "order.item.category")
		case 3:
			d.setBool(&it.Digital, "order.item.digital")
		default:
			d.skip()
		}
	}
}

func (d *decoder) moneyObj(m *fairmark.Money, currencyField string, sawValue *bool) {
	if !d.open() {
		return
	}
	for k, ok := d.firstKey(); ok; k, ok = d.nextKey() {
		if d.fatal != nil {
			d.skip()
			continue
		}
		switch moneyField(k) {
		case 0:
			*sawValue = true
			d.decimal(&m.Value)
		case 1:
			d.setStr(&m.Currency, currencyField)
		default:
			d.skip()
		}
	}
}

func (d *decoder) feedbackObj(f *fairmark.Feedback) {
	if !d.open() {
		return
	}
	for k, ok := d.firstKey(); ok; k, ok = d.nextKey() {
		if d.fatal != nil {
			d.skip()
			continue
		}
		switch feedbackField(k) {
		case 0:
			d.setStr((*string)(&f.ID), "feedback.id")
		case 1:
			d.setStr((*string)(&f.Order), "feedback.order")
		case 2:
			d.setStr((*string)(&f.Buyer), "feedback.buyer")
		case 3:
			d.setStr((*string)(&f.Seller), "feedback.seller")
		case 4:
			d.setStr((*string)(&f.Rating), "feedback.rating")
		case 5:
			d.setInt(&f.Stars, "feedback.stars")
		case 6:
			d.setStr(&f.Text, "feedback.text")
		default:
			d.skip()
		}
	}
}

func (d *decoder) messageObj(m *fairmark.Message) {
	if !d.open() {
		return
	}
	for k, ok := d.firstKey(); ok; k, ok = d.nextKey() {
		if d.fatal != nil {
			d.skip()
			continue
		}
		switch messageField(k) {
		case 0:
			d.setStr((*string)(&m.ID), "message.id")
		case 1:
			d.setStr((*string)(&m.Conversation), "message.conversation")
		case 2:
			d.setStr((*string)(&m.Order), "message.order")
		case 3:
			d.setStr((*string)(&m.From), "message.from")
		case 4:
			d.setStr((*string)(&m.To), "message.to")
		case 5:
			d.setStr(&m.Text, "message.text")
		default:
			d.skip()
		}
	}
}

func (d *decoder) reportObj(r *reportT) {
	if !d.open() {
		return
	}
	for k, ok := d.firstKey(); ok; k, ok = d.nextKey() {
		if d.fatal != nil {
			d.skip()
			continue
		}
		switch reportField(k) {
		case 0:
			d.setStr((*string)(&r.r.ID), "report.id")
		case 1:
			d.setStr((*string)(&r.r.Reporter), "report.reporter")
		case 2:
			d.setStr((*string)(&r.r.Accused), "report.accused")
		case 3:
			d.setStr((*string)(&r.r.Order), "report.order")
		case 4:
			d.setStr((*string)(&r.r.Feedback), "report.feedback")
		case 5:
			d.setStr((*string)(&r.r.Kind), "report.kind")
		case 6:
			d.setStr(&r.r.Text, "report.text")
		case 7:
			if d.object("report.paid", &r.hasPaid) {
				if !r.hasPaid {
					r.hasPaid, r.paid = true, fairmark.Money{}
				}
				d.moneyObj(&r.paid, "report.paid.currency", &d.paidValue)
			}
		case 8:
			d.evidence(&r.r.Evidence)
		default:
			d.skip()
		}
	}
}

// evidence decodes an array into the slice as encoding/json does with
// reflect: elements are decoded into the existing ones (merging), the
// length grows one element at a time (exposing elements left beyond the
// length by an earlier, longer array), the slice is cut to the array's
// length, and an empty array gives a new empty slice.
func (d *decoder) evidence(ev *[]fairmark.EvidenceRef) {
	switch d.peek() {
	case '[':
	case 'n':
		if d.lit("null") {
			*ev = nil
		}
		return
	default:
		d.mistyped("report.evidence", "an array")
		return
	}
	if !d.open() {
		return
	}
	s := *ev
	n := 0
	d.ws()
	if d.peek() == ']' {
		d.i++
		d.depth--
	} else {
	elements:
		for {
			if n >= cap(s) {
				s = append(s, fairmark.EvidenceRef{}) // len(s) == cap(s) == n
			} else if n >= len(s) {
				s = s[:n+1]
			}
			d.evidenceRef(&s[n])
			*ev = s
			if d.err != nil {
				return
			}
			n++
			d.ws()
			switch d.peek() {
			case ',':
				d.i++
				d.ws()
			case ']':
				d.i++
				d.depth--
				break elements
			default:
				d.fail("after array element", true)
				return
			}
		}
	}
	if n < len(s) {
		s = s[:n]
	}
	if n == 0 {
		s = make([]fairmark.EvidenceRef, 0)
	}
	*ev = s
}

func (d *decoder) evidenceRef(e *fairmark.EvidenceRef) {
	if !d.object("report.evidence", nil) {
		return
	}
	if !d.open() {
		return
	}
	for k, ok := d.firstKey(); ok; k, ok = d.nextKey() {
		switch evidenceField(k) {
		case 0:
			d.setStr(&e.Kind, "report.evidence.kind")
		case 1:
			d.setStr(&e.SHA256, "report.evidence.sha256")
		case 2:
			d.setStr(&e.Note, "report.evidence.note")
		default:
			d.skip()
		}
	}
}

func (d *decoder) moderationObj(m *fairmark.Moderation) {
	if !d.open() {
		return
	}
	for k, ok := d.firstKey(); ok; k, ok = d.nextKey() {
		if d.fatal != nil {
			d.skip()
			continue
		}
		switch moderationField(k) {
		case 0:
			d.setStr((*string)(&m.Action), "moderation.action")
		case 1:
			strs(d, &m.Accounts, "moderation.accounts")
		case 2:
			strs(d, &m.Feedback, "moderation.feedback")
		case 3:
			d.setStr((*string)(&m.Case), "moderation.case")
		case 4:
			d.setStr(&m.By, "moderation.by")
		case 5:
			d.setStr(&m.Reason, "moderation.reason")
		default:
			d.skip()
		}
	}
}

// strs decodes an array of strings into the slice the way evidence does
// (in place, growing one element at a time, cut to the array's length, a
// new empty slice for []); a null element leaves its string alone, as
// setStr does, and any other value is a type error naming the array.
func strs[T ~string](d *decoder, dst *[]T, field string) {
	switch d.peek() {
	case '[':
	case 'n':
		if d.lit("null") {
			*dst = nil
		}
		return
	default:
		d.mistyped(field, "an array")
		return
	}
	if !d.open() {
		return
	}
	s := *dst
	n := 0
	d.ws()
	if d.peek() == ']' {
		d.i++
		d.depth--
	} else {
	elements:
		for {
			if n >= cap(s) {
				s = append(s, "") // len(s) == cap(s) == n
			} else if n >= len(s) {
				s = s[:n+1]
			}
			str := string(s[n])
			d.setStr(&str, field)
			s[n] = T(str)
			*dst = s
			if d.err != nil {
				return
			}
			n++
			d.ws()
			switch d.peek() {
			case ',':
				d.i++
				d.ws()
			case ']':
				d.i++
				d.depth--
				break elements
			default:
				d.fail("after array element", true)
				return
			}
		}
	}
	if n < len(s) {
		s = s[:n]
	}
	if n == 0 {
		s = make([]T, 0)
	}
	*dst = s
}

// intern copies the strings ps point to, and those of ev and lists, into
// one new buffer (bd's, when there is one) and points them there, so that
// no transient string survives Decode.
func intern(bd *BatchDecoder, ps []*string, ev []fairmark.EvidenceRef, lists ...[]string) {
	n := 0
	for _, p := range ps {
		n += len(*p)
	}
	for i := range ev {
		n += len(ev[i].Kind) + len(ev[i].SHA256) + len(ev[i].Note)
	}
	for _, l := range lists {
		for _, s := range l {
			n += len(s)
		}
	}
	var buf []byte
	if n > 0 {
		buf = bd.bytes(n)
	}
	off := 0
	put := func(p *string) {
		l := copy(buf[off:], *p)
		if l == 0 {
			*p = ""
			return
		}
		*p = unsafe.String(&buf[off], l)
		off += l
	}
	for _, p := range ps {
		put(p)
	}
	for i := range ev {
		put(&ev[i].Kind)
		put(&ev[i].SHA256)
		put(&ev[i].Note)
	}
	for _, l := range lists {
		for i := range l {
			put(&l[i])
		}
	}
}

// stringsOf views a slice of a string type as a []string (the same
// memory), for intern.
func stringsOf[T ~string](s []T) []string {
	return unsafe.Slice((*string)(unsafe.Pointer(unsafe.SliceData(s))), len(s))
}
