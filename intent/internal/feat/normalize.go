// Package feat holds the text analysis behind package intent: normalisation,
// the phrase lexicon, clause-aware pattern features, hashed character n-grams,
// and the logistic-regression model with its deterministic trainer.
//
// It is internal so that package intent (the scorer) and the trainer program
// share one feature extractor: what training sees is what scoring computes.
package feat

import (
	"unicode/utf8"
)

// Text is a normalised message: lower-cased, full-width folded, a few common
// traditional characters mapped to simplified, curly quotes straightened.
// Every byte of Norm maps back to a byte offset of the original text, so
// reasons can quote the original wording.
type Text struct {
	Orig   string
	Norm   []byte
	Off    []int32 // Off[i] = original byte offset of Norm[i]; len(Off) == len(Norm)+1
	Quoted []bool  // Quoted[i]: Norm[i] lies inside a closed quotation
}

// tradToSimp folds the traditional characters that matter to the lexicon.
var tradToSimp = map[rune]rune{
	'評': '评', '刪': '删', '錢': '钱', '紅': '红', '職': '职', '業': '业', '師': '师',
	'給': '给', '塊': '块', '轉': '转', '帳': '账', '賬': '账', '賠': '赔', '償': '偿',
	'價': '价', '說': '说', '這': '这', '會': '会', '們': '们', '還': '还', '後': '后',
	'讓': '让', '聯': '联', '繫': '系', '話': '话', '電': '电', '發': '发', '個': '个',
	'樣': '样', '對': '对', '錯': '错', '貨': '货', '壞': '坏', '質': '质', '買': '买',
	'賣': '卖', '問': '问', '題': '题', '舉': '举', '報': '报', '詐': '诈', '處': '处',
	'辦': '办', '著': '着', '賺': '赚', '負': '负', '則': '则', '網': '网', '點': '点',
	'麼': '么', '麽': '么', '費': '费', '補': '补', '時': '时', '間': '间', '裡': '里',
	'長': '长', '顧': '顾', '勸': '劝', '換': '换', '寫': '写', '條': '条', '沒': '没',
	'無': '无', '從': '从', '應': '应', '該': '该', '麻': '麻', '煩': '烦', '嗎': '吗',
	'別': '别', '傳': '传', '簡': '简', '訊': '讯', '號': '号', '碼': '码', '撥': '拨',
	'帶': '带', '圖': '图', '當': '当', '殺': '杀', '難': '难', '過': '过', '閉': '闭',
	'關': '关', '鋪': '铺', '開': '开', '來': '来', '吧': '吧', '為': '为', '與': '与',
	'稱': '称', '數': '数', '損': '损', '誤': '误', '現': '现', '產': '产', '單': '单',
	'訂': '订', '收': '收', '寄': '寄', '議': '议', '請': '请', '讀': '读', '語': '语',
	'擔': '担', '心': '心', '絕': '绝', '決': '决', '嚇': '吓', '脅': '胁', '屬': '属',
	'實': '实', '見': '见', '親': '亲', '憑': '凭', '證': '证', '據': '据', '險': '险',
}

// Normalize builds the normalised form of s. Invalid UTF-8 bytes become U+FFFD.
func Normalize(s string) Text {
	var t Text
	t.reset(s)
	return t
}

// reset normalises s into t, reusing t's buffers.
func (t *Text) reset(s string) {
	t.Orig, t.Norm, t.Off = s, t.Norm[:0], t.Off[:0]
	quoted := t.Quoted[:0]
	// Quotation tracking. Paired marks open and close explicitly; the ASCII
	// apostrophe only counts when it stands at a word edge (so "won't" and
	// "I'll" are not quotes). An unclosed quotation is dropped at the end.
	inQuote := false
	var closer rune
	quoteStart := 0 // index into Norm where the current quotation began
	prevASCIIAlnum := false
	var buf [utf8.UTFMax]byte
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		next := rune(-1)
		if i+size < len(s) {
			next, _ = utf8.DecodeRuneInString(s[i+size:])
		}
		switch {
		case r == '“' || r == '「' || r == '『':
			if !inQuote {
				inQuote, quoteStart, closer = true, len(t.Norm), pairedCloser(r)
			}
		case inQuote && r == closer && closer != '"' && closer != '\'':
			inQuote = false
		case r == '"':
			if inQuote && closer == '"' {
				inQuote = false
			} else if !inQuote {
				inQuote, quoteStart, closer = true, len(t.Norm), '"'
			}
		case r == '\'' || r == '‘' || r == '’':
			if inQuote && closer == '\'' && !isASCIIAlnum(next) {
				inQuote = false
			} else if !inQuote && !prevASCIIAlnum && r != '’' && next != ' ' && next != -1 {
				inQuote, quoteStart, closer = true, len(t.Norm), '\''
			}
		}
		n := foldRune(r)
		w := utf8.EncodeRune(buf[:], n)
		for k := 0; k < w; k++ {
			t.Norm = append(t.Norm, buf[k])
			t.Off = append(t.Off, int32(i))
			quoted = append(quoted, inQuote)
		}
		prevASCIIAlnum = isASCIIAlnum(r)
		i += size
	}
	if inQuote {
		for k := quoteStart; k < len(quoted); k++ {
			quoted[k] = false
		}
	}
	t.Off = append(t.Off, int32(len(s)))
	t.Quoted = quoted
}

func pairedCloser(r rune) rune {
	switch r {
	case '“':
		return '”'
	case '「':
		return '」'
	}
	return '』'
}

func isASCIIAlnum(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}

// foldRune maps one rune to its normalised form.
func foldRune(r rune) rune {
	switch {
	case r >= 'A' && r <= 'Z':
		return r + 32
	case r < 0x80:
		return r
	case r >= 0xFF01 && r <= 0xFF5E: // full-width ASCII
		r -= 0xFEE0
		if r >= 'A' && r <= 'Z' {
			r += 32
		}
		return r
	case r == 0x3000: // ideographic space
		return ' '
	case r == '‘' || r == '’' || r == '′':
		return '\''
	case r == '“' || r == '”' || r == '「' || r == '」' || r == '『' || r == '』':
		return '"'
	case r == '￥' || r == '¥':
		return '¥'
	case r == '。':
		return '.'
	}
	if r >= cjkLo && r <= cjkHi && tradBits[(r-cjkLo)>>6]&(1<<((r-cjkLo)&63)) != 0 {
		return tradToSimp[r]
	}
	return r
}

const cjkLo, cjkHi = 0x4E00, 0x9FFF

// tradBits marks the runes of tradToSimp, so most characters skip the map.
var tradBits = func() (b [(cjkHi-cjkLo)/64 + 1]uint64) {
	for r := range tradToSimp {
		if r >= cjkLo && r <= cjkHi {
			b[(r-cjkLo)>>6] |= 1 << ((r - cjkLo) & 63)
		}
	}
	return b
}()
