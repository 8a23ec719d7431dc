package salesforcesim

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hubforce/hubforce/internal/simfault"
	"github.com/hubforce/hubforce/internal/testkit"
)

const wsdlPath = "../../api/outbound-message.wsdl"

const ackBody = `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">
 <soapenv:Body>
  <notificationsResponse xmlns="http://soap.sforce.com/2005/09/outbound"><Ack>true</Ack></notificationsResponse>
 </soapenv:Body>
</soapenv:Envelope>`

// listener is an Outbound Message endpoint that records what it receives
// and acknowledges unless told to fail.
type listener struct {
	srv *httptest.Server

	mu       sync.Mutex
	failing  bool
	requests []received
}

type received struct {
	header http.Header
	body   []byte
	acked  bool
}

func newListener(t *testing.T, failing bool) *listener {
	l := &listener{failing: failing}
	l.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		l.mu.Lock()
		fail := l.failing
		l.requests = append(l.requests, received{header: r.Header.Clone(), body: b, acked: !fail})
		l.mu.Unlock()
		if fail {
			http.Error(w, "listener down", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		_, _ = io.WriteString(w, ackBody)
	}))
	t.Cleanup(l.srv.Close)
	return l
}

func (l *listener) setFailing(f bool) {
	l.mu.Lock()
	l.failing = f
	l.mu.Unlock()
}

func (l *listener) got() []received {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]received{}, l.requests...)
}

func outboundEnv(t *testing.T, l *listener, mutate func(*Config)) *env {
	return newEnv(t, func(c *Config) {
		c.OutboundURL = l.srv.URL
		c.OutboundRetryDelays = []time.Duration{time.Millisecond, 2 * time.Millisecond}
		if mutate != nil {
			mutate(c)
		}
	})
}

func waitIdle(t *testing.T, s *Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestOutboundEnvelopeMatchesWSDL(t *testing.T) {
	m := loadWSDL(t, wsdlPath)
	l := newListener(t, false)
	e := outboundEnv(t, l, nil)
	var acct saveResult
	e.expect("POST", "/sobjects/Account", map[string]any{"Name": "Acme & Co", "NumberOfEmployees": 12, "Website": "acme.com"}, http.StatusCreated, &acct)
	e.expect("POST", "/sobjects/Contact", map[string]any{"LastName": "Lovelace", "Email": "ada@acme.com", "AccountId": acct.ID}, http.StatusCreated, nil)
	if _, err := e.sim.Create("Contact", map[string]any{"LastName": "Hopper"}, "005000000000002AAA"); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, e.sim)

	actions := map[string]string{}
	seen := map[string]*node{}
	for _, r := range l.got() {
		if ct := r.header.Get("Content-Type"); ct != "text/xml; charset=utf-8" {
			t.Errorf("Content-Type %q", ct)
		}
		if sa := r.header.Get("SOAPAction"); sa != `""` {
			t.Errorf("SOAPAction %q", sa)
		}
		root, _ := parseXML(strings.NewReader(string(r.body)))
		notifs := root.children[0].children[0]
		org, _ := notifs.field("OrganizationId")
		action, _ := notifs.field("ActionId")
		if org != e.sim.OrgID() || !strings.HasPrefix(action, "04k") {
			t.Errorf("OrganizationId %s ActionId %s", org, action)
		}
		for id, obj := range validateEnvelope(t, m, r.body) {
			xt, _ := obj.attr(nsXSI, "type")
			if prev, ok := actions[xt]; ok && prev != action {
				t.Errorf("%s sent under two ActionIds", xt)
			}
			actions[xt] = action
			seen[id] = obj
		}
	}
	if len(seen) != 3 || len(actions) != 2 || actions["sf:Contact"] == actions["sf:Account"] {
		t.Fatalf("notifications %d, actions %v", len(seen), actions)
	}
	for id, obj := range seen {
		if !strings.HasPrefix(id, "04l") {
			t.Errorf("notification id %s", id)
		}
		if v, _ := obj.field("LastName"); v == "Lovelace" {
			if by, _ := obj.field("LastModifiedById"); by != e.sim.IntegrationUserID() {
				t.Errorf("REST write LastModifiedById %s", by)
			}
			if ts, _ := obj.field("SystemModstamp"); !strings.HasSuffix(ts, ".000Z") {
				t.Errorf("SystemModstamp %s", ts)
			}
		}
		if v, _ := obj.field("Name"); v == "Acme & Co" {
			if n, _ := obj.field("NumberOfEmployees"); n != "12" {
				t.Errorf("NumberOfEmployees %q", n)
			}
		}
	}
}

