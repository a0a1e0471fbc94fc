package engine

import (
	"fmt"
	"math"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/graph"
)

// graphView is what the last rating-graph batch said of one buyer.
type graphView struct {
	fairness float64 // REV2-class fairness as a rater, 0..1
	risk     float64 // the graph's risk of a fraudulent rater, 0..1
	ring     int     // raters in the dense block the buyer belongs to; 0 for none
}

// Rating-graph evidence in the buyer's log-odds.
const (
	wGraph     = 0.8 // × how far graph risk exceeds 0.5, doubled (so at most 0.8)
	wGraphRing = 0.8 // member of a dense block of raters hitting the same sellers
	maxRing    = 12  // larger dense blocks are crowds, not rings
)

// maybeGraph runs the rating-graph batch when event time crosses the next
// boundary (every Config.GraphEvery of event time): a deterministic point of
// the event stream, so replay and the server agree.
func (en *Engine) maybeGraph(e *fairmark.Event) {
	every := en.cfg.GraphEvery
	if every <= 0 {
		return
	}
	if en.graphNext.IsZero() {
		en.graphNext = e.At.Truncate(every).Add(every)
		return
	}
	if e.At.Before(en.graphNext) {
		return
	}
	for !e.At.Before(en.graphNext) {
		en.graphNext = en.graphNext.Add(every)
	}
	en.runGraph(e)
}

// runGraph scores the marketplace's own feedback graph (buyers rating
// sellers: +1, 0, −1 by the current rating, at the time it was left) with
// package graph, keeps each buyer's fairness, graph risk and ring
// membership, and rescores the buyers whose graph evidence changed.
func (en *Engine) runGraph(e *fairmark.Event) {
	b := graph.NewBuilderSize(en.graphNodes)
	// Nodes are interned by account (ids are the accounts' own), in the
	// order graph.Builder.Add would meet them: buyer, then seller, of each
	// feedback in id order.
	ids := en.graphIDs
	if ids == nil {
		ids = make(map[*account]int32)
		en.graphIDs = ids
	}
	clear(ids)
	var nodes []*account // graph node id → account
	node := func(a *account) int32 {
		if id, ok := ids[a]; ok {
			return id
		}
		id := b.AddNode(string(a.id)) // ids are unique: ids has it interned
		ids[a] = id
		nodes = append(nodes, a)
		return id
	}
	defer func() { en.graphNodes = len(nodes) }()
	all := en.feedbackByID.all()
	b.ReserveEdges(len(all))
	n := 0
	for _, f := range all {
		if f.withdrawn || f.removed {
			continue
		}
		src := node(f.buyer)
		dst := node(f.seller)
		if err := b.AddEdge(src, dst, float64(f.rating.rating().Value()), float64(f.left.time().Unix())); err == nil {
			n++
		}
	}
	if n < en.cfg.GraphMinRatings {
		return
	}
	g := b.Build()
	res, err := graph.ComputeDetail(g, graph.Options{ByID: true})
	if err != nil {
		return
	}
	next := make(map[*account]graphView, len(res.Scores))
	for i, s := range res.Scores {
		if a := nodes[res.Nodes[i]]; a.role != codeSeller {
			next[a] = graphView{fairness: s.Fairness, risk: s.Risk}
		}
	}
	for _, blk := range res.Rings {
		if len(blk.Raters) > maxRing {
			continue // a crowd agreeing, not a ring
		}
		for _, r := range blk.Raters {
			a := nodes[r]
			v := next[a]
			v.ring = len(blk.Raters)
			next[a] = v
		}
	}
	old := en.graph
	en.graph = next
	en.graphRuns++
	// Rescore, in id order, every buyer whose graph evidence counts now or
	// counted before.
	var touched []*account
	for a, v := range next {
		if graphCounts(a, v) || graphCounts(a, old[a]) {
			touched = append(touched, a)
		}
	}
	for a, v := range old {
		if _, still := next[a]; !still && graphCounts(a, v) {
			touched = append(touched, a)
		}
	}
	sortAccounts(touched)
	for _, a := range touched {
		en.rescore(a, e)
	}
}

// graphCounts reports whether v adds evidence for a: only for buyers with
// at least two negatives, so the graph sharpens a pattern rather than
// starting one.
func graphCounts(a *account, v graphView) bool {
	return len(a.bs().negs) >= 2 && (v.risk > 0.5 || v.ring > 0)
}

// graphTerms is the rating-graph evidence for b.
func (en *Engine) graphTerms(b *account) []term {
	v, ok := en.graph[b]
	if !ok || !graphCounts(b, v) {
		return nil
	}
	var ts []term
	if v.risk > 0.5 {
		ts = append(ts, term{wGraph * math.Min(1, 2*(v.risk-0.5)),
			fmt.Sprintf("rates against the consensus of reliable raters (rating-graph fairness %.2f, risk %.2f)", v.fairness, v.risk)})
	}
	if v.ring > 0 {
		ts = append(ts, term{wGraphRing, fmt.Sprintf("one of %d raters in a dense block that rated the same sellers down", v.ring)})
	}
	return ts
}

// GraphRuns is how many rating-graph batches have run.
func (en *Engine) GraphRuns() int { return en.graphRuns }
