package contact

import "unicode/utf8"

// mayContain is a cheap test run before any normalisation: it reports
// whether text has a cluster of at least five digit-like runes (a QQ
// number is the shortest value made of digits; the digits may be broken
// up by a few other marks) or a cue that can announce a value with no
// digits (a WeChat id, a spelled-out e-mail address, a URL). It does not
// allocate.
func mayContain(text string) bool {
	// cl counts the digit-like runes of the current cluster: digits with
	// at most four other marks between them, as in a disguised number.
	cl, gap := 0, 0
	var w words
	vanity := false // capital letters continuing a number ("1-800-FIX-REVW")
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			i++
			upper := c >= 'A' && c <= 'Z'
			if upper {
				c += 'a' - 'A'
			}
			if c >= 'a' && c <= 'z' {
				w.letter(c)
				switch {
				case upper && (vanity || cl >= 3 && i >= 2 && (text[i-2] == '-' || text[i-2] == ' ' || text[i-2] == '.')):
					// a vanity number spells its last seven digits in
					// capitals after the area code
					vanity = true
					if cl, gap = cl+1, 0; cl >= 5 {
						return true
					}
				case c != 'l' && c != 'i' && c != 'o':
					cl, gap, vanity = 0, 0, false
				}
				continue
			}
			if w.n > 0 && w.end() {
				return true
			}
			switch {
			case c >= '0' && c <= '9':
				cl, gap = cl+1, 0
				if cl >= 5 {
					return true
				}
				w.other()
				continue
			case c == '@':
				return true
			case c == '.':
				if i < len(text) && isASCIIAlnum(foldASCII(text[i])) {
					return true
				}
			}
			if c != ' ' && c != '-' && c != '.' && c != '_' && c != ',' {
				w.other()
			}
			if gap++; gap > 4 {
				cl, gap, vanity = 0, 0, false
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		i += size
		if r >= 0x4E00 && r <= 0x9FFF { // CJK ideographs: numerals and cue heads
			if w.n > 0 && w.end() {
				return true
			}
			w.other()
			if d, _ := cnDigit(r); d >= 0 {
				cl, gap = cl+1, 0
				if cl >= 5 {
					return true
				}
				continue
			}
			switch r {
			case '微', '薇', '威', '卫', '徽', '维', '为', '唯', '伟', '绿', '艾', '圈', '点', '點', '电', '電', '飞', '钉', '陌', '抖':
				return true
			case '红': // 小红书, 小红薯, 红薯号
				if n, _ := utf8.DecodeRuneInString(text[i:]); n == '书' || n == '薯' {
					return true
				}
				cl, gap = 0, 0
			case '丶', '丨', '丿':
				if gap++; gap > 4 {
					cl, gap = 0, 0
				}
			default:
				cl, gap = 0, 0
			}
			continue
		}
		if r >= 0xFF01 && r <= 0xFF5E { // full-width ASCII: fold and redo
			r -= 0xFEE0
		} else if h := homoglyph(r); h != 0 {
			r = h
		} else if l := enclosedLetter(r); l != 0 {
			r = l
		}
		if r < utf8.RuneSelf {
			c := byte(foldASCII(byte(r)))
			switch {
			case c >= 'a' && c <= 'z':
				w.letter(c)
				continue
			case c >= '0' && c <= '9':
				cl, gap = cl+1, 0
			case c == '@':
				return true
			}
		} else if d, _ := cnDigit(r); d >= 0 || enclosedNumber(r) >= 0 || needsCompat(r) {
			cl, gap = cl+1, 0
		} else if r == '﹫' || r == '카' { // small commercial at; 카톡 (KakaoTalk)
			return true
		} else if gap++; gap > 4 {
			cl, gap = 0, 0
		}
		if w.n > 0 && w.end() {
			return true
		}
		w.other()
		if cl >= 5 {
			return true
		}
	}
	return w.n > 0 && w.end()
}

