package bridge

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hubforce/hubforce/internal/config"
)

// Every command opens the store through OpenStore: the read commands
// never create a database, the others migrate, and both name the variable.
func TestOpenStore(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bridge.db")
	c := config.Config{DatabaseURL: "sqlite:" + path, SecretKey: "k"}

	_, err := OpenStore(ctx, c, Existing)
	if !errors.Is(err, ErrNoStore) || !strings.Contains(err.Error(), "HUBFORCE_DATABASE_URL") {
		t.Fatalf("Existing on a missing file: %v, want ErrNoStore naming HUBFORCE_DATABASE_URL", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Existing created %s: %v", path, err)
	}

	st, err := OpenStore(ctx, c, Migrating)
	if err != nil {
		t.Fatalf("Migrating: %v", err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st, err = OpenStore(ctx, c, Existing)
	if err != nil {
		t.Fatalf("Existing after a migration: %v", err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
}
