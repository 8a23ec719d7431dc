package alert

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

type slackSink struct {
	mu   sync.Mutex
	msgs []string
	got  chan string
}

func newSink(t *testing.T) (*slackSink, *httptest.Server) {
	s := &slackSink{got: make(chan string, 100)}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct{ Text string }
		if r.Header.Get("Content-Type") != "application/json" || json.NewDecoder(r.Body).Decode(&body) != nil {
			t.Errorf("not a Slack webhook payload")
		}
		s.mu.Lock()
		s.msgs = append(s.msgs, body.Text)
		s.mu.Unlock()
		s.got <- body.Text
		_, _ = w.Write([]byte("ok"))
	}))
	t.Cleanup(ts.Close)
	return s, ts
}

func next(t *testing.T, s *slackSink) string {
	t.Helper()
	select {
	case m := <-s.got:
		return m
	case <-time.After(5 * time.Second):
		t.Fatal("no Slack message")
		return ""
	}
}

func TestGroupedRateLimitedWithRecovery(t *testing.T) {
	sink, ts := newSink(t)
	now := time.Unix(1_700_000_000, 0)
	var mu sync.Mutex
	a := &Slack{URL: ts.URL, Window: time.Hour, Log: zerolog.Nop(), Now: func() time.Time { mu.Lock(); defer mu.Unlock(); return now }}
	defer a.Close()

	a.Raise("dead_letter", "validation", "New dead letters (validation): REQUIRED_FIELD_MISSING")
	if m := next(t, sink); !strings.Contains(m, "REQUIRED_FIELD_MISSING") {
		t.Fatalf("first alert: %q", m)
	}
	for range 5 {
		a.Raise("dead_letter", "validation", "again")
	}
	a.Raise("paused", "salesforce", "Deliveries to salesforce are paused")
	if m := next(t, sink); !strings.Contains(m, "paused") {
		t.Fatalf("another group must not be held back: %q", m)
	}
	a.Resolve("dead_letter", "validation", "dead letters replayed")
	if m := next(t, sink); !strings.Contains(m, "5 more") {
		t.Fatalf("suppressed repeats must be summarised: %q", m)
	}
	if m := next(t, sink); !strings.Contains(m, "replayed") {
		t.Fatalf("recovery: %q", m)
	}
	a.Resolve("budget", "salesforce", "never raised")
	a.Raise("paused", "hubspot", "sentinel")
	if m := next(t, sink); !strings.Contains(m, "sentinel") {
		t.Fatalf("a recovery of something never raised must say nothing, got %q", m)
	}
}

func TestSlackOutageNeverBlocks(t *testing.T) {
	block := make(chan struct{})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-block }))
	defer ts.Close()
	a := &Slack{URL: ts.URL, Log: zerolog.Nop(), Client: &http.Client{Timeout: 100 * time.Millisecond}}
	done := make(chan struct{})
	go func() {
		for i := range 1000 {
			a.Raise("dead_letter", string(rune('a'+i%26))+string(rune(i)), "x")
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Raise blocked behind a stuck Slack")
	}
	close(block)
	a.Close()
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.dropped == 0 {
		t.Fatal("a full queue should drop (and count) the oldest messages")
	}
}

func TestWebhookURLNeverLogged(t *testing.T) {
	var logs strings.Builder
	secret := "http://127.0.0.1:1/services/T000/B000/SECRETSECRET"
	a := &Slack{URL: secret, Log: zerolog.New(&logs)}
	a.Raise("paused", "hubspot", "x")
	a.Close()
	if strings.Contains(logs.String(), "SECRETSECRET") {
		t.Fatalf("webhook URL leaked into logs: %s", logs.String())
	}
	if !strings.Contains(logs.String(), "not delivered") {
		t.Fatalf("the failure should be logged: %s", logs.String())
	}
}
