package rdb

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/tandem-db/tandem/internal/redis/keyspace"
	"github.com/tandem-db/tandem/internal/redis/redistest"
)

// fillRedis creates a key of every type and encoding Redis 7.0 has (except streams).
func fillRedis(ctx context.Context, t *testing.T, c *redis.Client) []string {
	rng := rand.New(rand.NewPCG(7, 8))
	random := make([]byte, 300)
	for i := range random {
		random[i] = byte(rng.IntN(256))
	}
	cmds := [][]any{
		// redis-server's built-in default is 512 (its redis.conf says 128, as tandem does).
		{"config", "set", "hash-max-listpack-entries", "128"},
		{"set", "str:int", "12345"},
		{"set", "str:bigint", "-9223372036854775808"},
		{"set", "str:neg", "-7"},
		{"set", "str:empty", ""},
		{"set", "str:short", "hello world"},
		{"set", "str:lzf", strings.Repeat("compress me ", 40)},
		{"set", "str:random", string(random)},
		{"append", "str:raw", "abc"},
		{"rpush", "list:small", "a", "1", "-300", "70000", "9223372036854775807", strings.Repeat("z", 100)},
		{"rpush", "list:bigelem", strings.Repeat("x", 9000), "y", strings.Repeat("w", 70000)},
		{"sadd", "set:intset", "1", "-2", "300", "70000", "5000000000"},
		{"sadd", "set:hashtable", "a", "b", "1", "c"},
		{"zadd", "zset:listpack", "1", "one", "1.5", "onehalf", "-inf", "ninf", "+inf", "pinf", "0.1", "tenth", "-3", "neg"},
		{"hset", "hash:listpack", "f1", "v1", "f2", "2", "f3", strings.Repeat("v", 60)},
		{"hset", "hash:hashtable", "f", strings.Repeat("long", 30)},
	}
	for i := 0; i < 2000; i++ {
		cmds = append(cmds, []any{"rpush", "list:big", fmt.Sprintf("element-%d", i)})
	}
	for i := 0; i < 600; i++ {
		cmds = append(cmds, []any{"sadd", "set:bigintset", strconv.Itoa(i * 3)})
	}
	for i := 0; i < 300; i++ {
		cmds = append(cmds, []any{"zadd", "zset:skiplist", float64(i) / 7, fmt.Sprintf("m%d", i)})
		cmds = append(cmds, []any{"hset", "hash:big", fmt.Sprintf("f%d", i), strconv.Itoa(i)})
	}
	for _, cmd := range cmds {
		if err := c.Do(ctx, cmd...).Err(); err != nil {
			t.Fatalf("%v: %v", cmd[:2], err)
		}
	}
	keys, err := c.Keys(ctx, "*").Result()
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(keys)
	return keys
}

// redisContents renders key as contents renders a decoded value.
func redisContents(ctx context.Context, t *testing.T, c *redis.Client, key string) string {
	typ := c.Type(ctx, key).Val()
	enc := c.ObjectEncoding(ctx, key).Val()
	var items []string
	switch typ {
	case "string":
		return "string " + c.Get(ctx, key).Val()
	case "list":
		return fmt.Sprintf("list %q", c.LRange(ctx, key, 0, -1).Val())
	case "set":
		items = c.SMembers(ctx, key).Val()
	case "zset":
		for _, z := range c.ZRangeWithScores(ctx, key, 0, -1).Val() {
			items = append(items, fmt.Sprintf("%s=%v", z.Member, z.Score))
		}
	case "hash":
		for f, v := range c.HGetAll(ctx, key).Val() {
			items = append(items, f+"="+v)
		}
	default:
		t.Fatalf("%s: type %s", key, typ)
	}
	slices.Sort(items)
	return fmt.Sprintf("%s %s %q", typ, enc, items)
}

