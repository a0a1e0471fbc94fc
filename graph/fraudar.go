package graph

import (
	"math"
	"slices"
)

// Block is a dense block found by the ring detector: raters (sources) and
// the targets they rated, as node ids (see Graph.Name), sorted; Edges is
// the number of subgraph ratings inside the block and Density its weighted
// edges per node (FRAUDAR's g(S)).
type Block struct {
	Raters, Targets []int32
	Edges           int64
	Density         float64
}

// edgeWeight gives the suspiciousness (>= 0) of a rating of target v;
// edges of weight 0 are not part of the peeled subgraph.
type edgeWeight func(v int32, rating float32) float64

// negativeOnly weighs every rating below zero 1.
func negativeOnly(_ int32, r float32) float64 {
	if r < 0 {
		return 1
	}
	return 0
}

// unjustifiedNegative weighs a rating by how far it falls below the
// target's mean received rating (halved, so 0..1): a negative rating of a
// well-rated target weighs most, a negative rating of a widely distrusted
// target (a known scammer) weighs about nothing. Ratings at or above the
// consensus weigh 0.
func unjustifiedNegative(g *Graph) edgeWeight {
	mean := make([]float32, g.NumNodes())
	for v := range mean {
		s, e := g.inStart[v], g.inStart[v+1]
		var sum float64
		for j := s; j < e; j++ {
			sum += float64(g.inRating[j])
		}
		if e > s {
			mean[v] = float32(sum / float64(e-s))
		}
	}
	return func(v int32, r float32) float64 {
		if r >= 0 {
			return 0
		}
		return float64(max(0, mean[v]-r)) / 2
	}
}

