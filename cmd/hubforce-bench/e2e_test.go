package main

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestE2EBenchmarkSmall runs the whole delivery benchmark with tiny loads,
// so that CI keeps the command working: every change must be matched
// between its webhook and its write, and the report must have its tables.
func TestE2EBenchmarkSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the simulators and the bridge")
	}
	linger, src, err := resolveLinger("")
	if err != nil {
		t.Fatal(err)
	}
	cfg := e2eConfig{Light: 4, Heavy: 20, Records: 5, Interval: 100 * time.Millisecond, Linger: linger, LingerSource: src,
		PostgresURL: os.Getenv("HUBFORCE_TEST_POSTGRES_URL"), CommandLine: "hubforce-bench e2e -light 4 -heavy 20 -records 5"}
	if cfg.PostgresURL == "" {
		t.Log("HUBFORCE_TEST_POSTGRES_URL is not set: only the SQLite run (CI sets it)")
	}
	var out strings.Builder
	runs, err := runE2E(context.Background(), cfg, &out)
	t.Log("\n" + out.String())
	if err != nil {
		t.Fatal(err)
	}
	wantStores := 1
	if cfg.PostgresURL != "" {
		wantStores = 2
	}
	if len(runs) != wantStores {
		t.Fatalf("%d store runs, want %d", len(runs), wantStores)
	}
	for _, run := range runs {
		if len(run.Rows) != 4 {
			t.Fatalf("%s: %d latency rows, want 4 (two directions at two loads)", run.Store, len(run.Rows))
		}
		for _, r := range run.Rows {
			want := cfg.Heavy
			if r.Load == "light" {
				want = cfg.Light / 2
			}
			if r.Changes != want || r.Matched != r.Changes || r.Lost != 0 || r.Unseen != 0 || r.Foreign != 0 {
				t.Errorf("%s %s %s: %d changes (want %d), %d matched, %d lost, %d unseen, %d foreign",
					run.Store, r.Dir, r.Load, r.Changes, want, r.Matched, r.Lost, r.Unseen, r.Foreign)
			}
			if r.P50 > r.P90 || r.P90 > r.P99 || r.P99 > r.Max {
				t.Errorf("%s %s %s: implausible percentiles p50 %s p99 %s max %s", run.Store, r.Dir, r.Load, r.P50, r.P99, r.Max)
			}
		}
		if len(run.Calls) != 3 {
			t.Fatalf("%s: %d call rows, want 3", run.Store, len(run.Calls))
		}
		if c := run.Calls[1]; c.SFWrites == 0 || c.SFWrites > c.Changes {
			t.Errorf("%s heavy HubSpot→Salesforce: %d Salesforce write calls for %d changes", run.Store, c.SFWrites, c.Changes)
		}
		if c := run.Calls[2]; c.HSWrites == 0 || c.HSWrites > c.Changes {
			t.Errorf("%s heavy Salesforce→HubSpot: %d HubSpot write calls for %d changes", run.Store, c.HSWrites, c.Changes)
		}
	}
	for _, want := range []string{"command: hubforce-bench e2e", "cores", "bridge batch linger: " + linger.String(),
		"DELIVERY LATENCY", "p50", "p90", "p99", "max", "API CALLS PER PHASE", "SF writes", "HS reads", "SOQL",
		"HubSpot→Salesforce  heavy", "Salesforce→HubSpot  light"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the report lacks %q", want)
		}
	}
}

func TestMeasureMatchesNewerValues(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ms := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Millisecond) }
	b := &bench{obs: newObserver(), recs: []linked{{"h0", "s0"}, {"h1", "s1"}, {"h2", "s2"}, {"h3", "s3"}, {"h4", "s4"}}}
	p := &phaseRun{changes: []change{
		{1, hsToSF, 0}, {2, hsToSF, 0}, {3, hsToSF, 0}, // 2 is only ever seen through 3
		{4, hsToSF, 1}, // reaches the bridge, never written
		{5, hsToSF, 2}, // never notified
		{6, hsToSF, 3}, // written before its webhook arrived
		{7, hsToSF, 4}, // the webhook names another record
		{8, sfToHS, 0}, // the other direction is not counted
	}}
	b.obs.note(b.obs.webhook, []sighting{{"h0", 1}, {"h1", 4}}, ms(0))
	b.obs.note(b.obs.webhook, []sighting{{"h0", 3}}, ms(10))
	b.obs.note(b.obs.webhook, []sighting{{"h3", 6}, {"elsewhere", 7}}, ms(20))
	b.obs.note(b.obs.webhook, []sighting{{"h0", 1}}, ms(30)) // a later duplicate keeps the first arrival
	b.obs.note(b.obs.write, []sighting{{seq: 6}}, ms(15))
	b.obs.note(b.obs.write, []sighting{{seq: 3}, {seq: 7}}, ms(50))

	r := b.measure(p, "heavy", hsToSF)
	want := latencyRow{Load: "heavy", Dir: hsToSF, Changes: 7, Matched: 5, Lost: 1, Unseen: 1, Foreign: 1, Ahead: 1,
		P50: 40 * time.Millisecond, P90: 50 * time.Millisecond, P99: 50 * time.Millisecond, Max: 50 * time.Millisecond}
	if r != want {
		t.Fatalf("measure:\n got %+v\nwant %+v", r, want)
	}
}

