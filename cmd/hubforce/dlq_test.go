package main_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/store"
)

// TestDLQCommands drives `hubforce dlq` against a database holding dead
// letters, as an operator would next to a running serve.
func TestDLQCommands(t *testing.T) {
	ctx := context.Background()
	dbURL := "sqlite:" + filepath.Join(t.TempDir(), "dlq.db")
	if err := store.Migrate(ctx, dbURL); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now().Add(-time.Minute)
	var changes []hubforce.Change
	for i, id := range []string{"101", "102", "103"} {
		changes = append(changes, hubforce.Change{Side: hubforce.HubSpot, Object: hubforce.Contact, RecordID: id, Kind: hubforce.KindCreate,
			DeliveryID: "1/1/" + id, Version: at.Add(time.Duration(i) * time.Millisecond)})
	}
	if _, err := st.Ingest(ctx, changes); err != nil {
		t.Fatal(err)
	}
	claimed, err := st.Claim(ctx, hubforce.Salesforce, "test", 10, time.Minute)
	if err != nil || len(claimed) != 3 {
		t.Fatalf("claim: %d %v", len(claimed), err)
	}
	if err := st.DeadLetter(ctx, claimed[:2], store.Failure{Category: "validation", Code: "REQUIRED_FIELD_MISSING", Message: "Required fields are missing: [LastName]"}); err != nil {
		t.Fatal(err)
	}
	if err := st.DeadLetter(ctx, claimed[2:], store.Failure{Category: "conflict", Code: "DUPLICATE_VALUE", Message: "duplicate"}); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(binary, args...)
		cmd.Env = append(os.Environ(), "HUBFORCE_DATABASE_URL="+dbURL)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("hubforce %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	list := run("dlq", "list")
	for _, want := range []string{"REQUIRED_FIELD_MISSING", "DUPLICATE_VALUE", "contact 101", "contact 103"} {
		if !strings.Contains(list, want) {
			t.Errorf("dlq list lacks %q:\n%s", want, list)
		}
	}
	if only := run("dlq", "list", "--category", "conflict"); strings.Contains(only, "REQUIRED_FIELD_MISSING") {
		t.Errorf("--category conflict listed a validation dead letter:\n%s", only)
	}
	if show := run("dlq", "show", "1"); !strings.Contains(show, "Required fields are missing: [LastName]") || !strings.Contains(show, "hubforce dlq replay 1") {
		t.Errorf("dlq show:\n%s", show)
	}
	if out := run("dlq", "replay", "--category", "validation"); !strings.Contains(out, "replayed 2 dead letter(s)") {
		t.Errorf("replay: %s", out)
	}
	if out := run("dlq", "discard", "--all"); !strings.Contains(out, "discarded 1 dead letter(s)") {
		t.Errorf("discard: %s", out)
	}
	if out := run("dlq", "list"); !strings.Contains(out, "no dead letters") {
		t.Errorf("after replay and discard:\n%s", out)
	}
	cmd := exec.Command(binary, "dlq", "replay")
	cmd.Env = append(os.Environ(), "HUBFORCE_DATABASE_URL="+dbURL)
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "--category") {
		t.Errorf("replay without a selection must refuse and say how: %v %s", err, out)
	}

	st, err = store.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = st.Close() }()
	q, err := st.QueueStats(ctx, hubforce.Salesforce)
	if err != nil || q.Pending != 2 {
		t.Fatalf("the two replayed changes should be pending again: %+v %v", q, err)
	}
}
