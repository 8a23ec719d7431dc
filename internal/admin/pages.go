package admin

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/webui"
)

//go:embed templates/*.html
var templateFS embed.FS

// pages holds one template set per page, each the layout plus the page's
// "content".
type pages struct {
	set map[string]*template.Template
}

var pageNames = []string{"overview", "login", "error", "deadletters", "deadletter", "explain"}

func parsePages() (*pages, error) {
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("admin: parse layout: %w", err)
	}
	p := &pages{set: map[string]*template.Template{}}
	for _, name := range pageNames {
		t, err := template.Must(base.Clone()).ParseFS(templateFS, "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("admin: parse page %s: %w", name, err)
		}
		p.set[name] = t
	}
	return p, nil
}

// view is what every page gets: the page's own data in Data.
type view struct {
	Title    string
	Refresh  bool // meta refresh every 10 s
	SignedIn bool // a session cookie (not a bearer header) is in use
	Nav      bool // the navigation links; not on the sign-in page
	CSRF     string
	Now      time.Time
	Notice   string
	Data     any
}

func (a *API) render(w http.ResponseWriter, r *http.Request, code int, page string, v view) {
	s := a.session(r)
	v.SignedIn = s != ""
	v.CSRF = a.csrfToken(s)
	v.Now = a.cfg.Now().UTC()
	v.Nav = page != "login"
	var buf bytes.Buffer
	if err := a.pages.set[page].ExecuteTemplate(&buf, "layout.html", v); err != nil {
		a.cfg.Log.Error().Err(err).Str("page", page).Msg("dashboard page failed to render")
		http.Error(w, "the page failed to render; see the server log", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	_, _ = buf.WriteTo(w)
}

func (a *API) renderLogin(w http.ResponseWriter, r *http.Request, code int, msg string) {
	a.render(w, r, code, "login", view{Title: "Sign in", Notice: msg})
}

func (a *API) renderError(w http.ResponseWriter, r *http.Request, code int, msg string) {
	a.render(w, r, code, "error", view{Title: http.StatusText(code), Data: msg})
}

var funcs = template.FuncMap{
	"style":      webui.Style,
	"stamp":      stampOf,
	"stampPtr":   func(t *time.Time) string { return ptrStamp(t) },
	"age":        ageOf,
	"since":      func(now, t time.Time) string { return humanDuration(now.Sub(t)) },
	"sideName":   sideName,
	"objName":    objName,
	"pct":        func(b *Budget) string { return fmt.Sprintf("%.0f", b.Share()*100) },
	"barClass":   barClass,
	"stateClass": stateClass,
	"stateLabel": stateLabel,
	"card": func(o overview, now time.Time, d Direction) dirCard {
		return dirCard{D: d, Now: now, Connect: o.CanConnect(d.To)}
	},
	"decClass":  decisionClass,
	"sortedKV":  sortedKV,
	"sortedVer": sortedVersions,
	"short":     short,
	"thousands": thousands,
	"newExplain": func() explainData {
		return explainData{Side: hubforce.HubSpot, Object: hubforce.Contact}
	},
}

func stampOf(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

func ptrStamp(t *time.Time) string {
	if t == nil {
		return "—"
	}
	return stampOf(*t)
}

func ageOf(sec *float64) string {
	if sec == nil {
		return "—"
	}
	return humanDuration(time.Duration(*sec * float64(time.Second)))
}

func humanDuration(d time.Duration) string {
	switch {
	case d < 0:
		return "0 s"
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.0f s", d.Seconds())
	case d < time.Hour:
		return fmt.Sprintf("%d min %d s", int(d.Minutes()), int(d.Seconds())%60)
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h %d min", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%d days", int(d.Hours()/24))
}

func sideName(s hubforce.Side) string {
	switch s {
	case hubforce.HubSpot:
		return "HubSpot"
	case hubforce.Salesforce:
		return "Salesforce"
	}
	return string(s)
}

// objName is the object as the side spells it (contacts, Account).
func objName(s hubforce.Side, o hubforce.Object) string {
	if s == hubforce.Salesforce {
		return o.SalesforceName()
	}
	return o.HubSpotName()
}

func barClass(b *Budget) string {
	switch share := b.Share(); {
	case share >= 0.9:
		return "bad"
	case share >= 0.7:
		return "warn"
	}
	return "ok"
}

// dirCard is what a direction's card needs.
type dirCard struct {
	D       Direction
	Now     time.Time
	Connect bool // show the Connect button
}

// failingRed is how long a direction fails in amber before it turns red.
const failingRed = 5 * time.Minute

// stateClass colours a direction: paused or unreadable is red; failing is
// amber, then red once it has lasted failingRed; a change waiting over
// five minutes amber.
func stateClass(d Direction, now time.Time) string {
	switch {
	case d.State == hubforce.Paused || d.Error != nil:
		return "bad"
	case d.State == hubforce.Failing:
		if d.Since != nil && now.Sub(*d.Since) >= failingRed {
			return "bad"
		}
		return "warn"
	case d.State == StateUnknown:
		return "muted"
	case d.OldestPendingAgeSeconds != nil && *d.OldestPendingAgeSeconds > 300:
		return "warn"
	}
	return "ok"
}

// stateLabel is the pill's word.
func stateLabel(d Direction) string {
	switch {
	case d.Error != nil:
		return "Unknown"
	case d.State == hubforce.Paused:
		return "Paused"
	case d.State == hubforce.Failing:
		return "Failing"
	case d.State == StateUnknown:
		return "Not delivering here"
	case d.OldestPendingAgeSeconds != nil && *d.OldestPendingAgeSeconds > 300:
		return "Lagging"
	case d.QueueDepth == 0:
		return "Up to date"
	}
	return "Flowing"
}

func decisionClass(d hubforce.Decision) string {
	switch d {
	case hubforce.Applied, hubforce.Accepted:
		return "ok"
	case hubforce.DeadLettered:
		return "bad"
	case hubforce.Conflicted:
		return "warn"
	}
	return "muted"
}

type kv struct{ K, V string }

func sortedKV(m map[string]string) []kv {
	out := make([]kv, 0, len(m))
	for k, v := range m {
		out = append(out, kv{k, v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].K < out[j].K })
	return out
}

type kt struct {
	K string
	T time.Time
}

func sortedVersions(m map[string]time.Time) []kt {
	out := make([]kt, 0, len(m))
	for k, v := range m {
		out = append(out, kt{k, v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].K < out[j].K })
	return out
}

func short(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

func thousands(n any) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
