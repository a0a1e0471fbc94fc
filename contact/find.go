package contact

import (
	"sort"
	"strings"
	"unicode/utf8"
)

// Confidence levels.
const (
	confCued      = 0.95 // value announced by a strong cue
	confWeakCue   = 0.75 // value after a weak cue ("q", "扣", "v")
	confAfterCue  = 0.85 // cue written after the value
	confBareMob   = 0.85 // valid mobile number, no cue
	confBareFixed = 0.7  // valid landline or service number, no cue
	confPlus      = 0.9  // international number with '+'
)

// evalRun turns a digit run into a candidate, or drops it.
func (f *finder) evalRun(r *run) {
	u := f.u
	if r.n < 5 || r.n > 20 {
		return
	}
	vsu := r.su
	if r.plus >= 0 {
		vsu = r.plus
	}
	// digits right before an "@" are the local part of an e-mail address
	if k := skipSpaces(u, r.eu, 1); k < len(u) {
		if _, _, ok := atMarker(u, k); ok {
			return
		}
	}
	bc := backCue(u, f.cues, vsu)
	if bc < 0 {
		bc = f.alipayNear(vsu)
	}
	kind := cueKind(0)
	weak, after := false, false
	if bc >= 0 {
		kind, weak = f.cues[bc].kind, f.cues[bc].weak
	} else {
		if f.codeOrAmount(r) || f.negBefore(vsu) {
			return
		}
		if fc := forwardCue(u, f.cues, r.eu); fc >= 0 {
			bc, kind, after = fc, f.cues[fc].kind, true
		}
	}
	d := r.digits()
	ph, phOK := parsePhone(d, r.plus >= 0)
	if r.plus < 0 && nanpGrouped(f.text[u[r.su].s:u[r.eu-1].e]) && !hasHan(f.text) {
		// "1-800-555-0199", "(415) 555-0132" in an English message:
		// grouped the North American way (Chinese 400/800 numbers are
		// grouped so too, in Chinese messages).
		if nph, ok := parseNANP(d); ok {
			ph, phOK = nph, true
		}
	}
	if !phOK && bc >= 0 && (kind == cuePhone || kind == cueOther) {
		// "call (415) 555-0132": after a phone cue, a number that is
		// not Chinese may be North American, written without +1.
		ph, phOK = parseNANP(d)
		if !phOK && r.n >= 11 && d[0] != '0' && d[0] != '1' && f.text[u[f.cues[bc].su].s] < utf8.RuneSelf {
			// "WhatsApp me: 44 7911 123456": after an English phone
			// cue, a country code written without its '+'
			ph, phOK = validate("+" + string(d))
		}
	}
	qqOK := r.n >= 5 && r.n <= 11 && d[0] != '0'
	c := cand{su: r.su, eu: r.eu, cue: bc, prio: prioCued, conf: confCued}
	if r.plus >= 0 {
		c.su = r.plus
	}
	if weak {
		c.conf = confWeakCue
	} else if after {
		c.conf = confAfterCue
	}
	switch kind {
	case cueQQ:
		switch {
		case phOK && ph.mobile:
			c.kind, c.val = Phone, ph.e164
		case qqOK:
			c.kind, c.val = QQ, string(d)
		default:
			return
		}
	case cueWeChat:
		switch {
		case phOK:
			c.kind, c.val = Phone, ph.e164
		case qqOK && bc > 0 && f.cues[bc-1].kind == cueQQ && joined(u, f.cues[bc-1].eu, f.cues[bc].su):
			// "扣扣/微信同号 385721906": a QQ number that also logs in to WeChat
			c.kind, c.val, c.cue = QQ, string(d), bc-1
		case qqOK:
			c.kind, c.val = WeChat, string(d)
		default:
			return
		}
	case cuePhone:
		if !phOK {
			return
		}
		c.kind, c.val = Phone, ph.e164
	case cueAlipay:
		if !phOK {
			return
		}
		c.kind, c.val, c.prio = Alipay, ph.e164, prioAlipay
	case cueMail:
		switch {
		case qqOK && bc > 0 && f.cues[bc-1].kind == cueQQ && f.cues[bc-1].eu == f.cues[bc].su:
			c.kind, c.val, c.prio = Email, string(d)+"@qq.com", prioEmail
		case phOK:
			c.kind, c.val = Phone, ph.e164
		default:
			return
		}
	case cueOther:
		switch {
		case phOK:
			c.kind, c.val = Phone, ph.e164
		case weak:
			return // "signal 12345": a phone number or nothing
		case r.n >= 5 && r.n <= 15:
			c.kind, c.val, c.prio = Other, string(d), prioOther
		default:
			return
		}
	default:
		if !phOK {
			return
		}
		c.kind, c.val, c.prio, c.cue = Phone, ph.e164, prioPhoneBare, -1
		switch {
		case r.plus >= 0:
			c.conf = confPlus
		case ph.mobile:
			c.conf = confBareMob
		default:
			c.conf = confBareFixed
		}
	}
	if c.kind == Phone && c.cue < 0 && ph.cc86 {
		c.cueTxt = "+86"
	}
	f.add(c)
}

