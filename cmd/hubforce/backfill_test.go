package main

import (
	"bytes"
	"context"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hubforce/hubforce/internal/hubspotsim"
	"github.com/hubforce/hubforce/internal/store"
)

// runCLI runs the real command tree with args and the given environment
// (HUBFORCE_* variables not listed are cleared).
func runCLI(t *testing.T, env map[string]string, args ...string) (string, error) {
	t.Helper()
	for _, k := range []string{"HUBSPOT_ACCESS_TOKEN", "HUBSPOT_CLIENT_ID", "HUBSPOT_CLIENT_SECRET", "HUBSPOT_REFRESH_TOKEN",
		"HUBSPOT_API_URL", "SALESFORCE_CLIENT_ID", "DATABASE_URL", "MAPPING_FILE", "LOG_LEVEL"} {
		t.Setenv("HUBFORCE_"+k, env[k])
	}
	root := newRoot()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	return out.String(), err
}

func TestBackfillFlagValidation(t *testing.T) {
	dbURL := "sqlite:" + filepath.Join(t.TempDir(), "hubforce.db")
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want []string // substrings of the error
	}{
		{"unknown side", []string{"--from", "pipedrive"}, nil, []string{`--from must be hubspot or salesforce, not "pipedrive"`}},
		{"unknown object", []string{"--object", "deal"}, nil, []string{`--object must be contact or company, not "deal"`}},
		{"bad since", []string{"--since", "yesterday"}, nil, []string{`--since "yesterday" is neither RFC 3339`}},
		{"batch size", []string{"--batch-size", "0"}, nil, []string{"--batch-size must be between 1 and 1000"}},
		{"every problem at once", []string{"--from", "x", "--batch-size", "5000"}, nil, []string{"--from must be", "--batch-size must be"}},
		{"no hubspot credentials", nil, map[string]string{"DATABASE_URL": dbURL}, []string{"HUBFORCE_HUBSPOT_ACCESS_TOKEN"}},
		{"no salesforce credentials", []string{"--from", "salesforce", "--object", "Account"}, map[string]string{"DATABASE_URL": dbURL},
			[]string{"HUBFORCE_SALESFORCE_CLIENT_ID"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := runCLI(t, tt.env, append([]string{"backfill"}, tt.args...)...)
			if err == nil {
				t.Fatal("want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestParseSince(t *testing.T) {
	for in, want := range map[string]string{
		"2026-01-31":                "2026-01-31T00:00:00Z",
		"2026-01-31T08:00:00+02:00": "2026-01-31T06:00:00Z",
	} {
		got, err := parseSince(in)
		if err != nil || got.Format("2006-01-02T15:04:05Z07:00") != want {
			t.Errorf("parseSince(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
}

func TestBackfillCommandAgainstTheSimulator(t *testing.T) {
	sim := hubspotsim.New(hubspotsim.Config{PrivateAppTokens: []string{"pat-cli"}})
	t.Cleanup(sim.Close)
	api := httptest.NewServer(sim.Handler())
	t.Cleanup(api.Close)
	for _, e := range []string{"a@example.com", "b@example.com"} {
		if _, err := sim.Create("contacts", map[string]string{"email": e, "lastname": "L"}, hubspotsim.UI(1)); err != nil {
			t.Fatal(err)
		}
	}
	dbURL := "sqlite:" + filepath.Join(t.TempDir(), "hubforce.db")
	env := map[string]string{"HUBSPOT_ACCESS_TOKEN": "pat-cli", "HUBSPOT_API_URL": api.URL, "DATABASE_URL": dbURL, "LOG_LEVEL": "warn"}

	// A careful user's first try: a dry run before any serve made the
	// database. It works, says so, and creates nothing.
	out, err := runCLI(t, env, "backfill", "--dry-run", "--since", "2020-01-01")
	if err != nil || strings.Count(out, "would feed hubspot contact") != 2 || !strings.Contains(out, "not a hubforce store yet") {
		t.Fatalf("dry run on a fresh database: %v\n%s", err, out)
	}
	if _, err := os.Stat(strings.TrimPrefix(dbURL, "sqlite:")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the dry run created the database: %v", err)
	}
	if err := store.Migrate(context.Background(), dbURL); err != nil {
		t.Fatal(err)
	}
	out, err = runCLI(t, env, "backfill", "--dry-run", "--since", "2020-01-01")
	if err != nil || strings.Count(out, "would feed hubspot contact") != 2 || !strings.Contains(out, "nothing was ingested") {
		t.Fatalf("dry run: %v\n%s", err, out)
	}
	out, err = runCLI(t, env, "backfill", "--since", "2020-01-01", "--batch-size", "1")
	if err != nil || !strings.Contains(out, "2 records read in this run") || !strings.Contains(out, "4 changes fed") {
		t.Fatalf("backfill: %v\n%s", err, out)
	}
	out, err = runCLI(t, env, "backfill", "--since", "2020-01-01")
	if err != nil || !strings.Contains(out, "starting over") || !strings.Contains(out, "0 changes fed") {
		t.Fatalf("second backfill: %v\n%s", err, out)
	}
	t.Logf("second run said:\n%s", out)
}
