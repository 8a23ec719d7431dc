// Command hubforce-bench measures hubforce against a baseline in one run, so
// that the figures are ratios on the same (shared, noisy) machine.
//
//	hubforce-bench ingest [-duration 10s] [-connections 64] [-postgres URL]
//
// drives signed HubSpot webhook batches (10 events each) with vegeta at the
// real `hubforce serve` over loopback, and the same load at a bare net/http
// handler that reads the body and answers 204; it prints both rates, their
// ratio, p50/p99 acknowledgement latency and each process's peak RSS.
//
//	hubforce-bench e2e [-light 100] [-heavy 2000] [-postgres URL] [-linger D]
//
// measures delivery latency (webhook in -> write out) and API calls per
// change against the simulators; see e2e.go.
//
//	hubforce-bench drain [-n 10000] [-postgres URL] [-direction both|hs2sf|sf2hs]
//
// measures how fast a backlog of N changes drains, against the time the
// APIs' rate limits allow; see drain.go.
package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/hubforce/hubforce/internal/hubspot"
)

const secret = "bench-client-secret"

func main() {
	if len(os.Args) > 1 && os.Args[1] == "bare" {
		bare()
		return
	}
	if len(os.Args) > 1 && os.Args[1] == "e2e" {
		e2eMain(os.Args[2:])
		return
	}
	if len(os.Args) > 1 && os.Args[1] == "drain" {
		drainMain(os.Args[2:])
		return
	}
	if len(os.Args) < 2 || os.Args[1] != "ingest" {
		fmt.Fprintln(os.Stderr, "usage: hubforce-bench ingest [-duration 10s] [-connections 64] [-postgres URL] [-hubforce PATH]")
		os.Exit(2)
	}
	fs := flag.NewFlagSet("ingest", flag.ExitOnError)
	duration := fs.Duration("duration", 10*time.Second, "how long each attack lasts")
	conns := fs.Int("connections", 64, "concurrent connections (closed loop)")
	pgURL := fs.String("postgres", os.Getenv("HUBFORCE_TEST_POSTGRES_URL"), "PostgreSQL URL; empty skips the PostgreSQL run")
	bin := fs.String("hubforce", "", "the hubforce binary (default: built from ./cmd/hubforce)")
	_ = fs.Parse(os.Args[2:])
	if err := ingest(*duration, *conns, *pgURL, *bin); err != nil {
		fmt.Fprintln(os.Stderr, "hubforce-bench:", err)
		os.Exit(1)
	}
}

// bare is the baseline: read the body, answer 204.
func bare() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	fmt.Println(ln.Addr().String())
	_ = http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusNoContent)
	}))
}

type result struct {
	rate     float64
	p50, p99 time.Duration
	success  float64
	peakRSS  int64 // KiB
	codes    map[string]int
}

func ingest(duration time.Duration, conns int, pgURL, bin string) error {
	tmp, err := os.MkdirTemp("", "hubforce-bench-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	if bin == "" {
		bin = filepath.Join(tmp, "hubforce")
		if out, err := exec.Command("go", "build", "-o", bin, "./cmd/hubforce").CombinedOutput(); err != nil {
			return fmt.Errorf("building hubforce: %v\n%s", err, out)
		}
	}
	stores := []struct{ name, url string }{{"sqlite", "sqlite:" + filepath.Join(tmp, "bench.db")}}
	if pgURL != "" {
		u, err := freshSchema(pgURL)
		if err != nil {
			return err
		}
		stores = append(stores, struct{ name, url string }{"postgres", u})
	}
	fmt.Printf("ingest: signed HubSpot batches of 10 events, %d connections, %s per attack, GOMAXPROCS of this machine: %d cores\n\n",
		conns, duration, numCPU())
	fmt.Printf("%-9s %-8s %10s %10s %9s %9s %9s %10s\n", "store", "target", "req/s", "events/s", "p50", "p99", "success", "peak RSS")
	for _, s := range stores {
		base, err := attackBare(duration, conns)
		if err != nil {
			return err
		}
		srv, err := attackServe(bin, s.url, duration, conns)
		if err != nil {
			return err
		}
		for _, row := range []struct {
			name string
			r    result
		}{{"bare", base}, {"hubforce", srv}} {
			fmt.Printf("%-9s %-8s %10.0f %10.0f %9s %9s %8.1f%% %7d MiB\n", s.name, row.name, row.r.rate, row.r.rate*10,
				row.r.p50.Round(10*time.Microsecond), row.r.p99.Round(10*time.Microsecond), row.r.success*100, row.r.peakRSS/1024)
		}
		fmt.Printf("%-9s ratio hubforce/bare: %.2f   status codes: %v\n\n", s.name, srv.rate/base.rate, srv.codes)
	}
	return nil
}

