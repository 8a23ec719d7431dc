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

// request is one Ingest or Receive call waiting for its group's commit.
type request struct {
	changes   []hubforce.Change
	inbox     []byte              // Receive: the changes encoded for the inbox; nil for Ingest
	decisions []hubforce.Decision // Ingest: filled by the commit function
	// receivedAt is when a digested inbox row was acknowledged; its
	// history says received then, not when it was digested.
	receivedAt time.Time
	done       chan error // receives exactly one result
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
//
// The same goroutines digest the inbox (see digester) when no call is
// waiting, so that on SQLite, where they share the one writer connection,
// an acknowledgement never waits behind more than one digest chunk.
type committer struct {
	queue  chan *request
	stop   chan struct{}
	wg     sync.WaitGroup
	max    int
	commit commitFunc
	digest *digester // nil: no inbox digestion (tests of the committer alone)

	commits, changes, waiting atomic.Int64
	lastCommit                atomic.Int64 // unix nanos when the last group ended
	closeOnce                 sync.Once
}

func newCommitter(workers, max int, commit commitFunc, digest *digester) *committer {
	c := &committer{
		queue:  make(chan *request),
		stop:   make(chan struct{}),
		max:    max,
		commit: commit,
		digest: digest,
	}
	for range workers {
		c.wg.Add(1)
		go c.loop()
	}
	if digest != nil {
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			digest.poll(c.stop)
		}()
	}
	return c
}

// submit queues changes and waits for their commit. A context that ends
// before the changes were taken into a transaction withdraws them; once
// taken, submit waits for the outcome, so that an error always means the
// changes were not committed.
func (c *committer) submit(ctx context.Context, changes []hubforce.Change, inbox []byte) ([]hubforce.Decision, error) {
	r := &request{changes: changes, inbox: inbox, done: make(chan error, 1)}
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

// loop commits waiting calls first. It digests one bounded chunk of the
// inbox when no call is waiting, or when digestion has waited
// digestMaxWait (see digester.dueIn).
func (c *committer) loop() {
	defer c.wg.Done()
	var wake <-chan struct{}
	if c.digest != nil {
		wake = c.digest.wake
	}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		if c.digest == nil || !c.digest.overdue() {
			select {
			case first := <-c.queue:
				c.run(c.gather(first))
				continue
			case <-c.stop:
				return
			default:
			}
		}
		var quiet <-chan time.Time
		if c.digest != nil {
			wait, due := c.digest.dueIn(c.lastCommit.Load())
			if due && wait <= 0 {
				if c.digest.step() {
					continue
				}
			} else if due {
				timer.Reset(wait)
				quiet = timer.C
			}
		}
		select {
		case first := <-c.queue:
			c.run(c.gather(first))
		case <-wake:
		case <-quiet:
		case <-c.stop:
			timer.Stop()
			return
		}
		timer.Stop()
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
	c.lastCommit.Store(time.Now().UnixNano())
	if err == nil {
		c.commits.Add(1)
		received := 0
		for _, r := range group {
			c.changes.Add(int64(len(r.changes)))
			if r.inbox != nil {
				received++
			}
		}
		if received > 0 && c.digest != nil {
			c.digest.receivedRows(received)
		}
	}
	for _, r := range group {
		r.done <- err
	}
}

// close stops taking calls and waits for the transactions (and digest
// chunk) in flight.
func (c *committer) close() {
	c.closeOnce.Do(func() { close(c.stop) })
	c.wg.Wait()
}

func (c *committer) stats() Stats {
	return Stats{Commits: c.commits.Load(), Changes: c.changes.Load(), Waiting: c.waiting.Load()}
}
