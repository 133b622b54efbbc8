package geo

import "math"

// Limits of what GEOADD accepts (EPSG:900913 / Web Mercator latitudes).
const (
	LatMin  = -85.05112878
	LatMax  = 85.05112878
	LongMin = -180.0
	LongMax = 180.0

	StepMax     = 26 // 52 bits
	EarthRadius = 6372797.560856
	mercatorMax = 20037726.37

	degToRad = math.Pi / 180.0
)

// Range is a coordinate interval.
type Range struct{ Min, Max float64 }

// Hash is a geohash of Step*2 bits.
type Hash struct {
	Bits uint64
	Step uint8
}

// IsZero reports a cleared (excluded) hash.
func (h Hash) IsZero() bool { return h.Bits == 0 && h.Step == 0 }

// Area is the cell a hash covers.
type Area struct {
	Hash      Hash
	Long, Lat Range
}

// Ranges of the internal encoding.
var (
	longRange = Range{LongMin, LongMax}
	latRange  = Range{LatMin, LatMax}
)

func interleave64(xlo, ylo uint32) uint64 {
	b := [...]uint64{0x5555555555555555, 0x3333333333333333, 0x0F0F0F0F0F0F0F0F, 0x00FF00FF00FF00FF, 0x0000FFFF0000FFFF}
	s := [...]uint{1, 2, 4, 8, 16}
	x, y := uint64(xlo), uint64(ylo)
	for i := 4; i >= 0; i-- {
		x = (x | x<<s[i]) & b[i]
		y = (y | y<<s[i]) & b[i]
	}
	return x | y<<1
}

func deinterleave64(v uint64) uint64 {
	b := [...]uint64{0x5555555555555555, 0x3333333333333333, 0x0F0F0F0F0F0F0F0F, 0x00FF00FF00FF00FF, 0x0000FFFF0000FFFF, 0x00000000FFFFFFFF}
	s := [...]uint{0, 1, 2, 4, 8, 16}
	x, y := v, v>>1
	for i := 0; i < 6; i++ {
		x = (x | x>>s[i]) & b[i]
		y = (y | y>>s[i]) & b[i]
	}
	return x | y<<32
}

// encode hashes (longitude, latitude) over the given ranges; ok is false
// outside the accepted limits.
func encode(lr, ar Range, longitude, latitude float64, step uint8) (Hash, bool) {
	if step > 32 || step == 0 {
		return Hash{}, false
	}
	if longitude > LongMax || longitude < LongMin || latitude > LatMax || latitude < LatMin {
		return Hash{}, false
	}
	if latitude < ar.Min || latitude > ar.Max || longitude < lr.Min || longitude > lr.Max {
		return Hash{}, false
	}
	latOff := float64((latitude - ar.Min) / (ar.Max - ar.Min))
	longOff := float64((longitude - lr.Min) / (lr.Max - lr.Min))
	latOff = float64(latOff * float64(uint64(1)<<step))
	longOff = float64(longOff * float64(uint64(1)<<step))
	return Hash{Bits: interleave64(uint32(latOff), uint32(longOff)), Step: step}, true
}

// Encode hashes a point with the internal ranges (GEOADD).
func Encode(longitude, latitude float64, step uint8) (Hash, bool) {
	return encode(longRange, latRange, longitude, latitude, step)
}

// ValidCoord reports whether GEOADD accepts the pair.
func ValidCoord(longitude, latitude float64) bool {
	return !(longitude > LongMax || longitude < LongMin || latitude > LatMax || latitude < LatMin)
}

// Score is the sorted-set score of a point: its 52-bit hash.
func Score(longitude, latitude float64) (float64, bool) {
	h, ok := Encode(longitude, latitude, StepMax)
	if !ok {
		return 0, false
	}
	return float64(align52(h)), true
}

func align52(h Hash) uint64 { return h.Bits << (52 - uint(h.Step)*2) }

func decode(lr, ar Range, h Hash) Area {
	sep := deinterleave64(h.Bits)
	latScale := ar.Max - ar.Min
	longScale := lr.Max - lr.Min
	ilato := uint32(sep)
	ilono := uint32(sep >> 32)
	div := float64(uint64(1) << h.Step)
	var a Area
	a.Hash = h
	a.Lat.Min = ar.Min + float64(float64(ilato)*1.0/div)*latScale
	a.Lat.Max = ar.Min + float64(float64(uint64(ilato)+1)*1.0/div)*latScale
	a.Long.Min = lr.Min + float64(float64(ilono)*1.0/div)*longScale
	a.Long.Max = lr.Min + float64(float64(uint64(ilono)+1)*1.0/div)*longScale
	return a
}

