package ui

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/engine"
)

//go:embed templates static
var assets embed.FS

// htmxFile is the vendored htmx: the npm package htmx.org@2.0.11,
// dist/htmx.min.js, unchanged (0BSD licence).
const htmxFile = "htmx-2.0.11.min.js"

// Page is what every page shows around its content: the language, who is
// signed in, the navigation and the language switch. Each page's view
// model embeds it.
type Page struct {
	Lang  Lang
	Title string
	// Nav names the navigation entry of the page ("reputation", …).
	Nav string
	// Path is the page's own URL (path and query), where the language
	// switch returns to.
	Path string
	// User is the signed-in principal, nil when nobody is signed in.
	User *fairmark.Principal
	// Langs are the languages of the switch.
	Langs []Lang

	assets map[string]string
}

// T returns the text of a catalogue key in the page's language.
func (p Page) T(key string, args ...any) string { return translate(p.Lang, key, args...) }

// Why renders a reason the engine wrote in the page's language.
func (p Page) Why(reason string) string {
	if p.Lang == Chinese {
		return engine.ReasonZH(reason)
	}
	return reason
}

// Asset returns the URL of a static file, with its content hash as a
// version so browsers may cache it for good.
func (p Page) Asset(name string) string { return p.assets[name] }

// Seller and Staff report the signed-in user's side.
func (p Page) Seller() bool { return p.User != nil && p.User.Role == fairmark.RoleSeller }
func (p Page) Staff() bool  { return p.User != nil && p.User.Role.Staff() }

// RoleLabel is the signed-in user's role in the page's language.
func (p Page) RoleLabel() string {
	if p.User == nil {
		return ""
	}
	return p.T("role." + string(p.User.Role))
}

// Time formats a time for display (UTC, minutes).
func (p Page) Time(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04") + " UTC"
}

// templates holds one template set per page: the layout, the shared
// partials and the page's own file.
type templates map[string]*template.Template

func parseTemplates() (templates, error) {
	base, err := template.New("layout").ParseFS(assets, "templates/layout.html", "templates/partials/*.html")
	if err != nil {
		return nil, err
	}
	pages, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return nil, err
	}
	out := templates{}
	for _, p := range pages {
		name := strings.TrimSuffix(path.Base(p), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(assets, p)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", name, err)
		}
		out[name] = t
	}
	return out, nil
}

// assetURLs maps each static file to its versioned URL.
func assetURLs() (map[string]string, error) {
	out := map[string]string{}
	err := fs.WalkDir(assets, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := assets.ReadFile(p)
		if err != nil {
			return err
		}
		h := sha256.Sum256(b)
		name := strings.TrimPrefix(p, "static/")
		out[name] = "/static/" + name + "?v=" + hex.EncodeToString(h[:6])
		return nil
	})
	return out, err
}

// render writes page name with view model v; partial names a template of
// the page's set to render alone (for htmx), "" for the whole page.
func (u *UI) render(w http.ResponseWriter, status int, name, partial string, v any) error {
	t, ok := u.pages[name]
	if !ok {
		return fmt.Errorf("no page template %q", name)
	}
	if partial == "" {
		partial = "layout"
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, partial, v); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, err := w.Write(b.Bytes())
	return err
}

// TOr is T for keys made from data (a decision or alert kind): a kind the
// catalogue does not know yet shows as fallback.
func (p Page) TOr(key, fallback string) string {
	if _, ok := messages[key]; !ok {
		return fallback
	}
	return p.T(key)
}
