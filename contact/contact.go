package contact

import (
	"sort"
	"sync"
)

// Kind is the type of a contact detail.
type Kind string

// The kinds of contact details Find reports.
const (
	Phone  Kind = "phone"
	QQ     Kind = "qq"
	WeChat Kind = "wechat"
	Email  Kind = "email"
	URL    Kind = "url"
	Alipay Kind = "alipay"
	Other  Kind = "other"
)

// Contact is one off-platform contact detail found in a text.
type Contact struct {
	// Kind is the type of the detail.
	Kind Kind `json:"kind"`
	// Value is normalised: phone in E.164 ("+8613812345678"), qq digits
	// only, email, wechat and url lower-case (url without the scheme and a
	// leading "www."), alipay the account as a phone or an e-mail.
	Value string `json:"value"`
	// Start and End are byte offsets into the original text, end
	// exclusive, on rune boundaries (an invalid UTF-8 byte counts as a
	// one-byte rune). text[Start:End] holds the value as written.
	Start int `json:"start"`
	End   int `json:"end"`
	// Cue is the text that announced the value ("扣扣", "vx", "+86"), if any.
	Cue string `json:"cue,omitempty"`
	// Confidence is how sure the detector is that this is a contact, 0..1.
	Confidence float64 `json:"confidence"`
}

// Candidate priorities: when candidates overlap the higher one wins.
const (
	prioOther = iota + 1
	prioPhoneBare
	prioURL
	prioCued
	prioEmail
	prioAlipay
)

// cand is a candidate contact in unit coordinates.
type cand struct {
	kind   Kind
	val    string
	su, eu int
	cue    int // index into finder.cues, or -1
	cueTxt string
	conf   float64
	prio   int
}

// finder holds the scratch state of one Find call; it is pooled.
type finder struct {
	text  string
	u     []unit
	cues  []cue
	runs  []run
	cands []cand
	tmp   []byte
	taken []bool // units already covered by an accepted candidate
}

var finderPool = sync.Pool{New: func() any { return new(finder) }}

func (f *finder) add(c cand) {
	if c.cueTxt == "" && c.cue >= 0 && c.cue < len(f.cues) {
		cu := f.cues[c.cue]
		c.cueTxt = f.text[f.u[cu.su].s:f.u[cu.eu-1].e]
	}
	f.cands = append(f.cands, c)
}

// Find returns the off-platform contact details in text, sorted by Start,
// with no two overlapping. It never fails: invalid UTF-8 is read one byte
// at a time. Text that cannot hold a contact returns nil without
// allocating.
func Find(text string) []Contact {
	if !mayContain(text) {
		return nil
	}
	f := finderPool.Get().(*finder)
	f.text = text
	f.u = spelledDigits(normalize(f.u[:0], text))
	f.cues = findCues(f.u, f.cues[:0])
	f.cands = f.cands[:0]
	f.findEmails()
	f.findURLs()
	f.findIDs()
	f.findCJKHandles()
	f.runs = findRuns(f.u, f.runs[:0])
	for i := range f.runs {
		f.evalRun(&f.runs[i])
	}
	f.splitPhones()
	f.findVanity()
	f.alipayEmails()
	out := f.resolve()
	f.text = ""
	if cap(f.u) > 1<<16 {
		f.u, f.taken = nil, nil // do not keep huge buffers alive in the pool
	}
	finderPool.Put(f)
	return out
}

// resolve picks non-overlapping candidates, best first, and converts them
// to byte offsets.
func (f *finder) resolve() []Contact {
	if len(f.cands) == 0 {
		return nil
	}
	cs := f.cands
	sort.SliceStable(cs, func(i, j int) bool {
		if cs[i].prio != cs[j].prio {
			return cs[i].prio > cs[j].prio
		}
		if cs[i].conf != cs[j].conf {
			return cs[i].conf > cs[j].conf
		}
		return cs[i].eu-cs[i].su > cs[j].eu-cs[j].su
	})
	if cap(f.taken) < len(f.u) {
		f.taken = make([]bool, len(f.u))
	}
	taken := f.taken[:len(f.u)]
	clear(taken)
	var out []Contact
	for _, c := range cs {
		if c.su >= c.eu || c.eu > len(f.u) {
			continue
		}
		eu := c.eu
		for eu < len(f.u) && isKeycapTail(f.u[eu].r) {
			eu++ // keep "1️⃣" whole
		}
		clash := false
		for k := c.su; k < eu; k++ {
			if taken[k] {
				clash = true
				break
			}
		}
		if clash {
			continue
		}
		for k := c.su; k < eu; k++ {
			taken[k] = true
		}
		s, e := int(f.u[c.su].s), int(f.u[eu-1].e)
		out = append(out, Contact{Kind: c.kind, Value: c.val, Start: s, End: e, Cue: c.cueTxt, Confidence: c.conf})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	return out
}

// isKeycapTail reports whether r continues the character before it
// (variation selector, keycap, zero-width joiner).
func isKeycapTail(r rune) bool { return r == 0xFE0F || r == 0x20E3 || r == 0xFE0E }
