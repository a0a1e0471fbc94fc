// Package ui is fairmark's web UI: the seller portal and the staff console,
// server-rendered with html/template from embedded templates and assets.
//
// Every page works without JavaScript; the vendored htmx only refreshes
// parts of pages (the alert list polls). Pages are in Chinese (zh-CN) and
// English: the language picked with the switch every page shows (a
// cookie), else the session's, else the browser's Accept-Language.
//
// People sign in with a user name and password (store.User); the session
// cookie carries a random token whose SHA-256 is all the store keeps. Every
// route goes through http.CrossOriginProtection, which refuses
// state-changing requests (POST) sent by another site.
//
// A seller sees only their own seller account, always taken from the
// session and never from the URL, and only its part of the cases it is a
// victim in. Staff (agent, lead) see the overview, the rules, the case
// queue and each case's dossier, and act on cases with plain forms.
package ui

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/engine"
	"github.com/fairmark/fairmark/service"
	"github.com/fairmark/fairmark/store"
	"github.com/fairmark/fairmark/web"
)

// DefaultSessionTTL is how long a sign-in lasts.
const DefaultSessionTTL = 12 * time.Hour

// UI is the web UI of one Service. Mount it with Register.
type UI struct {
	svc        *service.Service
	db         *store.DB
	cfg        engine.Config
	logger     *slog.Logger
	now        func() time.Time
	sessionTTL time.Duration
	secure     bool

	pages  templates
	assets map[string]string
	cop    *http.CrossOriginProtection

	backtestMu sync.Mutex // one backtest at a time: each replays the whole log
	signIns    throttle   // failed sign-ins, per user name and per address, shared through db
}

// Option configures a UI.
type Option func(*UI)

// WithLogger logs failed requests to l.
func WithLogger(l *slog.Logger) Option { return func(u *UI) { u.logger = l } }

// WithEngineConfig gives the engine configuration the service runs with:
// its detectors and rules are what the rules page shows as active and what
// a backtest compares a candidate against. Without it the rules page shows
// no active rules and backtests run without detectors.
func WithEngineConfig(cfg engine.Config) Option { return func(u *UI) { u.cfg = cfg } }

// WithSessionTTL sets how long a sign-in lasts (default DefaultSessionTTL).
func WithSessionTTL(d time.Duration) Option { return func(u *UI) { u.sessionTTL = d } }

// WithSecureCookies marks cookies Secure on every request, for a server
// behind a proxy that terminates TLS. Without it cookies are Secure when
// the request itself came over TLS.
func WithSecureCookies() Option { return func(u *UI) { u.secure = true } }

// WithClock sets the clock for report times (tests).
func WithClock(now func() time.Time) Option { return func(u *UI) { u.now = now } }

// New returns the UI of svc, whose users and sessions live in db.
func New(svc *service.Service, db *store.DB, opts ...Option) *UI {
	u := &UI{svc: svc, db: db, logger: slog.New(slog.DiscardHandler), now: time.Now, sessionTTL: DefaultSessionTTL}
	for _, o := range opts {
		o(u)
	}
	var err error
	if u.pages, err = parseTemplates(); err != nil {
		panic("ui: " + err.Error()) // embedded templates: a bug, caught by every test
	}
	if u.assets, err = assetURLs(); err != nil {
		panic("ui: " + err.Error())
	}
	if db != nil {
		u.signIns.shared = db
	}
	u.signIns.logger = u.logger
	u.cop = http.NewCrossOriginProtection()
	u.cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.writeError(w, r, &request{lang: requestLang(r, "")}, fairmark.Errorf(fairmark.EFORBIDDEN, "%s", translate(requestLang(r, ""), "err.crossorigin")))
	}))
	return u
}

// Mux is where Register adds routes: *http.ServeMux and *web.Server.
type Mux interface {
	Handle(pattern string, h http.Handler)
}

// Register adds the UI's routes to mux: the landing page at "/", sign-in
// and out, the language switch, the guide, /static/, /seller/… and
// /staff/….
func (u *UI) Register(mux Mux) {
	for _, rt := range u.routes() {
		mux.Handle(rt.pattern, u.wrap(rt))
	}
}

// route is one page or action: its pattern, who may use it, its handler.
type route struct {
	pattern string
	roles   []fairmark.UserRole // nil: anyone, signed in or not
	h       func(w http.ResponseWriter, r *http.Request, rq *request) error
}

var (
	sellers = []fairmark.UserRole{fairmark.RoleSeller}
	staff   = []fairmark.UserRole{fairmark.RoleAgent, fairmark.RoleLead}
)

func (u *UI) routes() []route {
	return []route{
		{"GET /{$}", nil, u.landing},
		{"POST /login", nil, u.login},
		{"POST /logout", nil, u.logout},
		{"POST /lang", nil, u.setLang},
		{"GET /guide", nil, u.guide},
		{"GET /static/{file}", nil, u.static},

		{"GET /seller/{$}", sellers, redirectTo("/seller/reputation")},
		{"GET /seller/reputation", sellers, u.reputation},
		{"GET /seller/alerts", sellers, u.alerts},
		{"GET /seller/report", sellers, u.reportForm},
		{"POST /seller/report", sellers, u.reportSubmit},
		{"GET /seller/reports/{id}", sellers, u.reportView},
		{"GET /seller/reports/{id}/bundle", sellers, u.reportBundle},
		{"GET /seller/reports/{id}/chat", sellers, u.chatBundle},
		{"GET /seller/cases", sellers, u.sellerCases},
		{"GET /seller/cases/{id}", sellers, u.sellerCase},
		{"GET /seller/cases/{id}/bundle", sellers, u.sellerCaseBundle},
		{"/seller/", sellers, notFound},

		{"GET /staff/{$}", staff, redirectTo("/staff/overview")},
		{"GET /staff/overview", staff, u.overview},
		{"GET /staff/rules", staff, u.rulesView},
		{"POST /staff/rules", staff, u.rulesCheck},
		{"POST /staff/rules/publish", staff, u.rulesPublish},
		{"GET /staff/cases", staff, u.queue},
		{"GET /staff/cases/{id}", staff, u.caseDossier},
		{"POST /staff/cases/{id}/actions", staff, u.caseAction},
		{"/staff/", staff, notFound},
	}
}

