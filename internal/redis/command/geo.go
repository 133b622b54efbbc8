package command

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/tandem-db/tandem/internal/redis/ds/geo"
	"github.com/tandem-db/tandem/internal/redis/ds/zset"
	"github.com/tandem-db/tandem/internal/redis/resp"
)

// The geo family (geo.c): points are members of a sorted set scored by
// their 52-bit geohash (ds/geo), so every ZSET command works on them.
// Distances print with four decimals and coordinates as Redis prints long
// doubles, from the same arithmetic.

func registerGeo(t *Table) {
	g := func(s *Spec) *Spec {
		s.Group = "geo"
		if s.FirstKey == 0 {
			s.FirstKey, s.LastKey, s.Step = 1, 1, 1
		}
		return s
	}
	radiusKeys := func(args [][]byte) []int {
		out := []int{1}
		for i := 2; i+1 < len(args); i++ {
			if o := strings.ToLower(string(args[i])); o == "store" || o == "storedist" {
				out = append(out, i+1)
			}
		}
		return out
	}
	t.Add(
		g(&Spec{Name: "geoadd", Arity: -5, Flags: Write | DenyOOM, Since: "3.2.0",
			Summary: "Add members with coordinates to a geospatial index", Complexity: "O(log(N)) for each item added",
			ACL: []string{"write", "geo", "slow"}, Handler: geoaddCommand}),
		g(&Spec{Name: "geopos", Arity: -2, Flags: ReadOnly, Since: "3.2.0",
			Summary: "Return the coordinates of members", Complexity: "O(N)",
			ACL: []string{"read", "geo", "slow"}, Handler: geoposCommand}),
		g(&Spec{Name: "geodist", Arity: -4, Flags: ReadOnly, Since: "3.2.0",
			Summary: "Return the distance between two members", Complexity: "O(log(N))",
			ACL: []string{"read", "geo", "slow"}, Handler: geodistCommand}),
		g(&Spec{Name: "geohash", Arity: -2, Flags: ReadOnly, Since: "3.2.0",
			Summary: "Return members' positions as geohash strings", Complexity: "O(log(N)) for each member requested",
			ACL: []string{"read", "geo", "slow"}, Handler: geohashCommand}),
		g(&Spec{Name: "georadius", Arity: -6, Flags: Write | DenyOOM | MovableKeys, Keys: radiusKeys, Since: "3.2.0",
			Summary: "Query points within a radius of coordinates, optionally storing the result", Complexity: "O(N+log(M))",
			ACL: []string{"write", "geo", "slow"}, Handler: func(c *Ctx) { geoSearch(c, 1, geoByCoords) }}),
		g(&Spec{Name: "georadius_ro", Arity: -6, Flags: ReadOnly, Since: "3.2.10",
			Summary: "Query points within a radius of coordinates", Complexity: "O(N+log(M))",
			ACL: []string{"read", "geo", "slow"}, Handler: func(c *Ctx) { geoSearch(c, 1, geoByCoords|geoNoStore) }}),
		g(&Spec{Name: "georadiusbymember", Arity: -5, Flags: Write | DenyOOM | MovableKeys, Keys: radiusKeys, Since: "3.2.0",
			Summary: "Query points within a radius of a member, optionally storing the result", Complexity: "O(N+log(M))",
			ACL: []string{"write", "geo", "slow"}, Handler: func(c *Ctx) { geoSearch(c, 1, geoByMember) }}),
		g(&Spec{Name: "georadiusbymember_ro", Arity: -5, Flags: ReadOnly, Since: "3.2.10",
			Summary: "Query points within a radius of a member", Complexity: "O(N+log(M))",
			ACL: []string{"read", "geo", "slow"}, Handler: func(c *Ctx) { geoSearch(c, 1, geoByMember|geoNoStore) }}),
		g(&Spec{Name: "geosearch", Arity: -7, Flags: ReadOnly, Since: "6.2.0",
			Summary: "Query points within a box or circle", Complexity: "O(N+log(M))",
			ACL: []string{"read", "geo", "slow"}, Handler: func(c *Ctx) { geoSearch(c, 1, geoSearchFlag) }}),
		g(&Spec{Name: "geosearchstore", Arity: -8, Flags: Write | DenyOOM, LastKey: 2, Since: "6.2.0",
			Summary: "Store the points within a box or circle in a key", Complexity: "O(N+log(M))",
			ACL: []string{"write", "geo", "slow"}, Handler: func(c *Ctx) { geoSearch(c, 2, geoSearchFlag|geoSearchStore) }}),
	)
}

