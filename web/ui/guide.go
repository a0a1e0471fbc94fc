package ui

import "net/http"

// guidePage is the view model of the guide for new sellers.
type guidePage struct {
	Page
}

// guide is the short guide for new sellers: how professional complainers
// work and how to protect yourself. Anyone may read it.
func (u *UI) guide(w http.ResponseWriter, r *http.Request, rq *request) error {
	return u.render(w, http.StatusOK, "guide", "", guidePage{Page: u.page(r, rq, rq.T("guide.title"), "guide")})
}
