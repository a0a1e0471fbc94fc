package sim

import (
	"math/rand/v2"
	"strconv"
	"strings"
)

// This file holds the text generators: names, item titles, feedback, chat
// messages and report texts. Each generator combines several template
// pools so that downstream detectors do not learn one sentence.

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// fill replaces {k} placeholders by the matching values, given as pairs.
func fill(s string, kv ...string) string {
	if strings.IndexByte(s, '{') < 0 {
		return s
	}
	for i := 0; i+1 < len(kv); i += 2 {
		s = strings.ReplaceAll(s, "{"+kv[i]+"}", kv[i+1])
	}
	return s
}

// ---- names ----

var (
	nickAdj  = []string{"快乐的", "爱吃", "安静的", "奔跑的", "会飞的", "不睡觉的", "温柔的", "小小", "大大的", "追风的", "迷路的", "努力的", "佛系", "开心", "天天"}
	nickNoun = []string{"小鱼", "草莓", "猫咪", "兔子", "橙子", "星星", "阿狸", "熊猫", "胖虎", "柠檬", "土豆", "西瓜", "向日葵", "小鹿", "蘑菇"}
	nickSolo = []string{"阿强", "小王同学", "星辰大海", "一只咸鱼", "木子李", "晴天", "风中追风", "老陈", "小雨", "南方姑娘", "夏天的风", "阿杰", "李先生", "张女士", "静待花开", "半夏", "北极星"}
	latin    = []string{"lily", "jack", "amy", "kevin", "coco", "tony", "vivian", "leo", "sunny", "mia", "david", "grace", "momo", "andy", "echo"}
	pinyin   = []string{"xiao", "wang", "li", "zhang", "chen", "liu", "yang", "huang", "zhao", "wu", "zhou", "xu", "sun", "ma", "zhu", "hu", "guo", "lin", "he", "gao", "luo", "long", "mei", "fei", "yu", "jun", "hao", "min", "jie", "tian"}
)

// buyerName returns a marketplace nickname. Extortionists use the same
// generator, so names carry no label.
func buyerName(r *rand.Rand) string {
	switch r.IntN(6) {
	case 0:
		return "tb" + strconv.Itoa(1000000+r.IntN(9000000)) + "_" + strconv.Itoa(10+r.IntN(90))
	case 1:
		return pick(r, nickAdj) + pick(r, nickNoun)
	case 2:
		return pick(r, nickSolo)
	case 3:
		return pick(r, latin) + pick(r, []string{"_", ".", ""}) + strconv.Itoa(1980+r.IntN(30))
	case 4:
		return pick(r, nickNoun) + strconv.Itoa(r.IntN(1000))
	default:
		return "jd_" + pick(r, pinyin) + pick(r, pinyin) + strconv.Itoa(r.IntN(10000))
	}
}

var (
	shopHead        = []string{"诚信", "老王", "小美", "鑫源", "优品", "星河", "汇通", "恒达", "乐淘", "蜜糖", "阿福", "东方", "百草", "山野", "云端", "金牌", "速达", "喜洋洋", "千寻", "锦绣"}
	shopDigitalTail = []string{"卡券充值中心", "话费充值", "游戏点卡店", "数码充值", "虚拟商城", "卡密专营", "电子书屋", "充值小店"}
	shopPhysTail    = []string{"服饰", "手机配件专营店", "零食铺", "旗舰店", "家居生活馆", "数码配件", "茶叶店", "女装店", "特产店", "小店"}
	shopLatin       = []string{"Naughty Baby", "Happy Mall", "Sunny Shop", "Lucky Store", "Blue Ocean", "Cozy Home", "Mini Case", "Top Card"}
)

func sellerName(r *rand.Rand, digital bool) string {
	if r.IntN(10) == 0 {
		return pick(r, shopLatin)
	}
	if digital {
		return pick(r, shopHead) + pick(r, shopDigitalTail)
	}
	return pick(r, shopHead) + pick(r, shopPhysTail)
}

