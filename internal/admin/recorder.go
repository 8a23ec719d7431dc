package admin

import (
	"sync"
	"time"

	"github.com/hubforce/hubforce"
)

// recorderSlots is a day of one-minute slots.
const recorderSlots = 24 * 60

// Recorder keeps, one slot a minute for the last 24 hours, what the store
// does not: how much of each API's budget was in use, and how many write
// attempts failed and were retried in each direction. It lives in memory,
// so a restart starts the day afresh and each replica shows its own; the
// store keeps only durable facts (decisions, dead letters), and a sample
// a minute written from every replica would be churn for a picture.
type Recorder struct {
	mu    sync.Mutex
	now   func() time.Time
	slots [recorderSlots]slot
}

type slot struct {
	minute  int64      // the Unix minute the slot holds; another means empty
	budget  [2]float64 // the highest share of each side's budget seen, 0..1
	known   [2]bool    // whether a budget was seen at all
	retried [2]int     // failed attempts per target side
}

// NewRecorder makes a Recorder on clock now (nil: time.Now).
func NewRecorder(now func() time.Time) *Recorder {
	if now == nil {
		now = time.Now
	}
	return &Recorder{now: now}
}

func sideIndex(s hubforce.Side) int {
	if s == hubforce.Salesforce {
		return 1
	}
	return 0
}

// at returns the slot of t's minute, emptied if it held an older minute.
// Called with r.mu held.
func (r *Recorder) at(t time.Time) *slot {
	m := t.Unix() / 60
	s := &r.slots[m%recorderSlots]
	if s.minute != m {
		*s = slot{minute: m}
	}
	return s
}

// Delivered counts retried write attempts; it has the shape of the
// delivery engine's observer method, so that the bridge can feed both the
// metrics and the recorder from one call.
func (r *Recorder) Delivered(to hubforce.Side, outcome string, n int) {
	if outcome != "retried" || n <= 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.at(r.now()).retried[sideIndex(to)] += n
}

// Budget records the share (0..1) of side's API budget in use now.
func (r *Recorder) Budget(side hubforce.Side, share float64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.at(r.now())
	i := sideIndex(side)
	s.budget[i] = max(s.budget[i], share)
	s.known[i] = true
}

// minuteSample is one minute as the charts read it.
type minuteSample struct {
	At      time.Time
	Budget  [2]float64
	Known   [2]bool
	Retried [2]int
}

// since returns the minutes recorded from since up to now, oldest first.
func (r *Recorder) since(since time.Time) []minuteSample {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now().Unix() / 60
	from := max(since.Unix()/60, now-recorderSlots+1)
	var out []minuteSample
	for m := from; m <= now; m++ {
		s := r.slots[m%recorderSlots]
		if s.minute != m {
			continue
		}
		out = append(out, minuteSample{At: time.Unix(m*60, 0).UTC(), Budget: s.budget, Known: s.known, Retried: s.retried})
	}
	return out
}
