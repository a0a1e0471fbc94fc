package contact

import (
	"strings"
	"testing"
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
	case WeChat, URL, Other:
		return lowerASCII(v)
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
