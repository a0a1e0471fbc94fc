package service_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/engine"
	"github.com/fairmark/fairmark/event"
	"github.com/fairmark/fairmark/evidence"
	"github.com/fairmark/fairmark/replay"
	"github.com/fairmark/fairmark/scan"
	"github.com/fairmark/fairmark/service"
	"github.com/fairmark/fairmark/service/servicetest"
	"github.com/fairmark/fairmark/sim"
	"github.com/fairmark/fairmark/store"
)

// workerKeys is the evidence signing key every test worker shares.
var workerKeys = sync.OnceValues(func() (string, error) { return os.MkdirTemp("", "fairmark-worker-keys") })

// freshSchema names a PostgreSQL schema of the test's own.
func freshSchema() string {
	var b [6]byte
	rand.Read(b[:])
	return "fm_cluster_" + hex.EncodeToString(b[:])
}

// postgresURL is the test PostgreSQL's URL; without one the test is
// skipped.
func postgresURL(t *testing.T) string {
	t.Helper()
	url := os.Getenv("FAIRMARK_TEST_POSTGRES")
	if url == "" {
		t.Skip("PostgreSQL tests skipped: set FAIRMARK_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test?sslmode=disable to run them")
	}
	return url
}

// smallMarketplace simulates 14 days of 16 sellers, 220 buyers and 5
// complainers.
func smallMarketplace(t *testing.T, seed int64) []*fairmark.Event {
	t.Helper()
	return simulate(t, sim.Config{Seed: seed, Sellers: 16, Buyers: 220, Days: 14, Complainers: 5})
}

// workerSigner is the evidence signer every test worker shares.
func workerSigner(t *testing.T) *evidence.Signer {
	t.Helper()
	keys, err := workerKeys()
	if err != nil {
		t.Fatal(err)
	}
	signer, err := evidence.LoadOrCreateKey(keys, "fairmark.test/workers")
	if err != nil {
		t.Fatal(err)
	}
	return signer
}

// openWorker opens a clustered Service on the PostgreSQL schema, with an
// evidence log signed by the key the workers share.
func openWorker(t *testing.T, url, schema, id string) (*service.Service, *store.DB) {
	t.Helper()
	ctx := context.Background()
	db, err := store.OpenPostgres(ctx, url, schema)
	if err != nil {
		t.Fatal(err)
	}
	signer := workerSigner(t)
	log, err := evidence.Open(ctx, db.Evidence(), signer)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := service.Open(ctx, service.Options{DB: db, Evidence: log, Config: engine.Config{Detect: scan.Detector}, FollowPublishedRules: true,
		Cluster: &service.Cluster{Worker: id, Partitions: 8, LeaseTTL: 900 * time.Millisecond, Poll: 30 * time.Millisecond}})
	if err != nil {
		db.Close()
		t.Fatal(err)
	}
	return svc, db
}

