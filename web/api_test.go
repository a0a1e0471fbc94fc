package web_test

// End-to-end tests of the HTTP contract (../shared/spec/http.md): the real
// stack — SQLite store in a temp dir, evidence log, service, web server —
// behind httptest.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/fairmark/fairmark/engine"
	"github.com/fairmark/fairmark/evidence"
	"github.com/fairmark/fairmark/scan"
	"github.com/fairmark/fairmark/service"
	"github.com/fairmark/fairmark/store"
	"github.com/fairmark/fairmark/web"
)

const apiKey = "test-key"

// stack is the running fairmark behind an httptest server.
type stack struct {
	t   *testing.T
	url string
	db  *store.DB
	log *evidence.Log
}

func newStack(t *testing.T) *stack {
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
	srv := httptest.NewServer(web.New(svc, apiKey, nil))
	t.Cleanup(srv.Close) // runs before db.Close (cleanups are LIFO)
	return &stack{t: t, url: srv.URL, db: db, log: log}
}

type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends one request; key "" sends no Authorization header.
func (s *stack) do(method, path, key, contentType string, body []byte) response {
	s.t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, s.url+path, rd)
	if err != nil {
		s.t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		s.t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return response{status: res.StatusCode, header: res.Header, body: b}
}

func (s *stack) get(path string) response { return s.do("GET", path, apiKey, "", nil) }

// post sends events as NDJSON.
func (s *stack) post(lines [][]byte) ingestResult {
	s.t.Helper()
	r := s.do("POST", "/v1/events", apiKey, "application/x-ndjson", bytes.Join(lines, []byte("\n")))
	if r.status != 200 {
		s.t.Fatalf("POST /v1/events: got status %d, want 200; body %s", r.status, r.body)
	}
	return decodeInto[ingestResult](s.t, r.body)
}

func (s *stack) eventCount() int64 {
	s.t.Helper()
	n, err := s.db.EventCount(context.Background())
	if err != nil {
		s.t.Fatal(err)
	}
	return n
}

func decodeInto[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode %T from %s: %v", v, b, err)
	}
	return v
}

type ingestResult struct {
	Accepted   int        `json:"accepted"`
	Duplicates int        `json:"duplicates"`
	Rejected   []rejected `json:"rejected"`
}

type rejected struct {
	Index int    `json:"index"`
	ID    string `json:"id"`
	Error string `json:"error"`
}

