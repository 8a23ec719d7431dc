package main

// hubforce-bench drain measures how fast a backlog empties: N contacts
// created in one CRM are acknowledged by a bridge that delivers nothing
// (HUBFORCE_WORKERS=0), then the bridge restarts with delivery on, and the
// time until all N exist in the other CRM is set against the API floor —
// the time the rate limits require for the batched calls the backlog needs.
//
//	hubforce-bench drain [-n 10000] [-postgres URL] [-direction both|hs2sf|sf2hs]
//
// The simulators run with realistic limits: HubSpot's burst limit of 190
// requests per 10 s (private apps on Professional and Enterprise,
// https://developers.hubspot.com/changelog/increasing-our-api-limits),
// HubSpot batch endpoints of 100 records, Salesforce sObject Collections of
// 200 records a call; Salesforce has no per-second request limit, only a
// daily allocation, so its calls add nothing to the floor.

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/hubforce/hubforce/internal/e2e"
	"github.com/hubforce/hubforce/internal/hubspotsim"
	"github.com/hubforce/hubforce/internal/testkit"
)

const (
	// hubspotBurst requests per hubspotWindow: the floor's HubSpot rate.
	hubspotBurst  = 190
	hubspotWindow = 10 * time.Second
	hubspotBatch  = 100 // records per HubSpot batch call
	sfCollection  = 200 // records per sObject Collections call
)

type drainConfig struct {
	N           int
	PostgresURL string
	Directions  []direction
	Workers     string // HUBFORCE_WORKERS once delivery starts; "" the default
	CPUProfile  string // file name prefix; "" profiles nothing
	CommandLine string
}

func dirFlag(d direction) string {
	if d == hsToSF {
		return "hs2sf"
	}
	return "sf2hs"
}

// startProfile profiles this process's CPU (bridge and simulators alike)
// into path until stop.
func startProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "hubforce-bench: writing the profile:", err)
		}
	}, nil
}

func drainMain(args []string) {
	fs := flag.NewFlagSet("drain", flag.ExitOnError)
	n := fs.Int("n", 10000, "changes in the backlog, per direction")
	pgURL := fs.String("postgres", os.Getenv("HUBFORCE_TEST_POSTGRES_URL"), "PostgreSQL URL; empty skips the PostgreSQL run")
	dir := fs.String("direction", "both", "both, hs2sf (HubSpot→Salesforce) or sf2hs (Salesforce→HubSpot)")
	workers := fs.String("workers", "", "HUBFORCE_WORKERS for the delivering bridge (default: the product's default)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the drains (bridge and simulators, one process) to this file")
	_ = fs.Parse(args)
	cfg := drainConfig{N: *n, PostgresURL: *pgURL, Workers: *workers, CPUProfile: *cpuProfile,
		CommandLine: strings.Join(append([]string{"hubforce-bench", "drain"}, args...), " ")}
	switch *dir {
	case "both":
		cfg.Directions = []direction{hsToSF, sfToHS}
	case "hs2sf":
		cfg.Directions = []direction{hsToSF}
	case "sf2hs":
		cfg.Directions = []direction{sfToHS}
	default:
		fmt.Fprintln(os.Stderr, "hubforce-bench: -direction must be both, hs2sf or sf2hs")
		os.Exit(2)
	}
	if cfg.N <= 0 {
		fmt.Fprintln(os.Stderr, "hubforce-bench: -n must be positive")
		os.Exit(2)
	}
	if _, err := runDrain(context.Background(), cfg, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "hubforce-bench:", err)
		os.Exit(1)
	}
}

// drainRow is one drain: one store, one direction.
type drainRow struct {
	Store string
	Dir   direction
	N     int
	Took  time.Duration // the bridge serving with delivery on -> all N in the target
	// Restart is how long stopping the acknowledging bridge and starting
	// the delivering one took (not part of Took).
	Restart time.Duration
	Calls   callRow
	// Floor is the time HubSpot's burst limit requires for the HubSpot
	// calls the backlog needs at the least.
	Floor time.Duration
}

