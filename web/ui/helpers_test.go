package ui_test

// The real stack behind the UI in tests: a SQLite store in a temp folder,
// the evidence log, the service with the detectors and the built-in rules,
// a small simulated marketplace, the JSON API server with the UI mounted
// on it, and users for two sellers, an agent and a lead.

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/engine"
	"github.com/fairmark/fairmark/event"
	"github.com/fairmark/fairmark/evidence"
	"github.com/fairmark/fairmark/rules"
	"github.com/fairmark/fairmark/scan"
	"github.com/fairmark/fairmark/service"
	"github.com/fairmark/fairmark/sim"
	"github.com/fairmark/fairmark/store"
	"github.com/fairmark/fairmark/web"
	"github.com/fairmark/fairmark/web/ui"
)

func TestMain(m *testing.M) {
	code := m.Run()
	stopBrowser()
	os.Exit(code)
}

// Passwords of the test users.
const (
	sellerPass = "seller-pass-1"
	otherPass  = "seller-pass-2"
	agentPass  = "agent-pass-1"
	leadPass   = "lead-pass-1"
)

type stack struct {
	t   *testing.T
	url string
	db  *store.DB
	svc *service.Service
	ui  *ui.UI
	// clock is the store's clock (sessions), in Unix nanoseconds.
	clock atomic.Int64
	// victim and other are two sellers with held remarks; held is one of
	// victim's held remarks, otherHeld one of other's.
	victim, other   fairmark.AccountID
	held, otherHeld fairmark.FeedbackID
}

// marketplace is the simulated marketplace every test loads (the demo's).
var marketplace = sync.OnceValues(func() ([]store.Incoming, error) {
	evs, _, err := sim.Events(sim.Config{Seed: 7, Sellers: 40, Buyers: 600, Days: 21, Complainers: 4})
	if err != nil {
		return nil, err
	}
	ins := make([]store.Incoming, len(evs))
	for i, e := range evs {
		raw, err := event.Encode(e)
		if err != nil {
			return nil, err
		}
		ins[i] = store.Incoming{Event: e, Raw: raw}
	}
	return ins, nil
})

