package rules

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// pos is a 1-based line and column (in characters) in the rule file.
type pos struct{ line, col int }

// segment is one line of a rule's condition as written in the file: text
// starts at column col of file line line.
type segment struct {
	pos
	text string
}

// rawRule is a [rule NAME] section before compilation.
type rawRule struct {
	name    string
	header  pos // position of '['
	namePos pos
	when    []segment
	then    string
	thenPos pos
	score   float64
	reason  string
	// reasonPos is the position of the reason's opening quote.
	reasonPos pos
	reasonSrc string // the reason value as written, quotes included
	doc       string
	seen      map[string]int // key -> line, for duplicate detection
}

// rawFile is the syntax of a rule file.
type rawFile struct {
	version    string
	versionPos pos
	rules      []*rawRule
}

// ruleKeys are the keys a [rule] section accepts, in canonical order.
var ruleKeys = []string{"when", "then", "score", "reason", "doc"}

// scanFile splits a rule file into its version and raw rules, reporting
// syntax errors (not CEL errors) to errs.
func scanFile(src []byte, errs *errorSink) *rawFile {
	f := &rawFile{}
	text := string(src)
	text = strings.TrimPrefix(text, "\ufeff")
	lines := strings.Split(text, "\n")
	var cur *rawRule    // current section, nil before the first header
	var inWhen *rawRule // rule whose condition may continue on the next line
	names := map[string]int{}
	versionLine := 0
	for i, line := range lines {
		ln := i + 1
		line = strings.TrimSuffix(line, "\r")
		if !utf8.ValidString(line) {
			errs.add(ln, 1, "line is not valid UTF-8")
			inWhen = nil
			continue
		}
		trimmed := strings.TrimLeft(line, " \t")
		indent := len(line) - len(trimmed)
		col := func(byteOff int) int { return utf8.RuneCountInString(line[:byteOff]) + 1 }
		switch {
		case strings.TrimSpace(trimmed) == "":
			inWhen = nil
			continue
		case trimmed[0] == '#':
			continue
		case trimmed[0] == '[':
			inWhen = nil
			r := scanHeader(trimmed, ln, col(indent), errs)
			if r == nil {
				// Keep later keys from landing in the previous rule.
				cur = &rawRule{seen: map[string]int{}}
				continue
			}
			if first, dup := names[r.name]; dup {
				errs.add(r.namePos.line, r.namePos.col, fmt.Sprintf("duplicate rule name %s (first defined at line %d)", r.name, first))
			} else {
				names[r.name] = ln
			}
			f.rules = append(f.rules, r)
			cur = r
			continue
		}
		key, valOff, ok := splitPair(line, indent)
		if !ok {
			if inWhen != nil && indent > 0 {
				inWhen.when = append(inWhen.when, segment{pos{ln, col(indent)}, strings.TrimRight(trimmed, " \t")})
				continue
			}
			errs.add(ln, col(indent), "expected key = value, [rule NAME] or # comment")
			inWhen = nil
			continue
		}
		inWhen = nil
		value := strings.TrimRight(line[valOff:], " \t")
		vpos := pos{ln, col(valOff)}
		if cur == nil {
			if key != "version" {
				errs.add(ln, col(indent), fmt.Sprintf("unknown key %q before the first [rule NAME]; only version is allowed here", key))
				continue
			}
			if versionLine != 0 {
				errs.add(ln, col(indent), fmt.Sprintf("duplicate key version (first at line %d)", versionLine))
				continue
			}
			versionLine = ln
			f.versionPos = vpos
			v, err := unquote(value)
			switch {
			case err != nil:
				errs.add(ln, vpos.col, "version: "+err.Error())
			case strings.TrimSpace(v) == "":
				errs.add(ln, vpos.col, "version must not be empty")
			default:
				f.version = v
			}
			continue
		}
		if !validKey(key) {
			errs.add(ln, col(indent), fmt.Sprintf("unknown key %q in rule %s; want when, then, score, reason or doc", key, cur.name))
			continue
		}
		if first, dup := cur.seen[key]; dup {
			errs.add(ln, col(indent), fmt.Sprintf("duplicate key %s in rule %s (first at line %d)", key, cur.name, first))
			continue
		}
		cur.seen[key] = ln
		switch key {
		case "when":
			if value == "" {
				errs.add(ln, vpos.col, "when: empty condition")
				continue
			}
			cur.when = []segment{{vpos, value}}
			inWhen = cur
		case "then":
			cur.then, cur.thenPos = value, vpos
		case "score":
			s, err := strconv.ParseFloat(value, 64)
			if err != nil || s < 0 || s > 1 || s != s {
				errs.add(ln, vpos.col, fmt.Sprintf("score: want a number from 0 to 1, got %q", value))
				continue
			}
			cur.score = s
		case "reason", "doc":
			v, err := unquote(value)
			if err != nil {
				errs.add(ln, vpos.col, key+": "+err.Error())
				continue
			}
			if key == "reason" {
				cur.reason, cur.reasonPos, cur.reasonSrc = v, vpos, value
			} else {
				cur.doc = v
			}
		}
	}
	if versionLine == 0 {
		errs.add(1, 1, `missing version = "..." before the first rule`)
	}
	return f
}

