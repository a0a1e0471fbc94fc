package feat

// Cat is a bit set of phrase categories.
type Cat uint32

// Phrase categories. A lexicon entry may carry several.
const (
	CMoney     Cat = 1 << iota // money, payment, compensation
	CAmount                    // an explicit amount (number + currency)
	CIndirect                  // an indirect ask: 红包, 意思意思, "make it worth my while"
	CDemand                    // a demand verb aimed at the seller: 给我, 转我, "pay me"
	CFbNeg                     // negative feedback: 差评, "negative feedback", "1 star"
	CFbPos                     // positive feedback: 好评, "5 stars"
	CFb                        // feedback in general: 评价, review
	CRemoval                   // removing or changing feedback: 删, 撤, withdraw
	CCond                      // conditional link: 就, 否则, unless, once, or else
	CThreat                    // threat or pressure: 看着办, 走着瞧, "you'll regret"
	CPro                       // self-declared professional complainer
	COff                       // pressure to move off-platform
	CDispute                   // defect or delivery problem
	CRefund                    // refund, return, replacement
	CNeg                       // negator: 不会, won't
	CReport                    // reporting frame: 买家说, "the buyer said"
	CMeta                      // talk about extortion: 敲诈, "is this blackmail"
	CSeller                    // seller's own voice: 我是卖家, "my buyer"
	CJoke                      // joking: 哈哈, lol
	CPositive                  // satisfaction: 满意, thanks
	CExcess                    // beyond the order: 精神损失费, 十倍, "extra"
	CThird                     // a third person: 买家, 他, buyer
	CNumber                    // a bare number (filled by the scanner)
	CQuestion                  // a question mark
	CConseq                    // consequence link: 就, 否则, "or else" (also CCond)
	CNegStrong                 // negator that also negates money: 不要, won't (also CNeg)
	CPrivate                   // a private payment channel: 微信, 转账, PayPal, gift card
	CNoDefect                  // says the item is fine: 东西没问题, "the item's fine"
	CHaggle                    // bargaining over the price: 便宜点, "would you take $15"
	CSale                      // the feedback offered at a price: "my feedback is for sale", "5 stars for $20" (also set by priceTags)
	CKeep                      // keeps the goods while the money comes back, or asks a multiple of the price: 东西我不退, "i keep the", 双倍, "twice what"
	CDecline                   // declines what came before it in the clause: 红包就不用了, 补偿就免了, "not needed"
)