// detectBlocks finds up to k dense blocks with FRAUDAR's greedy peeling
// (Hooi et al., KDD 2016) on the bipartite subgraph of edges accepted by
// keep. Each edge into target j weighs 1/log(d_j + 5), d_j being j's
// in-degree in the subgraph: edges into popular targets count less, so
// camouflage (fraudsters also rating popular honest targets) and honest
// crowds around a popular target do not make a block look dense. The
// peeling repeatedly removes the node with the smallest weighted degree and
// keeps the node set with the highest density f(S)/|S|. After a block is
// found its edges are removed and the search repeats on the rest (column
// weights recomputed). Before the heap peel, nodes below the current
// density are pruned in linear time (see the comment in the loop). Blocks with fewer
// than minRaters raters are dropped. Deterministic: ties break on node id.
func detectBlocks(g *Graph, weight edgeWeight, k, minRaters int) []Block {
	n := g.NumNodes()
	// Extract the weighted subgraph once: compact node ids for raters
	// (rows) and targets (columns), and its edges in row-major order.
	rowOf := make([]int32, n)
	colOf := make([]int32, n)
	for i := range rowOf {
		rowOf[i], colOf[i] = -1, -1
	}
	var rows, cols []int32 // compact -> node
	var eRow, eCol []int32
	var eW []float64
	for u := 0; u < n; u++ {
		for j := g.outStart[u]; j < g.outStart[u+1]; j++ {
			v := g.outDst[j]
			w := weight(v, g.outRating[j])
			if w <= 0 {
				continue
			}
			if rowOf[u] < 0 {
				rowOf[u] = int32(len(rows))
				rows = append(rows, int32(u))
			}
			if colOf[v] < 0 {
				colOf[v] = int32(len(cols))
				cols = append(cols, v)
			}
			eRow = append(eRow, rowOf[u])
			eCol = append(eCol, colOf[v])
			eW = append(eW, w)
		}
	}
	nr, nc, m := len(rows), len(cols), len(eRow)
	if m == 0 {
		return nil
	}
	// Row CSR is the edge order itself; build column CSR of edge indexes.
	rowStart := make([]int32, nr+1)
	for _, r := range eRow {
		rowStart[r+1]++
	}
	colStart := make([]int32, nc+1)
	for _, c := range eCol {
		colStart[c+1]++
	}
	for i := 0; i < nr; i++ {
		rowStart[i+1] += rowStart[i]
	}
	for i := 0; i < nc; i++ {
		colStart[i+1] += colStart[i]
	}
	colEdges := make([]int32, m)
	cpos := slices.Clone(colStart[:nc])
	for e := 0; e < m; e++ {
		c := eCol[e]
		colEdges[cpos[c]] = int32(e)
		cpos[c]++
	}

	dead := make([]bool, m) // consumed by an earlier block
	colW := make([]float64, nc)
	prio := make([]float64, nr+nc) // rows 0..nr-1, columns nr..
	gone := make([]bool, nr+nc)
	queued := make([]bool, nr+nc)
	var queueBuf []int32
	order := make([]int32, 0, nr+nc)
	h := newIndexHeap(nr + nc)
	var blocks []Block
	for bi := 0; bi < k; bi++ {
		var alive int
		for c := 0; c < nc; c++ {
			var d int
			for _, e := range colEdges[colStart[c]:colStart[c+1]] {
				if !dead[e] {
					d++
				}
			}
			colW[c] = 0
			if d > 0 {
				colW[c] = 1 / math.Log(float64(d)+5)
			}
			alive += d
		}
		if alive == 0 {
			break
		}
		clear(prio)
		clear(queued)
		for e := 0; e < m; e++ {
			if !dead[e] {
				w := eW[e] * colW[eCol[e]]
				prio[eRow[e]] += w
				prio[int32(nr)+eCol[e]] += w
			}
		}
		var total float64
		size := 0
		for x := range prio {
			gone[x] = prio[x] == 0
			if prio[x] > 0 {
				size++
				if x < nr {
					total += prio[x]
				}
			}
		}
		order = order[:0]
		f := total
		// Core pruning: the densest subgraph S* has every node's weighted
		// degree inside S* >= g(S*) >= the current density, so nodes below
		// the current density can go in any order without losing S* (the
		// greedy 2-approximation still holds on what remains). A FIFO queue
		// does this in linear time; only the remaining core needs the heap.
		// Repeat while the density rises.
		for size > 0 {
			tau := f / float64(size)
			queue := queueBuf[:0]
			for x := range prio {
				if !gone[x] && prio[x] < tau {
					queued[x] = true
					queue = append(queue, int32(x))
				}
			}
			if len(queue) == 0 || len(queue) == size { // the latter cannot happen: max degree >= 2f/size
				for _, x := range queue {
					queued[x] = false
				}
				break
			}
			for i := 0; i < len(queue); i++ {
				x := queue[i]
				gone[x] = true
				order = append(order, x)
				f -= prio[x] // weight to nodes still in the set
				size--
				drop := func(y int32, w float64) {
					if gone[y] {
						return
					}
					prio[y] -= w
					if !queued[y] && prio[y] < tau {
						queued[y] = true
						queue = append(queue, y)
					}
				}
				if x < int32(nr) {
					for e := rowStart[x]; e < rowStart[x+1]; e++ {
						if !dead[e] {
							drop(int32(nr)+eCol[e], eW[e]*colW[eCol[e]])
						}
					}
				} else {
					c := x - int32(nr)
					for _, e := range colEdges[colStart[c]:colStart[c+1]] {
						if !dead[e] {
							drop(eRow[e], eW[e]*colW[c])
						}
					}
				}
			}
			queueBuf = queue[:0]
		}
		for x := range prio {
			if !gone[x] {
				h.push(int32(x), prio[x])
			}
		}
		best := f / float64(size)
		bestAt := len(order) // removals before the best set
		for h.len() > 0 {
			x, px := h.pop()
			gone[x] = true
			order = append(order, x)
			f -= px
			size--
			if x < int32(nr) {
				for e := rowStart[x]; e < rowStart[x+1]; e++ {
					if c := int32(nr) + eCol[e]; !dead[e] && !gone[c] {
						prio[c] -= eW[e] * colW[eCol[e]]
						h.update(c, prio[c])
					}
				}
			} else {
				c := x - int32(nr)
				for _, e := range colEdges[colStart[c]:colStart[c+1]] {
					if r := eRow[e]; !dead[e] && !gone[r] {
						prio[r] -= eW[e] * colW[c]
						h.update(r, prio[r])
					}
				}
			}
			if size > 0 {
				if d := f / float64(size); d > best {
					best, bestAt = d, len(order)
				}
			}
		}
		blk := Block{Density: best}
		inBlock := map[int32]bool{}
		for _, x := range order[bestAt:] {
			if x < int32(nr) {
				blk.Raters = append(blk.Raters, rows[x])
			} else {
				blk.Targets = append(blk.Targets, cols[x-int32(nr)])
				inBlock[x-int32(nr)] = true
			}
		}
		// Consume the block's edges so the next round finds another block.
		for _, x := range order[bestAt:] {
			if x < int32(nr) {
				for e := rowStart[x]; e < rowStart[x+1]; e++ {
					if !dead[e] && inBlock[eCol[e]] {
						dead[e] = true
						blk.Edges++
					}
				}
			}
		}
		slices.Sort(blk.Raters)
		slices.Sort(blk.Targets)
		if len(blk.Raters) >= minRaters && len(blk.Targets) > 0 {
			blocks = append(blocks, blk)
		}
	}
	return blocks
}

