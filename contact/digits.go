package contact

import (
	"github.com/nyaruka/phonenumbers"
)

// maxRunDigits bounds the digits kept per run; longer runs are order or
// card numbers and are never contacts.
const maxRunDigits = 24

// run is a maximal sequence of digit units, possibly broken up by
// separators ("3 8 5", "138-1234-5678", "1️⃣3️⃣8️⃣").
type run struct {
	su, eu int // first digit unit, one past the last digit unit
	n      int // digits in the run
	dig    [maxRunDigits]byte
	seps   int // separator units inside the run
	plus   int // unit index of a leading '+', or -1
}

func (r *run) add(d int8) {
	if r.n < maxRunDigits {
		r.dig[r.n] = byte('0' + d)
	}
	r.n++
}

func (r *run) digits() []byte {
	if r.n > maxRunDigits {
		return r.dig[:]
	}
	return r.dig[:r.n]
}

// isRunDigit reports whether unit i reads as a digit in context.
func isRunDigit(u []unit, i int) bool {
	if i < 0 || i >= len(u) || u[i].d < 0 {
		return false
	}
	if u[i].soft != 2 {
		return true
	}
	// 两/洞/拐/勾 are digits between other digits, or next to them at
	// the end or start of a number ("捌洞洞洞", "洞洞幺叁"), but not
	// when a word goes on ("三两个", "右拐").
	l, r := hardNeighbour(u, i-1, -1), hardNeighbour(u, i+1, 1)
	return l && r || l && softChainEnds(u, i, 1) || r && softChainEnds(u, i, -1)
}

// softChainEnds reports whether the characters such as 洞 and 两 that
// follow unit i (step 1) or precede it (step -1) end at the end of the
// text, a space or punctuation rather than in a word.
func softChainEnds(u []unit, i, step int) bool {
	for i += step; i >= 0 && i < len(u); i += step {
		if u[i].d >= 0 && u[i].soft == 2 {
			continue
		}
		r := u[i].r
		return !isIdeograph(u[i]) && !isASCIIAlnum(r) && u[i].d < 0
	}
	return true
}

func hardNeighbour(u []unit, i, step int) bool {
	for k := 0; k < 4 && i >= 0 && i < len(u); k++ {
		if u[i].d >= 0 && u[i].soft != 2 {
			return true
		}
		if !isSep(u[i].r) && u[i].soft != 2 {
			return false
		}
		i += step
	}
	return false
}

// letterDigit returns the digit a look-alike letter stands for inside a
// digit run (l/i → 1, o → 0), or -1. The letter must stand alone (no
// letter next to it), touch a digit on one side, and be followed by more
// digits (so "10 or 20" and "iPhone 15" are left alone).
func letterDigit(u []unit, i int) int8 {
	if i >= len(u) {
		return -1
	}
	var d int8
	switch u[i].r {
	case 'l', 'i':
		d = 1
	case 'o':
		d = 0
	default:
		return -1
	}
	// the chain of look-alikes must not be part of a word ("pool", "oil")
	b := i
	for b > 0 && isLookAlike(u[b-1].r) {
		b--
	}
	if b > 0 && isASCIILetter(u[b-1].r) {
		return -1
	}
	if i+1 < len(u) && isASCIILetter(u[i+1].r) && !isLookAlike(u[i+1].r) {
		return -1
	}
	touches := isRunDigit(u, i+1) || i > 0 && isRunDigit(u, i-1)
	if !touches && !(i > 0 && isLookAlike(u[i-1].r)) {
		return -1
	}
	k := i
	for k < len(u) && isLookAlike(u[k].r) {
		k++
	}
	if k < len(u) && isASCIILetter(u[k].r) {
		return -1 // nor continue into one
	}
	// more digits follow, possibly after a separator ("3857 2l 906") …
	for x := k; x < len(u) && x <= k+2; x++ {
		if isRunDigit(u, x) {
			return d
		}
		if !isSep(u[x].r) {
			break
		}
	}
	// … or the chain ends a number ("138OO138OOO")
	if i > 0 && (isRunDigit(u, i-1) || isLookAlike(u[i-1].r)) {
		return d
	}
	return -1
}

func isLookAlike(r rune) bool { return r == 'o' || r == 'l' || r == 'i' }

// groupLen counts the digits that follow i without a separator.
func groupLen(u []unit, i int) int {
	n := 0
	for i < len(u) && isRunDigit(u, i) {
		n++
		i++
	}
	return n
}

// isIdeograph reports whether r is a CJK ideograph that is not a numeral.
func isIdeograph(u unit) bool {
	return u.r >= 0x3400 && u.r <= 0x9FFF && u.d < 0
}

// softGroup counts the Chinese-numeral digits that follow i directly.
func softGroup(u []unit, i int) int {
	n := 0
	for i < len(u) && isRunDigit(u, i) && u[i].soft != 0 {
		n++
		i++
	}
	return n
}

