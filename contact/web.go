package contact

import (
	"bytes"
	"strings"
)

// knownTLD lists the top-level domains accepted for bare domains and for
// addresses with "点"/"dot" spelled out. Short or word-like TLDs that
// collide with ordinary text (in, it, to, is, js, wang…) are left out.
var knownTLD = map[string]bool{
	"com": true, "cn": true, "net": true, "org": true, "cc": true, "co": true, "io": true,
	"me": true, "ly": true, "gl": true, "im": true, "gd": true, "top": true, "xyz": true,
	"vip": true, "info": true, "biz": true, "tv": true, "hk": true, "tw": true, "jp": true,
	"kr": true, "uk": true, "de": true, "fr": true, "ru": true, "us": true, "app": true,
	"asia": true, "mobi": true, "edu": true, "gov": true, "ai": true, "mp": true, "su": true,
	"club": true, "shop": true, "site": true, "online": true, "store": true, "link": true,
	"live": true, "fun": true, "icu": true, "cyou": true,
}

// pathTLD lists top-level domains that are ordinary words too ("gg"),
// accepted only with a path ("discord.gg/abcd12").
var pathTLD = map[string]bool{"gg": true}

// slashMarker reports whether a path slash, spelled ("slash", "斜杠",
// "斜线") or, after a spelled domain (spelled), written, starts at unit i,
// with up to two spaces on each side. It returns where the path goes on.
func slashMarker(u []unit, i int, spelled bool) (int, bool) {
	j := i
	for j < len(u) && j-i < 2 && isSpace(u[j].r) {
		j++
	}
	switch {
	case j >= len(u):
		return 0, false
	case u[j].r == '/' && spelled:
		j++
	case hasWordAt(u, j, "slash"):
		j += 5
	case j+1 < len(u) && u[j].r == '斜' && (u[j+1].r == '杠' || u[j+1].r == '线'):
		j += 2
	default:
		return 0, false
	}
	for k := 0; j < len(u) && k < 2 && isSpace(u[j].r); k++ {
		j++
	}
	return j, true
}

// mailHosts are mail providers people name without a TLD ("123456@qq",
// "xxx艾特163"), with the TLD they imply.
var mailHosts = map[string]string{
	"qq": "com", "163": "com", "126": "com", "foxmail": "com", "gmail": "com", "sina": "com",
	"sohu": "com", "139": "com", "189": "cn", "yeah": "net", "outlook": "com", "hotmail": "com",
	"aliyun": "com", "icloud": "com", "yahoo": "com", "live": "com", "tom": "com",
}

// atMarker reports whether an "@" (or a spelled form: 艾特, 圈a, at, (at))
// starts at unit i. It returns the end unit and whether it was spelled.
func atMarker(u []unit, i int) (int, bool, bool) {
	if i < 0 || i >= len(u) {
		return 0, false, false
	}
	r := u[i].r
	switch {
	case r == '@':
		return i + 1, false, true
	case r == '#' && i > 0 && isASCIIAlnum(u[i-1].r) && i+1 < len(u) && isASCIIAlnum(u[i+1].r):
		return i + 1, true, true // "name#163.com"
	case r == '艾' && i+1 < len(u) && u[i+1].r == '特':
		return i + 2, true, true
	case r == '圈' && i+1 < len(u) && u[i+1].r == 'a' && (i+2 >= len(u) || !isASCIILetter(u[i+2].r)):
		return i + 2, true, true
	case r == 'a' && i+1 < len(u) && u[i+1].r == 't' && i > 0 && !isASCIIAlnum(u[i-1].r) &&
		(i+2 >= len(u) || !isASCIIAlnum(u[i+2].r)):
		if isSpace(u[i-1].r) || u[i-1].r == '(' || u[i-1].r == '[' || u[i-1].r == '{' {
			e := i + 2
			if e < len(u) && (u[e].r == ')' || u[e].r == ']' || u[e].r == '}') {
				e++
			}
			return e, true, true
		}
	}
	return 0, false, false
}

