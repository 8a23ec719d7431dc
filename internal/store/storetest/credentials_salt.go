package storetest

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/store"
)

// sealedValue reads a side's stored (sealed) credential.
func sealedValue(t *testing.T, url string, side hubforce.Side) string {
	t.Helper()
	var v string
	if err := rawDB(t, url).QueryRowContext(context.Background(), `SELECT sealed FROM credentials WHERE side = $1`, side).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// testCredentialKeySalted: one secret key used by two databases derives two
// keys (each database has its own salt), so a value sealed in one does not
// open in the other.
func testCredentialKeySalted(t *testing.T, newDB NewDatabase) {
	ctx := context.Background()
	urlA, urlB := newDB(t), newDB(t)
	a := Open(t, urlA, store.WithSecretKey(secretKey))
	b := Open(t, urlB, store.WithSecretKey(secretKey))
	for _, s := range []store.Store{a, b} {
		if err := s.SaveCredential(ctx, hubforce.HubSpot, grant()); err != nil {
			t.Fatal(err)
		}
	}
	sealedA := sealedValue(t, urlA, hubforce.HubSpot)
	if !strings.HasPrefix(sealedA, "v2:") {
		t.Fatalf("sealed as %q…, want the salted v2", sealedA[:3])
	}
	saltA, err := a.Checkpoint(ctx, "crypto/credential-salt")
	if err != nil {
		t.Fatal(err)
	}
	saltB, err := b.Checkpoint(ctx, "crypto/credential-salt")
	if err != nil {
		t.Fatal(err)
	}
	if saltA == saltB {
		t.Fatal("two databases share a salt")
	}
	// Database A's value copied into database B does not open there.
	if _, err := rawDB(t, urlB).ExecContext(ctx, `UPDATE credentials SET sealed = $1 WHERE side = $2`, sealedA, hubforce.HubSpot); err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.LoadCredential(ctx, hubforce.HubSpot); err == nil {
		t.Fatal("a value sealed for one database opened in another with the same secret key")
	}
	// A store opened again on A reads its salt back, not a new one.
	a2 := Open(t, urlA, store.WithSecretKey(secretKey))
	if got, ok, err := a2.LoadCredential(ctx, hubforce.HubSpot); err != nil || !ok || got.RefreshToken != refresh {
		t.Fatalf("reopened: %v %v %v", got.RefreshToken, ok, err)
	}
}

// sealV1 seals the way stores did before the salt (HKDF without salt): the
// format existing installs hold.
func sealV1(t *testing.T, plain []byte, ad string) string {
	t.Helper()
	key, err := hkdf.Key(sha256.New, []byte(secretKey), nil, "hubforce credentials v1", 32)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := aes.NewCipher(key)
	g, _ := cipher.NewGCM(block)
	nonce := make([]byte, g.NonceSize())
	_, _ = rand.Read(nonce)
	return "v1:" + base64.StdEncoding.EncodeToString(g.Seal(nonce, nonce, plain, []byte(ad)))
}

// testCredentialsV1StillOpen: a token sealed before the salt existed still
// decrypts, and is sealed again with the salted key when next saved.
func testCredentialsV1StillOpen(t *testing.T, newDB NewDatabase) {
	ctx := context.Background()
	url := newDB(t)
	plain, _ := json.Marshal(map[string]any{"refresh_token": refresh, "access_token": access})
	if _, err := rawDB(t, url).ExecContext(ctx, `INSERT INTO credentials (side, sealed, updated_at) VALUES ($1, $2, 0)`,
		hubforce.Salesforce, sealV1(t, plain, "hubforce credential salesforce")); err != nil {
		t.Fatal(err)
	}
	s := Open(t, url, store.WithSecretKey(secretKey))
	got, ok, err := s.LoadCredential(ctx, hubforce.Salesforce)
	if err != nil || !ok || got.RefreshToken != refresh || got.AccessToken != access {
		t.Fatalf("a v1 credential: %+v %v %v", got, ok, err)
	}
	if err := s.SaveCredential(ctx, hubforce.Salesforce, got); err != nil {
		t.Fatal(err)
	}
	if v := sealedValue(t, url, hubforce.Salesforce); !strings.HasPrefix(v, "v2:") {
		t.Fatalf("saved again as %q…, want v2", v[:3])
	}
	if got, ok, err := s.LoadCredential(ctx, hubforce.Salesforce); err != nil || !ok || got.RefreshToken != refresh {
		t.Fatalf("after resealing: %v %v", ok, err)
	}
}
