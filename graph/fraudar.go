package graph

import "math"

// Block is a dense block found by the ring detector: raters (sources) and
// the targets they rated, with the block's density (weighted edges per
// node, FRAUDAR's g(S)).
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
// found its edges are removed and the search repeats. Blocks with fewer
// than minRaters raters are dropped. Deterministic: ties break on node id.
func detectBlocks(g *Graph, weight edgeWeight, k, minRaters int) []Block {
	n := g.NumNodes()
	// Edges consumed by earlier blocks: from a detected rater to a
	// detected target.
	inBlockR := make([]int32, n) // 1-based block index of a rater, 0 none
	inBlockT := make([]int32, n)
	tmark := make([]int32, n)
	alive := func(u, v int32, r float32) float64 {
		if inBlockR[u] != 0 && inBlockT[v] != 0 {
			return 0
		}
		return weight(v, r)
	}
	var blocks []Block
	colW := make([]float64, n)
	prio := make([]float64, 2*n)
	gone := make([]bool, 2*n)
	order := make([]int32, 0, 2*n)
	for bi := 1; bi <= k; bi++ {
		// Column weights from subgraph in-degrees.
		var total float64
		var m int64
		for v := 0; v < n; v++ {
			var d int
			for j := g.inStart[v]; j < g.inStart[v+1]; j++ {
				if alive(g.inSrc[j], int32(v), g.inRating[j]) > 0 {
					d++
				}
			}
			colW[v] = 0
			if d > 0 {
				colW[v] = 1 / math.Log(float64(d)+5)
			}
		}
		h := newIndexHeap(2 * n)
		for u := 0; u < n; u++ {
			var s float64
			for j := g.outStart[u]; j < g.outStart[u+1]; j++ {
				v := g.outDst[j]
				if w := alive(int32(u), v, g.outRating[j]); w > 0 {
					s += w * colW[v]
					m++
				}
			}
			prio[u] = s
			gone[u] = s == 0
			if s > 0 {
				h.push(int32(u), s)
				total += s
			}
			ws := colW[u]
			var c float64
			if ws > 0 {
				for j := g.inStart[u]; j < g.inStart[u+1]; j++ {
					if w := alive(g.inSrc[j], int32(u), g.inRating[j]); w > 0 {
						c += w * ws
					}
				}
			}
			prio[n+u] = c
			gone[n+u] = c == 0
			if c > 0 {
				h.push(int32(n+u), c)
			}
		}
		if m == 0 {
			break
		}
		size := h.len()
		best := total / float64(size)
		bestAt := 0 // number of removals before the best set
		order = order[:0]
		f := total
		for h.len() > 0 {
			x, px := h.pop()
			gone[x] = true
			order = append(order, x)
			f -= px
			size--
			if x < int32(n) { // rater: its out-edges leave the set
				u := x
				for j := g.outStart[u]; j < g.outStart[u+1]; j++ {
					v := g.outDst[j]
					if w := alive(u, v, g.outRating[j]); w > 0 && !gone[int32(n)+v] {
						prio[int32(n)+v] -= w * colW[v]
						h.update(int32(n)+v, prio[int32(n)+v])
					}
				}
			} else {
				v := x - int32(n)
				for j := g.inStart[v]; j < g.inStart[v+1]; j++ {
					u := g.inSrc[j]
					if w := alive(u, v, g.inRating[j]); w > 0 && !gone[u] {
						prio[u] -= w * colW[v]
						h.update(u, prio[u])
					}
				}
			}
			if size > 0 {
				if d := f / float64(size); d > best {
					best, bestAt = d, len(order)
				}
			}
		}
		var blk Block
		blk.Density = best
		for _, x := range order[bestAt:] {
			if x < int32(n) {
				blk.Raters = append(blk.Raters, x)
			} else {
				blk.Targets = append(blk.Targets, x-int32(n))
			}
		}
		for _, v := range blk.Targets {
			tmark[v] = int32(bi)
		}
		for _, u := range blk.Raters {
			for j := g.outStart[u]; j < g.outStart[u+1]; j++ {
				v := g.outDst[j]
				if tmark[v] == int32(bi) && alive(u, v, g.outRating[j]) > 0 {
					blk.Edges++
				}
			}
		}
		for _, v := range blk.Targets {
			inBlockT[v] = int32(bi)
		}
		for _, u := range blk.Raters {
			inBlockR[u] = int32(bi)
		}
		if len(blk.Raters) >= minRaters && len(blk.Targets) > 0 {
			blocks = append(blocks, blk)
		}
	}
	return blocks
}

// indexHeap is a binary min-heap of node ids keyed by float64 with
// decrease/increase-key; ties break on the smaller id.
type indexHeap struct {
	ids []int32
	key []float64 // by id
	pos []int32   // by id, -1 if absent
}

func newIndexHeap(n int) *indexHeap {
	h := &indexHeap{key: make([]float64, n), pos: make([]int32, n)}
	for i := range h.pos {
		h.pos[i] = -1
	}
	return h
}

func (h *indexHeap) len() int { return len(h.ids) }

func (h *indexHeap) less(i, j int) bool {
	a, b := h.ids[i], h.ids[j]
	if h.key[a] != h.key[b] {
		return h.key[a] < h.key[b]
	}
	return a < b
}

func (h *indexHeap) swap(i, j int) {
	h.ids[i], h.ids[j] = h.ids[j], h.ids[i]
	h.pos[h.ids[i]] = int32(i)
	h.pos[h.ids[j]] = int32(j)
}

func (h *indexHeap) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !h.less(i, p) {
			return
		}
		h.swap(i, p)
		i = p
	}
}

func (h *indexHeap) down(i int) {
	n := len(h.ids)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		c := l
		if r := l + 1; r < n && h.less(r, l) {
			c = r
		}
		if !h.less(c, i) {
			return
		}
		h.swap(i, c)
		i = c
	}
}

func (h *indexHeap) push(id int32, k float64) {
	h.key[id] = k
	h.pos[id] = int32(len(h.ids))
	h.ids = append(h.ids, id)
	h.up(len(h.ids) - 1)
}

func (h *indexHeap) pop() (int32, float64) {
	id := h.ids[0]
	last := len(h.ids) - 1
	h.swap(0, last)
	h.ids = h.ids[:last]
	h.pos[id] = -1
	if last > 0 {
		h.down(0)
	}
	return id, h.key[id]
}

func (h *indexHeap) update(id int32, k float64) {
	i := h.pos[id]
	if i < 0 {
		return
	}
	old := h.key[id]
	h.key[id] = k
	if k < old {
		h.up(int(i))
	} else {
		h.down(int(i))
	}
}
