package connect

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/rs/zerolog"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/hubspotsim"
	"github.com/hubforce/hubforce/internal/salesforcesim"
	"github.com/hubforce/hubforce/internal/testkit"
)

const (
	adminToken   = "admin-secret"
	hsClientID   = "hs-client"
	hsSecret     = "hs-secret"
	hsRefresh    = "hs-initial-refresh"
	sfClientID   = "sf-client"
	sfSecret     = "sf-secret"
	sfRefresh    = "sf-initial-refresh"
	stateKeyText = "correct horse battery staple"
)

// recorder stands in for a client's SetRefreshToken.
type recorder struct {
	mu     sync.Mutex
	tokens []string
	err    error
}

func (r *recorder) apply(_ context.Context, tok string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tokens = append(r.tokens, tok)
	return r.err
}

func (r *recorder) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.tokens...)
}

type fixture struct {
	hs, sf         *httptest.Server
	hsSim          *hubspotsim.Server
	sfSim          *salesforcesim.Server
	bridge         *httptest.Server
	clock          *testkit.Clock
	logs           *testkit.LogBuffer
	log            zerolog.Logger
	hsApply, sfApp *recorder
}

// newFixture starts both simulators (answering Allow at once) and a
// bridge serving Handler at /connect behind a bearer check. mutate may
// change the Config before the handler is built.
func newFixture(t *testing.T, mutate func(*Config)) *fixture {
	t.Helper()
	f := &fixture{clock: testkit.NewClock(time.Now()), logs: &testkit.LogBuffer{}, hsApply: &recorder{}, sfApp: &recorder{}}
	f.log = zerolog.New(f.logs)
	f.hsSim = hubspotsim.New(hubspotsim.Config{ClientID: hsClientID, ClientSecret: hsSecret, RefreshTokens: []string{hsRefresh}, Logger: f.log})
	f.hsSim.SetConsent(hubspotsim.ConsentAllow)
	f.hs = httptest.NewServer(f.hsSim.Handler())
	f.sfSim = salesforcesim.New(salesforcesim.Config{ClientID: sfClientID, ClientSecret: sfSecret, RefreshTokens: []string{sfRefresh}, Logger: f.log})
	f.sfSim.SetConsent(salesforcesim.ConsentAllow)
	f.sf = httptest.NewServer(f.sfSim.Handler())
	f.sfSim.SetURL(f.sf.URL)
	cfg := Config{
		Sides: []Side{
			{Name: hubforce.HubSpot, AuthorizeURL: f.hs.URL + "/oauth/authorize", TokenURL: f.hs.URL + "/oauth/2026-03/token",
				ClientID: hsClientID, ClientSecret: hsSecret, Scopes: []string{"oauth", "crm.objects.contacts.read", "crm.objects.contacts.write"},
				Apply: f.hsApply.apply},
			{Name: hubforce.Salesforce, AuthorizeURL: f.sf.URL + "/services/oauth2/authorize", TokenURL: f.sf.URL + "/services/oauth2/token",
				ClientID: sfClientID, ClientSecret: sfSecret, Scopes: []string{"api", "refresh_token"}, Apply: f.sfApp.apply},
		},
		Authorize: requireAdmin,
		Key:       StateKey(stateKeyText),
		Now:       f.clock.Now,
		Log:       f.log,
	}
	if mutate != nil {
		mutate(&cfg)
	}
	r := chi.NewRouter()
	r.Mount("/connect", Handler(cfg))
	f.bridge = httptest.NewServer(r)
	t.Cleanup(func() {
		f.bridge.Close()
		f.hs.Close()
		f.sf.Close()
		f.hsSim.Close()
		f.sfSim.Close()
	})
	return f
}

func requireAdmin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+adminToken {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// browser follows redirects by hand with a cookie jar, so that tests can
// stop before the callback and see every URL visited.
type browser struct {
	t       *testing.T
	c       *http.Client
	visited []string
}

func newBrowser(t *testing.T) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, c: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type answer struct {
	status int
	header http.Header
	body   string
}

func (b *browser) get(u string, admin bool) answer {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	if admin {
		req.Header.Set("Authorization", "Bearer "+adminToken)
	}
	b.visited = append(b.visited, u)
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, header: resp.Header, body: string(body)}
}

// follow starts at u (as the admin) and follows redirects until a page
// that is not one, or until the next URL is the bridge's callback when
// stopAtCallback; it returns the last page and the URL it stopped at.
func (b *browser) follow(u string, stopAtCallback bool) (answer, string) {
	b.t.Helper()
	admin := true
	for range 10 {
		p := b.get(u, admin)
		admin = false
		if p.status < 300 || p.status >= 400 {
			return p, u
		}
		next, err := url.Parse(p.header.Get("Location"))
		if err != nil {
			b.t.Fatalf("bad Location %q", p.header.Get("Location"))
		}
		base, _ := url.Parse(u)
		u = base.ResolveReference(next).String()
		if stopAtCallback && strings.HasSuffix(next.Path, "/callback") {
			return p, u
		}
	}
	b.t.Fatalf("too many redirects from %s", b.visited[0])
	return answer{}, ""
}

// refreshWorks reports whether the token endpoint grants an access token
// for rt.
func refreshWorks(t *testing.T, tokenURL, clientID, secret, rt string) bool {
	t.Helper()
	resp, err := http.PostForm(tokenURL, url.Values{"grant_type": {"refresh_token"}, "client_id": {clientID},
		"client_secret": {secret}, "refresh_token": {rt}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}
