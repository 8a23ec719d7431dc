package store

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// Digest tuning. A chunk should take about digestTarget, so that an
// acknowledgement waiting behind one stays well inside the p99 budget;
// the row limit adapts to what the last chunks took.
const (
	digestTarget     = 4 * time.Millisecond
	digestMinRows    = 1
	digestMaxRows    = 256
	digestQuiet      = 2 * time.Millisecond // when saturated, no call for this long: the CPU is free
	digestRateWindow = 100 * time.Millisecond
	digestMaxWait    = 50 * time.Millisecond // under sustained load, a chunk at least this often
	digestPoll       = time.Second           // look for rows other replicas (or a killed process) left
	digestRetry      = time.Second           // after a failed chunk
	drainChunkRows   = 256
)

// digester moves inbox rows through Ingest's judging (duplicates,
// versions, pending, history) a bounded chunk at a time. The committer's
// goroutines call step when no call is waiting, and also when digestion
// has waited digestMaxWait, so that a sustained stream of acknowledgements
// cannot starve it. One chunk runs at a time per Store, so a replica
// digests in inbox id order.
type digester struct {
	chunk   func(ctx context.Context, limit int) (int, error)
	onError func(error)
	wake    chan struct{} // one token: the inbox may have rows

	dirty     atomic.Bool  // the inbox may have rows
	lastStep  atomic.Int64 // unix nanos when the last chunk ended
	mu        sync.Mutex   // held for a chunk; guards limit and retryAt
	limit     int
	floor     time.Duration // the fixed cost of a chunk, lately
	retryAt   time.Time
	digested  atomic.Int64 // inbox rows digested
	errors    atomic.Int64
	pollEvery time.Duration

	received atomic.Int64 // inbox rows committed by this Store
	arrival  atomic.Int64 // rows/s received over the last digestRateWindow
	capacity atomic.Int64 // rows/s a chunk digests (moving average); 0 until measured
}

func newDigester(chunk func(ctx context.Context, limit int) (int, error), onError func(error), pollEvery time.Duration) *digester {
	d := &digester{chunk: chunk, onError: onError, wake: make(chan struct{}, 1), limit: 8, pollEvery: pollEvery}
	d.lastStep.Store(time.Now().UnixNano())
	d.notify() // rows left by the previous process
	return d
}

// receivedRows counts rows appended to the inbox and says it has rows.
func (d *digester) receivedRows(n int) {
	d.received.Add(int64(n))
	d.notify()
}

// notify says the inbox may have rows.
func (d *digester) notify() {
	d.dirty.Store(true)
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// overdue says digestion should take its turn even though calls wait.
func (d *digester) overdue() bool {
	return d.dirty.Load() && time.Since(time.Unix(0, d.lastStep.Load())) > digestMaxWait
}

// dueIn says whether the inbox may have rows and, if so, how long to wait
// before digesting (zero or less: now), given when the last group of calls
// ended. While rows arrive slower than a chunk digests them, any moment
// without a call waiting is the digester's, so that it keeps up. When
// they arrive faster, the inbox grows whatever the digester does, and what
// acknowledgements lack is CPU rather than the writer: it waits until no
// call has come for digestQuiet, or until digestMaxWait has passed, and
// catches up when the load falls.
func (d *digester) dueIn(lastCommit int64) (time.Duration, bool) {
	if !d.dirty.Load() {
		return 0, false
	}
	if d.overdue() || !d.saturated() {
		return 0, true
	}
	return digestQuiet - time.Since(time.Unix(0, lastCommit)), true
}

func (d *digester) saturated() bool {
	c := d.capacity.Load()
	return c > 0 && d.arrival.Load() > c
}

// step digests one chunk if there may be rows and no other goroutine is
// digesting; it says whether more may be waiting.
func (d *digester) step() bool {
	if !d.dirty.Load() || !d.mu.TryLock() {
		return false
	}
	defer d.mu.Unlock()
	start := time.Now()
	if start.Before(d.retryAt) {
		return false
	}
	d.dirty.Store(false)
	ctx, cancel := context.WithTimeout(context.Background(), commitTimeout)
	used := d.limit
	n, err := d.chunk(ctx, used)
	cancel()
	elapsed := time.Since(start)
	d.lastStep.Store(time.Now().UnixNano())
	if err != nil {
		d.errors.Add(1)
		d.retryAt = time.Now().Add(digestRetry)
		d.dirty.Store(true) // the poll brings it back after digestRetry
		if d.onError != nil {
			d.onError(err)
		}
		return false
	}
	d.digested.Add(int64(n))
	if n > 0 {
		rate := int64(float64(n) / max(elapsed.Seconds(), 1e-6))
		if c := d.capacity.Load(); c > 0 {
			rate = (3*c + rate) / 4
		}
		d.capacity.Store(max(rate, 1))
	}
	full := n >= used
	// A chunk's time is a fixed cost (a transaction: on PostgreSQL a WAL
	// flush of several milliseconds) plus a cost per row. Sizing against
	// digestTarget alone shrinks the chunk to one row wherever the fixed
	// cost exceeds the target, and the backlog then drains a row per flush.
	// The budget is therefore the target or twice the fixed cost, whichever
	// is larger; the fixed cost is the fastest chunk seen lately.
	if d.floor == 0 || elapsed < d.floor {
		d.floor = elapsed
	} else {
		d.floor += d.floor / 32 // forget a fast outlier slowly
	}
	budget := max(digestTarget, 2*d.floor)
	switch {
	case elapsed > 2*budget && d.limit > digestMinRows:
		d.limit /= 2
	case full && elapsed < budget*3/4 && d.limit < digestMaxRows:
		d.limit *= 2
	}
	if full {
		d.dirty.Store(true)
	}
	return d.dirty.Load()
}

// poll measures the arrival rate every digestRateWindow and marks the
// inbox dirty every pollEvery, until stop closes.
func (d *digester) poll(stop <-chan struct{}) {
	t := time.NewTicker(digestRateWindow)
	defer t.Stop()
	var last int64
	lastPoll := time.Now()
	for {
		select {
		case now := <-t.C:
			n := d.received.Load()
			d.arrival.Store(int64(float64(n-last) / digestRateWindow.Seconds()))
			last = n
			if now.Sub(lastPoll) >= d.pollEvery {
				lastPoll = now
				d.notify()
			}
		case <-stop:
			return
		}
	}
}

// drain digests until the inbox is empty or ctx ends; the committer must
// be stopped.
func (d *digester) drain(ctx context.Context) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	for {
		n, err := d.chunk(ctx, drainChunkRows)
		if err != nil {
			d.errors.Add(1)
			return err
		}
		d.digested.Add(int64(n))
		if n < drainChunkRows {
			return nil
		}
	}
}
