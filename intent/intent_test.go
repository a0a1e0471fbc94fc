package intent

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/fairmark/fairmark/intent/internal/feat"
)

func readCorpus(t testing.TB, path string) []feat.Example {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ex, err := feat.ReadCorpus(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return ex
}

// TestModelReproducible retrains on the training split and checks that the
// weights are byte-for-byte the committed model.bin.
func TestModelReproducible(t *testing.T) {
	ex := readCorpus(t, "testdata/train.jsonl")
	m, rep := feat.Train(ex, feat.DefaultOptions)
	b, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, modelBytes) {
		t.Fatalf("retrained model differs from model.bin (%d vs %d bytes); run go generate ./intent/", len(b), len(modelBytes))
	}
	t.Logf("out-of-fold F1 %.3f at threshold %.3f (calibration a=%.4f b=%.4f)", rep.F1, rep.Threshold, m.A, m.B)
}

func TestModelSize(t *testing.T) {
	if n := len(modelBytes); n > 20<<20 {
		t.Fatalf("model.bin is %d bytes, want < 20 MiB", n)
	}
	if mustModel().Threshold <= 0 || mustModel().Threshold >= 1 {
		t.Fatalf("threshold %v, want in (0,1)", mustModel().Threshold)
	}
}

// TestSplitsDisjoint guards the held-out split: no test text is in training.
func TestSplitsDisjoint(t *testing.T) {
	train := readCorpus(t, "testdata/train.jsonl")
	test := readCorpus(t, "testdata/test.jsonl")
	seen := map[string]bool{}
	for _, e := range train {
		seen[strings.TrimSpace(e.Text)] = true
	}
	for _, e := range test {
		if seen[strings.TrimSpace(e.Text)] {
			t.Fatalf("test text also in train: %q", e.Text)
		}
	}
	all := append(train, test...)
	if len(all) < 600 {
		t.Fatalf("corpus has %d lines, want >= 600", len(all))
	}
	neg, zh, en := 0, 0, 0
	for _, e := range all {
		if e.Label == 0 {
			neg++
		}
		switch e.Lang {
		case "zh":
			zh++
		case "en":
			en++
		default:
			t.Fatalf("lang %q, want zh or en: %q", e.Lang, e.Text)
		}
	}
	if neg*10 < len(all)*4 {
		t.Fatalf("%d negatives of %d, want >= 40%%", neg, len(all))
	}
	t.Logf("corpus: %d lines (%d train, %d test), %d negatives, %d zh, %d en", len(all), len(train), len(test), neg, zh, en)
}

type evalRow struct {
	p     float64
	flag  bool
	label int
	lang  string
	text  string
}

func evaluate(ex []feat.Example) []evalRow {
	rows := make([]evalRow, len(ex))
	for i, e := range ex {
		r := Score(e.Text)
		rows[i] = evalRow{r.Probability, r.Flag, e.Label, e.Lang, e.Text}
	}
	return rows
}

func metrics(rows []evalRow, lang string) feat.Metrics {
	var pred []bool
	var lab []int
	for _, r := range rows {
		if lang == "" || r.lang == lang {
			pred = append(pred, r.flag)
			lab = append(lab, r.label)
		}
	}
	return feat.Score(pred, lab)
}

func logMetrics(t *testing.T, name string, rows []evalRow) feat.Metrics {
	all := metrics(rows, "")
	for _, lang := range []string{"", "zh", "en"} {
		m := metrics(rows, lang)
		if lang == "" {
			lang = "all"
		}
		t.Logf("%s %-3s: precision %.3f recall %.3f F1 %.3f (tp %d fp %d tn %d fn %d)",
			name, lang, m.Precision, m.Recall, m.F1, m.TP, m.FP, m.TN, m.FN)
	}
	return all
}

// calibrationTable bins probabilities in tenths and reports, per bin, the
// mean predicted probability and the observed rate of extortion.
func calibrationTable(rows []evalRow) string {
	var n [10]int
	var sumP, pos [10]float64
	brier := 0.0
	for _, r := range rows {
		b := int(r.p * 10)
		if b > 9 {
			b = 9
		}
		n[b]++
		sumP[b] += r.p
		pos[b] += float64(r.label)
		brier += (r.p - float64(r.label)) * (r.p - float64(r.label))
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "bin        n   mean p  observed\n")
	for b := range n {
		if n[b] == 0 {
			continue
		}
		fmt.Fprintf(&sb, "%.1f-%.1f %4d   %.3f   %.3f\n", float64(b)/10, float64(b+1)/10, n[b], sumP[b]/float64(n[b]), pos[b]/float64(n[b]))
	}
	fmt.Fprintf(&sb, "Brier score %.4f over %d texts", brier/float64(len(rows)), len(rows))
	return sb.String()
}