const (
	geoByCoords = 1 << iota
	geoByMember
	geoNoStore
	geoSearchFlag
	geoSearchStore
)

// appendHumanLongDouble prints f as Redis' ld2string(LD_STR_HUMAN):
// 17 decimals, trailing zeros and point removed.
func appendHumanLongDouble(dst []byte, f float64) []byte {
	start := len(dst)
	dst = strconv.AppendFloat(dst, f, 'f', 17, 64)
	if strings.IndexByte(string(dst[start:]), '.') >= 0 {
		for dst[len(dst)-1] == '0' {
			dst = dst[:len(dst)-1]
		}
		if dst[len(dst)-1] == '.' {
			dst = dst[:len(dst)-1]
		}
	}
	if string(dst[start:]) == "-0" {
		dst = append(dst[:start], '0')
	}
	return dst
}

func writeCoord(w *resp.Writer, f float64) {
	var buf [64]byte
	s := appendHumanLongDouble(buf[:0], f)
	if w.Proto == 3 {
		w.Raw([]byte{','})
		w.Raw(s)
		w.Raw([]byte("\r\n"))
		return
	}
	w.Bulk(s)
}

func writeDistance(w *resp.Writer, d float64) {
	var buf [64]byte
	w.Bulk(strconv.AppendFloat(buf[:0], d, 'f', 4, 64))
}

// lonLat parses a longitude/latitude pair (extractLongLatOrReply).
func lonLat(c *Ctx, args [][]byte) (lon, lat float64, ok bool) {
	if lon, ok = ParseFloat(args[0]); !ok {
		c.Error(ErrNotFloat)
		return
	}
	if lat, ok = ParseFloat(args[1]); !ok {
		c.Error(ErrNotFloat)
		return
	}
	if !geo.ValidCoord(lon, lat) {
		c.Error(fmt.Sprintf("ERR invalid longitude,latitude pair %s,%s", cFloat(lon), cFloat(lat)))
		return 0, 0, false
	}
	return lon, lat, true
}

// cFloat formats as C's "%f".
func cFloat(f float64) string {
	s := strconv.FormatFloat(f, 'f', 6, 64)
	switch s {
	case "+Inf":
		return "inf"
	case "-Inf":
		return "-inf"
	}
	return s
}

// unit returns meters per unit (extractUnitOrReply).
func unit(c *Ctx, arg []byte) (float64, bool) {
	switch strings.ToLower(string(arg)) {
	case "m":
		return 1, true
	case "km":
		return 1000, true
	case "ft":
		return 0.3048, true
	case "mi":
		return 1609.34, true
	}
	c.Error(errGeoUnitUnknown)
	return 0, false
}

func geoaddCommand(c *Ctx) {
	at := 2
	nx, xx := false, false
	var opts [][]byte
loop:
	for ; at < len(c.Args); at++ {
		switch strings.ToLower(string(c.Args[at])) {
		case "nx":
			nx = true
		case "xx":
			xx = true
		case "ch":
		default:
			break loop
		}
		opts = append(opts, c.Args[at])
	}
	if (len(c.Args)-at)%3 != 0 || (nx && xx) {
		c.Error(ErrSyntax)
		return
	}
	args := [][]byte{[]byte("zadd"), c.Args[1]}
	args = append(args, opts...)
	for i := at; i < len(c.Args); i += 3 {
		lon, lat, ok := lonLat(c, c.Args[i:i+2])
		if !ok {
			return
		}
		score, _ := geo.Score(lon, lat)
		args = append(args, []byte(strconv.FormatUint(uint64(score), 10)), c.Args[i+2])
	}
	c.Args = args
	zaddGeneric(c, 0)
	if c.DirtyCount() > 0 {
		c.Propagate(args...)
	}
}

