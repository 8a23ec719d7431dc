package main_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hubforce/hubforce/internal/hubspot"
	"github.com/hubforce/hubforce/internal/salesforce"
	"github.com/hubforce/hubforce/internal/testkit"
)

// sandboxRun is a running `hubforce sandbox`, with the URLs and credentials
// its banner printed.
type sandboxRun struct {
	cmd                            *exec.Cmd
	bridge, hubspot, salesforce    string
	hubspotToken, salesforceToken  string
	hubspotContact, salesforceCont string
	stderr                         *testkit.LogBuffer
	done                           chan error
}

var (
	bannerURL     = regexp.MustCompile(`^(Bridge|HubSpot simulator|Salesforce simulator)\s+(http://\S+)`)
	bannerHSToken = regexp.MustCompile(`your own app \d+: token (\S+)`)
	bannerSFToken = regexp.MustCompile(`you, user \S+: session (\S+)`)
	bannerHSEdit  = regexp.MustCompile(`/crm/objects/[0-9-]+/contacts/(\d+) `)
	bannerSFEdit  = regexp.MustCompile(`/sobjects/Contact/(\w+) `)
)

// startSandbox runs the real binary in dir on free ports and reads its
// banner.
func startSandbox(t *testing.T, dir string, args ...string) *sandboxRun {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"sandbox", "--listen", "127.0.0.1:0", "--hubspot-addr", "127.0.0.1:0",
		"--salesforce-addr", "127.0.0.1:0", "--rate", "0", "--log-format", "json"}, args...)...)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &sandboxRun{cmd: cmd, stderr: &testkit.LogBuffer{}, done: make(chan error, 1)}
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	banner := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			if m := bannerURL.FindStringSubmatch(line); m != nil {
				switch m[1] {
				case "Bridge":
					s.bridge = m[2]
				case "HubSpot simulator":
					s.hubspot = m[2]
				default:
					s.salesforce = m[2]
				}
			}
			if m := bannerHSToken.FindStringSubmatch(line); m != nil {
				s.hubspotToken = m[1]
			}
			if m := bannerSFToken.FindStringSubmatch(line); m != nil {
				s.salesforceToken = m[1]
			}
			if m := bannerHSEdit.FindStringSubmatch(line); m != nil {
				s.hubspotContact = m[1]
			}
			if m := bannerSFEdit.FindStringSubmatch(line); m != nil {
				s.salesforceCont = m[1]
			}
			if strings.HasPrefix(line, "Ctrl-C stops everything") {
				close(banner)
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
		s.done <- cmd.Wait()
	}()
	select {
	case <-banner:
	case err := <-s.done:
		t.Fatalf("sandbox exited before its banner: %v\n%s", err, s.stderr)
	case <-time.After(30 * time.Second):
		t.Fatalf("no banner within 30 s\n%s", s.stderr)
	}
	for name, v := range map[string]string{"bridge": s.bridge, "hubspot": s.hubspot, "salesforce": s.salesforce,
		"hubspot token": s.hubspotToken, "salesforce session": s.salesforceToken, "hubspot contact": s.hubspotContact,
		"salesforce contact": s.salesforceCont} {
		if v == "" {
			t.Fatalf("the banner does not show the %s", name)
		}
	}
	testkit.WaitFor(t, "the bridge is ready", 30*time.Second, func() bool {
		resp, err := http.Get(s.bridge + "/readyz")
		if err != nil {
			return false
		}
		_ = resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return s
}

// stop sends SIGINT, as Ctrl-C does, and waits for a clean exit.
func (s *sandboxRun) stop(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-s.done:
		if err != nil {
			t.Fatalf("sandbox exited with %v\n%s", err, s.stderr)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("sandbox did not stop within 30 s of SIGINT")
	}
}

func call(t *testing.T, method, u, token, body string, out any) int {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, u, err, b)
		}
	}
	if resp.StatusCode >= 300 {
		t.Logf("%s %s: %d %s", method, u, resp.StatusCode, b)
	}
	return resp.StatusCode
}