// TestHeldOut scores the held-out split, which training never sees, and
// fails below F1 0.92.
func TestHeldOut(t *testing.T) {
	rows := evaluate(readCorpus(t, "testdata/test.jsonl"))
	m := logMetrics(t, "held-out", rows)
	for _, r := range rows {
		if r.flag != (r.label == 1) {
			t.Logf("miss: label %d p %.3f %q", r.label, r.p, r.text)
		}
	}
	t.Logf("held-out calibration:\n%s", calibrationTable(rows))
	if m.F1 < 0.92 {
		t.Fatalf("held-out F1 %.3f, want >= 0.92", m.F1)
	}
}

// TestWholeCorpus reports on train and test together (the training part is
// optimistic, being seen in training) and the out-of-fold calibration.
func TestWholeCorpus(t *testing.T) {
	train := readCorpus(t, "testdata/train.jsonl")
	rows := evaluate(append(train, readCorpus(t, "testdata/test.jsonl")...))
	m := logMetrics(t, "whole", rows)
	t.Logf("whole-corpus calibration:\n%s", calibrationTable(rows))
	if m.F1 < 0.92 {
		t.Fatalf("whole-corpus F1 %.3f, want >= 0.92", m.F1)
	}
}

func hasSignal(r Result, s Signal) bool {
	for _, x := range r.Signals {
		if x == s {
			return true
		}
	}
	return false
}

