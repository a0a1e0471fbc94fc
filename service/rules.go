package service

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/engine"
	"github.com/fairmark/fairmark/evidence"
	"github.com/fairmark/fairmark/rules"
	"github.com/fairmark/fairmark/store"
)

// RuleSet returns the operator rule set in force, nil when none is.
func (s *Service) RuleSet() *rules.Set {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.opt.Config.Rules.(*engine.Rules); ok {
		return r.Set
	}
	return nil
}

// PublishRules puts a new operator rule set in force: it is compiled and
// cost-checked, the engine is rebuilt from the event log under it (every
// buyer rescored, its decisions stored), the set is kept in the store so
// the next start uses it, and it is logged as evidence with who published
// it. Only a lead may publish. Returns EINVALID with the compile errors
// (line:column) for a bad rule file.
func (s *Service) PublishRules(ctx context.Context, by fairmark.Principal, name string, source []byte) (*rules.Set, error) {
	if by.Role != fairmark.RoleLead {
		return nil, fairmark.Errorf(fairmark.EFORBIDDEN, "only a lead publishes rules")
	}
	set, err := rules.Parse(name, source, engine.FeatureVars(), rules.Options{})
	if err != nil {
		var list rules.ErrorList
		if errors.As(err, &list) {
			return nil, fairmark.Errorf(fairmark.EINVALID, "%s", list.Error())
		}
		return nil, fairmark.Errorf(fairmark.EINVALID, "%v", err)
	}
	s.mu.Lock()
	old := s.opt.Config.Rules
	s.opt.Config.Rules = engine.NewRules(set)
	if err := s.rebuildLocked(ctx); err != nil {
		s.opt.Config.Rules = old
		s.mu.Unlock()
		return nil, err
	}
	ts := s.flagTriggersLocked()
	s.mu.Unlock()
	if err := s.db.SaveRuleSet(ctx, store.RuleSet{Hash: set.Hash, Version: set.Version, Source: source, PublishedBy: by.Actor(), PublishedAt: s.now()}); err != nil {
		return nil, err
	}
	if err := s.logRuleSet(ctx, set.Hash, set.Version, source, by.Actor()); err != nil {
		return nil, err
	}
	s.caseTriggers(ctx, ts)
	return set, nil
}

// LogRuleSet writes the rule set in force to the evidence log as a
// "rule_change" record (Ref: its content hash), unless that exact rule set
// is the one logged last. Every change of the rules is thus on the record.
func (s *Service) LogRuleSet(ctx context.Context, hash, version string, source []byte) error {
	return s.logRuleSet(ctx, hash, version, source, "")
}

func (s *Service) logRuleSet(ctx context.Context, hash, version string, source []byte, by string) error {
	if s.log == nil || hash == "" {
		return nil
	}
	recs, err := s.db.Evidence().RecordsByKind(ctx, "rule_change")
	if err != nil {
		return err
	}
	if n := len(recs); n > 0 && recs[n-1].Ref == hash {
		return nil
	}
	rec := map[string]any{"hash": hash, "version": version, "source": string(source)}
	if by != "" {
		rec["published_by"] = by
	}
	body, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	_, err = s.log.Append(ctx, evidence.Record{Kind: "rule_change", Ref: hash,
		Scopes: []evidence.Scope{{Type: evidence.ScopeAccount, ID: "fairmark"}}, Content: body})
	return err
}
