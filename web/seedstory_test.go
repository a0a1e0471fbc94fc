package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
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
	"github.com/fairmark/fairmark/webhook"
)

// receiver is the marketplace's webhook endpoint: it verifies every
// delivery's signature and keeps what it got.
type receiver struct {
	t      *testing.T
	secret string
	mu     sync.Mutex
	got    []received
	ids    map[string]int
}

type received struct {
	ID   string
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if err := webhook.Verify(rc.secret, r.Header, body, time.Now(), 5*time.Minute); err != nil {
		rc.t.Errorf("webhook signature does not verify: %v", err)
		http.Error(w, "bad signature", 400)
		return
	}
	var m received
	if err := json.Unmarshal(body, &m); err != nil {
		rc.t.Errorf("webhook body %s: %v", body, err)
	}
	m.ID = r.Header.Get("webhook-id")
	rc.mu.Lock()
	rc.got = append(rc.got, m)
	rc.ids[m.ID]++
	rc.mu.Unlock()
	w.WriteHeader(204)
}

func (rc *receiver) count(typ string) int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	n := 0
	for _, m := range rc.got {
		if m.Type == typ {
			n++
		}
	}
	return n
}

// TestSeedStoryEndToEnd runs the seed story end to end: a prepaid card bought, a
// negative at once, a QQ number on chat → flag and hold → the seller
// warned → a report with 50 yuan paid → a case with all three victims of
// the week → ban, remarks removed, 50 yuan restitution recorded, every
// victim notified by webhook → the audit trail and the evidence bundle
// verify, and a replay of the log reproduces the reviewers' decisions.
func TestSeedStoryEndToEnd(t *testing.T) {
	rc := &receiver{t: t, secret: webhook.NewSecret(), ids: map[string]int{}}
	hook := httptest.NewServer(rc)
	defer hook.Close()
	endpoints := []webhook.Endpoint{{URL: hook.URL, Secret: rc.secret}}
	s := newSessionStack(t, func(o *service.Options) { o.Webhooks = endpoints })
	ctx := context.Background()

	// Day 1: the first victim. A 50-yuan card, a negative five minutes
	// later, a QQ number on the marketplace chat.
	s.post([][]byte{opened("b1", "buyer", t0)})
	s.post(extortion("b1", "s1", 1, t0.Add(24*time.Hour)))
	var alerts struct {
		Alerts []engine.Decision `json:"alerts"`
	}
	json.Unmarshal(s.as("owner", "GET", "/v1/sellers/s1/alerts", "", nil).body, &alerts)
	warned := false
	for _, a := range alerts.Alerts {
		if a.Alert != nil && a.Alert.Kind == engine.AlertOffPlatform && a.Alert.TextZH != "" {
			warned = true
		}
	}
	if !warned {
		t.Fatalf("s1 was not warned of the off-platform contact: %+v", alerts.Alerts)
	}
	// Days 2 and 3: two more new sellers.
	s.post(extortion("b1", "s2", 2, t0.Add(48*time.Hour)))
	s.post(extortion("b1", "s3", 3, t0.Add(72*time.Hour)))
	var acct engine.AccountView
	json.Unmarshal(s.get("/v1/accounts/b1").body, &acct)
	if !acct.Flagged {
		t.Fatalf("b1 not flagged after three extortion remarks: %+v", acct)
	}
	for _, f := range []string{"f1", "f2", "f3"} {
		var fv engine.FeedbackView
		json.Unmarshal(s.get("/v1/feedback/"+f).body, &fv)
		if !fv.Held {
			t.Fatalf("%s is not held: %+v", f, fv)
		}
	}

	// s1 reports, having paid 50 yuan.
	s.post([][]byte{ev("e-report-r1", "report.filed", t0.Add(80*time.Hour), "report", map[string]any{
		"id": "r1", "reporter": "s1", "accused": "b1", "order": "o1", "feedback": "f1", "kind": "extortion",
		"text": "他要我付50元才删差评", "paid": map[string]any{"value": "50.00", "currency": "CNY"}})})
	caseID := s.onlyCase()
	var c struct {
		Status  string `json:"status"`
		Reports []string
		Victims []struct {
			Seller string
			New    bool
			Paid   []fairmark.Money
		} `json:"victims"`
	}
	json.Unmarshal(s.get("/v1/cases/"+caseID).body, &c)
	if len(c.Victims) != 3 || len(c.Reports) != 1 {
		t.Fatalf("case %s: %d victims, %d reports; want all three victims of the week and the report: %+v", caseID, len(c.Victims), len(c.Reports), c)
	}
	for _, v := range c.Victims {
		if !v.New {
			t.Errorf("victim %s not marked as a new seller", v.Seller)
		}
		if v.Seller == "s1" && (len(v.Paid) != 1 || v.Paid[0].Value.String() != "50.00") {
			t.Errorf("s1's payment not on the case: %+v", v.Paid)
		}
	}

	// The dossier shows the pattern.
	var d struct {
		Accused  struct{ Reasons []string } `json:"accused"`
		Timeline []struct {
			Kind       string
			Detections []string
		} `json:"timeline"`
		Victims []struct {
			Remarks []struct {
				Minutes float64 `json:"minutes_after_purchase"`
			} `json:"remarks"`
		} `json:"victims"`
	}
	r := s.as("agent", "GET", "/v1/cases/"+caseID+"/dossier", "", nil)
	if err := json.Unmarshal(r.body, &d); err != nil {
		t.Fatalf("dossier %d: %v", r.status, err)
	}
	detected := 0
	for _, m := range d.Timeline {
		if m.Kind == "message" && len(m.Detections) > 0 {
			detected++
		}
	}
	if detected != 3 || len(d.Accused.Reasons) == 0 || len(d.Victims) != 3 || len(d.Victims[0].Remarks) != 1 || d.Victims[0].Remarks[0].Minutes != 5 {
		t.Fatalf("dossier: %d messages with detections (want 3), reasons %v, victims %+v", detected, d.Accused.Reasons, d.Victims)
	}

	// Staff act: ban, remove the remarks, record restitution, close.
	act := func(role, body string) {
		t.Helper()
		r := s.as(role, "POST", "/v1/cases/"+caseID+"/actions", "application/json", []byte(body), "Origin", s.url)
		if r.status != 200 {
			t.Fatalf("%s %s: %d %s", role, body, r.status, r.body)
		}
	}
	before := reputation(t, s, "s1")
	act("agent", `{"action":"investigate"}`)
	act("agent", `{"action":"ban","reason":"three negative remarks to three new sellers in three days, each with a QQ number"}`)
	act("agent", `{"action":"remove_remarks","reason":"extortion remarks"}`)
	act("agent", `{"action":"owe_restitution","victim":"s1","amount":{"value":"50.00","currency":"CNY"},"reason":"paid to have the remark withdrawn"}`)
	act("lead", `{"action":"close","outcome":"extortion_confirmed","reason":"pattern, QQ numbers and the seller's report"}`)

	json.Unmarshal(s.get("/v1/accounts/b1").body, &acct)
	if !acct.Flagged || !acct.Banned {
		t.Fatalf("b1 after the ban: %+v", acct)
	}
	after := reputation(t, s, "s1")
	if after.NegativesRaw != before.NegativesRaw-1 || after.ScoreRaw != before.ScoreRaw+1 || after.ScoreProtected != before.ScoreProtected {
		t.Fatalf("s1's reputation after removal %+v, before %+v: want the remark gone from the raw score", after, before)
	}
	var led struct {
		Restitution []struct {
			Victim string
			Amount fairmark.Money
		} `json:"restitution"`
	}
	json.Unmarshal(s.as("owner", "GET", "/v1/restitution", "", nil).body, &led)
	if len(led.Restitution) != 1 || led.Restitution[0].Amount.String() != "50.00 CNY" {
		t.Fatalf("s1's restitution: %+v", led)
	}

	// Every victim is told, by signed webhook.
	d2, err := webhook.NewDispatcher(s.db.Outbox(), endpoints, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d2.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	for typ, want := range map[string]int{"account.banned": 1, "feedback.removed": 3, "restitution.owed": 1, "case.closed": 1, "victim.notice": 3} {
		if got := rc.count(typ); got != want {
			t.Errorf("%d %s webhooks, want %d (got %+v)", got, typ, want, rc.got)
		}
	}
	for id, n := range rc.ids {
		if n != 1 {
			t.Errorf("webhook %s delivered %d times", id, n)
		}
	}

	// The audit trail and the evidence bundle of the case verify.
	var trail struct {
		Events []struct {
			Kind  string
			Actor string
		} `json:"events"`
	}
	json.Unmarshal(s.get("/v1/cases/"+caseID+"/events").body, &trail)
	kinds := map[string]string{}
	for _, e := range trail.Events {
		kinds[e.Kind] = e.Actor
	}
	if kinds["banned"] != "agent:wang" || kinds["closed"] != "lead:li" || kinds["remarks_removed"] == "" || kinds["restitution_owed"] == "" || kinds["victims_notified"] == "" {
		t.Fatalf("audit trail %+v", trail.Events)
	}
	bundle := s.as("agent", "GET", "/v1/evidence/bundle?case="+caseID, "", nil)
	if bundle.status != 200 {
		t.Fatalf("bundle: %d %s", bundle.status, bundle.body)
	}
	var key struct{ Key string }
	json.Unmarshal(s.get("/v1/evidence/key").body, &key)
	sum, err := evidence.Verify(bundle.body, key.Key)
	if err != nil {
		t.Fatalf("case bundle does not verify: %v", err)
	}
	if sum.Records != len(trail.Events) {
		t.Errorf("case bundle has %d records, want one per case event (%d)", sum.Records, len(trail.Events))
	}

	// A replay of the stored log (moderation actions included) gives the
	// same end state as the running service.
	var evs []*fairmark.Event
	if err := s.db.Events(ctx, func(raw []byte) error {
		e, err := event.Decode(raw)
		evs = append(evs, e)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	replay.SortEvents(evs)
	en := engine.New(engine.Config{Detect: scan.Detector})
	for _, e := range evs {
		en.ApplyEvent(e)
	}
	live := service.Snapshot(s.svc, func(en *engine.Engine) string { return servicetest.CSVs(t, en) })
	if got := servicetest.CSVs(t, en); got != live {
		t.Fatalf("replay differs from the service:\n%s", servicetest.FirstDiff(got, live))
	}
	if !bytes.Contains([]byte(live), []byte("f1,s1,b1,negative,true,false")) {
		t.Errorf("feedback.csv does not show f1 held and not counted:\n%s", live)
	}
}

func reputation(t *testing.T, s *sessionStack, seller string) engine.ReputationView {
	t.Helper()
	var v engine.ReputationView
	r := s.get("/v1/sellers/" + seller + "/reputation")
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("reputation %s: %d %s", seller, r.status, r.body)
	}
	return v
}
