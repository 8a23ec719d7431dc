package admin

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"time"

	"github.com/hubforce/hubforce"
)

// Colours of the pictures: each direction takes its source's brand colour.
const (
	colourFromHubSpot    = "#ff7a59"
	colourFromSalesforce = "#00a1e0"
)

// categoryColours are given to error categories in order of size.
var categoryColours = []string{"#c53030", "#b7791f", "#6b46c1", "#2b6cb0", "#2f855a", "#718096", "#d53f8c", "#319795"}

// recentDecisions are what the "recent activity" list shows: what became
// of changes on their way out (not the receipts, duplicates and echoes).
var recentDecisions = []hubforce.Decision{hubforce.Applied, hubforce.DeadLettered, hubforce.Conflicted, hubforce.Skipped}

// recentLimit rows are shown, made of up to recentScan history entries:
// the changes of one record coalesced into one write are recorded once each
// and shown as one row.
const (
	recentLimit = 15
	recentScan  = 300
)

// activity is the pictures and the recent list on the overview.
type activity struct {
	Hour, Day, Errors, Budget chart
	Budgets                   bool // the budget chart is drawn (a Recorder is set)
	Recent                    []recentChange
	// Error is a store read that failed; what could be read is shown.
	Error string
}

// recentChange is one row of the recent activity list.
type recentChange struct {
	At       time.Time
	From, To hubforce.Side
	Object   hubforce.Object
	RecordID string
	Decision hubforce.Decision
	Detail   string
	Timeline string // the record's timeline page
	Count    int    // changes this row stands for
}

func timelineURL(side hubforce.Side, obj hubforce.Object, id string) string {
	return "/dashboard/explain?" + url.Values{"side": {string(side)}, "object": {string(obj)}, "id": {id}}.Encode()
}

