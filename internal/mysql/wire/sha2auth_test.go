package wire

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"testing"
)

func TestVerifySHA2Cached(t *testing.T) {
	salt := NewSalt()
	digest := SHA2Digest("s3cret")
	h1 := sha256.Sum256([]byte("s3cret"))
	h3 := sha256.Sum256(append(digest[:], salt[:]...))
	scramble := make([]byte, sha256.Size)
	for i := range scramble {
		scramble[i] = h1[i] ^ h3[i]
	}
	if !VerifySHA2Cached(salt, scramble, digest) {
		t.Fatal("right scramble refused")
	}
	if !VerifyCachingSHA2Password(salt, scramble, "s3cret") {
		t.Fatal("cached and plaintext checks disagree")
	}
	scramble[0] ^= 1
	if VerifySHA2Cached(salt, scramble, digest) {
		t.Fatal("wrong scramble accepted")
	}
	if VerifySHA2Cached(salt, scramble[:31], digest) {
		t.Fatal("short scramble accepted")
	}
}

func TestParseCleartextPassword(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
		ok   bool
	}{{"pw\x00", "pw", true}, {"\x00", "", true}, {"pw", "", false}, {"", "", false}} {
		got, err := ParseCleartextPassword([]byte(tc.in))
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("%q: got %q, %v", tc.in, got, err)
		}
	}
}

// TestDecryptSHA2Password encrypts as clients do (go-sql-driver, libmysql):
// RSA-OAEP/SHA-1 of the NUL-terminated password XOR the salt, with the
// public key parsed from the PEM the server sends.
func TestDecryptSHA2Password(t *testing.T) {
	key, pemKey, err := NewSHA2KeyPair()
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(pemKey)
	if block == nil || block.Type != "PUBLIC KEY" {
		t.Fatalf("bad PEM %q", pemKey)
	}
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	salt := NewSalt()
	password := "a password longer than the twenty-byte salt"
	plain := append([]byte(password), 0)
	for i := range plain {
		plain[i] ^= salt[i%len(salt)]
	}
	ct, err := rsa.EncryptOAEP(sha1.New(), rand.Reader, pub.(*rsa.PublicKey), plain, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := DecryptSHA2Password(key, salt, ct); err != nil || got != password {
		t.Fatalf("got %q, %v", got, err)
	}
	ct[0] ^= 1
	if _, err := DecryptSHA2Password(key, salt, ct); err == nil {
		t.Fatal("corrupt ciphertext decoded")
	}
	if _, err := DecryptSHA2Password(key, salt, []byte("pw\x00")); err == nil {
		t.Fatal("cleartext accepted as ciphertext")
	}
}

func FuzzParseCleartextPassword(f *testing.F) {
	f.Add([]byte("pw\x00"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, pkt []byte) {
		if pw, err := ParseCleartextPassword(pkt); err == nil && len(pw) != len(pkt)-1 {
			t.Fatalf("%q -> %q", pkt, pw)
		}
	})
}

func FuzzDecryptSHA2Password(f *testing.F) {
	key, _, err := NewSHA2KeyPair()
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte{SHA2RequestPublicKey})
	f.Add(make([]byte, 256))
	f.Fuzz(func(t *testing.T, pkt []byte) {
		_, _ = DecryptSHA2Password(key, [20]byte{}, pkt)
	})
}
