package sim_test

import (
	"bytes"
	"fmt"

	"github.com/fairmark/fairmark/sim"
)

func ExampleGenerate() {
	cfg := sim.Config{Seed: 42, Sellers: 20, Buyers: 300, Days: 7, Complainers: 2, Tactic: sim.Classic}
	var out bytes.Buffer
	labels, err := sim.Generate(cfg, &out)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(labels.Count())
	first, _, _ := bytes.Cut(out.Bytes(), []byte("\n"))
	fmt.Println(string(first[:40]))
	// Output:
	// map[bad_seller:1 extortionist:2 harsh_reviewer:4 honest:291 honest_critic:5 seller:19]
	// {"id":"e0000001","type":"account.opened"
}
