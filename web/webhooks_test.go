package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/fairmark/fairmark/engine"
	"github.com/fairmark/fairmark/evidence"
	"github.com/fairmark/fairmark/scan"
	"github.com/fairmark/fairmark/service"
	"github.com/fairmark/fairmark/store"
	"github.com/fairmark/fairmark/web"
	"github.com/fairmark/fairmark/webhook"
)

// newWebhookStack is newStack with the store's webhook outbox on the
// server (or none when outbox is false).
func newWebhookStack(t *testing.T, outbox bool) *stack {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := store.OpenSQLite(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	signer, err := evidence.LoadOrCreateKey(filepath.Join(dir, "keys"), "fairmark.test/evidence")
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
	srv := web.New(svc, apiKey, nil)
	if outbox {
		srv.Webhooks = db.Outbox()
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return &stack{t: t, url: hs.URL, db: db, log: log}
}

type deliveryList struct {
	Deliveries []webhook.Delivery `json:"deliveries"`
}

func (s *stack) deliveries(query string) []webhook.Delivery {
	s.t.Helper()
	r := s.get("/v1/webhooks/deliveries" + query)
	if r.status != 200 {
		s.t.Fatalf("GET /v1/webhooks/deliveries%s: got %d, want 200; body %s", query, r.status, r.body)
	}
	var l deliveryList
	if err := json.Unmarshal(r.body, &l); err != nil || l.Deliveries == nil {
		s.t.Fatalf("GET /v1/webhooks/deliveries%s: body %s is not {\"deliveries\":[…]} (%v)", query, r.body, err)
	}
	return l.Deliveries
}

var (
	hookA = "https://market.example/hooks/fairmark"
	hookB = "https://backup.market.example/hooks/fairmark"
	ban   = webhook.Message{ID: "case-c1-ban-b123", Type: webhook.TypeAccountBanned, Payload: json.RawMessage(`{"account":"b123","case":"c1"}`)}
	gone  = webhook.Message{ID: "case-c1-remove-f1", Type: webhook.TypeFeedbackRemoved, Payload: json.RawMessage(`{"feedback":"f1","case":"c1"}`)}
)

func TestWebhooksNotConfigured(t *testing.T) {
	s := newWebhookStack(t, false)
	wantError(t, "list without an outbox", s.get("/v1/webhooks/deliveries"), 404, "not_found")
	wantError(t, "replay without an outbox", s.do("POST", "/v1/webhooks/deliveries/dlv_x/replay", apiKey, "", nil), 404, "not_found")
	r := s.get("/v1/webhooks/deliveries")
	var e apiError
	json.Unmarshal(r.body, &e)
	if e.Error.Message != "webhooks not configured" {
		t.Fatalf("message: got %q, want %q", e.Error.Message, "webhooks not configured")
	}
}

func TestWebhookDeliveriesList(t *testing.T) {
	s := newWebhookStack(t, true)
	ctx := context.Background()
	wantError(t, "list without the key", s.do("GET", "/v1/webhooks/deliveries", "", "", nil), 401, "unauthorized")
	wantError(t, "replay without the key", s.do("POST", "/v1/webhooks/deliveries/dlv_x/replay", "", "", nil), 401, "unauthorized")
	if got := s.deliveries(""); len(got) != 0 {
		t.Fatalf("empty outbox: got %d deliveries", len(got))
	}
	if err := s.db.EnqueueWebhooks(ctx, []string{hookA, hookB}, []webhook.Message{ban}); err != nil {
		t.Fatal(err)
	}
	if err := s.db.EnqueueWebhooks(ctx, []string{hookA}, []webhook.Message{gone}); err != nil {
		t.Fatal(err)
	}
	all := s.deliveries("")
	if len(all) != 3 {
		t.Fatalf("got %d deliveries, want 3", len(all))
	}
	got := s.deliveries("?type=feedback.removed")
	if len(got) != 1 {
		t.Fatalf("type=feedback.removed: got %d, want 1", len(got))
	}
	d := got[0]
	if d.ID != webhook.DeliveryIDFor(gone.ID, hookA) || d.Endpoint != hookA || d.Status != webhook.StatusPending || d.Attempts != 0 ||
		d.Message.ID != gone.ID || string(d.Message.Payload) != string(gone.Payload) || d.CreatedAt.IsZero() || d.NextAttemptAt.IsZero() {
		t.Fatalf("delivery: got %+v", d)
	}
	if n := len(s.deliveries("?status=pending&limit=2")); n != 2 {
		t.Fatalf("status=pending&limit=2: got %d, want 2", n)
	}
	if n := len(s.deliveries("?status=delivered")); n != 0 {
		t.Fatalf("status=delivered: got %d, want 0", n)
	}
	if n := len(s.deliveries("?message=" + ban.ID)); n != 2 {
		t.Fatalf("message=%s: got %d, want 2", ban.ID, n)
	}
	if n := len(s.deliveries("?endpoint=" + hookB)); n != 1 {
		t.Fatalf("endpoint=%s: got %d, want 1", hookB, n)
	}
	wantError(t, "unknown status", s.get("/v1/webhooks/deliveries?status=lost"), 400, "invalid")
	wantError(t, "limit 0", s.get("/v1/webhooks/deliveries?limit=0"), 400, "invalid")
	wantError(t, "GET on replay", s.get("/v1/webhooks/deliveries/"+string(d.ID)+"/replay"), 405, "invalid")
	r := s.do("DELETE", "/v1/webhooks/deliveries", apiKey, "", nil)
	if r.status != 405 {
		t.Fatalf("DELETE /v1/webhooks/deliveries: got %d, want 405", r.status)
	}
}

// TestWebhookReplayEndToEnd: the store's outbox, a dispatcher and a
// marketplace receiver verifying signatures; a dead delivery replayed over
// the API is sent again with the same webhook-id.
func TestWebhookReplayEndToEnd(t *testing.T) {
	s := newWebhookStack(t, true)
	ctx := context.Background()
	secret := webhook.NewSecret()
	var (
		mu     sync.Mutex
		ids    []string
		answer = http.StatusGone
	)
	market := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := webhook.Verify(secret, r.Header, body, time.Now(), 0); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		ids = append(ids, r.Header.Get("webhook-id"))
		w.WriteHeader(answer)
	}))
	defer market.Close()
	d, err := webhook.NewDispatcher(s.db.Outbox(), []webhook.Endpoint{{URL: market.URL, Secret: secret}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Enqueue(ctx, ban); err != nil {
		t.Fatal(err)
	}
	if _, err := d.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	dead := s.deliveries("?status=dead")
	if len(dead) != 1 || dead[0].LastStatus != 410 || dead[0].Attempts != 1 {
		t.Fatalf("after 410: got %+v, want one dead delivery", dead)
	}

	wantError(t, "replay an unknown delivery", s.do("POST", "/v1/webhooks/deliveries/dlv_nope/replay", apiKey, "", nil), 404, "not_found")
	r := s.do("POST", "/v1/webhooks/deliveries/"+string(dead[0].ID)+"/replay", apiKey, "", nil)
	if r.status != 200 {
		t.Fatalf("replay: got %d, want 200; body %s", r.status, r.body)
	}
	var replayed webhook.Delivery
	if err := json.Unmarshal(r.body, &replayed); err != nil {
		t.Fatal(err)
	}
	if replayed.ID != dead[0].ID || replayed.Status != webhook.StatusPending || replayed.Attempts != 0 || replayed.Message.ID != ban.ID {
		t.Fatalf("replayed: got %+v", replayed)
	}
	mu.Lock()
	answer = http.StatusOK
	mu.Unlock()
	if _, err := d.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if got := s.deliveries("?status=delivered"); len(got) != 1 || got[0].ID != dead[0].ID {
		t.Fatalf("after the replay: got %+v, want the delivery delivered", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(ids) != 2 || ids[0] != ban.ID || ids[1] != ban.ID {
		t.Fatalf("the marketplace got webhook-ids %v, want %s twice", ids, ban.ID)
	}
}