// pruneRounds caps the core-pruning rounds per block.
const pruneRounds = 2

// indexHeap is a binary min-heap of node ids keyed by float64 with
// decrease/increase-key; ties break on the smaller id. Keys live in the
// heap entries (not behind the id) to keep sift operations cache-friendly.
type indexHeap struct {
	e   []heapEntry
	pos []int32 // by id, -1 if absent
}

type heapEntry struct {
	key float64
	id  int32
}

func newIndexHeap(n int) *indexHeap {
	h := &indexHeap{pos: make([]int32, n)}
	for i := range h.pos {
		h.pos[i] = -1
	}
	return h
}

func (h *indexHeap) len() int { return len(h.e) }

func entryLess(a, b heapEntry) bool {
	if a.key != b.key {
		return a.key < b.key
	}
	return a.id < b.id
}

func (h *indexHeap) up(i int) {
	x := h.e[i]
	for i > 0 {
		p := (i - 1) / 2
		if !entryLess(x, h.e[p]) {
			break
		}
		h.e[i] = h.e[p]
		h.pos[h.e[i].id] = int32(i)
		i = p
	}
	h.e[i] = x
	h.pos[x.id] = int32(i)
}

func (h *indexHeap) down(i int) {
	n := len(h.e)
	x := h.e[i]
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		c := l
		if r := l + 1; r < n && entryLess(h.e[r], h.e[l]) {
			c = r
		}
		if !entryLess(h.e[c], x) {
			break
		}
		h.e[i] = h.e[c]
		h.pos[h.e[i].id] = int32(i)
		i = c
	}
	h.e[i] = x
	h.pos[x.id] = int32(i)
}

func (h *indexHeap) push(id int32, k float64) {
	h.e = append(h.e, heapEntry{k, id})
	h.up(len(h.e) - 1)
}

func (h *indexHeap) pop() (int32, float64) {
	top := h.e[0]
	last := len(h.e) - 1
	h.e[0] = h.e[last]
	h.e = h.e[:last]
	h.pos[top.id] = -1
	if last > 0 {
		h.pos[h.e[0].id] = 0
		h.down(0)
	}
	return top.id, top.key
}

func (h *indexHeap) update(id int32, k float64) {
	i := h.pos[id]
	if i < 0 {
		return
	}
	old := h.e[i].key
	h.e[i].key = k
	if k < old {
		h.up(int(i))
	} else {
		h.down(int(i))
	}
}