type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// wantError checks r is a JSON error with the given status and code.
func wantError(t *testing.T, what string, r response, status int, code string) {
	t.Helper()
	if r.status != status {
		t.Errorf("%s: got status %d, want %d; body %s", what, r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s: got Content-Type %q, want application/json; body %q", what, ct, r.body)
		return
	}
	var e apiError
	dec := json.NewDecoder(bytes.NewReader(r.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		t.Errorf("%s: error body %s is not {\"error\":{\"code\",\"message\"}}: %v", what, r.body, err)
		return
	}
	if e.Error.Code != code || e.Error.Message == "" {
		t.Errorf("%s: got error %+v, want code %q with a message", what, e.Error, code)
	}
}

// ---- events ----------------------------------------------------------

var t0 = time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)

// ev encodes one event of events.md.
func ev(id, typ string, at time.Time, noun string, payload map[string]any) []byte {
	b, err := json.Marshal(map[string]any{"id": id, "type": typ, "at": at.Format(time.RFC3339), noun: payload})
	if err != nil {
		panic(err)
	}
	return b
}

func opened(id, role string, at time.Time) []byte {
	return ev("e-open-"+id, "account.opened", at, "account", map[string]any{"id": id, "role": role})
}

const qqText = "想删差评加我扣扣 3 8 5 7 2 1 9 0 6"

// extortion tells the seed story for one seller: the seller opens the day
// before, the buyer buys a 50-yuan prepaid card, leaves a negative remark 4
// minutes after delivery and asks on chat for money off-platform. n numbers
// the order, feedback, message and conversation.
func extortion(buyer, seller string, n int, day time.Time) [][]byte {
	o, f, m, c := fmt.Sprintf("o%d", n), fmt.Sprintf("f%d", n), fmt.Sprintf("m%d", n), fmt.Sprintf("c%d", n)
	placed := day.Add(2 * time.Hour)
	return [][]byte{
		opened(seller, "seller", day.Add(-24*time.Hour)),
		ev("e-place-"+o, "order.placed", placed, "order", map[string]any{
			"id": o, "buyer": buyer, "seller": seller,
			"item":   map[string]any{"id": "i" + o, "title": "50元 Q币充值卡", "category": "prepaid_card", "digital": true},
			"amount": map[string]any{"value": "50.00", "currency": "CNY"}}),
		ev("e-deliver-"+o, "order.delivered", placed.Add(time.Minute), "order", map[string]any{"id": o}),
		ev("e-fb-"+f, "feedback.left", placed.Add(5*time.Minute), "feedback", map[string]any{
			"id": f, "order": o, "buyer": buyer, "seller": seller, "rating": "negative", "stars": 1, "text": "骗子卖家，充值卡无效"}),
		ev("e-msg-"+m, "message.sent", placed.Add(7*time.Minute), "message", map[string]any{
			"id": m, "conversation": c, "order": o, "from": buyer, "to": seller, "text": qqText}),
	}
}

// seedStory: buyer b1 opens, then extorts two new sellers s1 and s2.
func seedStory() [][]byte {
	lines := [][]byte{opened("b1", "buyer", t0)}
	lines = append(lines, extortion("b1", "s1", 1, t0.Add(24*time.Hour))...)
	lines = append(lines, extortion("b1", "s2", 2, t0.Add(48*time.Hour))...)
	return lines
}

// ---- tests -----------------------------------------------------------

func TestAuthRequired(t *testing.T) {
	s := newStack(t)
	s.post(seedStory())
	before := s.eventCount()
	logBefore := s.log.Size()
	body := bytes.Join([][]byte{opened("intruder", "buyer", t0), opened("intruder2", "seller", t0)}, []byte("\n"))
	png := tinyPNG(t)

	requests := []struct {
		method, path, ctype string
		body                []byte
	}{
		{"POST", "/v1/events", "application/x-ndjson", body},
		{"POST", "/v1/evidence/uploads?report=r1", "image/png", png},
		{"GET", "/v1/accounts/b1", "", nil},
		{"GET", "/v1/sellers/s1/reputation", "", nil},
		{"GET", "/v1/sellers/s1/alerts", "", nil},
		{"GET", "/v1/feedback/f1", "", nil},
		{"GET", "/v1/decisions", "", nil},
		{"GET", "/v1/evidence/bundle?conversation=c1", "", nil},
	}
	keys := []struct {
		name, header string
	}{
		{"no key", ""},
		{"wrong key", "Bearer not-the-key"},
		{"key without Bearer", apiKey},
		{"key prefix", "Bearer test-ke"},
		{"basic auth", "Basic dGVzdC1rZXk6"},
	}
	for _, k := range keys {
		for _, rq := range requests {
			t.Run(k.name+" "+rq.method+" "+rq.path, func(t *testing.T) {
				req, err := http.NewRequest(rq.method, s.url+rq.path, bytes.NewReader(rq.body))
				if err != nil {
					t.Fatal(err)
				}
				if k.header != "" {
					req.Header.Set("Authorization", k.header)
				}
				if rq.ctype != "" {
					req.Header.Set("Content-Type", rq.ctype)
				}
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(res.Body)
				res.Body.Close()
				wantError(t, "unauthorized", response{res.StatusCode, res.Header, b}, 401, "unauthorized")
				if bytes.Contains(b, []byte("b1")) || bytes.Contains(b, []byte("qq")) {
					t.Errorf("401 body leaks data: %s", b)
				}
			})
		}
	}
	if got := s.eventCount(); got != before {
		t.Errorf("events after unauthorized requests: got %d, want %d", got, before)
	}
	if got := s.log.Size(); got != logBefore {
		t.Errorf("evidence log size after unauthorized requests: got %d, want %d", got, logBefore)
	}
	// The right key still works (the test above is not vacuous).
	if r := s.do("POST", "/v1/events", apiKey, "application/x-ndjson", body); r.status != 200 {
		t.Fatalf("with the key: got status %d, want 200; body %s", r.status, r.body)
	}
	if got := s.eventCount(); got != before+2 {
		t.Errorf("events after an authorized POST: got %d, want %d", got, before+2)
	}
}

func TestPostEventsBodyFormats(t *testing.T) {
	a := opened("b1", "buyer", t0)
	b := opened("s1", "seller", t0.Add(time.Minute))
	c := opened("s2", "seller", t0.Add(2*time.Minute))
	tests := []struct {
		name, ctype string
		body        []byte
	}{
		{"ndjson", "application/x-ndjson", []byte(string(a) + "\n" + string(b) + "\n" + string(c) + "\n")},
		{"ndjson CRLF and blank lines", "application/x-ndjson", []byte(string(a) + "\r\n\r\n" + string(b) + "\r\n" + string(c))},
		{"ndjson without content type", "", []byte(string(a) + "\n" + string(b) + "\n" + string(c))},
		{"json array", "application/json", []byte("[" + string(a) + ",\n " + string(b) + "," + string(c) + "]")},
		{"json array with charset", "application/json; charset=utf-8", []byte("  [" + string(a) + "," + string(b) + "," + string(c) + "]\n")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStack(t)
			r := s.do("POST", "/v1/events", apiKey, tt.ctype, tt.body)
			if r.status != 200 {
				t.Fatalf("got status %d, want 200; body %s", r.status, r.body)
			}
			got := decodeInto[ingestResult](t, r.body)
			if diff := cmp.Diff(ingestResult{Accepted: 3, Rejected: []rejected{}}, got); diff != "" {
				t.Errorf("first POST (-want +got):\n%s", diff)
			}
			if n := s.eventCount(); n != 3 {
				t.Errorf("stored events: got %d, want 3", n)
			}
			r = s.do("POST", "/v1/events", apiKey, tt.ctype, tt.body)
			got = decodeInto[ingestResult](t, r.body)
			if diff := cmp.Diff(ingestResult{Duplicates: 3, Rejected: []rejected{}}, got); diff != "" {
				t.Errorf("re-sent POST (-want +got):\n%s", diff)
			}
			if n := s.eventCount(); n != 3 {
				t.Errorf("stored events after re-send: got %d, want 3", n)
			}
			acc := decodeInto[map[string]any](t, s.get("/v1/accounts/s2").body)
			if acc["role"] != "seller" {
				t.Errorf("account s2 role: got %v, want seller", acc["role"])
			}
		})
	}
}

