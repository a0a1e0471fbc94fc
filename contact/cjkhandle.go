package contact

import "strings"

// Handles in Chinese characters on Chinese platforms: a 小红书 (Xiaohongshu),
// 抖音 or 快手 account is often known by its nickname, which people give
// instead of an id ("小红书号：小美的卡铺", "小红书搜「小美爱分享」").
// Since a nickname is ordinary text, one is read only when announced
// clearly: in quotes, after a word such as 号 or 搜 and a colon or a
// space, or after a bare colon when an invitation follows ("…，私信我").

// cjkHandleCue reports whether cue c names a Chinese platform whose
// accounts are known by nicknames.
func cjkHandleCue(u []unit, c cue) bool {
	if c.kind != cueOther || c.eu-c.su < 2 {
		return false
	}
	a, b := u[c.su].r, u[c.su+1].r
	return a == '小' && b == '红' || a == '红' && b == '薯' || a == '抖' && b == '音' || a == '快' && b == '手'
}

// findCJKHandles appends nicknames announced by a Chinese platform's cue.
func (f *finder) findCJKHandles() {
	u := f.u
	for k, c := range f.cues {
		if !cjkHandleCue(u, c) {
			continue
		}
		i := c.eu
		intro := false
		if u[i-1].r == '号' {
			intro = true // the cue itself: "小红书号"
		}
		if j, ok := handleIntro(u, i); ok {
			i, intro = j, true
		}
		// a colon or a space, then maybe an opening quote
		j := i
		sep := false
		for j < len(u) && j-i < 3 && (isSpace(u[j].r) || u[j].r == ':') {
			j++
			sep = true
		}
		if j >= len(u) {
			continue
		}
		if cl := closingQuote(u[j].r); cl != 0 {
			e := j + 1
			for e < len(u) && e-j <= 20 && u[e].r != cl && isHandleUnit(u[e]) {
				e++
			}
			if e < len(u) && u[e].r == cl && e-j-1 >= 2 {
				f.addHandle(k, j+1, e)
			}
			continue
		}
		if !sep || !isIdeograph(u[j]) {
			continue // digits and ASCII ids are read elsewhere
		}
		e := j
		for e < len(u) && e-j < 16 && isHandleUnit(u[e]) {
			e++
		}
		if e-j < 2 || e-j > 15 || e < len(u) && isHandleUnit(u[e]) || notHandleStart(u[j].r) {
			continue
		}
		if !intro && !invitationAfter(u, e) {
			continue // "看了小红书：好评很多"
		}
		f.addHandle(k, j, e)
	}
}

func (f *finder) addHandle(k, su, eu int) {
	var sb strings.Builder
	for x := su; x < eu; x++ {
		sb.WriteString(f.text[f.u[x].s:f.u[x].e])
	}
	f.add(cand{kind: Other, val: strings.ToLower(sb.String()), su: su, eu: eu, cue: k, conf: 0.7, prio: prioOther})
}

// handleIntro reads a word that introduces a nickname after the cue (号,
// 账号, 名, 名字, 搜, 搜索, id) and returns where it ends.
func handleIntro(u []unit, i int) (int, bool) {
	for _, w := range [...]string{"账号", "名字", "昵称", "搜索", "号", "名", "搜", "id"} {
		if hasPrefixAt(u, i, w) {
			j := i
			for j < len(u) && isSpace(u[j].r) {
				j++
			}
			return j + len([]rune(w)), true
		}
	}
	return i, false
}

// isHandleUnit reports whether a unit may stand in a nickname: an
// ideograph, a Chinese numeral, an ASCII letter or digit, '_'.
func isHandleUnit(x unit) bool {
	return isIdeograph(x) || x.r >= 0x3400 && x.r <= 0x9FFF || isASCIIAlnum(x.r) || x.r == '_'
}

// notHandleStart reports whether a nickname cannot start with r: a word
// that goes on with the sentence ("小红书：上面说…", "搜了一下").
func notHandleStart(r rune) bool {
	switch r {
	case '了', '过', '到', '的', '上', '里', '中', '一', '是', '说', '看', '在', '也', '都', '就', '有', '没', '很', '不':
		return true
	}
	return false
}

// closingQuote returns the quote that closes r, or 0.
func closingQuote(r rune) rune {
	switch r {
	case '“':
		return '”'
	case '「':
		return '」'
	case '『':
		return '』'
	case '《':
		return '》'
	case '【':
		return '】'
	case '"':
		return '"'
	}
	return 0
}

// invitationAfter reports whether an invitation to get in touch follows
// unit i after at most three punctuation marks or spaces ("，私信我").
func invitationAfter(u []unit, i int) bool {
	for k := 0; i < len(u) && k < 3 && isPunctConnector(u[i].r); k++ {
		i++
	}
	for _, w := range [...]string{"私信", "私聊", "私我", "找我", "关注", "联系", "加我", "来找"} {
		if hasPrefixAt(u, i, w) {
			return true
		}
	}
	return false
}
