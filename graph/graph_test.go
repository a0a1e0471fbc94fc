package graph

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fairmark/fairmark/graph/internal/synth"
)

func mustRead(t *testing.T, in string) *Graph {
	t.Helper()
	g, err := ReadCSV(strings.NewReader(in))
	if err != nil {
		t.Fatalf("ReadCSV: %v", err)
	}
	return g
}

func TestReadCSVErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"rating text", "1,2,5,0\n1,3,abc,0\n", "line 2: rating: not a number"},
		{"rating NaN", "1,2,NaN,0\n", "line 1: rating: not a finite number"},
		{"rating Inf", "1,2,5,0\n\n1,3,+Inf,0\n", "line 3: rating: not a finite number"},
		{"rating overflow", "1,2,1e400,0\n", "line 1: rating: out of range"},
		{"rating beyond float32", "1,2,1e39,0\n", "line 1: rating: out of range (ratings are kept as float32)"},
		{"rating empty", "1,2,,0\n", "line 1: rating: empty"},
		{"time text", "1,2,5,yesterday\n", "line 1: time: not a number"},
		{"time NaN", "1,2,5,nan\n", "line 1: time: not a finite number"},
		{"too few", "1,2,5\n", "line 1: want 4 fields source,target,rating,time, got 3"},
		{"too many", "# c\n1,2,5,0,9\n", "line 2: want 4 fields source,target,rating,time, got 5"},
		{"trailing comma", "1,2,5,0,\n", "line 1: want 4 fields source,target,rating,time, got 5"},
		{"empty source", " ,2,5,0\n", "line 1: source: empty"},
		{"empty target", "1,,5,0\n", "line 1: target: empty"},
		{"header row twice", "source,target,rating,time\nsource,target,rating,time\n", "line 2: rating: not a number"},
		{"header row after a rating", "1,2,5,0\nsource,target,rating,time\n", "line 2: rating: not a number"},
		{"first row with one bad number", "1,2,x,0\n", "line 1: rating: not a number"},
		{"long line", "1,2,5," + strings.Repeat("1", maxLine+10) + "\n", "line 1: longer than 65536 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadCSV(strings.NewReader(tt.in))
			if err == nil || err.Error() != tt.want {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
		})
	}
}

func TestReadCSVAccepts(t *testing.T) {
	in := "# SNAP comment\r\n 1 , 2 , -10 , 1.5 \r\n\r\n2,3,5,1e9\n3,1,0,2" // no final newline
	g := mustRead(t, in)
	if g.NumNodes() != 3 || g.NumEdges() != 3 {
		t.Fatalf("got %d nodes %d edges, want 3, 3", g.NumNodes(), g.NumEdges())
	}
	if got := g.Stats().MaxAbs; got != 10 {
		t.Fatalf("MaxAbs got %v, want 10", got)
	}
}

// TestReadCSVHeader: a header row someone put on top of SNAP rows is
// skipped, after comments and blank lines too, and nothing else is.
func TestReadCSVHeader(t *testing.T) {
	for _, in := range []string{
		"source,target,rating,time\n1,2,-10,1.5\n2,3,5,2\n",
		"# exported\n\nsrc, dst, weight, timestamp\r\n1,2,-10,1.5\r\n2,3,5,2\r\n",
	} {
		g := mustRead(t, in)
		if g.NumNodes() != 3 || g.NumEdges() != 2 {
			t.Fatalf("%q: got %d nodes %d edges, want 3, 2", in, g.NumNodes(), g.NumEdges())
		}
	}
	g := mustRead(t, "source,target,rating,time\n")
	if g.NumNodes() != 0 || g.NumEdges() != 0 {
		t.Fatalf("header alone: got %d nodes %d edges, want none", g.NumNodes(), g.NumEdges())
	}
}