// dotMarker reports whether a domain dot (".", "。", "点", "dot", "(dot)",
// "dian") starts at unit i; it returns the end unit and whether it was
// spelled out. Spaces around spelled forms are allowed.
func dotMarker(u []unit, i int) (int, bool, bool) {
	if i >= len(u) {
		return 0, false, false
	}
	switch u[i].r {
	case '.':
		if i+2 < len(u) && isSpace(u[i+1].r) && isLabelUnit(u[i+2], false) &&
			(i+3 >= len(u) || !isLabelUnit(u[i+3], true) || isSpace(u[i+3].r)) {
			return i + 2, false, true // ". c o m"
		}
		return i + 1, false, true
	case 0x3002, 0xFF61: // 。｡
		return i + 1, true, true
	}
	j := i
	for j < len(u) && j-i < 2 && isSpace(u[j].r) {
		j++
	}
	if j >= len(u) {
		return 0, false, false
	}
	open := false
	if u[j].r == '(' || u[j].r == '[' || u[j].r == '{' {
		open = true
		j++
	}
	end := -1
	switch {
	case j < len(u) && (u[j].r == '点' || u[j].r == '點'):
		end = j + 1
	case hasWordAt(u, j, "dot"):
		end = j + 3
	case hasWordAt(u, j, "dian"):
		end = j + 4
	}
	if end < 0 {
		return 0, false, false
	}
	if open {
		if end >= len(u) || !(u[end].r == ')' || u[end].r == ']' || u[end].r == '}') {
			return 0, false, false
		}
		end++
	}
	for k := 0; end < len(u) && k < 2 && isSpace(u[end].r); k++ {
		end++
	}
	return end, true, true
}

// hasWordAt reports whether the ASCII word w stands at unit i with no
// letter on either side.
func hasWordAt(u []unit, i int, w string) bool {
	if i > 0 && isASCIILetter(u[i-1].r) {
		return false
	}
	for k := 0; k < len(w); k++ {
		if i+k >= len(u) || u[i+k].r != rune(w[k]) {
			return false
		}
	}
	e := i + len(w)
	return e >= len(u) || !isASCIILetter(u[e].r)
}

func isLabelUnit(x unit, allowNumerals bool) bool {
	if x.r < 0x80 {
		return isASCIIAlnum(x.r) || x.r == '-'
	}
	return allowNumerals && x.d >= 0 && x.soft != 2
}

func labelChar(x unit) byte {
	if x.r < 0x80 {
		return byte(x.r)
	}
	return byte('0' + x.d)
}

// domain is a parsed host name.
type domain struct {
	eu      int // one past its last unit
	name    []byte
	labels  int
	tld     []byte
	spelled bool
}

// parseDomain reads labels separated by dots from unit i.
//
// In an e-mail domain (numerals true) the characters may also be spaced
// out one by one ("q q . c o m").
func parseDomain(u []unit, i int, numerals bool, buf []byte) (domain, bool) {
	return parseDomainSpaced(u, i, numerals, numerals, buf)
}

// parseDomainSpaced is parseDomain; spaced says a dot may have a space on
// each side ("gmail . com", "www . cheapcards . com").
func parseDomainSpaced(u []unit, i int, numerals, spaced bool, buf []byte) (domain, bool) {
	d := domain{name: buf[:0]}
	for {
		st := i
		for i < len(u) && isLabelUnit(u[i], numerals) && i-st < 63 {
			d.name = append(d.name, labelChar(u[i]))
			i++
			if numerals && i+1 < len(u) && isSpace(u[i].r) && isLabelUnit(u[i+1], true) &&
				(i-1 == st || isSpace(u[i-2].r)) && (i+2 >= len(u) || !isLabelUnit(u[i+2], true)) {
				i++ // "q q": single characters spaced out
			}
		}
		le := i
		if spaced && i > st && i+1 < len(u) && isSpace(u[i].r) && (u[i+1].r == '.' || u[i+1].r == 0x3002) {
			i++ // "q q . c o m", "gmail . com"
		}
		if i == st {
			if d.labels == 0 {
				return d, false
			}
			// a dot with no label after it: end before the dot
			d.name = d.name[:len(d.name)-1]
			break
		}
		d.labels++
		d.eu = le
		e, spelled, ok := dotMarker(u, i)
		if ok && i > le && e+1 < len(u) && isSpace(u[e].r) && isLabelUnit(u[e+1], numerals) {
			e++ // a dot with a space on each side: "gmail . com"
		}
		if !ok || e >= len(u) || !isLabelUnit(u[e], numerals) {
			break
		}
		if spelled {
			d.spelled = true
		}
		d.name = append(d.name, '.')
		i = e
	}
	// the last label is the TLD
	d.tld = d.name[bytes.LastIndexByte(d.name, '.')+1:]
	return d, true
}