// request is what the UI knows about a request before its handler runs.
type request struct {
	p      fairmark.Principal
	signed bool
	token  string
	lang   Lang
}

// page returns the Page of a request.
func (u *UI) page(r *http.Request, rq *request, title, nav string) Page {
	p := Page{Lang: rq.lang, Title: title, Nav: nav, Path: r.URL.RequestURI(), Langs: Langs, assets: u.assets}
	if rq.signed {
		pr := rq.p
		p.User = &pr
	}
	return p
}

// wrap adds the security headers, cross-origin protection, the session
// lookup, the role check and error pages around a route's handler.
func (u *UI) wrap(rt route) http.Handler {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rq := &request{}
		if strings.HasPrefix(rt.pattern, "GET /static/") { // no session needed
			rq.lang = requestLang(r, "")
			if err := rt.h(w, r, rq); err != nil {
				u.writeError(w, r, rq, err)
			}
			return
		}
		s, token, err := u.session(r)
		if err == nil {
			rq.p, rq.signed, rq.token = s.User.Principal(), true, token
		} else if fairmark.ErrorCode(err) != fairmark.EUNAUTHORIZED {
			u.logger.Error("session lookup", "err", err)
		}
		rq.lang = requestLang(r, s.Lang)
		if rt.roles != nil {
			if !rq.signed {
				if r.Method == http.MethodGet || r.Method == http.MethodHead {
					http.Redirect(w, r, "/?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
					return
				}
				u.writeError(w, r, rq, fairmark.Errorf(fairmark.EUNAUTHORIZED, "%s", translate(rq.lang, "err.signin")))
				return
			}
			if !roleIn(rq.p.Role, rt.roles) {
				u.writeError(w, r, rq, fairmark.Errorf(fairmark.EFORBIDDEN, "%s", translate(rq.lang, "err.role")))
				return
			}
		}
		if err := rt.h(w, r, rq); err != nil {
			u.writeError(w, r, rq, err)
		}
	})
	return securityHeaders(u.cop.Handler(h))
}

func roleIn(r fairmark.UserRole, roles []fairmark.UserRole) bool {
	for _, x := range roles {
		if x == r {
			return true
		}
	}
	return false
}

// csp allows only this origin's scripts, styles and images: no inline
// script or style, so injected markup cannot run.
const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", csp)
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "same-origin")
		h.ServeHTTP(w, r)
	})
}

// Principal returns who signed in with the session cookie of r, if anyone:
// a staff member or a seller. The JSON API can use it beside the API key.
func (u *UI) Principal(r *http.Request) (fairmark.Principal, bool) {
	s, _, err := u.session(r)
	if err != nil {
		return fairmark.Principal{}, false
	}
	return s.User.Principal(), true
}

// errorPage is the view model of the error page.
type errorPage struct {
	Page
	Status  int
	Message string
}

// writeError shows err as an error page; internal errors are logged and
// shown without their details.
func (u *UI) writeError(w http.ResponseWriter, r *http.Request, rq *request, err error) {
	code := fairmark.ErrorCode(err)
	if code == fairmark.EINTERNAL {
		if errors.Is(err, context.Canceled) {
			return
		}
		u.logger.Error("ui request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	status := web.StatusOf(code)
	msg := fairmark.ErrorMessage(err)
	if code == fairmark.EINTERNAL {
		msg = translate(rq.lang, "err.internal")
	}
	v := errorPage{Page: u.page(r, rq, translate(rq.lang, "err.title"), ""), Status: status, Message: msg}
	if rerr := u.render(w, status, "error", "", v); rerr != nil {
		u.logger.Error("render error page", "err", rerr)
		http.Error(w, msg, status)
	}
}

func redirectTo(target string) func(http.ResponseWriter, *http.Request, *request) error {
	return func(w http.ResponseWriter, r *http.Request, _ *request) error {
		http.Redirect(w, r, target, http.StatusSeeOther)
		return nil
	}
}

func notFound(w http.ResponseWriter, r *http.Request, rq *request) error {
	return fairmark.Errorf(fairmark.ENOTFOUND, "%s", translate(rq.lang, "err.notfound"))
}

// safeNext returns next when it is a path on this site, else fallback: a
// sign-in must not send anyone to another site.
func safeNext(next, fallback string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		return fallback
	}
	// Browsers drop tabs and newlines from URLs and read "\" as "/":
	// "/\t/evil.example" would become "//evil.example".
	for _, c := range next {
		if c < ' ' || c == 0x7f || c == '\\' {
			return fallback
		}
	}
	return next
}

// home is where a principal lands after signing in.
func home(p fairmark.Principal) string {
	switch {
	case p.Role == fairmark.RoleSeller:
		return "/seller/reputation"
	case p.Role.Staff():
		return "/staff/overview"
	}
	return "/"
}

// T returns the text of a catalogue key in the request's language.
func (rq *request) T(key string, args ...any) string { return translate(rq.lang, key, args...) }
