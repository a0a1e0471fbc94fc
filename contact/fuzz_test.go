package contact

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzFind checks Find's invariants on arbitrary input: it never panics,
// spans are non-empty, sorted, non-overlapping runs of whole runes inside
// the text, and values are normalised for their kind.
func FuzzFind(f *testing.F) {
	for _, s := range []string{
		"加我扣扣 3 8 5 7 2 1 9 0 6",
		"vx: Zhang_San88 微信同号13812345678",
		"123456艾特qq点com",
		"https://www.Example.com/x?y=1.",
		"支付宝 abc@163.com",
		"\xff\xfe13812345678",
		"①③⑧①②③④⑤⑥⑦⑧",
		"call one three eight one two three four five six seven eight",
		"+86 (0)21 6123 4567",
		"手机尾号 8000，前面是138 0013",
		"call 1-800-FIX-REVW anytime",
		"one three eight, double zero one three, eight triple zero",
		"小红书号：小美的卡铺",
		"t dot me slash cardking",
		"fb: john.smith.123",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		got := Find(text)
		bounds := runeBounds(text)
		prevEnd := 0
		for _, c := range got {
			if c.Start < prevEnd || c.Start >= c.End || c.End > len(text) {
				t.Fatalf("Find(%q): bad span [%d,%d) after %d in %v", text, c.Start, c.End, prevEnd, got)
			}
			if !bounds[c.Start] || !bounds[c.End] {
				t.Fatalf("Find(%q): span [%d,%d) not on rune boundaries", text, c.Start, c.End)
			}
			prevEnd = c.End
			if c.Confidence <= 0 || c.Confidence > 1 {
				t.Fatalf("Find(%q): confidence %v out of range", text, c.Confidence)
			}
			if !normalisedValue(c.Kind, c.Value) {
				t.Fatalf("Find(%q): value %q not normalised for kind %q", text, c.Value, c.Kind)
			}
		}
	})
}

// normalisedValue reports whether v has the normal form of kind k.
func normalisedValue(k Kind, v string) bool {
	if v == "" {
		return false
	}
	switch k {
	case Phone:
		return len(v) > 1 && v[0] == '+' && allBytes(v[1:], func(b byte) bool { return b >= '0' && b <= '9' })
	case QQ:
		return allBytes(v, func(b byte) bool { return b >= '0' && b <= '9' })
	case Email:
		return strings.Count(v, "@") == 1 && lowerASCII(v)
	case WeChat, URL:
		return lowerASCII(v)
	case Other:
		// a nickname on a Chinese platform may be in Chinese characters
		// ("小红书号：小美的卡铺"); ASCII letters in it are lower case
		return utf8.ValidString(v) && !strings.ContainsFunc(v, func(r rune) bool {
			return r <= ' ' || r == 0x7f || r >= 'A' && r <= 'Z' || unicode.IsSpace(r)
		})
	case Alipay:
		return normalisedValue(Phone, v) || normalisedValue(Email, v)
	}
	return false
}

func allBytes(s string, ok func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return true
}

func lowerASCII(s string) bool {
	return allBytes(s, func(b byte) bool { return b > ' ' && b < 0x7f && !(b >= 'A' && b <= 'Z') })
}