// joined reports whether only punctuation or "和/或/及" lies between units
// a and b ("QQ/微信", "QQ和微信").
func joined(u []unit, a, b int) bool {
	if b-a > 3 {
		return false
	}
	for ; a < b; a++ {
		if r := u[a].r; !isPunctConnector(r) && r != '和' && r != '或' && r != '及' {
			return false
		}
	}
	return true
}

func skipSpaces(u []unit, i, max int) int {
	for k := 0; i < len(u) && k < max && isSpace(u[i].r); k++ {
		i++
	}
	return i
}

// codeOrAmount reports whether an uncued run is part of a product code
// (SF1234…, RTX4090, SKU-12345), an amount (¥50, 50元), or a time.
func (f *finder) codeOrAmount(r *run) bool {
	u := f.u
	if p := r.su - 1; p >= 0 {
		if (u[p].r == '-' || u[p].r == '_' || u[p].r == '#') && p > 0 {
			p--
		}
		if isASCIILetter(u[p].r) {
			return true
		}
		q := r.su - 1
		if isSpace(u[q].r) && q > 0 {
			q--
		}
		switch u[q].r {
		case '¥', '￥', '$', '€', '£':
			return true
		case ':':
			if q > 0 && u[q-1].d >= 0 {
				return true
			}
		}
	}
	if r.eu < len(u) {
		n := u[r.eu]
		if isASCIILetter(n.r) {
			return true
		}
		if n.r == ':' && r.eu+1 < len(u) && u[r.eu+1].d >= 0 {
			return true
		}
		k := skipSpaces(u, r.eu, 1)
		if k < len(u) {
			switch u[k].r {
			case '元', '块', '角', '毛', '%', '个', '件', '岁', '年', '月', '日', '天', '次', '张', '份', '台',
				'只', '条', '包', '箱', '斤', '克', '米', '万', '千', '百', '亿', '¥', '￥', '位', '人', '单', '笔', '期':
				return true
			}
		}
	}
	return false
}

// alipayNear returns an Alipay cue shortly before unit i with only a name
// and punctuation between ("支付宝：张三 138…"), or -1.
func (f *finder) alipayNear(i int) int {
	k := sort.Search(len(f.cues), func(k int) bool { return f.cues[k].eu > i }) - 1
	if k < 0 || f.cues[k].kind != cueAlipay || i-f.cues[k].eu > 8 {
		return -1
	}
	for x := f.cues[k].eu; x < i; x++ {
		if r := f.u[x].r; !(r >= 0x3400 && r <= 0x9FFF) && !isPunctConnector(r) {
			return -1
		}
	}
	return k
}

// negBefore reports whether a negative cue (订单号, 快递, 卡号…) stands
// shortly before unit i with no other cue in between.
func (f *finder) negBefore(i int) bool {
	k := sort.Search(len(f.cues), func(k int) bool { return f.cues[k].eu > i }) - 1
	return k >= 0 && f.cues[k].kind == cueNeg && i-f.cues[k].eu <= 14
}

