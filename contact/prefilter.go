package contact

import "unicode/utf8"

// mayContain is a cheap test run before any normalisation: it reports
// whether text has at least five digit-like runes (a QQ number is the
// shortest value made of digits) or a cue that can announce a value with
// no digits (a WeChat id, a spelled-out e-mail address, a URL). It does
// not allocate.
func mayContain(text string) bool {
	digits := 0
	var word [8]byte // current ASCII word, folded
	wn := 0
	endWord := func() bool {
		hit := wn > 0 && wn <= len(word) && asciiTrigger(word[:wn])
		wn = 0
		return hit
	}
	for i := 0; i < len(text); {
		c := text[i]
		var r rune
		size := 1
		if c < utf8.RuneSelf {
			r = rune(c)
		} else {
			r, size = utf8.DecodeRuneInString(text[i:])
			if r >= 0xFF01 && r <= 0xFF5E {
				r -= 0xFEE0
			} else if h := homoglyph(r); h != 0 {
				r = h
			} else if l := enclosedLetter(r); l != 0 {
				r = l
			}
		}
		i += size
		if r < utf8.RuneSelf {
			if r >= 'A' && r <= 'Z' {
				r += 'a' - 'A'
			}
			if r >= 'a' && r <= 'z' {
				if wn < len(word) {
					word[wn] = byte(r)
				}
				wn++
				continue
			}
			if endWord() {
				return true
			}
			switch {
			case r >= '0' && r <= '9':
				digits++
				if digits >= 5 {
					return true
				}
			case r == '@':
				return true
			case r == '.':
				if i < len(text) && isASCIIAlnum(foldASCII(text[i])) {
					return true
				}
			}
			continue
		}
		if endWord() {
			return true
		}
		if d, _ := cnDigit(r); d >= 0 {
			digits++
		} else if enclosedNumber(r) >= 0 || needsCompat(r) {
			digits++
		} else {
			switch r {
			case '微', '薇', '威', '卫', '徽', '维', '为', '绿', '艾', '圈', '点', '點', '＠', '﹫', '电', '飞', '钉', '陌', '抖', '手':
				return true
			}
		}
		if digits >= 5 {
			return true
		}
	}
	return endWord()
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
		"dot", "dian", "tg", "telegram", "line", "skype", "ins", "whatsapp", "zhifubao", "email", "mail", "tel", "at":
		return true
	}
	return false
}