func geoposCommand(c *Ctx) {
	z, ok, wrong := lookupZSet(c, c.Args[1])
	if wrong {
		return
	}
	c.W.Array(len(c.Args) - 2)
	for _, m := range c.Args[2:] {
		var s float64
		found := false
		if ok {
			s, found = z.Score(string(m))
		}
		if !found {
			c.W.NullArray()
			continue
		}
		lon, lat := geo.DecodeScore(s)
		c.W.Array(2)
		writeCoord(c.W, lon)
		writeCoord(c.W, lat)
	}
}

func geodistCommand(c *Ctx) {
	toMeter := 1.0
	if len(c.Args) == 5 {
		var ok bool
		if toMeter, ok = unit(c, c.Args[4]); !ok {
			return
		}
	} else if len(c.Args) > 5 {
		c.Error(ErrSyntax)
		return
	}
	z, ok, wrong := lookupZSet(c, c.Args[1])
	if wrong {
		return
	}
	if !ok {
		c.W.Null()
		return
	}
	s1, ok1 := z.Score(string(c.Args[2]))
	s2, ok2 := z.Score(string(c.Args[3]))
	if !ok1 || !ok2 {
		c.W.Null()
		return
	}
	lon1, lat1 := geo.DecodeScore(s1)
	lon2, lat2 := geo.DecodeScore(s2)
	writeDistance(c.W, geo.Distance(lon1, lat1, lon2, lat2)/toMeter)
}

func geohashCommand(c *Ctx) {
	z, ok, wrong := lookupZSet(c, c.Args[1])
	if wrong {
		return
	}
	c.W.Array(len(c.Args) - 2)
	for _, m := range c.Args[2:] {
		var s float64
		found := false
		if ok {
			s, found = z.Score(string(m))
		}
		if !found {
			c.W.Null()
			continue
		}
		c.W.BulkString(geo.HashString(s))
	}
}

// geoPoint is one search result.
type geoPoint struct {
	member   string
	lon, lat float64
	dist     float64
	score    float64
}

// distanceArgs parses "<radius> <unit>" (extractDistanceOrReply).
func distanceArgs(c *Ctx, args [][]byte) (radius, conv float64, ok bool) {
	if radius, ok = ParseFloat(args[0]); !ok {
		c.Error("ERR need numeric radius")
		return
	}
	if radius < 0 {
		c.Error(errGeoRadiusNeg)
		return 0, 0, false
	}
	conv, ok = unit(c, args[1])
	return
}

// boxArgs parses "<width> <height> <unit>" (extractBoxOrReply).
func boxArgs(c *Ctx, args [][]byte) (w, h, conv float64, ok bool) {
	if w, ok = ParseFloat(args[0]); !ok {
		c.Error("ERR need numeric width")
		return
	}
	if h, ok = ParseFloat(args[1]); !ok {
		c.Error("ERR need numeric height")
		return
	}
	if w < 0 || h < 0 {
		c.Error(errGeoHeightNeg)
		return 0, 0, 0, false
	}
	conv, ok = unit(c, args[2])
	return
}

