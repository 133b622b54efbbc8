package hll

import (
	"encoding/binary"
	"errors"
	"math"
)

// Parameters of Redis' HyperLogLog.
const (
	P          = 14
	Registers  = 1 << P
	q          = 64 - P
	bits       = 6
	registerMx = 1<<bits - 1
	HeaderSize = 16
	DenseSize  = HeaderSize + (Registers*bits+7)/8

	encDense  = 0
	encSparse = 1

	sparseValMax    = 32
	sparseValMaxLen = 4
	sparseZeroMax   = 64
	sparseXZeroMax  = 16384
)

// Config holds hll-sparse-max-bytes.
type Config struct {
	SparseMaxBytes int // default 3000
}

// DefaultConfig is Redis' default.
func DefaultConfig() Config { return Config{SparseMaxBytes: 3000} }

// ErrCorrupt is reported for a header that is valid but a body that is not
// (Redis' "INVALIDOBJ Corrupted HLL object detected").
var ErrCorrupt = errors.New("hll: corrupted HLL object")

// New returns an empty HyperLogLog in the sparse encoding, as PFADD
// creates it (the cached cardinality 0 and valid).
func New() []byte {
	b := make([]byte, HeaderSize, HeaderSize+2)
	copy(b, "HYLL")
	b[4] = encSparse
	return append(b, 0x40|byte((sparseXZeroMax-1)>>8), byte((sparseXZeroMax-1)&0xff))
}

// Valid reports whether b has a HyperLogLog header Redis accepts (magic,
// known encoding, exact dense length).
func Valid(b []byte) bool {
	if len(b) < HeaderSize || string(b[:4]) != "HYLL" || b[4] > encSparse {
		return false
	}
	return b[4] != encDense || len(b) == DenseSize
}

// IsSparse reports whether a valid b uses the sparse encoding.
func IsSparse(b []byte) bool { return b[4] == encSparse }

// Invalidate marks the cached cardinality stale.
func Invalidate(b []byte) { b[15] |= 0x80 }

// Cached returns the cached cardinality if it is valid.
func Cached(b []byte) (uint64, bool) {
	if b[15]&0x80 != 0 {
		return 0, false
	}
	return binary.LittleEndian.Uint64(b[8:16]), true
}

// SetCached stores a cardinality in the header.
func SetCached(b []byte, card uint64) { binary.LittleEndian.PutUint64(b[8:16], card) }

// MurmurHash64A is Austin Appleby's 64-bit hash as Redis uses it
// (little-endian reads).
func MurmurHash64A(key []byte, seed uint64) uint64 {
	const m = 0xc6a4a7935bd1e995
	const r = 47
	h := seed ^ (uint64(len(key)) * m)
	n := len(key) &^ 7
	for i := 0; i < n; i += 8 {
		k := binary.LittleEndian.Uint64(key[i:])
		k *= m
		k ^= k >> r
		k *= m
		h ^= k
		h *= m
	}
	tail := key[n:]
	if len(tail) > 0 {
		for i := len(tail) - 1; i >= 0; i-- {
			h ^= uint64(tail[i]) << (8 * uint(i))
		}
		h *= m
	}
	h ^= h >> r
	h *= m
	h ^= h >> r
	return h
}

// patLen returns the register index of elem and the length of its run of
// zeros plus one (the value to store).
func patLen(elem []byte) (int, uint8) {
	h := MurmurHash64A(elem, 0xadc83b19)
	idx := int(h & (Registers - 1))
	h >>= P
	h |= 1 << q
	count := uint8(1)
	for bit := uint64(1); h&bit == 0; bit <<= 1 {
		count++
	}
	return idx, count
}

func denseGet(regs []byte, i int) uint8 {
	byteIdx := i * bits / 8
	fb := uint(i * bits & 7)
	b0 := uint(regs[byteIdx])
	var b1 uint
	if byteIdx+1 < len(regs) {
		b1 = uint(regs[byteIdx+1])
	}
	return uint8((b0>>fb | b1<<(8-fb)) & registerMx)
}

func denseSet(regs []byte, i int, v uint8) {
	byteIdx := i * bits / 8
	fb := uint(i * bits & 7)
	regs[byteIdx] &^= byte(registerMx << fb)
	regs[byteIdx] |= byte(uint(v) << fb)
	if byteIdx+1 < len(regs) {
		regs[byteIdx+1] &^= byte(registerMx >> (8 - fb))
		regs[byteIdx+1] |= byte(uint(v) >> (8 - fb))
	}
}

// Sparse opcodes.
func isZero(c byte) bool  { return c&0xc0 == 0 }
func isXZero(c byte) bool { return c&0xc0 == 0x40 }
func zeroLen(c byte) int  { return int(c&0x3f) + 1 }
func valValue(c byte) int { return int(c>>2&0x1f) + 1 }
func valLen(c byte) int   { return int(c&3) + 1 }
func valOp(v, l int) byte { return byte((v-1)<<2|(l-1)) | 0x80 }

