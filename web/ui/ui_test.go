package ui_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"github.com/fairmark/fairmark/engine"
	"html/template"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/event"
	"github.com/fairmark/fairmark/evidence"
	"github.com/fairmark/fairmark/rules"
	"github.com/fairmark/fairmark/store"
	"github.com/fairmark/fairmark/web/ui"
)

// TestSignInThrottled: after five wrong passwords the right one is refused
// too (429, Retry-After), in the page's language; another user is not.
func TestSignInThrottled(t *testing.T) {
	s := newStack(t)
	c := s.newClient()
	for i := range 5 {
		r := c.postForm("/login", url.Values{"user": {"seller1"}, "password": {"guess " + strconv.Itoa(i)}})
		wantStatus(t, "wrong password", r, http.StatusUnauthorized)
	}
	r := c.postForm("/login", url.Values{"user": {"seller1"}, "password": {sellerPass}})
	wantStatus(t, "right password after five wrong", r, http.StatusTooManyRequests)
	wantContains(t, "throttled", r, "Too many failed sign-ins. Try again in 15 minute(s).")
	if ra := r.header.Get("Retry-After"); ra == "" || ra == "0" {
		t.Fatalf("Retry-After %q", ra)
	}
	if c.cookie("fairmark_session") != "" {
		t.Fatal("a throttled sign-in got a session")
	}
	r = c.postForm("/login", url.Values{"user": {"seller1"}, "password": {sellerPass}}, "Accept-Language", "zh-CN")
	wantContains(t, "throttled, Chinese", r, "登录失败次数过多，请 15 分钟后再试。")
	r = s.newClient().postForm("/login", url.Values{"user": {"agent"}, "password": {agentPass}})
	wantStatus(t, "another user", r, http.StatusSeeOther)
}

func TestLoginLogout(t *testing.T) {
	s := newStack(t)
	c := s.newClient()
	r := c.get("/")
	wantStatus(t, "landing", r, 200)
	wantContains(t, "landing", r, `action="/login"`, `name="password"`, `<html lang="en">`)

	r = c.postForm("/login", url.Values{"user": {"seller1"}, "password": {"wrong password"}})
	wantStatus(t, "wrong password", r, http.StatusUnauthorized)
	wantContains(t, "wrong password", r, "Wrong user name or password.", `value="seller1"`)
	if c.cookie("fairmark_session") != "" {
		t.Fatal("a session cookie was set for a wrong password")
	}

	r = c.postForm("/login", url.Values{"user": {"seller1"}, "password": {sellerPass}})
	wantStatus(t, "sign in", r, http.StatusSeeOther)
	if loc := r.header.Get("Location"); loc != "/seller/reputation" {
		t.Fatalf("sign in: redirected to %q, want /seller/reputation", loc)
	}
	setCookie := r.header.Get("Set-Cookie")
	for _, want := range []string{"fairmark_session=", "HttpOnly", "SameSite=Lax", "Path=/"} {
		if !strings.Contains(setCookie, want) {
			t.Fatalf("session cookie %q lacks %q", setCookie, want)
		}
	}
	if strings.Contains(setCookie, "Secure") {
		t.Fatalf("session cookie %q is Secure on a plain-HTTP request", setCookie)
	}
	token := c.cookie("fairmark_session")
	if _, err := s.db.SessionByToken(context.Background(), token); err != nil {
		t.Fatalf("session not stored: %v", err)
	}
	if p, ok := s.ui.Principal(withCookie("fairmark_session", token)); !ok || p.User != "seller1" || p.Role != fairmark.RoleSeller || p.Seller != s.victim {
		t.Fatalf("Principal: got %+v, %v", p, ok)
	}

	r = c.get("/seller/reputation")
	wantStatus(t, "reputation", r, 200)
	wantContains(t, "reputation", r, string(s.victim), string(s.held), "Raw score", "Protected score", "Xiao Li 小李")
	// In Chinese the hold's reason, which the engine writes in English, is
	// shown in Chinese.
	rep, err := s.svc.Reputation(s.victim)
	if err != nil || len(rep.Held) == 0 {
		t.Fatalf("victim's reputation: %+v, %v", rep, err)
	}
	why := rep.Held[0].Reason
	zh := engine.ReasonZH(why)
	if zh == why {
		t.Fatalf("hold reason %q has no Chinese rendering", why)
	}
	r = c.get("/seller/reputation", "Accept-Language", "zh-CN,zh;q=0.9")
	wantContains(t, "reputation in Chinese", r, template.HTMLEscapeString(zh))
	wantNotContains(t, "reputation in Chinese", r, template.HTMLEscapeString(why))

	r = c.postForm("/logout", nil)
	wantStatus(t, "sign out", r, http.StatusSeeOther)
	if _, err := s.db.SessionByToken(context.Background(), token); err == nil {
		t.Fatal("session still valid after sign-out")
	}
	r = c.get("/seller/reputation")
	wantStatus(t, "reputation after sign-out", r, http.StatusSeeOther)
	if loc := r.header.Get("Location"); loc != "/?next=%2Fseller%2Freputation" {
		t.Fatalf("signed out: redirected to %q", loc)
	}
	// The old token, replayed, opens nothing.
	old := s.newClient()
	old.header.Set("Cookie", "fairmark_session="+token)
	wantStatus(t, "old token", old.get("/seller/reputation"), http.StatusSeeOther)
	if _, ok := s.ui.Principal(withCookie("fairmark_session", token)); ok {
		t.Fatal("Principal accepts an ended session")
	}

	// Sign-in returns to "next", a path on this site only.
	c2 := s.newClient()
	r = c2.postForm("/login", url.Values{"user": {"agent"}, "password": {agentPass}, "next": {"/staff/rules"}})
	if loc := r.header.Get("Location"); loc != "/staff/rules" {
		t.Fatalf("next: redirected to %q, want /staff/rules", loc)
	}
	for _, next := range []string{"//evil.example/x", "/\t/evil.example", "/\\evil.example", "https://evil.example/", "javascript:alert(1)"} {
		r = s.newClient().postForm("/login", url.Values{"user": {"agent"}, "password": {agentPass}, "next": {next}})
		if loc := r.header.Get("Location"); loc != "/staff/overview" {
			t.Fatalf("next %q: redirected to %q, want /staff/overview", next, loc)
		}
	}
}

