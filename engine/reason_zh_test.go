package engine_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/fairmark/fairmark/engine"
	"github.com/fairmark/fairmark/replay"
	"github.com/fairmark/fairmark/scan"
	"github.com/fairmark/fairmark/sim"
)

// TestReasonZHCoversTheEngine translates every reason a simulated
// marketplace makes the engine write — score reasons and decision reasons —
// and checks that no English is left but ids, numbers, quotes and names.
func TestReasonZHCoversTheEngine(t *testing.T) {
	evs, _, err := sim.Events(sim.Config{Seed: 3, Sellers: 40, Buyers: 900, Days: 30, Complainers: 12})
	if err != nil {
		t.Fatal(err)
	}
	reasons := map[string]bool{}
	var alertsZH []string
	en := engine.New(engine.Config{Detect: scan.Detector, OnDecision: func(d engine.Decision) {
		if d.Alert != nil {
			// An alert's reason is its English text; its Chinese text
			// is written beside it.
			alertsZH = append(alertsZH, d.Alert.TextZH)
			return
		}
		reasons[d.Reason] = true
	}})
	replay.SortEvents(evs)
	replay.Run(en, evs)
	for _, id := range en.AccountIDs() {
		v, _ := en.Account(id)
		for _, r := range v.Reasons {
			reasons[r] = true
		}
	}
	// A few the simulation may not reach.
	for _, r := range []string{
		"negative left 3 h after buying an item, before delivery",
		"negative left 12 min after buying a USD 5.00 digital item",
		"linked to 2 account(s) by device, payment; together: 3 negative remarks to 3 sellers under 30 days old within 2 days",
		"risk fell to 0.41: 1 negative remark",
		"banned by a reviewer: case c-1: pays to remove remarks",
		"cleared by a reviewer: case c-2: honest critic",
		"one of 12 raters in a dense block that rated the same sellers down",
		"rates against the consensus of reliable raters (rating-graph fairness 0.12, risk 0.88)",
		"extortion demand to 2 seller(s): asks money to remove a negative remark (\"给50块删差评\")",
		"sent off-platform contact details (wechat) to 3 seller(s)",
		"2 report(s) against this account (weighted 1.5)",
	} {
		reasons[r] = true
	}
	// What may stay Latin: ids, quoted text, operator rule reasons, QQ, IP,
	// currency codes.
	english := regexp.MustCompile(`\b[a-z]{3,}\b`)
	translated := 0
	for r := range reasons {
		if r == "" {
			continue
		}
		zh := engine.ReasonZH(r)
		rest := zh
		if i := strings.Index(rest, "（\""); i >= 0 { // a quoted message
			rest = rest[:i]
		}
		if strings.HasPrefix(r, "rule ") {
			continue // an operator's reason is kept as written
		}
		if i := strings.Index(rest, "案件 "); i >= 0 {
			rest = rest[:i] // a reviewer's note is kept as written
		}
		if w := english.FindString(rest); w != "" {
			t.Errorf("%q\n  -> %q: %q left in English", r, zh, w)
			continue
		}
		translated++
	}
	kinds := map[string]bool{}
	for _, zh := range alertsZH {
		rest := zh
		if i := strings.Index(rest, "（\""); i >= 0 {
			rest = rest[:i]
		}
		if w := english.FindString(rest); w != "" {
			t.Errorf("alert %q: %q left in English", zh, w)
		}
		kinds[zh[:min(len(zh), 12)]] = true
	}
	if len(alertsZH) == 0 {
		t.Fatal("no alerts")
	}
	if translated < 15 {
		t.Fatalf("only %d reasons translated: the simulation exercised too little", translated)
	}
	t.Logf("%d distinct reasons translated", translated)
}

func TestReasonZHExamples(t *testing.T) {
	for en, want := range map[string]string{
		"negative left 4 min after buying a ¥50.00 prepaid card":                                                "购买¥50.00 的充值卡后 4 分钟即给差评",
		"3 negative remarks to 3 sellers under 30 days old within 6 days":                                       "6 天内向 3 个开店不满 30 天的卖家留下 3 条差评",
		"buyer is flagged: 2 suspicious negative remarks to 2 different sellers within 7 days":                  "买家已被标记：7 天内向 2 个不同卖家留下 2 条可疑差评",
		"2 negative remarks to 2 sellers under 30 days old within 1 day":                                        "1 天内向 2 个开店不满 30 天的卖家留下 2 条差评",
		"2 negative remarks to 2 sellers (1 new) within 1 hour":                                                 "1 小时内向 2 个卖家（其中 1 个新店）留下 2 条差评",
		"2 fairly suspicious negative remarks to 2 new sellers within 7 days from an account under 30 days old": "注册不满 30 天的账号 7 天内向 2 个新店留下 2 条较可疑的差评",
		"rule cheap_burst: three cheap negatives":                                                               "规则 cheap_burst：three cheap negatives",
		"something the engine never wrote":                                                                      "something the engine never wrote",
	} {
		if got := engine.ReasonZH(en); got != want {
			t.Errorf("ReasonZH(%q) = %q, want %q", en, got, want)
		}
	}
}

func TestReasonZHSpree(t *testing.T) {
	got := engine.ReasonZH("3 fairly suspicious negative remarks to 3 different sellers within 7 days")
	if want := "7 天内向 3 个不同卖家留下 3 条较可疑的差评"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}