// TestCases pins behaviour named in the issue: direct and indirect demands,
// negation, quoted speech, disputes, mixed language.
func TestCases(t *testing.T) {
	tests := []struct {
		text    string
		flag    bool
		signals []Signal // must all be present
	}{
		{"给我50块钱我就删差评", true, []Signal{RemovalForPayment, MoneyDemand}},
		{"I'll withdraw the remark once you pay", true, []Signal{RemovalForPayment}},
		{"我是职业差评师，你看着办", true, []Signal{SelfDeclaredPro, Threat}},
		{"加我微信聊，给个红包差评就删", true, []Signal{OffPlatformPressure, RemovalForPayment}},
		{"意思意思，差评我就撤了", true, []Signal{RemovalForPayment}},
		{"Make it worth my while and I'll change my feedback.", true, []Signal{MoneyDemand}},
		{"Send me $20 on Venmo or the 1-star stays. You know what to do.", true, []Signal{MoneyDemand}},
		{"转我100 then I delete the negative review", true, []Signal{RemovalForPayment}},
		{"我不会给差评的", false, nil},
		{"I won't leave negative feedback", false, nil},
		{"买家说'给我50块就删差评'，这是敲诈吗", false, nil},
		{"My buyer wrote \"pay me $50 and I'll remove the negative\". Is this extortion?", false, nil},
		{"quality is bad, refund me or I'll leave a negative", false, nil},
		{"东西是坏的，不退款就差评", false, nil},
		{"质量很差，差评", false, nil},
		{"收到了，很满意，好评", false, nil},
		// Feedback leverage over a remedy of the order is a dispute; money
		// beyond the order, a private channel or no defect is not.
		{"给我换货，不然差评不删", false, nil},
		{"refund and I'll change my review", false, nil},
		{"send a replacement and I'll update my feedback", false, nil},
		{"质量这么差，不给退就差评", false, nil},
		{"Would you take $15?", false, nil},
		{"赔我500，不然差评不删", true, []Signal{MoneyDemand}},
		{"退款再加100，差评就删", true, []Signal{RemovalForPayment}},
		// An address is a name, not speech: "refund" in an email address
		// is no remedy of the order; a payment link is a private channel.
		{"If you want the 1-star gone, send $50 via PayPal to refund.fast@outlook.com", true, []Signal{MoneyDemand, FeedbackLeverage}},
		{"send $50 to paypal.me/joe99 and the 1-star is gone", true, []Signal{MoneyDemand}},
		{"The item is broken, I want a refund. Reach me at help.refund@shop-mail.com", false, nil},
		{"1-star unless I get paid: cash4u@mail.com", true, nil},
		{"1-star unless I get paid", true, []Signal{MoneyDemand}},
		{"你店刚开吧？一个差评够你受的，拿300来", true, []Signal{MoneyDemand}},
		{"Triple refund or I leave negatives on all your listings.", true, []Signal{MoneyDemand}},
		{"我拿3件，能便宜点吗", false, nil},
		{"Other buyers will read my review. Make me an offer.", true, nil},
		// Veiled asks over the writer's own feedback; the same words about
		// the order are no demand.
		{"We could work something out so the bad review goes away", true, []Signal{RemovalForPayment}},
		{"how much would you pay to get rid of my review", true, []Signal{RemovalForPayment}},
		{"Refund without return or the 1-star stays", true, nil},
		{"I'll be honest, the item's fine. But a $20 \"thank you\" would keep my review positive.", true, []Signal{RemovalForPayment, MoneyDemand}},
		{"Can we work something out on the delivery date? I need it by Friday", false, nil},
		{"The item broke, can I get a refund without returning it? Shipping costs more than the item", false, nil},
		{"How much does the bigger size cost? I'll leave a review after I try it", false, nil},
		{"I came to an arrangement with the courier to leave it at the door", false, nil},
		{"老板，差评能不能删，取决于你的态度", true, nil},
		{"你给我退一半，东西我不退了，不然差评不撤", true, nil},
		{"不想要差评的话，你知道该怎么做", true, nil},
		{"尺码偏小，可以商量换一个大一号的吗", false, nil},
		{"东西坏了，能不能不寄回直接退款？运费比东西还贵", false, nil},
		{"少给了一个，补上就行，补了我改评价", false, nil},
		{"A partial refund of $10 and I'll forget about the review, no need to return anything", true, []Signal{RemovalForPayment}},
		{"I'd like a partial refund of $10 because the box was damaged, it's fine otherwise", false, nil},
		{"Make me an offer on the bundle of three", false, nil},
		{"I'll update my review once you fix the issue.", false, nil},
		// Refusing to change feedback, asking nothing, is not a demand;
		// refusing unless paid is.
		{"I won't change my review", false, nil},
		{"I will not change my review, the product is bad.", false, nil},
		{"我不会改评价的", false, nil},
		{"No. I'm not going to change my rating.", false, nil},
		{"I won't remove the review unless you pay me $50", true, []Signal{RemovalForPayment}},
		{"不给钱我不会删差评", true, nil},
		// A price in a complaint about a defect is not money asked for.
		{"It cost $50 and broke after 2 days", false, nil},
		{"Leaving a negative review so others don't waste their money", false, nil},
		{"Pay attention: the size runs small", false, nil},
		{"花了200块买了个寂寞", false, nil},
		{"$25 wasted. Code was already used.", false, nil},
		{"The seller wants $15 extra for shipping, not mentioned in the listing", false, nil},
		{"Seller gave me a $5 coupon to apologize, nice", false, nil},
		{"I'm willing to edit my review for a price.", true, nil},
		{"一百块钱买这个，亏大了", false, nil},
		{"差评！大家别买！骗钱的", false, nil},
		{"这钱花得冤枉", false, nil},
		{"The seller offered me $10 to change my review, is that allowed?", false, nil},
		{"double refund or the negative stays", true, nil},
		{"转账到微信，我就改好评", true, []Signal{RemovalForPayment}},
		{"send it to my PayPal and I'll update my feedback", true, []Signal{RemovalForPayment}},
		{"想删？200", true, []Signal{RemovalForPayment}},
		{"200删差评", true, []Signal{RemovalForPayment}},
		// Session 7: the last session's known misses, and the rules they
		// led to (a price on the review, money under a threat, a remedy
		// that keeps the goods or asks a multiple).
		{"How much is my review worth to you?", true, []Signal{RemovalForPayment, MoneyDemand}},
		{"我这人好说话，你让我满意了，评价自然就好了", true, []Signal{MoneyDemand}},
		{"Pay me back double or I tell everyone your shop is a scam", true, []Signal{MoneyDemand, Threat}},
		{"5 stars for $20", true, []Signal{RemovalForPayment, MoneyDemand}},
		{"Five stars for the fast delivery, it arrived in a day", false, nil},
		{"这个价钱买到这个质量，五星", false, nil},
		{"You charged me double shipping. Refund the extra or I'll leave a neutral.", false, nil},
		{"质量太差了，我要投诉你们，给我退款", false, nil},
		{"我这人好说话，颜色不对换一个就行", false, nil},
		{"补偿就不用了，换个新的给我就好", false, nil},
		{"给多少钱都不会删的，东西太差", false, nil},
		{"三百块买的，一周就坏了，差评", false, nil},
		{"Triple my money back or the 1-star stays", true, []Signal{MoneyDemand}},
		{"东西我收下了，钱也全退我，不然差评", true, []Signal{MoneyDemand}},
		{"", false, nil},
	}
	for _, tc := range tests {
		r := Score(tc.text)
		if r.Flag != tc.flag {
			t.Errorf("Score(%q).Flag = %v (p %.3f, reasons %v), want %v", tc.text, r.Flag, r.Probability, r.Reasons, tc.flag)
		}
		for _, s := range tc.signals {
			if !hasSignal(r, s) {
				t.Errorf("Score(%q).Signals = %v, want %s among them", tc.text, r.Signals, s)
			}
		}
	}
}

