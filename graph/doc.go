// Package graph scores the nodes of a rating graph (who rated whom, how
// and when) for fairness as a rater, goodness as a target and risk of
// being a fraudulent rater. It serves `fairmark graph` (Run: SNAP CSV in,
// CSV out) and in-process callers (NewBuilder, Build, Compute), e.g. the
// marketplace engine scoring its buyer-rates-seller feedback graph.
//
// # Graph
//
// A Graph is immutable and held in compressed sparse row form twice: out-
// edges (target int32, rating float32, time float32) and in-edges (source
// int32, rating float32), 20 bytes per rating plus 16 per node; names are
// interned to dense int32 ids in order of first appearance. Building
// stages 16 bytes per rating and sorts with counting sorts, so time and
// memory grow linearly with the number of ratings.
//
// Input rules, applied identically by ReadCSV and by Builder:
//   - Ratings are on any symmetric scale and are divided by the largest
//     absolute rating, giving -1..1. If every rating is 0 they stay 0.
//     NaN and ±Inf ratings or times are errors, as are ratings beyond the
//     float32 range; ratings are kept as float32.
//   - Self-loops (a node rating itself) are dropped and counted in
//     Stats.SelfLoops; the node still appears in the output.
//   - Duplicate (source, target) pairs keep the rating with the latest time;
//     on equal times (within float32 resolution of the time span, about 32 s
//     over ten years) the one read last wins. Dropped ones are counted in
//     Stats.Duplicates.
//   - Times are Unix seconds, may be fractional, and are stored as float32
//     offsets from the earliest rating.
//   - ReadCSV skips blank lines and lines starting with '#', and a first
//     row whose rating and time are both not numbers (a header), trims
//     spaces around fields, accepts CRLF, and names the 1-based line in
//     every error ("line 17: rating: not a number").
//
// # Algorithms
//
// "rev2" is REV2 (Kumar et al., WSDM 2018) as its reference code runs it:
// goodness G(p) = mean of R(u,p)·w over ratings received; reliability
// R(u,p) = (γ1·F(u) + γ2·(1 − |w − G(p)|/2)) / (γ1 + γ2); fairness F(u) =
// mean of R over ratings given, with the smoothing priors α1 (median
// fairness), α2 (behavioural prior), β1 (median goodness); stop when the
// sums of absolute changes of F, G and R in one iteration are all below
// Tolerance (0.01). Plain REV2 uses α = β = 0 and γ1 = γ2 = 1; risk = 1 − F.
//
// "fairmark" (the default) adds three things:
//   - A behavioural prior in the spirit of BIRDNEST: suspicion s(u) in
//     0..1 from the rater's timing (share of ratings in the first 7 days,
//     activity span on a log scale up to a year, Bayesian-shrunk towards
//     the population mean because n ratings give only n−1 gaps of evidence)
//     and from bursts of unjustified negatives (the largest 7-day sum of
//     the amounts by which ratings fall below the target's leave-one-out
//     consensus, standardised by √n), combined by noisy-OR. REV2 uses
//     1 − s as the α2 prior and starting fairness (α1 = 1, α2 = 2, β1 = 1).
//   - A FRAUDAR-style ring detector (Hooi et al., KDD 2016): greedy peeling
//     of the bipartite subgraph of unjustified negative ratings, each edge
//     weighted by its gap to consensus over log(in-degree + 5) of its
//     target, so edges into popular targets (camouflage, crowds) count
//     less; up to 5 blocks of at least 2 raters. Raters in a block are ring
//     members.
//   - risk = 0.5·(1 − F) + 0.3·s + 0.2·ring, 0 for nodes that rated nobody.
//
// Every node gets a score. Nodes that rated nobody have fairness from the
// priors (α1·median + α2·prior)/(α1 + α2), or 1 under plain REV2; nodes that
// nobody rated have goodness 0.
//
// Work is split over GOMAXPROCS goroutines by contiguous node ranges of
// equal edge counts; partial sums are combined in a fixed order, so results
// do not depend on the number of cores. See docs/GRAPH.md for the
// evaluation on Bitcoin-Alpha and docs/benchmarks/graph.md for speed.
package graph
