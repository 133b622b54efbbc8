package server

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// The event loops only make system calls that cannot block (non-blocking
// sockets, eventfd, epoll_wait with a zero timeout), so they make them raw,
// without telling the Go scheduler. A scheduler-aware call costs more on
// every request and, when the process was idle, wakes the runtime's
// monitor thread each time: at 10k requests/s over one connection that was
// a quarter of the server's CPU.

func rawRead(fd int, p []byte) (int, error) {
	var ptr unsafe.Pointer
	if len(p) > 0 {
		ptr = unsafe.Pointer(&p[0])
	}
	n, _, e := unix.RawSyscall(unix.SYS_READ, uintptr(fd), uintptr(ptr), uintptr(len(p)))
	if e != 0 {
		return -1, e
	}
	return int(n), nil
}

func rawWrite(fd int, p []byte) (int, error) {
	var ptr unsafe.Pointer
	if len(p) > 0 {
		ptr = unsafe.Pointer(&p[0])
	}
	n, _, e := unix.RawSyscall(unix.SYS_WRITE, uintptr(fd), uintptr(ptr), uintptr(len(p)))
	if e != 0 {
		return -1, e
	}
	return int(n), nil
}

// rawPoll is epoll_wait with a zero timeout.
func rawPoll(epfd int, events []unix.EpollEvent) (int, error) {
	n, _, e := unix.RawSyscall6(unix.SYS_EPOLL_PWAIT, uintptr(epfd),
		uintptr(unsafe.Pointer(&events[0])), uintptr(len(events)), 0, 0, 0)
	if e != 0 {
		return -1, e
	}
	return int(n), nil
}

// osYield lets another thread that is ready to run on this core have it
// (sched_yield); it returns at once when there is none.
func osYield() { unix.RawSyscall(unix.SYS_SCHED_YIELD, 0, 0, 0) }
