package contact

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// kv is a contact reduced to kind and value.
type kv struct {
	Kind  Kind
	Value string
}

func kvs(cs []Contact) []kv {
	out := make([]kv, 0, len(cs))
	for _, c := range cs {
		out = append(out, kv{c.Kind, c.Value})
	}
	return out
}

func TestFindDisguises(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []kv
	}{
		{"spaced qq", "加我扣扣 3 8 5 7 2 1 9 0 6", []kv{{QQ, "385721906"}}},
		{"full-width phone", "电话１３８１２３４５６７８", []kv{{Phone, "+8613812345678"}}},
		{"chinese numerals with 幺 and 两", "手机 幺三八 两两三三 四四五五", []kv{{Phone, "+8613822334455"}}},
		{"financial numerals", "扣扣 叁捌伍柒贰壹玖零陆", []kv{{QQ, "385721906"}}},
		{"circled digits", "qq ①②③④⑤⑥⑦", []kv{{QQ, "1234567"}}},
		{"parenthesised digits", "qq ⑴⑵⑶⑷⑸⑹", []kv{{QQ, "123456"}}},
		{"full-stop digits", "qq ⒈⒉⒊⒋⒌⒍", []kv{{QQ, "123456"}}},
		{"parenthesised ideographs", "㈠㈢㈧㈠㈡㈢㈣㈤㈥㈦㈧", []kv{{Phone, "+8613812345678"}}},
		{"circled ideographs", "qq ㊂㊇㊄㊆㊁㊀㊈", []kv{{QQ, "3857219"}}},
		{"keycaps", "QQ 1️⃣2️⃣3️⃣4️⃣5️⃣6️⃣", []kv{{QQ, "123456"}}},
		{"emoji filler", "扣扣 3😀8😀5😀7😀2", []kv{{QQ, "38572"}}},
		{"look-alike letters", "qq 3857 2l 9O6", []kv{{QQ, "385721906"}}},
		{"mathematical digits", "QQ 𝟏𝟐𝟑𝟒𝟓𝟔", []kv{{QQ, "123456"}}},
		{"superscripts", "QQ ¹²³⁴⁵⁶", []kv{{QQ, "123456"}}},
		{"cue after value", "385721906是我扣扣", []kv{{QQ, "385721906"}}},
		{"qq id that is a phone", "QQ 13812345678", []kv{{Phone, "+8613812345678"}}},
		{"wechat same as phone", "13812345678 微信同号", []kv{{Phone, "+8613812345678"}}},
		{"wechat id", "vx: Zhang_San88", []kv{{WeChat, "zhang_san88"}}},
		{"wechat full-width", "微信：ｈａｐｐｙ＿ｄａｙ８８", []kv{{WeChat, "happy_day88"}}},
		{"wechat id spaced out", "vx: x i a o m e i 8 8", []kv{{WeChat, "xiaomei88"}}},
		{"wechat homophone 薇芯", "加我薇芯：yy-2580", []kv{{WeChat, "yy-2580"}}},
		{"wechat homophone 唯信", "唯信 abc_xyz", []kv{{WeChat, "abc_xyz"}}},
		{"一下 between cue and id", "vx搜一下 abc-8866", []kv{{WeChat, "abc-8866"}}},
		{"kik handle with few digits", "kik me: shopguy77", []kv{{Other, "shopguy77"}}},
		{"snapchat handle", "add me on snapchat: cards_deal", []kv{{Other, "cards_deal"}}},
		{"instagram handle with dots", "dm me on insta @cheap.cards.now", []kv{{Other, "cheap.cards.now"}}},
		{"ig handle", "ig @cards.shop", []kv{{Other, "cards.shop"}}},
		{"telegram link", "hit me up on telegram t.me/dealfixer", []kv{{URL, "t.me/dealfixer"}}},
		{"venmo handle", "my venmo is @john-doe-42", []kv{{Other, "john-doe-42"}}},
		{"cashtag", "cashapp $johnnyfix", []kv{{Other, "johnnyfix"}}},
		{"wickr id", "wickr: dealer_99", []kv{{Other, "dealer_99"}}},
		{"spaced at before a mail host", "john @gmail.com", []kv{{Email, "john@gmail.com"}}},
		{"一个 between cue and number", "qq 一个号 38572190", []kv{{QQ, "38572190"}}},
		{"digits spelled in english", "加我 one three eight one two three four five six seven eight", []kv{{Phone, "+8613812345678"}}},
		{"digits spelled in english, hyphens", "call me: four-one-five, five-five-five, zero-one-three-two", []kv{{Phone, "+14155550132"}}},
		{"us number after a cue, no +1", "call 415.555.0132", []kv{{Phone, "+14155550132"}}},
		{"us number in brackets after a cue", "my number is (415) 555 0132", []kv{{Phone, "+14155550132"}}},
		{"us number with trunk 1", "text me at 1-415-555-0132", []kv{{Phone, "+14155550132"}}},
		{"us toll-free grouped in english", "The phone number on the box is 1-800-555-0199 but nobody answers", []kv{{Phone, "+18005550199"}}},
		{"chinese 800 number grouped 3-3-4", "热线 800-810-8888", []kv{{Phone, "+868008108888"}}},
		{"instagram handle", "DM me on insta @shopfixer", []kv{{Other, "shopfixer"}}},
		{"wechat id spaced out zh", "微信 x i a o m e i 8 8 谢谢", []kv{{WeChat, "xiaomei88"}}},
		{"wechat cyrillic", "vx：zhаo_lei88", []kv{{WeChat, "zhao_lei88"}}},
		{"wechat plus v", "➕V：mumu_shop2", []kv{{WeChat, "mumu_shop2"}}},
		{"wxid", "wxid_a1b2c3d4e5f6 加这个", []kv{{WeChat, "wxid_a1b2c3d4e5f6"}}},
		{"plus 86", "+86 150 1234 5678", []kv{{Phone, "+8615012345678"}}},
		{"0086", "0086 13912345678", []kv{{Phone, "+8613912345678"}}},
		{"landline", "座机 010-6552 8899", []kv{{Phone, "+861065528899"}}},
		{"bracketed area code", "电话(020)38887766", []kv{{Phone, "+862038887766"}}},
		{"international", "Call me at +44 20 7946 0958", []kv{{Phone, "+442079460958"}}},
		{"email", "邮箱 Lily_Wang88@Gmail.com", []kv{{Email, "lily_wang88@gmail.com"}}},
		{"email spelled chinese", "123456艾特qq点com", []kv{{Email, "123456@qq.com"}}},
		{"email spelled english", "name at gmail dot com", []kv{{Email, "name@gmail.com"}}},
		{"email bracketed", "tom.h[at]outlook[dot]com", []kv{{Email, "tom.h@outlook.com"}}},
		{"email local part spelled", "my email is john dot doe at gmail dot com", []kv{{Email, "john.doe@gmail.com"}}},
		{"email local part spelled, brackets", "mail: john (dot) m (dot) doe (at) yahoo (dot) com", []kv{{Email, "john.m.doe@yahoo.com"}}},
		{"email local part spelled zh", "写信给 li 点 ming 艾特 qq 点 com", []kv{{Email, "li.ming@qq.com"}}},
		{"email spelled dot in a sentence", "I like polka dot dresses, write doe at gmail dot com", []kv{{Email, "doe@gmail.com"}}},
		{"email full-width at", "name＠163.com", []kv{{Email, "name@163.com"}}},
		{"qq mailbox", "qq邮箱 928374615", []kv{{Email, "928374615@qq.com"}}},
		{"short link", "点这个 t.cn/AbC123 看看", []kv{{URL, "t.cn/abc123"}}},
		{"scheme and www", "https://www.Example.com/x?y=1.", []kv{{URL, "example.com/x?y=1"}}},
		{"spelled url", "去 haohuo点com 看看", []kv{{URL, "haohuo.com"}}},
		{"alipay phone", "支付宝 18998765432 转我", []kv{{Alipay, "+8618998765432"}}},
		{"alipay email", "zfb：wangxm@163.com", []kv{{Alipay, "wangxm@163.com"}}},
		{"telegram", "telegram @fast_refund", []kv{{Other, "fast_refund"}}},
		{"two contacts", "qq 385721906，电话 138 1234 5678", []kv{{QQ, "385721906"}, {Phone, "+8613812345678"}}},
		{"numbers side by side", "385721906 13812345678", []kv{{Phone, "+8613812345678"}}},
		{"numeral in a name", "支付宝：张三 13812345678", []kv{{Alipay, "+8613812345678"}}},
		{"numeral word after", "打13812345678一直没人接", []kv{{Phone, "+8613812345678"}}},
		{"numeral word after space", "13812345678 一下", []kv{{Phone, "+8613812345678"}}},
		{"mixed numerals and digits", "电话 138 〇〇一三 八〇〇〇", []kv{{Phone, "+8613800138000"}}},
		{"emoji after weak cue", "V❤️❤️：abc_123456", []kv{{WeChat, "abc_123456"}}},
		{"qq and wechat same number", "扣扣/微信同号 385721906", []kv{{QQ, "385721906"}}},
		{"doubled look-alike letters", "电话 138OO138OOO", []kv{{Phone, "+8613800138000"}}},
		{"look-alike letter first", "我qq：l2345678", []kv{{QQ, "12345678"}}},
		{"number in two parts", "电话 138 1234 ... 5678", []kv{{Phone, "+8613812345678"}}},
		{"number in two parts after vx", "vx 138 1234，后四位 5678", []kv{{Phone, "+8613812345678"}}},
		{"number in two parts, tail first", "手机尾号 8000，前面是138 0013", []kv{{Phone, "+8613800138000"}}},
		{"us number in two parts", "call me 415 555 ... 0132", []kv{{Phone, "+14155550132"}}},
		{"vanity toll-free number", "call 1-800-FIX-REVW anytime", []kv{{Phone, "+18003497389"}}},
		{"vanity number after a cue, letters past the seventh", "phone: 1-800-CONTACTS", []kv{{Phone, "+18002668228"}}},
		{"vanity local number after a cue", "call 415-GOT-JUNK", []kv{{Phone, "+14154685865"}}},
		{"spelled slash", "t.me slash dealfixer", []kv{{URL, "t.me/dealfixer"}}},
		{"spelled dot and slash", "haohuo点com 斜杠 abc123", []kv{{URL, "haohuo.com/abc123"}}},
		{"gg link with a path", "join discord.gg/abcd12", []kv{{URL, "discord.gg/abcd12"}}},
		{"skype name with dots", "skype: john.doe.shop", []kv{{Other, "john.doe.shop"}}},
		{"link after a messenger cue", "fb: facebook.com/john.smith", []kv{{URL, "facebook.com/john.smith"}}},
		{"xiaohongshu nickname after 号", "小红书号：小美的卡铺", []kv{{Other, "小美的卡铺"}}},
		{"xiaohongshu nickname in quotes", "小红书搜「小美爱分享」", []kv{{Other, "小美爱分享"}}},
		{"douyin nickname", "抖音号：卡卡爱分享", []kv{{Other, "卡卡爱分享"}}},
		{"spelled underscore in a local part", "write to bob underscore lee at yahoo dot com", []kv{{Email, "bob_lee@yahoo.com"}}},
		{"handle after is and a spaced at", "my insta is @nail.art.by.mei", []kv{{Other, "nail.art.by.mei"}}},
		{"country code without plus after an english cue", "WhatsApp me: 44 7911 123456", []kv{{Phone, "+447911123456"}}},
		{"www with spaced dots", "网址 www . cheapcards . com", []kv{{URL, "cheapcards.com"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Find(tt.text)
			checkOffsets(t, tt.text, got)
			if diff := cmp.Diff(tt.want, kvs(got)); diff != "" {
				t.Fatalf("Find(%q) mismatch (-want +got):\n%s", tt.text, diff)
			}
		})
	}
}

