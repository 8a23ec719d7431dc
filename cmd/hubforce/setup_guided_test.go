package main_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hubforce/hubforce/internal/testkit"
)

// runSetup runs the real `hubforce setup` with args, an environment of
// only PATH (and HOME), and no input; it returns the output and exit code.
func runSetup(t *testing.T, path string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"setup"}, args...)...)
	cmd.Env = []string{"PATH=" + path, "HOME=" + t.TempDir()}
	cmd.Dir = t.TempDir()
	return outputAndExit(t, cmd)
}

// TestSetupSandbox: `hubforce setup --sandbox` needs no account and no
// answer: doctor finds nothing wrong, a contact made by a person in each
// CRM reaches the other, both timelines are printed, and it exits 0.
func TestSetupSandbox(t *testing.T) {
	out, code := runSetup(t, os.Getenv("PATH"), "--sandbox", "--timeout", "60s")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	for _, want := range []string{
		"\n0 failed, 0 warnings, 0 not checkable\n",
		"/webhooks/hubspot (from ",
		"Salesforce simulator: Outbound Message Hubforce_Contact (",
		"hubspot → salesforce: contact ",
		"salesforce → hubspot: contact ",
		"applied   POST /composite/sobjects → created Contact ",
		"applied   POST /crm/objects/2026-03/contacts/batch/create → created contact ",
		"a record synced each way",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the output lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(out)
	}
}

// fakeCLI writes a script called name into dir that logs its working
// folder and arguments to log, and fails on the arguments in failOn.
func fakeCLI(t *testing.T, dir, name, log, failOn string) {
	t.Helper()
	script := "#!/bin/sh\necho \"$PWD $(basename \"$0\") $*\" >> '" + log + "'\n"
	if failOn != "" {
		script += "[ \"$*\" = '" + failOn + "' ] && exit 1\n"
	}
	script += "exit 0\n"
	if err := os.WriteFile(filepath.Join(dir, name), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
}

// TestSetupGuidedRunsTheCLIs: with hs and sf installed and signed in,
// `setup --yes` writes both projects and installs each with its CLI, in
// its own folder; it then stops at doctor, which has no configuration.
func TestSetupGuidedRunsTheCLIs(t *testing.T) {
	bin, log, dir := t.TempDir(), filepath.Join(t.TempDir(), "calls.log"), t.TempDir()
	fakeCLI(t, bin, "hs", log, "")
	fakeCLI(t, bin, "sf", log, "")
	out, code := runSetup(t, bin+":/usr/bin:/bin", "--yes", "--public-url", "https://sync.example.com", "--out", dir,
		"--integration-user", "hubforce@acme.example")
	if code != 1 || !strings.Contains(out, "6. hubforce doctor") || !strings.Contains(out, "configuration is not valid") {
		t.Fatalf("want it to stop at doctor (no configuration): exit %d\n%s", code, out)
	}
	calls, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	hs, sf := filepath.Join(dir, "hubspot"), filepath.Join(dir, "salesforce")
	want := strings.Join([]string{
		hs + " hs account list",
		hs + " hs project upload",
		sf + " sf org display --json",
		sf + " sf project deploy start --source-dir force-app",
		sf + " sf org assign permset --name Hubforce_Integration --on-behalf-of hubforce@acme.example",
	}, "\n") + "\n"
	if string(calls) != want {
		t.Fatalf("the CLIs were called\n%s\nwant\n%s", calls, want)
	}
	for _, d := range []string{hs, sf} {
		if entries, err := os.ReadDir(d); err != nil || len(entries) == 0 {
			t.Errorf("no project written in %s (%v)", d, err)
		}
	}
	for _, link := range []string{"open https://sync.example.com/connect/hubspot\n", "open https://sync.example.com/connect/salesforce\n"} {
		if !strings.Contains(out, link) {
			t.Errorf("the output lacks %q\n%s", link, out)
		}
	}
}

// TestSetupGuidedPrintsTheCommands: without hs, and with sf not signed in,
// `setup --yes` prints the exact commands to run, and runs nothing.
func TestSetupGuidedPrintsTheCommands(t *testing.T) {
	bin, log, dir := t.TempDir(), filepath.Join(t.TempDir(), "calls.log"), t.TempDir()
	fakeCLI(t, bin, "sf", log, "org display --json")
	out, code := runSetup(t, bin+":/usr/bin:/bin", "--yes", "--public-url", "https://sync.example.com",
		"--salesforce-login-url", "https://test.salesforce.com", "--out", dir)
	if code != 1 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	hs, sf := filepath.Join(dir, "hubspot"), filepath.Join(dir, "salesforce")
	for _, want := range []string{
		"  hs is not installed; run these yourself (",
		"    npm install -g @hubspot/cli\n    hs account auth\n    cd " + hs + " && hs project upload\n",
		"  sf is not signed in (sf org display --json failed); run these yourself (",
		"    npm install -g @salesforce/cli\n    sf org login web --set-default --instance-url https://test.salesforce.com\n    cd " + sf + " && sf project deploy start --source-dir force-app\n",
		"  then give the integration user the permission set: sf org assign permset --name Hubforce_Integration --on-behalf-of USERNAME\n",
		"HUBFORCE_SALESFORCE_LOGIN_URL=https://test.salesforce.com",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the output lacks %q", want)
		}
	}
	if calls, err := os.ReadFile(log); err != nil || string(calls) != sf+" sf org display --json\n" {
		t.Errorf("want only sf's sign-in check run, got %q (%v)", calls, err)
	}
	if t.Failed() {
		t.Log(out)
	}
}

