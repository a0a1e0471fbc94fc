package ui_test

// Browser tests: Debian's Chromium, headless, driven with chromedp. One
// browser serves the whole test binary; each test has its own browser
// context (its own cookies). Screenshots of the main pages go to
// $FAIRMARK_SCREENSHOTS when set, else to the test's artifact folder
// (go test -artifacts -outputdir DIR keeps them).

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/event"
)

const chromiumPath = "/usr/bin/chromium"

var browserState struct {
	once   sync.Once
	ctx    context.Context // the browser, for new browser contexts
	cancel func()
	err    error
	dir    string
}

// browser starts the shared Chromium on first use and returns a fresh
// browser context (separate cookies) for one test, with a time limit.
func browser(t *testing.T) context.Context {
	t.Helper()
	path := chromiumPath
	if _, err := os.Stat(path); err != nil {
		p, lerr := exec.LookPath("chromium")
		if lerr != nil {
			t.Skip("browser tests need Debian's chromium package (apt-get install chromium)")
		}
		path = p
	}
	b := &browserState
	b.once.Do(func() {
		b.dir, b.err = os.MkdirTemp("", "fairmark-chromium-")
		if b.err != nil {
			return
		}
		opts := []chromedp.ExecAllocatorOption{
			chromedp.ExecPath(path),
			chromedp.UserDataDir(b.dir),
			chromedp.Headless,
			chromedp.NoSandbox,
			chromedp.DisableGPU,
			chromedp.NoFirstRun,
			chromedp.NoDefaultBrowserCheck,
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.Flag("disable-extensions", true),
			chromedp.Flag("disable-default-apps", true),
			chromedp.Flag("lang", "en-US"),
			chromedp.WindowSize(1280, 900),
		}
		alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancelCtx := chromedp.NewContext(alloc)
		b.ctx = ctx
		b.cancel = func() { cancelCtx(); cancelAlloc() }
		b.err = chromedp.Do(ctx) // starts the browser
	})
	if b.err != nil {
		t.Fatalf("start chromium: %v", b.err)
	}
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil { // opens the tab without a deadline
		t.Fatal(err)
	}
	tctx, tcancel := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(tcancel)
	return tctx
}

func stopBrowser() {
	b := &browserState
	if b.cancel != nil {
		b.cancel()
	}
	if b.dir != "" {
		os.RemoveAll(b.dir)
	}
}

