package engine

import (
	"slices"
	"strings"
	"sync"

	"github.com/fairmark/fairmark"
)

// sortedList keeps entries sorted by id for the batch passes that read
// them in id order (the weekly rating-graph batch, the CSVs) without
// sorting them all each time: entries added since the last read are
// sorted alone and merged in. Ids are unique and entries never leave.
type sortedList[K ~string, T any] struct {
	mu     sync.Mutex // readers (the CSV writers) may run concurrently
	key    func(*T) K
	sorted []*T
	added  []*T
}

func (l *sortedList[K, T]) add(v *T) { l.added = append(l.added, v) }

// all returns every entry in id order; the slice is the list's own, valid
// until the next add.
func (l *sortedList[K, T]) all() []*T {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.added) == 0 {
		return l.sorted
	}
	cmp := func(a, b *T) int { return strings.Compare(string(l.key(a)), string(l.key(b))) }
	slices.SortFunc(l.added, cmp)
	if len(l.sorted) == 0 {
		l.sorted, l.added = l.added, nil
		return l.sorted
	}
	merged := make([]*T, 0, len(l.sorted)+len(l.added))
	i, j := 0, 0
	for i < len(l.sorted) && j < len(l.added) {
		if cmp(l.sorted[i], l.added[j]) <= 0 {
			merged = append(merged, l.sorted[i])
			i++
		} else {
			merged = append(merged, l.added[j])
			j++
		}
	}
	merged = append(merged, l.sorted[i:]...)
	merged = append(merged, l.added[j:]...)
	l.sorted, l.added = merged, l.added[:0]
	return l.sorted
}

func accountKey(a *account) fairmark.AccountID    { return a.id }
func feedbackKey(f *feedback) fairmark.FeedbackID { return f.id }