func TestFindHardNegatives(t *testing.T) {
	tests := []string{
		"订单号 123456789012345678",
		"微信 a b c 好的",
		"I bought one or two items, three of them were broken",
		"one two three four five, here we go",
		"order 4155550132 shipped",
		"txt file attached, invoice 8005550199",
		"call center ticket 2025-1013-5567",
		"I posted it on instagram yesterday",
		"works with telegram and zoom",
		"venmo me $500 now",
		"I paid with venmo, fb ads brought me here",
		"I use line and slack at work",
		"found you via instagram, the messenger bag is great",
		"订单号：2026030114552233",
		"快递单号 SF1234567890123",
		"中通快递 75312345678901 已揽收",
		"圆通 YT1234567890123",
		"韵达 4312345678901",
		"价格 ¥50，50元，50.00",
		"总价 ￥ 15999",
		"2026-03-01 10:04 下单",
		"3月2日下午3点到的货",
		"iPhone 15 Pro Max 256G",
		"RTX4090 显卡",
		"SKU-12345 缺货吗",
		"QQ糖两包 12345",
		"50元Q币充值卡",
		"QQ会员 一个月 15 元",
		"这件V领针织衫有三个颜色",
		"支持微信支付和支付宝付款",
		"请勿通过QQ、微信等方式私下交易",
		"亲，有任何问题请在平台内联系我们哦",
		"卡号：6222 0212 3456 7890 123",
		"Q币卡密：1234-5678-9012-3456",
		"库存 23456 件",
		"一二三四五，上山打老虎",
		"Order #4829301928374650123 has shipped",
		"The price is $49.99",
		"Version 2.3.1 fixed the bug",
		"v8 发动机模型",
		"VIP 会员价 88",
		"微信转账给你了 12.5",
		"wechat please",
		"收件人：王** 电话 138****5678",
		"Mr.Li said e.g. a.m. is fine",
		"打 10086 问了",
		"扣了我 50 块运费",
		"look at the pool 12345",
		"华为P60 Pro 256G",
		"来了三两个人，一两个小时就走了",
		"往前走 200 米右拐，再走 50 米左拐",
		"oh, one two three, and a double espresso",
		"double or nothing, triple the fun, five stars",
		"a signal of 5 bars, a snap of 12345 pixels",
		"坐飞机 CA1831 回来的",
		"kakao friends 钥匙扣",
		"我手机尾号是 5678，订单号 1381234",
		"手机 138 元，1234 个，5678 包邮",
		"电话尾号 5678 的客户 1381234 元",
		"SKU 800-ABC-DEFG is out of stock",
		"the code FIX-REVW-2026 did not work",
		"ask for 1-800-Fix-it in the app",
		"good game, gg/ez",
		"gg.gg",
		"看了小红书：好评很多",
		"小红书：推荐这个，好用",
		"在小红书搜了一下评价才买的",
		"小红书 小美爱分享",
		"I went to www . and then . com",
	}
	for _, text := range tests {
		if got := Find(text); len(got) != 0 {
			t.Errorf("Find(%q) = %v, want none", text, got)
		}
	}
}

