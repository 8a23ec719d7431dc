package main_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/hubspot"
	"github.com/hubforce/hubforce/internal/store"
)

// binary is the real hubforce program, built once for these tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "hubforce-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "hubforce")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building hubforce: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

const (
	testSecret = "e2e-client-secret"
	testOrg    = "00D5g000004XyZaEAK"
)

// process is a running `hubforce serve`.
type process struct {
	cmd  *exec.Cmd
	addr string
	done chan error
}

// startServe runs the real binary on dbURL and waits for its "listening" log
// line, which carries the address it bound.
// Under the defaults no CRM is reachable: deliveries fail and wait in the
// store. extra variables override them.
func startServe(t *testing.T, dbURL string, extra ...string) *process {
	t.Helper()
	cmd := exec.Command(binary, "serve")
	cmd.Env = append(os.Environ(),
		"HUBFORCE_LISTEN_ADDR=127.0.0.1:0",
		"HUBFORCE_DATABASE_URL="+dbURL,
		"HUBFORCE_HUBSPOT_CLIENT_SECRET="+testSecret,
		"HUBFORCE_SALESFORCE_ORG_ID="+testOrg,
		"HUBFORCE_HUBSPOT_ACCESS_TOKEN=unused", "HUBFORCE_HUBSPOT_API_URL=http://127.0.0.1:1",
		"HUBFORCE_SALESFORCE_CLIENT_ID=unused", "HUBFORCE_SALESFORCE_REFRESH_TOKEN=unused",
		"HUBFORCE_SALESFORCE_LOGIN_URL=http://127.0.0.1:1", "HUBFORCE_SECRET_KEY=test-secret-key-0123456789-0123456789-0123456789",
		"HUBFORCE_LOG_FORMAT=json",
	)
	cmd.Env = append(cmd.Env, extra...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: cmd, done: make(chan error, 1)}
	addrc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			var line struct {
				Message string `json:"message"`
				Addr    string `json:"addr"`
			}
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Message == "listening" {
				addrc <- line.Addr
			}
		}
		p.done <- cmd.Wait()
	}()
	select {
	case p.addr = <-addrc:
	case err := <-p.done:
		t.Fatalf("hubforce serve exited before listening: %v", err)
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("hubforce serve did not start listening within 30 s")
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	return p
}

func signedRequest(url string, body []byte) *http.Request {
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	// HubSpot calls https://host (TLS ends at a proxy in front): that URL
	// is signed.
	hubspot.SetSignatureV3(req.Header, testSecret, "https://"+strings.TrimPrefix(url, "http://"), body, time.Now())
	return req
}

// batch returns ten contact.creation events for records first..first+9; the
// event id doubles as the record id so that each event has its own record.
func batch(first int64) []byte {
	events := make([]string, 10)
	for i := range events {
		id := first + int64(i)
		events[i] = fmt.Sprintf(`{"eventId":%d,"subscriptionId":1,"portalId":62515,"appId":1,"occurredAt":%d,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":%d,"changeSource":"CRM_UI","sourceId":"userId:1","changeFlag":"CREATED"}`,
			id, time.Now().UnixMilli(), id)
	}
	return []byte("[" + strings.Join(events, ",") + "]")
}

// TestSIGKILLLosesNoAcknowledgedEvent kills the real binary while signed
// webhooks stream in, restarts it on the same database, lets the sender retry
// what was not acknowledged (as HubSpot does), and checks that every
// acknowledged event is stored exactly once.
func TestSIGKILLLosesNoAcknowledgedEvent(t *testing.T) {
	dbURL := "sqlite:" + filepath.Join(t.TempDir(), "kill.db")
	p := startServe(t, dbURL)

	const senders, perSender = 8, 40
	var (
		mu    sync.Mutex
		acked = map[int64]bool{} // first event id of each acknowledged batch
		sent  []int64
	)
	killAt := make(chan struct{})
	var once sync.Once
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 5 * time.Second}
	for s := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perSender {
				first := int64(1_000_000 + (s*perSender+i)*10)
				mu.Lock()
				sent = append(sent, first)
				n := len(sent)
				mu.Unlock()
				if n == senders*perSender/3 {
					once.Do(func() { close(killAt) })
				}
				resp, err := client.Do(signedRequest("http://"+p.addr+"/webhooks/hubspot", batch(first)))
				if err != nil {
					continue // killed mid-request: not acknowledged
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
				if resp.StatusCode/100 == 2 {
					mu.Lock()
					acked[first] = true
					mu.Unlock()
				}
			}
		}()
	}
	<-killAt
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	<-p.done
	mu.Lock()
	ackedBeforeKill := len(acked)
	mu.Unlock()
	if ackedBeforeKill == 0 {
		t.Fatal("nothing was acknowledged before the kill; the test proves nothing")
	}
	if ackedBeforeKill == len(sent) {
		t.Fatal("every batch was acknowledged; the kill did not land mid-stream")
	}

	// Restart and retry every batch that was not acknowledged, as HubSpot
	// retries failed deliveries; acknowledged ones are sent once more too,
	// as duplicates happen.
	p2 := startServe(t, dbURL)
	for _, first := range sent {
		resp, err := client.Do(signedRequest("http://"+p2.addr+"/webhooks/hubspot", batch(first)))
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			t.Fatalf("retry of %d: status %d", first, resp.StatusCode)
		}
	}
	if err := p2.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := <-p2.done; err != nil {
		t.Fatalf("SIGTERM should exit cleanly: %v", err)
	}

	st, err := store.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = st.Close() }()
	for _, first := range sent {
		for i := range int64(10) {
			id := strconv.FormatInt(first+i, 10)
			h, err := st.History(context.Background(), hubforce.HubSpot, hubforce.Contact, id)
			if err != nil {
				t.Fatal(err)
			}
			accepted := 0
			for _, e := range h {
				if e.Decision == hubforce.Accepted {
					accepted++
				}
			}
			if accepted != 1 {
				t.Fatalf("record %s (acknowledged before kill: %v): accepted %d times, history %+v", id, acked[first], accepted, h)
			}
		}
	}
	q, err := st.QueueStats(context.Background(), hubforce.Salesforce)
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(len(sent) * 10); q.Pending != want {
		t.Fatalf("pending changes %d, want %d (one per event)", q.Pending, want)
	}
	t.Logf("%d of %d batches acknowledged before SIGKILL; all %d events stored exactly once", ackedBeforeKill, len(sent), len(sent)*10)
}

func TestConfigCheckNamesTheVariable(t *testing.T) {
	cmd := exec.Command(binary, "config", "check")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HUBFORCE_SALESFORCE_ORG_ID=00Dshort"}
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatal("config check should fail without the required variables")
	}
	for _, want := range []string{"HUBFORCE_HUBSPOT_CLIENT_SECRET is required", "HUBFORCE_SALESFORCE_ORG_ID must be"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
