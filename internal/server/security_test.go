package server_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/server"
)

// The security suite (issue 9): each attack a request could carry, with the
// answer it gets and the check that nothing was lost and nothing stored that
// should not be. Forged Outbound Message values are covered end to end in
// internal/e2e (the bridge reads records back, so invented values never
// reach HubSpot).

func TestAttackReplayedV3OutsideTheWindow(t *testing.T) {
	forEachStore(t, func(t *testing.T, dbURL string) {
		f := newFixture(t, dbURL)
		body := "[" + hsEvent(1, "contact.propertyChange", 601, f.now.Add(-10*time.Minute), `,"propertyName":"phone","propertyValue":"1"`) + "]"
		// A request captured ten minutes ago, signature and all: HubSpot's
		// v3 timestamp window is five minutes (validating-requests guide).
		if resp := f.postHubSpot(body, f.now.Add(-10*time.Minute), nil); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("replay answered %d, want 401", resp.StatusCode)
		}
		if h := f.history(hubforce.HubSpot, hubforce.Contact, "601"); len(h) != 0 {
			t.Fatalf("the replay stored %+v", h)
		}
	})
}

func TestAttackXMLEntities(t *testing.T) {
	bomb := `<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">` +
		`<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">` +
		`<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;"><!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">` +
		`<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;"><!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">` +
		`<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>`
	external := `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>`
	for name, attack := range map[string]struct{ prolog, value string }{
		"billion laughs":  {bomb, "&lol9;"},
		"external entity": {external, "&xxe;"},
	} {
		t.Run(name, func(t *testing.T) {
			forEachStore(t, func(t *testing.T, dbURL string) {
				f := newFixture(t, dbURL)
				body := strings.Replace(fmt.Sprintf(omTemplate, orgID), `<?xml version="1.0" encoding="UTF-8"?>`, attack.prolog, 1)
				body = strings.Replace(body, "<sf:LastName>Lovelace</sf:LastName>", "<sf:LastName>"+attack.value+"</sf:LastName>", 1)
				resp, answer := f.postSalesforce(body, "text/xml; charset=utf-8")
				if resp.StatusCode/100 == 2 || strings.Contains(answer, "root:") || len(answer) > 4096 {
					t.Fatalf("answered %d with %d bytes, want a short refusal", resp.StatusCode, len(answer))
				}
				if h := f.history(hubforce.Salesforce, hubforce.Contact, "0035g00000XyZaBAAV"); len(h) != 0 {
					t.Fatalf("stored %+v", h)
				}
			})
		})
	}
}

func TestAttackDeepNesting(t *testing.T) {
	forEachStore(t, func(t *testing.T, dbURL string) {
		f := newFixture(t, dbURL)
		// As deep as the 64 KiB body limit allows, so that the parser, not
		// the limit, meets the attack.
		const xmlDepth, jsonDepth = 8000, 20000
		xmlBody := strings.Replace(fmt.Sprintf(omTemplate, orgID), "<sf:LastName>Lovelace</sf:LastName>",
			"<sf:LastName>"+strings.Repeat("<a>", xmlDepth)+strings.Repeat("</a>", xmlDepth)+"</sf:LastName>", 1)
		if len(xmlBody) > 64<<10 {
			t.Fatalf("the nested body is %d bytes: over the limit, it would not reach the parser", len(xmlBody))
		}
		if resp, _ := f.postSalesforce(xmlBody, "text/xml; charset=utf-8"); resp.StatusCode/100 == 2 {
			t.Fatalf("deeply nested SOAP answered %d", resp.StatusCode)
		}
		jsonBody := strings.Repeat("[", jsonDepth) + strings.Repeat("]", jsonDepth)
		if resp := f.postHubSpot(jsonBody, f.now, nil); resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("deeply nested JSON answered %d, want 400", resp.StatusCode)
		}
		// Still serving, and nothing stored.
		good := "[" + hsEvent(2, "contact.propertyChange", 602, f.now.Add(-time.Minute), `,"propertyName":"phone","propertyValue":"2"`) + "]"
		if resp := f.postHubSpot(good, f.now, nil); resp.StatusCode/100 != 2 {
			t.Fatalf("a valid webhook after the attack answered %d", resp.StatusCode)
		}
		if h := f.history(hubforce.Salesforce, hubforce.Contact, "0035g00000XyZaBAAV"); len(h) != 0 {
			t.Fatalf("stored %+v", h)
		}
	})
}

// HubSpot sends at most 100 events per request (webhooks guide); a signed
// request with 101 comes from whoever holds the app's secret, which is
// HubSpot: refusing it would make HubSpot retry and finally drop all of
// them, so every valid event is kept.
func TestAttackBatchOf101Events(t *testing.T) {
	forEachStore(t, func(t *testing.T, dbURL string) {
		f := newFixture(t, dbURL)
		events := make([]string, 101)
		for i := range events {
			events[i] = hsEvent(int64(1000+i), "contact.propertyChange", int64(7000+i), f.now.Add(-time.Minute), `,"propertyName":"phone","propertyValue":"3"`)
		}
		resp := f.postHubSpot("["+strings.Join(events, ",")+"]", f.now, nil)
		if resp.StatusCode/100 != 2 {
			t.Fatalf("101 events answered %d", resp.StatusCode)
		}
		for i := range events {
			if h := f.history(hubforce.HubSpot, hubforce.Contact, fmt.Sprint(7000+i)); len(h) != 1 {
				t.Fatalf("event %d: history %+v, want it kept once", i, h)
			}
		}
	})
}

func TestAttackOversizedSingleEvent(t *testing.T) {
	forEachStore(t, func(t *testing.T, dbURL string) {
		f := newFixture(t, dbURL)
		huge := "[" + hsEvent(3, "contact.propertyChange", 603, f.now.Add(-time.Minute), `,"propertyName":"phone","propertyValue":"`+strings.Repeat("9", 70<<10)+`"`) + "]"
		if resp := f.postHubSpot(huge, f.now, nil); resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Fatalf("an oversized event answered %d, want 413", resp.StatusCode)
		}
		if h := f.history(hubforce.HubSpot, hubforce.Contact, "603"); len(h) != 0 {
			t.Fatalf("stored %+v", h)
		}
	})
}

// A client that sends its headers a byte at a time holds a connection
// only until the server's header timeout, and never holds up others.
func TestAttackSlowLoris(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") })
	go func() { done <- server.Serve(ctx, ln, mux, time.Second, zerolog.Nop()) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})

	slow, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = slow.Close() }()
	if _, err := io.WriteString(slow, "POST /webhooks/hubspot HTTP/1.1\r\nHost: x\r\nX-Slow: "); err != nil {
		t.Fatal(err)
	}
	// Others are served while the slow client dawdles.
	resp, err := http.Get("http://" + ln.Addr().String() + "/healthz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("a normal request while a slow one holds a connection: %v", err)
	}
	_ = resp.Body.Close()
	// The server gives up on the slow client: the read ends (EOF or a 408)
	// well before the client's own deadline.
	if err := slow.SetReadDeadline(time.Now().Add(30 * time.Second)); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(slow).ReadString('\n')
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatal("the server kept a slow-loris connection open for 30 s")
	}
	if err == nil && !strings.Contains(line, "408") {
		t.Fatalf("the slow client got %q", line)
	}
}
