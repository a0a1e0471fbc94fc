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
	var word [8]byte // current ASCII word, folded
	wn := 0
	dw := 0 // digit words in a row ("one three eight …")
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			i++
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c >= 'a' && c <= 'z' {
				if wn < len(word) {
					word[wn] = c
				}
				wn++
				if c != 'l' && c != 'i' && c != 'o' {
					cl, gap = 0, 0
				}
				continue
			}
			if wn > 0 {
				if wn <= len(word) && asciiTrigger(word[:wn]) {
					return true
				}
				if wn >= 3 && wn <= 5 && mayBeDigitWord(word[0]) && digitWord(string(word[:wn])) >= 0 {
					if dw++; dw >= 5 {
						return true
					}
				} else {
					dw = 0
				}
				wn = 0
			}
			switch {
			case c >= '0' && c <= '9':
				cl, gap = cl+1, 0
				if cl >= 5 {
					return true
				}
				continue
			case c == '@':
				return true
			case c == '.':
				if i < len(text) && isASCIIAlnum(foldASCII(text[i])) {
					return true
				}
			}
			if gap++; gap > 4 {
				cl, gap = 0, 0
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		i += size
		if r >= 0x4E00 && r <= 0x9FFF { // CJK ideographs: numerals and cue heads
			if wn > 0 {
				if wn <= len(word) && asciiTrigger(word[:wn]) {
					return true
				}
				wn = 0
			}
			if d, _ := cnDigit(r); d >= 0 {
				cl, gap = cl+1, 0
				if cl >= 5 {
					return true
				}
				continue
			}
			switch r {
			case '微', '薇', '威', '卫', '徽', '维', '为', '唯', '伟', '绿', '艾', '圈', '点', '點', '电', '飞', '钉', '陌', '抖':
				return true
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
				if wn < len(word) {
					word[wn] = c
				}
				wn++
				continue
			case c >= '0' && c <= '9':
				cl, gap = cl+1, 0
			case c == '@':
				return true
			}
		} else if d, _ := cnDigit(r); d >= 0 || enclosedNumber(r) >= 0 || needsCompat(r) {
			cl, gap = cl+1, 0
		} else if r == '﹫' {
			return true
		} else if gap++; gap > 4 {
			cl, gap = 0, 0
		}
		if wn > 0 {
			if wn <= len(word) && asciiTrigger(word[:wn]) {
				return true
			}
			wn = 0
		}
		if cl >= 5 {
			return true
		}
	}
	if wn > 0 && wn <= len(word) && digitWord(string(word[:wn])) >= 0 && dw >= 4 {
		return true
	}
	return wn > 0 && wn <= len(word) && asciiTrigger(word[:wn])
}

// mayBeDigitWord reports whether an English digit word can start with c.
func mayBeDigitWord(c byte) bool {
	switch c {
	case 'z', 'o', 't', 'f', 's', 'e', 'n':
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
		"ig", "insta", "instagram", "snapchat", "kik", "discord", "messenger", "viber", "wickr", "facebook", "fb", "venmo", "cashapp", "twitter", "tiktok":
		return true
	}
	return false
}
