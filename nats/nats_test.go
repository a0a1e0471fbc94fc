package natssource_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/engine"
	"github.com/fairmark/fairmark/event"
	natssource "github.com/fairmark/fairmark/nats"
	"github.com/fairmark/fairmark/replay"
	"github.com/fairmark/fairmark/scan"
	"github.com/fairmark/fairmark/service"
	"github.com/fairmark/fairmark/service/servicetest"
	"github.com/fairmark/fairmark/sim"
)

// natsURL returns the server the tests run against, or skips.
func natsURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv("FAIRMARK_TEST_NATS")
	if u == "" {
		t.Skip("set FAIRMARK_TEST_NATS (e.g. nats://127.0.0.1:4222, JetStream enabled) to run the NATS stream source tests")
	}
	return u
}

func connect(t *testing.T, url string) *nats.Conn {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatalf("connect to FAIRMARK_TEST_NATS=%s: %v", url, err)
	}
	t.Cleanup(nc.Close)
	return nc
}

// stream creates a uniquely named stream for one test and deletes it when
// the test ends. It returns the stream's name and subject.
func stream(t *testing.T, url string) (name, subject string) {
	t.Helper()
	js, err := jetstream.New(connect(t, url))
	if err != nil {
		t.Fatal(err)
	}
	id := fmt.Sprintf("%d_%d", time.Now().UnixNano(), rand.Uint32())
	name, subject = "FAIRMARK_TEST_"+id, "fairmark.test."+id+".events"
	ctx := context.Background()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: name, Subjects: []string{subject}, Storage: jetstream.MemoryStorage}); err != nil {
		t.Fatalf("create stream (is JetStream enabled on FAIRMARK_TEST_NATS?): %v", err)
	}
	t.Cleanup(func() {
		if err := js.DeleteStream(context.Background(), name); err != nil {
			t.Errorf("delete stream %s: %v", name, err)
		}
	})
	return name, subject
}

func publish(t *testing.T, url, subject string, msgs [][]byte) {
	t.Helper()
	js, err := jetstream.New(connect(t, url))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if _, err := js.PublishAsync(subject, m); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-js.PublishAsyncComplete():
	case <-time.After(20 * time.Second):
		t.Fatal("publish did not complete in 20s")
	}
}

// workload is a simulated marketplace's events as message payloads, with
// duplicates and invalid payloads mixed in.
type workload struct {
	events     []*fairmark.Event // the unique valid events
	msgs       [][]byte
	lines      int // events in all messages (NDJSON lines count one each)
	duplicates int // valid events sent again
	invalid    int // invalid events
}