// TestRedisServerPayloads decodes redis-server's DUMP of every encoding, and RESTOREs
// tandem's payloads into redis-server, comparing contents and encodings both ways. With
// TANDEM_RDB_GOLDEN=1 it also records redis-server's payloads as fuzz seeds.
func TestRedisServerPayloads(t *testing.T) {
	ctx := context.Background()
	c := redistest.Start(t, 2)
	cfg := DefaultConfig()
	for _, key := range fillRedis(ctx, t, c) {
		want := redisContents(ctx, t, c, key)
		dump, err := c.Dump(ctx, key).Result()
		if err != nil {
			t.Fatal(err)
		}
		if os.Getenv("TANDEM_RDB_GOLDEN") != "" {
			writeSeed(t, "FuzzLoadPayload", key, []byte(dump))
			obj := []byte(dump[:len(dump)-footerSize])
			writeSeed(t, "FuzzDecodeObject", key, obj)
			if typ := Type(obj[0]); typ == TypeHashListpack || typ == TypeZSetListpack {
				r := &reader{b: obj[1:]}
				if lp, err := r.string(); err == nil {
					writeSeed(t, "FuzzListpack", key, lp)
				}
			}
		}
		v, err := LoadPayload([]byte(dump), cfg)
		if err != nil {
			t.Errorf("%s: tandem cannot load redis-server's payload: %v", key, err)
			continue
		}
		kv := keyspace.Value{Type: v.Type, Str: v.Str, Obj: v.Obj}
		got := contents(kv)
		if v.Type == keyspace.TypeString {
			got = "string " + string(v.Str)
		}
		if got != want {
			t.Errorf("%s: decoded\n%.300s\nredis-server has\n%.300s", key, got, want)
		}
		ours, err := Payload(kv, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(ours, []byte(dump)) { // LZF output and hashtable order may differ
			t.Logf("%s: payload differs from redis-server's (%d vs %d bytes)", key, len(ours), len(dump))
		}
		if err := c.Restore(ctx, key+":tandem", 0, string(ours)).Err(); err != nil {
			t.Errorf("%s: redis-server refuses tandem's payload: %v", key, err)
			continue
		}
		if back := redisContents(ctx, t, c, key+":tandem"); back != want {
			t.Errorf("%s: restored in redis-server as\n%.300s\nwant\n%.300s", key, back, want)
		}
	}
}

// writeSeed stores data as a corpus file of fuzz test name under testdata/fuzz.
func writeSeed(t *testing.T, name, label string, data []byte) {
	dir := filepath.Join("testdata", "fuzz", name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	body := fmt.Sprintf("go test fuzz v1\n[]byte(%s)\n", strconv.Quote(string(data)))
	label = strings.NewReplacer(":", "-", "/", "-").Replace(label)
	if err := os.WriteFile(filepath.Join(dir, label), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestMutatedPayloadsAgainstRedisServer changes a few bytes of redis-server's own payloads
// (recomputing the checksum, so the object decoder sees the damage) and requires tandem to
// accept exactly the payloads redis-server 7.0 accepts with sanitize-dump-payload yes.
func TestMutatedPayloadsAgainstRedisServer(t *testing.T) {
	ctx := context.Background()
	c := redistest.Start(t, 2)
	var seeds [][]byte
	for _, key := range fillRedis(ctx, t, c) {
		if d := c.Dump(ctx, key).Val(); len(d) < 4000 {
			seeds = append(seeds, []byte(d))
		}
	}
	if err := c.ConfigSet(ctx, "sanitize-dump-payload", "yes").Err(); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	tab := newCRCTable()
	for i := 0; i < 3000; i++ {
		seed := seeds[rng.IntN(len(seeds))]
		obj := slices.Clone(seed[:len(seed)-footerSize])
		for k := rng.IntN(3) + 1; k > 0; k-- {
			j := 1 + rng.IntN(len(obj)-1)
			switch rng.IntN(3) {
			case 0:
				obj[j] = byte(rng.IntN(256))
			case 1:
				obj[j]++
			default:
				obj[j]--
			}
		}
		if rng.IntN(4) == 0 && len(obj) > 3 {
			cut := 2 + rng.IntN(len(obj)-2)
			obj = append(obj[:cut:cut], obj[cut+1:]...)
		}
		p := binary.LittleEndian.AppendUint16(obj, Version)
		p = binary.LittleEndian.AppendUint64(p, tab.update(0, p))
		v, ours := LoadPayload(p, DefaultConfig())
		c.Del(ctx, "k")
		theirs := c.Restore(ctx, "k", 0, string(p)).Err()
		if (ours == nil) != (theirs == nil) {
			t.Errorf("payload %x: tandem %v, redis-server %v", p, ours, theirs)
			continue
		}
		if ours != nil {
			continue
		}
		got := "string " + string(v.Str)
		if v.Obj != nil {
			got = contents(keyspace.Value{Type: v.Type, Obj: v.Obj})
		}
		if want := redisContents(ctx, t, c, "k"); got != want {
			t.Errorf("payload %x: tandem has\n%.300s\nredis-server has\n%.300s", p, got, want)
		}
	}
}
