package contact

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// unit is one normalised rune together with the byte range of the original
// text it was produced from. A single original rune may yield two units
// (circled "⑩" gives '1' and '0'); both carry the same range.
type unit struct {
	s, e int32 // original byte range, end exclusive
	r    rune  // folded rune: ASCII letters lower-cased, full-width folded, homoglyphs mapped
	d    int8  // digit value 0..9, or -1
	soft uint8 // 0: plain digit; 1: Chinese numeral; 2: numeral that counts only between digits
}

const noDigit = -1

// digitish reports whether u may stand for a digit, ignoring context.
func (u unit) digitish() bool { return u.d >= 0 }

// isASCIILetter reports whether the folded rune is a lower-case ASCII letter.
func isASCIILetter(r rune) bool { return r >= 'a' && r <= 'z' }

func isASCIIDigit(r rune) bool { return r >= '0' && r <= '9' }

func isASCIIAlnum(r rune) bool { return isASCIILetter(r) || isASCIIDigit(r) }

// cnDigit maps Chinese numerals (ordinary, financial and the radio-call
// forms) to a digit. The second result is the softness: 1 for numerals
// that read as digits on their own, 2 for characters that are ordinary
// words as well and count only between other digits.
func cnDigit(r rune) (int8, uint8) {
	switch r {
	case '〇', '零', '○', '◯':
		return 0, 1
	case '一', '壹', '幺', '弌':
		return 1, 1
	case '二', '贰', '貳', '弍':
		return 2, 1
	case '两', '兩':
		return 2, 2
	case '三', '叁', '參', '弎':
		return 3, 1
	case '四', '肆':
		return 4, 1
	case '五', '伍':
		return 5, 1
	case '六', '陆', '陸':
		return 6, 1
	case '七', '柒':
		return 7, 1
	case '八', '捌':
		return 8, 1
	case '九', '玖':
		return 9, 1
	case '洞': // radio-call zero
		return 0, 2
	case '拐': // radio-call seven
		return 7, 2
	case '勾': // radio-call nine
		return 9, 2
	}
	return noDigit, 0
}

// homoglyph maps Cyrillic and Greek letters that look like Latin ones.
func homoglyph(r rune) rune {
	switch r {
	case 'а', 'А', 'α', 'Α':
		return 'a'
	case 'в', 'В', 'β', 'Β':
		return 'b'
	case 'с', 'С', 'ϲ', 'Ϲ':
		return 'c'
	case 'е', 'Е', 'ε', 'Ε':
		return 'e'
	case 'н', 'Н', 'Η':
		return 'h'
	case 'і', 'І', 'ι', 'Ι':
		return 'i'
	case 'ј', 'Ј':
		return 'j'
	case 'к', 'К', 'κ', 'Κ':
		return 'k'
	case 'м', 'М', 'Μ':
		return 'm'
	case 'Ν':
		return 'n'
	case 'о', 'О', 'ο', 'Ο':
		return 'o'
	case 'р', 'Р', 'ρ', 'Ρ':
		return 'p'
	case 'ԛ', 'Ԛ':
		return 'q'
	case 'ѕ', 'Ѕ':
		return 's'
	case 'т', 'Т', 'τ', 'Τ':
		return 't'
	case 'υ':
		return 'u'
	case 'ν', 'ѵ', 'Ѵ':
		return 'v'
	case 'ԝ', 'Ԝ':
		return 'w'
	case 'х', 'Х', 'χ', 'Χ':
		return 'x'
	case 'у', 'У', 'Υ':
		return 'y'
	case 'Ζ':
		return 'z'
	// small capitals ("ᴍɪɴɢ_ʏᴜᴇ")
	case 'ᴀ':
		return 'a'
	case 'ʙ':
		return 'b'
	case 'ᴄ':
		return 'c'
	case 'ᴅ':
		return 'd'
	case 'ᴇ':
		return 'e'
	case 'ꜰ':
		return 'f'
	case 'ɢ':
		return 'g'
	case 'ʜ':
		return 'h'
	case 'ɪ':
		return 'i'
	case 'ᴊ':
		return 'j'
	case 'ᴋ':
		return 'k'
	case 'ʟ':
		return 'l'
	case 'ᴍ':
		return 'm'
	case 'ɴ':
		return 'n'
	case 'ᴏ':
		return 'o'
	case 'ᴘ':
		return 'p'
	case 'ʀ':
		return 'r'
	case 'ꜱ':
		return 's'
	case 'ᴛ':
		return 't'
	case 'ᴜ':
		return 'u'
	case 'ᴠ':
		return 'v'
	case 'ᴡ':
		return 'w'
	case 'ʏ':
		return 'y'
	case 'ᴢ':
		return 'z'
	}
	return 0
}

