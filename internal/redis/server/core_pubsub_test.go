package server

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

func msg(ch, m string) string { return arr(bulk("message"), bulk(ch), bulk(m)) }

func TestCorePubSubOrderingResp2(t *testing.T) {
	_, addr := startServer(t)
	sub, pub := dial(t, addr), dial(t, addr)
	sub.send(cmd("SUBSCRIBE", "a", "b"))
	sub.expect(arr(bulk("subscribe"), bulk("a"), ":1\r\n"), arr(bulk("subscribe"), bulk("b"), ":2\r\n"))
	for i := 0; i < 200; i++ {
		ch := "a"
		if i%2 == 1 {
			ch = "b"
		}
		pub.send(cmd("PUBLISH", ch, strconv.Itoa(i)))
	}
	for i := 0; i < 200; i++ {
		pub.expect(":1\r\n")
	}
	for i := 0; i < 200; i++ {
		ch := "a"
		if i%2 == 1 {
			ch = "b"
		}
		sub.expect(msg(ch, strconv.Itoa(i)))
	}
	// UNSUBSCRIBE without arguments: one reply per channel, counts down.
	sub.send(cmd("UNSUBSCRIBE"))
	r1, r2 := sub.reply(), sub.reply()
	ua, ub := arr(bulk("unsubscribe"), bulk("a"), ":"), arr(bulk("unsubscribe"), bulk("b"), ":")
	if !(r1 == ua+"1\r\n" && r2 == ub+"0\r\n" || r1 == ub+"1\r\n" && r2 == ua+"0\r\n") {
		t.Fatalf("unsubscribe replies %q %q", r1, r2)
	}
	// Out of the pub/sub context now; UNSUBSCRIBE with nothing left.
	sub.do(arr(bulk("unsubscribe"), "$-1\r\n", ":0\r\n"), "UNSUBSCRIBE")
	sub.do(arr(bulk("punsubscribe"), "$-1\r\n", ":0\r\n"), "PUNSUBSCRIBE")
	sub.do("+PONG\r\n", "PING")
	pub.do(":0\r\n", "PUBLISH", "a", "x")
}

func TestCorePubSubResp3Interleaved(t *testing.T) {
	_, addr := startServer(t)
	a, pub := dial(t, addr), dial(t, addr)
	a.send(cmd("HELLO", "3"))
	a.reply()
	push := func(ch, m string) string { return ">3\r\n" + bulk("message") + bulk(ch) + bulk(m) }
	// A RESP3 client publishing to itself gets the message before the reply.
	a.send(cmd("SUBSCRIBE", "ch") + cmd("PUBLISH", "ch", "m") + cmd("GET", "nokey"))
	a.expect(">3\r\n"+bulk("subscribe")+bulk("ch")+":1\r\n", push("ch", "m"), ":1\r\n", "_\r\n")
	// Messages from others arrive between whole replies.
	a.send(cmd("SET", "k", "v"))
	a.expect("+OK\r\n")
	pub.do(":1\r\n", "PUBLISH", "ch", "x")
	a.expect(push("ch", "x"))
	a.send(cmd("GET", "k"))
	a.expect(bulk("v"))
	// Pattern subscriptions and UNSUBSCRIBE with no channel left.
	a.send(cmd("PSUBSCRIBE", "c*"))
	a.expect(">3\r\n" + bulk("psubscribe") + bulk("c*") + ":2\r\n")
	pub.do(":2\r\n", "PUBLISH", "ch", "y")
	a.expect(push("ch", "y"), ">4\r\n"+bulk("pmessage")+bulk("c*")+bulk("ch")+bulk("y"))
	a.send(cmd("UNSUBSCRIBE") + cmd("UNSUBSCRIBE") + cmd("PUNSUBSCRIBE") + cmd("PING"))
	a.expect(">3\r\n"+bulk("unsubscribe")+bulk("ch")+":1\r\n", ">3\r\n"+bulk("unsubscribe")+"_\r\n:1\r\n",
		">3\r\n"+bulk("punsubscribe")+bulk("c*")+":0\r\n", "+PONG\r\n")
}

