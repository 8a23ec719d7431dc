package delivery

import (
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/logging"
)

// failingAfter is how long writes to a side must keep failing, with no
// success in between, before the side is reported failing: one retried
// 5xx is not an outage, half a minute of them is.
const failingAfter = 10 * time.Second

// health tracks each direction's state for the dashboard, the status API
// and the log; it says each change of state once.
type health struct {
	mu  sync.Mutex
	log zerolog.Logger
	by  map[hubforce.Side]*sideHealth
}

type sideHealth struct {
	hubforce.Health
	firstFailure time.Time // of the current run of failures; zero while succeeding
	failures     int
	reason       string
}

func newHealth(log zerolog.Logger, now time.Time) *health {
	h := &health{log: log, by: map[hubforce.Side]*sideHealth{}}
	for _, s := range []hubforce.Side{hubforce.HubSpot, hubforce.Salesforce} {
		h.by[s] = &sideHealth{Health: hubforce.Health{To: s, State: hubforce.Flowing, Since: now}}
	}
	return h
}

// succeeded records a write to side to that went through, and says
// whether writes to it had been failing.
func (h *health) succeeded(to hubforce.Side, now time.Time) (wasFailing bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.by[to]
	s.LastSuccess = now
	wasFailing = !s.firstFailure.IsZero()
	s.firstFailure, s.failures, s.reason = time.Time{}, 0, ""
	if s.State == hubforce.Failing {
		h.log.Info().Str("to", string(to)).Int64("after_ms", now.Sub(s.Since).Milliseconds()).Int("failures", s.Failures).
			Msgf("deliveries to %s recovered after %s and %d failed attempts", to.Title(), logging.Duration(now.Sub(s.Since)), s.Failures)
		s.set(hubforce.Flowing, "", now)
	}
	return wasFailing
}

// lastSuccess is when a write to side to last went through.
func (h *health) lastSuccess(to hubforce.Side) time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.by[to].LastSuccess
}

// failed records n records whose write failed with a retried error.
func (h *health) failed(to hubforce.Side, n int, reason string, now time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.by[to]
	if s.firstFailure.IsZero() {
		s.firstFailure = now
	}
	s.failures += n
	s.reason = reason
	h.evaluate(to, now)
}

// paused records that deliveries to side are held back (err non-nil) or
// resumed (nil).
func (h *health) paused(to hubforce.Side, err error, now time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.by[to]
	switch {
	case err != nil:
		if s.State != hubforce.Paused || s.Reason != err.Error() {
			s.set(hubforce.Paused, err.Error(), now)
		}
	case s.State == hubforce.Paused:
		s.set(hubforce.Flowing, "", now)
		s.firstFailure, s.failures = time.Time{}, 0
	}
}

// evaluate turns a run of failures older than failingAfter into the
// failing state, saying so once. Called with h.mu held.
func (h *health) evaluate(to hubforce.Side, now time.Time) {
	s := h.by[to]
	if s.State == hubforce.Paused || s.firstFailure.IsZero() || now.Sub(s.firstFailure) < failingAfter {
		if s.State == hubforce.Failing {
			s.Failures, s.Reason = s.failures, s.reason
		}
		return
	}
	if s.State != hubforce.Failing {
		s.set(hubforce.Failing, s.reason, s.firstFailure)
		h.log.Warn().Str("to", string(to)).Int("failures", s.failures).Str("reason", s.reason).
			Msgf("deliveries to %s keep failing since %s; changes wait in the store and are retried", to.Title(), s.firstFailure.Format(time.RFC3339))
	}
	s.Failures, s.Reason = s.failures, s.reason
}

func (s *sideHealth) set(state hubforce.DeliveryState, reason string, since time.Time) {
	s.State, s.Reason, s.Since = state, reason, since
	s.Failures = 0
	if state == hubforce.Failing {
		s.Failures = s.failures
	}
}

// snapshot returns both directions' health, HubSpot first.
func (h *health) snapshot(now time.Time) []hubforce.Health {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]hubforce.Health, 0, 2)
	for _, to := range []hubforce.Side{hubforce.HubSpot, hubforce.Salesforce} {
		h.evaluate(to, now)
		out = append(out, h.by[to].Health)
	}
	return out
}