// enclosedNumber returns the number shown by circled, parenthesised and
// full-stop digit forms (①⑴⒈❶➀⓵㈠㊀…), or -1.
func enclosedNumber(r rune) int {
	switch {
	case r >= 0x2460 && r <= 0x2473: // ①..⑳
		return int(r-0x2460) + 1
	case r >= 0x2474 && r <= 0x2487: // ⑴..⒇
		return int(r-0x2474) + 1
	case r >= 0x2488 && r <= 0x249B: // ⒈..⒛
		return int(r-0x2488) + 1
	case r == 0x24EA || r == 0x24FF || r == 0x1F10B || r == 0x1F10C: // ⓪ ⓿
		return 0
	case r >= 0x24EB && r <= 0x24F4: // ⓫..⓴
		return int(r-0x24EB) + 11
	case r >= 0x24F5 && r <= 0x24FE: // ⓵..⓾
		return int(r-0x24F5) + 1
	case r >= 0x3220 && r <= 0x3229: // ㈠..㈩ (parenthesised ideographs)
		return int(r-0x3220) + 1
	case r >= 0x3280 && r <= 0x3289: // ㊀..㊉ (circled ideographs)
		return int(r-0x3280) + 1
	case r >= 0x2776 && r <= 0x277F: // ❶..❿
		return int(r-0x2776) + 1
	case r >= 0x2780 && r <= 0x2789: // ➀..➉
		return int(r-0x2780) + 1
	case r >= 0x278A && r <= 0x2793: // ➊..➓
		return int(r-0x278A) + 1
	case r >= 0x1F100 && r <= 0x1F10A: // 🄀 🄁..🄊 digit full stop / comma
		if r == 0x1F100 {
			return 0
		}
		return int(r - 0x1F101)
	case r >= 0x1D7CE && r <= 0x1D7FF: // mathematical digits
		return int(r-0x1D7CE) % 10
	}
	return -1
}

// enclosedLetter maps circled, parenthesised, squared and regional-indicator
// letters to ASCII lower case, or returns 0.
func enclosedLetter(r rune) rune {
	switch {
	case r >= 0x249C && r <= 0x24B5: // ⒜..⒵
		return 'a' + (r - 0x249C)
	case r >= 0x24B6 && r <= 0x24CF: // Ⓐ..Ⓩ
		return 'a' + (r - 0x24B6)
	case r >= 0x24D0 && r <= 0x24E9: // ⓐ..ⓩ
		return 'a' + (r - 0x24D0)
	case r >= 0x1F110 && r <= 0x1F129: // 🄐..🄩
		return 'a' + (r - 0x1F110)
	case r >= 0x1F130 && r <= 0x1F149: // 🄰..🅉
		return 'a' + (r - 0x1F130)
	case r >= 0x1F150 && r <= 0x1F169: // 🅐..🅩
		return 'a' + (r - 0x1F150)
	case r >= 0x1F170 && r <= 0x1F189: // 🅰..🆉
		return 'a' + (r - 0x1F170)
	case r >= 0x1F1E6 && r <= 0x1F1FF: // regional indicators 🇦..🇿
		return 'a' + (r - 0x1F1E6)
	}
	return 0
}

// needsCompat reports whether r lies in a block where the NFKC
// compatibility decomposition can reveal an ASCII letter or digit
// (superscripts, letter-like symbols, mathematical alphanumerics).
func needsCompat(r rune) bool {
	return (r >= 0xAA && r <= 0xBF) || (r >= 0x2070 && r <= 0x209F) ||
		(r >= 0x2100 && r <= 0x214F) || (r >= 0x1D400 && r <= 0x1D7CD) ||
		(r >= 0xFB00 && r <= 0xFB06)
}

// isSpace reports whether the folded rune is white space.
func isSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\r', '\v', '\f', 0xA0, 0x3000, 0x2028, 0x2029, 0x202F, 0x205F:
		return true
	}
	return r >= 0x2000 && r <= 0x200A
}