// ---- items ----

// itemTemplate describes one kind of listing. For denominated cards the
// price is derived from the face value; otherwise it is drawn from lo..hi
// (whole yuan).
type itemTemplate struct {
	title    string // may contain {v} (face value) or {x} (variant)
	category string
	digital  bool
	faces    []int // face values for cards
	lo, hi   int   // price range in yuan when faces is empty
	variants []string
}

var digitalItems = []itemTemplate{
	{title: "{v}元 Q币充值卡", category: "prepaid_card", digital: true, faces: []int{10, 20, 30, 50, 100}},
	{title: "腾讯QQ币 {v}个 自动充值", category: "prepaid_card", digital: true, faces: []int{10, 30, 50, 100}},
	{title: "京东E卡 {v}元 电子卡", category: "prepaid_card", digital: true, faces: []int{20, 50, 100}},
	{title: "话费充值 {v}元 {x}", category: "mobile_topup", digital: true, faces: []int{10, 20, 30, 50, 100}, variants: []string{"移动", "联通", "电信", "全国通用"}},
	{title: "{x}流量包 {v}元 当月有效", category: "mobile_topup", digital: true, faces: []int{10, 20, 30}, variants: []string{"移动", "联通", "电信"}},
	{title: "网易一卡通 {v}点", category: "game_card", digital: true, faces: []int{15, 30, 50, 100}},
	{title: "魔兽世界点卡 {v}元", category: "game_card", digital: true, faces: []int{30, 50, 100}},
	{title: "王者荣耀 点券 {v}元 直充", category: "game_card", digital: true, faces: []int{10, 30, 60, 100}},
	{title: "Steam 钱包充值码 {v}元", category: "game_card", digital: true, faces: []int{20, 50, 100}},
	{title: "《{x}》电子书 全集 epub", category: "ebook", digital: true, lo: 10, hi: 40, variants: []string{"三体", "活着", "平凡的世界", "围城", "白夜行", "明朝那些事儿", "百年孤独"}},
	{title: "{x} 考试资料 电子版 PDF", category: "ebook", digital: true, lo: 10, hi: 60, variants: []string{"考研英语", "公务员", "教资", "CPA", "雅思"}},
	{title: "视频会员 月卡 {x}", category: "membership", digital: true, lo: 15, hi: 30, variants: []string{"爱奇艺", "腾讯视频", "优酷"}},
}

var physicalItems = []itemTemplate{
	{title: "纯棉短袖T恤 {x}", category: "clothing", lo: 29, hi: 99, variants: []string{"男 宽松", "女 韩版", "情侣款", "白色 基础款"}},
	{title: "{x}连衣裙 夏季新款", category: "clothing", lo: 89, hi: 399, variants: []string{"碎花", "雪纺", "法式", "收腰"}},
	{title: "冬季羽绒服 {x}", category: "clothing", lo: 299, hi: 800, variants: []string{"加厚 男", "长款 女", "轻薄 短款"}},
	{title: "{x} 手机壳 透明防摔", category: "phone_case", lo: 15, hi: 49, variants: []string{"iPhone 15", "iPhone 14 Pro", "华为 Mate60", "小米14", "OPPO Reno11"}},
	{title: "钢化膜 {x} 高清两片装", category: "phone_case", lo: 15, hi: 35, variants: []string{"iPhone 15", "华为P60", "vivo X100"}},
	{title: "四川麻辣牛肉干 {x}", category: "food", lo: 25, hi: 89, variants: []string{"250g", "500g", "礼盒装"}},
	{title: "新疆若羌红枣 {x}", category: "food", lo: 20, hi: 79, variants: []string{"1kg", "2.5kg", "特级 500g"}},
	{title: "云南普洱茶饼 {x}", category: "food", lo: 58, hi: 580, variants: []string{"357g 熟茶", "357g 生茶", "2015年 老茶"}},
	{title: "Type-C 数据线 快充 {x}", category: "electronics", lo: 15, hi: 39, variants: []string{"1米", "2米", "三条装"}},
	{title: "蓝牙耳机 无线 {x}", category: "electronics", lo: 59, hi: 399, variants: []string{"降噪", "运动款", "半入耳"}},
	{title: "收纳盒 {x}", category: "household", lo: 19, hi: 69, variants: []string{"三件套", "大号 带盖", "抽屉式"}},
	{title: "《{x}》 平装 正版", category: "books", lo: 18, hi: 60, variants: []string{"活着", "人间失格", "小王子", "红楼梦", "解忧杂货店"}},
}

