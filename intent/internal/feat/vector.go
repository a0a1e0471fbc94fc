package feat

import "math"

// Feature layout: NumPattern dense pattern features first, then 1<<HashBits
// hashed n-gram buckets.
const (
	NumPattern = 48
	HashBits   = 18
	NumHash    = 1 << HashBits
	Dim        = NumPattern + NumHash
)

// Pattern feature indexes.
const (
	fBias = iota
	fMoney
	fAmount
	fIndirect
	fDemand
	fFbNeg
	fFbNegNegated
	fRemoval
	fSigRemoval
	fSigRemovalPromise
	fSigLeverage
	fFbMoney
	fSigThreat
	fSigPro
	fSigOff
	fOffWithStakes
	fDispute
	fRefund
	fRefundLeverage
	fMoneyNegated
	fExcess
	fReported
	fMeta
	fSeller
	fJoke
	fPositive
	fQuotes
	fThird
	fMoneyDispute
	fCond
	fFeedback
	fSignalCount
	fQuestion
	fShort
	fEnglish
	fSigMoney
	fMoneyExcess
	fFbPos
	fRemovalFbPos
	fThreatNegated
	fReportedOnly
	fJokeSignals
	fRemedyOnly
	fRemedyOnlyLeverage
	fRemedyBeyond
	fPrivateStakes
	fHaggle
	fNumPattern
)

func init() {
	if fNumPattern > NumPattern {
		panic("feat: too many pattern features")
	}
}

// Vector is a sparse feature vector. Idx may repeat; values add.
type Vector struct {
	Idx []int32
	Val []float32
}

func (v *Vector) add(i int32, x float32) {
	v.Idx = append(v.Idx, i)
	v.Val = append(v.Val, x)
}

func b2f(b bool) float32 {
	if b {
		return 1
	}
	return 0
}

// Features fills v (reset first) with the features of a.
func Features(a *Analysis, v *Vector) {
	v.Idx, v.Val = v.Idx[:0], v.Val[:0]
	own, neg, rep := a.Own, a.Neg, a.Rep
	h := &a.Hits
	nsig := 0
	for i := range h {
		if h[i].Found {
			nsig++
		}
	}
	ascii, total := 0, 0
	for _, c := range a.Text.Norm {
		if c < 0x80 {
			if c != ' ' {
				ascii++
				total++
			}
		} else if c >= 0xC0 {
			total++
		}
	}
	english := total > 0 && ascii*2 > total
	quoted := false
	for _, q := range a.Text.Quoted {
		if q {
			quoted = true
			break
		}
	}
	pat := [NumPattern]float32{}
	pat[fBias] = 1
	pat[fMoney] = b2f(own&CMoney != 0)
	pat[fAmount] = b2f(own&CAmount != 0)
	pat[fIndirect] = b2f(own&CIndirect != 0)
	pat[fDemand] = b2f(own&CDemand != 0)
	pat[fFbNeg] = b2f(own&CFbNeg != 0)
	pat[fFbNegNegated] = b2f(neg&CFbNeg != 0)
	pat[fRemoval] = b2f(own&CRemoval != 0)
	pat[fSigRemoval] = b2f(h[SigRemoval].Found && h[SigRemoval].Variant != 1)
	pat[fSigRemovalPromise] = b2f(h[SigRemoval].Found && h[SigRemoval].Variant == 1)
	pat[fSigLeverage] = b2f(h[SigLeverage].Found)
	pat[fFbMoney] = b2f(own&CFbNeg != 0 && own&moneyCats != 0)
	pat[fSigThreat] = b2f(h[SigThreat].Found)
	pat[fSigPro] = b2f(h[SigPro].Found)
	pat[fSigOff] = b2f(h[SigOff].Found)
	pat[fOffWithStakes] = b2f(h[SigOff].Found && own&(moneyCats|CFbNeg|CRemoval|CDemand) != 0)
	pat[fDispute] = b2f(own&CDispute != 0)
	pat[fRefund] = b2f(own&CRefund != 0)
	pat[fRefundLeverage] = b2f(own&CRefund != 0 && own&CFbNeg != 0 && own&(CAmount|CIndirect|CExcess) == 0)
	pat[fMoneyNegated] = b2f(neg&moneyCats != 0)
	pat[fExcess] = b2f(own&CExcess != 0)
	pat[fReported] = b2f(a.Reported.Found)
	pat[fMeta] = b2f(own&CMeta != 0 || rep&CMeta != 0)
	pat[fSeller] = b2f(own&CSeller != 0)
	pat[fJoke] = b2f(own&CJoke != 0)
	pat[fPositive] = b2f(own&CPositive != 0)
	pat[fQuotes] = b2f(quoted)
	pat[fThird] = b2f(own&CThird != 0)
	pat[fMoneyDispute] = b2f(own&moneyCats != 0 && own&(CDispute|CRefund) != 0)
	pat[fCond] = b2f(own&CCond != 0)
	pat[fFeedback] = b2f(own&(CFb|CFbNeg|CFbPos) != 0)
	pat[fSignalCount] = float32(nsig) / 3
	pat[fQuestion] = b2f(own&CQuestion != 0)
	pat[fShort] = b2f(len(a.Text.Norm) < 24)
	pat[fEnglish] = b2f(english)
	pat[fSigMoney] = b2f(h[SigMoney].Found)
	pat[fMoneyExcess] = b2f(h[SigMoney].Found && h[SigMoney].Variant == 1)
	pat[fFbPos] = b2f(own&CFbPos != 0)
	pat[fRemovalFbPos] = b2f(own&CRemoval != 0 && own&CFbPos != 0)
	pat[fThreatNegated] = b2f(neg&(CThreat|COff) != 0)
	pat[fReportedOnly] = b2f(a.Reported.Found && nsig == 0)
	pat[fJokeSignals] = b2f(own&CJoke != 0 && nsig > 0)
	fb := own&(CFb|CFbNeg|CFbPos|CRemoval) != 0
	remedyOnly := a.Remedy.Found && a.Remedy.Variant == RemedyOnly
	pat[fRemedyOnly] = b2f(remedyOnly)
	pat[fRemedyOnlyLeverage] = b2f(remedyOnly && fb)
	pat[fRemedyBeyond] = b2f(a.Remedy.Found && a.Remedy.Variant == RemedyBeyond && fb)
	pat[fPrivateStakes] = b2f(own&CPrivate != 0 && own&(CFbNeg|CRemoval) != 0)
	pat[fHaggle] = b2f(own&CHaggle != 0 && own&(CFbNeg|CRemoval|CThreat|COff|CPro) == 0)
	for i, x := range pat {
		if x != 0 {
			v.add(int32(i), x)
		}
	}
	start := len(v.Idx)
	hashNgrams(a, v)
	// Scale n-grams to unit length so long and short texts weigh alike.
	if n := len(v.Idx) - start; n > 0 {
		s := float32(1 / math.Sqrt(float64(n)))
		for i := start; i < len(v.Val); i++ {
			v.Val[i] = s
		}
	}
}

