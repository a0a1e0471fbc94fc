package kafkasource_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/engine"
	"github.com/fairmark/fairmark/event"
	kafkasource "github.com/fairmark/fairmark/kafka"
	"github.com/fairmark/fairmark/replay"
	"github.com/fairmark/fairmark/scan"
	"github.com/fairmark/fairmark/service"
	"github.com/fairmark/fairmark/service/servicetest"
	"github.com/fairmark/fairmark/sim"
)

const topic = "marketplace-events"

// replayCSVs is the end state of a direct, ordered replay of evs.
func replayCSVs(t testing.TB, evs []*fairmark.Event) string {
	t.Helper()
	en := engine.New(engine.Config{Detect: scan.Detector})
	sorted := append([]*fairmark.Event(nil), evs...)
	replay.SortEvents(sorted)
	replay.Run(en, sorted)
	return servicetest.CSVs(t, en)
}

// keyer keys an event by the buyer it concerns (orders, feedback,
// messages, reports) and an account event by the account, so that one
// buyer's events stay in one partition, in order.
type keyer struct {
	role          map[fairmark.AccountID]fairmark.Role
	orderBuyer    map[fairmark.OrderID]fairmark.AccountID
	feedbackBuyer map[fairmark.FeedbackID]fairmark.AccountID
}

func newKeyer(evs []*fairmark.Event) *keyer {
	k := &keyer{map[fairmark.AccountID]fairmark.Role{}, map[fairmark.OrderID]fairmark.AccountID{}, map[fairmark.FeedbackID]fairmark.AccountID{}}
	for _, e := range evs {
		switch {
		case e.Account != nil:
			k.role[e.Account.ID] = e.Account.Role
		case e.Order != nil && e.Order.Buyer != "":
			k.orderBuyer[e.Order.ID] = e.Order.Buyer
		case e.Feedback != nil && e.Feedback.Buyer != "":
			k.feedbackBuyer[e.Feedback.ID] = e.Feedback.Buyer
		}
	}
	return k
}

func (k *keyer) key(e *fairmark.Event) string {
	switch {
	case e.Account != nil:
		return string(e.Account.ID)
	case e.Order != nil:
		return string(k.orderBuyer[e.Order.ID])
	case e.Feedback != nil:
		return string(k.feedbackBuyer[e.Feedback.ID])
	case e.Message != nil:
		if k.role[e.Message.From] == fairmark.Buyer {
			return string(e.Message.From)
		}
		return string(e.Message.To)
	case e.Report != nil:
		if k.role[e.Report.Accused] == fairmark.Buyer {
			return string(e.Report.Accused)
		}
		return string(e.Report.Reporter)
	}
	return ""
}

// workload is a simulated marketplace's events as Kafka records, with
// duplicates and invalid payloads mixed in.
type workload struct {
	events     []*fairmark.Event // the unique valid events
	records    []*kgo.Record
	lines      int // events in all records (NDJSON lines count one each)
	duplicates int // valid events sent again
	invalid    int // invalid events
}

func newWorkload(t testing.TB) workload {
	t.Helper()
	evs, _, err := sim.Events(sim.Config{Seed: 1, Sellers: 20, Buyers: 300, Days: 10, Complainers: 3})
	if err != nil {
		t.Fatal(err)
	}
	k := newKeyer(evs)
	w := workload{events: evs}
	enc := func(e *fairmark.Event) []byte {
		raw, err := event.Encode(e)
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	add := func(key string, value []byte, events int) {
		w.records = append(w.records, &kgo.Record{Topic: topic, Key: []byte(key), Value: value})
		w.lines += events
	}
	for i, e := range evs {
		add(k.key(e), enc(e), 1)
		if i%17 == 5 { // a redelivery by the marketplace, soon after
			d := evs[i-3]
			add(k.key(d), enc(d), 1)
			w.duplicates++
		}
		switch i {
		case 100:
			add("b-bad", []byte(`{"id":"bad-rating","type":"feedback.left","at":"2026-03-02T10:04:00Z","feedback":{"id":"fx","order":"ox","buyer":"bx","seller":"sx","rating":"awful"}}`), 1)
			w.invalid++
		case 200:
			add("b-bad", []byte(`not json at all`), 1)
			w.invalid++
		case 300:
			add("b-bad", nil, 1) // an empty record
			w.invalid++
		case 400:
			// One record with NDJSON: two events seen before and one invalid line.
			v := bytes.Join([][]byte{enc(evs[10]), enc(evs[11]), []byte(`{"id":"bad-type","type":"order.exploded","at":"2026-03-02T10:04:00Z"}`)}, []byte("\n"))
			add(k.key(evs[10]), v, 3)
			w.duplicates += 2
			w.invalid++
		}
	}
	return w
}

func newCluster(t testing.TB, partitions int32) []string {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(partitions, topic))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c.ListenAddrs()
}

