package hubspotsim

import (
	"net/http"
	"strconv"
	"sync"
	"time"
)

// limiter enforces HubSpot's API limits (developers.hubspot.com/docs/api/usage-details):
// a rolling ten-second window per app, a daily budget per account, and the
// CRM search limit of a few requests per second per account, which is exempt
// from the ten-second window and answers without rate-limit headers.
type limiter struct {
	mu        sync.Mutex
	now       func() time.Time
	max       int
	interval  time.Duration
	daily     int
	searchMax int
	windows   map[string][]time.Time
	search    []time.Time
	day       string
	used      int
}

func newLimiter(cfg Config) *limiter {
	return &limiter{now: cfg.Now, max: cfg.RateLimitMax, interval: cfg.RateLimitInterval,
		daily: cfg.DailyLimit, searchMax: cfg.SearchPerSecond, windows: map[string][]time.Time{}}
}

// rateLimitBody is HubSpot's 429 body (usage-details page; TEN_SECONDLY_ROLLING
// wording as reproduced by third parties).
type rateLimitBody struct {
	Status        string `json:"status"`
	Message       string `json:"message"`
	ErrorType     string `json:"errorType"`
	CorrelationID string `json:"correlationId"`
	PolicyName    string `json:"policyName"`
	RequestID     string `json:"requestId"`
}

func writeRateLimited(w http.ResponseWriter, policy string) {
	msg := map[string]string{
		"DAILY":                "You have reached your daily limit.",
		"TEN_SECONDLY_ROLLING": "You have reached your ten_secondly_rolling limit.",
		"SECONDLY":             "You have reached your secondly limit.",
	}[policy]
	writeJSON(w, http.StatusTooManyRequests, rateLimitBody{Status: "error", Message: msg,
		ErrorType: "RATE_LIMIT", CorrelationID: newCorrelationID(), PolicyName: policy, RequestID: newCorrelationID()})
}

// rollDayLocked resets the daily count at midnight UTC.
func (l *limiter) rollDayLocked(now time.Time) {
	if d := now.UTC().Format(time.DateOnly); d != l.day {
		l.day, l.used = d, 0
	}
}

func prune(ts []time.Time, since time.Time) []time.Time {
	i := 0
	for i < len(ts) && !ts[i].After(since) {
		i++
	}
	return ts[i:]
}

// admit counts one API request. It returns the headers to send and, when the
// request is refused, the policy that refused it.
func (l *limiter) admit(p principal) (http.Header, string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.rollDayLocked(now)
	win := prune(l.windows[p.bucket], now.Add(-l.interval))
	refused := ""
	switch {
	case l.used >= l.daily:
		refused = "DAILY"
	case len(win) >= l.max:
		refused = "TEN_SECONDLY_ROLLING"
	default:
		win = append(win, now)
		l.used++
	}
	l.windows[p.bucket] = win
	h := http.Header{}
	h.Set("X-HubSpot-RateLimit-Max", strconv.Itoa(l.max))
	h.Set("X-HubSpot-RateLimit-Remaining", strconv.Itoa(max(0, l.max-len(win))))
	h.Set("X-HubSpot-RateLimit-Interval-Milliseconds", strconv.FormatInt(l.interval.Milliseconds(), 10))
	// The daily headers are not sent for OAuth-authorised requests (usage page).
	if !p.oauth {
		h.Set("X-HubSpot-RateLimit-Daily", strconv.Itoa(l.daily))
		h.Set("X-HubSpot-RateLimit-Daily-Remaining", strconv.Itoa(max(0, l.daily-l.used)))
	}
	return h, refused
}

// admitSearch counts one search request against the per-second search
// limit and the daily budget.
func (l *limiter) admitSearch() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.rollDayLocked(now)
	l.search = prune(l.search, now.Add(-time.Second))
	switch {
	case l.used >= l.daily:
		return "DAILY"
	case len(l.search) >= l.searchMax:
		return "SECONDLY"
	}
	l.search = append(l.search, now)
	l.used++
	return ""
}

func (l *limiter) spendDaily() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.rollDayLocked(l.now())
	l.used = l.daily
}

func (s *Server) tenSecondly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, refused := s.limits.admit(principalFrom(r.Context()))
		for k, v := range h {
			w.Header()[k] = v
		}
		if refused != "" {
			writeRateLimited(w, refused)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) searchLimit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if refused := s.limits.admitSearch(); refused != "" {
			writeRateLimited(w, refused)
			return
		}
		next.ServeHTTP(w, r)
	})
}