func TestPostEventsMixedBatch(t *testing.T) {
	s := newStack(t)
	badRating := ev("e-bad-rating", "feedback.left", t0.Add(time.Hour), "feedback", map[string]any{
		"id": "f9", "order": "o9", "buyer": "b9", "seller": "s9", "rating": "awful"})
	badRole := ev("e-bad-role", "account.opened", t0, "account", map[string]any{"id": "x1", "role": "admin"})
	noID := []byte(`{"type":"account.opened","at":"2026-03-01T08:00:00Z","account":{"id":"x2","role":"buyer"}}`)
	badTime := []byte(`{"id":"e-bad-time","type":"account.opened","at":"yesterday","account":{"id":"x3","role":"buyer"}}`)
	badAmount := ev("e-bad-amount", "order.placed", t0.Add(time.Hour), "order", map[string]any{
		"id": "o8", "buyer": "b9", "seller": "s9", "amount": map[string]any{"value": 50.0, "currency": "CNY"}})
	lines := [][]byte{
		opened("b9", "buyer", t0),          // 0 accepted
		opened("s9", "seller", t0),         // 1 accepted
		opened("b9", "buyer", t0),          // 2 duplicate of 0 in the same body
		badRating,                          // 3 rejected: feedback.rating
		[]byte(`{"id":"e-broken","type":`), // 4 rejected: not JSON
		badRole,                            // 5 rejected: account.role
		ev("e-place-o9", "order.placed", t0.Add(time.Hour), "order", map[string]any{ // 6 accepted
			"id": "o9", "buyer": "b9", "seller": "s9", "amount": map[string]any{"value": "50.00", "currency": "CNY"}}),
		noID,      // 7 rejected: id
		badTime,   // 8 rejected: at
		badAmount, // 9 rejected: order.amount (a float, not a decimal string)
		[]byte(`{"id":"e-what","type":"account.exploded","at":"2026-03-01T08:00:00Z"}`), // 10 rejected: type
	}
	wantRejected := []struct {
		index int
		id    string
		field string // the error must start with it
	}{
		{3, "e-bad-rating", "feedback.rating"},
		{4, "", ""},
		{5, "e-bad-role", "account.role"},
		{7, "", "id"},
		{8, "e-bad-time", "at"},
		{9, "e-bad-amount", "order.amount.value"},
		{10, "e-what", "type"},
	}
	check := func(name string, got ingestResult, accepted, dups int) {
		t.Helper()
		if got.Accepted != accepted || got.Duplicates != dups {
			t.Errorf("%s: got accepted %d duplicates %d, want %d and %d", name, got.Accepted, got.Duplicates, accepted, dups)
		}
		if len(got.Rejected) != len(wantRejected) {
			t.Fatalf("%s: got rejected %+v, want %d entries", name, got.Rejected, len(wantRejected))
		}
		for i, w := range wantRejected {
			g := got.Rejected[i]
			if g.Index != w.index || g.ID != w.id {
				t.Errorf("%s: rejected[%d]: got index %d id %q, want %d %q", name, i, g.Index, g.ID, w.index, w.id)
			}
			if g.Error == "" || (w.field != "" && !strings.HasPrefix(g.Error, w.field+":")) {
				t.Errorf("%s: rejected[%d] (index %d): got error %q, want it to start with %q", name, i, g.Index, g.Error, w.field+":")
			}
		}
	}
	check("first POST", s.post(lines), 3, 1)
	if n := s.eventCount(); n != 3 {
		t.Errorf("stored events: got %d, want 3", n)
	}
	// Re-sending: duplicates only, the same rejections, nothing new stored.
	check("re-sent POST", s.post(lines), 0, 4)
	if n := s.eventCount(); n != 3 {
		t.Errorf("stored events after re-send: got %d, want 3", n)
	}
	// The same events as a JSON array give the same answer.
	arr := append([]byte("["), bytes.Join(slices.Delete(slices.Clone(lines), 4, 5), []byte(","))...)
	arr = append(arr, ']')
	r := s.do("POST", "/v1/events", apiKey, "application/json", arr)
	got := decodeInto[ingestResult](t, r.body)
	if got.Accepted != 0 || got.Duplicates != 4 || len(got.Rejected) != len(wantRejected)-1 {
		t.Errorf("JSON array: got %+v, want 0 accepted, 4 duplicates, %d rejected", got, len(wantRejected)-1)
	}
	// Non-object array elements are rejected one by one, not the body.
	r = s.do("POST", "/v1/events", apiKey, "application/json", []byte(`[1, "x", null, `+string(opened("b10", "buyer", t0))+`]`))
	if r.status != 200 {
		t.Fatalf("array of odd elements: got status %d, want 200; body %s", r.status, r.body)
	}
	got = decodeInto[ingestResult](t, r.body)
	if got.Accepted != 1 || len(got.Rejected) != 3 || got.Rejected[0].Index != 0 || got.Rejected[2].Index != 2 {
		t.Errorf("array of odd elements: got %+v, want 1 accepted and indexes 0,1,2 rejected", got)
	}
	// Accepted events are visible at once; rejected ones are not.
	if r := s.get("/v1/accounts/b9"); r.status != 200 {
		t.Errorf("GET accepted account b9: got status %d, want 200", r.status)
	}
	for _, id := range []string{"x1", "x2", "x3"} {
		wantError(t, "GET rejected account "+id, s.get("/v1/accounts/"+id), 404, "not_found")
	}
}

