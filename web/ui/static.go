package ui

import (
	"mime"
	"net/http"
	"path"

	"github.com/fairmark/fairmark"
)

// static serves the embedded CSS and the vendored htmx. URLs carry the
// file's content hash (Page.Asset), so they may be cached for good.
func (u *UI) static(w http.ResponseWriter, r *http.Request, rq *request) error {
	name := r.PathValue("file")
	b, err := assets.ReadFile("static/" + name)
	if err != nil {
		return fairmark.Errorf(fairmark.ENOTFOUND, "%s", rq.T("err.notfound"))
	}
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = "application/octet-stream"
	}
	w.Header().Set("Content-Type", ct)
	if r.URL.Query().Get("v") != "" {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "public, max-age=300")
	}
	_, err = w.Write(b)
	return err
}
