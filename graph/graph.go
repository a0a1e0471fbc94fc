package graph

import (
	"fmt"
	"math"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"sync"
)

// chunkSize is the number of staged edges per builder chunk. Chunks avoid
// the transient 3x memory of growing one huge slice by doubling.
const chunkSize = 1 << 20

// edgeChunk holds staged edges in structure-of-arrays form (16 bytes/edge).
// Times are float32 offsets from the first staged time (Builder.base).
type edgeChunk struct {
	src, dst []int32
	rating   []float32
	time     []float32
}

// Builder accumulates ratings and builds an immutable Graph. The zero value
// is not ready to use; call NewBuilder. A Builder is not safe for concurrent
// use.
type Builder struct {
	ids    map[string]int32
	names  []string
	chunks []*edgeChunk
	n      int64 // staged edges, self-loops excluded
	loops  int64
	maxAbs float64
	minT   float64
	maxT   float64
	base   float64 // time of the first staged rating; staged times are offsets from it
}

// NewBuilder returns an empty Builder.
func NewBuilder() *Builder {
	return &Builder{ids: make(map[string]int32), minT: math.Inf(1), maxT: math.Inf(-1)}
}

// NewBuilderSize returns an empty Builder whose list of names has room for
// about nodes names (the name index of Node still grows as it goes).
func NewBuilderSize(nodes int) *Builder {
	b := NewBuilder()
	b.names = make([]string, 0, nodes)
	return b
}

// AddNode adds a node the caller knows is new: no earlier Node or AddNode
// call named it. It returns the node's id, as Node would, without looking
// the name up; a caller that interns names itself (by its own keys) uses it
// in place of Node, never both for one name.
func (b *Builder) AddNode(name string) int32 {
	if len(b.names) >= math.MaxInt32 {
		panic("graph: too many nodes")
	}
	b.names = append(b.names, name)
	return int32(len(b.names) - 1)
}

// ReserveEdges makes room for about m staged edges, sparing the growth of
// the first chunk by doubling when the count is known.
func (b *Builder) ReserveEdges(m int) {
	if len(b.chunks) > 0 || m <= 0 {
		return
	}
	m = min(m, chunkSize)
	b.chunks = append(b.chunks, &edgeChunk{
		src: make([]int32, 0, m), dst: make([]int32, 0, m),
		rating: make([]float32, 0, m), time: make([]float32, 0, m),
	})
}

// Node interns name and returns its dense id. Ids are assigned in order of
// first appearance, starting at 0.
func (b *Builder) Node(name string) int32 {
	if id, ok := b.ids[name]; ok {
		return id
	}
	if len(b.names) >= math.MaxInt32 {
		panic("graph: too many nodes")
	}
	id := int32(len(b.names))
	b.ids[name] = id
	b.names = append(b.names, name)
	return id
}

// Add stages the rating src -> dst with the given rating (any symmetric
// scale) and Unix time in seconds. Ratings are kept as float32 (about 7
// significant digits). It returns an error for a non-finite rating or
// time, or a rating beyond the float32 range. Self-loops are counted and dropped (both nodes still
// appear in the graph).
func (b *Builder) Add(src, dst string, rating, time float64) error {
	return b.AddEdge(b.Node(src), b.Node(dst), rating, time)
}

// AddEdge is Add for ids returned by Node. It panics on an id that Node
// did not return.
func (b *Builder) AddEdge(src, dst int32, rating, time float64) error {
	if src < 0 || int(src) >= len(b.names) || dst < 0 || int(dst) >= len(b.names) {
		panic("graph: AddEdge with unknown node id")
	}
	if math.IsNaN(rating) || math.IsInf(rating, 0) {
		return fmt.Errorf("rating: not a finite number")
	}
	if math.Abs(rating) > math.MaxFloat32 {
		return fmt.Errorf("rating: out of range (ratings are kept as float32)")
	}
	if math.IsNaN(time) || math.IsInf(time, 0) {
		return fmt.Errorf("time: not a finite number")
	}
	if src == dst {
		b.loops++
		return nil
	}
	// The maximum is taken over the stored float32 values, so the scale
	// always matches what is kept (a rating that underflows float32 is 0).
	if a := math.Abs(float64(float32(rating))); a > b.maxAbs {
		b.maxAbs = a
	}
	if b.n == 0 {
		b.base = time
	}
	b.minT = min(b.minT, time)
	b.maxT = max(b.maxT, time)
	var c *edgeChunk
	if len(b.chunks) > 0 {
		c = b.chunks[len(b.chunks)-1]
	}
	if c == nil || len(c.src) == chunkSize {
		c = &edgeChunk{
			src:    make([]int32, 0, chunkSize),
			dst:    make([]int32, 0, chunkSize),
			rating: make([]float32, 0, chunkSize),
			time:   make([]float32, 0, chunkSize),
		}
		// Small graphs should not pay for a full chunk.
		if b.n < chunkSize {
			c.src, c.dst = make([]int32, 0, 1024), make([]int32, 0, 1024)
			c.rating, c.time = make([]float32, 0, 1024), make([]float32, 0, 1024)
		}
		b.chunks = append(b.chunks, c)
	}
	c.src = append(c.src, src)
	c.dst = append(c.dst, dst)
	c.rating = append(c.rating, float32(rating))
	c.time = append(c.time, float32(time-b.base))
	b.n++
	return nil
}

