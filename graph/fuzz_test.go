package graph

import (
	"bytes"
	"math"
	"regexp"
	"strconv"
	"testing"
)

var lineErr = regexp.MustCompile(`^line (\d+): `)

// FuzzReadCSV checks that ReadCSV never panics, that every error names a
// line that exists, and that whatever it accepts scores cleanly: every node
// present once, all scores finite and in range.
func FuzzReadCSV(f *testing.F) {
	f.Add([]byte("1,2,10,1407470400\n2,3,-5,1407470401.5\n"))
	f.Add([]byte("a,a,1,0\na,b,1,0\na,b,2,0\n"))
	f.Add([]byte("# comment\r\n\r\n x , y , 0 , 0 \r\n"))
	f.Add([]byte("1,2,NaN,0\n"))
	f.Add([]byte("1,2,3\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := ReadCSV(bytes.NewReader(data))
		if err != nil {
			m := lineErr.FindStringSubmatch(err.Error())
			if m == nil {
				t.Fatalf("error %q does not name a line", err)
			}
			n, _ := strconv.Atoi(m[1])
			if lines := bytes.Count(data, []byte{'\n'}) + 1; n < 1 || n > lines {
				t.Fatalf("error names line %d of %d: %v", n, lines, err)
			}
			return
		}
		scores, err := Compute(g, Options{MaxIter: 50})
		if err != nil {
			t.Fatalf("Compute: %v", err)
		}
		if len(scores) != g.NumNodes() {
			t.Fatalf("got %d scores, want %d", len(scores), g.NumNodes())
		}
		seen := map[string]bool{}
		for _, s := range scores {
			if seen[s.Node] {
				t.Fatalf("node %q scored twice", s.Node)
			}
			seen[s.Node] = true
			ok := func(v, lo, hi float64) bool { return !math.IsNaN(v) && v >= lo && v <= hi }
			if !ok(s.Fairness, 0, 1) || !ok(s.Goodness, -1, 1) || !ok(s.Risk, 0, 1) {
				t.Fatalf("score out of range: %+v", s)
			}
		}
	})
}
