package hll

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/tandem-db/tandem/internal/redis/redistest"
)

func startRedis(t *testing.T) *redis.Client { return redistest.Start(t, 3) }

// TestAgainstRedis adds the same elements here and in redis-server and
// requires the same bytes after every batch, and the same counts.
func TestAgainstRedis(t *testing.T) {
	rc := startRedis(t)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(3, 4))
	cfg := DefaultConfig()
	for _, total := range []int{1, 10, 300, 5000, 30000} {
		key := fmt.Sprintf("h%d", total)
		b := New()
		Invalidate(b) // PFADD creating the key marks the cache stale
		for done := 0; done < total; {
			n := min(total-done, 1+rng.IntN(200))
			args := []any{key}
			for i := 0; i < n; i++ {
				e := []byte(fmt.Sprintf("e%d-%d", rng.IntN(1<<30), i))
				args = append(args, e)
				var err error
				var upd bool
				b, upd, err = Add(b, e, cfg)
				if err != nil {
					t.Fatal(err)
				}
				if upd {
					Invalidate(b)
				}
			}
			done += n
			if err := rc.PFAdd(ctx, key, args[1:]...).Err(); err != nil {
				t.Fatal(err)
			}
			got, _ := rc.Get(ctx, key).Bytes()
			if !bytes.Equal(got, b) {
				t.Fatalf("%s after %d: bytes differ (len %d vs redis %d)\nours  %q\nredis %q", key, done, len(b), len(got), Decode(b), Decode(got))
			}
		}
		want, _ := rc.PFCount(ctx, key).Result()
		c, err := Count(b)
		if err != nil || int64(c) != want {
			t.Fatalf("%s: count %d (%v), redis %d", key, c, err, want)
		}
	}
	// Merge of all, as PFCOUNT of many keys.
	var max [Registers]uint8
	keys := []string{"h1", "h10", "h300", "h5000", "h30000"}
	for _, k := range keys {
		v, _ := rc.Get(ctx, k).Bytes()
		if err := Merge(&max, v); err != nil {
			t.Fatal(err)
		}
	}
	want, _ := rc.PFCount(ctx, keys...).Result()
	if got := CountRegisters(&max); int64(got) != want {
		t.Fatalf("merged count %d, redis %d", got, want)
	}
}

func TestMurmur(t *testing.T) {
	// Values from Redis' own hash (checked through PFADD placement above);
	// here only the empty-key and tail paths for stability.
	if MurmurHash64A(nil, 0) != 0 {
		t.Fatalf("empty hash %x", MurmurHash64A(nil, 0))
	}
	if MurmurHash64A([]byte("abcdefghi"), 1) == MurmurHash64A([]byte("abcdefghj"), 1) {
		t.Fatal("tail bytes ignored")
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(New())
	b, _, _ := Add(New(), []byte("x"), DefaultConfig())
	f.Add(b)
	d, _ := ToDense(b)
	f.Add(d)
	f.Fuzz(func(t *testing.T, b []byte) {
		if !Valid(b) {
			return
		}
		var max [Registers]uint8
		errM := Merge(&max, b)
		_, errC := Count(b)
		_ = Decode(b)
		if d, err := ToDense(b); err == nil {
			if errM != nil {
				t.Fatal("ToDense accepted what Merge rejected")
			}
			if _, err := Count(d); err != nil {
				t.Fatal(err)
			}
		}
		if errC == nil && IsSparse(b) {
			c := append([]byte(nil), b...)
			if _, _, err := Add(c, []byte("elem"), Config{SparseMaxBytes: 100}); err != nil && errM == nil {
				t.Logf("add on valid-count sparse failed: %v", err)
			}
		}
	})
}
