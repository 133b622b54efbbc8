package geo

import (
	"context"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/tandem-db/tandem/internal/redis/redistest"
)

func startRedis(t *testing.T) *redis.Client { return redistest.Start(t, 2) }

func human(f float64) string {
	s := strconv.FormatFloat(f, 'f', 17, 64)
	for s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	if s[len(s)-1] == '.' {
		s = s[:len(s)-1]
	}
	return s
}

// TestAgainstRedis compares scores, decoded positions, hashes and
// distances of random points with a real redis-server.
func TestAgainstRedis(t *testing.T) {
	rc := startRedis(t)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 300; i++ {
		lon := rng.Float64()*360 - 180
		lat := rng.Float64()*170.1 - 85.05
		if i%10 == 0 {
			lon, lat = float64(rng.IntN(361)-180), float64(rng.IntN(171)-85)
		}
		m := strconv.Itoa(i)
		if err := rc.Do(ctx, "GEOADD", "g", lon, lat, m).Err(); err != nil {
			t.Fatal(err)
		}
		score, ok := Score(lon, lat)
		if !ok {
			t.Fatalf("rejected %v,%v", lon, lat)
		}
		want, _ := rc.ZScore(ctx, "g", m).Result()
		if want != score {
			t.Fatalf("score of %v,%v: %v, redis %v", lon, lat, score, want)
		}
		pos, _ := rc.Do(ctx, "GEOPOS", "g", m).Slice()
		plon, plat := DecodeScore(score)
		p := pos[0].([]any)
		if human(plon) != p[0] || human(plat) != p[1] {
			t.Fatalf("pos %s %s, redis %v", human(plon), human(plat), p)
		}
		gh, _ := rc.Do(ctx, "GEOHASH", "g", m).Slice()
		if HashString(score) != gh[0] {
			t.Fatalf("hash %s, redis %v", HashString(score), gh[0])
		}
		if i > 0 {
			o := strconv.Itoa(rng.IntN(i))
			oscore, _ := rc.ZScore(ctx, "g", o).Result()
			olon, olat := DecodeScore(oscore)
			d, _ := rc.Do(ctx, "GEODIST", "g", m, o).Text()
			if got := strconv.FormatFloat(Distance(plon, plat, olon, olat), 'f', 4, 64); got != d {
				t.Fatalf("dist %s, redis %s", got, d)
			}
		}
	}
}