// TestSetupGuidedAgainstTheSandbox: the guided flow, for accounts whose
// CLIs are signed in, against a running `hubforce sandbox` standing in for
// the real accounts and `hubforce serve`: doctor passes, then setup waits
// for the first change made by a person on each side to reach the other,
// prints both timelines and exits 0.
func TestSetupGuidedAgainstTheSandbox(t *testing.T) {
	dir := t.TempDir()
	s := startSandbox(t, dir)
	bin, log := t.TempDir(), filepath.Join(t.TempDir(), "calls.log")
	fakeCLI(t, bin, "hs", log, "")
	fakeCLI(t, bin, "sf", log, "")
	cmd := exec.Command(binary, "setup", "--yes", "--public-url", s.bridge, "--salesforce-login-url", s.salesforce,
		"--out", t.TempDir(), "--integration-user", "integration@example.org")
	// The sandbox bridge's configuration: the credentials its banner
	// prints, and its store's secret key.
	cmd.Env = []string{"PATH=" + bin + ":/usr/bin:/bin", "HOME=" + dir,
		"HUBFORCE_DATABASE_URL=sqlite:" + filepath.Join(dir, "hubforce-sandbox", "bridge.db"),
		"HUBFORCE_SECRET_KEY=sandbox-secret-key-not-for-production-000000",
		"HUBFORCE_PUBLIC_URL=" + s.bridge,
		"HUBFORCE_HUBSPOT_API_URL=" + s.hubspot, "HUBFORCE_HUBSPOT_APP_URL=" + s.hubspot, "HUBFORCE_HUBSPOT_APP_ID=54321",
		"HUBFORCE_HUBSPOT_ACCESS_TOKEN=pat-na1-sandbox-0000-0000-0000-000000000000",
		"HUBFORCE_HUBSPOT_CLIENT_ID=sandbox-hubspot-client-id", "HUBFORCE_HUBSPOT_CLIENT_SECRET=sandbox-hubspot-client-secret",
		"HUBFORCE_SALESFORCE_ORG_ID=00D5g000004SbXaEAK", "HUBFORCE_SALESFORCE_LOGIN_URL=" + s.salesforce,
		"HUBFORCE_SALESFORCE_CLIENT_ID=sandbox-salesforce-consumer-key", "HUBFORCE_SALESFORCE_CLIENT_SECRET=sandbox-salesforce-consumer-secret",
		"HUBFORCE_SALESFORCE_REFRESH_TOKEN=sandbox-salesforce-refresh-token"}
	out := &testkit.LogBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	testkit.WaitFor(t, "setup waits for the first changes", 30*time.Second, func() bool {
		return strings.Contains(out.String(), "7. Waiting for the first change each way")
	})
	if !strings.Contains(out.String(), "\n0 failed, 0 warnings, 0 not checkable\n") {
		t.Fatalf("doctor against the sandbox:\n%s", out)
	}
	s.bothWays(t, "guided")
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("setup: %v\n%s", err, out)
		}
	case <-time.After(time.Minute):
		t.Fatalf("setup still waiting a minute after both edits synced\n%s", out)
	}
	for _, want := range []string{
		"  hubspot → salesforce: contact " + s.hubspotContact + ", after ",
		"  salesforce → hubspot: contact " + s.salesforceCont + ", after ",
		"hubspot contact " + s.hubspotContact + "\nlinked: HubSpot " + s.hubspotContact + " ↔ Salesforce Contact ",
		"salesforce contact " + s.salesforceCont + "\nlinked: HubSpot ",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the output lacks %q\n%s", want, out)
		}
	}
}
