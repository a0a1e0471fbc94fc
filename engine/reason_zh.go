package engine

import (
	"regexp"
	"strings"
)

// ReasonZH renders a reason the engine wrote (a score's reasons, a
// decision's reason) in Chinese for sellers and staff reading zh-CN. The
// engine writes reasons in English, once, so that they are stable keys for
// tests, CSVs and the API; this maps each of its templates, nested ones
// included, to Chinese. Text it does not know — an operator's rule reason,
// a reviewer's note, a quoted message — is kept as written.
func ReasonZH(en string) string {
	if strings.Contains(en, " | ") {
		// A flag's reason: the score's reasons, joined.
		parts := strings.Split(en, " | ")
		for i, p := range parts {
			parts[i] = ReasonZH(p)
		}
		return strings.Join(parts, " | ")
	}
	for _, r := range zhTable {
		if m := r.re.FindStringSubmatch(en); m != nil {
			return r.zh(m)
		}
	}
	return en
}

type zhRule struct {
	re *regexp.Regexp
	zh func(m []string) string
}

func rule(pattern string, zh func(m []string) string) zhRule {
	return zhRule{regexp.MustCompile("^" + pattern + "$"), zh}
}

// fill replaces $1, $2… in t with the submatches.
func fill(t string, m []string) string {
	var b strings.Builder
	for i := 0; i < len(t); i++ {
		if t[i] == '$' && i+1 < len(t) && t[i+1] >= '1' && t[i+1] <= '9' {
			b.WriteString(m[t[i+1]-'0'])
			i++
			continue
		}
		b.WriteByte(t[i])
	}
	return b.String()
}

func tmpl(t string) func([]string) string { return func(m []string) string { return fill(t, m) } }

// zhTable is set in init: its entries call ReasonZH for nested reasons,
// which a package-level initialiser cannot.
var zhTable []zhRule

func init() { zhTable = zhRules() }

func zhRules() []zhRule {
	return []zhRule{
		// Score terms (score.go, graph.go).
		rule(`(\d+) negative remark\(s\) later withdrawn or turned positive \(the pay-to-withdraw pattern\)`,
			tmpl("$1 条差评后来被撤回或改为好评（收钱删评的套路）")),
		rule(`sent off-platform contact details \((\w+)\) to (\d+) seller\(s\)`,
			func(m []string) string {
				return "向 " + m[2] + " 个卖家发送了平台外联系方式（" + contactKindZH(m[1]) + "）"
			}),
		rule(`extortion demand to (\d+) seller\(s\): (.*)`,
			func(m []string) string { return "向 " + m[1] + " 个卖家提出勒索要求：" + intentZH(m[2]) }),
		rule(`(\d+) report\(s\) against this account \(weighted ([\d.]+)\)`,
			tmpl("该账号被举报 $1 次（加权 $2）")),
		rule(`linked to (\d+) account\(s\) by ([a-z, ]+); together: (.*)`,
			func(m []string) string {
				return "通过" + linkKindsZH(m[2]) + "与 " + m[1] + " 个账号关联；合计：" + ReasonZH(m[3])
			}),
		rule(`a new account whose every order \((\d+)\) got a negative remark`,
			tmpl("新账号的每一笔订单（$1 笔）都留了差评")),
		rule(`(\d+) fairly suspicious negative remarks to (\d+) new sellers within 7 days from an account under 30 days old`,
			tmpl("注册不满 30 天的账号 7 天内向 $2 个新店留下 $1 条较可疑的差评")),
		rule(`(\d+) fairly suspicious negative remarks to (\d+) different sellers within 7 days`,
			tmpl("7 天内向 $2 个不同卖家留下 $1 条较可疑的差评")),
		rule(`(\d+) suspicious negative remarks to (\d+) different sellers within 7 days`,
			tmpl("7 天内向 $2 个不同卖家留下 $1 条可疑差评")),
		rule(`1 negative remark to a seller under (\d+) days old`, tmpl("向开店不满 $1 天的卖家留下 1 条差评")),
		rule(`1 negative remark`, tmpl("1 条差评")),
		rule(`(\d+) negative remarks to (\d+) sellers under (\d+) days old within (\d+) (days?|hours?)`,
			func(m []string) string {
				return spanZH(m[4], m[5]) + "内向 " + m[2] + " 个开店不满 " + m[3] + " 天的卖家留下 " + m[1] + " 条差评"
			}),
		rule(`(\d+) negative remarks to (\d+) sellers \((\d+) new\) within (\d+) (days?|hours?)`,
			func(m []string) string {
				return spanZH(m[4], m[5]) + "内向 " + m[2] + " 个卖家（其中 " + m[3] + " 个新店）留下 " + m[1] + " 条差评"
			}),
		rule(`negative left (\d+) (min|h) after buying (?:an? )?((?:¥|[A-Z]{3} )[\d.]+ )?(.+?)(, before delivery)?`,
			func(m []string) string {
				unit := " 分钟"
				if m[2] == "h" {
					unit = " 小时"
				}
				s := "购买"
				if m[3] != "" {
					s += strings.TrimSpace(m[3]) + " 的"
				}
				s += itemZH(m[4]) + "后 " + m[1] + unit + "即给差评"
				if m[5] != "" {
					s += "（尚未发货）"
				}
				return s
			}),
		rule(`rates against the consensus of reliable raters \(rating-graph fairness ([\d.]+), risk ([\d.]+)\)`,
			tmpl("评价与可靠评价者的共识相悖（评价图公平度 $1，风险 $2）")),
		rule(`one of (\d+) raters in a dense block that rated the same sellers down`,
			tmpl("属于一个 $1 人的密集评价团体，集中给相同的卖家差评")),
		rule(`rule ([^:]+): (.*)`, tmpl("规则 $1：$2")),

		// Decision reasons (score.go, events.go, moderation.go).
		rule(`risk fell to ([\d.]+): (.*)`, func(m []string) string { return "风险降至 " + m[1] + "：" + ReasonZH(m[2]) }),
		rule(`buyer no longer flagged: (.*)`, func(m []string) string { return "买家已不再被标记：" + ReasonZH(m[1]) }),
		rule(`buyer is flagged: (.*)`, func(m []string) string { return "买家已被标记：" + ReasonZH(m[1]) }),
		rule(`remark came with an off-platform contact or a demand for money to the same seller`,
			tmpl("差评同时伴随向同一卖家发送平台外联系方式或索要钱财")),
		rule(`banned by a reviewer: (.*)`, func(m []string) string { return "经审核人员封禁：" + ReasonZH(m[1]) }),
		rule(`buyer banned: (.*)`, func(m []string) string { return "买家已被封禁：" + ReasonZH(m[1]) }),
		rule(`ban lifted: (.*)`, func(m []string) string { return "封禁已解除：" + ReasonZH(m[1]) }),
		rule(`cleared by a reviewer: (.*)`, func(m []string) string { return "经审核人员澄清：" + ReasonZH(m[1]) }),
		rule(`case (\S+): (.*)`, tmpl("案件 $1：$2")),
	}
}

