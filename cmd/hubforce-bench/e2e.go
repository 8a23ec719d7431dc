package main

// hubforce-bench e2e measures delivery: the time from a webhook reaching the
// bridge to the bridge's write reaching the other CRM, per change, at light
// and heavy load and in both directions, plus the API calls each change
// costs — against the HubSpot and Salesforce simulators, with the real bridge
// in-process over loopback (internal/e2e's harness).
//
//	hubforce-bench e2e [-light 100] [-heavy 2000] [-records 200] [-postgres URL] [-linger D]

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"time"

	"github.com/hubforce/hubforce/internal/config"
	"github.com/hubforce/hubforce/internal/e2e"
	"github.com/hubforce/hubforce/internal/hubspotsim"
	"github.com/hubforce/hubforce/internal/testkit"
)

// e2eConfig is one run of the delivery benchmark.
type e2eConfig struct {
	Light, Heavy int // changes at each load
	Records      int // linked contacts the changes are spread over
	Interval     time.Duration
	Linger       time.Duration // the bridge's HUBFORCE_BATCH_LINGER
	LingerSource string        // where Linger came from, for the report
	PostgresURL  string        // empty: SQLite only
	CommandLine  string
}

func e2eMain(args []string) {
	fs := flag.NewFlagSet("e2e", flag.ExitOnError)
	light := fs.Int("light", 100, "changes at light load (one every 100 ms, alternating directions)")
	heavy := fs.Int("heavy", 2000, "changes at heavy load, per direction, as fast as the simulators take them")
	records := fs.Int("records", 200, "linked contacts the changes are spread over")
	pgURL := fs.String("postgres", os.Getenv("HUBFORCE_TEST_POSTGRES_URL"), "PostgreSQL URL; empty skips the PostgreSQL run")
	linger := fs.String("linger", os.Getenv("HUBFORCE_BATCH_LINGER"), "the bridge's batch linger (default: the product's default)")
	_ = fs.Parse(args)
	cfg := e2eConfig{Light: *light, Heavy: *heavy, Records: *records, Interval: 100 * time.Millisecond,
		PostgresURL: *pgURL, CommandLine: strings.Join(append([]string{"hubforce-bench", "e2e"}, args...), " ")}
	var err error
	if cfg.Linger, cfg.LingerSource, err = resolveLinger(*linger); err != nil {
		fmt.Fprintln(os.Stderr, "hubforce-bench:", err)
		os.Exit(2)
	}
	if _, err := runE2E(context.Background(), cfg, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "hubforce-bench:", err)
		os.Exit(1)
	}
}

// resolveLinger takes the -linger value, or else the product's default as
// config declares it, so the benchmark follows the default if it changes.
func resolveLinger(v string) (time.Duration, string, error) {
	src := "-linger"
	if v == "" {
		f, ok := reflect.TypeFor[config.Config]().FieldByName("BatchLinger")
		if !ok {
			return 0, "", fmt.Errorf("config.Config has no BatchLinger field")
		}
		v, src = f.Tag.Get("envDefault"), "the product's default"
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, "", fmt.Errorf("batch linger %q: %w", v, err)
	}
	return d, src, nil
}