func TestWebhookAndWriteParsing(t *testing.T) {
	hs := `[{"eventId":1,"subscriptionId":7,"portalId":62515,"appId":777001,"occurredAt":1700000000000,"subscriptionType":"contact.propertyChange","attemptNumber":0,"objectId":101,"propertyName":"jobtitle","propertyValue":"bench-0000012","changeSource":"CRM_UI","sourceId":"userId:4242"},
{"eventId":2,"subscriptionId":8,"portalId":62515,"appId":777001,"occurredAt":1700000000000,"subscriptionType":"contact.propertyChange","attemptNumber":0,"objectId":102,"propertyName":"firstname","propertyValue":"bench-0000013","changeSource":"INTEGRATION","sourceId":"777001"},
{"eventId":3,"subscriptionId":9,"portalId":62515,"appId":777001,"occurredAt":1700000000000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":103,"changeSource":"CRM_UI"}]`
	sf := `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <soapenv:Body>
  <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
   <OrganizationId>00D000000000001AAA</OrganizationId>
   <Notification>
    <Id>04l000000000001AAA</Id>
    <sObject xsi:type="sf:Contact" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
     <sf:Id>003000000000001AAA</sf:Id>
     <sf:FirstName>bench-0000021</sf:FirstName>
     <sf:Title>bench-0000020</sf:Title>
    </sObject>
   </Notification>
   <Notification>
    <Id>04l000000000002AAA</Id>
    <sObject xsi:type="sf:Contact" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
     <sf:Id>003000000000002AAA</sf:Id>
     <sf:FirstName>Ada</sf:FirstName>
    </sObject>
   </Notification>
  </notifications>
 </soapenv:Body>
</soapenv:Envelope>`
	tests := []struct {
		name  string
		parse func([]byte) []sighting
		body  string
		want  []sighting
	}{
		{"HubSpot events: only the property's changes", hubspotWebhookSightings("jobtitle"), hs, []sighting{{"101", 12}}},
		{"HubSpot events: not JSON", hubspotWebhookSightings("jobtitle"), "<html/>", nil},
		{"Outbound Message: the field of each notification", salesforceOutboundSightings("FirstName"), sf, []sighting{{"003000000000001AAA", 21}}},
		{"Outbound Message: another field", salesforceOutboundSightings("Title"), sf, []sighting{{"003000000000001AAA", 20}}},
		{"sObject Collections update", func(b []byte) []sighting { return jsonSightings(b, "Title") },
			`{"allOrNone":false,"records":[{"attributes":{"type":"Contact"},"id":"003000000000001AAA","Title":"bench-0000030"},{"attributes":{"type":"Contact"},"id":"003000000000002AAA","Title":"Engineer"}]}`,
			[]sighting{{seq: 30}}},
		{"HubSpot batch update", func(b []byte) []sighting { return jsonSightings(b, "firstname") },
			`{"inputs":[{"id":"101","properties":{"firstname":"bench-0000031"}},{"id":"102","properties":{"firstname":"bench-0000032","jobtitle":"bench-0000033"}}]}`,
			[]sighting{{seq: 31}, {seq: 32}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.parse([]byte(tc.body))
			slices.SortFunc(got, func(a, b sighting) int { return a.seq - b.seq })
			if !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestPercentile(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	for _, tc := range []struct {
		p    float64
		want time.Duration
	}{{0.5, 50 * time.Millisecond}, {0.9, 90 * time.Millisecond}, {0.99, 99 * time.Millisecond}, {1, 100 * time.Millisecond}} {
		if got := percentile(d, tc.p); got != tc.want {
			t.Errorf("p%v = %s, want %s", tc.p*100, got, tc.want)
		}
	}
	if got := percentile(nil, 0.5); got != 0 {
		t.Errorf("empty: %s", got)
	}
}
