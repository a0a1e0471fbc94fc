package contact

import (
	"strings"
	"unicode/utf8"
)

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
	var word [12]byte // current ASCII word, folded
	wn := 0
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
				if wn < len(word) {
					word[wn] = c
				}
				wn++
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
			if wn > 0 {
				if w.pn > 0 || mayMatter(&word, wn) {
					if w.end(word[:], wn) {
						return true
					}
				} else {
					w.dw = 0 // most words: none that mayContain looks for
				}
				wn = 0
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
			if wn > 0 {
				if w.pn > 0 || mayMatter(&word, wn) {
					if w.end(word[:], wn) {
						return true
					}
				} else {
					w.dw = 0 // most words: none that mayContain looks for
				}
				wn = 0
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
		} else if r == '﹫' || r == '카' { // small commercial at; 카톡 (KakaoTalk)
			return true
		} else if gap++; gap > 4 {
			cl, gap = 0, 0
		}
		if wn > 0 {
			if w.pn > 0 || mayMatter(&word, wn) {
				if w.end(word[:], wn) {
					return true
				}
			} else {
				w.dw = 0 // most words: none that mayContain looks for
			}
			wn = 0
		}
		w.other()
		if cl >= 5 {
			return true
		}
	}
	return wn > 0 && (w.pn > 0 || mayMatter(&word, wn)) && w.end(word[:], wn)
}

// words follows the ASCII words of a text for mayContain: whether one is
// a trigger (also when split in two, "wei xin", "we chat"), and how many
// digits the spelled digit words in a row name.
type words struct {
	prev [12]byte // the word before, if it can head a split cue and only a space, '-', '.' or '_' came after it
	pn   int
	dw   int // digits named by the digit words in a row
}

// other notes a character that is neither a letter nor a separator
// between the parts of a split word.
func (w *words) other() { w.pn = 0 }

// mayMatter reports whether word[:n] may be one of the words mayContain
// looks for (see wordLens); most words are not, and skip words.end.
func mayMatter(word *[12]byte, n int) bool {
	return uint(n-1) < 12 && wordLens[word[0]&31][word[n-1]&31]>>n&1 != 0
}

// end closes the current word, cur[:n], when it may be one mayContain
// looks for or may finish a cue written in two parts, and reports whether
// the text may hold a contact because of it.
func (w *words) end(cur []byte, n int) bool {
	if n > len(cur) {
		w.pn, w.dw = 0, 0 // a long word
		return false
	}
	var f uint8
	if wordLens[cur[0]&31][cur[n-1]&31]&(1<<n) != 0 {
		f = wordFlags[string(cur[:n])]
	}
	if f == 0 && w.pn == 0 {
		w.dw = 0 // most words: not a word of interest, no split cue pending
		return false
	}
	word := cur[:n]
	if f&wTrigger != 0 {
		return true
	}
	if w.pn > 0 {
		if w.pn+n <= len(w.prev) {
			var both [12]byte
			copy(both[:], w.prev[:w.pn])
			copy(both[w.pn:], word)
			if wordFlags[string(both[:w.pn+n])]&wTrigger != 0 {
				return true
			}
		}
		w.pn = 0
	}
	if f&wHead != 0 {
		copy(w.prev[:], word)
		w.pn = n
	}
	switch {
	case f&wSpelled != 0:
		k := 1
		switch string(word) {
		case "double":
			k = 2
		case "triple":
			k = 3
		case "plus":
			k = 0 // "plus four four …": the run goes on
		case "oh":
			if w.dw == 0 {
				k = -1 // zero only inside a number
			}
		}
		if k < 0 {
			w.dw = 0
		} else if w.dw += k; w.dw >= 5 {
			return true
		}
	default:
		w.dw = 0
	}
	return false
}

// Flags of the ASCII words mayContain looks for.
const (
	wTrigger = 1 << iota // can start a contact with no digits after it
	wHead                // can head a cue written in two parts ("wei xin")
	wSpelled             // a word of a spelled-out number
)

// wordFlags holds the words mayContain looks for; wordLens[a&31][z&31]
// has bit n set when one of them starts with a, ends with z and is n
// letters long, so that most words are passed over without a lookup.
var (
	wordFlags map[string]uint8
	wordLens  [32][32]uint16
)

func init() {
	wordFlags = make(map[string]uint8)
	add := func(flag uint8, words string) {
		for _, w := range strings.Fields(words) {
			wordFlags[w] |= flag
			wordLens[w[0]&31][w[len(w)-1]&31] |= 1 << len(w)
		}
	}
	add(wTrigger, "q qq v vx wx weixin wechat wxid zfb alipay http https www dot dian tg telegram line skype ins "+
		"whatsapp zhifubao email mail tel at ig insta instagram snapchat kik discord messenger viber wickr facebook fb "+
		"venmo cashapp twitter tiktok kakao kakaotalk signal snap xhs")
	add(wHead, "wei we what whats tele insta face kakao ali zhifu e cash snap")
	add(wSpelled, "zero one two three four five six seven eight nine double triple oh plus")
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