func TestOutboundRetryCarriesLatestData(t *testing.T) {
	l := newListener(t, true)
	e := outboundEnv(t, l, nil)
	id, _ := e.sim.Create("Contact", map[string]any{"LastName": "First"}, "005000000000002AAA")
	testkit.WaitFor(t, "a failed delivery", 5*time.Second, func() bool { return e.sim.OutboundStats().Failed >= 1 })
	if err := e.sim.Update("Contact", id, map[string]any{"LastName": "Second"}, "005000000000002AAA"); err != nil {
		t.Fatal(err)
	}
	// The sender delivers one message at a time, so once a retry carries the
	// new value every later attempt was built after the update too.
	testkit.WaitFor(t, "a retry with the new value", 5*time.Second, func() bool {
		for _, r := range l.got() {
			if strings.Contains(string(r.body), "<sf:LastName>Second</sf:LastName>") {
				return true
			}
		}
		return false
	})
	l.setFailing(false)
	waitIdle(t, e.sim)

	m := loadWSDL(t, wsdlPath)
	first := ""
	acked := map[string]string{}
	for _, r := range l.got() {
		for nid, obj := range validateEnvelope(t, m, r.body) {
			if first == "" {
				first = nid
			}
			if r.acked {
				acked[nid], _ = obj.field("LastName")
			}
		}
	}
	if len(acked) != 2 || acked[first] != "Second" {
		t.Fatalf("acknowledged %v; the retried notification %s must carry the latest data", acked, first)
	}
	st := e.sim.OutboundStats()
	if st.Sent != 2 || st.Failed < 1 || st.Dropped != 0 || st.Pending != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestOutboundDroppedAfterMaxAge(t *testing.T) {
	l := newListener(t, true)
	e := outboundEnv(t, l, nil)
	e.sim.Create("Contact", map[string]any{"LastName": "Lost"}, "005000000000002AAA")
	testkit.WaitFor(t, "a failed delivery", 5*time.Second, func() bool { return e.sim.OutboundStats().Failed >= 1 })
	e.clock.Advance(24 * time.Hour)
	waitIdle(t, e.sim)
	if st := e.sim.OutboundStats(); st.Dropped != 1 || st.Sent != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestOutboundDeletedBeforeDelivery(t *testing.T) {
	l := newListener(t, true)
	e := outboundEnv(t, l, nil)
	id, _ := e.sim.Create("Contact", map[string]any{"LastName": "Gone", "Email": "g@x.com"}, "005000000000002AAA")
	testkit.WaitFor(t, "a failed delivery", 5*time.Second, func() bool { return e.sim.OutboundStats().Failed >= 1 })
	if err := e.sim.Delete("Contact", id, "005000000000002AAA"); err != nil {
		t.Fatal(err)
	}
	testkit.WaitFor(t, "a retry built after the delete", 5*time.Second, func() bool {
		got := l.got()
		return !strings.Contains(string(got[len(got)-1].body), "<sf:LastName>")
	})
	l.setFailing(false)
	waitIdle(t, e.sim)
	got := l.got()
	last := got[len(got)-1]
	objs := validateEnvelope(t, loadWSDL(t, wsdlPath), last.body)
	if len(objs) != 1 {
		t.Fatalf("%d notifications; a delete queues none", len(objs))
	}
	for _, obj := range objs {
		if v, _ := obj.field("Id"); len(obj.children) != 1 || v != id {
			t.Errorf("deleted record's notification carries data: %d fields", len(obj.children))
		}
	}
}

func TestOutboundBatchesOfAtMost100(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.OutboundURL = "http://127.0.0.1:1" })
	o := e.sim.out
	o.mu.Lock()
	for i := 0; i < 250; i++ {
		typ := "Contact"
		if i%5 == 0 {
			typ = "Account"
		}
		o.pending = append(o.pending, &notification{id: newID(prefixNotification, uint64(i)), typ: typ,
			recID: "x", queued: e.clock.Now(), due: time.Now()})
	}
	o.mu.Unlock()
	batches, _ := o.take()
	sizes := map[string][]int{}
	for _, b := range batches {
		for _, n := range b {
			if n.typ != b[0].typ {
				t.Fatal("a message mixes sObject types")
			}
		}
		sizes[b[0].typ] = append(sizes[b[0].typ], len(b))
	}
	if len(sizes["Account"]) != 1 || sizes["Account"][0] != 50 || len(sizes["Contact"]) != 2 || sizes["Contact"][0] != 100 {
		t.Errorf("batch sizes %v", sizes)
	}
	o.mu.Lock()
	o.inflight = 0 // the test took them; nobody delivers them
	o.mu.Unlock()
}

func TestOutboundDuplicateDelivery(t *testing.T) {
	l := newListener(t, false)
	faults := &simfault.Injector{}
	faults.Set(simfault.Plan{DuplicateDeliveries: 1})
	e := outboundEnv(t, l, func(c *Config) { c.Faults = faults })
	e.sim.Create("Contact", map[string]any{"LastName": "Twice"}, "005000000000002AAA")
	waitIdle(t, e.sim)
	testkit.WaitFor(t, "the duplicate", 5*time.Second, func() bool { return len(l.got()) == 2 })
	got := l.got()
	if string(got[0].body) != string(got[1].body) {
		t.Error("duplicate differs from the original")
	}
}

func TestReadAck(t *testing.T) {
	tests := []struct {
		body string
		want bool
	}{
		{ackBody, true},
		{strings.Replace(ackBody, ">true<", ">false<", 1), false},
		{strings.Replace(ackBody, "http://soap.sforce.com/2005/09/outbound", "urn:other", 1), false},
		{`<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><soapenv:Fault><faultcode>soapenv:Client</faultcode><faultstring>no</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>`, false},
		{"OK", false},
	}
	for _, tt := range tests {
		if got, _ := readAck(strings.NewReader(tt.body)); got != tt.want {
			t.Errorf("readAck(%.60q) = %v", tt.body, got)
		}
	}
}