// isLetters reports whether s is made of ASCII letters only.
func isLetters(s []byte) bool {
	if len(s) == 0 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return true
}

// findEmails appends e-mail candidates.
func (f *finder) findEmails() {
	u := f.u
	for i := 0; i < len(u); i++ {
		ae, spelled, ok := atMarker(u, i)
		if !ok {
			continue
		}
		// local part, leftwards
		j := i
		if spelled || (j > 0 && isSpace(u[j-1].r)) {
			for k := 0; j > 0 && k < 2 && isSpace(u[j-1].r); k++ {
				j--
			}
		}
		if spelled && j > 0 && (u[j-1].r == '(' || u[j-1].r == '[' || u[j-1].r == '{') {
			j-- // "(at)"
			for k := 0; j > 0 && k < 2 && isSpace(u[j-1].r); k++ {
				j--
			}
		}
		le := j
		for j > 0 {
			x := u[j-1]
			if x.r < 0x80 && (isASCIIAlnum(x.r) || x.r == '.' || x.r == '_' || x.r == '-' || x.r == '+') {
				j--
				continue
			}
			if x.d >= 0 && x.soft != 2 {
				j--
				continue
			}
			// spaces or fillers between digits ("1 2 3 艾特 qq 点 com")
			if isSep(x.r) && j-2 >= 0 && u[j-2].d >= 0 && j < le && u[j].d >= 0 {
				j--
				continue
			}
			break
		}
		for j < le && !isLocalEdge(u[j]) {
			j++
		}
		if j >= le {
			continue
		}
		// "insta @cheap.cards.now": a messenger's name, a space, then a
		// handle, not the local part of an address.
		if !spelled && le < i && ae < len(u) && !isSpace(u[ae].r) {
			if k := cueEndingAt(f.cues, le); k >= 0 && f.cues[k].kind == cueOther && f.cues[k].su == j {
				continue
			}
			if isConnectorWord(u, j, le) {
				continue // "my insta is @nail.art": a handle after "is"
			}
		}
		// domain, rightwards
		k := ae
		for n := 0; k < len(u) && n < 2 && isSpace(u[k].r); n++ {
			k++
		}
		dom, ok := parseDomain(u, k, true, f.tmp[:0])
		if !ok {
			continue
		}
		f.tmp = dom.name[:0]
		implied := ""
		switch {
		case dom.labels == 1:
			tld, known := mailHosts[string(dom.name)]
			if !known {
				continue
			}
			implied = "." + tld
		case !isLetters(dom.tld) || len(dom.tld) < 2 || len(dom.tld) > 10:
			continue
		case (spelled || dom.spelled) && !knownTLD[string(dom.tld)]:
			continue
		}
		host := string(dom.name) + implied
		var local []byte
		su := j
		if spelled || dom.spelled {
			// "john dot doe at gmail dot com": labels joined by spelled
			// dots on the left of the local part belong to it.
			su, local = spelledLocalPrefix(u, j, local)
		}
		for x := j; x < le; x++ {
			if isSep(u[x].r) && u[x].r != '.' && u[x].r != '_' && u[x].r != '-' {
				continue
			}
			local = append(local, labelChar(u[x]))
		}
		for len(local) > 0 && (local[len(local)-1] == '.' || local[len(local)-1] == '-') {
			local = local[:len(local)-1]
		}
		if len(local) == 0 || len(local) > 64 {
			continue
		}
		conf := 0.95
		if spelled || dom.spelled {
			conf = 0.85
		}
		f.add(cand{kind: Email, val: string(local) + "@" + host, su: su, eu: dom.eu, cue: -1, conf: conf, prio: prioEmail})
		i = dom.eu - 1
	}
}