func TestCorePubSubOutputLimit(t *testing.T) {
	s, addr := startServer(t)
	admin := dial(t, addr)
	admin.do("+OK\r\n", "CONFIG", "SET", "client-output-buffer-limit", "pubsub 64kb 0 0")
	sub := dial(t, addr)
	sub.send(cmd("SUBSCRIBE", "big"))
	sub.reply()
	// The subscriber stops reading; the publisher floods it.
	payload := strings.Repeat("x", 16*1024)
	var batch strings.Builder
	for i := 0; i < 64; i++ {
		batch.WriteString(cmd("PUBLISH", "big", payload))
	}
	for round := 0; round < 40; round++ {
		admin.send(batch.String())
		for i := 0; i < 64; i++ {
			admin.reply()
		}
		s.mu.Lock()
		n := len(s.pubsub.channels["big"])
		s.mu.Unlock()
		if n == 0 {
			break
		}
	}
	admin.do(arr(bulk("big"), ":0\r\n"), "PUBSUB", "NUMSUB", "big")
	admin.do("+PONG\r\n", "PING")
	sub.closed()
}

func TestCoreSubscribeThenQuit(t *testing.T) {
	_, addr := startServer(t)
	for i := 0; i < 20; i++ {
		a := dial(t, addr)
		a.send(cmd("SUBSCRIBE", "x") + cmd("QUIT"))
		a.expect(arr(bulk("subscribe"), bulk("x"), ":1\r\n"), "+OK\r\n")
		a.closed()
	}
}

func TestCoreKeyspaceNotifications(t *testing.T) {
	_, addr := startServer(t)
	c, sub := dial(t, addr), dial(t, addr)
	c.do("+OK\r\n", "CONFIG", "SET", "notify-keyspace-events", "KEA")
	sub.send(cmd("PSUBSCRIBE", "__key*__:*"))
	sub.reply()
	ev := func(kind, ch, m string) string {
		return arr(bulk("pmessage"), bulk("__key*__:*"), bulk(ch), bulk(m))
	}
	both := func(event, key string) []string {
		return []string{ev("pmessage", "__keyspace@0__:"+key, event), ev("pmessage", "__keyevent@0__:"+event, key)}
	}
	c.do("+OK\r\n", "SET", "k", "v")
	sub.expect(both("set", "k")...)
	c.do(":1\r\n", "EXPIRE", "k", "100")
	sub.expect(both("expire", "k")...)
	c.do(":1\r\n", "DEL", "k")
	sub.expect(both("del", "k")...)
	c.do("+OK\r\n", "SET", "t", "v", "PX", "30")
	sub.expect(both("set", "t")...)
	sub.expect(both("expire", "t")...)
	time.Sleep(60 * time.Millisecond)
	c.do(":0\r\n", "EXISTS", "t") // expires now, if the cron did not
	sub.expect(both("expired", "t")...)
	// Only the enabled classes: E with $ (strings), no K.
	c.do("+OK\r\n", "CONFIG", "SET", "notify-keyspace-events", "E$")
	c.do(arr(bulk("notify-keyspace-events"), bulk("$E")), "CONFIG", "GET", "notify-keyspace-events")
	c.do(":1\r\n", "LPUSH", "l", "x")
	c.do("+OK\r\n", "SET", "s", "v")
	sub.expect(ev("pmessage", "__keyevent@0__:set", "s"))
}

// MONITOR clients are of the normal class for output buffer limits: the
// pubsub limit does not disconnect a slow monitor (Redis 7.0).
func TestCoreMonitorNotPubSubLimited(t *testing.T) {
	s, addr := startServer(t)
	admin := dial(t, addr)
	admin.do("+OK\r\n", "CONFIG", "SET", "client-output-buffer-limit", "pubsub 64kb 0 0")
	mon := dial(t, addr)
	mon.do("+OK\r\n", "MONITOR")
	payload := strings.Repeat("x", 16*1024)
	var batch strings.Builder
	for i := 0; i < 32; i++ {
		batch.WriteString(cmd("SET", "k", payload))
	}
	for round := 0; round < 8; round++ {
		admin.send(batch.String())
		for i := 0; i < 32; i++ {
			admin.reply()
		}
	}
	s.mu.Lock()
	n := len(s.monitors)
	s.mu.Unlock()
	if n != 1 {
		t.Fatalf("monitor disconnected by the pubsub output limit")
	}
}

