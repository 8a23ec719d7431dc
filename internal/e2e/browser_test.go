package e2e

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// screenshotDir is where the README's screenshots live; the browser test
// writes there only when HUBFORCE_UPDATE_SCREENSHOTS=1, so that a test run
// never changes the work tree by itself.
const screenshotDir = "../../docs/screenshots"

// chromium finds Debian's Chromium. In CI (CI=true) its absence fails the
// test: .ci/run installs it; elsewhere the test is skipped with a message.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("Chromium is missing; .ci/run installs it (Debian package chromium)")
	}
	t.Skip("Chromium is not installed (apt-get install chromium): the browser test is skipped")
	return ""
}

// TestDashboardInABrowser drives headless Chromium through what an operator
// does: sign in, look at the health page (its charts have data), replay a
// dead letter from its page (the record then arrives in Salesforce), read a
// record's timeline and connect Salesforce through the OAuth flow. It
// saves a screenshot of each page.
func TestDashboardInABrowser(t *testing.T) {
	exe := chromium(t)
	e := startOnSQLite(t)
	base := e.BridgeURLs[0]

	// Traffic both ways, so that the charts and the recent list have data.
	var firstID string
	for i := range 6 {
		r, err := e.HubSpot.Create("contacts", map[string]string{"email": fmt.Sprintf("browser%d@example.com", i),
			"firstname": "Ada", "lastname": fmt.Sprintf("Browser %d", i), "jobtitle": "Engineer"}, ui)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			firstID = r.ID
		}
	}
	for i := range 3 {
		if _, err := e.Salesforce.Create("Contact", map[string]any{"Email": fmt.Sprintf("sf-browser%d@example.com", i),
			"LastName": fmt.Sprintf("Lovelace %d", i)}, SalesforceUser); err != nil {
			t.Fatal(err)
		}
	}
	// A contact without a last name cannot be created in Salesforce.
	nameless, err := e.HubSpot.Create("contacts", map[string]string{"email": "browser-nameless@example.com", "firstname": "Nameless"}, ui)
	if err != nil {
		t.Fatal(err)
	}
	var dlID string
	waitFor(t, "the changes to sync and the dead letter to appear", 30*time.Second, func() (bool, error) {
		_, body, err := Get(base+"/api/v1/dead-letters?category=validation", "Authorization", "Bearer e2e-admin-token")
		dlID = jsonField(body, "id")
		return dlID != "" && len(sfContactsByEmail(e, "browser5@example.com")) == 1 &&
			len(hsContactsByEmail(e, "sf-browser2@example.com")) == 1, err
	})

	alloc, cancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1200, 900))
	defer cancel()
	// The first call starts the browser, whose life is that call's context:
	// no timeout on it; each step below gets one of its own.
	browser, cancel := chromedp.NewContext(alloc)
	defer cancel()
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}

	shots := t.TempDir()
	if os.Getenv("HUBFORCE_UPDATE_SCREENSHOTS") == "1" {
		shots = screenshotDir
	}
	shot := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			buf, err := chromedp.FullScreenshot(100)(ctx, tg)
			if err != nil {
				return err
			}
			img, err := png.Decode(bytes.NewReader(buf))
			if err != nil {
				return fmt.Errorf("screenshot %s is not a PNG: %w", name, err)
			}
			// Chromium compresses for speed; the README's copies are
			// kept small.
			var small bytes.Buffer
			if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&small, img); err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(shots, name+".png"), small.Bytes(), 0o644)
		})
	}
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		ctx, cancel := context.WithTimeout(browser, time.Minute)
		defer cancel()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(browser, 30*time.Second)
		defer cancel()
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("reading %s: %v", sel, err)
		}
		return v
	}
	css := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }

	// Sign in and look at the health page.
	do("signing in",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(css(`#token`)),
		chromedp.SendKeys(css(`#token`), "e2e-admin-token"),
		chromedp.Submit(css(`#token`)),
		chromedp.WaitVisible(css(`#recent`)),
		shot("dashboard"),
	)
	charts, err := chromedp.Run(browser, chromedp.Evaluate[int](`document.querySelectorAll("svg.chart").length`))
	if err != nil {
		t.Fatal(err)
	}
	if charts < 3 {
		t.Errorf("%d charts drawn with data, want at least 3 (changes in the last hour and day, errors)", charts)
	}
	if recent := text(`#recent`); !strings.Contains(recent, "applied") || !strings.Contains(recent, "HubSpot → Salesforce") ||
		!strings.Contains(recent, "Salesforce → HubSpot") {
		t.Errorf("the recent activity lacks changes both ways: %q", recent)
	}
	if cards := text(`.grid`); !strings.Contains(cards, "Up to date") && !strings.Contains(cards, "Flowing") {
		t.Errorf("the direction cards say neither up to date nor flowing: %q", cards)
	}

	// Replay the dead letter once the record is fixed in HubSpot; the fix
	// itself sends no webhook, so the replay is what brings the record.
	e.HubSpot.SetWebhookURL("")
	if _, err := e.HubSpot.Update("contacts", nameless.ID, map[string]string{"lastname": "Named"}, ui); err != nil {
		t.Fatal(err)
	}
	do("replaying the dead letter",
		chromedp.Navigate(base+"/dashboard/dead-letters/"+dlID),
		chromedp.WaitVisible(css(`form[action$="/replay"] button`)),
		shot("dead-letter"),
		chromedp.Click(css(`form[action$="/replay"] button`)),
		chromedp.WaitVisible(css(`.alert.ok`)),
	)
	if notice := text(`.alert.ok`); !strings.Contains(notice, "1 dead letter(s) put back in the queue") {
		t.Errorf("after Replay the page says %q", notice)
	}
	waitFor(t, "the replayed contact to arrive in Salesforce", 30*time.Second, func() (bool, error) {
		got := sfContactsByEmail(e, "browser-nameless@example.com")
		return len(got) == 1 && got[0]["LastName"] == "Named", nil
	})

	// The timeline of a synced record.
	do("reading a timeline",
		chromedp.Navigate(base+"/dashboard/explain?side=hubspot&object=contact&id="+firstID),
		chromedp.WaitVisible(css(`main`)),
		shot("timeline"),
	)
	timeline := text(`main`)
	for _, want := range []string{"Timeline", "Linked: HubSpot", "accepted", "applied"} {
		if !strings.Contains(timeline, want) {
			t.Errorf("the timeline page lacks %q", want)
		}
	}

	// Connect Salesforce: the dashboard's button, Salesforce's approval
	// page, and back to the bridge's page, styled like the dashboard.
	do("connecting Salesforce",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(css(`a[href="/connect/salesforce"]`)),
		chromedp.Click(css(`a[href="/connect/salesforce"]`)),
		chromedp.WaitVisible(css(`#allow`)),
		chromedp.Click(css(`#allow`)),
		chromedp.WaitVisible(css(`main h1`)),
		shot("connect"),
	)
	back, err := chromedp.Run(browser, chromedp.AttributeValue(css(`main a.button`), "href"))
	if err != nil {
		t.Fatal(err)
	}
	if heading := text(`main h1`); heading != "Salesforce connected" || back.Value != "/" {
		t.Errorf("after Connect: heading %q, way back %q", heading, back.Value)
	}
}