// isConnectorWord reports whether units a..b spell an ASCII connector
// word ("is", "me", "at"…).
func isConnectorWord(u []unit, a, b int) bool {
	var w [8]rune
	if b-a > len(w) || b <= a {
		return false
	}
	for x := a; x < b; x++ {
		if !isASCIILetter(u[x].r) {
			return false
		}
		w[x-a] = u[x].r
	}
	return asciiConnectorWord(w[:b-a])
}

// spelledLocalPrefix extends a local part starting at unit j leftwards
// over "<label> dot " groups (also "(dot)", "点", and "underscore",
// "下划线", "dash", "hyphen" for '_' and '-'), at most 4. It returns the
// new start and buf with the labels and their separators appended, in
// order, ready for the rest of the local part.
func spelledLocalPrefix(u []unit, j int, buf []byte) (int, []byte) {
	var starts [4]int
	var seps [4]byte
	n := 0
	for p := j; n < len(starts); {
		q := p
		for k := 0; q > 0 && k < 2 && isSpace(u[q-1].r); k++ {
			q--
		}
		closed := q > 0 && (u[q-1].r == ')' || u[q-1].r == ']')
		if closed {
			q--
		}
		sep := byte('.')
		switch {
		case q > 0 && (u[q-1].r == '点' || u[q-1].r == '點'):
			q--
		case q >= 3 && hasWordAt(u, q-3, "dot"):
			q -= 3
		case q >= 10 && hasWordAt(u, q-10, "underscore"):
			q, sep = q-10, '_'
		case q >= 3 && u[q-3].r == '下' && u[q-2].r == '划' && u[q-1].r == '线':
			q, sep = q-3, '_'
		case q >= 4 && hasWordAt(u, q-4, "dash"):
			q, sep = q-4, '-'
		case q >= 6 && hasWordAt(u, q-6, "hyphen"):
			q, sep = q-6, '-'
		default:
			q = -1
		}
		if q < 0 {
			break
		}
		if closed {
			if q == 0 || !(u[q-1].r == '(' || u[q-1].r == '[') {
				break
			}
			q--
		}
		if q == p {
			break // no space or bracket: "dot" glued to the local part is a name
		}
		for k := 0; q > 0 && k < 2 && isSpace(u[q-1].r); k++ {
			q--
		}
		r := q
		for r > 0 && isLocalASCII(u[r-1].r) {
			r--
		}
		if r == q || r > 0 && isASCIIAlnum(u[r-1].r) {
			break
		}
		starts[n], seps[n], p = r, sep, r
		n++
	}
	if n == 0 {
		return j, buf
	}
	// starts[n-1] is the leftmost label; walk them left to right.
	for i := n - 1; i >= 0; i-- {
		end := starts[i]
		for end < len(u) && isLocalASCII(u[end].r) {
			end++
		}
		for x := starts[i]; x < end; x++ {
			buf = append(buf, byte(u[x].r))
		}
		buf = append(buf, seps[i])
	}
	return starts[n-1], buf
}

// isLocalASCII reports whether r may stand in an e-mail local part.
func isLocalASCII(r rune) bool {
	return r < 0x80 && (isASCIIAlnum(r) || r == '.' || r == '_' || r == '-' || r == '+')
}

func isLocalEdge(x unit) bool {
	if x.r < 0x80 {
		return isASCIIAlnum(x.r)
	}
	return x.d >= 0
}

// urlChar reports whether the ASCII byte may appear in a URL path.
func urlChar(r rune) bool {
	if r >= 0x80 {
		return false
	}
	if isASCIIAlnum(r) {
		return true
	}
	return strings.ContainsRune("-._~:/?#[]@!$&'()*+,;=%", r)
}

