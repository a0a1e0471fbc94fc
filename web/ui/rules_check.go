package ui

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/engine"
	"github.com/fairmark/fairmark/event"
	"github.com/fairmark/fairmark/replay"
	"github.com/fairmark/fairmark/rules"
	"github.com/fairmark/fairmark/service"
	"github.com/fairmark/fairmark/web"
)

// backtestView is a backtest of the candidate against the rules in force.
type backtestView struct {
	Events                        int
	Flagged, BaseFlagged          int
	Held, BaseHeld                int
	NewlyFlagged, NoLongerFlagged idList
	NewlyHeld, NoLongerHeld       idList
	Fired                         []ruleFired
	Took                          string
}

// idList is a list of ids, the first few shown.
type idList struct {
	Count int
	Shown []string
	More  int
}

func idListOf[ID ~string](ids []ID) idList {
	l := idList{Count: len(ids)}
	for i, id := range ids {
		if i == 40 {
			l.More = len(ids) - 40
			break
		}
		l.Shown = append(l.Shown, string(id))
	}
	return l
}

type ruleFired struct {
	Name  string
	Fired int
}

const maxRulesSource = 256 << 10

// rulesCheck compiles the editor's text and shows its errors in place
// (action "check"), also backtests it over the stored event log against
// the rules in force (action "backtest"), or sends it as a file to run
// with `serve --rules FILE` (action "download").
func (u *UI) rulesCheck(w http.ResponseWriter, r *http.Request, rq *request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxRulesSource+64<<10)
	if err := r.ParseForm(); err != nil {
		return fairmark.Errorf(fairmark.ETOOLARGE, "%s", rq.T("rules.err.size", maxRulesSource>>10))
	}
	v, err := u.rulesPage(r, rq)
	if err != nil {
		return err
	}
	v.Source = strings.ReplaceAll(r.PostFormValue("source"), "\r\n", "\n")
	v.Checked = true
	action := r.PostFormValue("action")
	cand, err := rules.Parse("candidate.rules", []byte(v.Source), engine.FeatureVars(), rules.Options{})
	var list rules.ErrorList
	switch {
	case errors.As(err, &list):
		v.Errors = ruleErrors(list, v.Source)
		return u.render(w, http.StatusUnprocessableEntity, "rules", "", v)
	case err != nil:
		return err
	}
	v.Candidate = ruleSetViewOf(cand)
	switch action {
	case "download":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="fairmark.rules"`)
		_, err := w.Write([]byte(v.Source))
		return err
	case "backtest":
		if v.Backtest, err = u.backtest(r, rq, cand); err != nil {
			return err
		}
		v.Publish = true
	}
	return u.render(w, http.StatusOK, "rules", "", v)
}

// rulesPublish puts the backtested candidate in force (a lead, with "I
// confirm" ticked). The text is compiled here first so its errors show in
// place like a check's; the service compiles it again, rescores every
// buyer under it, keeps it for the next start and logs it as evidence.
// Success returns to the rules page with how many buyers are now flagged.
func (u *UI) rulesPublish(w http.ResponseWriter, r *http.Request, rq *request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxRulesSource+64<<10)
	if err := r.ParseForm(); err != nil {
		return fairmark.Errorf(fairmark.ETOOLARGE, "%s", rq.T("rules.err.size", maxRulesSource>>10))
	}
	v, err := u.rulesPage(r, rq)
	if err != nil {
		return err
	}
	v.Path = "/staff/rules"
	v.Source = strings.ReplaceAll(r.PostFormValue("source"), "\r\n", "\n")
	v.Checked = true
	cand, err := rules.Parse("candidate.rules", []byte(v.Source), engine.FeatureVars(), rules.Options{})
	var list rules.ErrorList
	switch {
	case errors.As(err, &list):
		v.Errors = ruleErrors(list, v.Source)
		return u.render(w, http.StatusUnprocessableEntity, "rules", "", v)
	case err != nil:
		return err
	}
	v.Candidate, v.Publish = ruleSetViewOf(cand), true
	refuse := func(err error) error {
		code := fairmark.ErrorCode(err)
		if code == fairmark.EINTERNAL {
			return err
		}
		v.PublishError = fairmark.ErrorMessage(err)
		return u.render(w, web.StatusOf(code), "rules", "", v)
	}
	switch {
	case rq.p.Role != fairmark.RoleLead:
		return refuse(fairmark.Errorf(fairmark.EFORBIDDEN, "%s", rq.T("rules.publish.agent")))
	case r.PostFormValue("hash") != cand.Hash:
		return refuse(fairmark.Errorf(fairmark.EINVALID, "%s", rq.T("rules.err.changed")))
	case r.PostFormValue("confirm") != "1":
		return refuse(fairmark.Errorf(fairmark.EINVALID, "%s", rq.T("case.err.confirm")))
	}
	flagged := func() int { return service.Snapshot(u.svc, func(en *engine.Engine) int { return len(en.Flagged()) }) }
	before := flagged()
	set, err := u.svc.PublishRules(r.Context(), rq.p, "published.rules", []byte(v.Source))
	if err != nil {
		return refuse(err)
	}
	q := url.Values{"published": {set.Version}, "flagged": {strconv.Itoa(flagged())}, "before": {strconv.Itoa(before)}}
	http.Redirect(w, r, "/staff/rules?"+q.Encode()+"#active", http.StatusSeeOther)
	return nil
}

// ruleErrors positions each error at its line, with a caret under the
// column.
func ruleErrors(list rules.ErrorList, src string) []ruleError {
	lines := strings.Split(src, "\n")
	out := make([]ruleError, 0, len(list))
	for _, e := range list {
		re := ruleError{Line: e.Line, Col: e.Col, Msg: e.Msg}
		if e.Line >= 1 && e.Line <= len(lines) {
			re.Excerpt = strings.ReplaceAll(lines[e.Line-1], "\t", " ")
			re.Caret = strings.Repeat(" ", max(e.Col-1, 0)) + "^"
		}
		out = append(out, re)
	}
	return out
}

// backtest replays the stored event log with the rules in force and with
// cand, in two fresh engines (the running one is not touched).
func (u *UI) backtest(r *http.Request, rq *request, cand *rules.Set) (*backtestView, error) {
	if !u.backtestMu.TryLock() {
		return nil, fairmark.Errorf(fairmark.ECONFLICT, "%s", rq.T("rules.err.busy"))
	}
	defer u.backtestMu.Unlock()
	start := time.Now()
	var evs []*fairmark.Event
	err := u.db.Events(r.Context(), func(raw []byte) error {
		e, err := event.Decode(raw)
		if err != nil {
			return err
		}
		evs = append(evs, e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	replay.SortEvents(evs)
	bt := replay.RunBacktest(evs, u.cfg, u.activeSet(), cand)
	v := &backtestView{Events: bt.Events, Flagged: len(bt.Flagged), BaseFlagged: bt.BaseFlagged, Held: bt.Held, BaseHeld: bt.BaseHeld,
		NewlyFlagged: idListOf(bt.NewlyFlagged), NoLongerFlagged: idListOf(bt.NoLongerFlagged),
		NewlyHeld: idListOf(bt.NewlyHeld), NoLongerHeld: idListOf(bt.NoLongerHeld)}
	for _, rl := range cand.Rules {
		v.Fired = append(v.Fired, ruleFired{Name: rl.Name, Fired: bt.Fired[rl.Name]})
	}
	v.Took = time.Since(start).Round(time.Millisecond).String()
	return v, nil
}