func TestAccount(t *testing.T) {
	s := newStack(t)
	s.post([][]byte{opened("b1", "buyer", t0), opened("s1", "seller", t0)})
	for _, tt := range []struct{ id, role string }{{"b1", "buyer"}, {"s1", "seller"}} {
		r := s.get("/v1/accounts/" + tt.id)
		if r.status != 200 {
			t.Fatalf("GET /v1/accounts/%s: got %d, want 200; body %s", tt.id, r.status, r.body)
		}
		var m map[string]any
		if err := json.Unmarshal(r.body, &m); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"id", "role", "risk", "flagged", "first_flagged_at", "reasons", "reasons_zh"} {
			if _, ok := m[k]; !ok {
				t.Errorf("account %s: field %q missing in %s", tt.id, k, r.body)
			}
		}
		if m["id"] != tt.id || m["role"] != tt.role || m["flagged"] != false || m["first_flagged_at"] != nil {
			t.Errorf("account %s: got %s, want id %s, role %s, not flagged, first_flagged_at null", tt.id, r.body, tt.id, tt.role)
		}
		if risk, ok := m["risk"].(float64); !ok || risk < 0 || risk > 1 {
			t.Errorf("account %s: got risk %v, want a number in 0..1", tt.id, m["risk"])
		}
		if _, ok := m["reasons"].([]any); !ok {
			t.Errorf("account %s: got reasons %v, want a JSON array", tt.id, m["reasons"])
		}
	}
	wantError(t, "unknown account", s.get("/v1/accounts/nobody"), 404, "not_found")
	wantError(t, "unknown seller", s.get("/v1/sellers/nobody/reputation"), 404, "not_found")
	wantError(t, "buyer has no reputation", s.get("/v1/sellers/b1/reputation"), 404, "not_found")
	wantError(t, "unknown seller alerts", s.get("/v1/sellers/nobody/alerts"), 404, "not_found")
	wantError(t, "unknown feedback", s.get("/v1/feedback/nope"), 404, "not_found")
}

type accountView struct {
	ID             string     `json:"id"`
	Role           string     `json:"role"`
	Risk           float64    `json:"risk"`
	Flagged        bool       `json:"flagged"`
	FirstFlaggedAt *time.Time `json:"first_flagged_at"`
	Reasons        []string   `json:"reasons"`
	ReasonsZH      []string   `json:"reasons_zh"`
}

type reputationView struct {
	Seller           string `json:"seller"`
	ScoreRaw         *int   `json:"score_raw"`
	ScoreProtected   *int   `json:"score_protected"`
	NegativesRaw     *int   `json:"negatives_raw"`
	NegativesCounted *int   `json:"negatives_counted"`
	Held             []struct {
		Feedback string `json:"feedback"`
		Buyer    string `json:"buyer"`
		Reason   string `json:"reason"`
	} `json:"held"`
}