// Decode returns the cell of h in the internal ranges.
func Decode(h Hash) Area { return decode(longRange, latRange, h) }

// Center is the cell's centre clamped to the limits.
func (a Area) Center() (longitude, latitude float64) {
	longitude = (a.Long.Min + a.Long.Max) / 2
	longitude = math.Min(math.Max(longitude, LongMin), LongMax)
	latitude = (a.Lat.Min + a.Lat.Max) / 2
	latitude = math.Min(math.Max(latitude, LatMin), LatMax)
	return
}

// DecodeScore returns the point a score stands for.
func DecodeScore(score float64) (longitude, latitude float64) {
	return Decode(Hash{Bits: uint64(score), Step: StepMax}).Center()
}

const alphabet = "0123456789bcdefghjkmnpqrstuvwxyz"

// HashString is the standard 11-character geohash GEOHASH prints for a
// score: the decoded point re-encoded over latitudes -90..90.
func HashString(score float64) string {
	lon, lat := DecodeScore(score)
	h, _ := encode(Range{-180, 180}, Range{-90, 90}, lon, lat, StepMax)
	var buf [11]byte
	for i := 0; i < 11; i++ {
		idx := 0
		if i < 10 {
			idx = int(h.Bits>>(52-uint(i+1)*5)) & 0x1f
		}
		buf[i] = alphabet[idx]
	}
	return string(buf[:])
}

func degRad(a float64) float64 { return a * degToRad }
func radDeg(a float64) float64 { return a / degToRad }

// LatDistance is the meridian distance between two latitudes.
func LatDistance(lat1, lat2 float64) float64 {
	return EarthRadius * math.Abs(degRad(lat2)-degRad(lat1))
}

// Distance is the haversine great-circle distance in meters.
func Distance(lon1, lat1, lon2, lat2 float64) float64 {
	lon1r, lon2r := degRad(lon1), degRad(lon2)
	v := libmSin((lon2r - lon1r) / 2)
	if v == 0 {
		return LatDistance(lat1, lat2)
	}
	lat1r, lat2r := degRad(lat1), degRad(lat2)
	u := libmSin((lat2r - lat1r) / 2)
	a := float64(u*u) + float64(float64(float64(libmCos(lat1r)*libmCos(lat2r))*v)*v)
	return 2.0 * EarthRadius * libmAsin(math.Sqrt(a))
}

func moveX(h *Hash, d int) {
	x := h.Bits & 0xaaaaaaaaaaaaaaaa
	y := h.Bits & 0x5555555555555555
	zz := uint64(0x5555555555555555) >> (64 - uint(h.Step)*2)
	if d > 0 {
		x = x + (zz + 1)
	} else {
		x = x | zz
		x = x - (zz + 1)
	}
	x &= 0xaaaaaaaaaaaaaaaa >> (64 - uint(h.Step)*2)
	h.Bits = x | y
}

func moveY(h *Hash, d int) {
	x := h.Bits & 0xaaaaaaaaaaaaaaaa
	y := h.Bits & 0x5555555555555555
	zz := uint64(0xaaaaaaaaaaaaaaaa) >> (64 - uint(h.Step)*2)
	if d > 0 {
		y = y + (zz + 1)
	} else {
		y = y | zz
		y = y - (zz + 1)
	}
	y &= 0x5555555555555555 >> (64 - uint(h.Step)*2)
	h.Bits = x | y
}

// Neighbors are the eight cells around a hash, in Redis' search order
// after the centre.
type Neighbors struct {
	North, South, East, West                   Hash
	NorthEast, NorthWest, SouthEast, SouthWest Hash
}

func neighbors(h Hash) Neighbors {
	n := Neighbors{h, h, h, h, h, h, h, h}
	moveX(&n.East, 1)
	moveX(&n.West, -1)
	moveY(&n.South, -1)
	moveY(&n.North, 1)
	moveX(&n.NorthWest, -1)
	moveY(&n.NorthWest, 1)
	moveX(&n.SouthWest, -1)
	moveY(&n.SouthWest, -1)
	moveX(&n.NorthEast, 1)
	moveY(&n.NorthEast, 1)
	moveX(&n.SouthEast, 1)
	moveY(&n.SouthEast, -1)
	return n
}

func estimateSteps(rangeMeters, lat float64) uint8 {
	if rangeMeters == 0 {
		return 26
	}
	step := 1
	for rangeMeters < mercatorMax {
		rangeMeters *= 2
		step++
	}
	step -= 2
	if lat > 66 || lat < -66 {
		step--
		if lat > 80 || lat < -80 {
			step--
		}
	}
	step = min(max(step, 1), 26)
	return uint8(step)
}

