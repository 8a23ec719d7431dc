package salesforcesim

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/hubforce/hubforce/internal/simfault"
)

// maxNotifications is the most notifications one SOAP message carries.
const maxNotifications = 100

// OutboundStats counts Outbound Message deliveries.
type OutboundStats struct {
	// Sent counts notifications the listener acknowledged (a duplicate
	// delivery counts once per acknowledgement).
	Sent int
	// Failed counts delivery attempts (messages) that were not acknowledged.
	Failed int
	// Dropped counts notifications given up after OutboundMaxAge.
	Dropped int
	// Pending counts notifications queued or in flight.
	Pending int
}

type notification struct {
	id       string
	typ      string
	recID    string
	queued   time.Time // Config.Now: the 24 h age
	due      time.Time // wall clock: when the next attempt may start
	attempts int
}

// outbound is the Outbound Message queue and its sender: queued locally, sent
// by a background process, retried with growing intervals, dropped at 24 h,
// retried independently of order, always with the record's latest data
// ("Understanding Notifications", sforce_api_om_outboundmessaging_notifications.htm;
// "Considerations for Outbound Messages", workflow_om_considerations.htm).
type outbound struct {
	s         *Server
	client    *http.Client
	actionIDs map[string]string

	mu       sync.Mutex
	url      string
	pending  []*notification
	inflight int
	seq      uint64
	stats    OutboundStats
	changed  chan struct{} // closed and replaced on every state change
	wake     chan struct{}
	done     chan struct{}
	wg       sync.WaitGroup
	ctx      context.Context
	cancel   context.CancelFunc
}

func newOutbound(s *Server) *outbound {
	o := &outbound{
		s:         s,
		client:    &http.Client{Timeout: s.cfg.OutboundTimeout},
		actionIDs: map[string]string{},
		url:       s.cfg.OutboundURL,
		changed:   make(chan struct{}),
		wake:      make(chan struct{}, 1),
		done:      make(chan struct{}),
	}
	o.ctx, o.cancel = context.WithCancel(context.Background())
	// One outbound message (and so one ActionId) per sObject type.
	types := make([]string, 0, len(s.cfg.OutboundFields))
	for t := range s.cfg.OutboundFields {
		types = append(types, t)
	}
	sort.Strings(types)
	for i, t := range types {
		o.actionIDs[t] = newID(prefixAction, uint64(i+1))
	}
	return o
}

func (o *outbound) start() {
	o.wg.Add(1)
	go o.loop()
}

func (o *outbound) stop() {
	select {
	case <-o.done:
		return
	default:
	}
	close(o.done)
	o.cancel()
	o.wg.Wait()
}

// signal wakes WaitIdle callers; o.mu must be held.
func (o *outbound) signal() {
	close(o.changed)
	o.changed = make(chan struct{})
}

// enqueue queues a notification for a created or updated record.
func (o *outbound) enqueue(typ, recID string) {
	o.mu.Lock()
	if o.url == "" || o.actionIDs[typ] == "" {
		o.mu.Unlock()
		return
	}
	o.seq++
	o.pending = append(o.pending, &notification{
		id: newID(prefixNotification, o.seq), typ: typ, recID: recID,
		queued: o.s.cfg.Now(), due: time.Now(),
	})
	o.signal()
	o.mu.Unlock()
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

// SetOutboundURL points the Outbound Messages at a listener ("" stops
// queuing new ones).
func (s *Server) SetOutboundURL(u string) {
	s.out.mu.Lock()
	s.out.url = u
	s.out.mu.Unlock()
}

// OutboundStats returns the delivery counters.
func (s *Server) OutboundStats() OutboundStats {
	o := s.out
	o.mu.Lock()
	defer o.mu.Unlock()
	st := o.stats
	st.Pending = len(o.pending) + o.inflight
	return st
}

// WaitIdle blocks until no notification is queued or in flight, or ctx ends.
func (s *Server) WaitIdle(ctx context.Context) error {
	o := s.out
	for {
		o.mu.Lock()
		idle := len(o.pending) == 0 && o.inflight == 0
		ch := o.changed
		o.mu.Unlock()
		if idle {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("salesforcesim: outbound queue not idle: %w", ctx.Err())
		}
	}
}

func (o *outbound) loop() {
	defer o.wg.Done()
	for {
		select {
		case <-o.done:
			return
		default:
		}
		batches, wait := o.take()
		if len(batches) == 0 {
			var timer *time.Timer
			var fire <-chan time.Time
			if wait > 0 {
				timer = time.NewTimer(wait)
				fire = timer.C
			}
			select {
			case <-o.done:
				return
			case <-o.wake:
			case <-fire:
			}
			if timer != nil {
				timer.Stop()
			}
			continue
		}
		simfault.Shuffle(o.s.cfg.Faults, batches)
		for _, b := range batches {
			o.deliver(b)
		}
	}
}

// take removes the due notifications from the queue, drops the expired ones,
// and groups the rest into messages of one type and at most 100
// notifications. wait is the time until the next one falls due (0: none).
func (o *outbound) take() ([][]*notification, time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	now := time.Now()
	byType := map[string][]*notification{}
	var keep []*notification
	var next time.Time
	for _, n := range o.pending {
		switch {
		case n.due.After(now):
			keep = append(keep, n)
			if next.IsZero() || n.due.Before(next) {
				next = n.due
			}
		case o.s.cfg.Now().Sub(n.queued) >= o.s.cfg.OutboundMaxAge:
			o.stats.Dropped++
			o.s.cfg.Logger.Info().Str("notification", n.id).Str("record", n.recID).Msg("salesforcesim: outbound notification dropped after max age")
		default:
			byType[n.typ] = append(byType[n.typ], n)
		}
	}
	changed := len(keep) != len(o.pending)
	o.pending = keep
	var batches [][]*notification
	types := make([]string, 0, len(byType))
	for t := range byType {
		types = append(types, t)
	}
	sort.Strings(types)
	for _, t := range types {
		for ns := byType[t]; len(ns) > 0; {
			k := min(len(ns), maxNotifications)
			batches = append(batches, ns[:k])
			o.inflight += k
			ns = ns[k:]
		}
	}
	if changed {
		o.signal()
	}
	var wait time.Duration
	if !next.IsZero() {
		wait = max(time.Until(next), time.Millisecond)
	}
	return batches, wait
}

// deliver sends one message (twice under a DuplicateDeliveries fault) and
// requeues its notifications on failure.
func (o *outbound) deliver(batch []*notification) {
	o.mu.Lock()
	url := o.url
	o.mu.Unlock()
	body := o.s.envelope(batch)
	ok := url != "" && o.post(url, body)
	if ok && o.s.cfg.Faults.TakeDuplicate() {
		o.post(url, o.s.envelope(batch))
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.inflight -= len(batch)
	if ok {
		o.stats.Sent += len(batch)
	} else {
		o.stats.Failed++
		delays := o.s.cfg.OutboundRetryDelays
		for _, n := range batch {
			d := delays[min(n.attempts, len(delays)-1)]
			n.attempts++
			n.due = time.Now().Add(d)
		}
		o.pending = append(o.pending, batch...)
	}
	o.signal()
}
