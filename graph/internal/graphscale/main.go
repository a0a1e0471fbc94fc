// Command graphscale generates a synthetic power-law rating graph in
// memory, builds it and scores it with fairmark, printing the time of each
// phase and the Go heap high-water mark. Run it under /usr/bin/time -v to
// see peak RSS:
//
//	go build -o /tmp/graphscale ./graph/internal/graphscale
//	/usr/bin/time -v /tmp/graphscale -edges 100000000 -nodes 10000000
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"syscall"
	"time"

	"github.com/fairmark/fairmark/graph"
	"github.com/fairmark/fairmark/graph/internal/synth"
)

func main() {
	edges := flag.Int64("edges", 1_000_000, "ratings to generate")
	nodes := flag.Int("nodes", 100_000, "nodes")
	seed := flag.Uint64("seed", 1, "generator seed")
	relTol := flag.Float64("reltol", 1e-4, "Options.RelTolerance (mean absolute change per value)")
	maxIter := flag.Int("maxiter", 100, "Options.MaxIter")
	algo := flag.String("algo", "fairmark", "fairmark or rev2")
	cpuprof := flag.String("cpuprofile", "", "write a CPU profile of the compute phase")
	flag.Parse()

	start := time.Now()
	cpu0 := cpuTime()
	b := graph.NewBuilder()
	for i := 0; i < *nodes; i++ {
		b.Node(strconv.Itoa(i))
	}
	synth.Generate(synth.Config{Nodes: *nodes, Edges: *edges, Seed: *seed}, func(s, d int32, r, t float64) {
		if err := b.AddEdge(s, d, r, t); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	})
	tGen := time.Since(start)
	cpuGen := cpuTime()
	g := b.Build()
	b = nil
	tBuild := time.Since(start) - tGen
	cpuBuild := cpuTime()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("graph: %d nodes, %d edges kept (%+v); arrays %.2f GiB (%.1f B/edge); heap in use after build %.2f GiB\n",
		g.NumNodes(), g.NumEdges(), g.Stats(), float64(g.Bytes())/(1<<30), float64(g.Bytes())/float64(g.NumEdges()),
		float64(ms.HeapInuse)/(1<<30))
	if *cpuprof != "" {
		f, err := os.Create(*cpuprof)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	r, err := graph.ComputeDetail(g, graph.Options{Algo: *algo, RelTolerance: *relTol, MaxIter: *maxIter})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	tCompute := time.Since(start) - tGen - tBuild
	cpuEnd := cpuTime()
	fmt.Printf("cpu (user+sys): generate %.1fs, build %.1fs, compute %.1fs\n",
		(cpuGen - cpu0).Seconds(), (cpuBuild - cpuGen).Seconds(), (cpuEnd - cpuBuild).Seconds())
	fmt.Printf("generate+intern+stage %.1fs, build %.1fs, compute %.1fs (%d iterations, converged %v, %d rings), total %.1fs\n",
		tGen.Seconds(), tBuild.Seconds(), tCompute.Seconds(), r.Iterations, r.Converged, len(r.Rings), time.Since(start).Seconds())
	runtime.ReadMemStats(&ms)
	fmt.Printf("Go heap: sys %.2f GiB, GOMAXPROCS %d\n", float64(ms.HeapSys)/(1<<30), runtime.GOMAXPROCS(0))
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