func (r drainRow) perSecond() float64 { return float64(r.N) / r.Took.Seconds() }
func (r drainRow) ratio() float64     { return r.Took.Seconds() / r.Floor.Seconds() }

// minCalls is the batched calls a backlog of n creations needs: the
// source's reads, the target's lookups by match key (so that nothing is
// duplicated) and the target's writes.
func minCalls(d direction, n int) (hubspot, salesforce int) {
	hs, sf := ceilDiv(n, hubspotBatch), ceilDiv(n, sfCollection)
	if d == hsToSF {
		return hs, 2 * sf // batch read; SOQL lookup + collection create
	}
	return 2 * hs, sf // lookup + batch create; collection retrieve
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

func floorFor(d direction, n int) time.Duration {
	hs, _ := minCalls(d, n)
	return time.Duration(hs) * hubspotWindow / hubspotBurst
}

func runDrain(ctx context.Context, cfg drainConfig, w io.Writer) ([]drainRow, error) {
	tmp, err := os.MkdirTemp("", "hubforce-bench-drain-")
	if err != nil {
		return nil, err
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	fmt.Fprintf(w, "command: %s\n", cfg.CommandLine)
	fmt.Fprintf(w, "machine: %d cores (GOMAXPROCS %d), %s\n", numCPU(), runtime.GOMAXPROCS(0), runtime.Version())
	fmt.Fprintf(w, "backlog: %d contacts created in one CRM, acknowledged by a bridge with HUBFORCE_WORKERS=0; drain: restart with delivery on -> all %d in the other CRM\n", cfg.N, cfg.N)
	fmt.Fprintf(w, "floor: the HubSpot calls the backlog needs at %d requests per %s (source reads or target lookups and writes, %d records a call); Salesforce (%d records a call) has no per-second limit\n\n",
		hubspotBurst, hubspotWindow, hubspotBatch, sfCollection)
	var rows []drainRow
	for _, st := range []string{"sqlite", "postgres"} {
		if st == "postgres" && cfg.PostgresURL == "" {
			continue
		}
		for _, d := range cfg.Directions {
			url := "sqlite:" + filepath.Join(tmp, fmt.Sprintf("drain-%d.db", d))
			if st == "postgres" {
				if url, err = freshSchema(cfg.PostgresURL); err != nil {
					return rows, err
				}
			}
			r, err := drainOnce(ctx, cfg, st, url, d)
			if st == "postgres" {
				dropSchema(cfg.PostgresURL, url)
			}
			if err != nil {
				return rows, fmt.Errorf("%s %s: %w", st, d, err)
			}
			rows = append(rows, r)
			fmt.Fprintf(w, "%s %s: drained in %s\n", st, d, r.Took.Round(10*time.Millisecond))
		}
	}
	printDrain(w, rows)
	return rows, nil
}

func drainOnce(ctx context.Context, cfg drainConfig, storeName, dbURL string, d direction) (drainRow, error) {
	row := drainRow{Store: storeName, Dir: d, N: cfg.N, Floor: floorFor(d, cfg.N)}
	env, err := e2e.Start(ctx, e2e.Options{DatabaseURL: dbURL, HubSpotRateLimit: hubspotBurst,
		Env: map[string]string{"HUBFORCE_WORKERS": "0", "HUBFORCE_LOG_LEVEL": "warn"}})
	if err != nil {
		return row, fmt.Errorf("starting the environment: %w", err)
	}
	defer func() { _ = env.Stop() }()

	from := "hubspot"
	for i := range cfg.N {
		email := fmt.Sprintf("drain%06d@example.com", i)
		if d == hsToSF {
			_, err = env.HubSpot.Create("contacts", map[string]string{"email": email, "firstname": "Drain", "lastname": fmt.Sprint("Contact ", i)}, hubspotsim.UI(e2e.HubSpotUser))
		} else {
			from = "salesforce"
			_, err = env.Salesforce.Create("Contact", map[string]any{"Email": email, "FirstName": "Drain", "LastName": fmt.Sprint("Contact ", i)}, e2e.SalesforceUser)
		}
		if err != nil {
			return row, fmt.Errorf("creating contact %d: %w", i, err)
		}
	}
	// Acknowledged: every webhook answered, nothing left in the inbox,
	// and every record's changes accepted.
	wctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	if d == hsToSF {
		err = env.HubSpot.WaitIdle(wctx)
	} else {
		err = env.Salesforce.WaitIdle(wctx)
	}
	if err != nil {
		return row, fmt.Errorf("waiting for the webhooks: %w", err)
	}
	err = testkit.Eventually(ctx, 5*time.Minute, func() (bool, error) {
		_, page, err := e2e.Get(env.BridgeURLs[0] + "/metrics")
		if err != nil {
			return false, err
		}
		return e2e.MetricValue(page, "hubforce_inbox_depth") == 0 &&
			e2e.MetricValue(page, "hubforce_event_decisions_total", `side="`+from+`"`, `decision="accepted"`) >= float64(cfg.N), nil
	})
	if err != nil {
		return row, fmt.Errorf("acknowledging the backlog: %w", err)
	}
	env.HubSpot.ResetCalls()
	env.Salesforce.ResetCalls()

	if cfg.CPUProfile != "" {
		stop, err := startProfile(fmt.Sprintf("%s-%s-%s.pprof", cfg.CPUProfile, storeName, dirFlag(d)))
		if err != nil {
			return row, err
		}
		defer stop()
	}
	// The clock starts once the new bridge serves (its delivery starts
	// then), not while the old one shuts down.
	restarted := time.Now()
	if err := env.Restart(ctx, map[string]string{"HUBFORCE_WORKERS": cfg.Workers}); err != nil {
		return row, err
	}
	t0 := time.Now()
	row.Restart = t0.Sub(restarted)
	count := func() int {
		// Counted, not listed: a list copies 10,000 records under the
		// simulator's lock fifty times a second and slows the API calls
		// being measured.
		if d == hsToSF {
			return env.Salesforce.Count("Contact")
		}
		return env.HubSpot.Count("contacts")
	}
	err = testkit.Eventually(ctx, 10*time.Minute, func() (bool, error) { return count() >= cfg.N, nil })
	row.Took = time.Since(t0)
	if err != nil {
		return row, fmt.Errorf("%d of %d delivered: %w", count(), cfg.N, err)
	}
	if got := count(); got != cfg.N {
		return row, fmt.Errorf("the target holds %d contacts, want %d", got, cfg.N)
	}
	row.Calls = countCalls("drain", []direction{d}, cfg.N, env.HubSpot.Calls(), env.Salesforce.Calls())
	return row, nil
}

func printDrain(w io.Writer, rows []drainRow) {
	fmt.Fprintf(w, "\nDRAIN (backlog of creations; calls counted from the restart to the last delivery)\n")
	fmt.Fprintf(w, "%-8s %-19s %6s %9s %10s %8s %8s %9s %9s %9s %9s %9s\n",
		"store", "direction", "N", "drain", "records/s", "floor", "ratio", "HS reads", "HS writes", "HS search", "SF writes", "SF reads")
	for _, r := range rows {
		c := r.Calls
		fmt.Fprintf(w, "%-8s %-19s %6d %8.2fs %10.0f %7.2fs %7.2fx %9d %9d %9d %9d %9d\n",
			r.Store, r.Dir, r.N, r.Took.Seconds(), r.perSecond(), r.Floor.Seconds(), r.ratio(),
			c.HSReads, c.HSWrites, c.HSSearch, c.SFWrites, c.SFReads+c.SOQL)
	}
	if len(rows) > 0 {
		n := rows[0].N
		fmt.Fprintf(w, "batched-call targets for N=%d: Salesforce writes <= %d, HubSpot reads or writes <= %d each\n",
			n, ceilDiv(n, sfCollection)+3, ceilDiv(n, hubspotBatch)+3)
	}
}
