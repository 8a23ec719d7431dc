package admin

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/store"
)

func TestOverviewShowsChartsHealthAndRecentActivity(t *testing.T) {
	var rec *Recorder
	e := newEnv(t, func(c *Config) {
		rec = NewRecorder(c.Now)
		c.Recorder = rec
		c.BudgetShare = 0.75
		c.DryRun = true
		c.Connect = []hubforce.Side{hubforce.Salesforce}
		c.SalesforceUsage = func() (int, int) { return 600, 1000 }
		c.Health = func() []hubforce.Health {
			now := c.Now()
			return []hubforce.Health{
				{To: hubforce.HubSpot, State: hubforce.Failing, Reason: "HTTP 503 from HubSpot", Since: now.Add(-10 * time.Minute), Failures: 12},
				{To: hubforce.Salesforce, State: hubforce.Paused, Reason: "refresh token refused (invalid_grant)", Since: now.Add(-time.Minute)},
			}
		}
	})
	now := e.clock
	must(t, e.st.RecordHistory(context.Background(), []store.HistoryEntry{
		{DeliveryID: "d-a", Side: hubforce.HubSpot, Object: hubforce.Contact, RecordID: "51", Kind: hubforce.KindUpdate,
			Decision: hubforce.Applied, Detail: "updated Salesforce Contact 003000000000051AAA (phone)", At: now.Add(-5 * time.Minute)},
		{DeliveryID: "d-b", Side: hubforce.Salesforce, Object: hubforce.Company, RecordID: "001000000000052AAA", Kind: hubforce.KindUpdate,
			Decision: hubforce.Applied, Detail: "updated HubSpot company 52", At: now.Add(-2 * time.Minute)},
	}))
	coalesced := store.HistoryEntry{DeliveryID: "d-c", Side: hubforce.HubSpot, Object: hubforce.Contact, RecordID: "54", Kind: hubforce.KindUpdate,
		Decision: hubforce.Applied, Detail: "created Salesforce Contact 003000000000054AAA", At: now.Add(-time.Minute)}
	must(t, e.st.RecordHistory(context.Background(), []store.HistoryEntry{coalesced, coalesced, coalesced}))
	e.deadLetter(hubforce.HubSpot, "53", "validation")
	rec.Delivered(hubforce.Salesforce, "retried", 3)
	rec.Delivered(hubforce.Salesforce, "applied", 9) // not an error

	w := e.do(req{method: http.MethodGet, path: "/", cookie: e.login()})
	if w.Code != http.StatusOK {
		t.Fatalf("overview %d", w.Code)
	}
	body := w.Body.String()
	if n := strings.Count(body, `<svg class="chart"`); n != 4 {
		t.Errorf("%d charts drawn, want 4 (hour, day, errors, budget)", n)
	}
	for _, want := range []string{
		"Changes synced per minute, last hour", "HubSpot → Salesforce <span class=\"muted\">· 4 written",
		"Salesforce → HubSpot <span class=\"muted\">· 1 written", `title="changes written together">×3</span>`, "dead-lettered: validation", "retried: to Salesforce <span class=\"muted\">· 3",
		"Salesforce slow-down share 75%", "Salesforce, daily limit <span class=\"muted\">· peak 60%",
		`id="dry-run"`, `href="/connect/salesforce"`, "Connect Salesforce",
		`data-state="failing"`, "Writes to HubSpot keep failing", "12 failed attempt(s)", "HTTP 503 from HubSpot",
		`data-state="paused"`, "refresh token refused (invalid_grant)",
		`href="/dashboard/explain?id=51&amp;object=contact&amp;side=hubspot"`, "updated Salesforce Contact 003000000000051AAA (phone)",
		`href="/dashboard/explain?id=001000000000052AAA&amp;object=company&amp;side=salesforce"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("overview lacks %q", want)
		}
	}
	if strings.Contains(body, `href="/connect/hubspot"`) {
		t.Error("a Connect button for HubSpot, which is not configured for OAuth")
	}
	// The failing card has been failing for ten minutes: red, not amber.
	if !strings.Contains(body, `<span class="pill bad" data-state="failing">Failing</span>`) {
		t.Error("a direction failing for 10 minutes is not red")
	}
}

func TestOverviewWithoutActivity(t *testing.T) {
	e := newEnv(t)
	w := e.do(req{method: http.MethodGet, path: "/", cookie: e.login()})
	body := w.Body.String()
	for _, want := range []string{"No change was written to either side in the last hour.", "Nothing was delivered yet.", "Not delivering here"} {
		if !strings.Contains(body, want) {
			t.Errorf("overview lacks %q", want)
		}
	}
	if strings.Contains(body, `<svg class="chart"`) || strings.Contains(body, "API budget in use") || strings.Contains(body, `id="dry-run"`) {
		t.Error("an empty chart, a budget chart without a recorder or a dry-run banner was drawn")
	}
}

func TestStateClass(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	ago := func(d time.Duration) *time.Time { t := now.Add(-d); return &t }
	for _, tc := range []struct {
		d    Direction
		want string
	}{
		{Direction{State: hubforce.Flowing}, "ok"},
		{Direction{State: hubforce.Failing, Since: ago(time.Minute)}, "warn"},
		{Direction{State: hubforce.Failing, Since: ago(failingRed)}, "bad"},
		{Direction{State: hubforce.Paused, Since: ago(time.Second)}, "bad"},
		{Direction{State: StateUnknown}, "muted"},
		{Direction{State: hubforce.Flowing, OldestPendingAgeSeconds: new(float64(600))}, "warn"},
	} {
		if got := stateClass(tc.d, now); got != tc.want {
			t.Errorf("stateClass(%s since %v) = %s, want %s", tc.d.State, tc.d.Since, got, tc.want)
		}
	}
}

func TestChartSVG(t *testing.T) {
	c := chart{Title: `<b>t</b>`, Unit: "/min", Start: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), Step: time.Minute,
		Series: []series{{Name: `<script>x</script>`, Color: "#ff7a59", Values: []float64{0, 3, 7}}},
		Marks:  []mark{{Label: "limit <75%>", Value: 8}}}
	svg := string(c.SVG())
	if strings.Contains(svg, "<script>") || strings.Contains(svg, "<b>") || !strings.Contains(svg, "&lt;script&gt;") {
		t.Fatalf("names not escaped: %s", svg)
	}
	// Peak 8 (the mark) rounds up to 10: the axis shows 0, 5 and 10.
	for _, want := range []string{">10/min<", ">5/min<", ">0/min<", "12:02 &lt;script&gt;x&lt;/script&gt;: 7/min", "limit &lt;75%&gt;"} {
		if !strings.Contains(svg, want) {
			t.Errorf("svg lacks %q", want)
		}
	}
	if !c.HasData() || (chart{Series: []series{{Values: []float64{0, 0}}}}).HasData() {
		t.Error("HasData wrong")
	}
	for v, want := range map[float64]float64{0: 1, 0.3: 0.5, 1: 1, 1.1: 2, 4: 5, 7: 10, 42: 50, 180: 200} {
		if got := niceCeil(v); got != want {
			t.Errorf("niceCeil(%v) = %v, want %v", v, got, want)
		}
	}
}

func TestRecorderKeepsOneDay(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 30, 0, time.UTC)
	r := NewRecorder(func() time.Time { return now })
	r.Delivered(hubforce.HubSpot, "retried", 2)
	r.Budget(hubforce.Salesforce, 0.4)
	r.Budget(hubforce.Salesforce, 0.3) // the minute keeps its highest
	start := now
	now = now.Add(time.Minute)
	r.Delivered(hubforce.HubSpot, "retried", 1)
	got := r.since(start.Add(-time.Hour))
	if len(got) != 2 || got[0].Retried[0] != 2 || got[0].Budget[1] != 0.4 || !got[0].Known[1] || got[0].Known[0] ||
		got[1].Retried[0] != 1 || !got[1].At.Equal(time.Date(2026, 3, 1, 12, 1, 0, 0, time.UTC)) {
		t.Fatalf("samples %+v", got)
	}
	// A day later the first minute's slot is reused, not added to.
	now = start.Add(24 * time.Hour)
	r.Delivered(hubforce.HubSpot, "retried", 5)
	got = r.since(start.Add(-time.Hour))
	if len(got) != 2 || !got[0].At.Equal(time.Date(2026, 3, 1, 12, 1, 0, 0, time.UTC)) || got[len(got)-1].Retried[0] != 5 {
		t.Fatalf("after a day: %+v", got)
	}
}
