//go:build race

package contact

// raceEnabled is true under the race detector, where sync.Pool drops
// items at random and allocation counts of pooled paths are meaningless.
const raceEnabled = true