// edges lists (src, dst, rating, time) of g in CSR order.
func edges(g *Graph) []string {
	var out []string
	for u := 0; u < g.NumNodes(); u++ {
		for j := g.outStart[u]; j < g.outStart[u+1]; j++ {
			out = append(out, fmt.Sprintf("%s>%s %.3g @%g", g.names[u], g.names[g.outDst[j]], g.outRating[j], float64(g.outTime[j])+g.minTime))
		}
	}
	return out
}

func TestBuildNormalisesDedupesAndDropsLoops(t *testing.T) {
	in := strings.Join([]string{
		"a,b,4,10",
		"a,a,-8,11", // self-loop: dropped, a still a node
		"a,b,-2,30", // later duplicate: kept
		"a,b,1,20",  // earlier duplicate: dropped
		"c,c,3,5",   // self-loop only: c still a node
		"b,a,-8,12",
		"b,d,2,12",
		"b,d,6,12", // same time as previous duplicate: the later line wins
	}, "\n")
	g := mustRead(t, in)
	want := []string{"a>b -0.25 @30", "b>a -1 @12", "b>d 0.75 @12"}
	if diff := cmp.Diff(want, edges(g)); diff != "" {
		t.Fatalf("edges (-want +got):\n%s", diff)
	}
	st := g.Stats()
	if st.SelfLoops != 2 || st.Duplicates != 3 || st.Nodes != 4 || st.Edges != 3 {
		t.Fatalf("got stats %+v, want 2 self-loops, 3 duplicates, 4 nodes, 3 edges", st)
	}
	// In-edges mirror out-edges.
	if g.InDegree(1) != 1 || g.InDegree(0) != 1 || g.InDegree(3) != 1 || g.InDegree(2) != 0 {
		t.Fatalf("in-degrees got a=%d b=%d c=%d d=%d, want 1 1 0 1", g.InDegree(0), g.InDegree(1), g.InDegree(2), g.InDegree(3))
	}
}

func TestAllZeroRatings(t *testing.T) {
	g := mustRead(t, "1,2,0,0\n2,3,0,0\n")
	scores, err := Compute(g, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range scores {
		for _, v := range []float64{s.Fairness, s.Goodness, s.Risk} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("node %s: got non-finite score %+v", s.Node, s)
			}
		}
		if s.Goodness != 0 {
			t.Fatalf("node %s goodness got %v, want 0 with all-zero ratings", s.Node, s.Goodness)
		}
	}
}

func TestRunOutputOrderAndHeader(t *testing.T) {
	in := "10,2,1,0\n2,x,1,0\n9,10,1,0\nb,a,1,0\n"
	var out bytes.Buffer
	if err := Run(strings.NewReader(in), &out, Options{}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var nodes []string
	for _, l := range lines[1:] {
		nodes = append(nodes, strings.SplitN(l, ",", 2)[0])
	}
	if lines[0] != "node,fairness,goodness,risk" {
		t.Fatalf("header got %q", lines[0])
	}
	if diff := cmp.Diff([]string{"2", "9", "10", "a", "b", "x"}, nodes); diff != "" {
		t.Fatalf("node order (-want +got):\n%s", diff)
	}
}

func TestOptionsRejected(t *testing.T) {
	tests := []struct {
		name string
		opt  Options
		want string
	}{
		{"unknown algo", Options{Algo: "pagerank"}, "unknown algorithm"},
		{"negative weight", Options{Alpha1: -1, Gamma1: 1}, "must be finite and >= 0"},
		{"infinite weight", Options{Gamma1: math.Inf(1)}, "must be finite and >= 0"},
		{"no gamma", Options{Alpha1: 1}, "Gamma1 + Gamma2 must be > 0"},
		{"negative tolerance", Options{Tolerance: -0.1}, "must be finite and >= 0"},
		{"risk weights", Options{RiskWeights: [3]float64{1, -1, 0}}, "RiskWeights"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Run(strings.NewReader("1,2,1,0\n"), &bytes.Buffer{}, tt.opt)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want error containing %q", err, tt.want)
			}
		})
	}
}

