package ui

import "net/http"

// landingPage is the view model of "/": what fairmark does, and sign-in.
type landingPage struct {
	Page
	// Next is where to go after signing in.
	Next string
	// UserID is the user name typed, kept when sign-in failed.
	UserID string
	// Error is why sign-in failed, "" if it did not.
	Error string
	// Home is the signed-in user's start page.
	Home string
}

// landing shows what fairmark does and the sign-in form (or, signed in, a
// way on to the user's pages).
func (u *UI) landing(w http.ResponseWriter, r *http.Request, rq *request) error {
	v := landingPage{Page: u.page(r, rq, rq.T("landing.title"), "home"), Next: safeNext(r.URL.Query().Get("next"), "")}
	if rq.signed {
		v.Home = home(rq.p)
	}
	return u.render(w, http.StatusOK, "landing", "", v)
}
