package main_test

import (
	"errors"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hubforce/hubforce/internal/hubspotsim"
	"github.com/hubforce/hubforce/internal/salesforcesim"
)

// runDoctor runs the real `hubforce doctor` against simulators set up as
// the sandbox sets them up (the bridge's webhooks and Outbound Messages
// pointed at its public URL), with hs changing the HubSpot account.
func runDoctor(t *testing.T, hs func(*hubspotsim.Config)) (string, int) {
	t.Helper()
	const public = "https://sync.example.com"
	hcfg := hubspotsim.Config{AppID: 54321, ClientID: "doctor-client", ClientSecret: testSecret,
		PrivateAppTokens: []string{"pat-doctor"}, WebhookURL: public + "/webhooks/hubspot"}
	if hs != nil {
		hs(&hcfg)
	}
	hsSim := hubspotsim.New(hcfg)
	hsSrv := httptest.NewServer(hsSim.Handler())
	sfSim := salesforcesim.New(salesforcesim.Config{OrgID: testOrg, ClientID: "doctor-sf", ClientSecret: "doctor-sf-secret",
		RefreshTokens: []string{"doctor-sf-refresh"}, OutboundURL: public + "/webhooks/salesforce"})
	sfSrv := httptest.NewServer(sfSim.Handler())
	sfSim.SetURL(sfSrv.URL)
	t.Cleanup(func() { hsSrv.Close(); hsSim.Close(); sfSrv.Close(); sfSim.Close() })

	cmd := exec.Command(binary, "doctor")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"),
		"HUBFORCE_DATABASE_URL=sqlite:" + filepath.Join(t.TempDir(), "doctor.db"), "HUBFORCE_SECRET_KEY=doctor-secret-key-0123456789-0123456789-0123456789",
		"HUBFORCE_PUBLIC_URL=" + public,
		"HUBFORCE_HUBSPOT_API_URL=" + hsSrv.URL, "HUBFORCE_HUBSPOT_ACCESS_TOKEN=pat-doctor", "HUBFORCE_HUBSPOT_APP_ID=54321",
		"HUBFORCE_HUBSPOT_CLIENT_ID=doctor-client", "HUBFORCE_HUBSPOT_CLIENT_SECRET=" + testSecret,
		"HUBFORCE_SALESFORCE_ORG_ID=" + testOrg, "HUBFORCE_SALESFORCE_LOGIN_URL=" + sfSrv.URL,
		"HUBFORCE_SALESFORCE_CLIENT_ID=doctor-sf", "HUBFORCE_SALESFORCE_CLIENT_SECRET=doctor-sf-secret",
		"HUBFORCE_SALESFORCE_REFRESH_TOKEN=doctor-sf-refresh"}
	return outputAndExit(t, cmd)
}

// outputAndExit runs cmd and returns its combined output and exit status;
// only a failure to run it at all fails the test.
func outputAndExit(t *testing.T, cmd *exec.Cmd) (string, int) {
	t.Helper()
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return string(out), 0
	case errors.As(err, &ee):
		return string(out), ee.ExitCode()
	}
	t.Fatalf("running %s: %v", strings.Join(cmd.Args, " "), err)
	return "", 0
}

// TestDoctor: against healthy simulators doctor exits 0 with no failure
// (warnings only: the default Outbound Message leaves some mapped fields
// out); with a scope missing it exits 1 and names the scope.
func TestDoctor(t *testing.T) {
	out, code := runDoctor(t, nil)
	if code != 0 || !strings.Contains(out, "\n0 failed,") || !strings.Contains(out, "the token works (portal 62515, app 54321)") ||
		!strings.Contains(out, "signatures are checked against https://sync.example.com/webhooks/hubspot") {
		t.Fatalf("healthy accounts: exit %d\n%s", code, out)
	}
	out, code = runDoctor(t, func(c *hubspotsim.Config) {
		c.Scopes = []string{"oauth", "crm.objects.contacts.read", "crm.objects.contacts.write", "crm.objects.companies.read"}
	})
	if code != 1 || !strings.Contains(out, "FAIL  scopes             the token lacks crm.objects.companies.write") {
		t.Fatalf("missing scope: exit %d\n%s", code, out)
	}
}
