package store_test

import (
	"runtime"
	"syscall"
	"time"
)

// threadCPU is the CPU time the calling thread has used (lock the goroutine
// to its thread first). The SQLite driver runs in the caller's goroutine,
// so a query's thread CPU is its cost without the waiting on a loaded
// machine; PostgreSQL's work is in the server, not counted.
func threadCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}

func lockThread() func() {
	runtime.LockOSThread()
	return runtime.UnlockOSThread
}