// A RESP3 client gets pushes while it is blocked; the blocked reply comes
// when served.
func TestCoreResp3PushWhileBlocked(t *testing.T) {
	s, addr := startServer(t)
	a := dial(t, addr)
	a.send(cmd("HELLO", "3"))
	a.reply()
	a.send(cmd("SUBSCRIBE", "ch"))
	a.reply()
	a.send(cmd("BLPOP", "k", "0"))
	waitBlocked(t, s, 1)
	p := dial(t, addr)
	p.do(":1\r\n", "PUBLISH", "ch", "m")
	a.expect(">3\r\n" + bulk("message") + bulk("ch") + bulk("m"))
	p.do(":1\r\n", "RPUSH", "k", "v")
	a.expect(arr(bulk("k"), bulk("v")))
}

// Serving a blocked client emits the events of the pop (Redis 7.0 order).
func TestCoreNotificationsOfServedBlocked(t *testing.T) {
	s, addr := startServer(t)
	c, sub := dial(t, addr), dial(t, addr)
	c.do("+OK\r\n", "CONFIG", "SET", "notify-keyspace-events", "El")
	sub.send(cmd("PSUBSCRIBE", "__keyevent@0__:*"))
	sub.reply()
	ev := func(event, key string) string {
		return arr(bulk("pmessage"), bulk("__keyevent@0__:*"), bulk("__keyevent@0__:"+event), bulk(key))
	}
	c.do("+OK\r\n", "CONFIG", "SET", "notify-keyspace-events", "Elg")
	w := blockIn(t, s, addr, 1, "BLPOP", "bk", "0")
	c.do(":1\r\n", "RPUSH", "bk", "a")
	w.expect(arr(bulk("bk"), bulk("a")))
	sub.expect(ev("rpush", "bk"), ev("lpop", "bk"), ev("del", "bk"))
}

// PUBSUB NUMSUB and SHARDNUMSUB reply a flat array in RESP3 too (Redis 7.0).
func TestCoreNumsubResp3Array(t *testing.T) {
	_, addr := startServer(t)
	a := dial(t, addr)
	a.send(cmd("HELLO", "3"))
	a.reply()
	a.do(arr(bulk("a"), ":0\r\n", bulk("b"), ":0\r\n"), "PUBSUB", "NUMSUB", "a", "b")
	a.do(arr(bulk("a"), ":0\r\n"), "PUBSUB", "SHARDNUMSUB", "a")
}

// The events of a served BLMOVE, in Redis 7.0's order (the push to the
// destination is notified before the pop from the source).
func TestCoreNotificationsOfServedBLMove(t *testing.T) {
	s, addr := startServer(t)
	c, sub, ev := subscribeKeyevents(t, addr, "Elg")
	w := blockIn(t, s, addr, 1, "BLMOVE", "src", "dst", "LEFT", "RIGHT", "0")
	c.do(":1\r\n", "RPUSH", "src", "a")
	w.expect(bulk("a"))
	sub.expect(ev("rpush", "src"), ev("rpush", "dst"), ev("lpop", "src"), ev("del", "src"))
}

// The idle timeout spares subscribed and MONITOR clients only while they
// are: a client that unsubscribed from everything times out like others.
func TestCoreIdleTimeoutAfterUnsubscribe(t *testing.T) {
	_, addr := startServer(t, "hz", "50")
	admin := dial(t, addr)
	admin.do("+OK\r\n", "CONFIG", "SET", "timeout", "1")
	unsub, sub, mon := dial(t, addr), dial(t, addr), dial(t, addr)
	unsub.send(cmd("SUBSCRIBE", "a") + cmd("UNSUBSCRIBE", "a"))
	unsub.reply()
	unsub.reply()
	sub.send(cmd("SUBSCRIBE", "a"))
	sub.reply()
	mon.do("+OK\r\n", "MONITOR")
	time.Sleep(2200 * time.Millisecond)
	unsub.closed()
	sub.silent(10 * time.Millisecond)
	mon.silent(10 * time.Millisecond)
	admin.closed()
}

