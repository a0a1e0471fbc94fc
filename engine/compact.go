package engine

import (
	"math"
	"strings"
	"sync"
	"time"

	"github.com/fairmark/fairmark"
)

// The engine keeps a million accounts, orders and feedback in memory, so
// their state is packed: times in 8 bytes, roles and ratings in 2, item
// categories and currencies as indexes into a table of the engine's own.
// Every packing is exact: what is read back is what was stored.

// stamp is a time in 8 bytes: its Unix nanoseconds (top bit flipped, so
// that the zero stamp is the zero time) when that reads back as the same
// time.Time (UTC, no monotonic reading, 1678–2262). Any other time is kept
// in a package-wide table and stamped with its index, so the packing is
// exact for every time.
type stamp uint64

const (
	zeroStamp stamp = 0                  // the zero time
	oddLimit  stamp = 1 + math.MaxUint32 // stamps below are indexes into odd.times, plus one
	flip            = 1 << 63
)

var odd struct {
	sync.Mutex
	index map[time.Time]stamp
	times []time.Time
}

func mkStamp(t time.Time) stamp {
	if t == (time.Time{}) {
		return zeroStamp
	}
	if y := t.Year(); y > 1678 && y < 2262 {
		n := t.UnixNano()
		if s := stamp(uint64(n) ^ flip); s >= oddLimit && time.Unix(0, n).UTC() == t {
			return s
		}
	}
	odd.Lock()
	defer odd.Unlock()
	if s, ok := odd.index[t]; ok {
		return s
	}
	if odd.index == nil {
		odd.index = make(map[time.Time]stamp)
	}
	s := stamp(len(odd.times) + 1)
	if s >= oddLimit {
		panic("engine: too many distinct non-UTC or out-of-range times")
	}
	odd.index[t] = s
	odd.times = append(odd.times, t)
	return s
}

// time returns the time s stands for.
func (s stamp) time() time.Time {
	switch {
	case s >= oddLimit:
		return time.Unix(0, int64(uint64(s)^flip)).UTC()
	case s == zeroStamp:
		return time.Time{}
	}
	odd.Lock()
	defer odd.Unlock()
	return odd.times[s-1]
}

func (s stamp) isZero() bool { return s == zeroStamp }

// code is a role or rating in 2 bytes: the valid values have fixed codes,
// any other string (the engine's API does not validate) gets the next free
// code in a package-wide table.
type code uint16

const (
	codeNone code = iota // ""
	codeBuyer
	codeSeller
	codePositive
	codeNeutral
	codeNegative
)

// fixedCodes are the names of the fixed codes.
var fixedCodes = [...]string{"", string(fairmark.Buyer), string(fairmark.Seller), string(fairmark.Positive), string(fairmark.Neutral), string(fairmark.Negative)}

// codes holds the others, from codeNegative+1 on.
var codes struct {
	sync.Mutex
	names []string
	index map[string]code
}

func mkCode(s string) code {
	switch s {
	case "":
		return codeNone
	case string(fairmark.Buyer):
		return codeBuyer
	case string(fairmark.Seller):
		return codeSeller
	case string(fairmark.Positive):
		return codePositive
	case string(fairmark.Neutral):
		return codeNeutral
	case string(fairmark.Negative):
		return codeNegative
	}
	codes.Lock()
	defer codes.Unlock()
	if c, ok := codes.index[s]; ok {
		return c
	}
	if codes.index == nil {
		codes.index = make(map[string]code)
	}
	if len(codes.names) >= math.MaxUint16-len(fixedCodes) {
		panic("engine: too many distinct roles and ratings")
	}
	c := code(len(fixedCodes) + len(codes.names))
	codes.names = append(codes.names, s)
	codes.index[s] = c
	return c
}

func (c code) String() string {
	if int(c) < len(fixedCodes) {
		return fixedCodes[c]
	}
	codes.Lock()
	defer codes.Unlock()
	return codes.names[int(c)-len(fixedCodes)]
}

func (c code) role() fairmark.Role     { return fairmark.Role(c.String()) }
func (c code) rating() fairmark.Rating { return fairmark.Rating(c.String()) }

// item is an order's item category and currency, interned per engine.
type item struct {
	category, currency string
}

// itemOf returns the index of (category, currency) in the engine's table.
func (en *Engine) itemOf(category, currency string) uint32 {
	k := item{category, currency}
	if i, ok := en.itemIndex[k]; ok {
		return i
	}
	if en.itemIndex == nil {
		en.itemIndex = make(map[item]uint32)
		en.items = append(en.items, item{}) // index 0: none
		en.itemIndex[item{}] = 0
		if k == (item{}) {
			return 0
		}
	}
	if len(en.items) > math.MaxUint32 {
		panic("engine: too many distinct item categories and currencies")
	}
	i := uint32(len(en.items))
	// Copies: an event's strings may share a block of memory with many
	// other events' (event.BatchDecoder), which one kept string would pin.
	k = item{strings.Clone(category), strings.Clone(currency)}
	en.items = append(en.items, k)
	en.itemIndex[k] = i
	return i
}

// item returns the category and currency of index i.
func (en *Engine) item(i uint32) item {
	if int(i) >= len(en.items) {
		return item{}
	}
	return en.items[i]
}