// words follows the ASCII words of a text for mayContain: whether one is
// a trigger (also when split in two, "wei xin", "what sapp"), and how
// many digits the spelled digit words in a row name.
type words struct {
	cur  [12]byte // current word, folded
	n    int
	prev [12]byte // the word before, if only a space, '-', '.' or '_' came after it
	pn   int
	dw   int // digits named by the digit words in a row
}

func (w *words) letter(c byte) {
	if w.n < len(w.cur) {
		w.cur[w.n] = c
	}
	w.n++
}

// other notes a character that is neither a letter nor a separator
// between the parts of a split word.
func (w *words) other() { w.pn = 0 }

// end closes the current word and reports whether the text may hold a
// contact because of it.
func (w *words) end() bool {
	n := w.n
	w.n = 0
	if n > len(w.cur) {
		w.pn, w.dw = 0, 0
		return false
	}
	word := w.cur[:n]
	if asciiTrigger(word) {
		return true
	}
	if w.pn > 0 {
		if w.pn+n <= len(w.cur) {
			var both [12]byte
			copy(both[:], w.prev[:w.pn])
			copy(both[w.pn:], word)
			if asciiTrigger(both[:w.pn+n]) {
				return true
			}
		}
		w.pn = 0
	}
	if n <= 5 && splitHead(word) {
		w.prev, w.pn = w.cur, n
	}
	if n >= 2 && n <= 6 && mayBeDigitWord(word[0]) {
		if k := spelledCount(word, w.dw > 0); k > 0 {
			if w.dw += k; w.dw >= 5 {
				return true
			}
			return false
		}
		if n == 4 && string(word) == "plus" {
			return false
		}
	}
	w.dw = 0
	return false
}

// splitHead reports whether a trigger word is often written in two parts
// starting with w ("wei xin", "we chat", "whats app", "tele gram").
func splitHead(w []byte) bool {
	switch string(w) {
	case "wei", "we", "what", "whats", "tele", "insta", "face", "kakao", "ali", "zhifu", "e", "cash", "snap":
		return true
	}
	return false
}

// spelledCount returns how many digits an English word names in a
// spelled-out number: one for a digit word, two for "double", three for
// "triple", one for "oh" inside a number (after a digit word); else 0.
func spelledCount(w []byte, inNumber bool) int {
	switch string(w) {
	case "double":
		return 2
	case "triple":
		return 3
	case "oh":
		if inNumber {
			return 1
		}
		return 0
	}
	if digitWord(string(w)) >= 0 {
		return 1
	}
	return 0
}

// mayBeDigitWord reports whether an English digit word (or "double",
// "plus") can start with c.
func mayBeDigitWord(c byte) bool {
	switch c {
	case 'z', 'o', 't', 'f', 's', 'e', 'n', 'd', 'p':
		return true
	}
	return false
}

// digitWord returns the digit an English number word names, or -1.
func digitWord(w string) int {
	switch w {
	case "zero":
		return 0
	case "one":
		return 1
	case "two":
		return 2
	case "three":
		return 3
	case "four":
		return 4
	case "five":
		return 5
	case "six":
		return 6
	case "seven":
		return 7
	case "eight":
		return 8
	case "nine":
		return 9
	}
	return -1
}

func foldASCII(c byte) rune {
	if c >= 'A' && c <= 'Z' {
		return rune(c + 'a' - 'A')
	}
	return rune(c)
}

// asciiTrigger reports whether an ASCII word can start a contact with no
// digits after it.
func asciiTrigger(w []byte) bool {
	switch string(w) {
	case "q", "qq", "v", "vx", "wx", "weixin", "wechat", "wxid", "zfb", "alipay", "http", "https", "www",
		"dot", "dian", "tg", "telegram", "line", "skype", "ins", "whatsapp", "zhifubao", "email", "mail", "tel", "at",
		"ig", "insta", "instagram", "snapchat", "kik", "discord", "messenger", "viber", "wickr", "facebook", "fb", "venmo", "cashapp", "twitter", "tiktok",
		"kakao", "kakaotalk", "signal", "snap", "xhs":
		return true
	}
	return false
}