// keymiss (class m) is published for a read lookup that misses, new (class
// n) for a key added to a database, before the command's own event; a class
// that is not enabled publishes nothing, while the hit and miss counters of
// INFO count either way.
func TestCoreKeymissAndNewNotifications(t *testing.T) {
	_, addr := startServer(t)
	c, sub, ev := subscribeKeyevents(t, addr, "Egmn")
	marker := func() { // everything published before was expected
		c.do(":1\r\n", "PUBLISH", "__keyevent@0__:marker", "m")
		sub.expect(ev("marker", "m"))
	}
	c.do("$-1\r\n", "GET", "nx")
	sub.expect(ev("keymiss", "nx"))
	c.do("+OK\r\n", "SET", "k", "v")
	sub.expect(ev("new", "k")) // class $ (set) is not enabled
	c.do("+OK\r\n", "SET", "k", "w")
	c.do(":1\r\n", "LPUSH", "l", "a")
	sub.expect(ev("new", "l"))
	c.do(":2\r\n", "LPUSH", "l", "b")
	c.do("+OK\r\n", "RENAME", "l", "k") // k existed: deleted and added again
	sub.expect(ev("new", "k"), ev("rename_from", "l"), ev("rename_to", "k"))
	c.do("$-1\r\n", "GETDEL", "nx2") // a write command that reads
	sub.expect(ev("keymiss", "nx2"))
	c.do(":0\r\n", "DEL", "nx3")                 // a write lookup: no keymiss
	c.do("$-1\r\n", "OBJECT", "ENCODING", "nx4") // counted, never notified
	marker()

	c.do("+OK\r\n", "CONFIG", "SET", "notify-keyspace-events", "Eg")
	c.do("$-1\r\n", "GET", "nx")
	c.do("+OK\r\n", "SET", "n2", "v")
	marker()
	c.send(cmd("INFO", "stats"))
	info := c.reply()
	if h, m := infoField(info, "keyspace_hits"), infoField(info, "keyspace_misses"); h != "0" || m != "4" {
		t.Fatalf("keyspace_hits %s keyspace_misses %s, want 0 4", h, m)
	}
}

// subscribeKeyevents enables the notify-keyspace-events classes and returns
// a client, a subscriber to every keyevent channel of db 0, and the message
// it receives for an event.
func subscribeKeyevents(t *testing.T, addr, classes string) (c, sub *rawConn, ev func(event, key string) string) {
	c, sub = dial(t, addr), dial(t, addr)
	c.do("+OK\r\n", "CONFIG", "SET", "notify-keyspace-events", classes)
	sub.send(cmd("PSUBSCRIBE", "__keyevent@0__:*"))
	sub.reply()
	ev = func(event, key string) string {
		return arr(bulk("pmessage"), bulk("__keyevent@0__:*"), bulk("__keyevent@0__:"+event), bulk(key))
	}
	return c, sub, ev
}

// CONFIG SET maxmemory below the used memory evicts at once (Redis'
// updateMaxmemory), so the evicted event arrives without another command.
func TestCoreEvictedOnConfigSetMaxmemory(t *testing.T) {
	_, addr := startServer(t)
	c, sub, ev := subscribeKeyevents(t, addr, "Ee")
	c.do("+OK\r\n", "CONFIG", "SET", "maxmemory-policy", "allkeys-lru")
	c.do("+OK\r\n", "SET", "foo", "bar")
	c.do("+OK\r\n", "CONFIG", "SET", "maxmemory", "1")
	sub.expect(ev("evicted", "foo"))
	c.do("+OK\r\n", "CONFIG", "SET", "maxmemory", "0")
}

