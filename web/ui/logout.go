package ui

import "net/http"

// logout ends the session and returns to the landing page.
func (u *UI) logout(w http.ResponseWriter, r *http.Request, rq *request) error {
	if err := u.endSession(w, r, rq.token); err != nil {
		return err
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}