// xzeroLen reads an XZERO at p[i]; a missing second byte reads as 0 (Redis
// reads the string's terminator there).
func xzeroLen(p []byte, i int) int {
	var lo byte
	if i+1 < len(p) {
		lo = p[i+1]
	}
	return (int(p[i]&0x3f)<<8 | int(lo)) + 1
}

func appendZeros(dst []byte, n int) []byte {
	if n > sparseZeroMax {
		return append(dst, 0x40|byte((n-1)>>8), byte((n-1)&0xff))
	}
	return append(dst, byte(n-1))
}

// sparseWalk calls fn(first register, run length, value) for each opcode
// and returns the number of registers covered; it stops early, returning -1,
// when a VAL run would pass the last register (Redis' overflow check).
func sparseWalk(body []byte, fn func(first, n, v int)) int {
	idx := 0
	for p := 0; p < len(body); {
		c := body[p]
		switch {
		case isZero(c):
			idx += zeroLen(c)
			p++
		case isXZero(c):
			idx += xzeroLen(body, p)
			p += 2
		default:
			n, v := valLen(c), valValue(c)
			if idx+n > Registers {
				return -1
			}
			if fn != nil {
				fn(idx, n, v)
			}
			idx += n
			p++
		}
	}
	return idx
}

// ToDense converts b to the dense encoding (a no-op for a dense b).
func ToDense(b []byte) ([]byte, error) {
	if b[4] == encDense {
		return b, nil
	}
	d := make([]byte, DenseSize)
	copy(d, b[:HeaderSize])
	d[4] = encDense
	regs := d[HeaderSize:]
	if sparseWalk(b[HeaderSize:], func(first, n, v int) {
		for i := first; i < first+n; i++ {
			denseSet(regs, i, uint8(v))
		}
	}) != Registers {
		return nil, ErrCorrupt
	}
	return d, nil
}

// Add adds elem to the HyperLogLog b (Valid), returning the possibly
// reallocated value and whether a register changed. It does not touch the
// cached cardinality.
func Add(b []byte, elem []byte, cfg Config) ([]byte, bool, error) {
	idx, count := patLen(elem)
	return Set(b, idx, count, cfg)
}

// Set raises register idx to count if it is lower, as PFADD and PFMERGE do.
func Set(b []byte, idx int, count uint8, cfg Config) ([]byte, bool, error) {
	if b[4] == encDense {
		regs := b[HeaderSize:]
		if denseGet(regs, idx) >= count {
			return b, false, nil
		}
		denseSet(regs, idx, count)
		return b, true, nil
	}
	return sparseSet(b, idx, int(count), cfg)
}

func sparseSet(b []byte, index, count int, cfg Config) ([]byte, bool, error) {
	if count > sparseValMax {
		return promote(b, index, count)
	}
	sparse := HeaderSize
	end := len(b)
	p := sparse
	first, span := 0, 0
	prev := -1
	for p < end {
		oplen := 1
		c := b[p]
		switch {
		case isZero(c):
			span = zeroLen(c)
		case c&0x80 != 0:
			span = valLen(c)
		default:
			span = xzeroLen(b, p)
			oplen = 2
		}
		if index <= first+span-1 {
			break
		}
		prev = p
		p += oplen
		first += span
	}
	if span == 0 || p >= end {
		return b, false, ErrCorrupt
	}
	c := b[p]
	isZ, isX, isV := isZero(c), isXZero(c), c&0x80 != 0
	var runlen int
	switch {
	case isZ:
		runlen = zeroLen(c)
	case isX:
		runlen = xzeroLen(b, p)
	default:
		runlen = valLen(c)
	}
	updatedInPlace := false
	if isV {
		if valValue(c) >= count {
			return b, false, nil
		}
		if runlen == 1 {
			b[p] = valOp(count, 1)
			updatedInPlace = true
		}
	}
	if !updatedInPlace && isZ && runlen == 1 {
		b[p] = valOp(count, 1)
		updatedInPlace = true
	}
	if !updatedInPlace {
		var seqBuf [5]byte
		seq := seqBuf[:0]
		last := first + span - 1
		if isZ || isX {
			if index != first {
				seq = appendZeros(seq, index-first)
			}
			seq = append(seq, valOp(count, 1))
			if index != last {
				seq = appendZeros(seq, last-index)
			}
		} else {
			cur := valValue(c)
			if index != first {
				seq = append(seq, valOp(cur, index-first))
			}
			seq = append(seq, valOp(count, 1))
			if index != last {
				seq = append(seq, valOp(cur, last-index))
			}
		}
		oldlen := 1
		if isX {
			oldlen = 2
		}
		delta := len(seq) - oldlen
		if delta > 0 && len(b)+delta > cfg.SparseMaxBytes {
			return promote(b, index, count)
		}
		if delta > 0 {
			b = append(b, seq[:delta]...)
		}
		copy(b[p+len(seq):], b[p+oldlen:end])
		copy(b[p:], seq)
		end += delta
		b = b[:end]
	}
	// Merge adjacent VAL opcodes of equal value, scanning up to 5 opcodes
	// from the one before the change.
	if prev >= 0 {
		p = prev
	} else {
		p = sparse
	}
	for scan := 5; p < end && scan > 0; scan-- {
		c := b[p]
		if isXZero(c) {
			p += 2
			continue
		}
		if isZero(c) {
			p++
			continue
		}
		if p+1 < end && b[p+1]&0x80 != 0 {
			v1, v2 := valValue(c), valValue(b[p+1])
			if v1 == v2 {
				if l := valLen(c) + valLen(b[p+1]); l <= sparseValMaxLen {
					b[p+1] = valOp(v1, l)
					copy(b[p:], b[p+1:end])
					end--
					b = b[:end]
					continue
				}
			}
		}
		p++
	}
	return b, true, nil
}