// TestSeedStory is the story fairmark exists for: one buyer, two new
// sellers, a 50-yuan prepaid card each, a negative remark minutes after
// delivery and a QQ number on chat.
func TestSeedStory(t *testing.T) {
	s := newStack(t)
	lines := seedStory()
	res := s.post(lines)
	if res.Accepted != len(lines) || len(res.Rejected) != 0 {
		t.Fatalf("story ingest: got %+v, want %d accepted", res, len(lines))
	}

	var acc accountView
	if err := json.Unmarshal(s.get("/v1/accounts/b1").body, &acc); err != nil {
		t.Fatal(err)
	}
	if !acc.Flagged || len(acc.Reasons) == 0 || acc.FirstFlaggedAt == nil {
		t.Fatalf("buyer b1: got %+v, want flagged with reasons and first_flagged_at", acc)
	}
	last := t0.Add(48*time.Hour + 2*time.Hour + 7*time.Minute)
	if acc.FirstFlaggedAt.Before(t0) || acc.FirstFlaggedAt.After(last) {
		t.Errorf("first_flagged_at: got %v, want an event time in [%v, %v]", acc.FirstFlaggedAt, t0, last)
	}
	if acc.Risk <= 0.5 || acc.Risk > 1 {
		t.Errorf("buyer b1 risk: got %v, want in (0.5, 1]", acc.Risk)
	}
	t.Logf("b1 reasons: %q", acc.Reasons)
	// The same reasons in Chinese, one for one.
	if len(acc.ReasonsZH) != len(acc.Reasons) {
		t.Fatalf("reasons_zh %q for reasons %q", acc.ReasonsZH, acc.Reasons)
	}
	for i, zh := range acc.ReasonsZH {
		if zh == acc.Reasons[i] || zh != engine.ReasonZH(acc.Reasons[i]) {
			t.Errorf("reason %q: reasons_zh %q, want its Chinese rendering", acc.Reasons[i], zh)
		}
	}

	for i, seller := range []string{"s1", "s2"} {
		r := s.get("/v1/sellers/" + seller + "/reputation")
		if r.status != 200 {
			t.Fatalf("reputation %s: got %d; body %s", seller, r.status, r.body)
		}
		var rep reputationView
		if err := json.Unmarshal(r.body, &rep); err != nil {
			t.Fatal(err)
		}
		if rep.ScoreRaw == nil || rep.ScoreProtected == nil || rep.NegativesRaw == nil || rep.NegativesCounted == nil {
			t.Fatalf("reputation %s: fields missing in %s", seller, r.body)
		}
		if *rep.ScoreProtected <= *rep.ScoreRaw {
			t.Errorf("reputation %s: got score_protected %d, score_raw %d; want protected > raw", seller, *rep.ScoreProtected, *rep.ScoreRaw)
		}
		if *rep.NegativesRaw != 1 || *rep.NegativesCounted != 0 {
			t.Errorf("reputation %s: got negatives_raw %d counted %d, want 1 and 0", seller, *rep.NegativesRaw, *rep.NegativesCounted)
		}
		fb := fmt.Sprintf("f%d", i+1)
		if len(rep.Held) != 1 || rep.Held[0].Feedback != fb || rep.Held[0].Buyer != "b1" || rep.Held[0].Reason == "" {
			t.Errorf("reputation %s: got held %+v, want [{%s b1 <reason>}]", seller, rep.Held, fb)
		}

		// The seller was alerted to the off-platform contact, with guidance.
		r = s.get("/v1/sellers/" + seller + "/alerts")
		if r.status != 200 {
			t.Fatalf("alerts %s: got %d; body %s", seller, r.status, r.body)
		}
		var alerts struct {
			Seller string            `json:"seller"`
			Alerts []engine.Decision `json:"alerts"`
		}
		if err := json.Unmarshal(r.body, &alerts); err != nil {
			t.Fatal(err)
		}
		var found *engine.Decision
		for j, a := range alerts.Alerts {
			if a.Alert != nil && a.Alert.Kind == engine.AlertOffPlatform {
				found = &alerts.Alerts[j]
			}
		}
		if found == nil {
			t.Fatalf("alerts %s: got %s, want an off_platform_contact alert", seller, r.body)
		}
		if found.Alert.Guidance == "" || found.Alert.GuidanceZH == "" || string(found.Seller) != seller {
			t.Errorf("alerts %s: got %+v, want guidance (en, zh) for seller %s", seller, found, seller)
		}
		if !slices.ContainsFunc(found.Alert.Contacts, func(c engine.Contact) bool { return c.Kind == "qq" && c.Value == "385721906" }) {
			t.Errorf("alerts %s: got contacts %+v, want qq 385721906", seller, found.Alert.Contacts)
		}
		// limit=1 returns one alert.
		r = s.get("/v1/sellers/" + seller + "/alerts?limit=1")
		if err := json.Unmarshal(r.body, &alerts); err != nil || len(alerts.Alerts) != 1 {
			t.Errorf("alerts %s limit=1: got %s, want exactly one alert", seller, r.body)
		}
	}

	// A seller nobody extorted keeps a clean record.
	s.post([][]byte{opened("s3", "seller", t0)})
	var rep reputationView
	if err := json.Unmarshal(s.get("/v1/sellers/s3/reputation").body, &rep); err != nil {
		t.Fatal(err)
	}
	if *rep.ScoreRaw != *rep.ScoreProtected || len(rep.Held) != 0 {
		t.Errorf("untouched seller s3: got %+v, want equal scores and nothing held", rep)
	}
}

