package scenarios

type category struct {
	name    string
	digital bool
	lo, hi  int // price range in cents
	titles  []string
}

// catalogue returns the market's categories; the first one is always
// cheap digital cards (what complainers and bad card sellers deal in).
func catalogue(m Market) []category {
	usd := m.Currency == "USD"
	scale := func(cny, usdc int) int {
		if usd {
			return usdc
		}
		return cny
	}
	if m.Chinese {
		return []category{
			{"gift_card", true, scale(2000, 500), scale(10000, 2500), []string{"京东E卡 50元", "Steam钱包充值码 100元", "App Store 充值卡 Gift Card"}},
			{"topup", true, scale(1000, 500), scale(10000, 3000), []string{"移动话费 30元 快充", "联通 50元 话费直充", "游戏点卡 Game points 60"}},
			{"software_key", true, scale(1500, 900), scale(29900, 6000), []string{"Win11 专业版 激活码", "Office 2021 永久密钥", "VPN 年卡 账号"}},
			{"shoes", false, scale(19900, 4000), scale(89900, 15000), []string{"运动鞋 跑步鞋 男款", "帆布鞋 Canvas sneakers", "女士短靴"}},
			{"phone_case", false, scale(900, 300), scale(5900, 1500), []string{"iPhone 15 手机壳 透明", "华为 Mate 防摔壳"}},
			{"earphones", false, scale(4900, 1500), scale(39900, 9000), []string{"蓝牙耳机 降噪", "有线耳机 Type-C"}},
		}
	}
	return []category{
		{"gift_card", true, scale(2000, 500), scale(10000, 2500), []string{"$10 Google Play gift card", "$25 eShop code (US)", "Roblox 800 Robux card"}},
		{"topup", true, scale(1000, 500), scale(10000, 3000), []string{"Prepaid mobile top-up $15", "Game credits 1000 pts"}},
		{"software_key", true, scale(1500, 900), scale(29900, 6000), []string{"Windows 11 Pro license key", "Antivirus 1 year, 3 devices", "Office Home 2021 key"}},
		{"shoes", false, scale(19900, 4000), scale(89900, 15000), []string{"Trail running shoes", "Leather loafers, brown", "Kids' rain boots"}},
		{"home", false, scale(2900, 800), scale(29900, 9000), []string{"Vintage desk lamp", "Ceramic mug set (4)", "Linen throw pillow"}},
		{"cables", false, scale(900, 300), scale(5900, 2000), []string{"USB-C cable 2m braided", "HDMI 2.1 cable"}},
	}
}

func shopNames(zh bool) []string {
	if zh {
		return []string{"小李数码", "星光卡券店", "阿福的鞋铺", "Happy Card 小铺", "诚信充值"}
	}
	return []string{"Bright Deals", "Corner Keys", "Maple Shoe Co.", "Pixel Cards", "Second Shelf"}
}

func positiveTexts(zh bool) []string {
	if zh {
		return []string{"很好，秒到账", "鞋子质量不错，尺码正", "卖家态度好，推荐", "和描述一致，五星", "第二次买了，靠谱", "good, 很快"}
	}
	return []string{"Works, thanks!", "Fast delivery, as described.", "Great seller, would buy again", "Exactly what I needed", "Good quality for the price", "A+"}
}

func neutralTexts(zh bool) []string {
	if zh {
		return []string{"一般般吧", "发货有点慢", "还行，包装简陋"}
	}
	return []string{"It's ok.", "Shipping was slow but fine", "Average quality"}
}

func honestNegative(zh, digital, critic bool) []string {
	switch {
	case zh && digital:
		return []string{"卡密无效，提示已被使用", "充值一直不到账，客服不回", "激活码用不了，差评", "码是错的，浪费时间"}
	case zh && critic:
		return []string{"做工粗糙，鞋底开胶，穿了两天就坏了，和图片差距很大，不推荐。", "质量太差了，线头很多，味道也大，申请退货还要我自己出运费。", "尺码严重偏小，描述不准确，包装也破了。"}
	case zh:
		return []string{"质量差", "和图片不一样", "物流太慢了，还压坏了", "用了一周就坏"}
	case digital:
		return []string{"Code says already redeemed.", "Key didn't activate, support is silent", "Top-up never arrived", "Invalid code, avoid"}
	case critic:
		return []string{"The stitching came apart after a week and the sole is glued crooked. Photos are misleading; would not buy again.", "Arrived scratched, cheap plastic smell, and the seller wanted me to pay return shipping.", "Runs two sizes small and the description says true to size. Disappointed."}
	default:
		return []string{"Poor quality", "Not as pictured", "Broke after a few days", "Took three weeks to arrive"}
	}
}

