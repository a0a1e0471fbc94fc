// Package contact finds off-platform contact details in marketplace chat
// messages and reviews: phone numbers, QQ numbers, WeChat ids, e-mail
// addresses, URLs and Alipay accounts, including the disguises people use to
// slip them past keyword filters (full-width forms, Chinese, circled and
// ideograph numerals, English digit words, digits broken up by spaces or
// emoji, look-alike letters, "at" and "dot" spelled out, ids spelled one
// character at a time). A North American number after a phone cue needs
// no +1; Chinese numbers are read first.
//
// Find works in three steps. A cheap pass over the text decides whether it
// can hold a contact at all (enough digit-like runes, or a cue); most chat
// lines stop there without allocating. Otherwise the text is folded into a
// sequence of normalised units, each remembering the byte range of the
// original text it came from, so every reported offset points into the
// original string. Finally rules for each kind look for cues and values in
// the units, and overlapping candidates are resolved by priority.
package contact