// findIDs finds WeChat ids and other messenger ids written after a cue,
// and WeChat's own "wxid_…" ids anywhere.
func (f *finder) findIDs() {
	u := f.u
	for k, c := range f.cues {
		if c.kind != cueWeChat && c.kind != cueOther {
			continue
		}
		vs, explicit := valueStart(u, c.eu, c.weak)
		if vs < 0 {
			continue
		}
		handle := c.kind == cueOther && (u[vs].r == '@' || u[vs].r == '$') // "@name", cashapp's "$name"
		if !isASCIILetter(u[vs].r) && !handle {
			continue
		}
		ascii := f.text[u[c.su].s] < utf8.RuneSelf
		if c.kind == cueOther && c.weak && !weakOtherOK(ascii, explicit, handle) {
			continue
		}
		if cueStartingAt(f.cues, vs) >= 0 {
			continue // another cue ("微信/qq/whatsapp")
		}
		st := vs
		if handle {
			st++
		}
		tok, e, letters := f.token(st)
		if len(tok) == 1 {
			// "微信 x i a o m e i 8 8": one character at a time, to get
			// past a filter that looks for words.
			if t2, e2, l2, ok := f.spacedToken(st); ok {
				tok, e, letters = t2, e2, l2
			}
		}
		dotted := false
		if handle || c.kind == cueOther && explicit {
			// "insta @cheap.cards.now", "fb: john.smith.123": Instagram,
			// Facebook, Skype and others allow dots inside a handle.
			for e+1 < len(u) && u[e].r == '.' && isASCIIAlnum(u[e+1].r) {
				part, e2, _ := f.token(e + 1)
				if len(part) == 0 {
					break
				}
				tok = tok + "." + part
				e = e2
				dotted = true
			}
			if dotted && !handle && (webTLD[tok[strings.LastIndexByte(tok, '.')+1:]] || e < len(u) && u[e].r == '/') {
				continue // "skype: shop.com", "fb: fb.com/x": a URL, found elsewhere
			}
		}
		if e < len(u) && (u[e].r == '@' || (u[e].r == '.' && e+1 < len(u) && isASCIIAlnum(u[e+1].r))) {
			continue // e-mail or URL, found elsewhere
		}
		if _, _, ok := atMarker(u, skipSpaces(u, e, 1)); ok && e < len(u) {
			continue
		}
		if handle {
			explicit = true // "insta @shopfixer": a handle
		}
		if letters && ascii && !explicit {
			continue // "wechat please": needs "wechat: name"
		}
		switch c.kind {
		case cueWeChat:
			if len(tok) < 6 || len(tok) > 20 {
				continue
			}
			conf := confCued
			if c.weak {
				conf = confWeakCue
			}
			f.add(cand{kind: WeChat, val: tok, su: vs, eu: e, cue: k, conf: conf, prio: prioCued})
		case cueOther:
			if len(tok) < 4 || len(tok) > 32 {
				continue
			}
			prio := prioOther
			if dotted {
				prio = prioCued // "skype: john.doe.shop" is a name, not a web site
			}
			f.add(cand{kind: Other, val: tok, su: vs, eu: e, cue: k, conf: 0.7, prio: prio})
		}
	}
	for i := 0; i+5 < len(u); i++ {
		if u[i].r == 'w' && hasPrefixAt(u, i, "wxid_") && (i == 0 || !isASCIIAlnum(u[i-1].r)) {
			tok, e, _ := f.token(i)
			if len(tok) >= 8 && len(tok) <= 30 {
				f.add(cand{kind: WeChat, val: tok, su: i, eu: e, cue: -1, cueTxt: "wxid_", conf: confCued, prio: prioCued})
			}
			i = e
		}
	}
}

// webTLD lists the top-level domains of web sites: after a messenger
// cue, a dotted name ending in one is a link, not a handle.
var webTLD = map[string]bool{
	"com": true, "net": true, "org": true, "cn": true, "io": true, "co": true, "me": true,
	"cc": true, "ly": true, "gg": true, "tv": true, "info": true, "biz": true, "top": true,
	"xyz": true, "vip": true, "uk": true, "us": true, "hk": true, "tw": true, "jp": true, "kr": true,
}

