package main_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
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
	out, code := runSetup(t, bin+":/usr/bin:/bin", "--yes", "--public-url", "https://sync.example.com", "--out", dir)
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
