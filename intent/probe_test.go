package intent

import (
	"bufio"
	"os"
	"testing"
)

func TestProbe(t *testing.T) {
	f, err := os.Open(os.Getenv("PROBE"))
	if err != nil {
		t.Skip()
	}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		r := Score(sc.Text())
		t.Logf("%v %.3f %q %v", r.Flag, r.Probability, sc.Text(), r.Reasons)
	}
}
