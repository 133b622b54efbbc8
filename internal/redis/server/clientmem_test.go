package server

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestMaxmemoryClientsConfig(t *testing.T) {
	_, addr := startServer(t)
	rc := dial(t, addr)
	rc.do(arr(bulk("maxmemory-clients"), bulk("0")), "CONFIG", "GET", "maxmemory-clients")
	rc.do("+OK\r\n", "CONFIG", "SET", "maxmemory-clients", "10%")
	rc.do(arr(bulk("maxmemory-clients"), bulk("10%")), "CONFIG", "GET", "maxmemory-clients")
	rc.do("+OK\r\n", "CONFIG", "SET", "maxmemory-clients", "2mb")
	rc.do(arr(bulk("maxmemory-clients"), bulk("2097152")), "CONFIG", "GET", "maxmemory-clients")
	rc.do("-ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - percentage argument must be less or equal to 100\r\n",
		"CONFIG", "SET", "maxmemory-clients", "200%")
	rc.do("-ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - argument must be a memory or percent value\r\n",
		"CONFIG", "SET", "maxmemory-clients", "lots")
	rc.do(arr(bulk("maxmemory-clients"), bulk("2097152")), "CONFIG", "GET", "maxmemory-clients")
}

// clientNamed waits until CLIENT LIST has (or, with present false, no
// longer has) a client of that name, and returns its line.
func clientNamed(t *testing.T, rc *rawConn, name string, present bool) string {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		rc.send(cmd("CLIENT", "LIST"))
		line := ""
		for _, l := range strings.Split(rc.reply(), "\n") {
			if strings.Contains(l, " name="+name+" ") {
				line = l
			}
		}
		if (line != "") == present {
			return line
		}
		if time.Now().After(deadline) {
			t.Fatalf("client %s present=%v never came true", name, !present)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// maxmemory-clients closes the clients using the most memory once all
// clients together pass it (a big argument still arriving counts at once),
// spares CLIENT NO-EVICT clients, and applies at once when lowered.
func TestClientEviction(t *testing.T) {
	_, addr := startServer(t)
	admin := dial(t, addr)
	admin.do("+OK\r\n", "CLIENT", "NO-EVICT", "on")
	admin.do("+OK\r\n", "CONFIG", "SET", "maxmemory-clients", "3000000")

	big := dial(t, addr)
	big.do("+OK\r\n", "CLIENT", "SETNAME", "big")
	big.send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3000000\r\n" + strings.Repeat("v", 100000))
	clientNamed(t, admin, "big", false)
	big.closed()
	admin.send(cmd("INFO", "stats"))
	if got := infoField(admin.reply(), "evicted_clients"); got != "1" {
		t.Fatalf("evicted_clients %q, want 1", got)
	}

	spared := dial(t, addr)
	spared.do("+OK\r\n", "CLIENT", "SETNAME", "spared")
	spared.do("+OK\r\n", "CLIENT", "NO-EVICT", "on")
	spared.send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3000000\r\n" + strings.Repeat("v", 100000))
	time.Sleep(50 * time.Millisecond)
	line := clientNamed(t, admin, "spared", true)
	if !strings.Contains(line, "flags=e") {
		t.Fatalf("no-evict client: %s", line)
	}
	spared.send(strings.Repeat("v", 2900000) + "\r\n")
	spared.expect("+OK\r\n")

	// Ten clients holding ~150 KB each fit under 3 MB; lowered to 1 MB,
	// some of them are evicted at once.
	var names []string
	for i := 0; i < 10; i++ {
		c := dial(t, addr)
		name := "c" + strconv.Itoa(i)
		names = append(names, name)
		c.do("+OK\r\n", "CLIENT", "SETNAME", name)
		c.send("*2\r\n$150000\r\n" + strings.Repeat("v", 1000))
	}
	for _, n := range names {
		clientNamed(t, admin, n, true)
	}
	admin.do("+OK\r\n", "CONFIG", "SET", "maxmemory-clients", "1000000")
	admin.send(cmd("CLIENT", "LIST"))
	left := strings.Count(admin.reply(), " name=c")
	if left == 0 || left == 10 {
		t.Fatalf("%d of 10 clients left after lowering maxmemory-clients", left)
	}
}

// Clients' buffers count against maxmemory, as in Redis: replies piling up
// for a client that does not read make keys go under allkeys-lru.
func TestMaxmemoryCountsClientBuffers(t *testing.T) {
	_, addr := startServer(t)
	admin := dial(t, addr)
	val := strings.Repeat("x", 10000)
	for i := 0; i < 100; i++ {
		admin.do("+OK\r\n", "SET", "k"+strconv.Itoa(i), val)
	}
	admin.send(cmd("INFO", "memory"))
	used, _ := strconv.ParseInt(infoField(admin.reply(), "used_memory"), 10, 64)
	admin.do("+OK\r\n", "CONFIG", "SET", "maxmemory-policy", "allkeys-lru")
	admin.do("+OK\r\n", "CONFIG", "SET", "maxmemory", strconv.FormatInt(used+200000, 10))
	admin.do(":100\r\n", "DBSIZE")

	// 3000 replies of 10 KB the client never reads: the sockets' buffers
	// fill, then its output buffer.
	flood := dial(t, addr)
	var b strings.Builder
	for i := 0; i < 3000; i++ {
		b.WriteString(cmd("GET", "k1"))
	}
	flood.send(b.String())
	deadline := time.Now().Add(3 * time.Second)
	for {
		admin.do("+OK\r\n", "SET", "probe", "1") // a write evicts
		admin.send(cmd("DBSIZE"))
		n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(admin.reply(), ":")))
		if n < 90 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("DBSIZE %d: the unread replies did not count against maxmemory", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
