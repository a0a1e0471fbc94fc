package ui

import (
	"net/http"
	"time"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/store"
)

// sessionCookie holds the session token.
//
// Cookies are HttpOnly (no script reads them), SameSite=Lax and Secure
// when the request came over TLS (or always, WithSecureCookies). Lax
// rather than Strict: a seller who follows a link to fairmark from the
// marketplace or a notification e-mail arrives signed in, while a form
// another site posts here carries no cookie — and cross-origin protection
// refuses such a POST anyway.
const sessionCookie = "fairmark_session"

// session returns the live session of r and its token. No cookie, or an
// ended or expired session: EUNAUTHORIZED.
func (u *UI) session(r *http.Request) (store.Session, string, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return store.Session{}, "", fairmark.Errorf(fairmark.EUNAUTHORIZED, "not signed in")
	}
	s, err := u.db.SessionByToken(r.Context(), c.Value)
	if err != nil {
		return store.Session{}, "", err
	}
	return s, c.Value, nil
}

func (u *UI) cookie(r *http.Request, name, value string, maxAge time.Duration) *http.Cookie {
	c := &http.Cookie{
		Name: name, Value: value, Path: "/",
		HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: u.secure || r.TLS != nil,
	}
	if maxAge < 0 {
		c.MaxAge = -1
	} else {
		c.MaxAge = int(maxAge / time.Second)
	}
	return c
}

// startSession signs user in: a new session (a new token every sign-in,
// so a token planted before cannot be reused) and its cookie.
func (u *UI) startSession(w http.ResponseWriter, r *http.Request, user string, lang Lang) (store.Session, error) {
	token, s, err := u.db.CreateSession(r.Context(), user, u.sessionTTL, string(lang))
	if err != nil {
		return s, err
	}
	http.SetCookie(w, u.cookie(r, sessionCookie, token, u.sessionTTL))
	return s, nil
}

// endSession signs out: the session is deleted and the cookie cleared.
func (u *UI) endSession(w http.ResponseWriter, r *http.Request, token string) error {
	http.SetCookie(w, u.cookie(r, sessionCookie, "", -1))
	if token == "" {
		return nil
	}
	return u.db.DeleteSession(r.Context(), token)
}