func newWorkload(t *testing.T) workload {
	t.Helper()
	evs, _, err := sim.Events(sim.Config{Seed: 1, Sellers: 20, Buyers: 300, Days: 10, Complainers: 3})
	if err != nil {
		t.Fatal(err)
	}
	w := workload{events: evs}
	enc := func(e *fairmark.Event) []byte {
		raw, err := event.Encode(e)
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	add := func(data []byte, events int) {
		w.msgs = append(w.msgs, data)
		w.lines += events
	}
	for i, e := range evs {
		add(enc(e), 1)
		if i%17 == 5 { // a redelivery by the marketplace, soon after
			add(enc(evs[i-3]), 1)
			w.duplicates++
		}
		switch i {
		case 100:
			add([]byte(`{"id":"bad-rating","type":"feedback.left","at":"2026-03-02T10:04:00Z","feedback":{"id":"fx","order":"ox","buyer":"bx","seller":"sx","rating":"awful"}}`), 1)
			w.invalid++
		case 200:
			add([]byte(`not json at all`), 1)
			w.invalid++
		case 300:
			add(nil, 1) // an empty message
			w.invalid++
		case 400:
			// One message with NDJSON: two events seen before and one invalid line.
			add(bytes.Join([][]byte{enc(evs[10]), enc(evs[11]), []byte(`{"id":"bad-type","type":"order.exploded","at":"2026-03-02T10:04:00Z"}`)}, []byte("\n")), 3)
			w.duplicates += 2
			w.invalid++
		case 500:
			// A pretty-printed event over several lines is one event.
			var b bytes.Buffer
			if err := json.Indent(&b, enc(evs[20]), "", "  "); err != nil {
				t.Fatal(err)
			}
			add(b.Bytes(), 1)
			w.duplicates++
		}
	}
	return w
}

func checkEndState(t *testing.T, svc *service.Service, w workload) {
	t.Helper()
	n, err := svc.DB().EventCount(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(len(w.events)); n != want {
		t.Fatalf("events stored: got %d, want %d (each unique valid event once)", n, want)
	}
	en := engine.New(engine.Config{Detect: scan.Detector})
	sorted := append([]*fairmark.Event(nil), w.events...)
	replay.SortEvents(sorted)
	replay.Run(en, sorted)
	want := servicetest.CSVs(t, en)
	got := service.Snapshot(svc, func(en *engine.Engine) string { return servicetest.CSVs(t, en) })
	if got != want {
		t.Fatalf("engine end state differs from a direct replay:\n%s", servicetest.FirstDiff(got, want))
	}
}

// running is a Source running in the background.
type running struct {
	src    *natssource.Source
	cancel context.CancelFunc
	done   chan error
	err    error
	over   bool
}

func start(t *testing.T, ctx context.Context, ing natssource.Ingester, cfg natssource.Config) *running {
	t.Helper()
	var logger *slog.Logger
	if testing.Verbose() {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	src, err := natssource.New(ing, cfg, logger)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(ctx)
	r := &running{src: src, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- src.Run(ctx) }()
	t.Cleanup(func() { r.stop(t) })
	return r
}

// wait waits for Run to return and returns its error.
func (r *running) wait(t *testing.T, d time.Duration) error {
	t.Helper()
	if r.over {
		return r.err
	}
	select {
	case r.err = <-r.done:
		r.over = true
		return r.err
	case <-time.After(d):
		t.Fatalf("Run did not return in %v", d)
		return nil
	}
}

// stop cancels the source and checks that Run returns nil.
func (r *running) stop(t *testing.T) {
	t.Helper()
	r.cancel()
	if err := r.wait(t, 20*time.Second); err != nil {
		t.Fatalf("Run: got %v, want nil", err)
	}
}

func waitFor(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func config(url, name, subject string) natssource.Config {
	return natssource.Config{
		URL:      url,
		Stream:   name,
		Subject:  subject,
		Durable:  "fairmark-test",
		Batch:    200,
		MaxWait:  200 * time.Millisecond,
		NakDelay: 20 * time.Millisecond,
	}
}

func TestConsumeSimulatedMarketplace(t *testing.T) {
	url := natsURL(t)
	name, subject := stream(t, url)
	w := newWorkload(t)
	publish(t, url, subject, w.msgs)
	svc := servicetest.Open(t)

	r := start(t, context.Background(), svc, config(url, name, subject))
	waitFor(t, "every message acked", 45*time.Second, func() bool { return r.src.Stats().Acked == int64(len(w.msgs)) })
	r.stop(t)
	st := r.src.Stats()
	want := natssource.Stats{
		Messages:   int64(len(w.msgs)),
		Received:   int64(w.lines),
		Accepted:   int64(len(w.events)),
		Duplicates: int64(w.duplicates),
		Rejected:   int64(w.invalid),
		Acked:      int64(len(w.msgs)),
	}
	if st != want {
		t.Fatalf("stats: got %+v, want %+v", st, want)
	}
	checkEndState(t, svc, w)
	t.Logf("%d messages, %d events (%d unique, %d duplicates, %d invalid)", st.Messages, st.Received, st.Accepted, st.Duplicates, st.Rejected)

	// A new instance on the same durable consumer gets only what is
	// published after the first one stopped.
	r2 := start(t, context.Background(), svc, config(url, name, subject))
	late, err := event.Encode(&fairmark.Event{ID: "late-1", Type: fairmark.AccountOpened, At: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
		Account: &fairmark.Account{ID: "b-late", Role: fairmark.Buyer}})
	if err != nil {
		t.Fatal(err)
	}
	publish(t, url, subject, [][]byte{late})
	waitFor(t, "the new message acked", 20*time.Second, func() bool { return r2.src.Stats().Acked >= 1 })
	r2.stop(t)
	if got, want := r2.src.Stats(), (natssource.Stats{Messages: 1, Received: 1, Accepted: 1, Acked: 1}); got != want {
		t.Fatalf("second instance: got %+v, want %+v (only the new message)", got, want)
	}
}

// crashing stores a few batches, then stores one more and "crashes" before
// the source can ack it: it closes the source's connection (so nothing is
// acked or NAKed), cancels the source and fails the Ingest.
type crashing struct {
	svc     *service.Service
	after   int
	calls   int
	nc      *nats.Conn
	cancel  context.CancelFunc
	crashed service.Result
}

func (c *crashing) Ingest(ctx context.Context, raws [][]byte) (service.Result, error) {
	c.calls++
	res, err := c.svc.Ingest(ctx, raws)
	if err != nil || c.calls <= c.after {
		return res, err
	}
	c.crashed = res
	c.nc.Close()
	c.cancel()
	return service.Result{}, errors.New("simulated crash after the store, before the ack")
}

func TestRedeliveryAfterCrash(t *testing.T) {
	url := natsURL(t)
	name, subject := stream(t, url)
	w := newWorkload(t)
	publish(t, url, subject, w.msgs)
	svc := servicetest.Open(t)

	cfg := config(url, name, subject)
	cfg.Batch = 100
	cfg.AckWait = time.Second // the crashed batch comes back after this
	nc := connect(t, url)
	ctx, cancel := context.WithCancel(context.Background())
	crash := &crashing{svc: svc, after: 3, nc: nc, cancel: cancel}
	cfg1 := cfg
	cfg1.Conn = nc
	r1 := start(t, ctx, crash, cfg1)
	if err := r1.wait(t, 30*time.Second); err != nil {
		t.Fatalf("Run of the crashed instance: got %v, want nil (its context was cancelled)", err)
	}
	first := r1.src.Stats()
	unacked := first.Messages - first.Acked
	if crash.calls != 4 || first.Acked == 0 || unacked == 0 || first.Acked+unacked >= int64(len(w.msgs)) {
		t.Fatalf("first instance: got %+v after %d Ingest calls, want a crash mid-stream after some acks", first, crash.calls)
	}
	if crash.crashed.Accepted == 0 {
		t.Fatalf("the crashed batch stored nothing new (%+v): the test did not crash mid-stream", crash.crashed)
	}

	// A new instance on the same durable consumer: the crashed batch is
	// delivered again once its AckWait passes, and is stored once.
	r2 := start(t, context.Background(), svc, cfg)
	rest := int64(len(w.msgs)) - first.Acked
	waitFor(t, "the rest acked", 45*time.Second, func() bool { return r2.src.Stats().Acked == rest })
	r2.stop(t)
	second := r2.src.Stats()
	if second.Redelivered != unacked {
		t.Fatalf("redelivered: got %d, want %d (the crashed batch)", second.Redelivered, unacked)
	}
	cr := crash.crashed
	if got, want := first.Accepted+int64(cr.Accepted)+second.Accepted, int64(len(w.events)); got != want {
		t.Fatalf("accepted: got %d (first %d + crashed batch %d + second %d), want %d", got, first.Accepted, cr.Accepted, second.Accepted, want)
	}
	if got, want := first.Duplicates+int64(cr.Duplicates)+second.Duplicates, int64(w.duplicates+cr.Accepted+cr.Duplicates); got != want {
		t.Fatalf("duplicates: got %d, want %d", got, want)
	}
	if got, want := first.Rejected+second.Rejected, int64(w.invalid); got != want {
		t.Fatalf("rejected: got %d, want %d", got, want)
	}
	checkEndState(t, svc, w)
	t.Logf("crashed after acking %d of %d messages; %d redelivered; second instance: %+v", first.Acked, len(w.msgs), second.Redelivered, second)
}

// failing fails the first n Ingest calls without storing anything, as a
// store that is down would.
type failing struct {
	svc *service.Service
	n   int
}

func (f *failing) Ingest(ctx context.Context, raws [][]byte) (service.Result, error) {
	if f.n > 0 {
		f.n--
		return service.Result{}, errors.New("store events: database is locked")
	}
	return f.svc.Ingest(ctx, raws)
}

func TestStoreFailureNAKs(t *testing.T) {
	url := natsURL(t)
	name, subject := stream(t, url)
	w := newWorkload(t)
	publish(t, url, subject, w.msgs)
	svc := servicetest.Open(t)
	r := start(t, context.Background(), &failing{svc: svc, n: 2}, config(url, name, subject))
	waitFor(t, "every message acked", 45*time.Second, func() bool { return r.src.Stats().Acked == int64(len(w.msgs)) })
	r.stop(t)
	st := r.src.Stats()
	if st.IngestFails != 2 || st.Redelivered == 0 || st.AckFails != 0 {
		t.Fatalf("stats: got %+v, want 2 failed ingests, their messages redelivered, no failed acks", st)
	}
	if st.Accepted != int64(len(w.events)) || st.Duplicates != int64(w.duplicates) || st.Rejected != int64(w.invalid) {
		t.Fatalf("stats: got %+v, want %d accepted, %d duplicates, %d rejected", st, len(w.events), w.duplicates, w.invalid)
	}
	checkEndState(t, svc, w)
}

func TestRunFailsWithoutStream(t *testing.T) {
	url := natsURL(t)
	src, err := natssource.New(servicetest.Open(t), natssource.Config{URL: url, Stream: "FAIRMARK_TEST_NO_SUCH_STREAM", Durable: "d"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := src.Run(ctx); err == nil || !errors.Is(err, jetstream.ErrStreamNotFound) {
		t.Fatalf("Run on a missing stream: got %v, want an error wrapping %v", err, jetstream.ErrStreamNotFound)
	}
}

func TestNewChecksConfig(t *testing.T) {
	svc := servicetest.Open(t)
	for _, cfg := range []natssource.Config{
		{Stream: "S", Durable: "d"},
		{URL: "nats://x:1", Durable: "d"},
		{URL: "nats://x:1", Stream: "S"},
	} {
		if _, err := natssource.New(svc, cfg, nil); err == nil {
			t.Fatalf("New(%+v): got nil error, want one", cfg)
		}
	}
}
