package contact

import "strings"

// cueKind says what a cue announces.
type cueKind uint8

const (
	cueQQ     cueKind = iota + 1 // a QQ number follows
	cueWeChat                    // a WeChat id follows
	cuePhone                     // a phone number follows
	cueAlipay                    // an Alipay account (phone or e-mail) follows
	cueMail                      // an e-mail address follows ("邮箱")
	cueOther                     // another messenger id follows (Telegram, Line…)
	cueNeg                       // the number that follows is not a contact (order, tracking, card…)
)

// cuePattern is one spelling of a cue. Patterns are written in folded form
// (lower case, half-width). A weak cue is a short or ambiguous spelling
// ("扣", "v", "q") that counts only when a value follows it directly.
type cuePattern struct {
	runes []rune
	kind  cueKind
	weak  bool
	ascii bool // made of ASCII letters: needs word boundaries
}

// cueSpec lists the cue spellings. The lists come from how the disguises
// are formed: homophones and look-alike characters for the product name
// (扣扣/抠抠/口口 for QQ, 薇信/威信/徽信 for 微信), its mascot (企鹅, 🐧,
// 绿泡泡), its initials (vx, wx, zfb) and pinyin.
var cueSpec = []struct {
	kind  cueKind
	weak  bool
	words string
}{
	{cueQQ, false, "qq 扣扣 抠抠 口口 蔻蔻 寇寇 叩叩 企鹅 企鹅号 球球 秋秋 🐧 q号 扣q 群号 qq群 q群 扣扣群 企鹅群 qq裙 q裙 扣扣裙 企鹅裙 扣裙"},
	{cueQQ, true, "q 扣 鹅 抠 寇 口扣 cq"},
	{cueWeChat, false, "微信 薇信 威信 卫星 徽信 维信 微芯 微心 为信 薇芯 薇心 威芯 唯信 伟信 v信 w信 vx wx weixin wechat 绿泡泡 vx号 微x 绿色软件 绿色app 绿色泡泡 绿软"},
	{cueWeChat, true, "v 微 薇 威 徽"},
	{cuePhone, false, "电话 手机 手机号 tel tell phone mobile call 致电 来电 打我 短信 联系电话 dh 热线 电联 座机 whatsapp cell sms txt viber text_me my_number reach_me ring_me 電話 手機 手機號 聯絡電話 聯繫電話 電聯"},
	{cueAlipay, false, "支付宝 吱付宝 支负宝 之付宝 支护宝 zfb alipay zhifubao 阿里pay 支付寶"},
	{cueMail, false, "邮箱 email e-mail mail 邮件 油箱 郵箱 電郵 郵件"},
	{cueOther, false, "telegram tg 电报 飞机号 纸飞机 line skype 钉钉 陌陌 抖音号 快手号 ins ig insta instagram snapchat kik discord messenger wickr facebook fb venmo cashapp cash_app twitter tiktok " +
		"kakao kakaotalk 카톡 카카오톡 카카오 小红书 小红书号 小红薯 红薯号 xhs 電報 飛機號"},
	// Weak messenger cues are ordinary words too (an aeroplane, a phone
	// signal, a snap fastener): the CJK ones take only an "@handle", the
	// ASCII ones a value after "signal: " or "snap id" (see weakOtherOK).
	{cueOther, true, "飞机 小飞机 飛機 signal snap"},
	{cueNeg, false, "订单号 订单 单号 运单 快递 物流 顺丰 中通 圆通 韵达 申通 极兔 邮政 京东 编号 型号 货号 sku 工号 批次 序列号 sn imei 条码 卡号 卡密 密码 券码 兑换码 发票 税号 身份证 银行卡 交易号 流水号 追踪号 tracking order invoice receipt ticket serial model reference confirmation 尾号 验证码 取件码 提货码 订单编号 ems 价格 原价 售价 合计 总价 退款"},
}

// negAfter lists what, written right after a cue, turns it into a product
// or a payment method rather than a contact: QQ糖 (candy), Q币 (game
// currency), Q弹 (chewy), 微信支付 (payment), V领 (V-neck)…
var negAfter = map[cueKind][]string{
	cueQQ: {"糖", "币", "会员", "音乐", "飞车", "炫舞", "钱包", "红包", "空间", "钻", "黄钻", "绿钻", "点券", "等级",
		"弹", "版", "充值", "宠物", "农场", "游戏", "浏览器", "堂", "点", "级", "钱", "分", "款", "除", "费", "了", "掉", "减",
		"币充值", "q币", "卡", "秀", "炫", "仔", "萌", "软"},
	cueWeChat: {"支付", "付款", "付", "转账", "红包", "小程序", "公众号", "群", "领", "字", "型", "扫", "钱包", "零钱",
		"收款", "提现", "运动", "读书", "视频号", "朋友圈", "电视", "导航", "定位", "地图", "云图", "锅", "通信", "信号"},
	cueAlipay: {"付款", "支付", "付", "扫码", "扫", "红包", "花呗", "余额", "收款码", "二维码", "到账", "退款", "账单", "认证", "实名"},
	cuePhone:  {"费", "壳", "膜", "卡", "充值", "套餐", "号段", "配件", "支架", "屏", "型号", "品牌", "数据线", "充电"},
}