// TestSeedStoryOutOfOrder sends the story backwards, twice: the end state
// is the same as in order.
func TestSeedStoryOutOfOrder(t *testing.T) {
	ordered, shuffled := newStack(t), newStack(t)
	lines := seedStory()
	ordered.post(lines)
	rev := slices.Clone(lines)
	slices.Reverse(rev)
	for _, l := range rev {
		shuffled.post([][]byte{l})
	}
	res := shuffled.post(rev)
	if res.Accepted != 0 || res.Duplicates != len(lines) {
		t.Errorf("re-sent story: got %+v, want all %d duplicates", res, len(lines))
	}
	for _, path := range []string{"/v1/accounts/b1", "/v1/sellers/s1/reputation", "/v1/sellers/s2/reputation", "/v1/feedback/f1"} {
		a, b := ordered.get(path), shuffled.get(path)
		if a.status != 200 || !bytes.Equal(a.body, b.body) {
			t.Errorf("%s: in order %d %s; out of order %d %s", path, a.status, a.body, b.status, b.body)
		}
	}
}

func TestHealthzAndMetrics(t *testing.T) {
	s := newStack(t)
	r := s.do("GET", "/healthz", "", "", nil)
	if r.status != 200 {
		t.Fatalf("/healthz: got %d, want 200; body %s", r.status, r.body)
	}
	lines := seedStory()
	s.post(lines)
	s.do("GET", "/v1/accounts/b1", "", "", nil) // a 401, counted too

	r = s.do("GET", "/metrics", "", "", nil)
	if r.status != 200 {
		t.Fatalf("/metrics: got %d, want 200", r.status)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("/metrics Content-Type: got %q, want text/plain (Prometheus text format)", ct)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(r.body))
	if err != nil {
		t.Fatalf("/metrics is not Prometheus text format: %v\n%s", err, r.body)
	}
	var ours []string
	for name := range fams {
		if strings.HasPrefix(name, "fairmark_") {
			ours = append(ours, name)
		}
	}
	sort.Strings(ours)
	for _, want := range []string{"fairmark_events_total", "fairmark_http_requests_total", "fairmark_events_ingested_total", "fairmark_decisions_total"} {
		if _, ok := fams[want]; !ok {
			t.Errorf("/metrics: %s missing; fairmark metrics: %v", want, ours)
		}
	}
	if f := fams["fairmark_events_ingested_total"]; f != nil {
		if got := f.GetMetric()[0].GetCounter().GetValue(); got != float64(len(lines)) {
			t.Errorf("fairmark_events_ingested_total: got %v, want %d", got, len(lines))
		}
	}
	if f := fams["fairmark_events_total"]; f != nil {
		var acc float64
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "outcome" && l.GetValue() == "accepted" {
					acc = m.GetCounter().GetValue()
				}
			}
		}
		if acc != float64(len(lines)) {
			t.Errorf(`fairmark_events_total{outcome="accepted"}: got %v, want %d`, acc, len(lines))
		}
	}
	if f := fams["fairmark_http_requests_total"]; f != nil {
		var unauthorized float64
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "status" && l.GetValue() == "401" {
					unauthorized += m.GetCounter().GetValue()
				}
			}
		}
		if unauthorized != 1 {
			t.Errorf(`fairmark_http_requests_total{status="401"}: got %v, want 1`, unauthorized)
		}
	}
}

// routesInSource lists the "METHOD /path" patterns the web package
// registers, read from its source so that a new route cannot be missed.
func routesInSource(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`(?:s\.handleFor|s\.handle|mux\.Handle|mux\.HandleFunc|s\.Handle)\(\s*"([A-Z]+ /[^"]*)"`)
	var out []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllSubmatch(b, -1) {
			out = append(out, string(m[1]))
		}
	}
	sort.Strings(out)
	return out
}