// isFiller reports whether r is a mark people put between the characters
// of a number or a word to break it up: punctuation-like marks, emoji,
// zero-width and variation characters. Commas and full stops are not
// fillers (see isWeakSep); '.' and '-' are.
func isFiller(r rune) bool {
	if r < 0x80 {
		switch r {
		case '-', '.', '_', '*', '~', '/', '\\', '|', '^', '`', '\'', '"', '=', '#':
			return true
		}
		return false
	}
	switch r {
	case 0xB7, 0x2022, 0x2027, 0x30FB, 0xFF65, 0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015,
		0x2026, 0x22EF, 0x2219, 0x30FC, 0x4E36, 0x4E28, 0x4E3F, 0x3003, 0x301C, 0x303D,
		0xFE4F, 0xFE4D, 0xFE4E, 0x2501, 0x2500, 0x2550,
		0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0xFE0E, 0xFE0F, 0x20E3, 0xAD, 0x180E,
		0xFFFD:
		return true
	}
	switch {
	case r >= 0x1F000 && r <= 0x1FAFF && !(r >= 0x1F100 && r <= 0x1F1FF):
		return true // emoji and pictographs (enclosed alphanumerics excluded)
	case r >= 0x2190 && r <= 0x21FF, r >= 0x2300 && r <= 0x23FF,
		r >= 0x25A0 && r <= 0x25FF && r != 0x25CB && r != 0x25EF,
		r >= 0x2600 && r <= 0x2775, r >= 0x2794 && r <= 0x27BF,
		r >= 0x2B00 && r <= 0x2BFF, r >= 0x1F3FB && r <= 0x1F3FF:
		return true // arrows, technical, shapes, symbols, dingbats
	case r >= 0xE0020 && r <= 0xE007F:
		return true // tag characters
	}
	return false
}

// isWeakSep reports whether r separates digit groups only in short groups
// ("3，8，5…"); in ordinary text it separates numbers.
func isWeakSep(r rune) bool {
	switch r {
	case ',', 0xFF0C, 0x3001, 0x3002, 0xFF61:
		return true
	}
	return false
}

// isSep reports whether a unit can sit between the digits of one number.
func isSep(r rune) bool { return isSpace(r) || isFiller(r) }

// foldRune normalises one decoded rune. It returns up to two units' worth
// of (rune, digit, softness); n is how many were produced (0 or more).
func foldRune(text string, i, size int, r rune) (out [2]rune, dig [2]int8, soft uint8, n int) {
	dig = [2]int8{noDigit, noDigit}
	switch {
	case r < 0x80:
		if r >= 'A' && r <= 'Z' {
			r += 'a' - 'A'
		}
		out[0] = r
		if isASCIIDigit(r) {
			dig[0] = int8(r - '0')
		}
		return out, dig, 0, 1
	case r >= 0xFF01 && r <= 0xFF5E: // full-width ASCII
		return foldRune(text, i, size, r-0xFEE0)
	case r == 0x3000:
		out[0] = ' '
		return out, dig, 0, 1
	case r >= 0x4E00 && r <= 0x9FFF || r == '〇':
		out[0] = r
		if d, s := cnDigit(r); d >= 0 {
			dig[0] = d
			soft = s
		}
		return out, dig, soft, 1
	}
	if d, s := cnDigit(r); d >= 0 {
		out[0] = r
		dig[0] = d
		return out, dig, s, 1
	}
	if v := enclosedNumber(r); v >= 0 {
		if v >= 10 {
			out[0], out[1] = rune('0'+v/10), rune('0'+v%10)
			dig[0], dig[1] = int8(v/10), int8(v%10)
			return out, dig, 0, 2
		}
		out[0] = rune('0' + v)
		dig[0] = int8(v)
		return out, dig, 0, 1
	}
	if l := enclosedLetter(r); l != 0 {
		out[0] = l
		return out, dig, 0, 1
	}
	if h := homoglyph(r); h != 0 {
		out[0] = h
		return out, dig, 0, 1
	}
	if needsCompat(r) {
		dec := norm.NFKC.PropertiesString(text[i : i+size]).Decomposition()
		if len(dec) == 1 && dec[0] < 0x80 {
			return foldRune(text, i, size, rune(dec[0]))
		}
	}
	if r == 0xFE6B { // small commercial at
		out[0] = '@'
		return out, dig, 0, 1
	}
	if unicode.IsUpper(r) {
		r = unicode.ToLower(r)
	}
	out[0] = r
	return out, dig, 0, 1
}

// normalize appends the units of text to buf and returns it.
func normalize(buf []unit, text string) []unit {
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf { // ASCII fast path
			r := rune(c)
			d := int8(noDigit)
			if c >= 'A' && c <= 'Z' {
				r += 'a' - 'A'
			} else if c >= '0' && c <= '9' {
				d = int8(c - '0')
			}
			buf = append(buf, unit{s: int32(i), e: int32(i + 1), r: r, d: d})
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		if r == utf8.RuneError && size == 1 {
			buf = append(buf, unit{s: int32(i), e: int32(i + 1), r: utf8.RuneError, d: noDigit})
			i++
			continue
		}
		out, dig, soft, n := foldRune(text, i, size, r)
		for k := 0; k < n; k++ {
			u := unit{s: int32(i), e: int32(i + size), r: out[k], d: dig[k]}
			if dig[k] >= 0 {
				u.soft = soft
			}
			buf = append(buf, u)
		}
		i += size
	}
	return buf
}