func attackBare(duration time.Duration, conns int) (result, error) {
	self, err := os.Executable()
	if err != nil {
		return result{}, err
	}
	cmd := exec.Command(self, "bare")
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		return result{}, err
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	addr, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		return result{}, fmt.Errorf("bare server: %w", err)
	}
	r := attack("http://"+strings.TrimSpace(addr)+"/webhooks/hubspot", duration, conns)
	r.peakRSS = peakRSS(cmd.Process.Pid)
	return r, nil
}

func attackServe(bin, dbURL string, duration time.Duration, conns int) (result, error) {
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(),
		"HUBFORCE_LISTEN_ADDR=127.0.0.1:0", "HUBFORCE_DATABASE_URL="+dbURL,
		"HUBFORCE_HUBSPOT_CLIENT_SECRET="+secret, "HUBFORCE_SALESFORCE_ORG_ID=00D5g000004XyZaEAK",
		"HUBFORCE_HUBSPOT_ACCESS_TOKEN=unused", "HUBFORCE_SALESFORCE_CLIENT_ID=unused",
		"HUBFORCE_SALESFORCE_REFRESH_TOKEN=unused", "HUBFORCE_SECRET_KEY=bench-secret-key-0123456789-0123456789-0123456789",
		// Ingest only: no delivery workers in this process, as in a
		// replica that only takes webhooks.
		"HUBFORCE_WORKERS=0",
		// Request logs are part of the product's cost: keep them on, as
		// in production.
		"HUBFORCE_LOG_LEVEL=info")
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		return result{}, err
	}
	defer func() { _ = cmd.Process.Signal(syscall.SIGTERM); _ = cmd.Wait() }()
	addrc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			var line struct {
				Message, Addr string
			}
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Message == "listening" {
				addrc <- line.Addr
			}
		}
	}()
	var addr string
	select {
	case addr = <-addrc:
	case <-time.After(30 * time.Second):
		return result{}, fmt.Errorf("hubforce serve did not listen within 30 s")
	}
	r := attack("http://"+addr+"/webhooks/hubspot", duration, conns)
	r.peakRSS = peakRSS(cmd.Process.Pid)
	return r, nil
}

// attack runs a closed loop of conns workers for duration, each request a
// fresh signed batch of ten contact property changes.
func attack(url string, duration time.Duration, conns int) result {
	// HubSpot signs the https:// URL it called (TLS ends at a proxy).
	signed := "https://" + strings.TrimPrefix(url, "http://")
	var seq atomic.Int64
	targeter := func(t *vegeta.Target) error {
		first := seq.Add(10)
		now := time.Now().UnixMilli()
		var b strings.Builder
		b.WriteByte('[')
		for i := range int64(10) {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"eventId":%d,"subscriptionId":7,"portalId":62515,"appId":1,"occurredAt":%d,"subscriptionType":"contact.propertyChange","attemptNumber":0,"objectId":%d,"propertyName":"jobtitle","propertyValue":"Engineer %d","changeSource":"CRM_UI","sourceId":"userId:1"}`,
				first+i, now, 1000+(first+i)%5000, first+i)
		}
		b.WriteByte(']')
		body := []byte(b.String())
		t.Method, t.URL, t.Body = http.MethodPost, url, body
		t.Header = http.Header{"Content-Type": {"application/json"}}
		hubspot.SetSignatureV3(t.Header, secret, signed, body, time.UnixMilli(now))
		return nil
	}
	a := vegeta.NewAttacker(vegeta.Workers(uint64(conns)), vegeta.MaxWorkers(uint64(conns)),
		vegeta.Connections(conns), vegeta.MaxConnections(conns), vegeta.KeepAlive(true), vegeta.Timeout(10*time.Second))
	var m vegeta.Metrics
	for res := range a.Attack(targeter, vegeta.Rate{Freq: 0}, duration, "ingest") {
		m.Add(res)
	}
	m.Close()
	return result{rate: m.Throughput, p50: m.Latencies.P50, p99: m.Latencies.P99, success: m.Success, codes: m.StatusCodes}
}

// peakRSS reads the high-water mark of a process's resident set (KiB).
func peakRSS(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// freshSchema makes an empty schema for this run and returns a URL using it.
func freshSchema(url string) (string, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return "", err
	}
	defer func() { _ = db.Close() }()
	name := fmt.Sprintf("bench_%d", time.Now().UnixNano())
	if _, err := db.ExecContext(context.Background(), "CREATE SCHEMA "+name); err != nil {
		return "", fmt.Errorf("creating schema: %w", err)
	}
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	return url + sep + "search_path=" + name, nil
}

func numCPU() int {
	b, _ := os.ReadFile("/proc/cpuinfo")
	return strings.Count(string(b), "processor\t:")
}
