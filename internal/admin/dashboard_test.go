package admin

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/store"
)

const hostile = `<script>alert(1)</script>`

func TestDashboardRendersAndEscapes(t *testing.T) {
	e := newEnv(t, func(c *Config) {
		c.Health = func() []hubforce.Health {
			return []hubforce.Health{{To: hubforce.HubSpot, State: hubforce.Paused, Reason: `token <b>refused</b>`}}
		}
		c.SalesforceUsage = func() (int, int) { return 1234, 15000 }
	})
	e.deadLetter(hubforce.HubSpot, "41", "validation")
	id := e.deadLetter(hubforce.HubSpot, hostile, "validation")
	cookie := e.login()

	w := e.do(req{method: http.MethodGet, path: "/", cookie: cookie})
	body := w.Body.String()
	for _, want := range []string{
		`<meta http-equiv="refresh" content="10">`, "HubSpot → Salesforce", "Salesforce → HubSpot",
		"1,234 of 15,000", `href="/dashboard/dead-letters?category=validation"`, "token &lt;b&gt;refused&lt;/b&gt;",
		`action="/dashboard/explain"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("overview lacks %q", want)
		}
	}
	if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("overview = %d %s", w.Code, w.Header().Get("Content-Type"))
	}
	if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Fatalf("CSP %q", csp)
	}
	pages := map[string]string{
		"list":    "/dashboard/dead-letters?category=validation",
		"detail":  fmt.Sprintf("/dashboard/dead-letters/%d", id),
		"explain": "/dashboard/explain?side=hubspot&object=contact&id=41",
	}
	for name, path := range pages {
		w := e.do(req{method: http.MethodGet, path: path, cookie: cookie})
		if w.Code != http.StatusOK {
			t.Fatalf("%s = %d %s", name, w.Code, w.Body)
		}
		if strings.Contains(w.Body.String(), "<script") {
			t.Fatalf("%s: an unescaped script tag in\n%s", name, w.Body)
		}
		if name != "explain" && !strings.Contains(w.Body.String(), "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Fatalf("%s: the hostile record id is not shown escaped", name)
		}
	}
	w = e.do(req{method: http.MethodGet, path: "/dashboard/explain?side=hubspot&object=contact&id=41", cookie: cookie})
	if !strings.Contains(w.Body.String(), "dead_lettered") || !strings.Contains(w.Body.String(), "REQUIRED_FIELD_MISSING") {
		t.Fatal("explain page lacks the timeline")
	}
	w = e.do(req{method: http.MethodGet, path: "/dashboard/explain?side=hubspot&object=contact&id=" + url.QueryEscape(hostile), cookie: cookie})
	if w.Code != http.StatusBadRequest || strings.Contains(w.Body.String(), "<script") || !strings.Contains(w.Body.String(), "a HubSpot record id is a number") {
		t.Fatalf("hostile explain = %d", w.Code)
	}
	if w := e.do(req{method: http.MethodGet, path: "/dashboard/dead-letters/999", cookie: cookie}); w.Code != http.StatusNotFound {
		t.Fatalf("unknown dead letter page = %d", w.Code)
	}
}

func TestDashboardForms(t *testing.T) {
	e := newEnv(t)
	id := e.deadLetter(hubforce.HubSpot, "41", "validation")
	cookie := e.login()
	csrf := e.api.csrfToken(cookie.Value)
	replay := fmt.Sprintf("/dashboard/dead-letters/%d/replay", id)

	detail := e.do(req{method: http.MethodGet, path: fmt.Sprintf("/dashboard/dead-letters/%d", id), cookie: cookie}).Body.String()
	if !strings.Contains(detail, `value="`+csrf+`"`) || !strings.Contains(detail, `action="`+replay+`"`) {
		t.Fatal("the detail page lacks the replay form with its CSRF token")
	}
	e.clock = e.clock.Add(time.Hour)
	other := e.api.newSession() // a valid session issued later, with its own CSRF token
	e.clock = e.clock.Add(-time.Hour)
	for name, r := range map[string]req{
		"no csrf":            {cookie: cookie, form: url.Values{}},
		"wrong csrf":         {cookie: cookie, form: url.Values{csrfField: {"forged"}}},
		"csrf of no session": {form: url.Values{csrfField: {csrf}}},
		"another session's":  {cookie: cookie, form: url.Values{csrfField: {e.api.csrfToken(other)}}},
	} {
		r.method, r.path = http.MethodPost, replay
		w := e.do(r)
		if w.Code != http.StatusForbidden && w.Code != http.StatusUnauthorized {
			t.Fatalf("%s: forged POST = %d, want 403 or 401", name, w.Code)
		}
		if _, err := e.st.GetDeadLetter(context.Background(), id); err != nil {
			t.Fatalf("%s: the forged POST acted: %v", name, err)
		}
	}
	w := e.do(req{method: http.MethodPost, path: replay, cookie: cookie, form: url.Values{csrfField: {csrf}}})
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/dashboard/dead-letters?") {
		t.Fatalf("replay form = %d to %q", w.Code, w.Header().Get("Location"))
	}
	if e.pending(hubforce.Salesforce) != 1 {
		t.Fatal("the replay form did not queue the change")
	}
	list := e.do(req{method: http.MethodGet, path: w.Header().Get("Location"), cookie: cookie}).Body.String()
	if !strings.Contains(list, "1 dead letter(s) put back in the queue.") {
		t.Fatal("no notice after replay")
	}

	e.deadLetter(hubforce.HubSpot, "42", "validation")
	e.deadLetter(hubforce.HubSpot, "43", "other")
	w = e.do(req{method: http.MethodPost, path: "/dashboard/dead-letters/bulk", cookie: cookie,
		form: url.Values{csrfField: {csrf}, "action": {"discard"}, "category": {"validation"}}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("bulk discard form = %d %s", w.Code, w.Body)
	}
	left, _ := e.st.DeadLetters(context.Background(), store.DeadLetterFilter{})
	if len(left) != 1 || left[0].Failure.Category != "other" {
		t.Fatalf("left after bulk discard: %+v", left)
	}
	w = e.do(req{method: http.MethodPost, path: "/dashboard/dead-letters/bulk", cookie: cookie,
		form: url.Values{csrfField: {csrf}, "action": {"explode"}, "all": {"true"}}})
	if w.Code != http.StatusBadRequest {
		t.Fatalf("bulk form with a bad action = %d", w.Code)
	}
	// A bearer header needs no CSRF token: browsers never send one unasked.
	w = e.do(req{method: http.MethodPost, path: fmt.Sprintf("/dashboard/dead-letters/%d/discard", left[0].ID), auth: testToken, form: url.Values{}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("discard form with a bearer header = %d", w.Code)
	}
}
