package main

// Matching webhooks to writes, and the delivery benchmark's tables.

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"
)

// latencyRow is one direction at one load.
type latencyRow struct {
	Load    string
	Dir     direction
	Changes int
	// Matched changes have both a webhook and a write; Lost ones reached
	// the bridge but no write carried them (or a newer value); Unseen ones
	// never appeared in a webhook; Foreign counts webhook sightings naming
	// another record than the one changed (a parsing or simulator fault).
	Matched, Lost, Unseen, Foreign int
	// Ahead counts changes written before their own webhook arrived: the
	// bridge read the record for an earlier webhook and found this value
	// already there. Their latency counts as zero.
	Ahead              int
	P50, P90, P99, Max time.Duration
}

// measure matches a phase's changes of one direction. The CRMs send and the
// bridge writes the record's current value, so a change is in once a
// webhook carrying it or a newer value of the same record's field arrives,
// and out once a write carrying it or a newer value does.
func (b *bench) measure(p *phaseRun, load string, dir direction) latencyRow {
	row := latencyRow{Load: load, Dir: dir}
	byRec := map[int][]change{}
	for _, c := range p.changes {
		if c.dir == dir {
			byRec[c.rec] = append(byRec[c.rec], c)
			row.Changes++
		}
	}
	var lat []time.Duration
	for rec, cs := range byRec {
		want := b.recs[rec].hsID
		if dir == sfToHS {
			want = b.recs[rec].sfID
		}
		var in, out time.Time
		for i := len(cs) - 1; i >= 0; i-- {
			hook, write, hookOK, writeOK := b.obs.lookup(cs[i].seq)
			if hookOK {
				if hook.id != want {
					row.Foreign++
				}
				if in.IsZero() || hook.at.Before(in) {
					in = hook.at
				}
			}
			if writeOK && (out.IsZero() || write.at.Before(out)) {
				out = write.at
			}
			switch {
			case in.IsZero():
				row.Unseen++
			case out.IsZero():
				row.Lost++
			default:
				row.Matched++
				d := out.Sub(in)
				if d < 0 {
					row.Ahead++
					d = 0
				}
				lat = append(lat, d)
			}
		}
	}
	slices.Sort(lat)
	row.P50, row.P90, row.P99 = percentile(lat, 0.50), percentile(lat, 0.90), percentile(lat, 0.99)
	if len(lat) > 0 {
		row.Max = lat[len(lat)-1]
	}
	return row
}

// percentile is the nearest-rank percentile of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// callRow is the API calls one phase cost, from the simulators' counts.
type callRow struct {
	Load    string
	Dirs    []direction
	Changes int
	Took    time.Duration // making the changes
	// Salesforce: record writes (sObject Collections or single records),
	// record reads by id, SOQL queries (query, queryAll and their next
	// pages), and every call including OAuth and limits.
	SFWrites, SFReads, SOQL, SFAll int
	// HubSpot: record writes (batch or single, associations), reads by id
	// (batch/read, single GET, list), searches, and every call.
	HSWrites, HSReads, HSSearch, HSAll int
}

func countCalls(load string, dirs []direction, changes int, hs, sf map[string]int) callRow {
	r := callRow{Load: load, Dirs: dirs, Changes: changes}
	for k, n := range sf {
		method, route, _ := strings.Cut(k, " ")
		r.SFAll += n
		switch {
		case strings.Contains(route, "/query"):
			r.SOQL += n
		case strings.Contains(route, "/sobjects") && method == "GET":
			r.SFReads += n
		case strings.Contains(route, "/sobjects") && method != "DELETE":
			r.SFWrites += n
		}
	}
	for k, n := range hs {
		method, route, _ := strings.Cut(k, " ")
		r.HSAll += n
		switch {
		case !strings.HasPrefix(route, "/crm/"):
		case strings.HasSuffix(route, "/search"):
			r.HSSearch += n
		case strings.HasSuffix(route, "/batch/read") || method == "GET":
			r.HSReads += n
		case method == "POST" || method == "PATCH" || method == "PUT":
			r.HSWrites += n
		}
	}
	return r
}

func (r callRow) label() string {
	var names []string
	for _, d := range r.Dirs {
		names = append(names, d.String())
	}
	return r.Load + " " + strings.Join(names, " + ")
}

func perChange(n, changes int) string {
	if changes == 0 {
		return fmt.Sprint(n)
	}
	return fmt.Sprintf("%d (%.4f)", n, float64(n)/float64(changes))
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
}

func printRuns(w io.Writer, runs []storeRun) {
	fmt.Fprintf(w, "DELIVERY LATENCY (webhook in -> write out)\n")
	fmt.Fprintf(w, "%-8s %-19s %-6s %7s %7s %5s %6s %5s %9s %9s %9s %9s\n",
		"store", "direction", "load", "changes", "matched", "lost", "unseen", "ahead", "p50", "p90", "p99", "max")
	for _, run := range runs {
		for _, r := range run.Rows {
			fmt.Fprintf(w, "%-8s %-19s %-6s %7d %7d %5d %6d %5d %9s %9s %9s %9s\n",
				run.Store, r.Dir, r.Load, r.Changes, r.Matched, r.Lost, r.Unseen, r.Ahead, ms(r.P50), ms(r.P90), ms(r.P99), ms(r.Max))
			if r.Foreign > 0 {
				fmt.Fprintf(w, "%-8s   %d webhook sightings named the wrong record\n", run.Store, r.Foreign)
			}
		}
	}
	fmt.Fprintf(w, "\nAPI CALLS PER PHASE (count, and per change in parentheses; counts reset before each phase, read once it settled)\n")
	fmt.Fprintf(w, "%-8s %-45s %7s %15s %15s %15s %15s %15s %15s %15s %15s\n",
		"store", "phase", "changes", "SF writes", "SF reads", "SOQL", "SF all", "HS writes", "HS reads", "HS search", "HS all")
	for _, run := range runs {
		for _, c := range run.Calls {
			fmt.Fprintf(w, "%-8s %-45s %7d %15s %15s %15s %15s %15s %15s %15s %15s\n", run.Store, c.label(), c.Changes,
				perChange(c.SFWrites, c.Changes), perChange(c.SFReads, c.Changes), perChange(c.SOQL, c.Changes), perChange(c.SFAll, c.Changes),
				perChange(c.HSWrites, c.Changes), perChange(c.HSReads, c.Changes), perChange(c.HSSearch, c.Changes), perChange(c.HSAll, c.Changes))
		}
	}
	fmt.Fprintln(w)
	for _, run := range runs {
		fmt.Fprintf(w, "%s: linking the contacts took %s\n", run.Store, run.Linked.Round(10*time.Millisecond))
		for _, c := range run.Calls {
			fmt.Fprintf(w, "%s %s: %d changes made in %s, %d SF write calls (%.4f/change), %d HS read calls (%.4f/change), %d HS write calls (%.4f/change), %d SOQL queries (%.4f/change)\n",
				run.Store, c.label(), c.Changes, ms(c.Took), c.SFWrites, ratio(c.SFWrites, c.Changes), c.HSReads, ratio(c.HSReads, c.Changes),
				c.HSWrites, ratio(c.HSWrites, c.Changes), c.SOQL, ratio(c.SOQL, c.Changes))
		}
	}
}

func ratio(n, d int) float64 {
	if d == 0 {
		return 0
	}
	return float64(n) / float64(d)
}