// scoreOf finds a node's score.
func scoreOf(t *testing.T, scores []Score, node string) Score {
	t.Helper()
	for _, s := range scores {
		if s.Node == node {
			return s
		}
	}
	t.Fatalf("node %s missing from scores", node)
	return Score{}
}

// consensusGraph: five honest raters h1..h5 rate sellers s1..s3 well (+8..+10)
// over a year; "liar" rates all three -10.
func consensusGraph() string {
	var b strings.Builder
	day := 86400.0
	for i := 1; i <= 5; i++ {
		for j := 1; j <= 3; j++ {
			fmt.Fprintf(&b, "h%d,s%d,%d,%g\n", i, j, 8+(i+j)%3, float64(i*40+j*30)*day)
		}
	}
	for j := 1; j <= 3; j++ {
		fmt.Fprintf(&b, "liar,s%d,-10,%g\n", j, float64(j*90)*day)
	}
	return b.String()
}

func TestDisagreeingRaterIsLeastFair(t *testing.T) {
	g := mustRead(t, consensusGraph())
	for _, algo := range []string{AlgoREV2, AlgoFairmark} {
		t.Run(algo, func(t *testing.T) {
			scores, err := Compute(g, Options{Algo: algo})
			if err != nil {
				t.Fatal(err)
			}
			liar := scoreOf(t, scores, "liar")
			for i := 1; i <= 5; i++ {
				h := scoreOf(t, scores, fmt.Sprintf("h%d", i))
				if !(liar.Fairness < h.Fairness && liar.Risk > h.Risk) {
					t.Fatalf("liar %+v vs honest %+v: want lower fairness and higher risk", liar, h)
				}
			}
			s1 := scoreOf(t, scores, "s1")
			if s1.Goodness <= 0.5 {
				t.Fatalf("s1 goodness got %v, want > 0.5 (honest raters outweigh the liar)", s1.Goodness)
			}
			if s := scoreOf(t, scores, "s2"); s.Risk != 0 && algo == AlgoFairmark {
				t.Fatalf("s2 rated nobody: risk got %v, want 0", s.Risk)
			}
		})
	}
}

func TestComplainerBurstRaisesRisk(t *testing.T) {
	// Two raters both give the sellers one -10 each among positives, but the
	// complainer does it all within three days of first activity, the
	// veteran over two years. Only the prior tells them apart.
	in := consensusGraph()
	day := 86400.0
	in += fmt.Sprintf("comp,s1,-10,%g\ncomp,s2,-10,%g\ncomp,s3,-10,%g\n", 500*day, 501*day, 502*day)
	in += fmt.Sprintf("vet,s1,-10,%g\nvet,s2,-10,%g\nvet,s3,-10,%g\n", 10*day, 400*day, 800*day)
	g := mustRead(t, in)
	scores, err := Compute(g, Options{})
	if err != nil {
		t.Fatal(err)
	}
	comp, vet := scoreOf(t, scores, "comp"), scoreOf(t, scores, "vet")
	if !(comp.Risk > vet.Risk) {
		t.Fatalf("complainer risk %v, veteran risk %v: want complainer higher", comp.Risk, vet.Risk)
	}
	ref, err := Compute(g, Options{Algo: AlgoREV2})
	if err != nil {
		t.Fatal(err)
	}
	if a, b := scoreOf(t, ref, "comp").Risk, scoreOf(t, ref, "vet").Risk; math.Abs(a-b) > 1e-9 {
		t.Fatalf("plain REV2 ignores time: risks got %v and %v, want equal", a, b)
	}
}

