package ui

import (
	"fmt"
	"net/http"

	"golang.org/x/text/language"
)

// Lang is a UI language: a BCP 47 tag the UI has a catalogue for.
type Lang string

// The UI languages. English is the fallback when the browser asks for
// neither.
const (
	English Lang = "en"
	Chinese Lang = "zh-CN"
)

// Langs lists the UI languages in the order the switch shows them.
var Langs = []Lang{Chinese, English}

func (l Lang) known() bool { return l == English || l == Chinese }

// Label is the language's own name, as the switch shows it.
func (l Lang) Label() string {
	if l == Chinese {
		return "中文"
	}
	return "English"
}

// matcher picks a UI language from Accept-Language. English first: it is
// the fallback for languages we do not have.
var matcher = language.NewMatcher([]language.Tag{language.English, language.SimplifiedChinese})

// negotiate returns the language the browser prefers among ours.
func negotiate(acceptLanguage string) Lang {
	if acceptLanguage == "" {
		return English
	}
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return English
	}
	_, i, conf := matcher.Match(tags...)
	if conf == language.No {
		return English
	}
	if i == 1 {
		return Chinese
	}
	return English
}

// langCookie is the cookie the language switch sets.
const langCookie = "fairmark_lang"

// requestLang is the language of a request: the one picked with the
// switch (cookie), else the one kept in the session, else the browser's.
func requestLang(r *http.Request, sessionLang string) Lang {
	if c, err := r.Cookie(langCookie); err == nil && Lang(c.Value).known() {
		return Lang(c.Value)
	}
	if Lang(sessionLang).known() {
		return Lang(sessionLang)
	}
	return negotiate(r.Header.Get("Accept-Language"))
}

// msg is one entry of the catalogue in both languages, so neither can be
// missing.
type msg struct{ en, zh string }

// translate returns the text of key in lang, formatted with args when
// there are any. An unknown key shows as "[?key]" so that tests catch it.
func translate(lang Lang, key string, args ...any) string {
	m, ok := messages[key]
	if !ok {
		return "[?" + key + "]"
	}
	s := m.en
	if lang == Chinese {
		s = m.zh
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}