// Run samples the API budgets into the Recorder once a minute until ctx
// ends, so that the day's budget chart has a point for every minute the
// process ran. Without a Recorder it returns at once.
func (a *API) Run(ctx context.Context) {
	if a.cfg.Recorder == nil {
		return
	}
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		a.sampleBudgets()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (a *API) sampleBudgets() {
	if a.cfg.Recorder == nil {
		return
	}
	for _, side := range []hubforce.Side{hubforce.HubSpot, hubforce.Salesforce} {
		if b := a.budget(side); b != nil {
			a.cfg.Recorder.Budget(side, b.Share())
		}
	}
}

// bucketIndex places t among n buckets of step from start; -1 outside.
func bucketIndex(t, start time.Time, step time.Duration, n int) int {
	if t.Before(start) {
		return -1
	}
	i := int(t.Sub(start) / step)
	if i >= n {
		return -1
	}
	return i
}

func (a *API) activity(ctx context.Context) activity {
	ctx, cancel := context.WithTimeout(ctx, a.cfg.Timeout)
	defer cancel()
	now := a.cfg.Now().UTC()
	a.sampleBudgets()
	var v activity
	var errs []string
	fail := func(what string, err error) { errs = append(errs, fmt.Sprintf("%s: %v", what, err)) }

	hourStart := now.Truncate(time.Minute).Add(-59 * time.Minute)
	v.Hour = chart{Title: "Changes synced per minute, last hour", Unit: "/min", Start: hourStart, Step: time.Minute,
		Axis: [3]string{"−60 min", "−30 min", "now"}, Empty: "No change was written to either side in the last hour."}
	if err := a.directionSeries(ctx, &v.Hour, 60, 1); err != nil {
		fail("changes in the last hour", err)
	}
	dayStep := 15 * time.Minute
	dayStart := now.Truncate(dayStep).Add(-95 * dayStep)
	v.Day = chart{Title: "Changes synced per minute, last 24 hours (15-minute average)", Unit: "/min", Start: dayStart, Step: dayStep,
		Axis: [3]string{"−24 h", "−12 h", "now"}, Empty: "No change was written to either side in the last 24 hours."}
	if err := a.directionSeries(ctx, &v.Day, 96, dayStep.Minutes()); err != nil {
		fail("changes in the last day", err)
	}
	errStart := now.Truncate(time.Hour).Add(-23 * time.Hour)
	v.Errors = chart{Title: "Errors per hour by category, last 24 hours", Start: errStart, Step: time.Hour, Stacked: true,
		Axis: [3]string{"−24 h", "−12 h", "now"}, Empty: "No change was dead-lettered or retried in the last 24 hours."}
	if err := a.errorSeries(ctx, &v.Errors, 24); err != nil {
		fail("errors in the last day", err)
	}
	if a.cfg.Recorder != nil {
		v.Budgets = true
		v.Budget = a.budgetChart(dayStart, dayStep, 96)
	}
	recent, err := a.cfg.Store.RecentHistory(ctx, recentDecisions, recentScan)
	if err != nil {
		fail("recent activity", err)
	}
	for _, e := range recent {
		if n := len(v.Recent); n > 0 {
			last := &v.Recent[n-1]
			if last.From == e.Side && last.Object == e.Object && last.RecordID == e.RecordID && last.Decision == e.Decision && last.Detail == e.Detail {
				last.Count++
				continue
			}
		}
		if len(v.Recent) == recentLimit {
			break
		}
		v.Recent = append(v.Recent, recentChange{At: e.At, From: e.Side, To: e.Side.Other(), Object: e.Object, RecordID: e.RecordID,
			Decision: e.Decision, Detail: e.Detail, Timeline: timelineURL(e.Side, e.Object, e.RecordID), Count: 1})
	}
	if len(errs) > 0 {
		v.Error = fmt.Sprint(errs)
	}
	return v
}

// directionSeries fills c with the changes applied in each direction per
// bucket, divided by perMinute to give a rate.
func (a *API) directionSeries(ctx context.Context, c *chart, n int, perMinute float64) error {
	hs := series{Name: "HubSpot → Salesforce", Color: colourFromHubSpot, Values: make([]float64, n)}
	sf := series{Name: "Salesforce → HubSpot", Color: colourFromSalesforce, Values: make([]float64, n)}
	c.Series = []series{hs, sf}
	counts, err := a.cfg.Store.Activity(ctx, c.Start, c.Step, []hubforce.Decision{hubforce.Applied})
	if err != nil {
		return err
	}
	var total [2]int64
	for _, ac := range counts {
		i := bucketIndex(ac.Start, c.Start, c.Step, n)
		if i < 0 {
			continue
		}
		c.Series[sideIndex(ac.Side)].Values[i] += float64(ac.Count) / perMinute
		total[sideIndex(ac.Side)] += ac.Count
	}
	c.Series[0].Total = thousands(total[0]) + " written"
	c.Series[1].Total = thousands(total[1]) + " written"
	return nil
}

// errorSeries stacks the dead letters per category (from the history, so
// replayed ones still show where they happened) and the retried attempts
// per direction (from the Recorder).
func (a *API) errorSeries(ctx context.Context, c *chart, n int) error {
	byCat := map[string][]float64{}
	totals := map[string]float64{}
	add := func(name string, i int, v float64) {
		if byCat[name] == nil {
			byCat[name] = make([]float64, n)
		}
		byCat[name][i] += v
		totals[name] += v
	}
	counts, err := a.cfg.Store.FailureActivity(ctx, c.Start, c.Step)
	for _, fc := range counts {
		if i := bucketIndex(fc.Start, c.Start, c.Step, n); i >= 0 {
			add("dead-lettered: "+fc.Category, i, float64(fc.Count))
		}
	}
	if a.cfg.Recorder != nil {
		for _, m := range a.cfg.Recorder.since(c.Start) {
			i := bucketIndex(m.At, c.Start, c.Step, n)
			if i < 0 {
				continue
			}
			for _, to := range []hubforce.Side{hubforce.HubSpot, hubforce.Salesforce} {
				if r := m.Retried[sideIndex(to)]; r > 0 {
					add("retried: to "+sideName(to), i, float64(r))
				}
			}
		}
	}
	names := make([]string, 0, len(byCat))
	for name := range byCat {
		names = append(names, name)
	}
	slices.SortFunc(names, func(x, y string) int {
		if totals[x] != totals[y] {
			if totals[x] > totals[y] {
				return -1
			}
			return 1
		}
		if x < y {
			return -1
		}
		return 1
	})
	for i, name := range names {
		c.Series = append(c.Series, series{Name: name, Color: categoryColours[i%len(categoryColours)], Values: byCat[name],
			Total: thousands(int64(totals[name]))})
	}
	return err
}

// budgetChart draws the highest budget share seen in each bucket, in
// percent, with the configured slow-down share as a mark.
func (a *API) budgetChart(start time.Time, step time.Duration, n int) chart {
	c := chart{Title: "API budget in use, last 24 hours (highest in each 15 minutes)", Unit: "%", Start: start, Step: step, Max: 100,
		Axis: [3]string{"−24 h", "−12 h", "now"}, Empty: "No API call has reported a budget yet."}
	hs := series{Name: "HubSpot, per 10-second window", Color: colourFromHubSpot, Values: make([]float64, n)}
	sf := series{Name: "Salesforce, daily limit", Color: colourFromSalesforce, Values: make([]float64, n)}
	var peak [2]float64
	for _, m := range a.cfg.Recorder.since(start) {
		i := bucketIndex(m.At, start, step, n)
		if i < 0 {
			continue
		}
		for side, s := range map[int]*series{0: &hs, 1: &sf} {
			if m.Known[side] {
				s.Values[i] = max(s.Values[i], m.Budget[side]*100)
				peak[side] = max(peak[side], m.Budget[side]*100)
			}
		}
	}
	hs.Total, sf.Total = fmt.Sprintf("peak %.0f%%", peak[0]), fmt.Sprintf("peak %.0f%%", peak[1])
	c.Series = []series{sf, hs}
	if a.cfg.BudgetShare > 0 {
		c.Marks = []mark{{Label: fmt.Sprintf("Salesforce slow-down share %.0f%%", a.cfg.BudgetShare*100), Value: a.cfg.BudgetShare * 100}}
	}
	return c
}