// scanHeader parses "[rule NAME]" (trimmed starts with '[' at column col).
func scanHeader(trimmed string, ln, col int, errs *errorSink) *rawRule {
	body := strings.TrimRight(trimmed, " \t")
	if !strings.HasSuffix(body, "]") {
		errs.add(ln, col, "section header must end with ]")
		return nil
	}
	inner := body[1 : len(body)-1]
	kind := strings.TrimLeft(inner, " \t")
	if !strings.HasPrefix(kind, "rule") || (len(kind) > 4 && kind[4] != ' ' && kind[4] != '\t') {
		errs.add(ln, col, "section header must be [rule NAME]")
		return nil
	}
	afterKind := kind[4:]
	name := strings.TrimSpace(afterKind)
	nameOff := 1 + (len(inner) - len(kind)) + 4 + (len(afterKind) - len(strings.TrimLeft(afterKind, " \t")))
	nameCol := col + utf8.RuneCountInString(body[:nameOff])
	if name == "" {
		errs.add(ln, col, "section header must be [rule NAME]: missing NAME")
		return nil
	}
	if !validRuleName(name) {
		errs.add(ln, nameCol, fmt.Sprintf("invalid rule name %q: use letters, digits, _ and -, starting with a letter, at most 64 characters", name))
		return nil
	}
	return &rawRule{name: name, header: pos{ln, col}, namePos: pos{ln, nameCol}, seen: map[string]int{}}
}

// splitPair recognises "KEY = value" where KEY is an identifier and the '='
// is not part of "==". It returns the key and the byte offset of the value.
func splitPair(line string, indent int) (key string, valOff int, ok bool) {
	i := indent
	for i < len(line) && isIdentByte(line[i], i == indent) {
		i++
	}
	if i == indent {
		return "", 0, false
	}
	key = line[indent:i]
	for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
		i++
	}
	if i >= len(line) || line[i] != '=' || (i+1 < len(line) && line[i+1] == '=') {
		return "", 0, false
	}
	i++
	for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
		i++
	}
	return key, i, true
}

func isIdentByte(c byte, first bool) bool {
	return c == '_' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || (!first && '0' <= c && c <= '9')
}

func validKey(k string) bool {
	for _, rk := range ruleKeys {
		if k == rk {
			return true
		}
	}
	return false
}

func validRuleName(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		letter := ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
		if i == 0 && !letter {
			return false
		}
		if !letter && c != '_' && c != '-' && !('0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// unquote reads a whole value that must be one double-quoted string in Go
// syntax.
func unquote(value string) (string, error) {
	if value == "" || value[0] != '"' {
		return "", fmt.Errorf("want a double-quoted string")
	}
	q, err := strconv.QuotedPrefix(value)
	if err != nil {
		return "", fmt.Errorf("unterminated or invalid string")
	}
	if rest := strings.TrimSpace(value[len(q):]); rest != "" {
		return "", fmt.Errorf("unexpected %q after the closing quote", rest)
	}
	s, err := strconv.Unquote(q)
	if err != nil {
		return "", fmt.Errorf("invalid string: %v", err)
	}
	return s, nil
}

// errorSink collects positioned errors for one file.
type errorSink struct {
	file string
	list ErrorList
}

func (s *errorSink) add(line, col int, msg string) {
	s.list = append(s.list, &Error{File: s.file, Line: line, Col: col, Msg: msg})
}