// Stats describes what Build did with the staged ratings.
type Stats struct {
	Nodes      int   // distinct node names, including nodes seen only in self-loops
	Edges      int64 // ratings kept
	SelfLoops  int64 // self-ratings dropped
	Duplicates int64 // earlier ratings of a (source, target) pair dropped in favour of the latest
	MaxAbs     float64
}

// Graph is an immutable rating graph in compressed sparse row form, with
// both out-edges (ratings given) and in-edges (ratings received). Ratings
// are normalised to -1..1 by the largest absolute rating; times are stored
// as float32 seconds after the earliest rating.
type Graph struct {
	names []string

	outStart  []int64 // len n+1
	outDst    []int32
	outRating []float32
	outTime   []float32

	inStart  []int64 // len n+1
	inSrc    []int32
	inRating []float32

	minTime float64
	stats   Stats
}

// NumNodes returns the number of nodes.
func (g *Graph) NumNodes() int { return len(g.names) }

// NumEdges returns the number of ratings kept.
func (g *Graph) NumEdges() int64 { return int64(len(g.outDst)) }

// Name returns the name of node id.
func (g *Graph) Name(id int32) string { return g.names[id] }

// Stats reports what Build kept and dropped.
func (g *Graph) Stats() Stats { return g.stats }

// OutDegree returns the number of ratings node u gave.
func (g *Graph) OutDegree(u int32) int { return int(g.outStart[u+1] - g.outStart[u]) }

// InDegree returns the number of ratings node p received.
func (g *Graph) InDegree(p int32) int { return int(g.inStart[p+1] - g.inStart[p]) }

// Bytes estimates the memory held by the graph's arrays, excluding names.
func (g *Graph) Bytes() int64 {
	e := int64(len(g.outDst))
	n := int64(len(g.names))
	return e*(4+4+4+4+4) + (n+1)*16 // out: dst, rating, time; in: src, rating
}

// Build turns the staged ratings into a Graph. Self-loops were already
// dropped by Add; for duplicate (source, target) pairs the rating with the
// latest time is kept (ties, including times closer than the float32
// resolution of the time span, about 32 s over ten years: the one added
// last). Ratings are divided by the
// largest absolute rating (all-zero ratings stay 0). The Builder must not be
// used after Build.
func (b *Builder) Build() *Graph {
	n := len(b.names)
	g := &Graph{names: b.names, outStart: make([]int64, n+1), inStart: make([]int64, n+1)}
	g.stats.Nodes = n
	g.stats.SelfLoops = b.loops
	g.stats.MaxAbs = b.maxAbs
	if b.n > 0 {
		g.minTime = b.minT
	}
	div := 1.0
	if b.maxAbs > 0 {
		div = b.maxAbs
	}

	// Counting sort by source, stable in insertion order.
	for _, c := range b.chunks {
		for _, s := range c.src {
			g.outStart[s+1]++
		}
	}
	for i := 0; i < n; i++ {
		g.outStart[i+1] += g.outStart[i]
	}
	m := b.n
	dst := make([]int32, m)
	rat := make([]float32, m)
	tim := make([]float32, m)
	shift := float32(b.base - g.minTime) // staged offsets -> offsets from the earliest time
	pos := make([]int64, n)
	copy(pos, g.outStart[:n])
	for ci, c := range b.chunks {
		for i, s := range c.src {
			k := pos[s]
			pos[s]++
			dst[k] = c.dst[i]
			rat[k] = float32(float64(c.rating[i]) / div)
			tim[k] = c.time[i] + shift
		}
		b.chunks[ci] = nil
	}
	pos = nil
	b.chunks, b.ids = nil, nil
	releaseMemory(m) // the staged chunks are garbage now

	// Sort each source's segment by (target, time, insertion) and keep the
	// last of each target. Segments are independent, so workers split them.
	keep := make([]int64, n) // kept count per source
	parallelRanges(g.outStart, func(lo, hi int) {
		var buf []segEdge
		for u := lo; u < hi; u++ {
			s, e := g.outStart[u], g.outStart[u+1]
			keep[u] = dedupeSegment(dst[s:e], rat[s:e], tim[s:e], &buf)
		}
	})
	// Compact kept prefixes to the front (in order, so moves never overlap
	// unread data).
	var w int64
	for u := 0; u < n; u++ {
		s := g.outStart[u]
		k := keep[u]
		g.outStart[u] = w
		copy(dst[w:w+k], dst[s:s+k])
		copy(rat[w:w+k], rat[s:s+k])
		copy(tim[w:w+k], tim[s:s+k])
		w += k
	}
	g.outStart[n] = w
	g.stats.Duplicates = m - w
	g.stats.Edges = w
	g.outDst = slices.Clip(dst[:w])
	g.outRating = slices.Clip(rat[:w])
	g.outTime = slices.Clip(tim[:w])
	keep = nil

	// In-edges: counting sort by target; iterating sources in order leaves
	// each in-segment sorted by source.
	for _, d := range g.outDst {
		g.inStart[d+1]++
	}
	for i := 0; i < n; i++ {
		g.inStart[i+1] += g.inStart[i]
	}
	g.inSrc = make([]int32, w)
	g.inRating = make([]float32, w)
	ipos := make([]int64, n)
	copy(ipos, g.inStart[:n])
	for u := 0; u < n; u++ {
		for k := g.outStart[u]; k < g.outStart[u+1]; k++ {
			d := g.outDst[k]
			j := ipos[d]
			ipos[d]++
			g.inSrc[j] = int32(u)
			g.inRating[j] = g.outRating[k]
		}
	}
	return g
}

