package rdb

// LZF, the compression RDB strings use (Marc Lehmann's liblzf format): a stream of literal
// runs (a control byte 0..31 followed by that many plus one bytes) and back references (a
// control byte whose top three bits are the length minus two, 7 meaning an extra length byte
// follows, and whose low five bits with the next byte are the distance minus one, up to 8 KB).

const (
	lzfMaxLit = 32
	lzfMaxOff = 1 << 13
	lzfMaxRef = 7 + 255 + 2
	// lzfMaxRatio bounds how much an LZF stream can expand: a three-byte back reference
	// yields at most 264 bytes. Decoders refuse declared lengths beyond it before allocating.
	lzfMaxRatio = 89

	lzfHashBits = 14
)

// lzfDecompress decodes in into out, which must be exactly the decoded size.
func lzfDecompress(in, out []byte) ([]byte, error) {
	ip, op := 0, 0
	for ip < len(in) {
		ctrl := int(in[ip])
		ip++
		if ctrl < 32 {
			n := ctrl + 1
			if ip+n > len(in) || op+n > len(out) {
				return nil, corrupt("LZF literal run overflows")
			}
			copy(out[op:], in[ip:ip+n])
			ip += n
			op += n
			continue
		}
		n := ctrl >> 5
		if n == 7 {
			if ip >= len(in) {
				return nil, corrupt("LZF truncated back reference")
			}
			n += int(in[ip])
			ip++
		}
		if ip >= len(in) {
			return nil, corrupt("LZF truncated back reference")
		}
		ref := op - (ctrl&0x1f)<<8 - 1 - int(in[ip])
		ip++
		n += 2
		if ref < 0 || op+n > len(out) {
			return nil, corrupt("LZF back reference out of range")
		}
		for i := 0; i < n; i++ { // may overlap: byte by byte
			out[op+i] = out[ref+i]
		}
		op += n
	}
	if op != len(out) {
		return nil, corrupt("LZF stream decodes to %d bytes, not %d", op, len(out))
	}
	return out, nil
}

// lzfCompress encodes in into out[:0] and returns the encoded bytes, or nil when they do not
// fit in len(out) bytes.
func lzfCompress(in, out []byte) []byte {
	var table [1 << lzfHashBits]int32 // position+1 of the last occurrence of a 3-byte prefix
	limit := len(out)
	out = out[:0]
	lit := 0
	flush := func(end int) bool {
		for lit < end {
			n := min(end-lit, lzfMaxLit)
			if len(out)+1+n > limit {
				return false
			}
			out = append(out, byte(n-1))
			out = append(out, in[lit:lit+n]...)
			lit += n
		}
		return true
	}
	ip := 0
	for ip+2 < len(in) {
		h := (uint32(in[ip])<<16 | uint32(in[ip+1])<<8 | uint32(in[ip+2])) * 2654435761 >> (32 - lzfHashBits)
		ref := int(table[h]) - 1
		table[h] = int32(ip + 1)
		if ref < 0 || ip-ref-1 >= lzfMaxOff ||
			in[ref] != in[ip] || in[ref+1] != in[ip+1] || in[ref+2] != in[ip+2] {
			ip++
			continue
		}
		maxLen := min(lzfMaxRef, len(in)-ip)
		n := 3
		for n < maxLen && in[ref+n] == in[ip+n] {
			n++
		}
		if !flush(ip) {
			return nil
		}
		off := ip - ref - 1
		l := n - 2
		if l < 7 {
			if len(out)+2 > limit {
				return nil
			}
			out = append(out, byte(l<<5|off>>8), byte(off))
		} else {
			if len(out)+3 > limit {
				return nil
			}
			out = append(out, byte(7<<5|off>>8), byte(l-7), byte(off))
		}
		ip += n
		lit = ip
	}
	if !flush(len(in)) {
		return nil
	}
	return out
}