func makeItem(r *rand.Rand, t itemTemplate) (title string, priceCents int64) {
	x := ""
	if len(t.variants) > 0 {
		x = pick(r, t.variants)
	}
	if len(t.faces) > 0 {
		v := pick(r, t.faces)
		// cards sell at face value or a small discount: 95%..100%
		p := int64(v)*100 - int64(r.IntN(v*5/100+1))*100
		if r.IntN(3) == 0 {
			p = int64(v)*100 - int64(r.IntN(50)) // 49.51 style prices
		}
		return fill(t.title, "v", strconv.Itoa(v), "x", x), p
	}
	p := int64(t.lo + r.IntN(t.hi-t.lo+1))
	cents := p * 100
	switch r.IntN(3) {
	case 0:
		cents -= 10 // 59.90
	case 1:
		cents -= 1 // 59.99
	}
	return fill(t.title, "x", x), cents
}

// ---- feedback ----

var (
	positiveTexts = []string{
		"很好，卡密秒到，五星好评", "质量不错，物流很快", "宝贝收到了，和描述一致", "卖家服务态度好，下次还来",
		"good seller, fast delivery", "充值很快，几秒就到账了", "衣服很合身，面料舒服", "味道不错，家里人都爱吃",
		"包装很仔细，没有破损", "性价比很高", "第二次购买了，一如既往的好", "发货速度快，好评", "nice quality, thanks",
		"手机壳手感很好，很贴合", "茶叶味道正，回购", "",
	}
	neutralTexts = []string{
		"一般般吧", "还行，包装有点破", "东西可以，物流有点慢", "和图片有点色差", "凑合用", "average, nothing special", "",
	}
	// honest complaint texts, by category group
	negDigitalHonest = []string{
		"卡密提示已被使用，联系客服半天才回复", "充值失败，等了两个小时才退款", "到账很慢，说好的秒到", "电子书排版乱码，很多页看不了",
		"资料是旧版的，和描述不符", "code did not work, support very slow", "会员只有25天，不是整月",
	}
	negPhysicalHonest = []string{
		"质量太差了", "物流太慢", "not as described", "尺码偏小，退货还要自己付运费", "线头很多，洗一次就变形",
		"牛肉干有股怪味，不新鲜", "手机壳用了一周就发黄", "数据线充不进电", "和图片差别太大，颜色完全不对", "快递盒都压扁了，东西也坏了",
		"发货太慢，催了三次才发", "红枣很多是坏的", "耳机左边没声音", "terrible quality, broke after two days", "客服态度很差，问什么都不回",
	}
	negBadSeller = []string{
		"假货，和正品差太多", "发错货了，联系卖家不理", "一个星期才发货，还是坏的", "收到就是破的，要求退款一直拖",
		"description is a lie, cheap fake", "千万别买，质量极差", "和其他人说的一样，质量太差", "客服只会复制粘贴，不解决问题",
	}
	negCardInvalidHonest = []string{
		"卡密无效，充不进去", "充值卡提示无效", "卡号密码不对，充值失败", "code invalid, can't redeem",
	}
	revisedAfterFixTexts = []string{
		"补发的卡可以用了，卖家态度好", "卖家及时处理了，改好评", "已经退款了，卖家很负责", "问题解决了，追加好评", "seller fixed it quickly, thanks",
	}
	// the complainers' remarks: short, harsh, generic; about cards for digital goods
	negExtortionCard = []string{
		"骗子卖家，充值卡无效", "卡密无效，骗子!!!", "假卡，大家别上当", "fake card, scam seller", "充不进去，骗钱的",
		"无效卡 垃圾", "卡是被用过的，骗子", "code doesn't work, scam", "充值没到账，骗子店",
	}
	negExtortion = []string{
		"垃圾店铺，千万别买", "差评！卖家是骗子", "骗子店，钱白花了", "千万别买，骗子", "scam!!! do not buy",
		"质量极差，假货", "货不对板，骗子卖家", "垃圾东西，差评", "劣质产品，大家不要买", "terrible seller, avoid", "什么破店",
	}
	revisedExtortion = []string{
		"误会，卡没问题", "已解决，好评", "卡可以用了，是我操作失误", "卖家服务好", "误会一场，东西很好", "好评", "sorry, my mistake, card works",
		"之前评错了，卖家很好", "没问题了",
	}
)

