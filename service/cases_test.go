package service_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/cases"
	"github.com/fairmark/fairmark/engine"
	"github.com/fairmark/fairmark/evidence"
	"github.com/fairmark/fairmark/scan"
	"github.com/fairmark/fairmark/service"
	"github.com/fairmark/fairmark/service/servicetest"
	"github.com/fairmark/fairmark/store"
)

func ingest(t *testing.T, svc *service.Service, evs ...*fairmark.Event) {
	t.Helper()
	if _, _, err := svc.IngestValid(context.Background(), incoming(t, evs)); err != nil {
		t.Fatal(err)
	}
}

func report(id, reporter, accused string, at time.Time) *fairmark.Event {
	return &fairmark.Event{ID: fairmark.EventID("e-" + id), Type: fairmark.ReportFiled, At: at, Report: &fairmark.Report{
		ID: fairmark.ReportID(id), Reporter: fairmark.AccountID(reporter), Accused: fairmark.AccountID(accused), Kind: fairmark.ReportExtortion,
		Paid: &fairmark.Money{Value: 20 * fairmark.DecimalScale, Currency: "CNY"}}}
}

// A second report against the same accused joins its open case; a report
// delivered twice joins once; after the case closes, a new report opens a
// new case.
func TestReportsJoinOneCase(t *testing.T) {
	svc := servicetest.Open(t)
	ctx := context.Background()
	t0 := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	var evs []*fairmark.Event
	for _, s := range []string{"s1", "s2", "s3"} {
		evs = append(evs, &fairmark.Event{ID: fairmark.EventID("e-open-" + s), Type: fairmark.AccountOpened, At: t0, Account: &fairmark.Account{ID: fairmark.AccountID(s), Role: fairmark.Seller}})
	}
	evs = append(evs, &fairmark.Event{ID: "e-open-b1", Type: fairmark.AccountOpened, At: t0, Account: &fairmark.Account{ID: "b1", Role: fairmark.Buyer}})
	ingest(t, svc, evs...)
	ingest(t, svc, report("r1", "s1", "b1", t0.Add(time.Hour)))
	ingest(t, svc, report("r2", "s2", "b1", t0.Add(2*time.Hour)), report("r1", "s1", "b1", t0.Add(time.Hour)))
	cs, err := svc.Cases(ctx, store.CaseFilter{Accused: "b1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 || len(cs[0].Reports) != 2 || len(cs[0].Victims) != 2 {
		t.Fatalf("cases against b1: %d, want one with reports r1, r2 and victims s1, s2: %+v", len(cs), cs)
	}
	if paid := cs[0].PaidTotal(); len(paid) != 1 || paid[0].Value.String() != "40.00" {
		t.Fatalf("paid total %v, want 40.00 CNY", paid)
	}
	staff := fairmark.Principal{User: "li", Role: fairmark.RoleLead}
	if _, err := svc.Act(ctx, cs[0].ID, staff, cases.Close{Outcome: cases.InsufficientEvidence, Reason: "nothing but two reports"}); err != nil {
		t.Fatal(err)
	}
	ingest(t, svc, report("r3", "s3", "b1", t0.Add(3*time.Hour)))
	cs, _ = svc.Cases(ctx, store.CaseFilter{Accused: "b1"})
	if len(cs) != 2 || cs[1].Closed() || cs[1].Reports[0] != "r3" {
		t.Fatalf("after closing, a new report: %d cases %+v, want a second, open one with r3", len(cs), cs)
	}
	// Every case event is in the evidence log.
	recs, err := svc.DB().Evidence().RecordsByKind(ctx, "case_event")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range cs {
		n += c.Seq
	}
	if len(recs) != n {
		t.Fatalf("%d case_event records, want %d (one per case event)", len(recs), n)
	}

}

// openAt opens a service on the store in dir (the same evidence key each
// time), for tests that restart it.
func openAt(t *testing.T, dir string) (*service.Service, *store.DB) {
	t.Helper()
	ctx := context.Background()
	db, err := store.OpenSQLite(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := evidence.LoadOrCreateKey(filepath.Join(dir, "keys"), "fairmark.test/log")
	if err != nil {
		t.Fatal(err)
	}
	log, err := evidence.Open(ctx, db.Evidence(), signer)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := service.Open(ctx, service.Options{DB: db, Evidence: log, Config: engine.Config{Detect: scan.Detector}})
	if err != nil {
		t.Fatal(err)
	}
	return svc, db
}

// A crash between storing a case decision and applying its moderation
// action (or logging its case events as evidence) is caught up at the next
// start: the ban is applied and the audit trail is complete.
func TestCaseCatchUpAfterCrash(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	svc, db := openAt(t, dir)
	t0 := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	ingest(t, svc,
		&fairmark.Event{ID: "e-open-s1", Type: fairmark.AccountOpened, At: t0, Account: &fairmark.Account{ID: "s1", Role: fairmark.Seller}},
		&fairmark.Event{ID: "e-open-b1", Type: fairmark.AccountOpened, At: t0, Account: &fairmark.Account{ID: "b1", Role: fairmark.Buyer}},
		report("r1", "s1", "b1", t0.Add(time.Hour)))
	cs, err := svc.Cases(ctx, store.CaseFilter{Accused: "b1"})
	if err != nil || len(cs) != 1 {
		t.Fatalf("cases: %v %v", cs, err)
	}
	agent := fairmark.Principal{User: "wang", Role: fairmark.RoleAgent}
	c, err := svc.Act(ctx, cs[0].ID, agent, cases.Ban{Reason: "extortion"})
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := svc.Account("b1"); !v.Banned {
		t.Fatalf("b1 not banned: %+v", v)
	}
	// The crash: the moderation event and the case events' evidence
	// records never made it.
	for _, q := range []string{
		`DELETE FROM events WHERE type = 'moderation.action'`,
		`DELETE FROM evidence_scope_index WHERE idx IN (SELECT idx FROM evidence_records WHERE kind = 'case_event' AND ref = '` + string(c.ID) + fmt.Sprintf("/%d", c.Seq) + `')`,
		`DELETE FROM evidence_records WHERE kind = 'case_event' AND ref = '` + string(c.ID) + fmt.Sprintf("/%d", c.Seq) + `'`,
	} {
		if err := db.ExecForTest(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	svc, db = openAt(t, dir)
	defer db.Close()
	if v, _ := svc.Account("b1"); !v.Banned {
		t.Fatalf("after restart, the stored ban was not applied: %+v", v)
	}
	recs, err := db.Evidence().RecordsByKind(ctx, "case_event")
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != c.Seq {
		t.Fatalf("after restart, %d case_event records, want %d (one per case event)", len(recs), c.Seq)
	}
	if err := svc.EvidenceLog().Audit(ctx); err != nil {
		t.Fatalf("evidence log audit after catch-up: %v", err)
	}
}
