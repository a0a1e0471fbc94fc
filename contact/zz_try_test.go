package contact

import (
	"fmt"
	"os"
	"testing"
)

func TestTry(t *testing.T) {
	for _, s := range []string{
		"加我扣扣 3 8 5 7 2 1 9 0 6",
		"vx: zhang_san88 微信同号13812345678",
		"我的手机１３８１２３４５６７８",
		"幺三八幺二三四五六七八",
		"123456艾特qq点com",
		"name at gmail dot com",
		"看这里 t.cn/AbC123 还有 https://www.Example.com/x?y=1.",
		"支付宝 abc@163.com",
		"订单号 123456789012345678",
		"SF1234567890123 顺丰",
		"50元Q币充值卡",
		"QQ糖很好吃 12345",
		"+86 138 1234 5678",
		"①③⑧①②③④⑤⑥⑦⑧",
		"1️⃣3️⃣8️⃣1️⃣2️⃣3️⃣4️⃣5️⃣6️⃣7️⃣8️⃣",
		"qq号是385721906",
		"385721906是我扣扣",
		"V领毛衣 很好看",
		"电话 010-12345678",
		"2026-03-01 10:04 下单",
		"\xff\xfe13812345678",
	} {
		fmt.Fprintf(os.Stdout, "%q\n", s)
		for _, c := range Find(s) {
			fmt.Fprintf(os.Stdout, "   %+v  [%q]\n", c, s[c.Start:c.End])
		}
	}
}
