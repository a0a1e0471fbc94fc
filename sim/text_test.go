package sim

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// undisguise maps every digit form disguise uses back to ASCII and drops
// the separators.
func undisguise(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r >= '０' && r <= '９':
			b.WriteRune('0' + r - '０')
		case r == '⓪':
			b.WriteByte('0')
		case r >= '①' && r <= '⑨':
			b.WriteRune('1' + r - '①')
		default:
			for i := range 10 {
				if string(r) == chineseDigits[i] || string(r) == capitalDigits[i] {
					b.WriteByte(byte('0' + i))
					break
				}
			}
		}
	}
	return b.String()
}

func TestDisguiseKeepsDigits(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		d := digits(r, 5+r.IntN(7))
		got := disguise(r, d)
		if u := undisguise(got); u != d {
			t.Fatalf("disguise(%q) = %q, which reads back as %q", d, got, u)
		}
	}
	plain, n := 0, 2000
	r2 := rand.New(rand.NewPCG(3, 4))
	for range n {
		d := digits(r2, 9)
		if disguise(r2, d) == d {
			plain++
		}
	}
	if plain < n/6 || plain > n/3 {
		t.Fatalf("%d of %d contacts plain, want about 2 in 9", plain, n)
	}
}

func TestMessageVariety(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	seen := map[string]bool{}
	const n = 500
	for range n {
		seen[contactPhrase(r)+demandPhrase(r, pick(r, demandAmounts))] = true
	}
	if len(seen) < n*9/10 {
		t.Fatalf("got %d distinct contact+demand texts of %d, want at least 90%%", len(seen), n)
	}
	demands := map[string]bool{}
	for range n {
		demands[demandPhrase(r, 50)] = true
	}
	if len(demands) < len(demandTemplates) {
		t.Fatalf("got %d distinct demands, want all %d templates", len(demands), len(demandTemplates))
	}
}
