// Package alert tells operators, through a Slack incoming webhook, what the
// bridge cannot fix by itself: new dead letters, a connection needing
// re-authorisation, a spent API budget — and when each recovers.
//
// Alerts are grouped by kind and key (a dead-letter category, a side) and
// rate limited per group: the first goes out at once, repeats within the
// window are counted and summarised when it closes. Sending happens on its
// own goroutine behind a bounded queue, so a slow or failing Slack never
// slows the sync; when the queue is full the oldest message is dropped and
// counted.
package alert

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// Slack posts alerts to an incoming webhook
// (api.slack.com/messaging/webhooks: POST {"text": …} as JSON).
type Slack struct {
	URL    string
	Window time.Duration // per-group rate limit; default 10 minutes
	Client *http.Client
	Log    zerolog.Logger
	Now    func() time.Time

	mu      sync.Mutex
	groups  map[string]*group
	queue   chan string
	dropped int
	started sync.Once
	done    chan struct{}
}

type group struct {
	last       time.Time // when the last message for this group went out
	suppressed int
	active     bool
	flush      *time.Timer
}

// Raise reports a condition. It never blocks.
func (s *Slack) Raise(kind, key, message string) {
	s.start()
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.group(kind, key)
	g.active = true
	now := s.now()
	if !g.last.IsZero() && now.Sub(g.last) < s.window() {
		g.suppressed++
		if g.flush == nil {
			g.flush = time.AfterFunc(g.last.Add(s.window()).Sub(now), func() { s.flushGroup(kind, key) })
		}
		return
	}
	g.last = now
	s.enqueue(":rotating_light: " + message)
}

// Resolve reports that a raised condition is over; it says nothing if the
// condition was never raised.
func (s *Slack) Resolve(kind, key, message string) {
	s.start()
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.group(kind, key)
	if !g.active {
		return
	}
	g.active = false
	if g.flush != nil {
		g.flush.Stop()
		g.flush = nil
	}
	if g.suppressed > 0 {
		s.enqueue(fmt.Sprintf(":rotating_light: %d more like the last %s alert (%s) since it was sent", g.suppressed, kind, key))
		g.suppressed = 0
	}
	g.last = time.Time{}
	s.enqueue(":white_check_mark: " + message)
}

// Close stops sending after what is queued has been tried.
func (s *Slack) Close() {
	s.start()
	s.mu.Lock()
	for _, g := range s.groups {
		if g.flush != nil {
			g.flush.Stop()
		}
	}
	s.mu.Unlock()
	close(s.queue)
	<-s.done
}

func (s *Slack) flushGroup(kind, key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.group(kind, key)
	g.flush = nil
	if g.suppressed == 0 {
		return
	}
	s.enqueue(fmt.Sprintf(":rotating_light: %d more %s alerts (%s) in the last %s", g.suppressed, kind, key, s.window()))
	g.suppressed = 0
	g.last = s.now()
}

func (s *Slack) group(kind, key string) *group {
	k := kind + "\x00" + key
	g, ok := s.groups[k]
	if !ok {
		g = &group{}
		s.groups[k] = g
	}
	return g
}

// enqueue must be called with s.mu held.
func (s *Slack) enqueue(text string) {
	for {
		select {
		case s.queue <- text:
			return
		default:
			select {
			case <-s.queue:
				s.dropped++
			default:
			}
		}
	}
}

func (s *Slack) start() {
	s.started.Do(func() {
		s.groups = map[string]*group{}
		s.queue = make(chan string, 64)
		s.done = make(chan struct{})
		if s.Client == nil {
			s.Client = &http.Client{Timeout: 10 * time.Second}
		}
		go s.send()
	})
}

func (s *Slack) send() {
	defer close(s.done)
	var lastErr string
	for text := range s.queue {
		err := s.post(text)
		switch {
		case err != nil && err.Error() != lastErr:
			// The webhook URL is a secret: only the error is logged.
			s.Log.Warn().Err(err).Msg("slack alert not delivered")
			lastErr = err.Error()
		case err == nil && lastErr != "":
			s.Log.Info().Msg("slack alerts delivered again")
			lastErr = ""
		}
	}
}

func (s *Slack) post(text string) error {
	body, _ := json.Marshal(map[string]string{"text": text})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("slack request: %w", redact(err))
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.Client.Do(req)
	if err != nil {
		return fmt.Errorf("slack: %w", redact(err))
	}
	_ = resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("slack answered HTTP %d", resp.StatusCode)
	}
	return nil
}

// redact keeps the webhook URL (its path is the credential) out of errors.
func redact(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}

func (s *Slack) window() time.Duration {
	if s.Window <= 0 {
		return 10 * time.Minute
	}
	return s.Window
}

func (s *Slack) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Nop discards alerts (no Slack webhook configured).
type Nop struct{}

func (Nop) Raise(kind, key, message string)   {}
func (Nop) Resolve(kind, key, message string) {}
func (Nop) Close()                            {}
