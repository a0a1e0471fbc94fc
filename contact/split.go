package contact

import "sort"

// A number given in two parts in one message: "我电话前七位 1381234，后四
// 位 5678", "手机尾号 8000，前面是138 0013", "call me 415 555 ... 0132".
// Each part is too short to be a contact; together, after a phone cue,
// they make a valid number.

// splitGapMax bounds the units between the two parts of a split number.
const splitGapMax = 16

// splitPhones adds a phone candidate for each pair of digit runs that a
// phone, WeChat or Alipay cue announces and that make a Chinese mobile
// (or, eleven digits short of one, a North American number) together.
// The first part may be the tail when the text says so ("尾号 8000，前面
// 是 138 0013").
func (f *finder) splitPhones() {
	u, runs := f.u, f.runs
	for a := 0; a < len(runs); a++ {
		ra := &runs[a]
		if ra.n < 3 || ra.n > 8 {
			continue
		}
		// the next run of three or more digits; shorter ones ("四" of
		// 后四位) are words of the gap
		b := a + 1
		for b < len(runs) && runs[b].n < 3 && u[runs[b].su].soft != 0 {
			b++
		}
		if b == len(runs) {
			return
		}
		rb := &runs[b]
		total := ra.n + rb.n
		if total != 11 && total != 10 || rb.n < 3 || rb.n > 8 || rb.su-ra.eu > splitGapMax {
			continue
		}
		k := f.splitCue(ra.su)
		if k < 0 {
			continue
		}
		marks, ok := splitGap(u, ra.eu, rb.su)
		if !ok {
			continue
		}
		head, tail := ra, rb
		if marks&markHead != 0 || tailWordBefore(u, f.cues[k].eu, ra.su) {
			head, tail = rb, ra // "尾号 8000，前面是 138 0013"
		}
		var d [16]byte
		n := copy(d[:], head.digits())
		n += copy(d[n:], tail.digits())
		var ph phoneResult
		switch {
		case n == 11 && d[0] == '1' && d[1] >= '3':
			ph, ok = validateCN(d[:n], false)
			ok = ok && ph.mobile
		case n == 10 && f.cues[k].kind == cuePhone:
			ph, ok = parseNANP(d[:n])
		default:
			ok = false
		}
		if !ok {
			continue
		}
		c := cand{kind: Phone, val: ph.e164, su: ra.su, eu: rb.eu, cue: k, conf: confCued, prio: prioCued}
		if f.cues[k].kind == cueAlipay {
			c.kind, c.prio = Alipay, prioAlipay
		}
		f.add(c)
		a = b
	}
}

// splitCue returns the phone, WeChat or Alipay cue announcing a number
// that starts at unit i, or -1: the cue ends at most 12 units before i,
// with no digit between ("手机尾号 8000" passes the 尾号 of the tail).
func (f *finder) splitCue(i int) int {
	last := sort.Search(len(f.cues), func(k int) bool { return f.cues[k].eu > i }) - 1
	for k := last; k >= 0; k-- {
		c := f.cues[k]
		if c.eu > i {
			continue
		}
		if i-c.eu > 12 {
			return -1
		}
		switch c.kind {
		case cuePhone, cueWeChat, cueAlipay:
			for x := c.eu; x < i; x++ {
				if u := f.u[x]; u.d >= 0 && u.soft == 0 {
					return -1
				}
			}
			return k
		case cueNeg:
			if !isTailCue(f.u, c) {
				return -1 // "订单号 …"
			}
		default:
			return -1
		}
	}
	return -1
}

// isTailCue reports whether the negative cue c is 尾号 ("the last digits
// of"), which names a part of a phone number as well as of an order.
func isTailCue(u []unit, c cue) bool {
	return c.eu-c.su == 2 && u[c.su].r == '尾' && u[c.su+1].r == '号'
}

// Marks found between the two parts of a split number.
const (
	markHead = 1 << iota // the second part is the head: "前面是", "前七位", "first"
	markTail             // the second part is the tail: "后四位", "尾号", "last"
)

// splitGap checks the units between two parts of a number: separators,
// punctuation, numerals of words such as 后四位, and words that say which
// part comes ("前面是", "后四位", "then the last four"). It reports which
// part the second one is, and false if anything else lies between.
func splitGap(u []unit, a, b int) (int, bool) {
	marks := 0
	for i := a; i < b; i++ {
		x := u[i]
		switch {
		case isPunctConnector(x.r):
		case x.d >= 0 && x.soft != 0: // 四 of 后四位
		case x.r == '前' || x.r == '开' || x.r == '头':
			marks |= markHead
		case x.r == '后' || x.r == '後' || x.r == '尾' || x.r == '末' || x.r == '剩':
			marks |= markTail
		case isWordConnector(x.r) || x.r == '位' || x.r == '面' || x.r == '余' || x.r == '最' || x.r == '再' || x.r == '然':
		case isASCIILetter(x.r):
			j := i
			for j < b && isASCIILetter(u[j].r) {
				j++
			}
			switch m := splitWord(u[i:j]); m {
			case -1:
				return 0, false
			default:
				marks |= m
			}
			i = j - 1
		default:
			return 0, false
		}
	}
	return marks, marks&(markHead|markTail) != markHead|markTail
}

// splitWord returns the mark of an English word between the parts of a
// number, 0 for a neutral word, -1 for a word that may not stand there.
func splitWord(w []unit) int {
	var b [8]byte
	if len(w) > len(b) {
		return -1
	}
	for i, x := range w {
		b[i] = byte(x.r)
	}
	switch string(b[:len(w)]) {
	case "first", "start", "starts", "begins":
		return markHead
	case "last", "rest", "ends", "then":
		return markTail
	case "and", "the", "is", "are", "digits", "with", "four", "three", "seven", "six":
		return 0
	}
	return -1
}

// tailWordBefore reports whether a word naming the tail of a number (尾,
// 后, 末, "last") stands between units a and b.
func tailWordBefore(u []unit, a, b int) bool {
	for i := a; i < b; i++ {
		switch u[i].r {
		case '尾', '后', '後', '末':
			return true
		case 'l':
			if hasWordAt(u, i, "last") {
				return true
			}
		}
	}
	return false
}