// ---- chat ----

func digits(r *rand.Rand, n int) string {
	b := make([]byte, n)
	b[0] = byte('1' + r.IntN(9))
	for i := 1; i < n; i++ {
		b[i] = byte('0' + r.IntN(10))
	}
	return string(b)
}

func orderNumber(r *rand.Rand) string { return "2026" + digits(r, 14) }

func trackingNumber(r *rand.Rand) string {
	switch r.IntN(4) {
	case 0:
		return "SF" + digits(r, 13)
	case 1:
		return "YT" + digits(r, 13)
	case 2:
		return "JD" + digits(r, 13)
	}
	return "7" + digits(r, 13)
}

func cnMobile(r *rand.Rand) string {
	pre := pick(r, []string{"130", "131", "135", "136", "137", "138", "139", "150", "152", "158", "159", "166", "177", "180", "186", "187", "188", "189", "199"})
	return pre + strconv.Itoa(10000000+r.IntN(90000000))
}

var (
	askPhysical = []string{
		"请问什么时候发货？", "亲，今天能发货吗？明天要用", "M码还是L码合适？我{h}cm {w}kg", "能便宜{p}块吗", "已经48小时了还没发货",
		"订单号 {o} 请帮我查一下物流", "快递单号 {t} 物流三天没更新了", "这个有现货吗？", "发什么快递？能发顺丰吗", "颜色可以换成黑色吗",
		"do you ship today?", "is size L ok for {h}cm?", "{d}号之前能到吗？", "收货地址填错了，能改吗", "保质期到什么时候",
	}
	replyPhysical = []string{
		"亲，今天下午发货，顺丰单号 {t}", "您好，建议L码", "已发货，快递单号 {t}，请注意查收", "亲，最低价了哦，{p}元包邮",
		"有现货的，48小时内发货", "可以的，已备注", "抱歉亲，仓库爆单，{d}号前一定发出", "shipped today, tracking {t}",
		"亲，地址已经帮您改好了", "保质期12个月，放心",
	}
	askDigital = []string{
		"多久能到账？", "卡密在哪里看？", "订单号 {o}，还没收到卡密", "移动的能充吗？", "可以开发票吗",
		"how do I redeem the code?", "充错号码了怎么办",
	}
	replyDigital = []string{
		"卡密已发送到订单详情，请查收", "亲，自动发货，一般一分钟内到账", "请在订单详情页查看卡号和密码", "支持全国移动",
		"code is in your order page", "亲，请提供订单号 我帮您查一下",
	}
	sellerSorry = []string{
		"亲，非常抱歉，给您退款可以吗？", "抱歉给您带来不便，我们马上处理", "亲，可以退货退款的，运费我们承担", "sorry, we will refund you",
		"请问具体是什么问题？我们核实一下", "抱歉亲，给您补发一张，请查收",
	}
	buyerRefundDemand = []string{
		"不给我退款我就一直差评", "东西坏了，必须全额退款", "退款！不然投诉你", "refund me now or I'll report you",
		"退款的话我就把差评改了", "补发一个我就改好评", "给我换货，不然差评不删",
	}
	// "好评返现": sellers paying for positive feedback, money and review
	// words together but no extortion
	sellerCashback = []string{
		"亲，收到货给五星好评，截图返现{p}元", "好评返现{p}元哦，记得晒图", "五星好评联系客服领{p}元红包",
	}
	sellerPush = []string{
		"亲，加我微信 {wx} 领10元优惠券", "加店主V信 {wx} 有老客户折扣", "以后直接加微信 {wx} 下单更便宜",
	}
	deliveryPhone = []string{
		"收货电话改成 {ph}，谢谢", "快递员联系不上我的话打 {ph}",
	}
)