func withCookie(name, value string) *http.Request {
	r := httptest.NewRequest("GET", "/", nil)
	r.AddCookie(&http.Cookie{Name: name, Value: value})
	return r
}

func TestSecureCookieOverTLS(t *testing.T) {
	s := newStack(t)
	mux := http.NewServeMux()
	s.ui.Register(mux)
	req := httptest.NewRequest("POST", "https://fairmark.example/login", strings.NewReader(url.Values{"user": {"lead"}, "password": {leadPass}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.TLS = &tls.ConnectionState{}
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("sign in over TLS: got %d, body %s", rec.Code, rec.Body)
	}
	if sc := rec.Header().Get("Set-Cookie"); !strings.Contains(sc, "; Secure") || !strings.Contains(sc, "HttpOnly") {
		t.Fatalf("session cookie over TLS: got %q, want Secure and HttpOnly", sc)
	}
}

func TestSessionExpiry(t *testing.T) {
	s := newStack(t)
	c := s.newClient()
	c.login("seller1", sellerPass)
	wantStatus(t, "fresh session", c.get("/seller/alerts"), 200)
	s.advance(ui.DefaultSessionTTL - time.Minute)
	wantStatus(t, "session before expiry", c.get("/seller/alerts"), 200)
	s.advance(2 * time.Minute)
	r := c.get("/seller/alerts")
	wantStatus(t, "expired session", r, http.StatusSeeOther)
	if loc := r.header.Get("Location"); !strings.HasPrefix(loc, "/?next=") {
		t.Fatalf("expired session: redirected to %q, want the sign-in page", loc)
	}
	// A POST with an expired session is refused outright.
	r = c.postMultipart("/seller/report", url.Values{"feedback": {string(s.held)}, "kind": {"extortion"}}, nil)
	wantStatus(t, "report with expired session", r, http.StatusUnauthorized)
}

func TestCrossOriginPostRefused(t *testing.T) {
	s := newStack(t)
	c := s.newClient()
	c.login("seller1", sellerPass)
	before := eventCount(t, s)
	fields := url.Values{"feedback": {string(s.held)}, "kind": {"extortion"}, "text": {"forged"}}
	r := c.postMultipart("/seller/report", fields, nil, "Sec-Fetch-Site", "cross-site")
	wantStatus(t, "cross-site report", r, http.StatusForbidden)
	wantContains(t, "cross-site report", r, "came from another site")
	r = c.postMultipart("/seller/report", fields, nil, "Origin", "http://evil.example")
	wantStatus(t, "report from another origin", r, http.StatusForbidden)
	r = c.postForm("/logout", nil, "Sec-Fetch-Site", "cross-site")
	wantStatus(t, "cross-site sign-out", r, http.StatusForbidden)
	r = s.newClient().postForm("/login", url.Values{"user": {"seller1"}, "password": {sellerPass}}, "Origin", "http://evil.example")
	wantStatus(t, "cross-site sign-in", r, http.StatusForbidden)
	if n := eventCount(t, s); n != before {
		t.Fatalf("cross-origin posts stored %d events", n-before)
	}
	// The same post from the page itself goes through.
	r = c.postMultipart("/seller/report", fields, nil, "Sec-Fetch-Site", "same-origin", "Origin", s.url)
	wantStatus(t, "same-origin report", r, http.StatusSeeOther)
	// Reading is not a state change: a cross-site GET is served.
	wantStatus(t, "cross-site GET", c.get("/seller/alerts", "Sec-Fetch-Site", "cross-site"), 200)
}

func eventCount(t *testing.T, s *stack) int64 {
	t.Helper()
	n, err := s.db.EventCount(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSellerSeesOnlyOwnData(t *testing.T) {
	s := newStack(t)
	other := s.newClient()
	other.login("seller2", otherPass)
	r := other.postMultipart("/seller/report", url.Values{"feedback": {string(s.otherHeld)}, "kind": {"extortion"}, "text": {"other's report"}}, nil)
	wantStatus(t, "other seller's report", r, http.StatusSeeOther)
	otherReport := reportIDIn(t, r.header.Get("Location"))

	c := s.newClient()
	c.login("seller1", sellerPass)
	// The seller account comes from the session, whatever the URL says.
	for _, path := range []string{
		"/seller/reputation?seller=" + string(s.other),
		"/seller/reputation?id=" + string(s.other),
		"/seller/alerts?seller=" + string(s.other),
	} {
		r := c.get(path)
		wantStatus(t, path, r, 200)
		wantContains(t, path, r, string(s.victim))
		wantNotContains(t, path, r, string(s.otherHeld), ">"+string(s.other)+"<")
	}
	for _, path := range []string{
		"/seller/reports/" + otherReport,
		"/seller/reports/" + otherReport + "/bundle",
		"/seller/reports/" + otherReport + "/chat",
		"/seller/" + string(s.other) + "/reputation",
	} {
		r := c.get(path)
		wantStatus(t, path, r, http.StatusNotFound)
		wantNotContains(t, path, r, "other's report")
	}
	// Reporting another seller's remark is refused at the field.
	before := eventCount(t, s)
	r = c.postMultipart("/seller/report", url.Values{"feedback": {string(s.otherHeld)}, "kind": {"extortion"}}, nil)
	wantStatus(t, "report of another seller's remark", r, http.StatusBadRequest)
	wantContains(t, "report of another seller's remark", r, "That remark is not one of yours.")
	if n := eventCount(t, s); n != before {
		t.Fatal("a report of another seller's remark was stored")
	}
	for _, rep := range mustReports(t, s, s.victim) {
		if rep.Feedback == s.otherHeld {
			t.Fatalf("a report of another seller's remark was filed: %+v", rep)
		}
	}
	// Roles: sellers see no staff page, staff no seller page.
	wantStatus(t, "seller on staff page", c.get("/staff/overview"), http.StatusForbidden)
	wantStatus(t, "seller posting rules", c.postForm("/staff/rules", url.Values{"source": {"version = \"x\""}, "action": {"check"}}), http.StatusForbidden)
	agent := s.newClient()
	agent.login("agent", agentPass)
	wantStatus(t, "agent on seller page", agent.get("/seller/reputation"), http.StatusForbidden)
	wantStatus(t, "agent viewing a report", agent.get("/seller/reports/"+otherReport), http.StatusForbidden)
	// Nobody signed in: sent to sign in.
	wantStatus(t, "anonymous", s.newClient().get("/seller/reports/"+otherReport), http.StatusSeeOther)
}

func mustReports(t *testing.T, s *stack, seller fairmark.AccountID) []store.ReportRow {
	t.Helper()
	reps, err := s.db.ReportsBy(context.Background(), seller, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return reps
}

var reportLocation = regexp.MustCompile(`^/seller/reports/(R[0-9]{8}-[0-9a-f]{10})(\?filed=1)?$`)

func reportIDIn(t *testing.T, location string) string {
	t.Helper()
	m := reportLocation.FindStringSubmatch(location)
	if m == nil {
		t.Fatalf("redirect %q is not to a report", location)
	}
	return m[1]
}

func TestLanguage(t *testing.T) {
	s := newStack(t)
	c := s.newClient()
	for _, tc := range []struct {
		accept, want, text string
	}{
		{"", `<html lang="en">`, "Sign in"},
		{"zh-CN,zh;q=0.9,en;q=0.8", `<html lang="zh-CN">`, "登录"},
		{"zh", `<html lang="zh-CN">`, "用差评勒索"},
		{"en-US,en;q=0.9", `<html lang="en">`, "Bad remarks for money"},
		{"fr-FR", `<html lang="en">`, "Sign in"},
		{"de;q=0.9, zh-Hans;q=0.5", `<html lang="zh-CN">`, "登录"},
	} {
		r := c.get("/", "Accept-Language", tc.accept)
		wantStatus(t, "landing "+tc.accept, r, 200)
		wantContains(t, "Accept-Language "+tc.accept, r, tc.want, tc.text)
	}
	// The switch: a cookie that wins over Accept-Language.
	r := c.postForm("/lang", url.Values{"lang": {"zh-CN"}, "next": {"/guide"}})
	wantStatus(t, "switch", r, http.StatusSeeOther)
	if loc := r.header.Get("Location"); loc != "/guide" {
		t.Fatalf("switch: back to %q, want /guide", loc)
	}
	r = c.get("/guide", "Accept-Language", "en")
	wantContains(t, "guide after switch", r, `<html lang="zh-CN">`, "新卖家防骗指南", "绝不为删差评付钱")
	r = c.postForm("/lang", url.Values{"lang": {"en"}, "next": {"https://evil.example/"}})
	if loc := r.header.Get("Location"); loc != "/" {
		t.Fatalf("switch to another site: redirected to %q, want /", loc)
	}
	r = c.get("/guide", "Accept-Language", "zh-CN")
	wantContains(t, "guide after switching back", r, `<html lang="en">`, "Never pay to have a remark removed")
	wantStatus(t, "unknown language", c.postForm("/lang", url.Values{"lang": {"xx"}}), http.StatusBadRequest)

	// Signed in, the choice is kept in the session too.
	sc := s.newClient()
	sc.login("seller1", sellerPass)
	sc.postForm("/lang", url.Values{"lang": {"zh-CN"}, "next": {"/seller/reputation"}})
	sess, err := s.db.SessionByToken(context.Background(), sc.cookie("fairmark_session"))
	if err != nil || sess.Lang != "zh-CN" {
		t.Fatalf("session language: got %q (%v), want zh-CN", sess.Lang, err)
	}
	r = sc.get("/seller/reputation")
	wantContains(t, "reputation in Chinese", r, "我的信誉", "原始评分", "受保护评分")
	// Every page offers the switch.
	for _, path := range []string{"/seller/reputation", "/seller/alerts", "/seller/report", "/guide", "/"} {
		wantContains(t, "switch on "+path, sc.get(path), `action="/lang"`, `value="zh-CN"`, `value="en"`)
	}
}

// TestPagesInBothLanguages renders every page in both languages and looks
// for catalogue keys or format verbs that did not resolve.
func TestPagesInBothLanguages(t *testing.T) {
	s := newStack(t)
	seller, agent := s.newClient(), s.newClient()
	seller.login("seller1", sellerPass)
	agent.login("lead", leadPass)
	r := seller.postMultipart("/seller/report", url.Values{"feedback": {string(s.held)}, "kind": {"extortion"}, "paid": {"20"}, "currency": {"CNY"}},
		[]file{{"evidence", "qq.png", pngBytes(t)}})
	wantStatus(t, "report", r, http.StatusSeeOther)
	report := r.header.Get("Location")
	bad := regexp.MustCompile(`\[\?[a-z]|%!|%[dsv]\b|<no value>`)
	for _, lang := range []string{"en", "zh-CN"} {
		for _, c := range []*client{seller, agent, s.newClient()} {
			c.postForm("/lang", url.Values{"lang": {lang}})
		}
		pages := []struct {
			c    *client
			path string
		}{
			{s.newClient(), "/"}, {seller, "/"}, {seller, "/guide"}, {seller, "/seller/reputation"}, {seller, "/seller/alerts"},
			{seller, "/seller/report"}, {seller, report}, {agent, "/staff/overview"}, {agent, "/staff/rules"}, {seller, "/seller/nothing"},
		}
		for _, p := range pages {
			r := p.c.get(p.path)
			if r.status != 200 && r.status != 404 {
				t.Fatalf("%s %s: status %d", lang, p.path, r.status)
			}
			if m := bad.FindString(r.body); m != "" {
				i := strings.Index(r.body, m)
				t.Fatalf("%s %s: unresolved text %q near %q", lang, p.path, m, r.body[max(0, i-80):min(len(r.body), i+80)])
			}
		}
		r := agent.postForm("/staff/rules", url.Values{"source": {string(rules.DefaultSource())}, "action": {"backtest"}})
		if m := bad.FindString(r.body); m != "" {
			t.Fatalf("%s backtest: unresolved text %q", lang, m)
		}
	}
}

func TestReportSubmission(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	c := s.newClient()
	c.login("seller1", sellerPass)
	fb, err := s.db.FeedbackRow(ctx, s.held)
	if err != nil {
		t.Fatal(err)
	}
	accused, err := s.svc.Account(fb.Buyer)
	if err != nil {
		t.Fatal(err)
	}

	r := c.get("/seller/report?feedback=" + string(s.held))
	wantStatus(t, "form", r, 200)
	wantContains(t, "form", r, `enctype="multipart/form-data"`, `value="`+string(s.held)+`" checked`, `type="file" name="evidence"`)
	formID := regexp.MustCompile(`name="id" value="(R[0-9]{8}-[0-9a-f]{10})"`).FindStringSubmatch(r.body)
	if formID == nil {
		t.Fatal("the form carries no report id")
	}

	// Problems are shown at their fields, nothing is stored.
	before := eventCount(t, s)
	r = c.postMultipart("/seller/report", url.Values{"id": {formID[1]}, "feedback": {string(s.held)}, "kind": {"extortion"}, "paid": {"two hundred"}, "currency": {"CNY"}, "text": {"kept text"}},
		[]file{{"evidence", "page.html", []byte("<html><script>alert(1)</script></html>")}})
	wantStatus(t, "bad submission", r, http.StatusBadRequest)
	wantContains(t, "bad submission", r, "Write the amount as a number", "page.html is not a picture", "kept text", `value="`+string(s.held)+`" checked`)
	if eventCount(t, s) != before {
		t.Fatal("a bad submission stored an event")
	}

	shot, sms := pngBytes(t), []byte("10086: 给200元处理费，差评帮你撤了。加QQ 3857219 联系\n")
	fields := url.Values{"id": {formID[1]}, "feedback": {string(s.held)}, "kind": {"extortion"}, "text": {"He asked me on QQ for 200 yuan."},
		"paid": {"200.00"}, "currency": {"CNY"}, "note": {"QQ chat and SMS"}}
	files := []file{{"evidence", "qq-chat.png", shot}, {"evidence", "sms.txt", sms}}
	r = c.postMultipart("/seller/report", fields, files)
	wantStatus(t, "report", r, http.StatusSeeOther)
	id := reportIDIn(t, r.header.Get("Location"))
	if id != formID[1] {
		t.Fatalf("report id: got %s, want the form's %s", id, formID[1])
	}

	// The report.filed event: reporter is the seller, the remark's buyer
	// and order are filled in, the files' hashes are its evidence.
	raw, err := s.db.EventByID(ctx, fairmark.EventID("ui-"+id))
	if err != nil {
		t.Fatal(err)
	}
	e, err := event.Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	rep := e.Report
	if e.Type != fairmark.ReportFiled || rep == nil || rep.Reporter != s.victim || rep.Accused != fb.Buyer || rep.Order != fb.Order || rep.Feedback != s.held ||
		rep.Kind != fairmark.ReportExtortion || rep.Paid == nil || rep.Paid.String() != "200.00 CNY" || rep.Text != "He asked me on QQ for 200 yuan." {
		t.Fatalf("report event: got %s", raw)
	}
	wantSHA := []string{sha(shot), sha(sms)}
	if len(rep.Evidence) != 2 || rep.Evidence[0].SHA256 != wantSHA[0] || rep.Evidence[1].SHA256 != wantSHA[1] ||
		rep.Evidence[0].Kind != "screenshot" || rep.Evidence[1].Kind != "text" || rep.Evidence[0].Note != "qq-chat.png" {
		t.Fatalf("report evidence: got %+v, want the hashes %v", rep.Evidence, wantSHA)
	}
	// The evidence log: the two uploads (content-addressed) and the report.
	log := s.svc.EvidenceLog()
	recs, err := s.db.Evidence().Records(ctx, evidence.Scope{Type: evidence.ScopeReport, ID: id})
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, rec := range recs {
		kinds = append(kinds, rec.Kind+":"+rec.Ref)
	}
	want := []string{"upload:" + wantSHA[0], "upload:" + wantSHA[1], "report:" + id}
	if strings.Join(kinds, " ") != strings.Join(want, " ") {
		t.Fatalf("evidence records of the report: got %v, want %v", kinds, want)
	}
	if ct, data, err := log.Upload(ctx, wantSHA[0]); err != nil || ct != "image/png" || !bytes.Equal(data, shot) {
		t.Fatalf("stored upload: %s, %d bytes, %v", ct, len(data), err)
	}
	// The engine took the report in.
	av, err := s.svc.Account(fb.Buyer)
	if err != nil || av.Features == nil || av.Features.ReportsAgainst != accused.Features.ReportsAgainst+1 {
		t.Fatalf("accused after the report: %+v (%v), want one more report than %d", av.Features, err, accused.Features.ReportsAgainst)
	}

	// The confirmation page and the bundles, which verify offline.
	r = c.get("/seller/reports/" + id + "?filed=1")
	wantStatus(t, "confirmation", r, 200)
	wantContains(t, "confirmation", r, "Your report is filed", id, wantSHA[0], "200.00 CNY", "/seller/reports/"+id+"/bundle")
	r = c.get("/seller/reports/" + id + "/bundle")
	wantStatus(t, "bundle", r, 200)
	sum, err := evidence.Verify([]byte(r.body), log.VerifierKey())
	if err != nil {
		t.Fatalf("report bundle does not verify: %v", err)
	}
	if sum.Records != 3 {
		t.Fatalf("report bundle: %d records, want 3 (two uploads and the report)", sum.Records)
	}
	if !strings.Contains(r.body, wantSHA[0]) {
		t.Fatal("report bundle does not carry the screenshot")
	}
	if !strings.Contains(r.header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("bundle is not a download: %q", r.header.Get("Content-Disposition"))
	}
	if strings.Contains(r.body, "/seller/reports/"+id+"/chat") {
		r = c.get("/seller/reports/" + id + "/chat")
		wantStatus(t, "chat bundle", r, 200)
		if _, err := evidence.Verify([]byte(r.body), log.VerifierKey()); err != nil {
			t.Fatalf("chat bundle does not verify: %v", err)
		}
	}

	// The same form sent again files nothing new.
	n := eventCount(t, s)
	r = c.postMultipart("/seller/report", fields, files)
	wantStatus(t, "resubmission", r, http.StatusSeeOther)
	if got := reportIDIn(t, r.header.Get("Location")); got != id {
		t.Fatalf("resubmission: got report %s, want %s", got, id)
	}
	if eventCount(t, s) != n {
		t.Fatal("a resubmitted form stored another event")
	}
	// The report is listed on the form page.
	wantContains(t, "earlier reports", c.get("/seller/report"), "/seller/reports/"+id)
}

func sha(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func TestAlertsPartialForHTMX(t *testing.T) {
	s := newStack(t)
	c := s.newClient()
	c.login("seller1", sellerPass)
	full := c.get("/seller/alerts")
	wantStatus(t, "alerts", full, 200)
	wantContains(t, "alerts", full, "<html", `id="alert-list"`, `hx-get="/seller/alerts"`, `hx-trigger="every 20s"`, "htmx-2.0.11.min.js")
	part := c.get("/seller/alerts", "HX-Request", "true")
	wantStatus(t, "alerts partial", part, 200)
	wantContains(t, "alerts partial", part, `id="alert-list"`, "Keep talking on the marketplace chat")
	wantNotContains(t, "alerts partial", part, "<html", "<header")
	if v := part.header.Get("Vary"); v != "HX-Request" {
		t.Fatalf("alerts partial: Vary %q, want HX-Request", v)
	}
	zh := c.get("/seller/alerts", "HX-Request", "true", "Accept-Language", "zh-CN")
	wantContains(t, "alerts partial in Chinese", zh, "请继续在平台聊天里沟通")
	// The vendored htmx and the CSS are served, cacheable.
	r := c.get("/static/htmx-2.0.11.min.js?v=1")
	wantStatus(t, "htmx", r, 200)
	wantContains(t, "htmx", r, `version:"2.0.11"`)
	if cc := r.header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
		t.Fatalf("htmx Cache-Control: %q", cc)
	}
	wantStatus(t, "css", c.get("/static/style.css"), 200)
	wantStatus(t, "no such asset", c.get("/static/nothing.js"), 404)
	if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Fatalf("CSP: %q", csp)
	}
}

func TestStaffOverviewAndRules(t *testing.T) {
	s := newStack(t)
	c := s.newClient()
	c.login("agent", agentPass)
	r := c.get("/staff/overview")
	wantStatus(t, "overview", r, 200)
	wantContains(t, "overview", r, "<svg", `class="bar"`, "Buyers flagged per day", "Remarks held per day", "Seller alerts per day", "Latest decisions", string(s.held))
	if n := strings.Count(r.body, `<rect class="bar"`); n != 3*30+2*7 {
		t.Fatalf("overview: %d bars, want 104 (3 charts of 30 days, 2 histograms of 7 bins)", n)
	}

	r = c.get("/staff/rules")
	wantStatus(t, "rules", r, 200)
	wantContains(t, "rules", r, "Rules in force", "fast_negatives_new_sellers", `name="source"`, "version = &#34;")

	// Compile errors are shown in place, with line and column.
	broken := "version = \"t1\"\n\n[rule r1]\nwhen   = negatives_7d >= \nthen   = flag\n\n[rule r2]\nwhen   = no_such_feature > 1\nthen   = explode\n"
	r = c.postForm("/staff/rules", url.Values{"source": {broken}, "action": {"check"}})
	wantStatus(t, "broken rules", r, http.StatusUnprocessableEntity)
	wantContains(t, "broken rules", r, `id="rule-errors"`, "line 4, column", "line 8, column", "no_such_feature", "explode", `aria-invalid="true"`, "negatives_7d &gt;= ")

	// A candidate that flags more, backtested against the rules in force.
	cand := strings.Replace(string(rules.DefaultSource()), "then   = review\nscore  = 0.3\nreason = \"{fast_negatives_30d}", "then   = flag, hold\nscore  = 0.3\nreason = \"{fast_negatives_30d}", 1)
	if cand == string(rules.DefaultSource()) {
		t.Fatal("test candidate unchanged: the default rules changed")
	}
	r = c.postForm("/staff/rules", url.Values{"source": {cand}, "action": {"backtest"}})
	wantStatus(t, "backtest", r, 200)
	wantContains(t, "backtest", r, "Compiles:", `id="backtest"`, "stored events replayed", "Newly flagged", "fast_negatives_new_sellers")
	r = c.postForm("/staff/rules", url.Values{"source": {cand}, "action": {"download"}})
	wantStatus(t, "download", r, 200)
	if r.body != cand || !strings.Contains(r.header.Get("Content-Disposition"), "fairmark.rules") {
		t.Fatalf("download: %q, %d bytes", r.header.Get("Content-Disposition"), len(r.body))
	}
}