// bigGraph is the edge count above which Build returns freed staging
// memory to the OS between phases. Without it the garbage of one phase
// (16 bytes per edge of staging) can still be resident when the next phase
// allocates, raising peak RSS by up to half.
const bigGraph = 1 << 24

func releaseMemory(edges int64) {
	if edges >= bigGraph {
		debug.FreeOSMemory()
	}
}

type segEdge struct {
	dst int32
	pos int32
	t   float32
	r   float32
}

// dedupeSegment sorts one source's edges by (dst, time, insertion order),
// keeps the last edge per dst, writes the kept edges to the front of the
// slices and returns how many were kept.
func dedupeSegment(dst []int32, rat []float32, tim []float32, buf *[]segEdge) int64 {
	k := len(dst)
	if k <= 1 {
		return int64(k)
	}
	sorted := true
	for i := 1; i < k; i++ {
		if dst[i] <= dst[i-1] {
			sorted = false
			break
		}
	}
	if sorted {
		return int64(k)
	}
	b := (*buf)[:0]
	for i := 0; i < k; i++ {
		b = append(b, segEdge{dst: dst[i], pos: int32(i), t: tim[i], r: rat[i]})
	}
	slices.SortFunc(b, func(x, y segEdge) int {
		switch {
		case x.dst != y.dst:
			return int(x.dst) - int(y.dst)
		case x.t < y.t:
			return -1
		case x.t > y.t:
			return 1
		}
		return int(x.pos) - int(y.pos)
	})
	w := 0
	for i := 0; i < k; i++ {
		if i+1 < k && b[i+1].dst == b[i].dst {
			continue
		}
		dst[w], rat[w], tim[w] = b[i].dst, b[i].r, b[i].t
		w++
	}
	*buf = b
	return int64(w)
}

// parallelRanges splits the nodes 0..len(start)-2 into contiguous ranges of
// roughly equal edge counts and runs fn on each range concurrently. Each
// node is visited by exactly one call, so writes indexed by node are
// race-free and results do not depend on scheduling.
func parallelRanges(start []int64, fn func(lo, hi int)) {
	runParts(partitions(start), func(_, lo, hi int) { fn(lo, hi) })
}

// partitions returns the same deterministic ranges parallelRanges uses, for
// callers that need one partial result per range (e.g. sums combined in a
// fixed order).
func partitions(start []int64) [][2]int {
	n := len(start) - 1
	workers := runtime.GOMAXPROCS(0)
	total := start[n]
	if workers <= 1 || total < 1<<16 || n < 2 {
		return [][2]int{{0, n}}
	}
	parts := workers * 4
	var out [][2]int
	lo := 0
	for p := 1; p <= parts && lo < n; p++ {
		target := total * int64(p) / int64(parts)
		hi, _ := slices.BinarySearch(start, target)
		hi = min(max(hi, lo+1), n)
		if p == parts {
			hi = n
		}
		out = append(out, [2]int{lo, hi})
		lo = hi
	}
	if lo < n {
		out[len(out)-1][1] = n
	}
	return out
}

// runParts runs fn for every partition concurrently (at most GOMAXPROCS at
// a time) and waits.
func runParts(parts [][2]int, fn func(i, lo, hi int)) {
	if len(parts) == 1 {
		fn(0, parts[0][0], parts[0][1])
		return
	}
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	sem := make(chan struct{}, workers)
	for i, p := range parts {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			fn(i, p[0], p[1])
		}()
	}
	wg.Wait()
}

// nodeLess orders node names: canonical decimal integers first, by value,
// then all other names lexicographically.
func nodeLess(a, b string) int {
	ai, aok := parseID(a)
	bi, bok := parseID(b)
	switch {
	case aok && bok:
		if ai != bi {
			if ai < bi {
				return -1
			}
			return 1
		}
	case aok:
		return -1
	case bok:
		return 1
	}
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func parseID(s string) (int64, bool) {
	if s == "" || len(s) > 18 {
		return 0, false
	}
	v, err := strconv.ParseInt(s, 10, 64)
	return v, err == nil
}
