// Command trainer fits the extortion-intent model on intent/testdata/train.jsonl
// and writes the weights that package intent embeds. It is run by
// `go generate ./intent/`; training is deterministic, so running it again on
// the same corpus writes the same bytes.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"

	"github.com/fairmark/fairmark/intent/internal/feat"
)

func main() {
	in := flag.String("in", "testdata/train.jsonl", "training corpus (JSONL)")
	out := flag.String("out", "model.bin", "output weights file")
	flag.Parse()
	f, err := os.Open(*in)
	if err != nil {
		log.Fatal(err)
	}
	ex, err := feat.ReadCorpus(f)
	f.Close()
	if err != nil {
		log.Fatalf("%s: %v", *in, err)
	}
	m, rep := feat.Train(ex, feat.DefaultOptions)
	b, err := m.MarshalBinary()
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("trained on %d examples: out-of-fold F1 %.3f at threshold %.3f; calibration a=%.4f b=%.4f; %d bytes\n",
		len(ex), rep.F1, rep.Threshold, m.A, m.B, len(b))
}