// Sharded pub/sub on a standalone server (one shard), as Redis 7.0: shard
// channels are their own namespace, confirmations count shard channels
// only, messages come as smessage, and a shard subscription alone puts a
// RESP2 client in the pub/sub context.
func TestCoreShardedPubSub(t *testing.T) {
	_, addr := startServer(t)
	sub := dial(t, addr)
	pub := dial(t, addr)
	sub.send(cmd("SUBSCRIBE", "ch"))
	sub.expect(arr(bulk("subscribe"), bulk("ch"), ":1\r\n"))
	sub.send(cmd("SSUBSCRIBE", "ch", "sh"))
	sub.expect(arr(bulk("ssubscribe"), bulk("ch"), ":1\r\n"), arr(bulk("ssubscribe"), bulk("sh"), ":2\r\n"))
	pub.do(":1\r\n", "SPUBLISH", "sh", "m1")
	sub.expect(arr(bulk("smessage"), bulk("sh"), bulk("m1")))
	pub.do(":1\r\n", "PUBLISH", "ch", "m2") // the plain channel of the same name
	sub.expect(arr(bulk("message"), bulk("ch"), bulk("m2")))
	pub.do(":0\r\n", "SPUBLISH", "nobody", "m3")
	pub.do(arr(bulk("ch"), bulk("sh")), "PUBSUB", "SHARDCHANNELS")
	pub.do(arr(bulk("sh"), ":1\r\n", bulk("x"), ":0\r\n"), "PUBSUB", "SHARDNUMSUB", "sh", "x")
	pub.send(cmd("INFO", "stats"))
	if got := infoField(pub.reply(), "pubsubshard_channels"); got != "2" {
		t.Fatalf("pubsubshard_channels %q", got)
	}
	pub.send(cmd("CLIENT", "LIST"))
	if list := pub.reply(); !strings.Contains(list, " sub=1 psub=0 ssub=2 ") {
		t.Fatalf("CLIENT LIST: %s", list)
	}
	sub.send(cmd("UNSUBSCRIBE"))
	sub.expect(arr(bulk("unsubscribe"), bulk("ch"), ":0\r\n"))
	// Still in the pub/sub context through the shard channels.
	sub.do("-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n", "GET", "k")
	sub.send(cmd("SUNSUBSCRIBE"))
	sub.expect(arr(bulk("sunsubscribe"), bulk("ch"), ":1\r\n"), arr(bulk("sunsubscribe"), bulk("sh"), ":0\r\n"))
	sub.send(cmd("SUNSUBSCRIBE"))
	sub.expect(arr(bulk("sunsubscribe"), "$-1\r\n", ":0\r\n"))
	sub.do("$-1\r\n", "GET", "k")

	pub.do("+OK\r\n", "MULTI")
	pub.do("+QUEUED\r\n", "SSUBSCRIBE", "sh")
	pub.do(arr("-ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client\r\n"), "EXEC")
}

// Messages that pile up while a subscriber does not read (more than the
// sockets hold) all arrive, in order, once it reads: the loop goes on
// writing what came in behind the replies that waited for the socket.
func TestCorePubSubSlowSubscriberGetsAll(t *testing.T) {
	_, addr := startServer(t)
	sub := dial(t, addr)
	sub.send(cmd("SUBSCRIBE", "ch"))
	sub.expect(arr(bulk("subscribe"), bulk("ch"), ":1\r\n"))
	pub := dial(t, addr)
	payload := strings.Repeat("x", 10000)
	const n = 1500 // 15 MB: past the loopback socket buffers, under the 32 MB hard limit
	for i := 0; i < n; i++ {
		pub.send(cmd("PUBLISH", "ch", strconv.Itoa(i)+payload))
	}
	for i := 0; i < n; i++ {
		pub.expect(":1\r\n")
	}
	for i := 0; i < n; i++ {
		sub.expect(arr(bulk("message"), bulk("ch"), bulk(strconv.Itoa(i)+payload)))
	}
}