// geoSearch is georadiusGeneric: GEORADIUS*, GEOSEARCH and GEOSEARCHSTORE.
func geoSearch(c *Ctx, srcAt int, flags int) {
	prev := c.BeginReads() // GEORADIUS and GEOSEARCHSTORE (write commands) read the source
	z, exists, wrong := lookupZSet(c, c.Args[srcAt])
	c.EndReads(prev)
	if wrong {
		return
	}
	var storeKey []byte
	storeDist := false
	var shape geo.Shape
	base := 0
	memberCenter := func(m []byte) bool {
		s, found := z.Score(string(m))
		if !found {
			c.Error(errGeoMember)
			return false
		}
		shape.Longitude, shape.Latitude = geo.DecodeScore(s)
		return true
	}
	switch {
	case flags&geoByCoords != 0:
		base = 6
		var ok bool
		if shape.Longitude, shape.Latitude, ok = lonLat(c, c.Args[2:4]); !ok {
			return
		}
		if shape.Radius, shape.Conversion, ok = distanceArgs(c, c.Args[4:6]); !ok {
			return
		}
	case flags&geoByMember != 0:
		base = 5
		if exists {
			if !memberCenter(c.Args[2]) {
				return
			}
			var ok bool
			if shape.Radius, shape.Conversion, ok = distanceArgs(c, c.Args[3:5]); !ok {
				return
			}
		}
	default:
		base = 2
		if flags&geoSearchStore != 0 {
			base = 3
			storeKey = c.Args[1]
		}
	}
	withDist, withHash, withCoord := false, false, false
	fromMember, fromLoc, byRadius, byBox := false, false, false, false
	sortDir := 0 // 0 none, 1 asc, -1 desc
	anyFlag := false
	count := int64(0)
	rem := len(c.Args) - base
	for i := 0; i < rem; i++ {
		at := base + i
		switch arg := strings.ToLower(string(c.Args[at])); {
		case arg == "withdist":
			withDist = true
		case arg == "withhash":
			withHash = true
		case arg == "withcoord":
			withCoord = true
		case arg == "any":
			anyFlag = true
		case arg == "asc":
			sortDir = 1
		case arg == "desc":
			sortDir = -1
		case arg == "count" && i+1 < rem:
			n, ok := ParseInt(c.Args[at+1])
			if !ok {
				c.Error(ErrNotInt)
				return
			}
			if n <= 0 {
				c.Error(errGeoCountZero)
				return
			}
			count = n
			i++
		case (arg == "store" || arg == "storedist") && i+1 < rem && flags&geoNoStore == 0 && flags&geoSearchFlag == 0:
			storeKey = c.Args[at+1]
			storeDist = arg == "storedist"
			i++
		case arg == "storedist" && flags&geoSearchStore != 0:
			storeDist = true
		case arg == "frommember" && i+1 < rem && flags&geoSearchFlag != 0 && !fromLoc:
			if exists && !memberCenter(c.Args[at+1]) {
				return
			}
			fromMember = true
			i++
		case arg == "fromlonlat" && i+2 < rem && flags&geoSearchFlag != 0 && !fromMember:
			var ok bool
			if shape.Longitude, shape.Latitude, ok = lonLat(c, c.Args[at+1:at+3]); !ok {
				return
			}
			fromLoc = true
			i += 2
		case arg == "byradius" && i+2 < rem && flags&geoSearchFlag != 0 && !byBox:
			var ok bool
			if shape.Radius, shape.Conversion, ok = distanceArgs(c, c.Args[at+1:at+3]); !ok {
				return
			}
			shape.Box = false
			byRadius = true
			i += 2
		case arg == "bybox" && i+3 < rem && flags&geoSearchFlag != 0 && !byRadius:
			var ok bool
			if shape.Width, shape.Height, shape.Conversion, ok = boxArgs(c, c.Args[at+1:at+4]); !ok {
				return
			}
			shape.Box = true
			byBox = true
			i += 3
		default:
			c.Error(ErrSyntax)
			return
		}
	}
	if storeKey != nil && (withDist || withHash || withCoord) {
		what := "STORE option in GEORADIUS"
		if flags&geoSearchStore != 0 {
			what = "GEOSEARCHSTORE"
		}
		c.Error("ERR " + what + " is not compatible with WITHDIST, WITHHASH and WITHCOORD options")
		return
	}
	if flags&geoSearchFlag != 0 && !(fromMember || fromLoc) {
		c.Error("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for " + string(c.Args[0]))
		return
	}
	if flags&geoSearchFlag != 0 && !(byRadius || byBox) {
		c.Error("ERR exactly one of BYRADIUS and BYBOX arguments must be provided for " + string(c.Args[0]))
		return
	}
	if anyFlag && count == 0 {
		c.Error(errGeoAnyCount)
		return
	}
	if !exists {
		if storeKey != nil {
			if c.DB.Delete(storeKey) {
				c.Modified(storeKey)
				c.Notify('g', "del", storeKey)
				c.Dirty(1)
			}
			c.W.Int(0)
		} else {
			c.W.Array(0)
		}
		return
	}
	if count != 0 && sortDir == 0 && !anyFlag {
		sortDir = 1
	}
	limit := 0
	if anyFlag {
		limit = int(count)
	}
	points := searchPoints(z, &shape, limit)
	if len(points) == 0 && storeKey == nil {
		c.W.Array(0)
		return
	}
	if sortDir != 0 {
		sort.SliceStable(points, func(a, b int) bool {
			if sortDir > 0 {
				return points[a].dist < points[b].dist
			}
			return points[a].dist > points[b].dist
		})
	}
	n := len(points)
	if count != 0 && int64(n) > count {
		n = int(count)
	}
	points = points[:n]
	for i := range points {
		points[i].dist /= shape.Conversion
	}
	if storeKey == nil {
		opts := 0
		for _, f := range []bool{withDist, withHash, withCoord} {
			if f {
				opts++
			}
		}
		c.W.Array(n)
		for _, p := range points {
			if opts > 0 {
				c.W.Array(opts + 1)
			}
			c.W.BulkString(p.member)
			if withDist {
				writeDistance(c.W, p.dist)
			}
			if withHash {
				c.W.Int(int64(p.score))
			}
			if withCoord {
				c.W.Array(2)
				writeCoord(c.W, p.lon)
				writeCoord(c.W, p.lat)
			}
		}
		return
	}
	if n == 0 {
		if c.DB.Delete(storeKey) {
			c.Modified(storeKey)
			c.Notify('g', "del", storeKey)
			c.Dirty(1)
		}
		c.W.Int(0)
		return
	}
	cfg := sortedConfig(c).ZSet
	dst := zset.NewSized(n, 0, zset.Config{})
	for _, p := range points {
		s := p.score
		if storeDist {
			s = p.dist
		}
		dst.Add(p.member, s, cfg)
	}
	dst.Compact(cfg)
	c.DB.SetObject(storeKey, dst)
	c.Modified(storeKey)
	ev := "georadiusstore"
	if flags&geoSearchFlag != 0 {
		ev = "geosearchstore"
	}
	c.Notify('z', ev, storeKey)
	c.Dirty(n)
	c.W.Int(int64(n))
}

// searchPoints scans the cells covering shape in Redis' order and keeps
// the points inside it, stopping at limit points when limit > 0.
func searchPoints(z *zset.ZSet, shape *geo.Shape, limit int) []geoPoint {
	var out []geoPoint
	for _, r := range geo.SearchRanges(shape) {
		if limit > 0 && len(out) >= limit {
			break
		}
		lo, hi := z.ScoreRanks(zset.ScoreRange{Min: r.Min, Max: r.Max, MaxEx: true})
		if hi <= lo {
			continue
		}
		z.Range(lo, hi-1, false, func(m string, s float64) bool {
			lon, lat, dist, in := shape.Within(s)
			if !in {
				return true
			}
			out = append(out, geoPoint{member: strings.Clone(m), lon: lon, lat: lat, dist: dist, score: s})
			return !(limit > 0 && len(out) >= limit)
		})
	}
	return out
}
