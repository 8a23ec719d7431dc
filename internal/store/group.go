package store

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hubforce/hubforce"
)

// commitTimeout bounds one group's transaction, so that a database that
// stops answering fails the callers (who answer 503) instead of hanging them.
const commitTimeout = 30 * time.Second

// request is one Ingest call waiting for its group's commit.
type request struct {
	changes   []hubforce.Change
	decisions []hubforce.Decision // filled by the commit function
	done      chan error          // receives exactly one result
}

// commitFunc runs one group in one transaction, filling each request's
// decisions; an error means the transaction was not committed.
type commitFunc func(ctx context.Context, group []*request) error

// committer is the group commit: Ingest calls queue on an unbuffered
// channel, and each committer goroutine takes every call waiting (up to
// max changes), commits them in one transaction — one fsync — and wakes
// each caller with its own decisions or the group's error. Under load the
// group grows by itself while the previous commit is in flight, so there is
// no linger to tune.
type committer struct {
	queue  chan *request
	stop   chan struct{}
	wg     sync.WaitGroup
	max    int
	commit commitFunc

	commits, changes, waiting atomic.Int64
	closeOnce                 sync.Once
}

func newCommitter(workers, max int, commit commitFunc) *committer {
	c := &committer{
		queue:  make(chan *request),
		stop:   make(chan struct{}),
		max:    max,
		commit: commit,
	}
	for range workers {
		c.wg.Add(1)
		go c.loop()
	}
	return c
}

// submit queues changes and waits for their commit. A context that ends
// before the changes were taken into a transaction withdraws them; once
// taken, submit waits for the outcome, so that an error always means the
// changes were not committed.
func (c *committer) submit(ctx context.Context, changes []hubforce.Change) ([]hubforce.Decision, error) {
	r := &request{changes: changes, done: make(chan error, 1)}
	c.waiting.Add(1)
	select {
	case c.queue <- r:
	case <-ctx.Done():
		c.waiting.Add(-1)
		return nil, ctx.Err()
	case <-c.stop:
		c.waiting.Add(-1)
		return nil, ErrClosed
	}
	if err := <-r.done; err != nil {
		return nil, err
	}
	return r.decisions, nil
}

func (c *committer) loop() {
	defer c.wg.Done()
	for {
		var first *request
		select {
		case first = <-c.queue:
		case <-c.stop:
			return
		}
		c.run(c.gather(first))
	}
}

// gather takes first and every call already waiting, up to max changes.
func (c *committer) gather(first *request) []*request {
	c.waiting.Add(-1)
	group := []*request{first}
	n := len(first.changes)
	for n < c.max {
		select {
		case r := <-c.queue:
			c.waiting.Add(-1)
			group = append(group, r)
			n += len(r.changes)
		default:
			return group
		}
	}
	return group
}

func (c *committer) run(group []*request) {
	// The transaction does not use any caller's context: one caller giving
	// up must not roll back the others.
	ctx, cancel := context.WithTimeout(context.Background(), commitTimeout)
	err := c.commit(ctx, group)
	cancel()
	if err == nil {
		c.commits.Add(1)
		for _, r := range group {
			c.changes.Add(int64(len(r.changes)))
		}
	}
	for _, r := range group {
		r.done <- err
	}
}

// close stops taking calls and waits for the transactions in flight.
func (c *committer) close() {
	c.closeOnce.Do(func() { close(c.stop) })
	c.wg.Wait()
}

func (c *committer) stats() Stats {
	return Stats{Commits: c.commits.Load(), Changes: c.changes.Load(), Waiting: c.waiting.Load()}
}
