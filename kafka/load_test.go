package kafkasource_test

import (
	"context"
	"flag"
	"fmt"
	"github.com/fairmark/fairmark/service/servicetest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/event"
	"github.com/fairmark/fairmark/sim"
)

var (
	loadRate       = flag.Int("kafka.rate", 2000, "TestSustainedLoad: events produced per second")
	loadDuration   = flag.Duration("kafka.duration", 3*time.Second, "TestSustainedLoad: how long to produce")
	loadPartitions = flag.Int("kafka.partitions", 4, "TestSustainedLoad: topic partitions")
	loadPoll       = flag.Int("kafka.poll", 0, "TestSustainedLoad: MaxPollRecords of the source (0: its default)")
)

// loadEvents returns the first n events of a simulated marketplace large
// enough to have them, in the simulator's order.
func loadEvents(t *testing.T, n int) []*fairmark.Event {
	t.Helper()
	for buyers := max(300, n/6); ; buyers *= 2 {
		evs, _, err := sim.Events(sim.Config{Seed: 7, Sellers: max(20, buyers/50), Buyers: buyers, Days: 14, Complainers: max(3, buyers/500)})
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) >= n {
			return evs[:n]
		}
	}
}

// TestSustainedLoad produces a simulated marketplace's events into kfake at
// a steady rate while a Source consumes them into a SQLite-backed service,
// and logs the consumer lag (records produced but not yet committed) over
// time. It asserts only that every event ends up stored once and every
// record committed; the figures are for docs/benchmarks/streams.md:
//
//	go test ./kafka/ -run TestSustainedLoad -v -kafka.rate 10000 -kafka.duration 30s
func TestSustainedLoad(t *testing.T) {
	rate, dur := *loadRate, *loadDuration
	total := int(float64(rate) * dur.Seconds())
	evs := loadEvents(t, total)
	k := newKeyer(evs)
	recs := make([]*kgo.Record, len(evs))
	for i, e := range evs {
		raw, err := event.Encode(e)
		if err != nil {
			t.Fatal(err)
		}
		recs[i] = &kgo.Record{Topic: topic, Key: []byte(k.key(e)), Value: raw}
	}
	brokers := newCluster(t, int32(*loadPartitions))
	svc := servicetest.Open(t)
	cfg := config(brokers)
	cfg.MaxPollRecords = *loadPoll // 0: the default
	r := start(t, context.Background(), svc, cfg)

	prod, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.DefaultProduceTopic(topic), kgo.MaxBufferedRecords(1<<20))
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close()
	var produced, produceErrs atomic.Int64
	lag := func() int64 { return produced.Load() - r.src.Stats().Committed }

	// Sample the lag every 250ms until the consumer has caught up.
	type sample struct {
		at  time.Duration
		lag int64
	}
	var samples []sample
	var maxLag int64
	begin := time.Now()
	stopSampling := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tk := time.NewTicker(250 * time.Millisecond)
		defer tk.Stop()
		for {
			select {
			case <-stopSampling:
				return
			case <-tk.C:
				l := lag()
				maxLag = max(maxLag, l)
				samples = append(samples, sample{time.Since(begin).Round(time.Millisecond), l})
			}
		}
	}()

	// Produce at the rate: every 10ms, the records due by then.
	tick := time.NewTicker(10 * time.Millisecond)
	next := 0
	for next < len(recs) {
		<-tick.C
		due := min(len(recs), int(float64(rate)*time.Since(begin).Seconds()))
		for ; next < due; next++ {
			prod.Produce(context.Background(), recs[next], func(_ *kgo.Record, err error) {
				if err != nil {
					produceErrs.Add(1)
					return
				}
				produced.Add(1)
			})
		}
	}
	tick.Stop()
	if err := prod.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	produceTook := time.Since(begin)
	lagAtEnd := lag()
	deadline := time.Now().Add(2*dur + 60*time.Second)
	for lag() != 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	caughtUp := lag() == 0
	drained := time.Since(begin)
	close(stopSampling)
	<-sampled
	r.stop(t)
	st := r.src.Stats()
	pollDesc := fmt.Sprint(*loadPoll)
	if *loadPoll == 0 {
		pollDesc = "default 10000"
	}

	var b strings.Builder
	for i, s := range samples {
		if i%4 == 3 || i == len(samples)-1 { // one a second
			fmt.Fprintf(&b, " %v:%d", s.at.Round(time.Second/10), s.lag)
		}
	}
	t.Logf("produced %d events at %d/s over %d partitions in %v; consumer (MaxPollRecords %s) caught up: %v, %v after the start",
		len(recs), rate, *loadPartitions, produceTook.Round(time.Millisecond), pollDesc, caughtUp, drained.Round(time.Millisecond))
	t.Logf("lag (records produced, not committed): max %d, at end of production %d; engine rebuilds %d; ingest stats %+v",
		maxLag, lagAtEnd, svc.Stats().Rebuilds, st)
	t.Logf("lag over time (elapsed:lag):%s", b.String())
	if !caughtUp {
		t.Fatalf("the consumer did not catch up within %v of the start (lag %d)", 2*dur+60*time.Second, lag())
	}

	if n := produceErrs.Load(); n != 0 {
		t.Fatalf("produce errors: got %d, want 0", n)
	}
	// A poll whose Ingest failed after storing is delivered again: its
	// events then count as duplicates, never as stored twice.
	if st.Committed != int64(len(recs)) || st.Accepted+st.Duplicates != int64(len(evs)) || st.Duplicates > st.Redelivered {
		t.Fatalf("stats: got %+v, want %d records committed and %d events accepted (or duplicates of a redelivery)", st, len(recs), len(evs))
	}
	if n := eventCount(t, svc); n != int64(len(evs)) {
		t.Fatalf("events stored: got %d, want %d", n, len(evs))
	}

}
