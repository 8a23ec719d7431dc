package main_test

import (
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// run runs the real binary in dir with only env set, and returns its
// combined output and whether it succeeded.
func run(t *testing.T, dir string, env []string, args ...string) (string, bool) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir}, env...)
	out, err := cmd.CombinedOutput()
	if _, exited := err.(*exec.ExitError); err != nil && !exited {
		t.Fatal(err)
	}
	return string(out), err == nil
}

// validServeEnv is a configuration serve accepts.
func validServeEnv(dir string) []string {
	return []string{
		"HUBFORCE_DATABASE_URL=sqlite:" + filepath.Join(dir, "h.db"),
		"HUBFORCE_HUBSPOT_CLIENT_SECRET=s", "HUBFORCE_HUBSPOT_ACCESS_TOKEN=pat",
		"HUBFORCE_SALESFORCE_ORG_ID=" + testOrg, "HUBFORCE_SALESFORCE_CLIENT_ID=id", "HUBFORCE_SALESFORCE_REFRESH_TOKEN=r",
		"HUBFORCE_SECRET_KEY=test-secret-key-0123456789-0123456789-0123456789",
	}
}

// config check and serve refuse the same values, every one of them at
// once, each message naming its variable.
func TestConfigCheckAndServeRefuseTheSame(t *testing.T) {
	dir := t.TempDir()
	bad := []string{"HUBFORCE_LOG_LEVEL=verbose", "HUBFORCE_LOG_FORMAT=pretty", "HUBFORCE_LISTEN_ADDR=8080",
		"HUBFORCE_SALESFORCE_CLIENT_SECRET=alone", "HUBFORCE_MAPPING_FILE=" + filepath.Join(dir, "missing.yaml")}
	env := append(validServeEnv(dir), bad...)
	// A client secret alone: no client id.
	env = slices.DeleteFunc(env, func(kv string) bool {
		return kv == "HUBFORCE_SALESFORCE_CLIENT_ID=id" || kv == "HUBFORCE_SALESFORCE_REFRESH_TOKEN=r"
	})
	for _, args := range [][]string{{"config", "check"}, {"serve"}} {
		out, ok := run(t, dir, env, args...)
		if ok {
			t.Fatalf("%v accepted:\n%s", args, out)
		}
		for _, want := range []string{"HUBFORCE_LOG_LEVEL", "HUBFORCE_LOG_FORMAT", "HUBFORCE_LISTEN_ADDR",
			"HUBFORCE_SALESFORCE_CLIENT_ID is required", "HUBFORCE_MAPPING_FILE"} {
			if !strings.Contains(out, want) {
				t.Errorf("%v: no message names %s:\n%s", args, want, out)
			}
		}
	}
	if out, ok := run(t, dir, validServeEnv(dir), "config", "check"); !ok {
		t.Fatalf("a valid configuration refused:\n%s", out)
	}
}

func TestConfigCheckWarnsAboutUnknownVariables(t *testing.T) {
	dir := t.TempDir()
	out, ok := run(t, dir, append(validServeEnv(dir), "HUBFORCE_LOG_LEVL=debug"), "config", "check")
	if !ok {
		t.Fatalf("refused:\n%s", out)
	}
	if !strings.Contains(out, "HUBFORCE_LOG_LEVL is not a hubforce variable; did you mean HUBFORCE_LOG_LEVEL?") {
		t.Errorf("no hint:\n%s", out)
	}
}

func TestKeygenPrintsAKeyConfigAccepts(t *testing.T) {
	dir := t.TempDir()
	out, ok := run(t, dir, nil, "keygen")
	key := strings.TrimSpace(out)
	if b, err := base64.RawURLEncoding.DecodeString(key); !ok || err != nil || len(b) < 32 {
		t.Fatalf("keygen printed %q (%v)", out, err)
	}
	if again, _ := run(t, dir, nil, "keygen"); strings.TrimSpace(again) == key {
		t.Fatal("two keys alike")
	}
	env := append(validServeEnv(dir), "HUBFORCE_SECRET_KEY="+key)
	if out, ok := run(t, dir, env, "config", "check"); !ok {
		t.Fatalf("config check refused keygen's key:\n%s", out)
	}
	short := append(validServeEnv(dir), "HUBFORCE_SECRET_KEY=short")
	if out, ok := run(t, dir, short, "config", "check"); ok || !strings.Contains(out, "hubforce keygen") {
		t.Fatalf("a short key: ok=%v\n%s", ok, out)
	}
}

// Without HUBFORCE_DATABASE_URL, explain and dlq say which database they
// tried and leave no file behind.
func TestReadCommandsNeverCreateADatabase(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{{"explain", "hubspot", "contact", "1"}, {"dlq", "list"}} {
		out, ok := run(t, dir, nil, args...)
		if ok {
			t.Fatalf("%v succeeded without a database:\n%s", args, out)
		}
		for _, want := range []string{"sqlite:hubforce.db", "HUBFORCE_DATABASE_URL"} {
			if !strings.Contains(out, want) {
				t.Errorf("%v: the message lacks %q:\n%s", args, want, out)
			}
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("files left behind: %v", entries)
	}
}

// A database remembers the Salesforce org it serves; serve refuses it for
// another org, naming the variables to change.
func TestServeRefusesAStoreOfAnotherOrg(t *testing.T) {
	dir := t.TempDir()
	dbURL := "sqlite:" + filepath.Join(dir, "h.db")
	p := startServe(t, dbURL)
	_ = p.cmd.Process.Kill()
	<-p.done
	env := slices.DeleteFunc(validServeEnv(dir), func(kv string) bool { return strings.HasPrefix(kv, "HUBFORCE_SALESFORCE_ORG_ID=") })
	env = append(env, "HUBFORCE_SALESFORCE_ORG_ID=00D5g000004OthrAAA", "HUBFORCE_HUBSPOT_API_URL=http://127.0.0.1:1",
		"HUBFORCE_SALESFORCE_LOGIN_URL=http://127.0.0.1:1", "HUBFORCE_LISTEN_ADDR=127.0.0.1:0")
	out, ok := run(t, dir, env, "serve")
	if ok {
		t.Fatalf("serve accepted another org's store:\n%s", out)
	}
	for _, want := range []string{"belongs to Salesforce org " + testOrg, "HUBFORCE_DATABASE_URL", "HUBFORCE_SALESFORCE_ORG_ID"} {
		if !strings.Contains(out, want) {
			t.Errorf("the refusal lacks %q:\n%s", want, out)
		}
	}
}