// spelledDigits turns runs of five or more digits spelled in English
// words ("one three eight one two …", separated by spaces, hyphens or
// commas) into digit units, one per digit, spanning the word that names
// it. "double" and "triple" repeat the digit word after them ("double
// zero": two units, one spanning each word; "triple" gives two), "oh"
// inside a run is zero, and "plus" right before a run becomes a '+'.
// Fewer digits in a row are speech ("one or two"), left as they are. It
// compacts u in place.
func spelledDigits(u []unit) []unit {
	// First pass: the unit ranges of runs naming five or more digits.
	var runs [][2]int
	n, lo, hi, plus := 0, 0, 0, -1
	end := func() {
		if n >= 5 {
			if plus >= 0 {
				lo = plus
			}
			runs = append(runs, [2]int{lo, hi})
		}
		n = 0
	}
	last := -1 // start of the last word that was not a digit word
	for i := 0; i < len(u); {
		if !isASCIILetter(u[i].r) {
			if !isSpelledSep(u[i].r) {
				end()
				last = -1
			}
			i++
			continue
		}
		j, _, reps := spelledWordAt(u, i, n > 0)
		if reps == 0 {
			end()
			last = i
		} else {
			if n == 0 {
				lo = i
				plus = -1
				if last >= 0 && j-last > 0 && isPlusWord(u, last, i) {
					plus = last
				}
			}
			n, hi = n+reps, j
		}
		i = j
	}
	end()
	if len(runs) == 0 {
		return u
	}
	// Second pass, in place: each word of a run becomes as many digit
	// units as it names (every word in a run is a digit word, or the
	// leading "plus"). No word yields more units than it has letters, so
	// the units after the word are still unread when it is written.
	out, r, inRun := 0, 0, false
	for i := 0; i < len(u); {
		if r < len(runs) && i >= runs[r][0] && isASCIILetter(u[i].r) {
			j, d, reps := spelledWordAt(u, i, inRun)
			if reps == 0 { // the leading "plus"
				for j < len(u) && isASCIILetter(u[j].r) {
					j++
				}
				u[out] = unit{s: u[i].s, e: u[j-1].e, r: '+', d: noDigit}
				out, i = out+1, j
				continue
			}
			inRun = true
			s, e := u[i].s, u[j-1].e
			for k := 0; k < reps; k++ {
				u[out] = unit{s: s, e: e, r: rune('0' + d), d: int8(d)}
				out++
			}
			i = j
			if i >= runs[r][1] {
				r++
				inRun = false
			}
			continue
		}
		u[out] = u[i]
		out, i = out+1, i+1
	}
	return u[:out]
}

// isPlusWord reports whether the units from a to b are the word "plus"
// and one space.
func isPlusWord(u []unit, a, b int) bool {
	return b-a == 5 && u[a].r == 'p' && u[a+1].r == 'l' && u[a+2].r == 'u' && u[a+3].r == 's' && u[a+4].r == ' '
}

// spelledWordAt reads the ASCII word starting at unit i. It returns the
// word's end, the digit it names and how many times (0 if it names none;
// also for a word that touches a digit). "double" and "triple" name the
// digit word after them, 1 and 2 times (that word names it once more);
// "oh" is zero inside a run (inRun).
func spelledWordAt(u []unit, i int, inRun bool) (int, int, int) {
	j := i
	for j < len(u) && isASCIILetter(u[j].r) {
		j++
	}
	if j-i > 6 || i > 0 && isASCIIAlnum(u[i-1].r) || j < len(u) && isASCIIAlnum(u[j].r) {
		return j, -1, 0
	}
	var b [6]byte
	for k := i; k < j; k++ {
		b[k-i] = byte(u[k].r)
	}
	w := string(b[:j-i])
	if d := digitWord(w); d >= 0 {
		return j, d, 1
	}
	switch w {
	case "oh":
		if inRun {
			return j, 0, 1
		}
	case "double", "triple":
		k := j
		if k < len(u) && (u[k].r == ' ' || u[k].r == '-') {
			k++
		}
		if k < len(u) && isASCIILetter(u[k].r) {
			if _, d, reps := spelledWordAt(u, k, false); reps == 1 {
				if w == "double" {
					return j, d, 1
				}
				return j, d, 2
			}
		}
	}
	return j, -1, 0
}

func isSpelledSep(r rune) bool { return r == ' ' || r == '-' || r == ',' }
