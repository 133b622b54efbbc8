//go:build linux

// Command nullserver is the ceiling for redis-benchmark on this machine: a
// RESP server that does no work at all. One event loop on raw epoll reads
// each connection, parses every complete command with tandem's RESP parser
// and answers from a fixed table (GET: a 3-byte bulk, SET/MSET: +OK, counters
// and pushes: :1, anything else: an empty array), one write per read. Its
// throughput is what redis-benchmark itself can drive: no server can be
// measured faster than this by the same client on the same cores. Like
// tandem's loops it polls for -spin after its last event before it blocks
// in epoll_wait, so the client's writes do not pay for waking it.
//
//	go run ./bench/redis/nullserver -port 7100
package main

import (
	"bytes"
	"flag"
	"log"
	"runtime"
	"syscall"
	"time"

	"github.com/tandem-db/tandem/internal/redis/resp"
)

type conn struct {
	buf    []byte
	parser resp.Parser
}

func reply(out []byte, name []byte) []byte {
	switch {
	case bytes.EqualFold(name, []byte("GET")):
		return append(out, "$3\r\nxxx\r\n"...)
	case bytes.EqualFold(name, []byte("SET")), bytes.EqualFold(name, []byte("MSET")),
		bytes.EqualFold(name, []byte("PING")):
		return append(out, "+OK\r\n"...)
	case bytes.EqualFold(name, []byte("CONFIG")), bytes.EqualFold(name, []byte("LRANGE")):
		return append(out, "*0\r\n"...)
	default:
		return append(out, ":1\r\n"...)
	}
}

func main() {
	port := flag.Int("port", 7100, "loopback port")
	spin := flag.Duration("spin", 50*time.Microsecond, "how long to poll after the last event before blocking")
	flag.Parse()
	runtime.GOMAXPROCS(1)
	runtime.LockOSThread()
	lfd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		log.Fatal(err)
	}
	_ = syscall.SetsockoptInt(lfd, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1)
	if err := syscall.Bind(lfd, &syscall.SockaddrInet4{Port: *port, Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		log.Fatal(err)
	}
	if err := syscall.Listen(lfd, 1024); err != nil {
		log.Fatal(err)
	}
	ep, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		log.Fatal(err)
	}
	if err := syscall.EpollCtl(ep, syscall.EPOLL_CTL_ADD, lfd, &syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(lfd)}); err != nil {
		log.Fatal(err)
	}
	conns := map[int]*conn{}
	events := make([]syscall.EpollEvent, 256)
	rbuf := make([]byte, 16<<10)
	var out []byte
	for {
		n, err := syscall.EpollWait(ep, events, 0)
		for deadline := time.Now().Add(*spin); n <= 0 && time.Now().Before(deadline); {
			n, err = syscall.EpollWait(ep, events, 0)
		}
		if n <= 0 {
			n, err = syscall.EpollWait(ep, events, -1)
		}
		if err != nil && err != syscall.EINTR {
			log.Fatal(err)
		}
		for i := 0; i < n; i++ {
			fd := int(events[i].Fd)
			if fd == lfd {
				for {
					nfd, _, err := syscall.Accept4(lfd, syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC)
					if err != nil {
						break
					}
					_ = syscall.SetsockoptInt(nfd, syscall.IPPROTO_TCP, syscall.TCP_NODELAY, 1)
					conns[nfd] = &conn{parser: resp.Parser{MaxBulkLen: 512 << 20}}
					_ = syscall.EpollCtl(ep, syscall.EPOLL_CTL_ADD, nfd, &syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(nfd)})
				}
				continue
			}
			c := conns[fd]
			m, err := syscall.Read(fd, rbuf)
			if m <= 0 {
				if err == syscall.EAGAIN {
					continue
				}
				delete(conns, fd)
				syscall.Close(fd)
				continue
			}
			c.buf = append(c.buf, rbuf[:m]...)
			out = out[:0]
			off := 0
			for off < len(c.buf) {
				args, used, err := c.parser.Next(c.buf[off:])
				if err != nil || used == 0 {
					break
				}
				off += used
				if len(args) > 0 {
					out = reply(out, args[0])
				}
			}
			c.buf = append(c.buf[:0], c.buf[off:]...)
			if len(out) > 0 {
				_, _ = syscall.Write(fd, out)
			}
		}
	}
}
