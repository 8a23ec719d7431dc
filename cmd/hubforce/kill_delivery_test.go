package main_test

import (
	"context"
	"net"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hubforce/hubforce/internal/hubspotsim"
	"github.com/hubforce/hubforce/internal/salesforcesim"
	"github.com/hubforce/hubforce/internal/simfault"
	"github.com/hubforce/hubforce/internal/testkit"
)

// TestSIGKILLDuringDeliveryNoLossNoDoubleApply kills the real binary while it
// writes a burst of HubSpot contacts to Salesforce, restarts it on the same
// database, and checks that every contact lands in Salesforce exactly once.
func TestSIGKILLDuringDeliveryNoLossNoDoubleApply(t *testing.T) {
	const (
		appID   = 919191
		secret  = "kill-hubspot-secret"
		token   = "pat-kill-token"
		sfOrg   = testOrg
		sfUser  = "0055g00000KillIntAA"
		refresh = "kill-sf-refresh"
		n       = 300
	)
	fast := []time.Duration{50 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond,
		800 * time.Millisecond, time.Second, 2 * time.Second, 3 * time.Second, 5 * time.Second, 8 * time.Second}
	hs := hubspotsim.New(hubspotsim.Config{AppID: appID, ClientSecret: secret, PrivateAppTokens: []string{token}, RetryDelays: fast})
	hsSrv := httptest.NewServer(hs.Handler())
	t.Cleanup(func() { hsSrv.Close(); hs.Close() })
	sf := salesforcesim.New(salesforcesim.Config{OrgID: sfOrg, IntegrationUserID: sfUser, ClientID: "kill-client",
		ClientSecret: "kill-client-secret", RefreshTokens: []string{refresh}, OutboundRetryDelays: fast})
	sfSrv := httptest.NewServer(sf.Handler())
	sf.SetURL(sfSrv.URL)
	t.Cleanup(func() { sfSrv.Close(); sf.Close() })

	dbURL := "sqlite:" + filepath.Join(t.TempDir(), "delivery.db")
	env := []string{
		"HUBFORCE_HUBSPOT_CLIENT_SECRET=" + secret, "HUBFORCE_HUBSPOT_APP_ID=" + strconv.Itoa(appID),
		"HUBFORCE_HUBSPOT_ACCESS_TOKEN=" + token, "HUBFORCE_HUBSPOT_API_URL=" + hsSrv.URL,
		"HUBFORCE_SALESFORCE_LOGIN_URL=" + sfSrv.URL, "HUBFORCE_SALESFORCE_CLIENT_ID=kill-client",
		"HUBFORCE_SALESFORCE_CLIENT_SECRET=kill-client-secret", "HUBFORCE_SALESFORCE_REFRESH_TOKEN=" + refresh,
		// Small batches, so that the kill lands between writes.
		"HUBFORCE_BATCH_LINGER=10ms", "HUBFORCE_RETRY_MAX_DELAY=1s",
	}
	// The simulator calls plain http://addr and signs that URL (HubSpot
	// would call https://), so the bridge is told its public URL, and the
	// restarted process takes the same address.
	addr := freeLoopbackAddr(t)
	env = append(env, "HUBFORCE_LISTEN_ADDR="+addr, "HUBFORCE_PUBLIC_URL=http://"+addr)
	p := startServe(t, dbURL, env...)
	hs.SetWebhookURL("http://" + p.addr + "/webhooks/hubspot")
	sf.SetOutboundURL("http://" + p.addr + "/webhooks/salesforce")

	// Every Salesforce answer takes a while, so that the kill lands while
	// a write is on its way however fast the bridge batches.
	sf.Faults().Set(simfault.Plan{Latency: 2 * time.Second})
	for i := range n {
		if _, err := hs.Create("contacts", map[string]string{"email": "kill" + strconv.Itoa(i) + "@example.com", "lastname": "Kill"}, hubspotsim.UI(1)); err != nil {
			t.Fatal(err)
		}
	}
	count := func() (int, map[string]int) {
		seen := map[string]int{}
		for _, r := range sf.List("Contact") {
			seen[strings.ToLower(r["Email"].(string))]++
		}
		return len(seen), seen
	}
	ctx := context.Background()
	if err := testkit.Eventually(ctx, 60*time.Second, func() (bool, error) { c, _ := count(); return c >= 20, nil }); err != nil {
		t.Fatalf("no delivery before the kill: %v", err)
	}
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-p.done
	sf.Faults().Reset()
	before, _ := count()
	if before == n {
		t.Fatal("every contact was delivered before the kill; the test proves nothing")
	}

	p2 := startServe(t, dbURL, env...)
	hs.SetWebhookURL("http://" + p2.addr + "/webhooks/hubspot")
	sf.SetOutboundURL("http://" + p2.addr + "/webhooks/salesforce")
	if err := testkit.Eventually(ctx, 120*time.Second, func() (bool, error) { c, _ := count(); return c == n, nil }); err != nil {
		c, _ := count()
		t.Fatalf("%d of %d contacts in Salesforce after the restart: %v", c, n, err)
	}
	if err := p2.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-p2.done
	_, seen := count()
	for email, k := range seen {
		if k != 1 {
			t.Errorf("%s is in Salesforce %d times", email, k)
		}
	}
	if total := len(sf.List("Contact")); total != n {
		t.Fatalf("Salesforce holds %d contacts, want %d", total, n)
	}
	t.Logf("killed with %d of %d delivered; after the restart all %d delivered exactly once", before, n, n)
}

// freeLoopbackAddr is a loopback address with a port free a moment ago.
func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}
