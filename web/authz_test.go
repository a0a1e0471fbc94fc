package web_test

import (
	"bytes"
	"context"
	"encoding/json"

	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/engine"
	"github.com/fairmark/fairmark/evidence"
	"github.com/fairmark/fairmark/scan"
	"github.com/fairmark/fairmark/service"
	"github.com/fairmark/fairmark/store"
	"github.com/fairmark/fairmark/web"
)

// Test principals, chosen by a "test-user" cookie through the server's
// Sessions hook (the UI's sessions are tested in web/ui).
var testUsers = map[string]fairmark.Principal{
	"agent":  {User: "wang", Name: "Wang", Role: fairmark.RoleAgent},
	"agent2": {User: "zhou", Name: "Zhou", Role: fairmark.RoleAgent},
	"lead":   {User: "li", Name: "Li", Role: fairmark.RoleLead},
	"owner":  {User: "u-s1", Name: "Seller 1", Role: fairmark.RoleSeller, Seller: "s1"},
	"other":  {User: "u-s3", Name: "Seller 3", Role: fairmark.RoleSeller, Seller: "s3"},
}

type sessionStack struct {
	*stack
	srv *web.Server
	svc *service.Service
}

func newSessionStack(t *testing.T, opt func(*service.Options)) *sessionStack {
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
	o := service.Options{DB: db, Evidence: log, Config: engine.Config{Detect: scan.Detector}}
	if opt != nil {
		opt(&o)
	}
	svc, err := service.Open(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	srv := web.New(svc, apiKey, nil)
	srv.Webhooks = db.Outbox()
	srv.Sessions = func(r *http.Request) (fairmark.Principal, bool) {
		c, err := r.Cookie("test-user")
		if err != nil {
			return fairmark.Principal{}, false
		}
		p, ok := testUsers[c.Value]
		return p, ok
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return &sessionStack{stack: &stack{t: t, url: hs.URL, db: db, log: log}, srv: srv, svc: svc}
}

// as sends a request as a role: "none", "operator" (API key) or a test
// user (session cookie).
func (s *sessionStack) as(role, method, path, ctype string, body []byte, header ...string) response {
	s.t.Helper()
	req, err := http.NewRequest(method, s.url+path, bytes.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	switch role {
	case "none":
	case "operator":
		req.Header.Set("Authorization", "Bearer "+apiKey)
	default:
		req.AddCookie(&http.Cookie{Name: "test-user", Value: role})
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: b}
}

// reportEvent is seller s1's report against b1, with 50 yuan paid.
func reportEvent(id, reporter, accused, fb string) []byte {
	return ev("e-report-"+id, "report.filed", t0.Add(72*time.Hour), "report", map[string]any{
		"id": id, "reporter": reporter, "accused": accused, "feedback": fb, "kind": "extortion",
		"text": "他要我付50元才删差评", "paid": map[string]any{"value": "50.00", "currency": "CNY"}})
}

// onlyCase returns the one case the operator sees.
func (s *sessionStack) onlyCase() string {
	s.t.Helper()
	r := s.as("operator", "GET", "/v1/cases?status=open,investigating,awaiting_appeal,closed", "", nil)
	var q struct {
		Cases []struct {
			Case struct {
				ID string `json:"id"`
			} `json:"case"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(r.body, &q); err != nil || len(q.Cases) != 1 {
		s.t.Fatalf("cases: %d %s (%v), want exactly one", r.status, r.body, err)
	}
	return q.Cases[0].Case.ID
}

// TestAuthorization checks every endpoint × role × owner/non-owner: no
// cross-seller read or write, staff-only actions refused to others.
func TestAuthorization(t *testing.T) {
	s := newSessionStack(t, nil)
	lines := seedStory()
	lines = append(lines, opened("s3", "seller", t0), reportEvent("r1", "s1", "b1", "f1"))
	s.post(lines)
	caseID := s.onlyCase()
	up := s.as("operator", "POST", "/v1/evidence/uploads?report=r1", "image/png", tinyPNG(t))
	var upRes struct {
		SHA string `json:"sha256"`
	}
	json.Unmarshal(up.body, &upRes)
	if up.status != 201 || upRes.SHA == "" {
		t.Fatalf("upload: %d %s", up.status, up.body)
	}

	roles := []string{"none", "operator", "agent", "lead", "owner", "other"}
	type want [6]int // by roles above
	pngFor := func(role string) []byte { return append(tinyPNG(t), []byte(role)...) }
	tests := []struct {
		method, path, ctype string
		body                func(role string) []byte
		want                want
	}{
		{"GET", "/healthz", "", nil, want{200, 200, 200, 200, 200, 200}},
		{"GET", "/v1/openapi.json", "", nil, want{200, 200, 200, 200, 200, 200}},
		{"GET", "/v1/evidence/key", "", nil, want{200, 200, 200, 200, 200, 200}},
		{"GET", "/v1/evidence/checkpoint", "", nil, want{200, 200, 200, 200, 200, 200}},
		{"GET", "/v1/evidence/consistency?from=1&to=1", "", nil, want{200, 200, 200, 200, 200, 200}},
		{"POST", "/v1/events", "application/x-ndjson", func(role string) []byte { return opened("new-"+role, "buyer", t0) }, want{401, 200, 403, 403, 403, 403}},
		{"GET", "/v1/me", "", nil, want{401, 200, 200, 200, 200, 200}},
		{"GET", "/v1/accounts/b1", "", nil, want{401, 200, 200, 200, 403, 403}},
		{"GET", "/v1/decisions", "", nil, want{401, 200, 200, 200, 403, 403}},
		{"GET", "/v1/sellers/s1/reputation", "", nil, want{401, 200, 200, 200, 200, 404}},
		{"GET", "/v1/sellers/s1/alerts", "", nil, want{401, 200, 200, 200, 200, 404}},
		{"GET", "/v1/feedback/f1", "", nil, want{401, 200, 200, 200, 200, 404}},
		{"POST", "/v1/evidence/uploads?report=r1", "image/png", pngFor, want{401, 201, 201, 201, 201, 404}},
		{"POST", "/v1/evidence/uploads?case=" + caseID, "image/png", func(r string) []byte { return pngFor(r + "case") }, want{401, 201, 201, 201, 201, 404}},
		{"POST", "/v1/evidence/uploads?order=o1", "image/png", func(r string) []byte { return pngFor(r + "order") }, want{401, 201, 201, 201, 201, 404}},
		{"POST", "/v1/evidence/uploads?conversation=c1", "image/png", func(r string) []byte { return pngFor(r + "conv") }, want{401, 201, 201, 201, 201, 404}},
		{"POST", "/v1/evidence/uploads?account=s1", "image/png", func(r string) []byte { return pngFor(r + "acct") }, want{401, 201, 201, 201, 201, 404}},
		{"GET", "/v1/evidence/uploads/" + upRes.SHA, "", nil, want{401, 200, 200, 200, 403, 403}},
		{"GET", "/v1/evidence/bundle?case=" + caseID, "", nil, want{401, 200, 200, 200, 404, 404}}, // names every victim: staff only
		{"GET", "/v1/evidence/bundle?conversation=c1", "", nil, want{401, 200, 200, 200, 200, 404}},
		{"GET", "/v1/evidence/bundle?report=r1", "", nil, want{401, 200, 200, 200, 200, 404}},
		{"GET", "/v1/evidence/bundle?account=b1", "", nil, want{401, 200, 200, 200, 404, 404}},
		{"GET", "/v1/cases", "", nil, want{401, 200, 200, 200, 200, 200}},
		{"POST", "/v1/cases", "application/json", func(string) []byte { return []byte(`{"accused":"b1","reason":"x"}`) }, want{401, 201, 201, 201, 403, 403}},
		{"GET", "/v1/cases/" + caseID, "", nil, want{401, 200, 200, 200, 200, 404}},
		{"GET", "/v1/cases/" + caseID + "/dossier", "", nil, want{401, 200, 200, 200, 403, 403}},
		{"GET", "/v1/cases/" + caseID + "/events", "", nil, want{401, 200, 200, 200, 403, 403}},
		{"POST", "/v1/cases/" + caseID + "/actions", "application/json", func(string) []byte { return []byte(`{"action":"note","text":"seen"}`) }, want{401, 403, 200, 200, 403, 403}},
		{"GET", "/v1/restitution", "", nil, want{401, 200, 200, 200, 200, 200}},
		{"GET", "/v1/webhooks/deliveries", "", nil, want{401, 200, 403, 200, 403, 403}},
		{"POST", "/v1/webhooks/deliveries/nope/replay", "", nil, want{401, 404, 403, 404, 403, 403}},
	}
	covered := map[string]bool{}
	for _, tt := range tests {
		pattern := tt.method + " " + tt.path
		for _, rt := range s.srv.Routes() {
			if routeMatches(rt.Pattern, tt.method, tt.path) {
				covered[rt.Pattern] = true
				pattern = rt.Pattern
			}
		}
		for i, role := range roles {
			t.Run(role+" "+tt.method+" "+tt.path, func(t *testing.T) {
				var body []byte
				if tt.body != nil {
					body = tt.body(role)
				}
				r := s.as(role, tt.method, tt.path, tt.ctype, body, "Origin", s.url)
				if r.status != tt.want[i] {
					t.Errorf("%s as %s: got %d, want %d; body %.300s", pattern, role, r.status, tt.want[i], r.body)
				}
				if role == "other" && r.status == 404 && (bytes.Contains(r.body, []byte("b1")) || bytes.Contains(r.body, []byte("s1"))) {
					t.Errorf("a refusal to another seller leaks data: %s", r.body)
				}
			})
		}
	}
	for _, rt := range s.srv.Routes() {
		if !covered[rt.Pattern] {
			t.Errorf("route %s is not in the authorization table", rt.Pattern)
		}
	}

	// What another seller sees of lists: nothing of s1's.
	for _, path := range []string{"/v1/cases", "/v1/restitution?victim=s1"} {
		r := s.as("other", "GET", path, "", nil)
		if bytes.Contains(r.body, []byte(caseID)) || bytes.Contains(r.body, []byte(`"s1"`)) {
			t.Errorf("%s as another seller shows s1's things: %s", path, r.body)
		}
	}
	if r := s.as("owner", "GET", "/v1/cases", "", nil); !bytes.Contains(r.body, []byte(caseID)) {
		t.Errorf("the victim does not see its case: %s", r.body)
	}
	// A session's write from another origin is refused; the API key's is not
	// a browser's and needs no origin.
	r := s.as("agent", "POST", "/v1/cases/"+caseID+"/actions", "application/json", []byte(`{"action":"note","text":"x"}`), "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site")
	wantError(t, "cross-origin session write", r, 403, "forbidden")
	// A wrong key is refused even with a valid session.
	r = s.as("agent", "GET", "/v1/cases", "", nil, "Authorization", "Bearer nope")
	wantError(t, "wrong key with a session", r, 401, "unauthorized")
}

// routeMatches reports whether a mux pattern "METHOD /a/{x}/b" matches a
// request.
func routeMatches(pattern, method, path string) bool {
	pm, pp, _ := strings.Cut(pattern, " ")
	if pm != method {
		return false
	}
	path, _, _ = strings.Cut(path, "?")
	a, b := strings.Split(pp, "/"), strings.Split(path, "/")
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !strings.HasPrefix(a[i], "{") && a[i] != b[i] {
			return false
		}
	}
	return true
}
