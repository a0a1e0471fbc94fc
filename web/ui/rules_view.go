package ui

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/engine"
	"github.com/fairmark/fairmark/evidence"
	"github.com/fairmark/fairmark/rules"
)

// rulesPage is the view model of the rules page: the rule set in force,
// an editor, its compile errors in place, and a backtest of the candidate.
type rulesPage struct {
	Page
	// Active is the rule set in force, nil for none (the risk model alone).
	Active *ruleSetView
	// Source is the text in the editor.
	Source string
	// Checked: the editor's text was compiled; Errors are its problems.
	Checked   bool
	Errors    []ruleError
	Candidate *ruleSetView
	Backtest  *backtestView
	// Lead: the user may publish rules.
	Lead bool
	// Published is the newest published rule set when it is the one in
	// force (who published it and when), nil otherwise.
	Published *publishedView
	// Publish: the candidate compiled and was backtested (or a publish of
	// it failed): the publish form (a lead) or why not (an agent) shows.
	Publish bool
	// PublishError is why publishing failed, shown by the publish form.
	PublishError string
	// Notice reports a publish that went through.
	Notice string
}

// publishedView is who put the rule set in force from this page, and when.
type publishedView struct {
	By, At string
}

// ruleSetView is a compiled rule set for display.
type ruleSetView struct {
	Version, Hash string
	Rules         []ruleView
}

type ruleView struct {
	Name, When, Then, Reason, Doc, Score string
	Line                                 int
}

// ruleError is one compile error with the line it is on and a caret under
// its column.
type ruleError struct {
	Line, Col int
	Msg       string
	Excerpt   string
	Caret     string
}

func ruleSetViewOf(s *rules.Set) *ruleSetView {
	if s == nil {
		return nil
	}
	v := &ruleSetView{Version: s.Version, Hash: s.Hash}
	for _, r := range s.Rules {
		acts := make([]string, len(r.Actions))
		for i, a := range r.Actions {
			acts[i] = string(a)
		}
		v.Rules = append(v.Rules, ruleView{Name: r.Name, When: r.Expr, Then: strings.Join(acts, ", "), Reason: r.Reason, Doc: r.Doc,
			Score: strconv.FormatFloat(r.Score, 'g', -1, 64), Line: r.Line})
	}
	return v
}

// activeSet is the rule set the service runs with, nil for none. It is
// the service's, not the configuration's the UI was given: a lead may
// have published another one since the start.
func (u *UI) activeSet() *rules.Set {
	if s := u.svc.RuleSet(); s != nil {
		return s
	}
	if r, ok := u.cfg.Rules.(*engine.Rules); ok {
		return r.Set
	}
	return nil
}

var defaultSet = sync.OnceValue(func() *rules.Set {
	s, _ := rules.Default(engine.FeatureVars())
	return s
})

// activeSource is the text of the rule set in force: the newest published
// one when it is that set, else as put on the evidence record when the
// server started (service.LogRuleSet), else the built-in file when that is
// what runs; "" when unknown.
func (u *UI) activeSource(ctx context.Context, set *rules.Set) (string, error) {
	if set == nil {
		return "", nil
	}
	pub, err := u.db.LatestRuleSet(ctx)
	if err != nil {
		return "", err
	}
	if pub != nil && pub.Hash == set.Hash && len(pub.Source) > 0 {
		return string(pub.Source), nil
	}
	if u.svc.EvidenceLog() != nil {
		recs, err := u.db.Evidence().RecordsByKind(ctx, evidence.KindRule)
		if err != nil {
			return "", err
		}
		for i := len(recs) - 1; i >= 0; i-- {
			if recs[i].Ref != set.Hash || recs[i].Content == nil {
				continue
			}
			var body struct {
				Source string `json:"source"`
			}
			if json.Unmarshal(recs[i].Content, &body) == nil && body.Source != "" {
				return body.Source, nil
			}
		}
	}
	if d := defaultSet(); d != nil && d.Hash == set.Hash {
		return string(rules.DefaultSource()), nil
	}
	return "", nil
}

// rulesView shows the rule set in force and the editor holding its text.
func (u *UI) rulesView(w http.ResponseWriter, r *http.Request, rq *request) error {
	v, err := u.rulesPage(r, rq)
	if err != nil {
		return err
	}
	if v.Source, err = u.activeSource(r.Context(), u.activeSet()); err != nil {
		return err
	}
	q := r.URL.Query()
	if ver := q.Get("published"); ver != "" {
		now, err1 := strconv.Atoi(q.Get("flagged"))
		before, err2 := strconv.Atoi(q.Get("before"))
		if err1 == nil && err2 == nil {
			v.Notice = rq.T("rules.published", ver, now, before)
		}
	}
	return u.render(w, http.StatusOK, "rules", "", v)
}

func (u *UI) rulesPage(r *http.Request, rq *request) (rulesPage, error) {
	set := u.activeSet()
	v := rulesPage{Page: u.page(r, rq, rq.T("rules.title"), "rules"), Active: ruleSetViewOf(set),
		Lead: rq.p.Role == fairmark.RoleLead}
	if set != nil {
		pub, err := u.db.LatestRuleSet(r.Context())
		if err != nil {
			return v, err
		}
		if pub != nil && pub.Hash == set.Hash {
			v.Published = &publishedView{By: pub.PublishedBy, At: v.Time(pub.PublishedAt)}
		}
	}
	return v, nil
}
