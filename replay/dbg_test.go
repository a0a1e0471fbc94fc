package replay

import (
	"bufio"
	"encoding/json"
	"os"
	"testing"

	"github.com/fairmark/fairmark/engine"
	"github.com/fairmark/fairmark/rules"
	"github.com/fairmark/fairmark/scan"
)

// go test ./replay -run TestDbgDecisions -dbg.out FILE
func TestDbgDecisions(t *testing.T) {
	out := os.Getenv("DBG_OUT")
	if out == "" {
		t.Skip()
	}
	f, err := os.Open("/tmp/big.ndjson")
	if err != nil {
		t.Skip()
	}
	defer f.Close()
	w, _ := os.Create(out)
	defer w.Close()
	bw := bufio.NewWriter(w)
	defer bw.Flush()
	enc := json.NewEncoder(bw)
	set, err := rules.Default(engine.FeatureVars())
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = Replay(f, engine.Config{Detect: scan.Detector, Rules: engine.NewRules(set), OnDecision: func(d engine.Decision) { enc.Encode(d) }})
	if err != nil {
		t.Fatal(err)
	}
}
