package salesforce

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hubforce/hubforce"
)

// budgetProbeEvery spaces out the GET /limits calls Ready makes while the
// daily allocation is spent, so that a /readyz probe loop does not itself
// hammer the org.
const budgetProbeEvery = time.Minute

// limits tracks the org's daily API allocation as Salesforce reports it on
// every REST response: "Sforce-Limit-Info: api-usage=used/limit" (REST API
// Developer Guide, "Limit Info Header",
// developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_api_usage.htm).
// The allocation is a soft limit — the docs show api-usage=110018/100000 —
// so a spent budget is recognised by the 403 REQUEST_LIMIT_EXCEEDED answer,
// not by used >= limit.
type limits struct {
	mu      sync.Mutex
	used    int
	limit   int
	spent   *hubforce.APIError // the refusal that spent the budget; nil when calls go through
	probed  time.Time
	onSpent func(spent bool) // logs the transitions
}

// observe reads the usage header of any REST response.
func (l *limits) observe(h http.Header) {
	used, limit, ok := parseLimitInfo(h.Get("Sforce-Limit-Info"))
	if !ok {
		return
	}
	l.mu.Lock()
	l.used, l.limit = used, limit
	l.mu.Unlock()
}

// setSpent records a daily-limit refusal (err non-nil) or a call that went
// through (err nil).
func (l *limits) setSpent(err *hubforce.APIError) {
	l.mu.Lock()
	was := l.spent != nil
	l.spent = err
	l.mu.Unlock()
	if was != (err != nil) && l.onSpent != nil {
		l.onSpent(err != nil)
	}
}

func (l *limits) usage() (used, limit int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.used, l.limit
}

// spentErr returns the refusal while the budget is spent and whether a
// probe is due (at most once per budgetProbeEvery).
func (l *limits) spentErr(now time.Time) (err *hubforce.APIError, probe bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.spent == nil {
		return nil, false
	}
	if now.Sub(l.probed) < budgetProbeEvery {
		return l.spent, false
	}
	l.probed = now
	return l.spent, true
}

// parseLimitInfo reads api-usage=used/limit from a header that may carry
// other entries ("api-usage=25/5000; per-app-api-usage=17/250(appName=x)",
// "api-usage=110018/100000; api-bursts=1/750", as in the docs).
func parseLimitInfo(v string) (used, limit int, ok bool) {
	for part := range strings.SplitSeq(v, ";") {
		val, found := strings.CutPrefix(strings.TrimSpace(part), "api-usage=")
		if !found {
			continue
		}
		u, l, found := strings.Cut(val, "/")
		if !found {
			return 0, 0, false
		}
		used, err1 := strconv.Atoi(strings.TrimSpace(u))
		limit, err2 := strconv.Atoi(strings.TrimSpace(l))
		if err1 != nil || err2 != nil || used < 0 || limit < 0 {
			return 0, 0, false
		}
		return used, limit, true
	}
	return 0, 0, false
}