func newStack(t *testing.T) *stack {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := store.OpenSQLite(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s := &stack{t: t, db: db}
	s.clock.Store(time.Now().UnixNano())
	db.Now = func() time.Time { return time.Unix(0, s.clock.Load()) }
	signer, err := evidence.LoadOrCreateKey(filepath.Join(dir, "keys"), "fairmark.test/evidence")
	if err != nil {
		t.Fatal(err)
	}
	log, err := evidence.Open(ctx, db.Evidence(), signer)
	if err != nil {
		t.Fatal(err)
	}
	set, err := rules.Default(engine.FeatureVars())
	if err != nil {
		t.Fatal(err)
	}
	cfg := engine.Config{Detect: scan.Detector, Rules: engine.NewRules(set)}
	s.svc, err = service.Open(ctx, service.Options{DB: db, Evidence: log, Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	ins, err := marketplace()
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.svc.IngestValid(ctx, ins); err != nil {
		t.Fatal(err)
	}
	if err := s.svc.LogRuleSet(ctx, set.Hash, set.Version, rules.DefaultSource()); err != nil {
		t.Fatal(err)
	}
	// Two sellers with held remarks.
	holds, err := s.svc.Decisions(ctx, store.DecisionFilter{Kind: string(engine.HoldFeedback), Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range holds {
		f, err := s.svc.Feedback(d.Feedback)
		if err != nil || !f.Held {
			continue
		}
		switch {
		case s.victim == "":
			s.victim, s.held = d.Seller, d.Feedback
		case s.other == "" && d.Seller != s.victim:
			s.other, s.otherHeld = d.Seller, d.Feedback
		}
	}
	if s.other == "" {
		t.Fatal("the simulated marketplace has fewer than two sellers with held remarks")
	}
	for _, u := range []struct {
		u  store.User
		pw string
	}{
		{store.User{ID: "seller1", Name: "Xiao Li 小李", Role: fairmark.RoleSeller, Seller: s.victim}, sellerPass},
		{store.User{ID: "seller2", Name: "Other shop", Role: fairmark.RoleSeller, Seller: s.other}, otherPass},
		{store.User{ID: "agent", Name: "Agent Ann", Role: fairmark.RoleAgent}, agentPass},
		{store.User{ID: "lead", Name: "Lead Lee", Role: fairmark.RoleLead}, leadPass},
	} {
		if err := db.CreateUser(ctx, u.u, u.pw); err != nil {
			t.Fatal(err)
		}
	}
	srv := web.New(s.svc, "test-key", nil)
	s.ui = ui.New(s.svc, db, ui.WithEngineConfig(cfg))
	s.ui.Register(srv)
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	s.url = hs.URL
	return s
}

// advance moves the store's clock (session expiry) forward.
func (s *stack) advance(d time.Duration) { s.clock.Add(int64(d)) }

// client is a browser-like client with its own cookie jar that does not
// follow redirects, so tests see them.
type client struct {
	s    *stack
	http *http.Client
	// header is sent with every request.
	header http.Header
}

func (s *stack) newClient() *client {
	jar, _ := cookiejar.New(nil)
	return &client{s: s, header: http.Header{}, http: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type response struct {
	status int
	header http.Header
	body   string
}

func (c *client) do(req *http.Request) response {
	c.s.t.Helper()
	for k, v := range c.header {
		req.Header[k] = v
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.s.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.s.t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: string(b)}
}

func (c *client) get(path string, hdr ...string) response {
	c.s.t.Helper()
	req, err := http.NewRequest("GET", c.s.url+path, nil)
	if err != nil {
		c.s.t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return c.do(req)
}

// postForm posts url-encoded fields; hdr are header name, value pairs.
func (c *client) postForm(path string, form url.Values, hdr ...string) response {
	c.s.t.Helper()
	req, err := http.NewRequest("POST", c.s.url+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return c.do(req)
}

// file is one file of a multipart post.
type file struct {
	field, name string
	data        []byte
}

// postMultipart posts fields and files as multipart/form-data.
func (c *client) postMultipart(path string, fields url.Values, files []file, hdr ...string) response {
	c.s.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	for _, f := range files {
		w, err := mw.CreateFormFile(f.field, f.name)
		if err != nil {
			c.s.t.Fatal(err)
		}
		w.Write(f.data)
	}
	mw.Close()
	req, err := http.NewRequest("POST", c.s.url+path, &b)
	if err != nil {
		c.s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return c.do(req)
}

// login signs the client in and checks where it lands.
func (c *client) login(user, password string) {
	c.s.t.Helper()
	r := c.postForm("/login", url.Values{"user": {user}, "password": {password}})
	if r.status != http.StatusSeeOther {
		c.s.t.Fatalf("sign in as %s: got status %d, want 303; body %.300s", user, r.status, r.body)
	}
}

// cookie returns the client's cookie of that name, "" if none.
func (c *client) cookie(name string) string {
	u, _ := url.Parse(c.s.url)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}

func wantStatus(t *testing.T, what string, r response, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("%s: got status %d, want %d; body %.600s", what, r.status, want, r.body)
	}
}

func wantContains(t *testing.T, what string, r response, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(r.body, s) {
			t.Fatalf("%s: body does not contain %q; body %.1500s", what, s, r.body)
		}
	}
}

func wantNotContains(t *testing.T, what string, r response, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if strings.Contains(r.body, s) {
			t.Fatalf("%s: body contains %q", what, s)
		}
	}
}

// pngBytes is a small valid PNG (a screenshot stand-in).
func pngBytes(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 48, 32))
	for x := range 48 {
		for y := range 32 {
			img.Set(x, y, color.RGBA{uint8(x * 5), uint8(y * 7), 120, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
