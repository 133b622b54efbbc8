package wire

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/pem"
	"errors"
)

// caching_sha2_password's AuthMoreData status bytes and the client's
// public-key request.
const (
	// SHA2FastAuthSuccess follows a scramble that matched the cached hash.
	SHA2FastAuthSuccess = 0x03
	// SHA2PerformFullAuth asks the client for its password: in clear on a
	// secure transport (TLS, unix socket), RSA-encrypted otherwise.
	SHA2PerformFullAuth = 0x04
	// SHA2RequestPublicKey is the one-byte packet a client without the
	// server's RSA public key sends instead of the encrypted password.
	SHA2RequestPublicKey = 0x02
)

// ErrBadSHA2Password is a full-authentication password packet that is not
// a NUL-terminated cleartext password or does not decrypt with the key.
var ErrBadSHA2Password = errors.New("mysql wire: malformed caching_sha2_password full-authentication packet")

// SHA2Digest is what caching_sha2_password caches after a successful full
// authentication: SHA256(SHA256(password)).
func SHA2Digest(password string) [sha256.Size]byte {
	h1 := sha256.Sum256([]byte(password))
	return sha256.Sum256(h1[:])
}

// VerifySHA2Cached checks a fast-auth scramble against a cached digest
// (SHA256(SHA256(pw))) without the password: the scramble XOR
// SHA256(digest + salt) must be SHA256(pw), whose SHA256 is the digest.
func VerifySHA2Cached(salt [20]byte, response []byte, digest [sha256.Size]byte) bool {
	if len(response) != sha256.Size {
		return false
	}
	m := sha256.New()
	m.Write(digest[:])
	m.Write(salt[:])
	x := m.Sum(nil)
	for i := range x {
		x[i] ^= response[i]
	}
	got := sha256.Sum256(x)
	return subtle.ConstantTimeCompare(got[:], digest[:]) == 1
}

// ParseCleartextPassword decodes the password a client sends in clear
// during full authentication on a secure transport: NUL-terminated.
func ParseCleartextPassword(pkt []byte) (string, error) {
	if len(pkt) == 0 || pkt[len(pkt)-1] != 0 {
		return "", ErrBadSHA2Password
	}
	return string(pkt[:len(pkt)-1]), nil
}

// DecryptSHA2Password decodes the RSA-encrypted password a client sends
// during full authentication on an insecure transport: RSA-OAEP (SHA-1) of
// the NUL-terminated password XOR the greeting's salt, repeated.
func DecryptSHA2Password(key *rsa.PrivateKey, salt [20]byte, pkt []byte) (string, error) {
	plain, err := rsa.DecryptOAEP(sha1.New(), nil, key, pkt, nil)
	if err != nil {
		return "", ErrBadSHA2Password
	}
	for i := range plain {
		plain[i] ^= salt[i%len(salt)]
	}
	return ParseCleartextPassword(plain)
}

// NewSHA2KeyPair generates the RSA key pair caching_sha2_password uses on
// insecure transports (MySQL 8 generates one at startup when none is
// configured: caching_sha2_password_auto_generate_rsa_keys) and returns it
// with its public key in PEM, as sent to clients that request it.
func NewSHA2KeyPair() (*rsa.PrivateKey, []byte, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, nil, err
	}
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return nil, nil, err
	}
	return key, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}