func contactKindZH(k string) string {
	switch k {
	case "phone":
		return "电话"
	case "qq":
		return "QQ"
	case "wechat":
		return "微信"
	case "email":
		return "邮箱"
	case "url":
		return "网址"
	case "alipay":
		return "支付宝"
	case "other":
		return "其他"
	}
	return k
}

// contactKindsZH renders a comma-separated list of contact kinds.
func contactKindsZH(list string) string {
	ks := strings.Split(list, ", ")
	for i, k := range ks {
		ks[i] = contactKindZH(strings.ToLower(k))
	}
	return strings.Join(ks, "、")
}

func linkKindsZH(list string) string {
	var out []string
	for _, k := range strings.Split(list, ", ") {
		switch k {
		case "device":
			k = "设备"
		case "ip":
			k = "IP 地址"
		case "payment":
			k = "支付账户"
		case "phone":
			k = "手机号"
		}
		out = append(out, k)
	}
	return strings.Join(out, "、")
}

func spanZH(n, unit string) string {
	if strings.HasPrefix(unit, "hour") {
		return n + " 小时"
	}
	return n + " 天"
}

// itemZH names what was bought: a category with spaces for underscores,
// "digital item" or "item".
func itemZH(what string) string {
	switch what {
	case "item":
		return "商品"
	case "digital item":
		return "数字商品"
	case "prepaid card":
		return "充值卡"
	case "game card":
		return "游戏点卡"
	case "mobile topup":
		return "话费充值"
	case "membership":
		return "会员"
	case "ebook":
		return "电子书"
	case "phone case":
		return "手机壳"
	case "books":
		return "图书"
	case "clothing":
		return "服装"
	case "electronics":
		return "电子产品"
	case "food":
		return "食品"
	case "household":
		return "家居用品"
	}
	return what
}

// intentZH renders the intent detector's reason (intent.describe and the
// model's fallbacks); the quoted phrase is kept as the buyer wrote it.
func intentZH(s string) string {
	quote := ""
	if i := strings.Index(s, " (\""); i >= 0 && strings.HasSuffix(s, "\")") {
		s, quote = s[:i], s[i+1:]
	}
	zh, ok := map[string]string{
		"offers not to leave a negative remark in exchange for money": "以不给差评为条件索要钱财",
		"asks money to remove a negative remark":                      "要钱才删差评",
		"demands money beyond the order":                              "索要订单之外的钱财",
		"demands money":                                               "索要钱财",
		"uses negative feedback as leverage":                          "以差评相要挟",
		"threatens the seller":                                        "威胁卖家",
		"declares themselves a professional complainer":               "自称职业差评师",
		"presses to move the talk off the platform":                   "催促转到平台外沟通",
		"extortion signal":                                            "勒索信号",
		"wording resembles extortion demands":                         "措辞与勒索要求相似",
		"demanded money or goods in exchange for feedback":            "以评价换取钱财或财物",
	}[s]
	if !ok {
		zh = s
	}
	if quote != "" {
		zh += "（" + strings.TrimSuffix(strings.TrimPrefix(quote, "("), ")") + "）"
	}
	return zh
}