// TestTwoWorkersOneDies runs two workers on one database, feeds them the
// marketplace in turns, lets one die without giving back its partitions,
// and checks that the survivor takes them over and that the stored
// decisions, the cases and the engine state are those of one engine over
// the whole stream: every event is taken exactly once and every decision
// is stored exactly once.
func TestTwoWorkersOneDies(t *testing.T) {
	url := postgresURL(t)
	ctx := context.Background()
	schema := freshSchema()

	evs := smallMarketplace(t, 11)
	var err error
	replay.SortEvents(evs)
	raws := make([][]byte, len(evs))
	for i, e := range evs {
		if raws[i], err = event.Encode(e); err != nil {
			t.Fatal(err)
		}
	}
	var reportIDs []fairmark.ReportID
	var messageIDs []fairmark.MessageID
	for _, e := range evs {
		if e.Report != nil {
			reportIDs = append(reportIDs, e.Report.ID)
		}
		if e.Message != nil {
			messageIDs = append(messageIDs, e.Message.ID)
		}
	}
	nEvents := len(evs)
	// The reference (replay.Run lets go of the events it applied): one engine over the ordered stream.
	var want []engine.Decision
	ref := engine.New(engine.Config{Detect: scan.Detector, OnDecision: func(d engine.Decision) { want = append(want, d) }})
	replay.Run(ref, evs)
	wantCSV := servicetest.CSVs(t, ref)

	a, dbA := openWorker(t, url, schema, "a")
	defer func() {
		dbA.DropSchema(ctx)
		dbA.Close()
	}()
	b2, dbB := openWorker(t, url, schema, "b")
	runA, stopA := context.WithCancel(ctx)
	defer stopA()
	runB, stopB := context.WithCancel(ctx)
	defer stopB()
	doneA, doneB := make(chan error, 1), make(chan error, 1)
	go func() { doneA <- a.RunCluster(runA) }()
	go func() { doneB <- b2.RunCluster(runB) }()

	waitFor(t, "the workers to share the partitions", func() bool {
		ha, _ := a.Held()
		hb, _ := b2.Held()
		return len(ha) == 4 && len(hb) == 4
	})

	const batch = 40
	cut := len(raws) / 2 / batch * batch
	workers := []*service.Service{a, b2}
	for i := 0; i < cut; i += batch {
		if _, err := workers[(i/batch)%2].Ingest(ctx, raws[i:i+batch]); err != nil {
			t.Fatal(err)
		}
	}
	// b dies in the middle of a batch: the events are stored, their
	// evidence is not logged, no answer is sent. It stops following and
	// renewing, and its database handle goes, so it cannot give its
	// partitions back. The sender sends the batch again to a, which finds
	// it all stored already.
	var dying []store.Incoming
	for _, raw := range raws[cut : cut+batch] {
		e, err := event.Decode(raw)
		if err != nil {
			t.Fatal(err)
		}
		dying = append(dying, store.Incoming{Event: e, Raw: raw})
	}
	if _, err := dbB.Append(ctx, dying); err != nil {
		t.Fatal(err)
	}
	dbB.Close()
	stopB()
	<-doneB
	if res, err := a.Ingest(ctx, raws[cut:cut+batch]); err != nil || res.Duplicates != batch {
		t.Fatalf("the dying batch sent again: %+v, %v; want %d duplicates", res, err, batch)
	}
	for i := cut + batch; i < len(raws); i += batch {
		if _, err := a.Ingest(ctx, raws[i:min(i+batch, len(raws))]); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "a to take over b's partitions", func() bool {
		ha, _ := a.Held()
		return len(ha) == 8
	})
	// The take-over ran: a has rebuilt and stored what b left undone.
	waitFor(t, "a to store every decision and act on every report", func() bool {
		ds, err := dbA.Decisions(ctx, store.DecisionFilter{Limit: 1 << 20})
		if err != nil || len(ds) < len(servicetest.DecisionKeys(want)) {
			return false
		}
		for _, id := range reportIDs {
			if seen, err := dbA.HasTrigger(ctx, "report:"+string(id)); err != nil || !seen {
				return false
			}
		}
		recs, err := dbA.Evidence().RecordsByKind(ctx, "message")
		return err == nil && len(recs) >= len(messageIDs)
	})
	// Every message is in the evidence log once, the dying batch's too,
	// and the log written by both workers is one consistent tree.
	recs, err := dbA.Evidence().RecordsByKind(ctx, "message")
	if err != nil {
		t.Fatal(err)
	}
	logged := map[string]int{}
	for _, r := range recs {
		logged[r.Ref]++
	}
	for _, id := range messageIDs {
		if logged[string(id)] != 1 {
			t.Fatalf("message %s is in the evidence log %d times, want once", id, logged[string(id)])
		}
	}
	if _, err := a.EvidenceLog().Checkpoint(ctx); err != nil {
		t.Fatalf("checkpoint of the log both workers wrote: %v", err)
	}

	n, err := dbA.EventCount(ctx)
	if err != nil || n != int64(nEvents) {
		t.Fatalf("%d events stored (%v), want %d, each once", n, err, nEvents)
	}
	got := service.Snapshot(a, func(en *engine.Engine) string { return servicetest.CSVs(t, en) })
	if got != wantCSV {
		t.Fatalf("survivor's state differs from one engine over the stream:\n%s", servicetest.FirstDiff(got, wantCSV))
	}
	stored, err := dbA.Decisions(ctx, store.DecisionFilter{Limit: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	var gotKeys []string
	for _, d := range stored {
		gotKeys = append(gotKeys, d.Key)
	}
	sort.Strings(gotKeys)
	wantKeys := servicetest.DecisionKeys(want)
	if !slices.Equal(gotKeys, wantKeys) {
		t.Fatalf("stored decisions differ from one engine's: %d stored, %d made by the reference; first difference %s", len(gotKeys), len(wantKeys), firstDiffKey(gotKeys, wantKeys))
	}
	flags := 0
	for _, d := range want {
		if d.Kind == engine.FlagAccount {
			flags++
		}
	}
	if flags == 0 {
		t.Fatal("the marketplace raised no flag: the test proves nothing about take-over")
	}
	// Every report was acted on once, by its accused's partition holder.
	for _, id := range reportIDs {
		seen, err := dbA.HasTrigger(ctx, "report:"+string(id))
		if err != nil || !seen {
			t.Fatalf("report %s was never acted on (%v)", id, err)
		}
	}
	t.Logf("%d events, %d decisions (%d flags), %d reports; b died after %d events", nEvents, len(wantKeys), flags, len(reportIDs), cut)

	if st := a.Stats(); st.Held != 8 || st.Partitions != 8 || st.Followed == 0 {
		t.Fatalf("survivor's stats: holds %d of %d, followed to %d", st.Held, st.Partitions, st.Followed)
	}
	stopA()
	if err := <-doneA; err != nil {
		t.Fatalf("a's clean stop: %v", err)
	}
	ls, err := dbA.Leases(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range ls {
		if l.Owner != "" {
			t.Fatalf("after a stopped, partition %d is still leased to %q", l.Part, l.Owner)
		}
	}
}

func firstDiffKey(a, b []string) string {
	for i := 0; i < min(len(a), len(b)); i++ {
		if a[i] != b[i] {
			return "stored " + a[i] + ", reference " + b[i]
		}
	}
	if len(a) > len(b) {
		return "extra stored " + a[len(b)]
	}
	if len(b) > len(a) {
		return "missing " + b[len(a)]
	}
	return "none"
}

// waitFor polls cond for up to 20 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestWorkersFollowPublishedRules: a rule set a lead publishes on one
// worker is put in force on the others, which rescore under it.
func TestWorkersFollowPublishedRules(t *testing.T) {
	url := postgresURL(t)
	ctx := context.Background()
	schema := freshSchema()
	a, dbA := openWorker(t, url, schema, "a")
	defer func() {
		dbA.DropSchema(ctx)
		dbA.Close()
	}()
	w2, dbB := openWorker(t, url, schema, "b")
	defer dbB.Close()
	run, stop := context.WithCancel(ctx)
	defer stop()
	go a.RunCluster(run)
	go w2.RunCluster(run)

	t0 := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	ingest(t, a,
		&fairmark.Event{ID: "e1", Type: fairmark.AccountOpened, At: t0, Account: &fairmark.Account{ID: "s1", Role: fairmark.Seller}},
		&fairmark.Event{ID: "e2", Type: fairmark.AccountOpened, At: t0, Account: &fairmark.Account{ID: "b1", Role: fairmark.Buyer}},
		&fairmark.Event{ID: "e3", Type: fairmark.FeedbackLeft, At: t0.Add(time.Hour), Feedback: &fairmark.Feedback{ID: "f1", Order: "o1", Buyer: "b1", Seller: "s1", Rating: fairmark.Negative, Text: "slow"}},
	)
	if v, err := w2.Account("b1"); err != nil || v.Flagged {
		t.Fatalf("b before publishing: %+v, %v", v, err)
	}
	set, err := a.PublishRules(ctx, fairmark.Principal{User: "li", Role: fairmark.RoleLead}, "strict.rules", []byte(strictRules))
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "b to put the published rules in force", func() bool {
		got := w2.RuleSet()
		return got != nil && got.Hash == set.Hash
	})
	if v, err := w2.Account("b1"); err != nil || !v.Flagged {
		t.Fatalf("b1 on worker b after the publish: %+v, %v; want flagged under the strict rules", v, err)
	}
	// The flag is stored once, by b1's partition holder.
	waitFor(t, "the flag to be stored", func() bool {
		ds, err := dbA.Decisions(ctx, store.DecisionFilter{Kind: string(engine.FlagAccount), Account: "b1"})
		return err == nil && len(ds) == 1
	})
}

// TestTwoImportsLogEvidenceOnce: two processes that open a Service on one
// PostgreSQL database at once (two `fairmark import`s, say) both find the
// stored messages and reports missing from the evidence log and catch it
// up; each message and report is logged exactly once, and the log
// verifies.
func TestTwoImportsLogEvidenceOnce(t *testing.T) {
	url := postgresURL(t)
	ctx := context.Background()
	schema := freshSchema()
	evs := smallMarketplace(t, 12)
	ins := incoming(t, evs)
	want := map[string]bool{}
	for _, e := range evs {
		switch {
		case e.Message != nil:
			want["message/"+string(e.Message.ID)] = true
		case e.Report != nil:
			want["report/"+string(e.Report.ID)] = true
		}
	}
	db0, err := store.OpenPostgres(ctx, url, schema)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		db0.DropSchema(ctx)
		db0.Close()
	}()
	// The events are stored, none logged yet (an import that stopped
	// before its service opened).
	if _, err := db0.Append(ctx, ins); err != nil {
		t.Fatal(err)
	}
	signer := workerSigner(t)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range 2 {
		wg.Go(func() {
			db, err := store.OpenPostgres(ctx, url, schema)
			if err != nil {
				errs[i] = err
				return
			}
			defer db.Close()
			log, err := evidence.Open(ctx, db.Evidence(), signer)
			if err != nil {
				errs[i] = err
				return
			}
			_, errs[i] = service.Open(ctx, service.Options{DB: db, Evidence: log, Config: engine.Config{Detect: scan.Detector}})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("service %d: %v", i, err)
		}
	}
	st := db0.Evidence()
	got := map[string]int{}
	for _, kind := range []string{evidence.KindMessage, evidence.KindReport} {
		recs, err := st.RecordsByKind(ctx, kind)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			got[kind+"/"+r.Ref]++
		}
	}
	if len(want) == 0 {
		t.Fatal("the marketplace has no messages or reports: the test tests nothing")
	}
	for k := range want {
		if got[k] != 1 {
			t.Errorf("%s logged %d times, want once", k, got[k])
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d messages and reports logged, want %d", len(got), len(want))
	}
	log, err := evidence.Open(ctx, st, signer)
	if err != nil {
		t.Fatal(err)
	}
	if err := log.Audit(ctx); err != nil {
		t.Fatalf("Audit: %v", err)
	}
}
