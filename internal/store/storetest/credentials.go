package storetest

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/store"
	"github.com/hubforce/hubforce/internal/store/postgres"
	"github.com/hubforce/hubforce/internal/store/sqlite"
)

const (
	secretKey = "correct horse battery staple"
	refresh   = "rt-9f8e7d6c5b4a-secret-refresh"
	access    = "at-0a1b2c3d4e5f-secret-access"
)

// rawDB opens the database behind url directly, to look at what is stored.
func rawDB(t testing.TB, url string) *sql.DB {
	t.Helper()
	ctx := context.Background()
	if path, ok := strings.CutPrefix(url, "sqlite:"); ok {
		db, err := sqlite.Open(ctx, strings.TrimPrefix(path, "//"))
		if err != nil {
			t.Fatalf("open raw: %v", err)
		}
		t.Cleanup(func() { _ = db.Close() })
		return db.Write
	}
	db, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatalf("open raw: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func grant() hubforce.Credential {
	return hubforce.Credential{
		RefreshToken: refresh, AccessToken: access,
		Expiry:      time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC),
		InstanceURL: "https://example.my.salesforce.com",
		UpdatedAt:   time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC),
	}
}

func testCredentialsRoundTrip(t *testing.T, newDB NewDatabase) {
	url := newDB(t)
	s := Open(t, url, store.WithSecretKey(secretKey))
	ctx := context.Background()
	if _, ok, err := s.LoadCredential(ctx, hubforce.HubSpot); err != nil || ok {
		t.Fatalf("load before save: ok %v, err %v; want none", ok, err)
	}
	want := grant()
	if err := s.SaveCredential(ctx, hubforce.Salesforce, want); err != nil {
		t.Fatal(err)
	}
	got, ok, err := s.LoadCredential(ctx, hubforce.Salesforce)
	if err != nil || !ok {
		t.Fatalf("load: ok %v, err %v", ok, err)
	}
	if got.RefreshToken != want.RefreshToken || got.AccessToken != want.AccessToken ||
		!got.Expiry.Equal(want.Expiry) || got.InstanceURL != want.InstanceURL || !got.UpdatedAt.Equal(want.UpdatedAt) {
		t.Fatalf("loaded %+v, want %+v", got, want)
	}
	// A rotated token replaces the old one.
	want.RefreshToken = refresh + "-rotated"
	if err := s.SaveCredential(ctx, hubforce.Salesforce, want); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := s.LoadCredential(ctx, hubforce.Salesforce); got.RefreshToken != want.RefreshToken {
		t.Fatalf("after rotation: refresh token not replaced")
	}
	if _, ok, err := s.LoadCredential(ctx, hubforce.HubSpot); err != nil || ok {
		t.Fatalf("other side: ok %v, err %v; want none", ok, err)
	}
}

func testCredentialsEncryptedAtRest(t *testing.T, newDB NewDatabase) {
	url := newDB(t)
	s := Open(t, url, store.WithSecretKey(secretKey))
	ctx := context.Background()
	for _, side := range []hubforce.Side{hubforce.HubSpot, hubforce.Salesforce} {
		if err := s.SaveCredential(ctx, side, grant()); err != nil {
			t.Fatal(err)
		}
	}
	db := rawDB(t, url)
	rows, err := db.QueryContext(ctx, `SELECT side, sealed FROM credentials`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	sealed := map[string]string{}
	for rows.Next() {
		var side, v string
		if err := rows.Scan(&side, &v); err != nil {
			t.Fatal(err)
		}
		sealed[side] = v
		for _, secret := range []string{refresh, access, "9f8e7d6c5b4a", "example.my.salesforce"} {
			if strings.Contains(v, secret) {
				t.Fatalf("stored %s credential contains %q in clear", side, secret)
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(sealed) != 2 || sealed["hubspot"] == sealed["salesforce"] {
		t.Fatalf("want two distinct sealed values (random nonces), got %d", len(sealed))
	}
	// A sealed value is bound to its side.
	if _, err := db.ExecContext(ctx, `UPDATE credentials SET sealed = $1 WHERE side = 'hubspot'`,
		sealed["salesforce"]); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.LoadCredential(ctx, hubforce.HubSpot); err == nil {
		t.Fatal("loaded the salesforce grant as hubspot's")
	}
}

func testCredentialsNeedTheKey(t *testing.T, newDB NewDatabase) {
	url := newDB(t)
	ctx := context.Background()
	keyless := Open(t, url)
	if _, ok, err := keyless.LoadCredential(ctx, hubforce.HubSpot); err != nil || ok {
		t.Fatalf("load without key or value: ok %v, err %v; want none", ok, err)
	}
	err := keyless.SaveCredential(ctx, hubforce.HubSpot, grant())
	if err == nil || !strings.Contains(err.Error(), "HUBFORCE_SECRET_KEY") {
		t.Fatalf("save without a key: %v; want a refusal naming HUBFORCE_SECRET_KEY", err)
	}

	if err := Open(t, url, store.WithSecretKey(secretKey)).SaveCredential(ctx, hubforce.HubSpot, grant()); err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]store.Store{
		"wrong key": Open(t, url, store.WithSecretKey("another passphrase")),
		"no key":    keyless,
	} {
		_, ok, err := s.LoadCredential(ctx, hubforce.HubSpot)
		if err == nil || ok {
			t.Fatalf("%s: loaded (ok %v); want an error", name, ok)
		}
		if !strings.Contains(err.Error(), "HUBFORCE_SECRET_KEY") {
			t.Errorf("%s: error %q does not name HUBFORCE_SECRET_KEY", name, err)
		}
		if strings.Contains(err.Error(), refresh) || strings.Contains(err.Error(), access) {
			t.Errorf("%s: error leaks a token", name)
		}
	}
}

// testCredentialLock: a second holder waits until the first unlocks, within
// one Store and, where the database is shared (PostgreSQL), across Stores.
func testCredentialLock(t *testing.T, newDB NewDatabase) {
	url := newDB(t)
	a := Open(t, url)
	holders := []store.Store{a}
	if !strings.HasPrefix(url, "sqlite:") {
		holders = append(holders, Open(t, url)) // another replica
	}
	ctx := context.Background()
	for _, b := range holders {
		unlock, err := a.LockCredential(ctx, hubforce.HubSpot)
		if err != nil {
			t.Fatal(err)
		}
		// The other side's lock is independent.
		unlockSF, err := b.LockCredential(ctx, hubforce.Salesforce)
		if err != nil {
			t.Fatalf("salesforce lock while hubspot's is held: %v", err)
		}
		unlockSF()

		short, cancel := context.WithTimeout(ctx, 150*time.Millisecond)
		_, err = b.LockCredential(short, hubforce.HubSpot)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("second holder: %v; want it to wait until its context ends", err)
		}

		got := make(chan func(), 1)
		errs := make(chan error, 1)
		go func() {
			u, err := b.LockCredential(ctx, hubforce.HubSpot)
			if err != nil {
				errs <- err
				return
			}
			got <- u
		}()
		unlock()
		select {
		case u := <-got:
			u()
			u() // unlocking twice is harmless
		case err := <-errs:
			t.Fatalf("after unlock: %v", err)
		case <-time.After(10 * time.Second):
			t.Fatal("the waiting holder did not get the lock after unlock")
		}
	}
}
