package contact

// Vanity numbers: North American numbers whose last seven digits are
// spelled with the letters of the telephone keypad ("1-800-FIX-REVW",
// "1 888 GET CASH", "call 415-GOT-JUNK").

// keypad maps an ASCII lower-case letter to its telephone key.
func keypad(r rune) byte {
	const keys = "22233344455566677778889999" // a..z
	return keys[r-'a']
}

// isTollFree reports whether the area code is a North American toll-free
// one (800, 833, 844 … 888).
func isTollFree(a []byte) bool {
	return a[0] == '8' && a[1] == a[2] && (a[1] == '0' || a[1] >= '3' && a[1] <= '8')
}

// findVanity appends vanity numbers: an area code in digits, then seven
// digits or capital letters in groups separated by '-', '.' or a space,
// at least three of them letters. A toll-free number needs its trunk 1
// ("1-800-…"); any other needs a phone cue before it.
func (f *finder) findVanity() {
	u := f.u
	for i := 0; i+9 < len(u); i++ {
		if u[i].r != '1' && !(u[i].r >= '2' && u[i].r <= '9') || i > 0 && isASCIIAlnum(u[i-1].r) {
			continue
		}
		var d [11]byte
		n, j := 0, i
		trunk := u[j].r == '1' && isVanitySep(u[j+1].r)
		if trunk {
			d[n], n, j = '1', n+1, j+2
		}
		if j+4 > len(u) || !isASCIIDigit(u[j].r) || !isASCIIDigit(u[j+1].r) || !isASCIIDigit(u[j+2].r) || !isVanitySep(u[j+3].r) {
			continue
		}
		for k := 0; k < 3; k++ {
			d[n], n = byte(u[j+k].r), n+1
		}
		j += 4
		letters, got, e := 0, 0, -1
		for j < len(u) && got < 7 {
			r := u[j].r
			switch {
			case isASCIIDigit(r):
				d[n] = byte(r)
			case isASCIILetter(r) && f.text[u[j].s] >= 'A' && f.text[u[j].s] <= 'Z':
				d[n] = keypad(r)
				letters++
			case isVanitySep(r) && got > 0 && j+1 < len(u) && isASCIIAlnum(u[j+1].r):
				j++
				continue
			default:
				got = -1
			}
			if got < 0 {
				break
			}
			n, got, j = n+1, got+1, j+1
			e = j
		}
		if got != 7 || letters < 3 {
			continue
		}
		for e < len(u) && isASCIILetter(u[e].r) && f.text[u[e].s] >= 'A' && f.text[u[e].s] <= 'Z' && e-j < 4 {
			e++ // "1-800-CONTACTS": letters past the seventh are not dialled
		}
		if e < len(u) && isASCIIAlnum(u[e].r) {
			continue
		}
		cue := backCue(u, f.cues, i)
		if cue >= 0 && f.cues[cue].kind != cuePhone && f.cues[cue].kind != cueOther {
			cue = -1
		}
		a := d[n-10 : n-7]
		if cue < 0 && !(trunk && isTollFree(a)) {
			continue
		}
		ph, ok := parseNANP(d[:n])
		if !ok {
			continue
		}
		c := cand{kind: Phone, val: ph.e164, su: i, eu: e, cue: cue, conf: confCued, prio: prioCued}
		if cue < 0 {
			c.conf, c.prio = confBareFixed, prioPhoneBare
		}
		f.add(c)
		i = e
	}
}

func isVanitySep(r rune) bool { return r == '-' || r == '.' || r == ' ' }