func TestFindOffsets(t *testing.T) {
	text := "加我扣扣：385721906 或 vx abc_def1"
	got := Find(text)
	want := []Contact{
		{Kind: QQ, Value: "385721906", Start: strings.Index(text, "385"), End: strings.Index(text, " 或"), Cue: "扣扣", Confidence: confCued},
		{Kind: WeChat, Value: "abc_def1", Start: strings.Index(text, "abc"), End: len(text), Cue: "vx", Confidence: confCued},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("Find(%q) mismatch (-want +got):\n%s", text, diff)
	}
}

func TestFindInvalidUTF8(t *testing.T) {
	tests := []string{
		"\xff\xfe13812345678",
		"qq\x80385721906",
		"扣扣\xe6\x89 385721906",
		"\xe6\x89\xa3\xe6",
		string([]byte{0xf0, 0x9f, 0x98}) + "13812345678",
	}
	for _, text := range tests {
		got := Find(text)
		checkOffsets(t, text, got)
		for _, c := range got {
			if !utf8.ValidString(c.Value) {
				t.Fatalf("Find(%q): value %q is not valid UTF-8", text, c.Value)
			}
		}
	}
	if got := Find("\xff\xfe13812345678"); len(got) != 1 || got[0].Start != 2 {
		t.Fatalf("got %v, want one phone starting at byte 2", got)
	}
}