func chatFill(r *rand.Rand, s string) string {
	return fill(s,
		"o", orderNumber(r), "t", trackingNumber(r),
		"h", strconv.Itoa(155+r.IntN(35)), "w", strconv.Itoa(45+r.IntN(40)),
		"p", strconv.Itoa(2+r.IntN(20)), "d", strconv.Itoa(1+r.IntN(28)),
		"ph", cnMobile(r), "wx", wechatID(r))
}

// ---- extortion ----

var (
	fullWidthDigits = []string{"０", "１", "２", "３", "４", "５", "６", "７", "８", "９"}
	chineseDigits   = []string{"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"}
	capitalDigits   = []string{"零", "壹", "贰", "叁", "肆", "伍", "陆", "柒", "捌", "玖"}
	circledDigits   = []string{"⓪", "①", "②", "③", "④", "⑤", "⑥", "⑦", "⑧", "⑨"}
)

// disguise writes the digit string d in one of several evasive styles.
func disguise(r *rand.Rand, d string) string {
	var b strings.Builder
	style := r.IntN(9)
	for i := 0; i < len(d); i++ {
		n := int(d[i] - '0')
		switch style {
		case 0, 1: // plain
			b.WriteByte(d[i])
		case 2: // spaced
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteByte(d[i])
		case 3:
			b.WriteString(fullWidthDigits[n])
		case 4:
			b.WriteString(chineseDigits[n])
		case 5: // mixed Chinese and ASCII
			if i%2 == 0 {
				b.WriteByte(d[i])
			} else {
				b.WriteString(chineseDigits[n])
			}
		case 6: // groups with dashes or dots
			if i > 0 && i%3 == 0 {
				b.WriteByte(pick(r, []byte{'-', '.', ' '}))
			}
			b.WriteByte(d[i])
		case 7:
			b.WriteString(capitalDigits[n])
		default:
			b.WriteString(circledDigits[n])
		}
	}
	return b.String()
}

func wechatID(r *rand.Rand) string {
	s := pick(r, pinyin) + pick(r, pinyin)
	switch r.IntN(3) {
	case 0:
		return s + "_" + strconv.Itoa(r.IntN(1000))
	case 1:
		return s + strconv.Itoa(1985+r.IntN(20)) + strconv.Itoa(1000 + r.IntN(9000))[:2]
	}
	return pick(r, latin) + "-" + s
}