func deliveryNotes(zh bool) []string {
	if zh {
		return []string{"快递到了请打我电话 139 1234 5678，白天不在家", "请发顺丰，收件电话 13800138000", "什么时候发货呀？", "地址改一下，电话不变 186-1111-2222"}
	}
	return []string{"Please have the courier call me at 415-555-0134, buzzer is broken", "When will this ship?", "Can you leave it with the doorman? My cell is (646) 555-0187", "Is the lamp still available in green?"}
}

func sellerOK(zh bool) []string {
	if zh {
		return []string{"好的亲，已备注", "收到，今天发"}
	}
	return []string{"Noted, thanks!", "Will do, shipping today."}
}

func refundAsk(zh bool) []string {
	if zh {
		return []string{"东西有问题，能退款吗？", "卡用不了，麻烦退款", "申请退货退款，谢谢"}
	}
	return []string{"Can I get a refund please? It doesn't work.", "I'd like to return this for a refund.", "Please refund, the item is defective."}
}

func afterRefund(zh bool) []string {
	if zh {
		return []string{"已退款，东西还是一般", "退款很快，态度可以"}
	}
	return []string{"Refunded quickly, item still meh", "Seller refunded, fair enough"}
}

func cardBroken(zh bool) []string {
	if zh {
		return []string{"你好，卡密显示无效", "充值失败，怎么回事？"}
	}
	return []string{"Hi, the code shows invalid", "Top-up failed, what happened?"}
}

func sellerResend(zh bool) []string {
	if zh {
		return []string{"抱歉亲，重新给您发了一张新卡，请查收", "系统问题，已补发"}
	}
	return []string{"Sorry about that, sent you a fresh code in your orders page", "Our supplier glitch, replacement sent"}
}

func fixedTexts(zh bool) []string {
	if zh {
		return []string{"卖家补发了，可以用了", "问题解决了，好评"}
	}
	return []string{"Seller sent a new code, works now", "Resolved quickly, thanks"}
}

func extortionNegative(zh bool) []string {
	if zh {
		return []string{"骗子，卡是假的", "充值没到账，黑心卖家", "大家别买，假货", "垃圾店铺，骗钱", "卡密被用过了，骗子"}
	}
	return []string{"Scam! code doesn't work", "Fake key, seller ignores me", "DO NOT BUY. Fraud", "Never received anything, thief", "Used code, scammer"}
}

func demands(zh bool, sign string) []string {
	if zh {
		return []string{
			"给我转50块我就删差评",
			"想让我改好评，先转30红包",
			"不给钱差评永远挂着，你店还想开吗",
			"赔我100，差评立刻删",
			"私下给点补偿，我就追评改掉",
		}
	}
	return []string{
		"pay " + sign + "20 and I'll delete the review",
		"Send 15 via paypal and the 1-star goes away",
		"I can remove the negative if you pay me " + sign + "30 for my trouble",
		"Want the bad review gone? " + sign + "25, today.",
		"compensate me and I change it to 5 stars, otherwise it stays forever",
	}
}

func contactLeadIns(zh bool) []string {
	if zh {
		return []string{"差评的事私聊", "想解决就加我", "这里不方便说"}
	}
	return []string{"let's sort out the review privately", "message me off here", "can't talk here"}
}

func sellerRefuses(zh bool) []string {
	if zh {
		return []string{"请在平台沟通，我们不会私下转账", "我们已经举报了"}
	}
	return []string{"Please keep it on the platform, we won't pay.", "We've reported this conversation."}
}

func paidOff(zh bool) []string {
	if zh {
		return []string{"误会一场，卡没问题", "好评", "已解决"}
	}
	return []string{"Misunderstanding, all good", "Great seller", "resolved"}
}

func reportTexts(zh bool) []string {
	if zh {
		return []string{"买家差评后要钱删评", "秒拍秒差评，然后加微信勒索"}
	}
	return []string{"Buyer demanded money to remove the review", "Negative within minutes, then asked for cash to delete it"}
}
