package ui

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/fairmark/fairmark"
)

// login signs a user in with name and password and sends them on to
// "next" (a path on this site) or their start page. A wrong name or
// password shows the landing page again with the error in place.
func (u *UI) login(w http.ResponseWriter, r *http.Request, rq *request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		return fairmark.Errorf(fairmark.EINVALID, "%s", rq.T("err.form"))
	}
	id := strings.TrimSpace(r.PostFormValue("user"))
	next := safeNext(r.PostFormValue("next"), "")
	userKey, addrKey := throttleKeys(r, id)
	if wait := u.signIns.retryAfter(r.Context(), u.now(), userKey, addrKey); wait > 0 {
		u.logger.Warn("sign-in throttled", "user", id, "addr", addrKey, "retry_after", wait.Round(time.Second))
		mins := int(math.Ceil(wait.Minutes()))
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		v := landingPage{Page: u.page(r, rq, rq.T("landing.title"), "home"), Next: next, UserID: id, Error: fmt.Sprintf(rq.T("login.throttled"), mins)}
		return u.render(w, http.StatusTooManyRequests, "landing", "", v)
	}
	user, err := u.db.Authenticate(r.Context(), id, r.PostFormValue("password"))
	if err != nil {
		if fairmark.ErrorCode(err) != fairmark.EUNAUTHORIZED {
			return err
		}
		u.signIns.fail(r.Context(), u.now(), userKey, addrKey)
		u.logger.Info("sign-in refused", "user", id)
		v := landingPage{Page: u.page(r, rq, rq.T("landing.title"), "home"), Next: next, UserID: id, Error: rq.T("login.wrong")}
		return u.render(w, http.StatusUnauthorized, "landing", "", v)
	}
	u.signIns.succeed(r.Context(), userKey)
	// A new session every sign-in; the one this browser had ends.
	if rq.token != "" {
		if err := u.db.DeleteSession(r.Context(), rq.token); err != nil {
			return err
		}
	}
	// The session keeps a language only if one was picked with the switch:
	// a language guessed from the browser is guessed again next time.
	var picked Lang
	if c, err := r.Cookie(langCookie); err == nil && Lang(c.Value).known() {
		picked = Lang(c.Value)
	}
	if _, err := u.startSession(w, r, user.ID, picked); err != nil {
		return err
	}
	http.Redirect(w, r, safeNext(next, home(user.Principal())), http.StatusSeeOther)
	return nil
}