// contactPhrase returns an off-platform contact written the way complainers
// write it.
func contactPhrase(r *rand.Rand) string {
	switch r.IntN(4) {
	case 0, 1: // QQ
		qq := disguise(r, digits(r, 6+r.IntN(5)))
		return fill(pick(r, []string{"加我扣扣 {c}", "QQ {c}", "q q：{c}", "加企鹅 {c} 细聊", "扣{c}", "Q:{c}", "有事加QQ{c}", "add my QQ {c}", "加我 {c}（扣）"}), "c", qq)
	case 2: // WeChat
		wx := wechatID(r)
		return fill(pick(r, []string{"vx: {c}", "加微信 {c}", "V信 {c}", "wx {c} 私聊", "威信：{c}", "薇❤ {c}", "加个vx吧 {c}", "wechat {c}", "加我绿色软件 {c}"}), "c", wx)
	default: // phone / SMS
		ph := cnMobile(r)
		if r.IntN(2) == 0 {
			ph = disguise(r, ph)
		} else if r.IntN(2) == 0 {
			ph = ph[:3] + " " + ph[3:7] + " " + ph[7:]
		}
		return fill(pick(r, []string{"打我电话 {c}", "手机 {c} 短信联系", "电话{c}", "call me {c}", "发短信到 {c}", "+86 {c} 打给我"}), "c", ph)
	}
}

var demandTemplates = []string{
	"给我{a}块钱我就删差评", "转我{a}元，马上改好评", "不想要差评就拿{a}块钱来", "pay {a} and I'll remove it", "{a} yuan and the bad review disappears",
	"想删差评？{a}元，不讲价", "私了吧，{a}元，不然我继续给你差评", "你是新店吧，一个差评够你受的，{a}块解决", "红包{a}，差评立刻删",
	"发个{a}的红包，我改成好评", "{a}元处理费，差评帮你撤了", "不给钱就等着更多差评吧，{a}块", "send {a} RMB and the negative goes away",
	"给{a}，不然每天一个差评", "要删评价的话{a}元",
}

func demandPhrase(r *rand.Rand, amount int) string {
	return fill(pick(r, demandTemplates), "a", strconv.Itoa(amount))
}

var (
	openers    = []string{"老板", "卖家", "在吗", "hello", "店主", "", "", "看到差评了吧"}
	sellerQ    = []string{"亲，卡密已经发了，请问哪里有问题？", "您好，请问有什么可以帮您？", "为什么给差评？", "what is the problem?", "亲 东西还没发货呢，怎么就差评了", "卡是好的，我们都测过", "请问您充值的时候提示什么？"}
	sellerPaid = []string{"钱已经转了，请删除差评", "已经给你了，麻烦改一下评价", "转过去了", "好吧，给你，别再搞了", "paid, please remove it"}
	followUp   = []string{"不给是吧，等着更多差评", "考虑好了吗", "我有很多号，你看着办", "别后悔", "last chance", "今天不给明天再加一个差评"}
)

// ---- reports ----

var (
	reportExtortion = []string{
		"买家给差评后在聊天里留QQ要{a}元才删差评", "He wants {a} yuan to remove the remark", "买家打电话勒索，说不给钱就继续差评",
		"职业差评师，拍了就差评，然后要钱", "买家下单几分钟就差评，加微信要{a}元", "付了{a}元他才删的差评，后来发现是职业差评师",
		"this buyer demanded {a} RMB off-platform", "买家短信威胁，要求转账{a}元", "给了差评又发消息要红包，不给就不删",
	}
	reportRing        = []string{"对方用多个小号轮流差评勒索", "同一伙人换着账号给我差评要钱", "several accounts, same story: negative then a demand for {a} yuan"}
	reportOffPlatform = []string{"买家在聊天里要求加QQ私聊", "买家引导到微信交易", "buyer keeps asking me to add him on WeChat"}
	reportFake        = []string{"恶意差评，同行竞争", "这个买家乱给差评，东西明明没问题", "fake negative, product is fine", "买家无理取闹"}
	reportBuyer       = []string{"卖家引导加微信私下交易", "seller asked me to pay on WeChat"}
	evidence          = []struct{ kind, note string }{
		{"screenshot", "QQ聊天截图"}, {"screenshot", "微信聊天截图"}, {"screenshot", "短信截图"}, {"screenshot", "chat screenshot"},
		{"recording", "通话录音"}, {"transfer_receipt", "微信转账记录"}, {"transfer_receipt", "支付宝转账记录"},
	}
)