// weakOtherOK reports whether a weak messenger cue announces the id after
// it: a CJK one ("飞机") only an "@handle", an ASCII one ("signal",
// "snap") a handle or a value after a colon or a word such as "id".
func weakOtherOK(asciiCue, explicit, handle bool) bool {
	if asciiCue {
		return explicit || handle
	}
	return handle
}

// token reads an id made of ASCII letters, digits, '_' and '-' from unit
// i. It returns the id (trailing '-' and '_' dropped), its end unit, and
// whether it is letters only.
func (f *finder) token(i int) (string, int, bool) {
	u := f.u
	b := f.tmp[:0]
	e := i
	letters := true
	for e < len(u) && e-i < 33 && (isASCIIAlnum(u[e].r) || u[e].r == '_' || u[e].r == '-') {
		if !isASCIILetter(u[e].r) {
			letters = false
		}
		b = append(b, byte(u[e].r))
		e++
	}
	for len(b) > 0 && (b[len(b)-1] == '-' || b[len(b)-1] == '_') {
		b = b[:len(b)-1]
		e--
	}
	f.tmp = b[:0]
	return string(b), e, letters
}

// spacedToken reads an id written one ASCII letter or digit at a time,
// each separated from the next by one space, from unit i: at least 6 and
// at most 20 characters. It returns the id, its end unit, whether it is
// letters only, and whether there was one.
func (f *finder) spacedToken(i int) (string, int, bool, bool) {
	u := f.u
	var b [20]byte
	n, letters, e := 0, true, i
	for e < len(u) && n < len(b) && isASCIIAlnum(u[e].r) && (e+1 == len(u) || !isASCIIAlnum(u[e+1].r)) {
		if !isASCIILetter(u[e].r) {
			letters = false
		}
		b[n] = byte(u[e].r)
		n++
		e++
		if e+1 < len(u) && u[e].r == ' ' && isASCIIAlnum(u[e+1].r) {
			e++
			continue
		}
		break
	}
	if n < 6 {
		return "", 0, false, false
	}
	return string(b[:n]), e, letters, true
}

// alipayEmails relabels e-mail candidates announced by an Alipay cue.
func (f *finder) alipayEmails() {
	var reach map[int]int // value start unit -> Alipay cue
	for k, c := range f.cues {
		if c.kind != cueAlipay {
			continue
		}
		if vs, _ := valueStart(f.u, c.eu, false); vs >= 0 {
			if reach == nil {
				reach = make(map[int]int)
			}
			reach[vs] = k
		}
	}
	if reach == nil {
		return
	}
	for i := range f.cands {
		c := &f.cands[i]
		k, ok := reach[c.su]
		if !ok || c.kind != Email {
			continue
		}
		cu := f.cues[k]
		c.kind, c.prio, c.cue = Alipay, prioAlipay, k
		c.cueTxt = f.text[f.u[cu.su].s:f.u[cu.eu-1].e]
	}
}

// nanpGrouped reports whether s, the text of a digit run, is written in
// North American groups: 3-3-4 digits, optionally after a trunk 1, with
// the area code in parentheses or each group separated by a hyphen, dot
// or space ("1-800-555-0199", "(415) 555-0132", "415.555.0132").
func nanpGrouped(s string) bool {
	var groups [5]int
	n, cur, parens := 0, 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			cur++
		case c == '-' || c == '.' || c == ' ' || c == '(' || c == ')':
			if c == '(' {
				parens = true
			}
			if cur > 0 {
				if n == len(groups) {
					return false
				}
				groups[n], n, cur = cur, n+1, 0
			}
		default:
			return false
		}
	}
	if cur > 0 {
		if n == len(groups) {
			return false
		}
		groups[n], n = cur, n+1
	}
	g := groups[:n]
	if len(g) == 4 && g[0] == 1 {
		g = g[1:]
	}
	return len(g) == 3 && g[0] == 3 && g[1] == 3 && g[2] == 4 || parens && len(g) == 3 && g[0] == 3
}

// hasHan reports whether s contains a CJK ideograph.
func hasHan(s string) bool {
	for _, r := range s {
		if r >= 0x4E00 && r <= 0x9FFF {
			return true
		}
	}
	return false
}