// cueIndex maps the first folded rune of a pattern to the patterns that
// start with it, longest first.
var cueIndex map[rune][]cuePattern

// asciiCueStart marks ASCII letters that start some pattern.
var asciiCueStart [128]bool

func init() {
	cueIndex = make(map[rune][]cuePattern)
	for _, spec := range cueSpec {
		for _, w := range strings.Fields(spec.words) {
			rs := []rune(strings.ReplaceAll(w, "_", " ")) // "text_me": two words
			p := cuePattern{runes: rs, kind: spec.kind, weak: spec.weak, ascii: true}
			for _, r := range rs {
				if r >= 0x80 || !(isASCIILetter(r) || r == '-' || r == ' ') {
					p.ascii = false
				}
			}
			if isASCIILetter(rs[0]) && !p.ascii {
				// mixed patterns such as "v信": the ASCII head still needs
				// a boundary on the left.
				p.ascii = false
			}
			cueIndex[rs[0]] = append(cueIndex[rs[0]], p)
			if rs[0] < 128 {
				asciiCueStart[rs[0]] = true
			}
		}
	}
	for r, ps := range cueIndex {
		// longest first so "企鹅号" wins over "企鹅", "qq群" over "qq".
		for i := 1; i < len(ps); i++ {
			for j := i; j > 0 && len(ps[j].runes) > len(ps[j-1].runes); j-- {
				ps[j], ps[j-1] = ps[j-1], ps[j]
			}
		}
		cueIndex[r] = ps
	}
}

// cue is one cue found in the units.
type cue struct {
	kind cueKind
	weak bool
	su   int // first unit
	eu   int // one past the last unit
}

// matchPattern tries p at unit i and returns the end unit or -1. Up to two
// separator units may sit between the characters of a multi-character
// pattern ("微 信", "Q-Q").
func matchPattern(u []unit, i int, p cuePattern) int {
	j := i
	for k, r := range p.runes {
		if k > 0 {
			gap := 0
			for j < len(u) && gap < 2 && u[j].r != r && isSep(u[j].r) && !isASCIIAlnum(u[j].r) {
				j++
				gap++
			}
		}
		if j >= len(u) || u[j].r != r {
			return -1
		}
		j++
	}
	return j
}

// hasPrefixAt reports whether the folded units from i spell w (no gaps),
// skipping spaces first.
func hasPrefixAt(u []unit, i int, w string) bool {
	for i < len(u) && isSpace(u[i].r) {
		i++
	}
	for _, r := range w {
		if i >= len(u) || u[i].r != r {
			return false
		}
		i++
	}
	return true
}

// findCues returns the cues in u, left to right, without overlaps.
func findCues(u []unit, out []cue) []cue {
	for i := 0; i < len(u); i++ {
		r := u[i].r
		if r < 128 {
			if !asciiCueStart[r] {
				continue
			}
			if i > 0 && isASCIILetter(u[i-1].r) {
				continue // inside a word
			}
		}
		ps, ok := cueIndex[r]
		if !ok {
			continue
		}
		for _, p := range ps {
			end := matchPattern(u, i, p)
			if end < 0 {
				continue
			}
			if p.ascii && end < len(u) && isASCIILetter(u[end].r) {
				continue // "vip", "quick", "telephone"…
			}
			if p.kind != cueNeg && negatedAfter(u, end, p.kind) {
				// A product or payment-method reading (QQ糖, Q币, 微信支付).
				// A Q币 card number must not be read as a QQ number, so
				// a negated QQ cue is kept as a negative cue.
				if p.kind == cueQQ {
					out = append(out, cue{kind: cueNeg, su: i, eu: end})
				}
				i = end - 1
				break
			}
			out = append(out, cue{kind: p.kind, weak: p.weak, su: i, eu: end})
			i = end - 1
			break
		}
	}
	return out
}

// negatedAfter reports whether the units after a cue of kind k make it a
// product or payment word (QQ糖, 微信支付…).
func negatedAfter(u []unit, end int, k cueKind) bool {
	ws := negAfter[k]
	for _, w := range ws {
		if hasPrefixAt(u, end, w) {
			return true
		}
	}
	return false
}
