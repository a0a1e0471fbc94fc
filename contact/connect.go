package contact

import "sort"

// Connectors are what people write between a cue and its value: spaces,
// colons, brackets, emoji, and a few function words ("qq号是", "加我微信：",
// "微信搜索"). They are skipped when pairing cues with values.

// isPunctConnector reports whether the folded rune is punctuation that may
// sit between a cue and a value.
func isPunctConnector(r rune) bool {
	if isSpace(r) || isFiller(r) || isWeakSep(r) {
		return true
	}
	switch r {
	case ':', '(', ')', '[', ']', '<', '>', '{', '}', '!', '?', ';', '=', '~',
		0x3010, 0x3011, 0x300C, 0x300D, 0x300E, 0x300F, 0x300A, 0x300B, 0x3008, 0x3009,
		0x201C, 0x201D, 0x2018, 0x2019, 0xFE30, 0xFE13, 0x2236, 0x2192, 0x27A1, 0x261E,
		0xFE55, 0xFF1A, 0xFE57:
		return true
	}
	return false
}

// isWordConnector reports whether a CJK character is a function word that
// may sit between a cue and its value.
func isWordConnector(r rune) bool {
	switch r {
	case '号', '码', '是', '为', '我', '的', '加', '搜', '索', '账', '帐', '户', '名', '同', '呢', '哦',
		'啊', '呀', '嘛', '就', '直', '接', '私', '聊', '叫', '用', '写', '填', '发', '给', '你', '在',
		'留', '备', '注', '找', '好', '友', '下', '哈', '都', '也', '添', '联', '系', '方', '式', '个',
		'人', '这', '那', '可', '以', '吧', '啦', '喔', '哟', '嗯', '滴', '地', '上', '里', '或', '和',
		'及', '者', '信', '换', '请', '多', '少', '来', '打', '拨', '收', '款', '转', '到',
		'號', '碼', '帳', '個', '這', '為':
		return true
	}
	return false
}

// yiConnector reports whether unit i is the 一 of 一下 or 一个 ("微信搜一下
// abc-8866", "加一个vx"), a word between a cue and its value rather than
// the digit one.
func yiConnector(u []unit, i int) bool {
	return u[i].r == '一' && i+1 < len(u) && (u[i+1].r == '下' || u[i+1].r == '个')
}

// asciiConnectorWord reports whether the ASCII word (folded) may sit
// between a cue and a value: "qq id: …", "wechat is …", "add me on …".
func asciiConnectorWord(w []rune) bool {
	var b [8]byte
	if len(w) > len(b) {
		return false
	}
	for i, r := range w {
		b[i] = byte(r)
	}
	switch string(b[:len(w)]) {
	case "id", "is", "no", "num", "number", "me", "my", "at", "add", "on", "account", "acc", "to", "via", "username", "user", "handle":
		return true
	}
	return false
}

// cueEndingAt returns the index of the cue ending at unit e, or -1. Cues
// are sorted and do not overlap, so both ends increase with the index.
func cueEndingAt(cues []cue, e int) int {
	k := sort.Search(len(cues), func(k int) bool { return cues[k].eu >= e })
	if k < len(cues) && cues[k].eu == e {
		return k
	}
	return -1
}

// cueStartingAt returns the index of the cue starting at unit s, or -1.
func cueStartingAt(cues []cue, s int) int {
	k := sort.Search(len(cues), func(k int) bool { return cues[k].su >= s })
	if k < len(cues) && cues[k].su == s {
		return k
	}
	return -1
}