// TestReasonsNamePhrases checks that reasons quote the wording that carried them.
func TestReasonsNamePhrases(t *testing.T) {
	d := Score("东西是坏的，给我换货，不然差评不删")
	if d.Flag || len(d.Reasons) == 0 || !strings.Contains(d.Reasons[len(d.Reasons)-1], "remedy of the order") || !strings.Contains(d.Reasons[len(d.Reasons)-1], "给我换货") {
		t.Fatalf("dispute reasons %q, want a remedy reason quoting 给我换货", d.Reasons)
	}
	r := Score("老板你好。给我50块钱我就删差评！")
	want := `asks money to remove a negative remark ("给我50块钱我就删差评")`
	if len(r.Reasons) == 0 || r.Reasons[0] != want {
		t.Fatalf("got reasons %q, want first %q", r.Reasons, want)
	}
	r = Score("买家说'给我50块就删差评'，这是敲诈吗")
	for _, s := range r.Reasons {
		if strings.HasPrefix(s, "asks money") {
			t.Fatalf("reported speech gave reason %q", s)
		}
	}
	if len(r.Signals) != 0 {
		t.Fatalf("reported speech gave signals %v, want none", r.Signals)
	}
}

func TestConcurrentDeterministic(t *testing.T) {
	ex := readCorpus(t, "testdata/test.jsonl")
	want := make([]Result, len(ex))
	for i, e := range ex {
		want[i] = Score(e.Text)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 4)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, e := range ex {
				got := Score(e.Text)
				if got.Probability != want[i].Probability || got.Flag != want[i].Flag || fmt.Sprint(got.Reasons) != fmt.Sprint(want[i].Reasons) {
					errs <- fmt.Sprintf("Score(%q) = %+v, want %+v", e.Text, got, want[i])
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
}

func FuzzScore(f *testing.F) {
	for _, s := range []string{"给我50块钱我就删差评", "I'll withdraw the remark once you pay", "\xff\xfe", "“未闭合", "'", "$"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a := Score(s)
		if math.IsNaN(a.Probability) || a.Probability < 0 || a.Probability > 1 {
			t.Fatalf("Score(%q).Probability = %v, want in [0,1]", s, a.Probability)
		}
		b := Score(s)
		if a.Probability != b.Probability || a.Flag != b.Flag || fmt.Sprint(a.Reasons) != fmt.Sprint(b.Reasons) || fmt.Sprint(a.Signals) != fmt.Sprint(b.Signals) {
			t.Fatalf("Score(%q) not deterministic: %+v then %+v", s, a, b)
		}
		if a.Flag != (a.Probability >= mustModel().Threshold) {
			t.Fatalf("Score(%q): flag %v disagrees with p %v", s, a.Flag, a.Probability)
		}
	})
}

// TestBlind scores testdata/blind.jsonl, a second held-out set written after
// the lexicon was last tuned and never used to change the detector. It is
// the honest estimate of accuracy on unseen phrasing; it fails below F1
// 0.85 as a regression floor.
func TestBlind(t *testing.T) {
	rows := evaluate(readCorpus(t, "testdata/blind.jsonl"))
	m := logMetrics(t, "blind", rows)
	for _, r := range rows {
		if r.flag != (r.label == 1) {
			t.Logf("miss: label %d p %.3f %q", r.label, r.p, r.text)
		}
	}
	t.Logf("blind calibration:\n%s", calibrationTable(rows))
	if m.F1 < 0.85 {
		t.Fatalf("blind F1 %.3f, want >= 0.85", m.F1)
	}
}

// TestProbe7 scores the probe sets written in session 7, never trained
// on: demands in many guises (veiled, price tags on the review, pinyin,
// mixed Chinese and English, refunds that keep the goods, threats to
// report or expose the shop) and honest lines close to them (complaints
// that name money, refund requests through the platform, refusals, a
// seller's offer accepted, reviews updated after a fix).
//
// probe7.jsonl (124 lines) was written before any change of the session;
// probe7b.jsonl (80 lines) after the first round of changes, and scored
// once before the second. Both were read while fixing, so their figures
// are no estimate for unseen text; the floors keep them from sliding back.
// probe7c.jsonl (48 lines) was written after the last change and scored
// once (precision 0.909, recall 0.833); nothing was changed for it, so it
// is the session's estimate, and its floors sit just below that score.
func TestProbe7(t *testing.T) {
	seen := map[string]string{}
	for _, f := range []string{"train", "test", "blind", "disputes"} {
		for _, e := range readCorpus(t, "testdata/"+f+".jsonl") {
			seen[strings.TrimSpace(e.Text)] = f
		}
	}
	for _, tc := range []struct {
		file        string
		minSide     int // at least this many demands and honest lines
		prec, recal float64
	}{{"probe7", 50, 0.95, 0.95}, {"probe7b", 30, 0.95, 0.95}, {"probe7c", 20, 0.85, 0.8}} {
		ex := readCorpus(t, "testdata/"+tc.file+".jsonl")
		pos, zh := 0, 0
		for _, e := range ex {
			if f, ok := seen[strings.TrimSpace(e.Text)]; ok {
				t.Fatalf("%s text also in %s.jsonl: %q", tc.file, f, e.Text)
			}
			pos += e.Label
			if e.Lang == "zh" {
				zh++
			}
		}
		if pos < tc.minSide || len(ex)-pos < tc.minSide || zh*5 < len(ex)*2 || (len(ex)-zh)*5 < len(ex)*2 {
			t.Fatalf("%s: %d demands, %d honest, %d zh, %d en; want >= %d demands and honest lines, >= 40%% of each language",
				tc.file, pos, len(ex)-pos, zh, len(ex)-zh, tc.minSide)
		}
		rows := evaluate(ex)
		m := logMetrics(t, tc.file, rows)
		for _, r := range rows {
			if r.flag != (r.label == 1) {
				t.Logf("%s miss: label %d p %.3f %q", tc.file, r.label, r.p, r.text)
			}
		}
		if m.Precision < tc.prec || m.Recall < tc.recal {
			t.Errorf("%s precision %.3f recall %.3f, want >= %.2f and >= %.2f", tc.file, m.Precision, m.Recall, tc.prec, tc.recal)
		}
	}
}

// TestDisputes scores testdata/disputes.jsonl, a held-out set written after
// the remedy rule (a refund, return, exchange, re-send or repair of the
// order, conditioned on feedback, is a dispute) was designed, and never
// trained on. Half its lines are disputes, price negotiations and
// complaints that use feedback as leverage; half are extortion in varied
// wording, including demands that go beyond the order (money on top of a
// refund, a private channel, an item said to be fine). It fails below F1
// 0.9.
func TestDisputes(t *testing.T) {
	ex := readCorpus(t, "testdata/disputes.jsonl")
	train := readCorpus(t, "testdata/train.jsonl")
	seen := map[string]bool{}
	for _, e := range train {
		seen[strings.TrimSpace(e.Text)] = true
	}
	zh, neg := 0, 0
	for _, e := range ex {
		if seen[strings.TrimSpace(e.Text)] {
			t.Fatalf("disputes text also in train: %q", e.Text)
		}
		if e.Lang == "zh" {
			zh++
		}
		if e.Label == 0 {
			neg++
		}
	}
	if len(ex) < 80 || zh*10 < len(ex)*6 || neg*10 < len(ex)*4 {
		t.Fatalf("disputes set: %d lines, %d zh, %d negatives; want >= 80, >= 60%% zh, >= 40%% negatives", len(ex), zh, neg)
	}
	rows := evaluate(ex)
	m := logMetrics(t, "disputes", rows)
	for _, r := range rows {
		if r.flag != (r.label == 1) {
			t.Logf("miss: label %d p %.3f %q", r.label, r.p, r.text)
		}
	}
	t.Logf("disputes calibration:\n%s", calibrationTable(rows))
	if m.F1 < 0.9 {
		t.Fatalf("disputes F1 %.3f, want >= 0.9", m.F1)
	}
}
