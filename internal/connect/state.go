package connect

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hubforce/hubforce"
)

// StateKey derives the state-signing key from HUBFORCE_SECRET_KEY with
// HKDF-SHA256 under its own info string, so it is independent of the key
// the store encrypts credentials with. An empty secret gives nil (starts
// are then refused).
func StateKey(secret string) []byte {
	if secret == "" {
		return nil
	}
	k, err := hkdf.Key(sha256.New, []byte(secret), nil, "hubforce connect state v1", 32)
	if err != nil {
		return nil // cannot happen for a 32-byte SHA-256 output
	}
	return k
}

const stateVersion = "v1"

var (
	errStateMalformed = errors.New("the state parameter is missing or malformed")
	errStateSignature = errors.New("the state parameter was not issued by this bridge (bad signature)")
	errStateSide      = errors.New("the state parameter was issued for another connection")
	errStateExpired   = errors.New("the Connect flow expired")
	errStateCookie    = errors.New("the state parameter does not belong to this browser's Connect flow")
)

// newNonce is the cookie value a state is bound to.
func newNonce() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("reading random bytes: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func nonceHash(nonce string) string {
	sum := sha256.Sum256([]byte(nonce))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// signState returns "v1.{side}.{expiry unix}.{sha256(nonce)}.{mac}": the
// cookie's nonce itself never travels through the provider.
func signState(key []byte, side hubforce.Side, exp time.Time, nonce string) string {
	payload := strings.Join([]string{stateVersion, string(side), strconv.FormatInt(exp.Unix(), 10), nonceHash(nonce)}, ".")
	return payload + "." + mac(key, payload)
}

func mac(key []byte, payload string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// verifyState checks signature, side, expiry and the cookie's nonce, in
// that order, so that an expired or foreign state says so only once its
// signature proved it ours.
func verifyState(key []byte, state string, side hubforce.Side, now time.Time, nonce string) error {
	parts := strings.Split(state, ".")
	if len(parts) != 5 || parts[0] != stateVersion {
		return errStateMalformed
	}
	payload := strings.Join(parts[:4], ".")
	if !hmac.Equal([]byte(parts[4]), []byte(mac(key, payload))) {
		return errStateSignature
	}
	if parts[1] != string(side) {
		return errStateSide
	}
	exp, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil {
		return errStateMalformed
	}
	if !now.Before(time.Unix(exp, 0)) {
		return errStateExpired
	}
	if nonce == "" || !hmac.Equal([]byte(parts[3]), []byte(nonceHash(nonce))) {
		return errStateCookie
	}
	return nil
}