// bothWays edits the banner's example contacts as the printed people would,
// and waits for each edit to reach the other CRM.
func (s *sandboxRun) bothWays(t *testing.T, title string) {
	t.Helper()
	if code := call(t, http.MethodPatch, s.hubspot+"/crm/objects/"+hubspot.DefaultAPIVersion+"/contacts/"+s.hubspotContact, s.hubspotToken,
		fmt.Sprintf(`{"properties":{"jobtitle":%q}}`, "HS "+title), nil); code != http.StatusOK {
		t.Fatalf("HubSpot edit: %d", code)
	}
	if code := call(t, http.MethodPatch, s.salesforce+"/services/data/"+salesforce.DefaultAPIVersion+"/sobjects/Contact/"+s.salesforceCont, s.salesforceToken,
		fmt.Sprintf(`{"Title":%q}`, "SF "+title), nil); code != http.StatusNoContent {
		t.Fatalf("Salesforce edit: %d", code)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the sandbox said:\n%s", s.stderr)
		}
	})
	testkit.WaitFor(t, "HubSpot → Salesforce", time.Minute, func() bool {
		var q struct {
			Records []struct{ Title string } `json:"records"`
		}
		soql := url.QueryEscape("SELECT Id, Title FROM Contact WHERE Email = 'ada@example.org'")
		call(t, http.MethodGet, s.salesforce+"/services/data/"+salesforce.DefaultAPIVersion+"/query?q="+soql, s.salesforceToken, "", &q)
		return len(q.Records) == 1 && q.Records[0].Title == "HS "+title
	})
	testkit.WaitFor(t, "Salesforce → HubSpot", time.Minute, func() bool {
		var rec struct {
			Properties map[string]string `json:"properties"`
		}
		call(t, http.MethodGet, s.hubspot+"/crm/objects/"+hubspot.DefaultAPIVersion+"/contacts/grace@example.org?idProperty=email&properties=jobtitle",
			s.hubspotToken, "", &rec)
		return rec.Properties["jobtitle"] == "SF "+title
	})
}

// Runs of the sandbox in one folder are independent: the second starts
// afresh and both directions flow; a run with --keep-state continues the
// last one, and both directions flow again.
func TestSandboxTwiceInOneFolder(t *testing.T) {
	dir := t.TempDir()
	first := startSandbox(t, dir)
	first.bothWays(t, "first run")
	first.stop(t)

	second := startSandbox(t, dir)
	second.bothWays(t, "second run")
	second.stop(t)
	if second.hubspotContact != first.hubspotContact {
		t.Logf("fresh runs made different example ids: %s, %s", first.hubspotContact, second.hubspotContact)
	}

	third := startSandbox(t, dir, "--keep-state")
	if third.hubspotContact != second.hubspotContact || third.salesforceCont != second.salesforceCont {
		t.Fatalf("--keep-state lost the example contacts: %s/%s, then %s/%s",
			second.hubspotContact, second.salesforceCont, third.hubspotContact, third.salesforceCont)
	}
	third.bothWays(t, "kept state")
	third.stop(t)
	assertNoRepeatedKeys(t, first.stderr.String()+second.stderr.String()+third.stderr.String())
}

// A store made with other simulators is refused, naming what to change.
func TestSandboxRefusesAStoreOfOtherSimulators(t *testing.T) {
	dir := t.TempDir()
	first := startSandbox(t, dir)
	first.stop(t)
	if err := os.Remove(dir + "/hubforce-sandbox/simulators.json"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, "sandbox", "--listen", "127.0.0.1:0", "--hubspot-addr", "127.0.0.1:0",
		"--salesforce-addr", "127.0.0.1:0", "--rate", "0", "--keep-state")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("the sandbox accepted a store of other simulators:\n%s", out)
	}
	for _, want := range []string{"belongs to simulators", "--keep-state", "--state-dir"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the refusal lacks %q:\n%s", want, out)
		}
	}
}

// assertNoRepeatedKeys checks that no JSON log line carries a key twice:
// log pipelines keep only one of them.
func assertNoRepeatedKeys(t *testing.T, logs string) {
	t.Helper()
	lines := 0
	for _, line := range strings.Split(logs, "\n") {
		if !strings.HasPrefix(line, "{") {
			continue
		}
		lines++
		dec := json.NewDecoder(strings.NewReader(line))
		if _, err := dec.Token(); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		seen := map[string]bool{}
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				t.Fatalf("%v: %s", err, line)
			}
			if seen[k.(string)] {
				t.Errorf("key %q repeated: %s", k, line)
			}
			seen[k.(string)] = true
			var v json.RawMessage
			if err := dec.Decode(&v); err != nil {
				t.Fatalf("%v: %s", err, line)
			}
		}
	}
	if lines == 0 {
		t.Fatal("no JSON log lines to check")
	}
}
