//go:build unix

package store_test

import (
	"syscall"
	"time"
)

// cpuTime returns the CPU time (user+system) used by the process so far.
// Benchmarks report it per record next to wall time because the shared
// machine they run on is often oversubscribed.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
