package store

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// sealVersion prefixes every sealed value, so that a later change of
// cipher or key derivation can still read the old ones.
const sealVersion = "v1:"

// errNoSecretKey is returned instead of storing a credential in clear.
var errNoSecretKey = errors.New("no secret key configured: set HUBFORCE_SECRET_KEY to store credentials (they are encrypted with it)")

// sealer encrypts credentials with AES-256-GCM. The 32-byte key is
// HKDF-SHA256 (RFC 5869) of HUBFORCE_SECRET_KEY with no salt and the info
// "hubforce credentials v1": the secret may be any passphrase, and the
// derived key serves this purpose only. Each value gets a random 96-bit
// nonce (stored in front of the ciphertext) and the side as additional
// data, so a sealed HubSpot grant cannot be passed off as Salesforce's.
type sealer struct{ aead cipher.AEAD }

func newSealer(secret string) (*sealer, error) {
	if secret == "" {
		return nil, nil
	}
	key, err := hkdf.Key(sha256.New, []byte(secret), nil, "hubforce credentials v1", 32)
	if err != nil {
		return nil, fmt.Errorf("derive key: %w", err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("cipher: %w", err)
	}
	return &sealer{aead: aead}, nil
}

func (s *sealer) seal(plain []byte, ad string) string {
	nonce := make([]byte, s.aead.NonceSize())
	_, _ = rand.Read(nonce) // crypto/rand.Read never fails (Go 1.24+)
	out := s.aead.Seal(nonce, nonce, plain, []byte(ad))
	return sealVersion + base64.StdEncoding.EncodeToString(out)
}

// open never says more than that decryption failed: the error must not
// leak anything of the value.
func (s *sealer) open(sealed, ad string) ([]byte, error) {
	enc, ok := strings.CutPrefix(sealed, sealVersion)
	if !ok {
		return nil, errors.New("unknown sealed format")
	}
	raw, err := base64.StdEncoding.DecodeString(enc)
	if err != nil || len(raw) < s.aead.NonceSize() {
		return nil, errors.New("sealed value is corrupt")
	}
	n := s.aead.NonceSize()
	plain, err := s.aead.Open(nil, raw[:n], raw[n:], []byte(ad))
	if err != nil {
		return nil, errors.New("cannot decrypt: HUBFORCE_SECRET_KEY is not the key it was stored with, or the value was altered")
	}
	return plain, nil
}