func produce(t testing.TB, brokers []string, recs []*kgo.Record) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.DefaultProduceTopic(topic))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if err := cl.ProduceSync(context.Background(), recs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
}

// running is a Source running in the background.
type running struct {
	src    *kafkasource.Source
	cancel context.CancelFunc
	done   chan error
}

func start(t testing.TB, ctx context.Context, ing kafkasource.Ingester, cfg kafkasource.Config) *running {
	t.Helper()
	var logger *slog.Logger
	if testing.Verbose() {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	src, err := kafkasource.New(ing, cfg, logger)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(ctx)
	r := &running{src: src, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- src.Run(ctx) }()
	t.Cleanup(func() { r.stop(t) })
	return r
}

// stop cancels the source and waits for Run to return.
func (r *running) stop(t testing.TB) {
	t.Helper()
	r.cancel()
	select {
	case err, ok := <-r.done:
		if ok && err != nil {
			t.Fatalf("Run: got %v, want nil", err)
		}
		if ok {
			close(r.done)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Run did not return 20s after its context was cancelled")
	}
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t testing.TB, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func eventCount(t testing.TB, svc *service.Service) int64 {
	t.Helper()
	n, err := svc.DB().EventCount(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func checkEndState(t testing.TB, svc *service.Service, w workload) {
	t.Helper()
	if got, want := eventCount(t, svc), int64(len(w.events)); got != want {
		t.Fatalf("events stored: got %d, want %d (each unique valid event once)", got, want)
	}
	got := service.Snapshot(svc, func(en *engine.Engine) string { return servicetest.CSVs(t, en) })
	if want := replayCSVs(t, w.events); got != want {
		t.Fatalf("engine end state differs from a direct replay:\n%s", servicetest.FirstDiff(got, want))
	}
}

func config(brokers []string) kafkasource.Config {
	return kafkasource.Config{
		Brokers:        brokers,
		Topic:          topic,
		Group:          "fairmark-test",
		MaxPollRecords: 500,
		FetchMaxWait:   100 * time.Millisecond,
		RetryBackoff:   10 * time.Millisecond,
	}
}

func TestConsumeSimulatedMarketplace(t *testing.T) {
	ctx := context.Background()
	brokers := newCluster(t, 4)
	w := newWorkload(t)
	produce(t, brokers, w.records)
	svc := servicetest.Open(t)

	r := start(t, ctx, svc, config(brokers))
	waitFor(t, "every record committed", 45*time.Second, func() bool {
		return r.src.Stats().Committed == int64(len(w.records))
	})
	r.stop(t)

	st := r.src.Stats()
	want := kafkasource.Stats{
		Records:    int64(len(w.records)),
		Received:   int64(w.lines),
		Accepted:   int64(len(w.events)),
		Duplicates: int64(w.duplicates),
		Rejected:   int64(w.invalid),
		Committed:  int64(len(w.records)),
	}
	if st != want {
		t.Fatalf("stats: got %+v, want %+v", st, want)
	}
	checkEndState(t, svc, w)
	t.Logf("%d records, %d events (%d unique, %d duplicates, %d invalid), %d engine rebuilds",
		st.Records, st.Received, st.Accepted, st.Duplicates, st.Rejected, svc.Stats().Rebuilds)

	// A second member of the same group starts at the committed offsets: it
	// gets only what is produced after the first one stopped.
	r2 := start(t, ctx, svc, config(brokers))
	late := &fairmark.Event{ID: "late-1", Type: fairmark.AccountOpened, At: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
		Account: &fairmark.Account{ID: "b-late", Role: fairmark.Buyer}}
	raw, err := event.Encode(late)
	if err != nil {
		t.Fatal(err)
	}
	produce(t, brokers, []*kgo.Record{{Topic: topic, Key: []byte("b-late"), Value: raw}})
	waitFor(t, "the new record committed", 20*time.Second, func() bool { return r2.src.Stats().Committed >= 1 })
	r2.stop(t)
	if got, want := r2.src.Stats(), (kafkasource.Stats{Records: 1, Received: 1, Accepted: 1, Committed: 1}); got != want {
		t.Fatalf("second consumer in the group: got %+v, want %+v (only the new record)", got, want)
	}
	if got, want := eventCount(t, svc), int64(len(w.events)+1); got != want {
		t.Fatalf("events stored: got %d, want %d", got, want)
	}
}

// crashing stores a few polls, then stores one more and "crashes" before
// the source can commit it: it cancels the source and fails the Ingest.
type crashing struct {
	svc     *service.Service
	after   int
	calls   int
	cancel  context.CancelFunc
	crashed service.Result // what the crashed poll's Ingest did
}

func (c *crashing) Ingest(ctx context.Context, raws [][]byte) (service.Result, error) {
	c.calls++
	res, err := c.svc.Ingest(ctx, raws)
	if err != nil || c.calls <= c.after {
		return res, err
	}
	c.crashed = res
	c.cancel()
	return service.Result{}, errors.New("simulated crash after the store, before the commit")
}

func TestCrashBeforeCommit(t *testing.T) {
	brokers := newCluster(t, 4)
	w := newWorkload(t)
	produce(t, brokers, w.records)
	svc := servicetest.Open(t)

	cfg := config(brokers)
	cfg.MaxPollRecords = 100
	ctx, cancel := context.WithCancel(context.Background())
	crash := &crashing{svc: svc, after: 3, cancel: cancel}
	r1 := start(t, ctx, crash, cfg)
	select {
	case err := <-r1.done:
		close(r1.done)
		if err != nil {
			t.Fatalf("Run: got %v, want nil", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("the crashing consumer never crashed: %d Ingest calls, %+v, %d records", crash.calls, r1.src.Stats(), len(w.records))
	}
	first := r1.src.Stats()
	stored := eventCount(t, svc)
	if first.Committed == 0 || first.Committed >= int64(len(w.records)) || first.IngestFails != 1 {
		t.Fatalf("first consumer: got %+v, want a crash mid-stream after some commits", first)
	}
	t.Logf("crashed after committing %d of %d records, %d events stored", first.Committed, len(w.records), stored)

	// A new member of the group picks up at the last commit: the crashed
	// poll comes again, is stored once, and nothing is lost.
	r2 := start(t, context.Background(), svc, cfg)
	rest := int64(len(w.records)) - first.Committed
	waitFor(t, "the rest committed", 45*time.Second, func() bool { return r2.src.Stats().Committed == rest })
	r2.stop(t)
	second := r2.src.Stats()
	// The crashed poll was stored but not committed: its valid events come
	// again and are all duplicates the second time.
	cr := crash.crashed
	if cr.Accepted == 0 {
		t.Fatalf("the crashed poll stored nothing new (%+v): the test did not crash mid-stream", cr)
	}
	if got, want := first.Accepted+int64(cr.Accepted)+second.Accepted, int64(len(w.events)); got != want {
		t.Fatalf("accepted: got %d (first %d + crashed poll %d + second %d), want %d", got, first.Accepted, cr.Accepted, second.Accepted, want)
	}
	redelivered := int64(cr.Accepted + cr.Duplicates)
	if got, want := first.Duplicates+int64(cr.Duplicates)+second.Duplicates, int64(w.duplicates)+redelivered; got != want {
		t.Fatalf("duplicates: got %d, want %d (%d sent twice by the marketplace + %d from the crashed poll)", got, want, w.duplicates, redelivered)
	}
	if got, want := first.Rejected+second.Rejected, int64(w.invalid); got != want {
		t.Fatalf("rejected: got %d, want %d", got, want)
	}
	t.Logf("crashed poll: %+v; second consumer: %+v", cr, second)
	checkEndState(t, svc, w)
}

// failing fails the first n Ingest calls without storing anything, as a
// store that is down would.
type failing struct {
	svc   *service.Service
	mu    sync.Mutex
	n     int
	calls atomic.Int64
}

func (f *failing) Ingest(ctx context.Context, raws [][]byte) (service.Result, error) {
	f.calls.Add(1)
	f.mu.Lock()
	fail := f.n > 0
	f.n--
	f.mu.Unlock()
	if fail {
		return service.Result{}, fmt.Errorf("store events: database is locked")
	}
	return f.svc.Ingest(ctx, raws)
}

func TestStoreFailureRetries(t *testing.T) {
	brokers := newCluster(t, 2)
	w := newWorkload(t)
	produce(t, brokers, w.records)
	svc := servicetest.Open(t)
	f := &failing{svc: svc, n: 3}
	r := start(t, context.Background(), f, config(brokers))
	waitFor(t, "every record committed", 45*time.Second, func() bool {
		return r.src.Stats().Committed == int64(len(w.records))
	})
	r.stop(t)
	st := r.src.Stats()
	if st.IngestFails != 3 || st.Redelivered == 0 {
		t.Fatalf("stats: got %+v, want 3 failed ingests and their records redelivered", st)
	}
	if st.Accepted != int64(len(w.events)) || st.Duplicates != int64(w.duplicates) || st.Rejected != int64(w.invalid) {
		t.Fatalf("stats: got %+v, want %d accepted, %d duplicates, %d rejected", st, len(w.events), w.duplicates, w.invalid)
	}
	checkEndState(t, svc, w)
}

func TestSplitPayload(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{`{"id":"e1"}`, []string{`{"id":"e1"}`}},
		{"  {\"id\":\"e1\"}\r\n", []string{`{"id":"e1"}`}},
		{"{\n  \"id\": \"e1\"\n}\n", []string{"{\n  \"id\": \"e1\"\n}"}},
		{"{\"id\":\"e1\"}\n\n{\"id\":\"e2\"}\r\n{bad\n", []string{`{"id":"e1"}`, `{"id":"e2"}`, `{bad`}},
		{"", []string{""}},
		{" \n ", []string{""}},
	} {
		got := event.SplitPayload([]byte(tc.in))
		var gs []string
		for _, g := range got {
			gs = append(gs, string(g))
		}
		if fmt.Sprint(gs) != fmt.Sprint(tc.want) || len(gs) != len(tc.want) {
			t.Fatalf("SplitPayload(%q): got %q, want %q", tc.in, gs, tc.want)
		}
	}
}

func TestNewChecksConfig(t *testing.T) {
	svc := servicetest.Open(t)
	for _, cfg := range []kafkasource.Config{
		{Topic: topic, Group: "g"},
		{Brokers: []string{"x:1"}, Group: "g"},
		{Brokers: []string{"x:1"}, Topic: topic},
	} {
		if _, err := kafkasource.New(svc, cfg, nil); err == nil {
			t.Fatalf("New(%+v): got nil error, want one", cfg)
		}
	}
}

// Partitions are consumed unevenly (kgo drains buffered fetches partition by
// partition), so without the watermark merge the engine sees events earlier
// than ones it applied and rebuilds; with it, it never does.
func TestMergeKeepsTimeOrder(t *testing.T) {
	evs, _, err := sim.Events(sim.Config{Seed: 3, Sellers: 20, Buyers: 400, Days: 10, Complainers: 4})
	if err != nil {
		t.Fatal(err)
	}
	k := newKeyer(evs)
	recs := make([]*kgo.Record, len(evs))
	for i, e := range evs {
		raw, err := event.Encode(e)
		if err != nil {
			t.Fatal(err)
		}
		recs[i] = &kgo.Record{Topic: topic, Key: []byte(k.key(e)), Value: raw}
	}
	for _, reorder := range []time.Duration{-1, 0} {
		brokers := newCluster(t, 4)
		produce(t, brokers, recs)
		svc := servicetest.Open(t)
		before := svc.Stats().Rebuilds
		cfg := config(brokers)
		cfg.Reorder = reorder
		r := start(t, context.Background(), svc, cfg)
		waitFor(t, "every record committed", 60*time.Second, func() bool { return r.src.Stats().Committed == int64(len(recs)) })
		r.stop(t)
		rebuilds := svc.Stats().Rebuilds - before
		t.Logf("reorder %v: %d events, %d engine rebuilds", reorder, len(evs), rebuilds)
		if reorder >= 0 && rebuilds != 0 {
			t.Fatalf("with the watermark merge the engine rebuilt %d times, want 0", rebuilds)
		}
		if got := eventCount(t, svc); got != int64(len(evs)) {
			t.Fatalf("events stored: got %d, want %d", got, len(evs))
		}
		if st := r.src.Stats(); st.Held != 0 {
			t.Fatalf("records still held after everything was committed: %+v", st)
		}
	}
}
