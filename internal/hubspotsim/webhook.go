package hubspotsim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/hubforce/hubforce/internal/simfault"
)

// maxEventsPerRequest is HubSpot's batch cap ("up to 100 events").
const maxEventsPerRequest = 100

// DeliveryStats counts webhook POSTs: Sent answered 2xx, Failed did not
// (each failed attempt counts), Dropped batches were given up after the
// last retry, DroppedEvents the events in them.
type DeliveryStats struct {
	Sent          int
	Failed        int
	Dropped       int
	DroppedEvents int
}

type delivery struct {
	events  []Event
	attempt int
}

// sender batches events, signs and POSTs them, and retries failures the
// way HubSpot's webhook service does.
type sender struct {
	cfg    Config
	faults *simfault.Injector
	client *http.Client
	log    zerolog.Logger
	subs   *subscriptionSet

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu         sync.Mutex
	pending    []Event
	linger     *time.Timer
	ready      []*delivery
	inflight   int
	retrying   map[*delivery]*time.Timer
	closed     bool
	idle       chan struct{}
	idleClosed bool
	stats      DeliveryStats
	nextEvent  int64
}

func newSender(cfg Config, log zerolog.Logger) *sender {
	ctx, cancel := context.WithCancel(context.Background())
	s := &sender{cfg: cfg, faults: cfg.Faults, log: log, subs: newSubscriptionSet(cfg.Subscriptions),
		client: &http.Client{Timeout: cfg.WebhookTimeout}, ctx: ctx, cancel: cancel,
		retrying: map[*delivery]*time.Timer{}, idle: make(chan struct{}), nextEvent: 1843600000}
	s.updateIdleLocked()
	return s
}

// enqueue accepts the events of one write. Events nobody subscribed to are
// discarded here, as HubSpot never generates them.
func (s *sender) enqueue(evs []Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || s.cfg.WebhookURL == "" || len(evs) == 0 {
		return
	}
	for _, ev := range evs {
		id, ok := s.subs.match(&ev)
		if !ok {
			continue
		}
		s.nextEvent += 7
		ev.EventID, ev.SubscriptionID = s.nextEvent, id
		ev.PortalID, ev.AppID = s.cfg.PortalID, s.cfg.AppID
		s.pending = append(s.pending, ev)
	}
	for len(s.pending) >= maxEventsPerRequest {
		s.cutLocked(maxEventsPerRequest)
	}
	if len(s.pending) > 0 && s.linger == nil {
		s.linger = time.AfterFunc(s.cfg.WebhookLinger, s.flushLinger)
	}
	s.dispatchLocked()
	s.updateIdleLocked()
}

func (s *sender) cutLocked(n int) {
	batch := append([]Event(nil), s.pending[:n]...)
	s.pending = append([]Event(nil), s.pending[n:]...)
	s.ready = append(s.ready, &delivery{events: batch})
}

func (s *sender) flushLinger() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.linger = nil
	if s.closed {
		return
	}
	for len(s.pending) > 0 {
		s.cutLocked(min(len(s.pending), maxEventsPerRequest))
	}
	s.dispatchLocked()
	s.updateIdleLocked()
}

// dispatchLocked starts deliveries while fewer than MaxConcurrent are in
// flight; with the Reorder fault the waiting batches are shuffled first.
func (s *sender) dispatchLocked() {
	if s.closed || len(s.ready) == 0 {
		return
	}
	simfault.Shuffle(s.faults, s.ready)
	for s.inflight < s.cfg.MaxConcurrent && len(s.ready) > 0 {
		d := s.ready[0]
		s.ready = s.ready[1:]
		s.inflight++
		s.wg.Add(1)
		go s.deliver(d)
	}
}

func (s *sender) busyLocked() int {
	return len(s.pending) + len(s.ready) + s.inflight + len(s.retrying)
}

func (s *sender) updateIdleLocked() {
	switch busy := s.busyLocked() > 0; {
	case !busy && !s.idleClosed:
		close(s.idle)
		s.idleClosed = true
	case busy && s.idleClosed:
		s.idle = make(chan struct{})
		s.idleClosed = false
	}
}

func (s *sender) deliver(d *delivery) {
	defer s.wg.Done()
	dup := s.faults.TakeDuplicate()
	err := s.post(d)
	ok := err == nil
	var dupErr error
	if dup {
		dupErr = s.post(d)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inflight--
	s.count(err)
	if dup {
		s.count(dupErr)
	}
	if !ok && !s.closed {
		if d.attempt < len(s.cfg.RetryDelays) {
			next := &delivery{events: d.events, attempt: d.attempt + 1}
			s.retrying[next] = time.AfterFunc(s.cfg.RetryDelays[d.attempt], func() { s.retry(next) })
		} else {
			s.stats.Dropped++
			s.stats.DroppedEvents += len(d.events)
			s.log.Warn().Int("events", len(d.events)).Int("attempt", d.attempt).Msg("webhook batch dropped after last retry")
		}
	}
	s.dispatchLocked()
	s.updateIdleLocked()
}

func (s *sender) count(err error) {
	if err == nil {
		s.stats.Sent++
		return
	}
	s.stats.Failed++
	s.log.Debug().Err(err).Msg("webhook delivery failed")
}

func (s *sender) retry(d *delivery) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.retrying[d]; !ok {
		return
	}
	delete(s.retrying, d)
	if !s.closed {
		s.ready = append(s.ready, d)
		s.dispatchLocked()
	}
	s.updateIdleLocked()
}

// post sends one batch with the attempt number of this try.
func (s *sender) post(d *delivery) error {
	evs := make([]Event, len(d.events))
	copy(evs, d.events)
	for i := range evs {
		evs[i].AttemptNumber = d.attempt
	}
	body, err := json.Marshal(evs)
	if err != nil {
		return fmt.Errorf("encode webhook batch: %w", err)
	}
	s.mu.Lock()
	target := s.cfg.WebhookURL
	s.mu.Unlock()
	req, err := http.NewRequestWithContext(s.ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("build webhook request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "HubSpot Connect 2.0 (http://dev.hubspot.com/)")
	setSignatureHeaders(req.Header, s.cfg.SignatureVersion, s.cfg.ClientSecret, target, body, s.cfg.Now().UnixMilli())
	resp, err := s.client.Do(req)
	if err != nil {
		return fmt.Errorf("post webhook batch: %w", err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	_ = resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("post webhook batch: status %d", resp.StatusCode)
	}
	return nil
}

// ErrClosed is returned by WaitIdle once the server is closed.
var ErrClosed = errors.New("hubspotsim: server closed")

func (s *sender) waitIdle(ctx context.Context) error {
	for {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return ErrClosed
		}
		if s.busyLocked() == 0 {
			s.mu.Unlock()
			return nil
		}
		ch := s.idle
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("wait for idle webhooks: %w", ctx.Err())
		}
	}
}

func (s *sender) snapshot() DeliveryStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

func (s *sender) close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	if s.linger != nil {
		s.linger.Stop()
	}
	for _, t := range s.retrying {
		t.Stop()
	}
	s.retrying = map[*delivery]*time.Timer{}
	s.pending, s.ready = nil, nil
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
	s.mu.Lock()
	s.updateIdleLocked()
	s.mu.Unlock()
}

func (s *sender) setURL(u string) {
	s.mu.Lock()
	s.cfg.WebhookURL = u
	s.mu.Unlock()
}