func TestOpenAPI(t *testing.T) {
	s := newStack(t)
	r := s.do("GET", "/v1/openapi.json", "", "", nil)
	if r.status != 200 {
		t.Fatalf("/v1/openapi.json: got %d, want 200", r.status)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type: got %q, want application/json", ct)
	}
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(r.body, &doc); err != nil {
		t.Fatalf("openapi.json is not valid JSON: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf(`"openapi": got %q, want 3.x`, doc.OpenAPI)
	}
	var documented []string
	for p, ops := range doc.Paths {
		for m := range ops {
			switch m {
			case "get", "put", "post", "delete", "patch", "head", "options":
				documented = append(documented, strings.ToUpper(m)+" "+p)
			}
		}
	}
	sort.Strings(documented)
	served := routesInSource(t)
	if len(served) < 10 {
		t.Fatalf("found only %d routes in the web package's source (%v); the route pattern in this test is stale", len(served), served)
	}
	if diff := cmp.Diff(served, documented); diff != "" {
		t.Errorf("routes served vs documented in openapi.json (-served +documented):\n%s", diff)
	}
	// Every documented route is really served: with the key, none of them
	// falls through to the mux's own 404/405.
	for _, route := range documented {
		method, path, _ := strings.Cut(route, " ")
		path = regexp.MustCompile(`\{[^}]+\}`).ReplaceAllString(path, "x")
		r := s.do(method, path, apiKey, "", nil)
		var e apiError
		json.Unmarshal(r.body, &e)
		if r.status == 405 || (r.status == 404 && (e.Error.Code == "" || strings.HasPrefix(e.Error.Message, "no such endpoint"))) {
			t.Errorf("%s: got %d %q, want a handler to answer", route, r.status, r.body)
		}
	}
}

func TestClientErrors(t *testing.T) {
	s := newStack(t)
	s.post(seedStory())
	before := s.eventCount()
	tests := []struct {
		name, method, path, ctype string
		body                      []byte
		status                    int
		code                      string
	}{
		{"empty body", "POST", "/v1/events", "application/x-ndjson", []byte{}, 400, "invalid"},
		{"blank body", "POST", "/v1/events", "application/x-ndjson", []byte(" \n\n\t"), 400, "invalid"},
		{"truncated array", "POST", "/v1/events", "application/json", []byte(`[{"id":"e1"`), 400, "invalid"},
		{"array then junk", "POST", "/v1/events", "application/json", []byte(`[] junk`), 400, "invalid"},
		{"json content type, not JSON", "POST", "/v1/events", "application/json", []byte(`hello`), 400, "invalid"},
		{"line over 1 MiB", "POST", "/v1/events", "application/x-ndjson", append(append([]byte(`{"id":"big","text":"`), bytes.Repeat([]byte("a"), 1<<20+10)...), `"}`...), 400, "invalid"},
		{"limit zero", "GET", "/v1/sellers/s1/alerts?limit=0", "", nil, 400, "invalid"},
		{"limit word", "GET", "/v1/sellers/s1/alerts?limit=ten", "", nil, 400, "invalid"},
		{"limit too big", "GET", "/v1/sellers/s1/alerts?limit=100000", "", nil, 400, "invalid"},
		{"limit negative", "GET", "/v1/decisions?limit=-1", "", nil, 400, "invalid"},
		{"unknown decision kind", "GET", "/v1/decisions?kind=nuke", "", nil, 400, "invalid"},
		{"bundle without scope", "GET", "/v1/evidence/bundle", "", nil, 400, "invalid"},
		{"bundle with two scopes", "GET", "/v1/evidence/bundle?conversation=c1&order=o1", "", nil, 400, "invalid"},
		{"bundle of nothing", "GET", "/v1/evidence/bundle?conversation=nope", "", nil, 404, "not_found"},
		{"upload not hex", "GET", "/v1/evidence/uploads/zzz", "", nil, 400, "invalid"},
		{"upload unknown", "GET", "/v1/evidence/uploads/" + strings.Repeat("ab", 32), "", nil, 404, "not_found"},
		{"consistency bad range", "GET", "/v1/evidence/consistency?from=x&to=1", "", nil, 400, "invalid"},
		{"empty upload", "POST", "/v1/evidence/uploads?report=r1", "image/png", []byte{}, 400, "invalid"},
		{"unknown route", "GET", "/v1/nothing-here", "", nil, 404, "not_found"},
		{"wrong method", "DELETE", "/v1/events", "", nil, 405, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.do(tt.method, tt.path, apiKey, tt.ctype, tt.body)
			if tt.code == "" {
				// Only the status and a JSON error body are checked.
				if r.status != tt.status {
					t.Errorf("got status %d, want %d; body %s", r.status, tt.status, r.body)
				}
				if allow := r.header.Get("Allow"); !strings.Contains(allow, "POST") {
					t.Errorf("got Allow %q, want it to list POST", allow)
				}
				var e apiError
				if err := json.Unmarshal(r.body, &e); err != nil || e.Error.Code == "" {
					t.Errorf("got body %q (Content-Type %q), want a JSON error", r.body, r.header.Get("Content-Type"))
				}
				return
			}
			wantError(t, tt.name, r, tt.status, tt.code)
		})
	}
	if got := s.eventCount(); got != before {
		t.Errorf("events after bad requests: got %d, want %d", got, before)
	}
}

func tinyPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	for x := range 4 {
		img.Set(x, x, color.RGBA{R: 200, A: 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestEvidence(t *testing.T) {
	s := newStack(t)
	lines := seedStory()
	lines = append(lines, ev("e-report-r1", "report.filed", t0.Add(72*time.Hour), "report", map[string]any{
		"id": "r1", "reporter": "s1", "accused": "b1", "order": "o1", "feedback": "f1", "kind": "extortion",
		"text": "He wants 50 yuan to remove the remark", "paid": map[string]any{"value": "50.00", "currency": "CNY"}}))
	s.post(lines)

	var key struct{ Origin, Key string }
	if err := json.Unmarshal(s.do("GET", "/v1/evidence/key", "", "", nil).body, &key); err != nil || key.Key == "" {
		t.Fatalf("/v1/evidence/key: %+v, %v", key, err)
	}

	// The conversation's bundle verifies offline, with and without pinning
	// the log's key, and carries the message as sent.
	r := s.get("/v1/evidence/bundle?conversation=c1")
	if r.status != 200 {
		t.Fatalf("bundle c1: got %d; body %s", r.status, r.body)
	}
	sum, err := evidence.Verify(r.body, key.Key)
	if err != nil {
		t.Fatalf("evidence.Verify(bundle c1): %v", err)
	}
	if sum.Records != 1 {
		t.Errorf("bundle c1: got %d records, want 1 (message m1)", sum.Records)
	}
	b, err := evidence.ReadBundle(bytes.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Records) != 1 || b.Records[0].Ref != "m1" || !bytes.Contains(b.Records[0].Content, []byte(qqText)) {
		t.Errorf("bundle c1 records: got %+v, want message m1 with its text", b.Records)
	}
	// A bundle altered in transit fails.
	tampered := bytes.Replace(r.body, []byte("3 8 5 7"), []byte("3 8 5 8"), 1)
	if bytes.Equal(tampered, r.body) {
		// Content is base64 in JSON; alter the decoded record instead.
		b.Records[0].Content = bytes.Replace(b.Records[0].Content, []byte("扣扣"), []byte("微信"), 1)
		var buf bytes.Buffer
		if err := evidence.WriteBundle(&buf, b); err != nil {
			t.Fatal(err)
		}
		tampered = buf.Bytes()
	}
	if _, err := evidence.Verify(tampered, key.Key); err == nil {
		t.Errorf("evidence.Verify accepted a bundle whose message was altered")
	}

	// An uploaded screenshot gets its SHA-256 and joins the report's bundle.
	pic := tinyPNG(t)
	r = s.do("POST", "/v1/evidence/uploads?report=r1&note=QQ+chat", apiKey, "image/png", pic)
	if r.status != 200 && r.status != 201 {
		t.Fatalf("upload: got %d, want 200 or 201; body %s", r.status, r.body)
	}
	var up struct {
		SHA256 string `json:"sha256"`
	}
	if err := json.Unmarshal(r.body, &up); err != nil {
		t.Fatal(err)
	}
	want := sha256.Sum256(pic)
	if up.SHA256 != hex.EncodeToString(want[:]) {
		t.Errorf("upload sha256: got %q, want %x", up.SHA256, want)
	}
	r = s.get("/v1/evidence/uploads/" + up.SHA256)
	if r.status != 200 || !bytes.Equal(r.body, pic) {
		t.Errorf("GET upload: got %d and %d bytes, want 200 and the %d bytes uploaded", r.status, len(r.body), len(pic))
	}
	r = s.get("/v1/evidence/bundle?report=r1")
	if r.status != 200 {
		t.Fatalf("bundle r1: got %d; body %s", r.status, r.body)
	}
	sum, err = evidence.Verify(r.body, key.Key)
	if err != nil {
		t.Fatalf("evidence.Verify(bundle r1): %v", err)
	}
	b, err = evidence.ReadBundle(bytes.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	var refs []string
	for _, rec := range b.Records {
		refs = append(refs, rec.Kind+" "+rec.Ref)
	}
	if !slices.Contains(refs, "report r1") || !slices.ContainsFunc(refs, func(s string) bool { return strings.HasSuffix(s, " "+up.SHA256) }) {
		t.Errorf("bundle r1 records: got %v, want the report r1 and the upload %s", refs, up.SHA256)
	}
	if sum.Blobs != 1 || len(b.Blobs) != 1 || b.Blobs[0].SHA256 != up.SHA256 || !bytes.Equal(b.Blobs[0].Data, pic) {
		t.Errorf("bundle r1 blobs: got %d verified, %d carried, want the uploaded PNG", sum.Blobs, len(b.Blobs))
	}

	// 17 MiB is over the 16 MiB limit: 413 as JSON, nothing logged.
	size := s.log.Size()
	big := append(slices.Clone(pic), make([]byte, 17<<20-len(pic))...)
	wantError(t, "17 MiB upload", s.do("POST", "/v1/evidence/uploads?report=r1", apiKey, "image/png", big), 413, "too_large")
	if got := s.log.Size(); got != size {
		t.Errorf("evidence log size after a refused upload: got %d, want %d", got, size)
	}
}
