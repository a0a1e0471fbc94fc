package feat

import (
	"slices"
	"unicode/utf8"
)

// Match is one lexicon or scanner hit in normalised text, [Start, End) bytes.
type Match struct {
	Start, End int32
	Cats       Cat
}

type pattern struct {
	b                   []byte
	cats                Cat
	leftFree, rightFree bool
}

// automaton is a byte-level Aho-Corasick machine with a dense transition
// table over byte equivalence classes.
type automaton struct {
	class     [256]uint16
	nclass    int
	delta     []int32 // state*nclass + class -> state
	outs      []int32 // flattened pattern ids per state
	outIdx    []int32 // outs[outIdx[s]:outIdx[s+1]]
	pats      []pattern
	signature uint64
}

var lex = buildAutomaton()

func buildAutomaton() *automaton {
	a := &automaton{}
	seen := map[string]int{}
	for _, e := range lexicon {
		p := pattern{cats: e.c}
		s := e.p
		if len(s) > 1 && s[0] == '~' {
			p.leftFree, s = true, s[1:]
		}
		if len(s) > 1 && s[len(s)-1] == '*' {
			p.rightFree, s = true, s[:len(s)-1]
		}
		p.b = Normalize(s).Norm
		if i, ok := seen[string(p.b)]; ok {
			a.pats[i].cats |= p.cats
			continue
		}
		seen[string(p.b)] = len(a.pats)
		a.pats = append(a.pats, p)
	}
	// Byte classes: each byte used by a pattern gets its own class; all
	// other bytes share class 0.
	a.nclass = 1
	for _, p := range a.pats {
		for _, c := range p.b {
			if a.class[c] == 0 {
				a.class[c] = uint16(a.nclass)
				a.nclass++
			}
		}
	}
	// Trie.
	type node struct {
		next map[uint16]int32
		out  []int32
	}
	nodes := []node{{next: map[uint16]int32{}}}
	for id, p := range a.pats {
		s := int32(0)
		for _, c := range p.b {
			k := a.class[c]
			n, ok := nodes[s].next[k]
			if !ok {
				n = int32(len(nodes))
				nodes = append(nodes, node{next: map[uint16]int32{}})
				nodes[s].next[k] = n
			}
			s = n
		}
		nodes[s].out = append(nodes[s].out, int32(id))
	}
	// Breadth-first failure links, filling the dense table.
	K := a.nclass
	a.delta = make([]int32, len(nodes)*K)
	fail := make([]int32, len(nodes))
	queue := make([]int32, 0, len(nodes))
	for k := 0; k < K; k++ {
		if n, ok := nodes[0].next[uint16(k)]; ok {
			a.delta[k] = n
			queue = append(queue, n)
		}
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		nodes[s].out = append(nodes[s].out, nodes[fail[s]].out...)
		for k := 0; k < K; k++ {
			if n, ok := nodes[s].next[uint16(k)]; ok {
				fail[n] = a.delta[int(fail[s])*K+k]
				a.delta[int(s)*K+k] = n
				queue = append(queue, n)
			} else {
				a.delta[int(s)*K+k] = a.delta[int(fail[s])*K+k]
			}
		}
	}
	a.outIdx = make([]int32, len(nodes)+1)
	for s := range nodes {
		a.outIdx[s] = int32(len(a.outs))
		a.outs = append(a.outs, nodes[s].out...)
	}
	a.outIdx[len(nodes)] = int32(len(a.outs))
	// Signature of the lexicon, stored with the model to catch a stale one.
	h := uint64(14695981039346656037)
	for _, p := range a.pats {
		for _, c := range p.b {
			h = (h ^ uint64(c)) * 1099511628211
		}
		h = (h ^ uint64(p.cats)) * 1099511628211
		if p.leftFree {
			h = (h ^ 1) * 1099511628211
		}
		if p.rightFree {
			h = (h ^ 2) * 1099511628211
		}
	}
	a.signature = h
	return a
}

func isASCIILetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// findMatches returns the lexicon and amount matches in b, with matches that
// lie inside a longer match removed, ordered by start.
func findMatches(b []byte, dst []Match) []Match {
	a := lex
	K := a.nclass
	s := int32(0)
	for i := 0; i < len(b); i++ {
		s = a.delta[int(s)*K+int(a.class[b[i]])]
		for _, id := range a.outs[a.outIdx[s]:a.outIdx[s+1]] {
			p := &a.pats[id]
			end := i + 1
			start := end - len(p.b)
			if !p.leftFree && isASCIILetter(p.b[0]) && start > 0 && isASCIILetter(b[start-1]) {
				continue
			}
			if !p.rightFree && isASCIILetter(p.b[len(p.b)-1]) && end < len(b) && isASCIILetter(b[end]) {
				continue
			}
			dst = append(dst, Match{int32(start), int32(end), p.cats})
		}
	}
	dst = dropInAddresses(b, dst)
	dst = scanAmounts(b, dst)
	slices.SortFunc(dst, func(x, y Match) int {
		if x.Start != y.Start {
			return int(x.Start - y.Start)
		}
		return int(y.End - x.End)
	})
	out := dst[:0]
	maxEnd := int32(-1)
	for _, m := range dst {
		if m.End <= maxEnd {
			continue // inside an earlier, longer match
		}
		out = append(out, m)
		if m.End > maxEnd {
			maxEnd = m.End
		}
	}
	return out
}

func isCNNumeral(r rune) bool {
	switch r {
	case '零', '一', '二', '两', '三', '四', '五', '六', '七', '八', '九', '十', '百', '千', '万', '几':
		return true
	}
	return false
}

var currencySuffix = []string{"块钱", "块", "元", "刀", "rmb", "yuan", "bucks", "buck", "dollars", "dollar", "usd", "美元", "美金", "毛", "w", "k", "quid", "pounds", "euros", "eur", "gbp"}

var countUnits = []string{"天", "次", "个", "件", "号", "月", "年", "小时", "周", "分钟", "秒", "岁", "斤", "米", "码", "寸", "楼", "条", "张", "台", "单", "遍", "点", "%",
	"days", "day", "times", "hours", "hour", "weeks", "week", "pcs", "items", "item", "stars", "months", "years", "minutes", "am", "pm", "th", "nd", "rd", "st"}

// countUnit reports whether b starts with a unit of count or time.
func countUnit(b []byte) bool {
	for _, u := range countUnits {
		if len(b) >= len(u) && string(b[:len(u)]) == u {
			if isASCIILetter(u[0]) && len(b) > len(u) && isASCIILetter(b[len(u)]) {
				continue
			}
			return true
		}
	}
	return false
}

// scanAmounts finds numbers. A number with a currency sign or unit is an
// amount of money; a bare number is only a number.
func scanAmounts(b []byte, dst []Match) []Match {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		digit := r >= '0' && r <= '9'
		if !digit && !isCNNumeral(r) {
			i += size
			continue
		}
		start := i
		j := i
		for j < len(b) {
			r2, s2 := utf8.DecodeRune(b[j:])
			if digit && (r2 >= '0' && r2 <= '9' || (r2 == '.' || r2 == ',') && j+1 < len(b) && b[j+1] >= '0' && b[j+1] <= '9') {
				j += s2
				continue
			}
			if !digit && isCNNumeral(r2) {
				j += s2
				continue
			}
			break
		}
		end := j
		money := false
		// Currency sign before.
		if start > 0 && b[start-1] == '$' {
			money, start = true, start-1
		} else if start >= 2 && string(b[start-2:start]) == "¥" {
			money, start = true, start-2
		} else if start >= 3 && (string(b[start-3:start]) == "€" || string(b[start-3:start]) == "£") {
			money, start = true, start-3
		}
		k := j
		if k < len(b) && b[k] == ' ' {
			k++
		}
		for _, u := range currencySuffix {
			if len(b)-k >= len(u) && string(b[k:k+len(u)]) == u {
				if isASCIILetter(u[0]) && k+len(u) < len(b) && isASCIILetter(b[k+len(u)]) {
					continue
				}
				money, end = true, k+len(u)
				break
			}
		}
		// A number right after a transfer verb is money asked for: "转100",
		// "付50" (also "转我100", where the verb is the lexicon's).
		demand := false
		if !money && start >= 3 {
			switch string(b[start-3 : start]) {
			case "转", "付", "赔", "给":
				money, demand = true, true
			case "拿":
				// "拿300来": bring 300; "拿3件" is a count.
				money, demand = !countUnit(b[k:]), !countUnit(b[k:])
			}
		}
		// "五十块钱的东西", "50块的卡": a price that describes a thing;
		// "三百块买的", "50块买了个…": the price paid for it.
		price := false
		if money && !demand && end < len(b) && (hasPrefixBytes(b[end:], "的") || hasPrefixBytes(b[end:], "买")) {
			money, price = false, true
		}
		switch {
		case price:
			// A match with no category hides the lexicon's 块钱 inside it.
			dst = append(dst, Match{int32(start), int32(end), 0})
		case money && demand:
			dst = append(dst, Match{int32(start - 3), int32(end), CMoney | CAmount | CNumber | CDemand})
		case money:
			dst = append(dst, Match{int32(start), int32(end), CMoney | CAmount | CNumber})
		case digit && j-i <= 5 && !countUnit(b[k:]):
			// A bare number may be a price; a long one (an order or phone
			// number) or one with a unit of count or time is not.
			dst = append(dst, Match{int32(start), int32(end), CNumber})
		}
		i = j
	}
	return dst
}