// plantedGraph is a sparse random rating graph (mostly positive) with a
// ring of k raters each giving -10 to the same m well-rated victims; each
// ring member also rates popular targets positively (camouflage).
func plantedGraph(seed uint64, n, e, k, m int) (string, []string) {
	r := rand.New(rand.NewPCG(seed, 1))
	var b strings.Builder
	for i := 0; i < e; i++ {
		u, v := r.IntN(n), r.IntN(n)
		rating := 10
		if r.IntN(20) == 0 {
			rating = -3
		}
		fmt.Fprintf(&b, "n%d,n%d,%d,%d\n", u, v, rating, i*20000) // ~2.5 years
	}
	var ring []string
	for i := 0; i < k; i++ {
		name := fmt.Sprintf("ring%d", i)
		ring = append(ring, name)
		for j := 0; j < m; j++ {
			fmt.Fprintf(&b, "%s,n%d,-10,%d\n", name, j, e*20000+i*10+j)
		}
		for j := 0; j < 5; j++ { // camouflage: praise popular nodes
			fmt.Fprintf(&b, "%s,n%d,10,%d\n", name, n-1-j, e*20000+i*10+j)
		}
	}
	return b.String(), ring
}

func TestDetectBlocksFindsPlantedRing(t *testing.T) {
	in, ring := plantedGraph(1, 400, 4000, 8, 6)
	g := mustRead(t, in)
	blocks := detectBlocks(g, unjustifiedNegative(g), 1, 2)
	if len(blocks) != 1 {
		t.Fatalf("got %d blocks, want 1", len(blocks))
	}
	var got []string
	for _, u := range blocks[0].Raters {
		got = append(got, g.Name(u))
	}
	slices.Sort(got)
	want := slices.Clone(ring)
	slices.Sort(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("ring raters (-want +got):\n%s", diff)
	}
	if len(blocks[0].Targets) != 6 || blocks[0].Edges != 48 {
		t.Fatalf("got %d targets %d edges, want 6 targets 48 edges", len(blocks[0].Targets), blocks[0].Edges)
	}
	scores, err := Compute(g, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Every ring member must outrank every ordinary rater.
	var maxOther, minRing = 0.0, 1.0
	for _, s := range scores {
		if strings.HasPrefix(s.Node, "ring") {
			minRing = min(minRing, s.Risk)
		} else {
			maxOther = max(maxOther, s.Risk)
		}
	}
	if minRing <= maxOther {
		t.Fatalf("lowest ring risk %v, highest other risk %v: want ring strictly higher", minRing, maxOther)
	}
}

func TestIndexHeapOrder(t *testing.T) {
	h := newIndexHeap(6)
	for i, k := range []float64{5, 1, 4, 1, 3, 2} {
		h.push(int32(i), k)
	}
	h.update(2, 0.5)
	h.update(1, 9)
	var got []int32
	for h.len() > 0 {
		id, _ := h.pop()
		got = append(got, id)
	}
	if diff := cmp.Diff([]int32{2, 3, 5, 4, 0, 1}, got); diff != "" {
		t.Fatalf("pop order (-want +got):\n%s", diff)
	}
}

func TestMedian(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for n := 0; n < 60; n++ {
		xs := make([]float64, n)
		for i := range xs {
			xs[i] = float64(r.IntN(10)) // many ties
		}
		s := slices.Clone(xs)
		slices.Sort(s)
		want := 0.0
		if n > 0 {
			want = s[n/2]
			if n%2 == 0 {
				want = (s[n/2-1] + s[n/2]) / 2
			}
		}
		if got := median(xs); got != want {
			t.Fatalf("n=%d: got %v, want %v", n, got, want)
		}
	}
}

func TestMetrics(t *testing.T) {
	scores := []float64{0.9, 0.8, 0.7, 0.6, 0.5}
	pos := []bool{true, false, true, false, false}
	if got, want := rocAUC(scores, pos), 5.0/6; math.Abs(got-want) > 1e-12 {
		t.Fatalf("AUC got %v, want %v", got, want)
	}
	if got, want := averagePrecision(scores, pos), (1+2.0/3)/2; math.Abs(got-want) > 1e-12 {
		t.Fatalf("AP got %v, want %v", got, want)
	}
	if got := rocAUC([]float64{1, 1}, []bool{true, false}); got != 0.5 {
		t.Fatalf("tied AUC got %v, want 0.5", got)
	}
}

// syntheticGraph builds a power-law rating graph directly with the Builder.
func TestDeterministicAcrossWorkers(t *testing.T) {
	g := genPowerLaw(20000, 200000, 7)
	var outs [2][]Score
	for i, procs := range []int{1, 2} {
		old := runtime.GOMAXPROCS(procs)
		s, err := Compute(g, Options{RelTolerance: 1e-6})
		runtime.GOMAXPROCS(old)
		if err != nil {
			t.Fatal(err)
		}
		outs[i] = s
	}
	if diff := cmp.Diff(outs[0], outs[1]); diff != "" {
		t.Fatalf("GOMAXPROCS 1 vs 2 differ:\n%.2000s", diff)
	}
}

// genPowerLaw builds a synthetic power-law graph with the Builder.
func genPowerLaw(nodes int, edges int64, seed uint64) *Graph {
	b := NewBuilder()
	for i := 0; i < nodes; i++ {
		b.Node(strconv.Itoa(i))
	}
	synth.Generate(synth.Config{Nodes: nodes, Edges: edges, Seed: seed}, func(s, d int32, r, t float64) {
		if err := b.AddEdge(s, d, r, t); err != nil {
			panic(err)
		}
	})
	return b.Build()
}

func TestAddNodeMatchesNode(t *testing.T) {
	a, b := NewBuilder(), NewBuilderSize(4)
	for _, n := range []string{"x", "y", "z"} {
		if ia, ib := a.Node(n), b.AddNode(n); ia != ib {
			t.Fatalf("%s: Node %d, AddNode %d", n, ia, ib)
		}
	}
	ga, gb := a.Build(), b.Build()
	for i := range int32(3) {
		if ga.Name(i) != gb.Name(i) {
			t.Fatalf("node %d: %q and %q", i, ga.Name(i), gb.Name(i))
		}
	}
}

// TestByIDAndReserveEdges checks that Options.ByID gives every node the
// score the name-sorted result gives it, in id order, and that a builder
// with edges reserved builds the same graph.
func TestByIDAndReserveEdges(t *testing.T) {
	g := genPowerLaw(3000, 20000, 5)
	sorted, err := ComputeDetail(g, Options{})
	if err != nil {
		t.Fatal(err)
	}
	byID, err := ComputeDetail(g, Options{ByID: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(byID.Scores) != g.NumNodes() || len(byID.Nodes) != g.NumNodes() {
		t.Fatalf("%d scores, %d nodes for %d nodes", len(byID.Scores), len(byID.Nodes), g.NumNodes())
	}
	for i, u := range sorted.Nodes {
		if byID.Nodes[u] != u {
			t.Fatalf("ByID: Nodes[%d] = %d", u, byID.Nodes[u])
		}
		if byID.Scores[u] != sorted.Scores[i] {
			t.Fatalf("node %d: %+v by id, %+v sorted", u, byID.Scores[u], sorted.Scores[i])
		}
	}
	if !cmp.Equal(byID.Rings, sorted.Rings) {
		t.Fatalf("rings differ: %v and %v", byID.Rings, sorted.Rings)
	}

	a, b := NewBuilder(), NewBuilder()
	b.ReserveEdges(5000)
	for i := range 4000 {
		for _, x := range []*Builder{a, b} {
			x.Node(strconv.Itoa(i % 700))
			if err := x.Add(strconv.Itoa(i%700), "s"+strconv.Itoa(i%37), float64(i%3-1), float64(i)); err != nil {
				t.Fatal(err)
			}
		}
	}
	ga, gb := a.Build(), b.Build()
	if !cmp.Equal(ga, gb, cmp.AllowUnexported(Graph{})) {
		t.Fatal("ReserveEdges changed the graph built")
	}
}