func promote(b []byte, index, count int) ([]byte, bool, error) {
	d, err := ToDense(b)
	if err != nil {
		return b, false, err
	}
	regs := d[HeaderSize:]
	if denseGet(regs, index) < uint8(count) {
		denseSet(regs, index, uint8(count))
	}
	return d, true, nil
}

// Merge raises each of max's registers to b's (PFMERGE, PFCOUNT of many keys).
func Merge(max *[Registers]uint8, b []byte) error {
	if b[4] == encDense {
		regs := b[HeaderSize:]
		for i := range max {
			if v := denseGet(regs, i); v > max[i] {
				max[i] = v
			}
		}
		return nil
	}
	if sparseWalk(b[HeaderSize:], func(first, n, v int) {
		for i := first; i < first+n; i++ {
			if uint8(v) > max[i] {
				max[i] = uint8(v)
			}
		}
	}) != Registers {
		return ErrCorrupt
	}
	return nil
}

// Count estimates the cardinality of b (ignoring the cache).
func Count(b []byte) (uint64, error) {
	var histo [64]int
	if b[4] == encDense {
		regs := b[HeaderSize:]
		for i := 0; i < Registers; i++ {
			histo[denseGet(regs, i)]++
		}
	} else {
		idx := 0
		body := b[HeaderSize:]
		for p := 0; p < len(body); {
			c := body[p]
			switch {
			case isZero(c):
				n := zeroLen(c)
				idx += n
				histo[0] += n
				p++
			case isXZero(c):
				n := xzeroLen(body, p)
				idx += n
				histo[0] += n
				p += 2
			default:
				n := valLen(c)
				idx += n
				histo[valValue(c)] += n
				p++
			}
		}
		if idx != Registers {
			return 0, ErrCorrupt
		}
	}
	return estimate(&histo), nil
}

// CountRegisters estimates the cardinality of a raw register array.
func CountRegisters(regs *[Registers]uint8) uint64 {
	var histo [64]int
	for _, v := range regs {
		histo[v]++
	}
	return estimate(&histo)
}

func estimate(histo *[64]int) uint64 {
	const m = float64(Registers)
	const alphaInf = 0.721347520444481703680
	z := m * tau((m-float64(histo[q+1]))/m)
	for j := q; j >= 1; j-- {
		z += float64(histo[j])
		z *= 0.5
	}
	z += m * sigma(float64(histo[0])/m)
	return uint64(math.Round(alphaInf * m * m / z))
}

func sigma(x float64) float64 {
	if x == 1 {
		return math.Inf(1)
	}
	y := 1.0
	z := x
	for {
		x *= x
		zPrime := z
		z += x * y
		y += y
		if zPrime == z {
			return z
		}
	}
}

func tau(x float64) float64 {
	if x == 0 || x == 1 {
		return 0
	}
	y := 1.0
	z := 1 - x
	for {
		x = math.Sqrt(x)
		zPrime := z
		y *= 0.5
		z -= math.Pow(1-x, 2) * y
		if zPrime == z {
			return z / 3
		}
	}
}

// Registers returns the 16384 register values of b (PFDEBUG GETREG).
func RegistersOf(b []byte) ([Registers]uint8, error) {
	var r [Registers]uint8
	err := Merge(&r, b)
	return r, err
}

// Decode renders the sparse opcodes as PFDEBUG DECODE does ("z:3 Z:100 v:2,1").
func Decode(b []byte) string {
	var out []byte
	body := b[HeaderSize:]
	for p := 0; p < len(body); {
		c := body[p]
		if len(out) > 0 {
			out = append(out, ' ')
		}
		switch {
		case isZero(c):
			out = append(out, "z:"...)
			out = appendInt(out, zeroLen(c))
			p++
		case isXZero(c):
			out = append(out, "Z:"...)
			out = appendInt(out, xzeroLen(body, p))
			p += 2
		default:
			out = append(out, "v:"...)
			out = appendInt(out, valValue(c))
			out = append(out, ',')
			out = appendInt(out, valLen(c))
			p++
		}
	}
	return string(out)
}

func appendInt(dst []byte, n int) []byte {
	if n >= 10 {
		dst = appendInt(dst, n/10)
	}
	return append(dst, byte('0'+n%10))
}
