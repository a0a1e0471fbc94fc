package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/engine"
	"github.com/fairmark/fairmark/service"
	"github.com/fairmark/fairmark/store"
	"github.com/fairmark/fairmark/web"
	"github.com/fairmark/fairmark/web/ui"
)

// mountUI adds the seller portal and staff console to the server, whose
// JSON API then also accepts the UI's signed-in sessions. The UI gets the
// engine configuration the service runs with, so the rules page shows the
// rules in force and backtests compare against them.
func (m *Main) mountUI(srv *web.Server, svc *service.Service, db *store.DB, rulesPath string, logger *slog.Logger) error {
	cfg, err := m.engineConfig(rulesPath)
	if err != nil {
		return err
	}
	u := ui.New(svc, db, ui.WithEngineConfig(cfg), ui.WithLogger(logger))
	u.Register(srv)
	srv.Sessions = u.Principal
	return nil
}

// demoLogin is one user `serve --demo` creates, with a fixed password: the
// demo is for clicking through the story on one's own machine.
type demoLogin struct {
	user     store.User
	password string
}

// demoLogins creates (once; later starts keep them) a seller login for a
// seller a simulated complainer targeted — one with a held remark — and an
// agent and a lead, and prints them.
func (m *Main) demoLogins(ctx context.Context, svc *service.Service, db *store.DB, addr string) error {
	holds, err := svc.Decisions(ctx, store.DecisionFilter{Kind: string(engine.HoldFeedback), Limit: 1000})
	if err != nil {
		return err
	}
	var victim fairmark.AccountID
	for _, d := range holds {
		if f, err := svc.Feedback(d.Feedback); err == nil && f.Held {
			victim = d.Seller
			break
		}
	}
	logins := []demoLogin{
		{store.User{ID: "demo-agent", Name: "Demo agent", Role: fairmark.RoleAgent}, "demo-agent-pass"},
		{store.User{ID: "demo-lead", Name: "Demo lead", Role: fairmark.RoleLead}, "demo-lead-pass"},
	}
	if victim != "" {
		seller := demoLogin{store.User{ID: "demo-seller", Name: "Demo seller " + string(victim), Role: fairmark.RoleSeller, Seller: victim}, "demo-seller-pass"}
		logins = append([]demoLogin{seller}, logins...)
	}
	fmt.Fprintf(m.Stderr, "demo: sign in at http://%s/ as\n", addr)
	for _, l := range logins {
		err := db.CreateUser(ctx, l.user, l.password)
		if err != nil && fairmark.ErrorCode(err) != fairmark.ECONFLICT {
			return fmt.Errorf("demo user %s: %w", l.user.ID, err)
		}
		what := string(l.user.Role)
		if l.user.Seller != "" {
			what += " " + string(l.user.Seller)
		}
		if err != nil {
			u, uerr := db.User(ctx, l.user.ID)
			if uerr != nil {
				return uerr
			}
			what = string(u.Role) + " " + string(u.Seller) + " (kept from an earlier start)"
		}
		fmt.Fprintf(m.Stderr, "  %-12s password %-18s %s\n", l.user.ID, l.password, what)
	}
	return nil
}
