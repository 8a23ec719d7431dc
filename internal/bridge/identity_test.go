package bridge

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/hubforce/hubforce/internal/config"
	"github.com/hubforce/hubforce/internal/store"
)

type memCheckpoints map[string]string

func (m memCheckpoints) Checkpoint(_ context.Context, k string) (string, error) {
	v, ok := m[k]
	if !ok {
		return "", store.ErrNotFound
	}
	return v, nil
}

func (m memCheckpoints) SetCheckpoint(_ context.Context, k, v string) error {
	m[k] = v
	return nil
}

func TestStoreRemembersItsPortalAndRefusesAnother(t *testing.T) {
	ctx := context.Background()
	st := memCheckpoints{}
	portal := func(id int64) func(context.Context) (int64, error) {
		return func(context.Context) (int64, error) { return id, nil }
	}
	if err := claimPortal(ctx, st, portal(62515), "sqlite:x.db", zerolog.Nop()); err != nil {
		t.Fatal(err)
	}
	if err := claimPortal(ctx, st, portal(62515), "sqlite:x.db", zerolog.Nop()); err != nil {
		t.Fatalf("the same portal again: %v", err)
	}
	err := claimPortal(ctx, st, portal(99), "postgres://u:secret@db/h", zerolog.Nop())
	var oe *OwnerError
	if !errors.As(err, &oe) || !strings.Contains(err.Error(), "HubSpot portal 62515") || !strings.Contains(err.Error(), "HUBFORCE_DATABASE_URL") {
		t.Fatalf("another portal: %v", err)
	}
	if strings.Contains(err.Error(), "secret") {
		t.Errorf("the message shows the database password: %v", err)
	}
	// HubSpot unreachable (or waiting for Connect): not a refusal.
	down := func(context.Context) (int64, error) { return 0, errors.New("connection refused") }
	if err := claimPortal(ctx, st, down, "sqlite:x.db", zerolog.Nop()); err != nil {
		t.Fatalf("an unknown portal refused the store: %v", err)
	}
}

func TestStoreRemembersItsOrgInEitherSpelling(t *testing.T) {
	ctx := context.Background()
	st := memCheckpoints{}
	c := config.Config{DatabaseURL: "sqlite:x.db"}
	c.Salesforce.OrgID = "00D5g000004SbXaEAK"
	if err := claimOwners(ctx, st, c, "sim-1"); err != nil {
		t.Fatal(err)
	}
	c.Salesforce.OrgID = "00D5g000004SbXa" // the 15-character form of the same org
	if err := claimOwners(ctx, st, c, "sim-1"); err != nil {
		t.Fatalf("the same org, 15 characters: %v", err)
	}
	if err := claimOwners(ctx, st, c, "sim-2"); err == nil || !strings.Contains(err.Error(), "--keep-state") {
		t.Fatalf("other simulators: %v", err)
	}
	c.Salesforce.OrgID = "00D5g000004OthrAAA"
	if err := claimOwners(ctx, st, c, ""); err == nil || !strings.Contains(err.Error(), "HUBFORCE_SALESFORCE_ORG_ID") {
		t.Fatalf("another org: %v", err)
	}
}