// Shape is a search area: a circle (Radius) or a box (Width x Height),
// in the unit given by Conversion (meters per unit).
type Shape struct {
	Longitude, Latitude float64
	Box                 bool
	Radius              float64
	Width, Height       float64
	Conversion          float64
}

func (s *Shape) boundingBox() (minLon, minLat, maxLon, maxLat float64) {
	var height, width float64
	if s.Box {
		height = s.Conversion * (s.Height / 2)
		width = s.Conversion * (s.Width / 2)
	} else {
		height = s.Conversion * s.Radius
		width = s.Conversion * s.Radius
	}
	latDelta := radDeg(height / EarthRadius)
	longDeltaTop := radDeg(width / EarthRadius / libmCos(degRad(s.Latitude+latDelta)))
	longDeltaBottom := radDeg(width / EarthRadius / libmCos(degRad(s.Latitude-latDelta)))
	if s.Latitude < 0 {
		minLon, maxLon = s.Longitude-longDeltaBottom, s.Longitude+longDeltaBottom
	} else {
		minLon, maxLon = s.Longitude-longDeltaTop, s.Longitude+longDeltaTop
	}
	return minLon, s.Latitude - latDelta, maxLon, s.Latitude + latDelta
}

// ScoreRange is a half-open range [Min, Max) of scores to scan.
type ScoreRange struct{ Min, Max float64 }

// SearchRanges returns the score ranges of the cells to scan for s, in the
// order Redis scans them (centre, N, S, E, W, NE, NW, SE, SW), with Redis'
// skipping of excluded and repeated cells.
func SearchRanges(s *Shape) []ScoreRange {
	minLon, minLat, maxLon, maxLat := s.boundingBox()
	radius := s.Radius
	if s.Box {
		radius = math.Sqrt(float64((s.Width/2)*(s.Width/2)) + float64((s.Height/2)*(s.Height/2)))
	}
	radius *= s.Conversion
	steps := estimateSteps(radius, s.Latitude)
	h, _ := Encode(s.Longitude, s.Latitude, steps)
	nb := neighbors(h)
	area := Decode(h)
	north, south, east, west := Decode(nb.North), Decode(nb.South), Decode(nb.East), Decode(nb.West)
	decrease := north.Lat.Max < maxLat || south.Lat.Min > minLat || east.Long.Max < maxLon || west.Long.Min > minLon
	if steps > 1 && decrease {
		steps--
		h, _ = Encode(s.Longitude, s.Latitude, steps)
		nb = neighbors(h)
		area = Decode(h)
	}
	if steps >= 2 {
		if area.Lat.Min < minLat {
			nb.South, nb.SouthWest, nb.SouthEast = Hash{}, Hash{}, Hash{}
		}
		if area.Lat.Max > maxLat {
			nb.North, nb.NorthEast, nb.NorthWest = Hash{}, Hash{}, Hash{}
		}
		if area.Long.Min < minLon {
			nb.West, nb.SouthWest, nb.NorthWest = Hash{}, Hash{}, Hash{}
		}
		if area.Long.Max > maxLon {
			nb.East, nb.SouthEast, nb.NorthEast = Hash{}, Hash{}, Hash{}
		}
	}
	cells := [9]Hash{h, nb.North, nb.South, nb.East, nb.West, nb.NorthEast, nb.NorthWest, nb.SouthEast, nb.SouthWest}
	var out []ScoreRange
	last := 0
	for i, c := range cells {
		if c.IsZero() {
			continue
		}
		if last != 0 && c == cells[last] {
			continue
		}
		lo := align52(c)
		c.Bits++
		out = append(out, ScoreRange{float64(lo), float64(align52(c))})
		last = i
	}
	return out
}

// Within checks whether the point stored as score lies in s, returning
// the point and its distance (meters) from the centre.
func (s *Shape) Within(score float64) (lon, lat, dist float64, ok bool) {
	lon, lat = DecodeScore(score)
	if !s.Box {
		dist = Distance(s.Longitude, s.Latitude, lon, lat)
		return lon, lat, dist, dist <= s.Radius*s.Conversion
	}
	w, h := s.Width*s.Conversion, s.Height*s.Conversion
	if LatDistance(lat, s.Latitude) > h/2 {
		return lon, lat, 0, false
	}
	if Distance(lon, lat, s.Longitude, lat) > w/2 {
		return lon, lat, 0, false
	}
	return lon, lat, Distance(s.Longitude, s.Latitude, lon, lat), true
}