// Lexicon entries, written in normalised form (lower case, half-width,
// simplified). A leading '~' drops the left word-boundary check and a
// trailing '*' drops the right one, for ASCII phrases.
var lexicon = []struct {
	p string
	c Cat
}{
	// Money and demands (zh).
	{"钱", CMoney}, {"块钱", CMoney}, {"费", CMoney}, {"红包", CMoney | CIndirect | CPrivate}, {"发个红包", CMoney | CIndirect | CDemand},
	{"包个红包", CMoney | CIndirect | CDemand}, {"转账", CMoney | CPrivate}, {"转我", CMoney | CDemand}, {"打款", CMoney},
	{"打钱", CMoney | CDemand}, {"给钱", CMoney | CDemand}, {"掏钱", CMoney | CDemand}, {"出钱", CMoney | CDemand},
	{"赔偿", CMoney}, {"补偿", CMoney}, {"赔我", CMoney | CDemand}, {"补偿我", CMoney | CDemand}, {"赔点", CMoney | CDemand},
	{"给点", CDemand}, {"给我点", CDemand}, {"给我", CDemand}, {"转给我", CMoney | CDemand}, {"打给我", CDemand},
	{"意思意思", CMoney | CIndirect | CDemand}, {"表示一下", CMoney | CIndirect | CDemand}, {"表示表示", CMoney | CIndirect | CDemand},
	{"给个说法", CIndirect | CDemand}, {"你懂的", CIndirect}, {"懂的都懂", CIndirect}, {"你懂我意思", CIndirect},
	{"商量商量", CIndirect}, {"好商量", CIndirect}, {"私下商量", CIndirect | COff}, {"取决于你", CIndirect}, {"看你的态度", CIndirect},
	{"看你态度", CIndirect}, {"你的态度", CIndirect}, {"怎么表态", CIndirect}, {"知道该怎么做", CIndirect | CThreat}, {"知道怎么做", CIndirect | CThreat},
	{"东西我不退", CExcess | CKeep}, {"不退货", CExcess | CKeep}, {"东西我留着", CExcess | CKeep}, {"不寄回", CExcess | CKeep},
	{"好处", CMoney | CIndirect}, {"好处费", CMoney | CIndirect}, {"辛苦费", CMoney | CExcess}, {"封口费", CMoney | CExcess | CRemoval},
	{"精神损失费", CMoney | CExcess}, {"误工费", CMoney | CExcess}, {"损失费", CMoney | CExcess}, {"私了", CMoney | CIndirect},
	{"现金", CMoney}, {"支付宝", CMoney}, {"微信转", CMoney | CDemand | CPrivate}, {"到我支付宝", CMoney | CPrivate}, {"我的支付宝", CMoney | CPrivate}, {"诚意", CIndirect}, {"拿出点诚意", CIndirect | CDemand},
	{"有点表示", CIndirect | CDemand}, {"表示点", CIndirect | CDemand}, {"破财消灾", CMoney | CIndirect | CThreat},
	{"十倍", CExcess | CKeep}, {"三倍", CExcess | CKeep}, {"双倍", CExcess | CKeep}, {"翻倍", CExcess | CKeep}, {"两倍", CExcess | CKeep}, {"几倍", CExcess | CKeep}, {"旧的不退", CExcess | CKeep | CRefund},
	{"旧的也不退", CExcess | CKeep | CRefund}, {"旧的我也不退", CExcess | CKeep | CRefund}, {"额外", CExcess}, {"另外再", CExcess},
	{"假一赔十", CRefund}, {"退一赔三", CRefund},
	{"意思一下", CMoney | CIndirect | CDemand}, {"满意的数", CIndirect | CDemand}, {"开个价", CIndirect | CDemand},
	{"出个价", CIndirect | CDemand}, {"你开价", CIndirect | CDemand}, {"价格你开", CIndirect | CDemand}, {"定金", CMoney},
	{"先给", CDemand}, {"先转", CMoney | CDemand}, {"先付", CMoney | CDemand}, {"先打", CMoney | CDemand},
	{"到我卡", CMoney | CDemand}, {"打到我", CMoney | CDemand}, {"hb", CMoney | CIndirect | CPrivate}, {"zfb", CMoney},
	{"reimburse*", CMoney}, {"name your price", CIndirect | CDemand}, {"goodwill", CIndirect},
	// Veiled quid pro quo (zh): "satisfy me and the review takes care of
	// itself", "it depends on how you behave"; "好说" of the feedback means
	// negotiable ("好说话", easy-going, is no ask).
	{"你让我满意", CIndirect}, {"让我舒服", CIndirect}, {"让我满意了", CIndirect}, {"伺候好", CIndirect}, {"哄我开心", CIndirect},
	{"懂事", CIndirect}, {"识相", CIndirect | CThreat}, {"看你表现", CIndirect}, {"看你的表现", CIndirect}, {"心里有数", CIndirect | CThreat},
	{"够意思", CIndirect}, {"好说", CIndirect}, {"好说话", 0}, {"都好说", CIndirect}, {"自然就", CCond | CConseq}, {"给点好处", CMoney | CIndirect | CDemand},
	{"破点财", CMoney | CIndirect | CThreat}, {"破财", CMoney | CIndirect | CThreat},
	// Pinyin for the money words.
	{"hongbao", CMoney | CIndirect | CPrivate}, {"hong bao", CMoney | CIndirect | CPrivate}, {"zhuan", CMoney | CDemand},
	{"zhuanzhang", CMoney | CPrivate}, {"da qian", CMoney | CDemand}, {"gei qian", CMoney | CDemand},
	{"haoping", CFbPos}, {"hao ping", CFbPos}, {"chaping", CFbNeg}, {"cha ping", CFbNeg},
	// A red packet somebody sent, or a price paid for a thing, describes
	// what happened: no ask ("老板发的红包我退回去了", "三百块买的").
	{"发的红包", CThird}, {"给的红包", CThird}, {"送的红包", CThird}, {"一分钱一分货", CDispute}, {"价钱", CHaggle},
	{"要不要", 0},
	// "No matter how much", "X is not needed": money named to be refused.
	{"多少钱都", CNeg | CNegStrong}, {"多少钱我都", CNeg | CNegStrong}, {"给多少都", CNeg | CNegStrong},
	{"就不用了", CDecline}, {"不用了", CDecline}, {"就不要了", CDecline}, {"就免了", CDecline}, {"不需要了", CDecline},
	{"not needed", CDecline}, {"no amount of money", CNeg | CNegStrong}, {"good value", CPositive}, {"great value", CPositive},
	{"value for money", CPositive}, {"性价比", CPositive}, {"物美价廉", CPositive},
	// Slang for paying up; goods for free.
	{"出点血", CMoney | CIndirect | CDemand}, {"出血", CMoney | CIndirect}, {"放点血", CMoney | CIndirect | CDemand},
	{"你比我清楚", CIndirect | CThreat}, {"送我", CDemand}, {"送我的", 0},
	{"red packet", CMoney | CIndirect | CPrivate}, {"red envelope", CMoney | CIndirect | CPrivate},
	{"willing to spend", CMoney | CDemand}, {"to keep your", CRemoval},
	// Money (en).
	{"money", CMoney}, {"cash", CMoney}, {"pay me", CMoney | CDemand}, {"pay", CMoney}, {"paying", CMoney}, {"paid", CDispute}, {"i paid", CDispute}, {"运费", CRefund}, {"刚才", 0}, {"就是", 0}, {"才能", 0}, {"方才", 0},
	{"payment", CMoney}, {"compensat*", CMoney}, {"send me", CDemand}, {"give me", CDemand}, {"transfer", CMoney},
	{"paypal", CMoney}, {"venmo", CMoney | CPrivate}, {"zelle", CMoney | CPrivate}, {"cashapp", CMoney | CPrivate}, {"cash app", CMoney | CPrivate},
	{"gift card", CMoney | CPrivate}, {"my paypal", CMoney | CPrivate}, {"friends and family", CPrivate},
	{"bucks", CMoney}, {"dollars", CMoney}, {"make it worth my while", CMoney | CIndirect | CDemand},
	{"worth my while", CMoney | CIndirect}, {"for my trouble", CMoney | CIndirect | CExcess}, {"for my time", CMoney | CExcess},
	{"something for", CIndirect}, {"you know what to do", CIndirect | CThreat}, {"you know what i want", CIndirect},
	{"worth to you", CIndirect | CDemand | CSale}, {"for a price", CMoney | CIndirect}, {"for a fee", CMoney | CIndirect}, {"for a small fee", CMoney | CIndirect}, {"make me an offer", CIndirect | CDemand}, {"make me a better offer", CIndirect | CDemand},
	{"a little something", CMoney | CIndirect}, {"sweeten", CIndirect}, {"extra", CExcess}, {"on top", CExcess},
	{"bonus", CMoney | CExcess}, {"fee", CMoney}, {"settle", CIndirect}, {"take care of me", CIndirect},
	{"hush money", CMoney | CExcess}, {"inconvenience", CExcess},
	// Selling the feedback; a payment that would "improve my opinion".
	{"for sale", CIndirect | CDemand | CHaggle | CSale}, {"for the right price", CMoney | CIndirect}, {"a small payment", CMoney | CIndirect},
	{"small payment", CMoney | CIndirect}, {"my opinion", CFb}, {"improve my", CRemoval}, {"gone", CRemoval},
	{"get my drift", CIndirect}, {"name a number", CIndirect | CDemand}, {"worth it", CPositive}, {"worth every", CPositive}, {"keep your", CNeg | CNegStrong},
	{"would you sell", CHaggle}, {"you'd sell", CHaggle}, {"sell it for", CHaggle}, {"sell me", CHaggle},
	// Multiples of what was paid; "pay me back" is a refund.
	{"pay me back", CRefund | CDemand}, {"twice what", CExcess | CKeep}, {"twice the", CExcess}, {"double what", CExcess | CKeep},
	{"double the", CExcess}, {"two times", CExcess | CKeep}, {"three times", CExcess | CKeep},
	// Veiled asks: "we can work something out", "if you know what I mean",
	// "come to an arrangement" — about the writer's feedback, a price.
	{"work something out", CIndirect}, {"if you know what i mean", CIndirect}, {"know what i mean", CIndirect},
	{"come to an arrangement", CIndirect}, {"an arrangement", CIndirect}, {"would you pay", CMoney | CDemand},
	{"willing to pay", CMoney | CDemand},
	// A refund that keeps the goods asks beyond the order's remedy.
	{"without return*", CExcess | CKeep}, {"without sending it back", CExcess | CKeep}, {"keep the item", CExcess | CKeep}, {"keep the product", CExcess | CKeep},
	{"no return", CExcess}, {"no need to return", CExcess | CKeep}, {"don't need to return", CExcess | CKeep},
	// Keeping the goods while the money comes back.
	{"东西我收下", CExcess | CKeep}, {"东西我留下", CExcess | CKeep}, {"货我留下", CExcess | CKeep}, {"东西归我", CExcess | CKeep}, {"东西不还", CExcess | CKeep},
	{"i keep the", CExcess | CKeep}, {"i'm keeping the", CExcess | CKeep}, {"keeping the item", CExcess | CKeep}, {"let me keep", CExcess | CKeep},
	// Feedback (zh).
	{"差评", CFbNeg}, {"中评", CFbNeg}, {"中差评", CFbNeg}, {"差p", CFbNeg}, {"差坪", CFbNeg}, {"一星", CFbNeg}, {"1星", CFbNeg},
	{"负面", CFbNeg}, {"曝光", CFbNeg | CThreat}, {"带图差评", CFbNeg}, {"追评", CFb}, {"评价", CFb}, {"评论", CFb}, {"评分", CFb},
	{"好评", CFbPos}, {"cp", CFbNeg}, {"hp", CFbPos}, {"五星", CFbPos}, {"5星", CFbPos}, {"晒图", CFb}, {"低分", CFbNeg},
	// Feedback (en).
	{"feedback", CFb}, {"negative", CFbNeg}, {"neg", CFbNeg}, {"negative feedback", CFbNeg}, {"bad review", CFbNeg}, {"bad reviews", CFbNeg}, {"negatives", CFbNeg}, {"negative reviews", CFbNeg}, {"negative review", CFbNeg},
	{"1-stars", CFbNeg}, {"one-stars", CFbNeg},
	{"bad feedback", CFbNeg}, {"neutral", CFbNeg}, {"1 star", CFbNeg}, {"1-star", CFbNeg}, {"one star", CFbNeg}, {"one-star", CFbNeg},
	{"review", CFb}, {"reviews", CFb}, {"rating", CFb}, {"remark", CFb}, {"positive", CFbPos}, {"5 star", CFbPos}, {"five star", CFbPos},
	{"5-star", CFbPos}, {"good review", CFbPos}, {"5 stars", CFbPos}, {"five stars", CFbPos}, {"4 stars", CFbPos}, {"stars", CFb},
	// Removal (zh).
	{"删", CRemoval}, {"删除", CRemoval}, {"删掉", CRemoval}, {"撤", CRemoval}, {"撤销", CRemoval}, {"撤回", CRemoval}, {"撤掉", CRemoval},
	{"改评", CRemoval}, {"改好评", CRemoval | CFbPos}, {"改成好评", CRemoval | CFbPos}, {"改评价", CRemoval}, {"追加好评", CRemoval | CFbPos},
	{"修改", CRemoval}, {"马上改", CRemoval | CConseq}, {"立马改", CRemoval | CConseq}, {"就改", CRemoval | CConseq}, {"评价改", CRemoval}, {"给你改", CRemoval}, {"帮你改", CRemoval}, {"改掉", CRemoval}, {"改回", CRemoval}, {"拿掉", CRemoval}, {"取消差评", CRemoval | CFbNeg},
	{"删差评", CRemoval | CFbNeg}, {"撤差评", CRemoval | CFbNeg}, {"改成五星", CRemoval | CFbPos},
	// Removal (en).
	{"remov*", CRemoval}, {"withdraw*", CRemoval}, {"delet*", CRemoval}, {"take down", CRemoval}, {"take it down", CRemoval},
	{"taken down", CRemoval}, {"retract*", CRemoval}, {"revis*", CRemoval}, {"change it to", CRemoval}, {"change my", CRemoval},
	{"update my", CRemoval}, {"update it", CRemoval}, {"edit it", CRemoval}, {"edit my", CRemoval}, {"pull it", CRemoval},
	{"go away", CRemoval}, {"goes away", CRemoval}, {"get rid of", CRemoval}, {"forget about", CRemoval}, {"disappear", CRemoval}, {"change the feedback", CRemoval},
	// The feedback's state as the bargaining chip: "the negative stays",
	// "差评没；不转，差评在", "keep my review positive".
	{"stays", CRemoval}, {"stay", CRemoval}, {"remain*", CRemoval}, {"keep my review", CRemoval | CFb},
	{"keep my feedback", CRemoval | CFb}, {"keep my rating", CRemoval | CFb}, {"keep the review", CRemoval | CFb},
	{"keep it positive", CRemoval | CFbPos}, {"no refund needed", CNoDefect}, {"don't need a refund", CNoDefect},
	{"don't want a refund", CNoDefect}, {"keep the refund", CNoDefect}, {"差评在", CRemoval | CFbNeg}, {"差评没", CRemoval | CFbNeg},
	{"差评就没", CRemoval | CFbNeg}, {"消失", CRemoval}, {"挂着", CRemoval}, {"删评", CRemoval | CFb}, {"想删", CRemoval | CFb},
	{"想撤", CRemoval | CFb}, {"v我", CMoney | CDemand | CPrivate},
	// Beyond the order: on top of a refund, a multiple of it.
	{"再加", CExcess}, {"另加", CExcess}, {"另外给", CExcess | CDemand}, {"再给", CExcess | CDemand}, {"再赔", CExcess | CMoney},
	{"多退", CExcess}, {"加倍", CExcess}, {"double", CExcess}, {"triple", CExcess | CKeep}, {"plus", CExcess}, {"in addition", CExcess},
	// Conditions.
	{"就", CCond | CConseq}, {"才", CCond | CConseq}, {"否则", CCond | CConseq}, {"不然", CCond | CConseq},
	{"要不然", CCond | CConseq}, {"要么", CCond}, {"只要", CCond}, {"如果", CCond}, {"要是", CCond}, {"的话", CCond},
	{"除非", CCond}, {"马上", CCond | CConseq}, {"立马", CCond | CConseq}, {"等你", CCond}, {"之后", CCond},
	{"if", CCond}, {"unless", CCond}, {"once", CCond}, {"as soon as", CCond}, {"or else", CCond | CConseq | CThreat},
	{"otherwise", CCond | CConseq}, {"until", CCond}, {"then", CCond | CConseq}, {"in exchange", CCond},
	{"and i'll", CCond | CConseq}, {"and i will", CCond | CConseq}, {"or i'll", CCond | CConseq | CThreat},
	{"or i will", CCond | CConseq | CThreat}, {"after you", CCond}, {"when you", CCond}, {"i'll", CConseq}, {"i will", CConseq},
	{"don't make me", CThreat}, {"unless you want", CThreat | CCond},
	{"and i won't", CCond | CConseq | CNeg | CNegStrong}, {"and i will not", CCond | CConseq | CNeg | CNegStrong},
	{"or i", CCond | CConseq}, {"or everyone", CCond | CConseq | CThreat},
	// Threats (zh).
	{"看着办", CThreat | CIndirect}, {"后果自负", CThreat}, {"走着瞧", CThreat}, {"你等着", CThreat}, {"等着瞧", CThreat},
	{"有你好看", CThreat}, {"别后悔", CThreat}, {"不要后悔", CThreat}, {"后悔", CThreat}, {"掂量", CThreat}, {"自己想清楚", CThreat},
	{"吃不了兜着走", CThreat}, {"没完", CThreat}, {"搞死", CThreat}, {"搞垮", CThreat}, {"弄死", CThreat}, {"关店", CThreat},
	{"天天差评", CThreat | CFbNeg}, {"每个商品", CThreat}, {"所有商品", CThreat}, {"找人", CThreat}, {"小号", CThreat},
	{"最后一次", CThreat}, {"别逼我", CThreat}, {"还不", 0}, {"还不打算", 0}, {"别让我", CThreat}, {"不要让我", CThreat}, {"你让我", 0}, {"想让我", 0}, {"不要逼我", CThreat}, {"给不给", CThreat | CDemand}, {"不给就", CThreat | CCond},
	{"发到网上", CThreat}, {"让你店", CThreat}, {"降权", CThreat}, {"扣分", CThreat}, {"投诉到底", CThreat}, {"别怪我", CThreat},
	{"不客气", CThreat}, {"你自己看", CThreat}, {"考虑清楚", CThreat}, {"够你受", CThreat}, {"够你喝一壶", CThreat},
	// Reporting the seller, exposing the shop, telling everyone (zh): the
	// writer's threat, not talk about extortion.
	{"举报你", CThreat}, {"到处发", CFbNeg | CThreat}, {"发帖", CFbNeg}, {"到处说", CThreat}, {"投诉你", CThreat}, {"差评伺候", CFbNeg | CThreat}, {"发朋友圈", CFbNeg | CThreat}, {"发视频", CFbNeg | CThreat},
	{"让所有人", CThreat}, {"所有人都知道", CThreat}, {"你家是骗子", CThreat}, {"你们是骗子", CThreat}, {"你是骗子", CThreat},
	{"是黑店", CThreat}, {"刷差评", CFbNeg | CThreat},
	// Threats (en).
	{"you'll regret", CThreat}, {"you will regret", CThreat}, {"ruin your", CThreat}, {"destroy your", CThreat},
	{"every listing", CThreat}, {"all your listings", CThreat}, {"tell everyone", CThreat}, {"your store will", CThreat},
	{"shut down", CThreat}, {"last chance", CThreat}, {"consequences", CThreat}, {"you've been warned", CThreat},
	{"you have been warned", CThreat}, {"your call", CThreat}, {"your choice", CThreat}, {"up to you", CThreat},
	{"clock is ticking", CThreat}, {"or you'll see", CThreat}, {"multiple accounts", CThreat}, {"other accounts", CThreat},
	{"sellers pay", CPro}, {"you're next", CThreat}, {"youre next", CThreat},
	{"tank your", CThreat}, {"your rating will", CThreat}, {"your shop", CThreat}, {"your store", CThreat},
	// Reporting the seller, exposing the shop (en).
	{"report you", CThreat}, {"telling everyone", CThreat}, {"tell the whole", CThreat}, {"telling the whole", CThreat},
	{"whole forum", CThreat}, {"whole internet", CThreat}, {"or i'm", CCond | CConseq}, {"report it", CThreat}, {"report your", CThreat}, {"reporting your", CThreat}, {"tell all my", CThreat},
	{"my followers", CThreat}, {"everyone on", CThreat}, {"everyone will know", CThreat}, {"post a video", CFbNeg | CThreat},
	{"post the video", CFbNeg | CThreat}, {"is a scam", CThreat}, {"should i report", CMeta},
	// A refund several times the order is money beyond any remedy.
	{"double refund", CMoney | CDemand}, {"triple refund", CMoney | CDemand}, {"refund twice", CMoney | CDemand},
	{"refund me twice", CMoney | CDemand}, {"refund me double", CMoney | CDemand | CExcess | CKeep}, {"back double", CExcess | CKeep}, {"double my", CExcess | CKeep}, {"triple my", CExcess | CKeep}, {"refund double", CExcess | CKeep},
	{"pay me double", CMoney | CDemand | CExcess | CKeep}, {"退双倍", CExcess | CKeep}, {"赔双倍", CExcess | CKeep},
	// Being paid as the condition: "1-star unless I get paid".
	{"get paid", CMoney | CDemand}, {"gets paid", CMoney | CDemand}, {"until i'm paid", CMoney | CDemand},
	// Self-declared professionals.
	{"职业差评师", CPro | CFbNeg}, {"职业差评", CPro | CFbNeg}, {"职业打假", CPro}, {"打假人", CPro}, {"专业差评", CPro | CFbNeg},
	{"干这行", CPro}, {"我专门", CPro}, {"吃这碗饭", CPro}, {"别的店都", CPro}, {"其他店都", CPro}, {"其他商家都", CPro},
	{"很多商家", CPro}, {"我是专业的", CPro}, {"做这个的", CPro}, {"混这行", CPro},
	{"for a living", CPro}, {"professional", CPro}, {"i do this all the time", CPro}, {"other sellers paid", CPro},
	{"other sellers have paid", CPro}, {"sellers always pay", CPro}, {"ask other sellers", CPro}, {"this is my job", CPro},
	{"i've done this", CPro}, {"done this before", CPro},
	// Off-platform pressure.
	{"加我微信", COff}, {"加微信", COff}, {"微信聊", COff}, {"加我qq", COff}, {"加qq", COff}, {"qq聊", COff}, {"扣扣", COff},
	{"私聊", COff}, {"私下", COff | CPrivate}, {"电话聊", COff}, {"打电话", COff}, {"打我电话", COff}, {"发短信", COff}, {"加v", COff},
	{"加vx", COff}, {"vx", COff}, {"v信", COff}, {"薇信", COff}, {"威信", COff}, {"wx", COff}, {"企鹅", COff}, {"留个电话", COff},
	{"外面聊", COff}, {"加微", COff}, {"weixin", COff}, {"wei xin", COff}, {"微x", COff}, {"q聊", COff}, {"平台外", COff}, {"这里不方便", COff}, {"不方便说", COff}, {"换个地方", COff}, {"加个好友", COff},
	{"微信", CPrivate}, {"到微信", CPrivate | CMoney}, {"微信上", CPrivate}, {"私人", CPrivate}, {"私账", CPrivate | CMoney},
	{"whatsapp", COff}, {"telegram", COff}, {"text me", COff}, {"call me", COff}, {"email me", COff}, {"outside ebay", COff},
	{"outside of ebay", COff}, {"off ebay", COff}, {"off the platform", COff}, {"outside the platform", COff},
	{"dm me", COff}, {"message me on", COff}, {"wechat", COff | CPrivate}, {"signal", COff}, {"my number", COff}, {"privately", COff},
	{"in private", COff}, {"skype", COff}, {"off-site", COff}, {"offline", COff},
	// Disputes and refunds.
	{"质量", CDispute}, {"坏了", CDispute}, {"坏的", CDispute}, {"破损", CDispute}, {"破了", CDispute}, {"没收到", CDispute},
	{"未收到", CDispute}, {"没到", CDispute}, {"丢件", CDispute}, {"漏发", CDispute}, {"少发", CDispute}, {"发错", CDispute},
	{"错发", CDispute}, {"不符", CDispute}, {"色差", CDispute}, {"尺码", CDispute}, {"假货", CDispute}, {"假的", CDispute},
	{"瑕疵", CDispute}, {"划痕", CDispute}, {"异味", CDispute}, {"用不了", CDispute}, {"不能用", CDispute}, {"充不进", CDispute},
	{"无效", CDispute}, {"过期", CDispute}, {"卡密", CDispute}, {"不好用", CDispute}, {"失效", CDispute}, {"物流", CDispute},
	{"快递", CDispute}, {"发货", CDispute}, {"不能充值", CDispute}, {"充值失败", CDispute}, {"已使用", CDispute},
	{"退款", CRefund}, {"退钱", CRefund}, {"退货", CRefund}, {"换货", CRefund}, {"补发", CRefund}, {"重发", CRefund},
	{"退回", CRefund}, {"售后", CRefund}, {"换一个", CRefund}, {"退差价", CRefund},
	// A remedy of the order: return, refund, exchange, re-send, repair.
	{"退", CRefund}, {"给退", CRefund}, {"退我", CRefund | CDemand}, {"换个新的", CRefund}, {"换一", CRefund}, {"补寄", CRefund}, {"补一个", CRefund}, {"撤评", CRemoval | CFb}, {"换个好的", CRefund}, {"换新", CRefund}, {"给我换", CRefund | CDemand},
	{"换一件", CRefund}, {"换一张", CRefund}, {"重新发", CRefund}, {"重新寄", CRefund}, {"补上", CRefund}, {"补齐", CRefund},
	{"少给了", CDispute}, {"少发", CDispute}, {"漏发", CDispute}, {"再发一", CRefund}, {"维修", CRefund}, {"返修", CRefund},
	{"修好", CRefund}, {"包修", CRefund}, {"保修", CRefund}, {"换掉", CRefund}, {"退一半", CRefund}, {"部分退款", CRefund},
	{"repair*", CRefund}, {"fix it", CRefund}, {"fix the issue", CRefund}, {"fix the problem", CRefund}, {"fix this", CRefund}, {"resolve the issue", CRefund}, {"sort it out", CRefund}, {"send a new", CRefund}, {"new one", CRefund}, {"swap", CRefund},
	{"send the right", CRefund}, {"ship another", CRefund}, {"return label", CRefund}, {"partial refund", CRefund},
	{"price difference", CRefund}, {"the difference", CRefund},
	// Saying the item is fine removes the grievance behind a remedy.
	{"东西没问题", CNoDefect}, {"质量没问题", CNoDefect}, {"东西挺好", CNoDefect}, {"东西很好", CNoDefect}, {"没什么问题", CNoDefect},
	{"没毛病", CNoDefect}, {"东西没毛病", CNoDefect}, {"东西是好的", CNoDefect}, {"货没问题", CNoDefect}, {"卡是好的", CNoDefect},
	{"都能用", CNoDefect}, {"也能用", CNoDefect}, {"其实能用", CNoDefect}, {"没坏", CNoDefect}, {"好好的", CNoDefect},
	{"item is genuine", CNoDefect}, {"it's genuine", CNoDefect}, {"知道是正品", CNoDefect},
	{"item is fine", CNoDefect}, {"item is great", CNoDefect}, {"works great", CNoDefect}, {"no complaints", CNoDefect}, {"item's fine", CNoDefect}, {"item is perfect", CNoDefect}, {"nothing wrong", CNoDefect},
	{"works fine", CNoDefect}, {"works perfectly", CNoDefect}, {"item was fine", CNoDefect}, {"product is fine", CNoDefect},
	{"no problem with", CNoDefect}, {"no issue with", CNoDefect}, {"no issues with", CNoDefect}, {"keep the item", CNoDefect},
	{"不用退货", CNoDefect}, {"东西不退", CNoDefect}, {"东西我留着", CNoDefect}, {"货我留着", CNoDefect},
	// Bargaining over the price before or at purchase.
	{"便宜", CHaggle}, {"便宜点", CHaggle}, {"便宜一点", CHaggle}, {"议价", CHaggle}, {"砍价", CHaggle}, {"能少", CHaggle},
	{"少点", CHaggle}, {"少一点", CHaggle}, {"最低", CHaggle}, {"优惠", CHaggle}, {"打折", CHaggle}, {"折扣", CHaggle},
	{"包邮", CHaggle}, {"多少钱", CHaggle | CMoney}, {"能卖吗", CHaggle}, {"卖不卖", CHaggle}, {"出不出", CHaggle},
	{"negotiable", CHaggle}, {"would you take", CHaggle}, {"can you do", CHaggle}, {"could you do", CHaggle}, {"would you do", CHaggle}, {"would you accept", CHaggle}, {"will you take", CHaggle},
	{"will you accept", CHaggle}, {"best price", CHaggle}, {"lowest price", CHaggle}, {"best offer", CHaggle},
	{"obo", CHaggle}, {"make an offer", CHaggle}, {"lower the price", CHaggle}, {"price drop", CHaggle},
	{"how much", CHaggle}, {"discount", CHaggle}, {"bundle", CHaggle}, {"asking price", CHaggle}, {"go lower", CHaggle},
	{"come down", CHaggle},
	{"broken", CDispute}, {"damaged", CDispute}, {"defective", CDispute}, {"doesn't work", CDispute}, {"does not work", CDispute},
	{"not working", CDispute}, {"never arrived", CDispute}, {"never received", CDispute}, {"not received", CDispute},
	{"didn't arrive", CDispute}, {"not as described", CDispute}, {"wrong item", CDispute}, {"wrong size", CDispute},
	{"fake", CDispute}, {"counterfeit", CDispute}, {"missing", CDispute}, {"cracked", CDispute}, {"invalid", CDispute},
	{"expired", CDispute}, {"scratch*", CDispute}, {"late", CDispute}, {"tracking", CDispute}, {"quality", CDispute},
	{"broke", CDispute}, {"stopped working", CDispute}, {"fell apart", CDispute}, {"it cost", CDispute}, {"cost me", CDispute},
	// Money in a review's advice or in what was spent is no demand.
	{"waste their money", CDispute}, {"waste your money", CDispute}, {"save your money", CDispute}, {"wasted my money", CDispute},
	{"亏大了", CDispute}, {"亏了", CDispute}, {"不值", CDispute}, {"骗钱", CDispute}, {"贵了", CDispute}, {"花得", CDispute},
	{"冤枉钱", CDispute}, {"买这个", CDispute}, {"别买", CDispute},
	{"waste of money", CDispute}, {"wasted", CDispute}, {"already used", CDispute}, {"already redeemed", CDispute}, {"pay attention", 0}, {"花了", CDispute}, {"白花", CDispute},
	{"seller wants", CReport | CThird}, {"seller gave", CReport | CThird}, {"seller offered", CReport | CThird},
	{"refund*", CRefund}, {"return", CRefund}, {"returned", CRefund}, {"replacement", CRefund}, {"replace", CRefund},
	{"exchange", CRefund}, {"money back", CRefund}, {"send another", CRefund}, {"resend", CRefund}, {"reship", CRefund},
	// Negators. Strong ones also negate money ("不要钱", "not asking for money").
	{"不会", CNeg | CNegStrong}, {"不要", CNeg | CNegStrong}, {"不想", CNeg | CNegStrong}, {"不打算", CNeg | CNegStrong},
	{"没打算", CNeg | CNegStrong}, {"没想", CNeg | CNegStrong}, {"绝不", CNeg | CNegStrong}, {"绝对不", CNeg | CNegStrong},
	{"决不", CNeg | CNegStrong}, {"从不", CNeg | CNegStrong}, {"不需要", CNeg | CNegStrong}, {"不用", CNeg | CNegStrong},
	{"没有要", CNeg | CNegStrong}, {"不是要", CNeg | CNegStrong}, {"不图", CNeg | CNegStrong}, {"不在乎", CNeg | CNegStrong},
	{"不给", CNeg}, {"不是", CNeg}, {"没", CNeg}, {"不", CNeg}, {"别", CNeg},
	{"won't", CNeg | CNegStrong}, {"wont", CNeg | CNegStrong}, {"will not", CNeg | CNegStrong}, {"would not", CNeg | CNegStrong},
	{"wouldn't", CNeg | CNegStrong}, {"never", CNeg | CNegStrong}, {"no need", CNeg | CNegStrong},
	{"no intention", CNeg | CNegStrong}, {"not gonna", CNeg | CNegStrong}, {"not going to", CNeg | CNegStrong},
	{"not asking", CNeg | CNegStrong}, {"don't want", CNeg | CNegStrong}, {"do not want", CNeg | CNegStrong},
	{"not looking for", CNeg | CNegStrong}, {"don't need", CNeg | CNegStrong}, {"not about the money", CNeg | CNegStrong},
	{"not", CNeg}, {"don't", CNeg}, {"do not", CNeg}, {"didn't", CNeg}, {"did not", CNeg}, {"no", CNeg},
	// Reporting frames, talk about extortion, the seller's voice.
	{"买家说", CReport | CThird}, {"他说", CReport | CThird}, {"她说", CReport | CThird}, {"对方说", CReport | CThird},
	{"顾客说", CReport | CThird}, {"客户说", CReport | CThird}, {"买家发", CReport | CThird}, {"他发", CReport | CThird},
	{"威胁我", CReport | CMeta}, {"威胁说", CReport | CMeta}, {"要挟", CReport | CMeta}, {"他要", CReport | CThird},
	{"买家要", CReport | CThird}, {"对方要", CReport | CThird}, {"跟我说", CReport}, {"原话", CReport}, {"留言说", CReport},
	{"声称", CReport}, {"扬言", CReport | CMeta}, {"问我要", CReport | CThird}, {"找我要", CReport | CThird}, {"让我", CReport}, {"有个人", CThird}, {"有人", CThird}, {"报警", CMeta},
	{"敲诈", CMeta}, {"勒索", CMeta}, {"举报", CMeta}, {"怎么办", CMeta}, {"怎么处理", CMeta}, {"截图", CMeta},
	{"求助", CMeta}, {"平台介入", CMeta}, {"该不该", CMeta}, {"要不要给", CMeta}, {"遇到", CMeta}, {"碰到", CMeta}, {"骗子", CMeta},
	{"职业差评师吗", CMeta}, {"小二", CMeta}, {"客服介入", CMeta}, {"证据", CMeta},
	{"buyer said", CReport | CThird}, {"buyer says", CReport | CThird}, {"he said", CReport | CThird}, {"she said", CReport | CThird},
	{"they said", CReport | CThird}, {"buyer wrote", CReport | CThird}, {"he wrote", CReport | CThird}, {"she wrote", CReport | CThird},
	{"told me", CReport}, {"messaged me", CReport}, {"threatened", CReport | CMeta}, {"threatening", CReport | CMeta},
	{"demanded", CReport}, {"demanding", CReport}, {"wants me to", CReport}, {"asked me to", CReport}, {"asking me to", CReport},
	{"quote", CReport}, {"buyer messaged", CReport | CThird}, {"customer wrote", CReport | CThird}, {"customer said", CReport | CThird}, {"buyer sent", CReport | CThird}, {"they wrote", CReport | CThird}, {"feedback extortion", CMeta},
	{"extortion", CMeta}, {"extort*", CMeta}, {"blackmail*", CMeta}, {"report him", CMeta}, {"report this", CMeta},
	{"is that allowed", CMeta}, {"is this allowed", CMeta}, {"is that legal", CMeta}, {"is this legal", CMeta},
	{"offered me", CReport | CThird},
	{"how do i report", CMeta}, {"should i pay", CMeta}, {"what should i do", CMeta}, {"what do i do", CMeta}, {"scam*", CMeta},
	{"screenshot*", CMeta}, {"evidence", CMeta}, {"is this allowed", CMeta},
	{"卖家说", CReport | CThird}, {"商家说", CReport | CThird}, {"老板说", CReport | CThird}, {"客服说", CReport | CThird},
	{"卖家主动", CReport | CThird}, {"商家主动", CReport | CThird}, {"老板主动", CReport | CThird}, {"主动说", CReport},
	{"我是卖家", CSeller}, {"我的店", CSeller}, {"我店", CSeller}, {"本店", CSeller}, {"返现", CSeller | CPositive}, {"好评返现", CSeller | CPositive}, {"店主", CSeller}, {"卖家朋友", CSeller},
	{"新店", CSeller}, {"开店", CSeller}, {"i'm a seller", CSeller}, {"my buyer", CSeller}, {"my store", CSeller},
	{"my shop", CSeller}, {"as a seller", CSeller}, {"fellow sellers", CSeller}, {"new seller", CSeller}, {"a buyer", CSeller | CThird},
	{"买家", CThird}, {"对方", CThird}, {"他", CThird}, {"她", CThird}, {"这个人", CThird}, {"buyer", CThird}, {"customer", CThird},
	{"he", CThird}, {"she", CThird}, {"this guy", CThird},
	// Jokes and satisfaction.
	{"哈哈", CJoke}, {"开玩笑", CJoke}, {"逗你", CJoke}, {"玩笑", CJoke}, {"嘻嘻", CJoke}, {"😂", CJoke}, {"🤣", CJoke}, {"😄", CJoke},
	{"lol", CJoke}, {"haha*", CJoke}, {"jk", CJoke}, {"kidding", CJoke}, {"joking", CJoke}, {"joke", CJoke},
	{"满意", CPositive}, {"不错", CPositive}, {"谢谢", CPositive}, {"感谢", CPositive}, {"很好", CPositive}, {"喜欢", CPositive},
	{"推荐", CPositive}, {"点赞", CPositive}, {"thanks", CPositive}, {"thank you", CPositive}, {"great", CPositive},
	{"love it", CPositive}, {"recommend*", CPositive}, {"happy with", CPositive}, {"perfect", CPositive}, {"fast shipping", CPositive},
}
