package server

import "crypto/sha1"

// scrambleSHA1 computes SHA1(pw) XOR SHA1(salt + SHA1(SHA1(pw))) as clients do.
func scrambleSHA1(salt, password []byte) []byte {
	h1 := sha1.Sum(password)
	h2 := sha1.Sum(h1[:])
	h3 := sha1.Sum(append(append([]byte{}, salt...), h2[:]...))
	out := make([]byte, len(h1))
	for i := range out {
		out[i] = h1[i] ^ h3[i]
	}
	return out
}