const (
	nsOwn      = 0x9e3779b1
	nsReported = 0x85ebca77
	nsWord     = 0xc2b2ae3d
	fnvPrime   = 16777619
)

// hashNgrams adds character 1-3 grams (1-grams only for non-ASCII) and
// ASCII word 1-2 grams. Digits fold to '0'; spaces collapse. n-grams that
// start in reported speech hash into their own namespace.
func hashNgrams(a *Analysis, v *Vector) {
	b := a.Text.Norm
	var rs [3]rune
	var ns [3]uint32
	n := 0
	var w1, w2 uint32 // current and previous word hashes
	inWord := false
	prevWord := uint32(0)
	for i := 0; i < len(b); {
		r, size := rune(b[i]), 1
		if r >= 0x80 {
			r, size = decodeRune(b[i:])
		}
		rep := a.RepBytes[i]
		i += size
		if r >= '0' && r <= '9' {
			r = '0'
		}
		// Words.
		if r >= 'a' && r <= 'z' || r == '\'' || r == '0' {
			if !inWord {
				inWord, w1 = true, nsWord
			}
			w1 = (w1 ^ uint32(r)) * fnvPrime
		} else if inWord {
			inWord = false
			v.add(bucket(w1), 1)
			if prevWord != 0 {
				w2 = (prevWord*31 ^ w1) * fnvPrime
				v.add(bucket(w2), 1)
			}
			prevWord = w1
		}
		if r == ' ' || r == '\t' {
			if n > 0 && rs[(n-1)%3] == ' ' {
				continue
			}
			r = ' '
		}
		space := uint32(nsOwn)
		if rep {
			space = nsReported
		}
		rs[n%3], ns[n%3] = r, space
		n++
		// Emit the grams ending at this rune.
		for k := 1; k <= 3 && k <= n; k++ {
			first := n - k
			if k == 1 && r < 0x80 {
				continue
			}
			h := ns[first%3]
			for j := first; j < n; j++ {
				h = (h ^ uint32(rs[j%3])) * fnvPrime
			}
			h = (h ^ uint32(k)) * fnvPrime
			v.add(bucket(h), 1)
		}
	}
	if inWord {
		v.add(bucket(w1), 1)
		if prevWord != 0 {
			w2 = (prevWord*31 ^ w1) * fnvPrime
			v.add(bucket(w2), 1)
		}
	}
}

// bucket finalises a hash (a murmur-style mix) and maps it to a feature index.
func bucket(h uint32) int32 {
	h ^= h >> 16
	h *= 0x7feb352d
	h ^= h >> 15
	h *= 0x846ca68b
	h ^= h >> 16
	return NumPattern + int32(h&(NumHash-1))
}