// runE2E runs every phase on each store and prints the tables to w.
func runE2E(ctx context.Context, cfg e2eConfig, w io.Writer) ([]storeRun, error) {
	if cfg.Records <= 0 {
		return nil, fmt.Errorf("-records must be positive")
	}
	start := time.Now()
	tmp, err := os.MkdirTemp("", "hubforce-bench-e2e-")
	if err != nil {
		return nil, err
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	stores := []struct{ name, url string }{{"sqlite", "sqlite:" + filepath.Join(tmp, "bench.db")}}
	if cfg.PostgresURL != "" {
		u, err := freshSchema(cfg.PostgresURL)
		if err != nil {
			return nil, err
		}
		defer dropSchema(cfg.PostgresURL, u)
		stores = append(stores, struct{ name, url string }{"postgres", u})
	}
	fmt.Fprintf(w, "command: %s\n", cfg.CommandLine)
	fmt.Fprintf(w, "machine: %d cores (GOMAXPROCS %d), %s\n", numCPU(), runtime.GOMAXPROCS(0), runtime.Version())
	fmt.Fprintf(w, "bridge batch linger: %s (%s); %d linked contacts; light: %d changes, one every %s, alternating directions; heavy: %d changes per direction, back to back\n",
		cfg.Linger, cfg.LingerSource, cfg.Records, cfg.Light, cfg.Interval, cfg.Heavy)
	fmt.Fprintf(w, "latency: webhook request reaching the bridge -> successful write carrying the change (or a newer value of the field) reaching the other simulator\n\n")
	var runs []storeRun
	for _, s := range stores {
		r, err := runStore(ctx, cfg, s.name, s.url)
		if err != nil {
			return runs, fmt.Errorf("%s: %w", s.name, err)
		}
		runs = append(runs, r)
	}
	printRuns(w, runs)
	fmt.Fprintf(w, "\nwall time: %s\n", time.Since(start).Round(100*time.Millisecond))
	missing := 0
	for _, r := range runs {
		for _, row := range r.Rows {
			missing += row.Lost + row.Unseen
		}
	}
	if missing > 0 {
		return runs, fmt.Errorf("%d changes were not delivered (see the lost and unseen columns)", missing)
	}
	return runs, nil
}

// storeRun is what one store's environment measured.
type storeRun struct {
	Store  string
	Rows   []latencyRow
	Calls  []callRow
	Linked time.Duration // how long linking the contacts took
}

func runStore(ctx context.Context, cfg e2eConfig, store, dbURL string) (storeRun, error) {
	obs := newObserver()
	hsProxy, err := startWebhookProxy(obs, hubspotWebhookSightings("jobtitle"))
	if err != nil {
		return storeRun{}, err
	}
	defer hsProxy.Close()
	sfProxy, err := startWebhookProxy(obs, salesforceOutboundSightings("FirstName"))
	if err != nil {
		return storeRun{}, err
	}
	defer sfProxy.Close()
	env, err := e2e.Start(ctx, e2e.Options{
		DatabaseURL: dbURL,
		// HubSpot's webhooks reach the bridge through the proxy, whose URL
		// the simulator signs.
		Env:                  map[string]string{"HUBFORCE_BATCH_LINGER": cfg.Linger.String(), "HUBFORCE_PUBLIC_URL": hsProxy.URL},
		HubSpotMiddleware:    writeRecorder(obs, "firstname"),
		SalesforceMiddleware: writeRecorder(obs, "Title"),
	})
	if err != nil {
		return storeRun{}, fmt.Errorf("starting the environment: %w", err)
	}
	defer func() { _ = env.Stop() }()
	for _, p := range []*webhookProxy{hsProxy, sfProxy} {
		if err := p.SetTarget(env.BridgeURLs[0]); err != nil {
			return storeRun{}, err
		}
	}
	env.HubSpot.SetWebhookURL(hsProxy.URL + "/webhooks/hubspot")
	env.Salesforce.SetOutboundURL(sfProxy.URL + "/webhooks/salesforce")

	b := &bench{env: env, obs: obs, seq: 1}
	run := storeRun{Store: store}
	t0 := time.Now()
	if err := b.link(ctx, cfg.Records); err != nil {
		return run, err
	}
	run.Linked = time.Since(t0)

	type phase struct {
		load  string
		dirs  []direction
		issue func(p *phaseRun) error
	}
	phases := []phase{
		{"light", []direction{hsToSF, sfToHS}, func(p *phaseRun) error { return b.light(ctx, p, cfg.Light, cfg.Interval) }},
		{"heavy", []direction{hsToSF}, func(p *phaseRun) error { return b.heavy(p, hsToSF, cfg.Heavy) }},
		{"heavy", []direction{sfToHS}, func(p *phaseRun) error { return b.heavy(p, sfToHS, cfg.Heavy) }},
	}
	for _, ph := range phases {
		if err := b.settled(ctx); err != nil {
			return run, fmt.Errorf("before the %s phase: %w", ph.load, err)
		}
		env.HubSpot.ResetCalls()
		env.Salesforce.ResetCalls()
		p := &phaseRun{}
		issued := time.Now()
		if err := ph.issue(p); err != nil {
			return run, fmt.Errorf("%s phase: %w", ph.load, err)
		}
		p.took = time.Since(issued)
		// A change missing at the deadline is reported as lost rather
		// than failing the run, so the table shows how many.
		waitErr := b.delivered(ctx, p, 60*time.Second+time.Duration(len(p.changes))*10*time.Millisecond)
		if err := b.settled(ctx); err != nil && waitErr == nil {
			return run, fmt.Errorf("after the %s phase: %w", ph.load, err)
		}
		for _, d := range ph.dirs {
			run.Rows = append(run.Rows, b.measure(p, ph.load, d))
		}
		c := countCalls(ph.load, ph.dirs, len(p.changes), env.HubSpot.Calls(), env.Salesforce.Calls())
		c.Took = p.took
		run.Calls = append(run.Calls, c)
	}
	return run, nil
}

// direction of a change: which CRM a person edits.
type direction int

const (
	hsToSF direction = iota // jobtitle edited in HubSpot, lands in Salesforce's Title
	sfToHS                  // FirstName edited in Salesforce, lands in HubSpot's firstname
)

func (d direction) String() string {
	if d == hsToSF {
		return "HubSpot→Salesforce"
	}
	return "Salesforce→HubSpot"
}

type linked struct{ hsID, sfID string }

type change struct {
	seq int
	dir direction
	rec int
}

// phaseRun is the changes one phase made, in the order made, and how long
// making them took.
type phaseRun struct {
	changes []change
	took    time.Duration
}

type bench struct {
	env  *e2e.Env
	obs  *observer
	recs []linked
	seq  int
}

var benchUser = hubspotsim.UI(e2e.HubSpotUser)

// link creates n contacts in HubSpot and waits until the bridge has created
// each in Salesforce, so that the measured changes are updates of linked
// records, the steady state.
func (b *bench) link(ctx context.Context, n int) error {
	hsByEmail := map[string]string{}
	for i := range n {
		email := fmt.Sprintf("bench%05d@example.com", i)
		r, err := b.env.HubSpot.Create("contacts", map[string]string{"email": email, "firstname": "Bench", "lastname": "Contact", "jobtitle": "Initial"}, benchUser)
		if err != nil {
			return fmt.Errorf("creating contact %d: %w", i, err)
		}
		hsByEmail[email] = r.ID
	}
	sfByEmail := map[string]string{}
	err := testkit.Eventually(ctx, 60*time.Second+time.Duration(n)*50*time.Millisecond, func() (bool, error) {
		for _, r := range b.env.Salesforce.List("Contact") {
			sfByEmail[strings.ToLower(fmt.Sprint(r["Email"]))] = fmt.Sprint(r["Id"])
		}
		return len(sfByEmail) >= n, nil
	})
	if err != nil {
		return fmt.Errorf("linking %d contacts: %d reached Salesforce: %w", n, len(sfByEmail), err)
	}
	for i := range n {
		email := fmt.Sprintf("bench%05d@example.com", i)
		sf, ok := sfByEmail[email]
		if !ok {
			return fmt.Errorf("contact %s did not reach Salesforce", email)
		}
		b.recs = append(b.recs, linked{hsID: hsByEmail[email], sfID: sf})
	}
	return nil
}

// issue makes one change as a person would, in the source CRM.
func (b *bench) issue(p *phaseRun, dir direction, rec int) error {
	c := change{seq: b.seq, dir: dir, rec: rec}
	b.seq++
	v := seqValue(c.seq)
	var err error
	if dir == hsToSF {
		_, err = b.env.HubSpot.Update("contacts", b.recs[rec].hsID, map[string]string{"jobtitle": v}, benchUser)
	} else {
		err = b.env.Salesforce.Update("Contact", b.recs[rec].sfID, map[string]any{"FirstName": v}, e2e.SalesforceUser)
	}
	if err != nil {
		return fmt.Errorf("change %d: %w", c.seq, err)
	}
	p.changes = append(p.changes, c)
	return nil
}

// light makes n changes, one per interval, alternating directions; the
// ticker paces the load, it does not synchronise anything.
func (b *bench) light(ctx context.Context, p *phaseRun, n int, interval time.Duration) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for i := range n {
		if i > 0 {
			select {
			case <-t.C:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		if err := b.issue(p, direction(i%2), (i/2)%len(b.recs)); err != nil {
			return err
		}
	}
	return nil
}

// heavy makes n changes back to back, round-robin over the linked records.
func (b *bench) heavy(p *phaseRun, dir direction, n int) error {
	for i := range n {
		if err := b.issue(p, dir, i%len(b.recs)); err != nil {
			return err
		}
	}
	return nil
}

// delivered waits until the last change of every record and direction in
// the phase has been written to the other side.
func (b *bench) delivered(ctx context.Context, p *phaseRun, timeout time.Duration) error {
	last := map[[2]int]int{}
	for _, c := range p.changes {
		last[[2]int{int(c.dir), c.rec}] = c.seq
	}
	return testkit.Eventually(ctx, timeout, func() (bool, error) {
		for _, seq := range last {
			if _, _, _, ok := b.obs.lookup(seq); !ok {
				return false, nil
			}
		}
		return true, nil
	})
}

// settled waits until both simulators have delivered every webhook and the
// bridge has settled every change it accepted (the condition the end-to-end
// suite uses) with nothing queued, so that each phase's API calls include
// its echoes.
func (b *bench) settled(ctx context.Context) error {
	return testkit.Eventually(ctx, 60*time.Second, func() (bool, error) {
		wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := b.env.HubSpot.WaitIdle(wctx); err != nil {
			return false, err
		}
		if err := b.env.Salesforce.WaitIdle(wctx); err != nil {
			return false, err
		}
		code, page, err := e2e.Get(b.env.BridgeURLs[0] + "/metrics")
		if err != nil || code != 200 {
			return false, fmt.Errorf("/metrics: %d %v", code, err)
		}
		accepted := e2e.MetricValue(page, "hubforce_event_decisions_total", `decision="accepted"`)
		var final float64
		for _, o := range []string{"applied", "dead_lettered", "echo", "skipped", "unmapped"} {
			final += e2e.MetricValue(page, "hubforce_deliveries_total", `outcome="`+o+`"`)
		}
		// The queue gauge covers a bridge that reports decisions late (or
		// not at all): nothing may be waiting for delivery either.
		depth := e2e.MetricValue(page, "hubforce_queue_depth")
		return final >= accepted && depth == 0, nil
	})
}

// dropSchema removes the run's PostgreSQL schema (the URL's search_path).
func dropSchema(baseURL, schemaURL string) {
	_, name, ok := strings.Cut(schemaURL, "search_path=")
	if !ok {
		return
	}
	db, err := sql.Open("pgx", baseURL)
	if err != nil {
		return
	}
	defer func() { _ = db.Close() }()
	_, _ = db.ExecContext(context.Background(), "DROP SCHEMA "+name+" CASCADE")
}