// screenshotDir is where screenshots go.
func screenshotDir(t *testing.T) string {
	if d := os.Getenv("FAIRMARK_SCREENSHOTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.ArtifactDir()
}

// screenshot saves the whole page as name.png.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(screenshotDir(t), name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

// do runs actions that return nothing.
func do(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// get runs one action and returns its value.
func get[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// text is the visible text of the first element sel matches.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	return get(t, ctx, "text of "+sel, chromedp.Text(chromedp.CSS(sel)))
}

// css is shorthand for a CSS selector.
type css = chromedp.CSS

// signIn fills in the landing page's form and waits for landing.
func signIn(t *testing.T, ctx context.Context, s *stack, user, password, landing string) {
	t.Helper()
	do(t, ctx, "sign in as "+user,
		chromedp.Navigate(s.url+"/"),
		chromedp.WaitVisible(css(`input[name=user]`)),
		chromedp.SendKeys(css(`input[name=user]`), user),
		chromedp.SendKeys(css(`input[name=password]`), password),
		chromedp.Click(css(`form[action="/login"] button[type=submit]`)),
		chromedp.WaitVisible(css(landing)),
	)
}

func TestBrowserSellerReportsExtortion(t *testing.T) {
	s := newStack(t)
	ctx := browser(t)
	signIn(t, ctx, s, "seller1", sellerPass, `.scores`)
	if held := text(t, ctx, `table.held`); !strings.Contains(held, string(s.held)) {
		t.Fatalf("reputation: held remarks %q do not list %s", held, s.held)
	}
	screenshot(t, ctx, "seller-reputation")

	do(t, ctx, "alerts", chromedp.Navigate(s.url+"/seller/alerts"), chromedp.WaitVisible(css(`#alert-list`)))
	// htmx loaded under the Content-Security-Policy and polls the list.
	if v := get(t, ctx, "htmx", chromedp.Evaluate[string](`window.htmx ? htmx.version : "missing"`)); v != "2.0.11" {
		t.Fatalf("htmx: got %q, want 2.0.11", v)
	}
	// A refresh as the polling makes it: the list alone comes back and
	// replaces the list (not a whole page inside the page).
	refreshed := get(t, ctx, "htmx refresh", chromedp.Evaluate[bool](`htmx.ajax('GET', '/seller/alerts', {target: '#alert-list', swap: 'outerHTML'}).then(() =>
		document.querySelectorAll('header.top').length === 1 && document.querySelectorAll('#alert-list').length === 1 && !!document.querySelector('#alert-list li.alert'))`,
		chromedp.EvalAwaitPromise))
	if !refreshed {
		t.Fatal("htmx refresh of the alert list did not swap in the list")
	}
	screenshot(t, ctx, "seller-alerts")
	do(t, ctx, "guide", chromedp.Navigate(s.url+"/guide"), chromedp.WaitVisible(css(`article.guide`)))
	screenshot(t, ctx, "seller-guide")

	// Report the held remark, from its row, with a screenshot of the QQ chat.
	shot := filepath.Join(t.TempDir(), "qq-chat.png")
	if err := os.WriteFile(shot, pngBytes(t), 0o644); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, "report form",
		chromedp.Navigate(s.url+"/seller/reputation"),
		chromedp.Click(css(`a[href="/seller/report?feedback=`+string(s.held)+`"]`)),
		chromedp.WaitVisible(css(`form.report`)),
	)
	checked := get(t, ctx, "remark chosen", chromedp.Evaluate[bool](`document.querySelector('input[name=feedback][value="`+string(s.held)+`"]').checked`))
	if !checked {
		t.Fatal("report form: the held remark is not chosen")
	}
	do(t, ctx, "fill the report",
		chromedp.SendKeys(css(`textarea[name=text]`), "He asked me to add his QQ and pay 200 yuan."),
		chromedp.SendKeys(css(`input[name=paid]`), "200"),
		chromedp.SetUploadFiles(css(`input[name=evidence]`), []string{shot}),
	)
	screenshot(t, ctx, "seller-report-form")
	do(t, ctx, "file the report",
		chromedp.Click(css(`form.report button[type=submit]`)),
		chromedp.WaitVisible(css(`.card.success`)),
	)
	reportID := text(t, ctx, `code.report-id`)
	screenshot(t, ctx, "seller-report-filed")
	raw, err := s.db.EventByID(context.Background(), fairmark.EventID("ui-"+reportID))
	if err != nil {
		t.Fatalf("report %q: %v", reportID, err)
	}
	e, err := event.Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	if e.Report.Reporter != s.victim || e.Report.Feedback != s.held || len(e.Report.Evidence) != 1 || e.Report.Evidence[0].SHA256 != sha(pngBytes(t)) ||
		e.Report.Paid == nil || e.Report.Paid.String() != "200.00 CNY" {
		t.Fatalf("report event: %s", raw)
	}
}

func TestBrowserLanguageSwitch(t *testing.T) {
	s := newStack(t)
	ctx := browser(t)
	do(t, ctx, "landing", chromedp.Navigate(s.url+"/"), chromedp.WaitVisible(css(`form[action="/login"]`)))
	screenshot(t, ctx, "landing")
	do(t, ctx, "guide", chromedp.Navigate(s.url+"/guide"), chromedp.WaitVisible(css(`article.guide`)))
	if lang := get(t, ctx, "lang", chromedp.AttributeValue(css(`html`), "lang")); lang.Value != "en" {
		t.Fatalf("guide: lang %q, want en (the browser asks for en-US)", lang.Value)
	}
	do(t, ctx, "switch to Chinese",
		chromedp.Click(css(`form.lang button[value="zh-CN"]`)),
		chromedp.WaitVisible(css(`html[lang="zh-CN"] article.guide`)),
	)
	if h1 := text(t, ctx, `h1`); !strings.Contains(h1, "职业差评师") {
		t.Fatalf("guide in Chinese: h1 %q", h1)
	}
	screenshot(t, ctx, "guide-zh")
	do(t, ctx, "landing in Chinese", chromedp.Navigate(s.url+"/"), chromedp.WaitVisible(css(`html[lang="zh-CN"] form[action="/login"]`)))
	screenshot(t, ctx, "landing-zh")
	// The choice sticks across pages, and signed in.
	signIn(t, ctx, s, "seller1", sellerPass, `.scores`)
	if h1 := text(t, ctx, `h1`); h1 != "我的信誉" {
		t.Fatalf("reputation after switching: h1 %q, want 我的信誉", h1)
	}
	screenshot(t, ctx, "seller-reputation-zh")
	do(t, ctx, "switch back",
		chromedp.Click(css(`form.lang button[value="en"]`)),
		chromedp.WaitVisible(css(`html[lang="en"] .scores`)),
	)
	if h1 := text(t, ctx, `h1`); h1 != "Your reputation" {
		t.Fatalf("after switching back: h1 %q", h1)
	}
}

func TestBrowserStaffOverview(t *testing.T) {
	s := newStack(t)
	ctx := browser(t)
	signIn(t, ctx, s, "lead", leadPass, `section.charts`)
	// 3 decision charts of 30 days, cases opened and closed (2 × 30), two
	// histograms of 7 bins.
	if bars := get(t, ctx, "bars", chromedp.Evaluate[int](`document.querySelectorAll('svg rect.bar').length`)); bars != 3*30+2*30+2*7 {
		t.Fatalf("overview: %d bars drawn, want 164", bars)
	}
	screenshot(t, ctx, "staff-overview")
	do(t, ctx, "rules", chromedp.Navigate(s.url+"/staff/rules"), chromedp.WaitVisible(css(`textarea[name=source]`)))
	screenshot(t, ctx, "staff-rules")
	do(t, ctx, "a broken rule",
		chromedp.SetValue(css(`textarea[name=source]`), "version = \"x\"\n[rule bad]\nwhen = negatives_7d >>> 2\nthen = flag\n"),
		chromedp.Click(css(`button[value=check]`)),
		chromedp.WaitVisible(css(`#rule-errors`)),
	)
	if errs := text(t, ctx, `#rule-errors`); !strings.Contains(errs, "line 3") {
		t.Fatalf("rule errors: %q, want one at line 3", errs)
	}
	screenshot(t, ctx, "staff-rules-errors")

	// Backtest a permissive candidate and publish it.
	do(t, ctx, "backtest",
		chromedp.SetValue(css(`textarea[name=source]`), permissive),
		chromedp.Click(css(`button[value=backtest]`)),
		chromedp.WaitVisible(css(`#publish button[type=submit]`)),
	)
	screenshot(t, ctx, "staff-rules-backtest")
	do(t, ctx, "publish",
		chromedp.Click(css(`#publish input[name=confirm]`)),
		chromedp.Click(css(`#publish button[type=submit]`)),
		chromedp.WaitVisible(css(`#published`)),
	)
	if got := text(t, ctx, `#published`); !strings.Contains(got, "Published version t-publish") {
		t.Fatalf("after publishing: %q", got)
	}
	if v := text(t, ctx, `#active`); !strings.Contains(v, "any_negative") {
		t.Fatalf("rules in force after publishing: %q", v)
	}
	screenshot(t, ctx, "staff-rules-published")
	// Some restitution, so the overview's money chart has something to show.
	seller, agent := s.newClient(), s.newClient()
	seller.login("seller1", sellerPass)
	agent.login("agent", agentPass)
	act := "/staff/cases/" + string(reportedCase(t, s, seller).ID) + "/actions"
	for _, f := range []url.Values{
		{"action": {"owe_restitution"}, "victim": {string(s.victim)}, "amount": {"50"}, "currency": {"CNY"}, "reason": {"paid to extorter"}},
		{"action": {"pay_restitution"}, "entry": {"1"}, "ref": {"bank-1"}},
		{"action": {"owe_restitution"}, "victim": {string(s.victim)}, "amount": {"20"}, "currency": {"CNY"}, "reason": {"second payment"}},
	} {
		wantStatus(t, f.Get("action"), agent.postForm(act, f), http.StatusSeeOther)
	}
	do(t, ctx, "overview after publishing", chromedp.Navigate(s.url+"/staff/overview"), chromedp.WaitVisible(css(`#chart-money`)))
	screenshot(t, ctx, "staff-overview-published")
}