// backCue looks left from unit i (the first unit of a value) over
// connectors for a cue that announces it. It returns the cue index or -1.
// A weak cue must be almost adjacent.
func backCue(u []unit, cues []cue, i int) int {
	if len(cues) == 0 {
		return -1
	}
	words, puncts := 0, 0
	j := i
	for j > 0 && words <= 5 && puncts <= 6 {
		if k := cueEndingAt(cues, j); k >= 0 {
			c := cues[k]
			if c.kind == cueNeg {
				return -1
			}
			if c.weak && (words > 1 || puncts > 3) {
				return -1
			}
			if c.kind == cuePhone {
				// "支付宝账号就是我手机 158…": a phone cue inside an
				// Alipay cue's reach names the account's form.
				if a := backCue(u, cues, c.su); a >= 0 && cues[a].kind == cueAlipay {
					return a
				}
			}
			return k
		}
		r := u[j-1].r
		switch {
		case isPunctConnector(r):
			if !isSpace(r) && !isKeycapTail(r) && r != 0x200D {
				puncts++
			}
			j--
		case isWordConnector(r):
			words++
			j--
		case yiConnector(u, j-1):
			words++
			j--
		case isASCIILetter(r):
			// an ASCII connector word such as "id" or "is"
			k := j - 1
			for k > 0 && isASCIILetter(u[k-1].r) {
				k--
			}
			if k > 0 && cueEndingAt(cues, j) < 0 {
				var buf [8]rune
				if j-k > len(buf) {
					return -1
				}
				for x := k; x < j; x++ {
					buf[x-k] = u[x].r
				}
				if !asciiConnectorWord(buf[:j-k]) {
					return -1
				}
				words++
				j = k
				continue
			}
			return -1
		default:
			return -1
		}
	}
	if k := cueEndingAt(cues, j); k >= 0 && cues[k].kind != cueNeg && (!cues[k].weak || words <= 1) {
		return k
	}
	return -1
}

// forwardCue looks right from unit i (one past a value) for a cue naming
// it afterwards ("385721906是我扣扣", "13812345678（微信同号）"). The cue
// must not have a value of its own after it.
func forwardCue(u []unit, cues []cue, i int) int {
	if len(cues) == 0 {
		return -1
	}
	steps := 0
	j := i
	for j < len(u) && steps <= 4 {
		if k := cueStartingAt(cues, j); k >= 0 {
			c := cues[k]
			if c.weak || c.kind == cueNeg || c.kind == cueMail {
				return -1
			}
			if valueFollows(u, c.eu) {
				return -1
			}
			return k
		}
		r := u[j].r
		switch {
		case isSpace(r):
		case isPunctConnector(r), r == '是', r == '我', r == '的', r == '这', r == '就', r == '为', r == '加', r == '同', r == '也':
			steps++
		default:
			return -1
		}
		j++
	}
	return -1
}

// valueFollows reports whether a digit or an ASCII letter follows unit i
// after connectors, i.e. a cue at i-… has its own value.
func valueFollows(u []unit, i int) bool {
	for k := 0; i < len(u) && k < 6; k++ {
		r := u[i].r
		if u[i].d >= 0 && u[i].soft != 2 || isASCIILetter(r) {
			return true
		}
		if !isPunctConnector(r) && !isWordConnector(r) {
			return false
		}
		i++
	}
	return false
}

// valueStart walks right from unit i over connectors and returns the unit
// where the value starts, and whether a colon-like or word connector was
// passed. It returns -1 if something else comes first.
func valueStart(u []unit, i int, weak bool) (int, bool) {
	words, puncts := 0, 0
	explicit := false
	for i < len(u) && words <= 5 && puncts <= 6 {
		r := u[i].r
		switch {
		case r == '@', r == '$' && i+1 < len(u) && isASCIILetter(u[i+1].r):
			return i, explicit // "telegram @name", "cashapp $name"
		case yiConnector(u, i):
			words++
			explicit = true
		case isASCIIAlnum(r) || u[i].d >= 0:
			if isASCIILetter(r) {
				// "id", "is" …
				k := i
				for k < len(u) && isASCIILetter(u[k].r) && k-i < 8 {
					k++
				}
				var buf [8]rune
				n := 0
				for x := i; x < k; x++ {
					buf[n] = u[x].r
					n++
				}
				if (k >= len(u) || !isASCIIAlnum(u[k].r)) && asciiConnectorWord(buf[:n]) {
					words++
					explicit = true
					i = k
					continue
				}
			}
			if weak && (words > 1 || puncts > 3) {
				return -1, false
			}
			return i, explicit
		case isPunctConnector(r):
			if !isSpace(r) && !isKeycapTail(r) && r != 0x200D {
				puncts++
				if r == ':' || r == '=' {
					explicit = true
				}
			}
		case isWordConnector(r):
			words++
			explicit = true
		default:
			return -1, false
		}
		i++
	}
	return -1, false
}
