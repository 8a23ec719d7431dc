package store

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
)

// Sealed values start with their key version, so that a later change of
// cipher or key derivation can still read the old ones:
//   - v1: HKDF-SHA256 of HUBFORCE_SECRET_KEY with no salt (stores made
//     before the salt; still read, never written);
//   - v2: the same with this database's own random salt (saltKey), so
//     that one secret reused across databases never yields the same key,
//     and a key cannot be precomputed for every install at once.
//
// A v1 value is written again as v2 the next time its credential is saved
// (each token refresh), so existing installs move over by themselves.
const (
	sealV1 = "v1:"
	sealV2 = "v2:"
	// saltKey holds the salt in the checkpoints table; it is made on first
	// use and never changes (changing it would orphan every v2 value).
	saltKey  = "crypto/credential-salt"
	hkdfInfo = "hubforce credentials v1"
)

// errNoSecretKey is returned instead of storing a credential in clear.
var errNoSecretKey = errors.New("no secret key configured: set HUBFORCE_SECRET_KEY to store credentials (they are encrypted with it)")

// sealer encrypts credentials with AES-256-GCM. The 32-byte key is
// HKDF-SHA256 (RFC 5869) of HUBFORCE_SECRET_KEY with the database's salt and
// the info "hubforce credentials v1": the secret may be any passphrase, and
// the derived key serves this purpose only. Each value gets a random 96-bit
// nonce (stored in front of the ciphertext) and the side as additional
// data, so a sealed HubSpot grant cannot be passed off as Salesforce's.
type sealer struct {
	secret string
	v1     cipher.AEAD

	mu sync.Mutex
	v2 cipher.AEAD // once the salt is read
}

func newSealer(secret string) (*sealer, error) {
	if secret == "" {
		return nil, nil
	}
	v1, err := aead(secret, nil)
	if err != nil {
		return nil, err
	}
	return &sealer{secret: secret, v1: v1}, nil
}

func aead(secret string, salt []byte) (cipher.AEAD, error) {
	key, err := hkdf.Key(sha256.New, []byte(secret), salt, hkdfInfo, 32)
	if err != nil {
		return nil, fmt.Errorf("derive key: %w", err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("cipher: %w", err)
	}
	g, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("cipher: %w", err)
	}
	return g, nil
}

// salted returns the salted cipher, reading (or, the first time ever,
// making) the database's salt. Replicas starting together agree: the first
// insert wins and everyone reads what it wrote.
func (s *sqlStore) salted(ctx context.Context) (cipher.AEAD, error) {
	sl := s.sealer
	sl.mu.Lock()
	defer sl.mu.Unlock()
	if sl.v2 != nil {
		return sl.v2, nil
	}
	fresh := make([]byte, 32)
	_, _ = rand.Read(fresh) // crypto/rand.Read never fails (Go 1.24+)
	if _, err := s.b.write.ExecContext(ctx,
		`INSERT INTO checkpoints (key, value, updated_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING`,
		saltKey, base64.StdEncoding.EncodeToString(fresh), nanos(s.now())); err != nil {
		return nil, fmt.Errorf("record the key salt: %w", err)
	}
	var enc string
	err := s.b.write.QueryRowContext(ctx, `SELECT value FROM checkpoints WHERE key = $1`, saltKey).Scan(&enc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errors.New("the key salt vanished")
	}
	if err != nil {
		return nil, fmt.Errorf("read the key salt: %w", err)
	}
	salt, err := base64.StdEncoding.DecodeString(enc)
	if err != nil || len(salt) < 16 {
		return nil, errors.New("the stored key salt is corrupt")
	}
	if sl.v2, err = aead(sl.secret, salt); err != nil {
		return nil, err
	}
	return sl.v2, nil
}

func sealWith(a cipher.AEAD, version string, plain []byte, ad string) string {
	nonce := make([]byte, a.NonceSize())
	_, _ = rand.Read(nonce) // crypto/rand.Read never fails (Go 1.24+)
	out := a.Seal(nonce, nonce, plain, []byte(ad))
	return version + base64.StdEncoding.EncodeToString(out)
}

// seal encrypts with the current version (v2).
func (s *sqlStore) seal(ctx context.Context, plain []byte, ad string) (string, error) {
	a, err := s.salted(ctx)
	if err != nil {
		return "", err
	}
	return sealWith(a, sealV2, plain, ad), nil
}

// open never says more than that decryption failed: the error must not
// leak anything of the value.
func (s *sqlStore) open(ctx context.Context, sealed, ad string) ([]byte, error) {
	var a cipher.AEAD
	enc, ok := strings.CutPrefix(sealed, sealV2)
	switch {
	case ok:
		var err error
		if a, err = s.salted(ctx); err != nil {
			return nil, err
		}
	default:
		if enc, ok = strings.CutPrefix(sealed, sealV1); !ok {
			return nil, errors.New("unknown sealed format")
		}
		a = s.sealer.v1
	}
	raw, err := base64.StdEncoding.DecodeString(enc)
	if err != nil || len(raw) < a.NonceSize() {
		return nil, errors.New("sealed value is corrupt")
	}
	n := a.NonceSize()
	plain, err := a.Open(nil, raw[:n], raw[n:], []byte(ad))
	if err != nil {
		return nil, errors.New("cannot decrypt: HUBFORCE_SECRET_KEY is not the key it was stored with, or the value was altered")
	}
	return plain, nil
}