// findRuns appends the digit runs of u to out.
//
// A short Chinese numeral that belongs to a word ("张三", "一直", "一下")
// is kept out of a run of ASCII digits next to it.
func findRuns(u []unit, out []run) []run {
	for i := 0; i < len(u); {
		if !isRunDigit(u, i) && !(letterDigit(u, i) >= 0 && i+1 < len(u) && isRunDigit(u, i+1)) {
			i++
			continue
		}
		if u[i].soft != 0 && i > 0 && isIdeograph(u[i-1]) {
			// "张三 138…", "第一 138…": skip a short numeral word
			if g := softGroup(u, i); g <= 2 {
				k := i + g
				for k < len(u) && isSep(u[k].r) && k-(i+g) < 4 {
					k++
				}
				if k < len(u) && u[k].d >= 0 && u[k].soft == 0 {
					i = k
					continue
				}
			}
		}
		r := run{su: i, plus: -1}
		if u[i].d >= 0 {
			r.add(u[i].d)
		} else {
			r.add(letterDigit(u, i))
		}
		last := i
		glen := 1
		groupSoft := u[i].soft != 0
		j := i + 1
		for j < len(u) {
			if isRunDigit(u, j) {
				if u[j].soft != 0 && u[j-1].soft == 0 && u[j-1].d >= 0 {
					// ASCII digit then numeral: "138…5678一直"
					if g := softGroup(u, j); g <= 2 && (j+g >= len(u) || isIdeograph(u[j+g])) {
						break
					}
				}
				r.add(u[j].d)
				last = j
				glen++
				j++
				continue
			}
			if d := letterDigit(u, j); d >= 0 {
				r.add(d)
				last = j
				glen++
				j++
				continue
			}
			// Bridge separators between two digit groups.
			k, weak, paren := j, false, false
			for k < len(u) && k-j < 4 && (isSep(u[k].r) || isWeakSep(u[k].r) || u[k].r == '(' || u[k].r == ')') {
				if isWeakSep(u[k].r) {
					weak = true
				}
				if u[k].r == '(' || u[k].r == ')' {
					paren = true
				}
				k++
			}
			if k == j || !(isRunDigit(u, k) || letterDigit(u, k) >= 0) {
				break
			}
			if weak && glen > 2 {
				break // "50，60" lists numbers; "3，8，5" disguises one
			}
			if paren && glen > 4 {
				break // only an area code sits in brackets: "(020)3888…", "+86 (0)21…"
			}
			if u[k].soft != 0 && !groupSoft {
				// "138… 一直": a numeral word after the number
				if g := softGroup(u, k); g <= 2 && (k+g >= len(u) || isIdeograph(u[k+g])) {
					break
				}
			}
			if g := groupLen(u, k); r.n >= 5 && g >= 5 && r.n+g > 13 {
				break // two numbers side by side
			}
			r.seps += k - j
			glen = 0
			groupSoft = u[k].soft != 0
			j = k
		}
		r.eu = last + 1
		// A '+' right before the run (allowing one space) marks an
		// international number.
		if p := r.su - 1; p >= 0 {
			if isSpace(u[p].r) && p > 0 {
				p--
			}
			if u[p].r == '+' {
				r.plus = p
			}
		}
		out = append(out, r)
		i = r.eu
	}
	return out
}

// phoneResult is a validated phone number.
type phoneResult struct {
	e164   string
	mobile bool
	cc86   bool // written with an explicit +86/0086/86 prefix
}

// parsePhone validates digits as a phone number. plus says the number was
// written with a leading '+'.
func parsePhone(d []byte, plus bool) (phoneResult, bool) {
	n := len(d)
	if n < 7 || n > 15 {
		return phoneResult{}, false
	}
	has := func(p string) bool { return n >= len(p) && string(d[:len(p)]) == p }
	switch {
	case plus && has("860"):
		return validateCN(d[3:], true) // "+86 (0)21 …"
	case plus && has("86"):
		return validateCN(d[2:], true)
	case plus:
		return validate("+" + string(d))
	case n > 4 && has("0086"):
		return validateCN(d[4:], true)
	case n == 13 && has("86") && d[2] == '1':
		return validateCN(d[2:], true)
	case n == 11 && d[0] == '1' && d[1] >= '3':
		return validateCN(d, false)
	case d[0] == '0' && n >= 10 && n <= 12:
		return validateCN(d[1:], false) // drop the trunk prefix
	case n == 10 && (has("400") || has("800")):
		return validateCN(d, false)
	}
	return phoneResult{}, false
}

// validateCN validates a Chinese national significant number (no trunk
// prefix) with libphonenumber's metadata. The number is built directly
// rather than parsed from text: the digits are already clean, and
// phonenumbers.Parse spends most of its time on regular expressions for
// formatting and extensions that cannot occur here.
func validateCN(nsn []byte, cc86 bool) (phoneResult, bool) {
	if len(nsn) < 7 || len(nsn) > 12 || nsn[0] == '0' {
		return phoneResult{}, false
	}
	var nat uint64
	for _, c := range nsn {
		nat = nat*10 + uint64(c-'0')
	}
	cc := int32(86)
	num := &phonenumbers.PhoneNumber{CountryCode: &cc, NationalNumber: &nat}
	if !phonenumbers.IsValidNumber(num) {
		return phoneResult{}, false
	}
	return phoneResult{
		e164:   "+86" + string(nsn),
		mobile: len(nsn) == 11 && nsn[0] == '1',
		cc86:   cc86,
	}, true
}

// parseNANP validates digits as a North American number written without
// its +1: ten digits (area code and exchange starting 2–9) or eleven
// starting with the trunk 1.
func parseNANP(d []byte) (phoneResult, bool) {
	if len(d) == 11 && d[0] == '1' {
		d = d[1:]
	}
	if len(d) != 10 || d[0] < '2' || d[3] < '2' {
		return phoneResult{}, false
	}
	return validate("+1" + string(d))
}

// validate parses and validates an international number written with '+'.
func validate(s string) (phoneResult, bool) {
	num, err := phonenumbers.Parse(s, "ZZ")
	if err != nil || !phonenumbers.IsValidNumber(num) {
		return phoneResult{}, false
	}
	if num.GetCountryCode() == 86 {
		return validateCN([]byte(phonenumbers.GetNationalSignificantNumber(num)), true)
	}
	return phoneResult{
		e164:   phonenumbers.Format(num, phonenumbers.E164),
		mobile: true, // a foreign number after a QQ/WeChat cue is still a phone
	}, true
}