func TestContactJSON(t *testing.T) {
	b, err := json.Marshal(Contact{Kind: QQ, Value: "385721906", Start: 8, End: 27, Confidence: 0.9})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"kind":"qq","value":"385721906","start":8,"end":27,"confidence":0.9}`
	if string(b) != want {
		t.Fatalf("got %s, want %s", b, want)
	}
}

// TestNoAllocWithoutCandidates checks that text with no candidate digits
// or cues costs no allocation.
func TestNoAllocWithoutCandidates(t *testing.T) {
	texts := []string{
		"收到了，卡密正确，充值成功，好评",
		"Great seller, fast shipping, item as described.",
		"亲，东西收到了吗？有问题直接在这里说就行",
		"价格 50 元，3 天到",
		"",
	}
	for _, text := range texts {
		if n := testing.AllocsPerRun(100, func() { Find(text) }); n != 0 {
			t.Errorf("Find(%q) allocates %v times, want 0", text, n)
		}
		if mayContain(text) {
			t.Errorf("mayContain(%q) = true, want false", text)
		}
	}
}

// TestNoAllocWhenNothingFound checks that the full path (text that passes
// the prefilter) does not allocate when no contact is found, once the
// pooled buffers are warm.
func TestNoAllocWhenNothingFound(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items at random under the race detector")
	}
	text := "订单号 358472910238475619，2026-03-01 10:04 下单，一二三四五"
	if !mayContain(text) {
		t.Fatalf("mayContain(%q) = false, want true", text)
	}
	if n := testing.AllocsPerRun(200, func() { Find(text) }); n > 0 {
		t.Errorf("Find(%q) allocates %v times, want 0", text, n)
	}
}

// TestFindLongInput checks that long texts with many cues and values are
// handled in full (the matching must stay linear to finish here).
func TestFindLongInput(t *testing.T) {
	const n = 20000
	text := strings.Repeat("qq 385721906，支付宝 a@b.com，订单 2026030112345678；", n)
	got := Find(text)
	if len(got) != 2*n {
		t.Fatalf("got %d contacts, want %d", len(got), 2*n)
	}
	checkOffsets(t, text, got)
}
