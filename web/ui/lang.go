package ui

import (
	"net/http"
	"time"

	"github.com/fairmark/fairmark"
)

// setLang is the language switch: a form every page shows. It keeps the
// choice in a cookie for a year (and in the session, when signed in) and
// returns to the page it came from.
func (u *UI) setLang(w http.ResponseWriter, r *http.Request, rq *request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		return fairmark.Errorf(fairmark.EINVALID, "%s", rq.T("err.form"))
	}
	lang := Lang(r.PostFormValue("lang"))
	if !lang.known() {
		return fairmark.Errorf(fairmark.EINVALID, "%s", rq.T("err.lang"))
	}
	http.SetCookie(w, u.cookie(r, langCookie, string(lang), 365*24*time.Hour))
	if rq.signed {
		if err := u.db.SetSessionLang(r.Context(), rq.token, string(lang)); err != nil {
			return err
		}
	}
	http.Redirect(w, r, safeNext(r.PostFormValue("next"), "/"), http.StatusSeeOther)
	return nil
}