// paymentHosts are links that are themselves a private payment channel.
var paymentHosts = []string{"paypal.me/", "venmo.com/", "cash.app/", "buymeacoffee.com/", "ko-fi.com/"}

// dropInAddresses removes the lexicon matches that lie inside an email
// address or a link: its words are a name, not speech ("refund.fast@…"
// is no remedy of the order, "cash4u@…" no demand). A payment link
// ("paypal.me/…") becomes one private-payment match.
func dropInAddresses(b []byte, ms []Match) []Match {
	if len(ms) == 0 {
		return ms
	}
	type span struct{ lo, hi int32 }
	var addrs []span
	for i := 0; i < len(b); {
		if b[i] == ' ' || b[i] >= 0x80 {
			i++
			continue
		}
		j := i
		for j < len(b) && b[j] != ' ' && b[j] < 0x80 {
			j++
		}
		if isAddress(b[i:j]) {
			addrs = append(addrs, span{int32(i), int32(j)})
		}
		i = j
	}
	if len(addrs) == 0 {
		return ms
	}
	out := ms[:0]
	for _, m := range ms {
		inside := false
		for _, a := range addrs {
			if m.Start >= a.lo && m.End <= a.hi {
				inside = true
				break
			}
		}
		if !inside {
			out = append(out, m)
		}
	}
	for _, a := range addrs {
		tok := b[a.lo:a.hi]
		for _, h := range paymentHosts {
			if containsBytes(tok, h) {
				out = append(out, Match{a.lo, a.hi, CMoney | CPrivate})
				break
			}
		}
	}
	return out
}

// isAddress reports whether an ASCII token (no spaces) is an email address
// or a link: it has an @ between two characters, a scheme, "www.", or a
// host with a dot and a path.
func isAddress(tok []byte) bool {
	at := -1
	for k, c := range tok {
		if c == '@' {
			at = k
			break
		}
	}
	if at > 0 && at < len(tok)-1 {
		return true
	}
	if containsBytes(tok, "://") || hasPrefixBytes(tok, "www.") {
		return true
	}
	dot, slash := -1, -1
	for k, c := range tok {
		if c == '.' && dot < 0 {
			dot = k
		}
		if c == '/' && slash < 0 {
			slash = k
		}
	}
	return dot > 0 && slash > dot+1 && isASCIILetter(tok[dot+1])
}

func containsBytes(b []byte, s string) bool {
	for i := 0; i+len(s) <= len(b); i++ {
		if string(b[i:i+len(s)]) == s {
			return true
		}
	}
	return false
}

func hasPrefixBytes(b []byte, s string) bool { return len(b) >= len(s) && string(b[:len(s)]) == s }
