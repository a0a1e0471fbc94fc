package ui_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/fairmark/fairmark/store"
)

func TestBrowserStaffBansFromDossier(t *testing.T) {
	s := newStack(t)
	seller := s.newClient()
	seller.login("seller1", sellerPass)
	c := reportedCase(t, s, seller)
	ctx := browser(t)
	signIn(t, ctx, s, "agent", agentPass, `section.charts`)
	do(t, ctx, "queue", chromedp.Navigate(s.url+"/staff/cases"), chromedp.WaitVisible(css(`table.queue`)))
	screenshot(t, ctx, "staff-cases")
	do(t, ctx, "open the dossier",
		chromedp.Click(css(`a[href="/staff/cases/`+string(c.ID)+`"]`)),
		chromedp.WaitVisible(css(`.case-graph svg`)),
	)
	if n := get(t, ctx, "graph nodes", chromedp.Evaluate[int](`document.querySelectorAll('.case-graph g.node').length`)); n < 2 {
		t.Fatalf("graph: %d nodes", n)
	}
	screenshot(t, ctx, "staff-case")
	do(t, ctx, "ban",
		chromedp.Click(css(`#ban summary`)),
		chromedp.WaitVisible(css(`#ban textarea[name=reason]`)),
		chromedp.SendKeys(css(`#ban textarea[name=reason]`), "Extorted several new sellers over QQ"),
		chromedp.Click(css(`#ban input[name=confirm]`)),
		chromedp.Click(css(`#ban button[type=submit]`)),
	)
	// The form posts and the browser comes back to the dossier.
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, err := s.svc.Case(context.Background(), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Banned) > 0 || len(got.Pending) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("ban neither done nor waiting for approval")
		}
		time.Sleep(50 * time.Millisecond)
	}
	do(t, ctx, "dossier after the ban", chromedp.WaitVisible(css(`.case-graph svg`)))
	if errs := get(t, ctx, "error box", chromedp.Evaluate[int](`document.querySelectorAll('#case-error').length`)); errs != 0 {
		t.Fatalf("ban refused: %s", text(t, ctx, `#case-error`))
	}
	if v, err := s.svc.Account(c.Accused); err != nil || !v.Banned {
		t.Logf("accused %s not banned yet (four eyes?): %v", c.Accused, err)
	}
	screenshot(t, ctx, "staff-case-banned")
}

func TestBrowserSellerSeesItsCase(t *testing.T) {
	s := newStack(t)
	seller := s.newClient()
	seller.login("seller1", sellerPass)
	c := reportedCase(t, s, seller)
	ctx := browser(t)
	signIn(t, ctx, s, "seller1", sellerPass, `.scores`)
	do(t, ctx, "my cases", chromedp.Navigate(s.url+"/seller/cases"), chromedp.WaitVisible(css(`.seller-case`)))
	if body := text(t, ctx, `main`); !strings.Contains(body, string(c.ID)) {
		t.Fatalf("my cases do not list %s", c.ID)
	}
	screenshot(t, ctx, "seller-cases")
	all, err := s.svc.Cases(context.Background(), store.CaseFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range all {
		if x.Involves(s.victim) {
			continue
		}
		do(t, ctx, "another seller's case", chromedp.Navigate(s.url+"/seller/cases/"+string(x.ID)), chromedp.WaitVisible(css(`main h1`)))
		if body := text(t, ctx, `main`); strings.Contains(body, string(x.Accused)) || !strings.Contains(body, "404") {
			t.Fatalf("another seller's case: %q", body)
		}
		screenshot(t, ctx, "seller-case-not-found")
		return
	}
	t.Fatal("no case without seller1")
}