// findURLs appends URL candidates: scheme URLs, www. hosts and bare
// domains with a known TLD (short links such as t.cn/xxxx included).
func (f *finder) findURLs() {
	u := f.u
	for i := 0; i < len(u); i++ {
		r := u[i].r
		if !isASCIIAlnum(r) {
			continue
		}
		if i > 0 {
			p := u[i-1].r
			if isASCIIAlnum(p) || p == '.' || p == '-' || p == '_' || p == '@' || p == '/' || u[i-1].d >= 0 {
				continue
			}
		}
		// cheap look-ahead: a domain needs a dot marker after its first label
		k := i
		for k < len(u) && isLabelUnit(u[k], false) {
			k++
		}
		// "www . cheapcards . com": spaced dots after www
		spacedWWW := k-i == 3 && hasWordAt(u, i, "www") && k+2 < len(u) && isSpace(u[k].r) && u[k+1].r == '.'
		if !(k+2 < len(u) && u[k].r == ':' && u[k+1].r == '/') && !spacedWWW {
			if _, _, ok := dotMarker(u, k); !ok {
				i = k
				continue
			}
		}
		start := i
		j := i
		scheme := false
		if hasWordAt(u, i, "http") || hasWordAt(u, i, "https") {
			k := i + 4
			if u[k-1].r == 'p' && k < len(u) && u[k].r == 's' {
				k++
			}
			if k+2 < len(u) && u[k].r == ':' && u[k+1].r == '/' && u[k+2].r == '/' {
				scheme = true
				j = k + 3
			}
		}
		dom, ok := parseDomainSpaced(u, j, false, spacedWWW, f.tmp[:0])
		if !ok {
			continue
		}
		f.tmp = dom.name[:0]
		if dom.eu < len(u) && u[dom.eu].r == '@' {
			continue // the local part of an e-mail address
		}
		www := bytes.HasPrefix(dom.name, []byte("www."))
		if !scheme {
			withPath := dom.eu+1 < len(u) && u[dom.eu].r == '/' && isASCIIAlnum(u[dom.eu+1].r)
			if dom.labels < 2 || !knownTLD[string(dom.tld)] && !(withPath && pathTLD[string(dom.tld)]) {
				continue
			}
			sld := dom.name[:len(dom.name)-len(dom.tld)-1]
			if p := bytes.LastIndexByte(sld, '.'); p >= 0 {
				sld = sld[p+1:]
			}
			tld := string(dom.tld)
			// One-letter names are short links under cn, co and mp, and
			// Telegram's and Messenger's t.me and m.me.
			if len(sld) < 2 && !www && tld != "cn" && tld != "co" && tld != "mp" &&
				!(tld == "me" && len(sld) == 1 && (sld[0] == 't' || sld[0] == 'm')) {
				continue
			}
			if isDigits(sld) && dom.labels == 2 && !mailHostDigits(sld) {
				continue // "1.cn", "2.5.cm"
			}
		} else if dom.labels < 2 && string(dom.name) != "localhost" {
			continue
		}
		host := string(dom.name)
		end := dom.eu
		path := []byte(nil)
		if end < len(u) && (u[end].r == '/' || u[end].r == '?' || u[end].r == ':' && scheme) && !dom.spelled {
			k := end
			for k < len(u) && urlChar(u[k].r) {
				k++
			}
			for k > end && strings.ContainsRune(".,;:!?)'(", u[k-1].r) {
				k--
			}
			for x := end; x < k; x++ {
				path = append(path, byte(u[x].r))
			}
			end = k
		}
		if len(path) == 0 {
			// "t dot me slash cardking": a path spelled out too
			for {
				se, ok := slashMarker(u, end, dom.spelled)
				if !ok {
					break
				}
				k := se
				for k < len(u) && (isASCIIAlnum(u[k].r) || u[k].r == '_' || u[k].r == '-') {
					k++
				}
				if k == se {
					break
				}
				path = append(path, '/')
				for x := se; x < k; x++ {
					path = append(path, byte(u[x].r))
				}
				end = k
			}
		}
		if www {
			host = host[4:]
		}
		conf := 0.9
		if dom.spelled {
			conf = 0.8
		}
		f.add(cand{kind: URL, val: host + string(path), su: start, eu: end, cue: -1, conf: conf, prio: prioURL})
		i = end - 1
	}
}

func isDigits(s []byte) bool {
	if len(s) == 0 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func mailHostDigits(s []byte) bool {
	_, ok := mailHosts[string(s)]
	return ok
}
