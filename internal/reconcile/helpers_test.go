package reconcile_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/hubspot"
	"github.com/hubforce/hubforce/internal/hubspotsim"
	"github.com/hubforce/hubforce/internal/mapping"
	"github.com/hubforce/hubforce/internal/salesforce"
	"github.com/hubforce/hubforce/internal/salesforcesim"
	"github.com/hubforce/hubforce/internal/store"
	"github.com/hubforce/hubforce/internal/testkit"
)

// uiUser is a Salesforce user who is not the integration user.
const uiUser = "005000000000002AAA"

// world is both simulators with webhooks and Outbound Messages switched
// off (every change is "lost"), real clients over HTTP, and a real SQLite
// store.
type world struct {
	st    store.Store
	hsSim *hubspotsim.Server
	hs    *hubspot.Client
	sfSim *salesforcesim.Server
	sf    *salesforce.Client
	m     *mapping.Mapping
}

func newWorld(t *testing.T, sfCfg salesforcesim.Config) *world {
	t.Helper()
	ctx := context.Background()
	url := "sqlite:" + filepath.Join(t.TempDir(), "hubforce.db")
	if err := store.Migrate(ctx, url); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	st, err := store.Open(ctx, url)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })

	hsSim := hubspotsim.New(hubspotsim.Config{PrivateAppTokens: []string{"pat-test"}})
	t.Cleanup(hsSim.Close)
	hsSrv := httptest.NewServer(hsSim.Handler())
	t.Cleanup(hsSrv.Close)
	hs, err := hubspot.NewClient(hubspot.ClientConfig{BaseURL: hsSrv.URL, AccessToken: "pat-test"})
	if err != nil {
		t.Fatal(err)
	}

	sfCfg.ClientID, sfCfg.ClientSecret, sfCfg.RefreshTokens = "client", "secret", []string{"refresh"}
	sfSim := salesforcesim.New(sfCfg)
	t.Cleanup(sfSim.Close)
	sfSrv := httptest.NewServer(sfSim.Handler())
	t.Cleanup(sfSrv.Close)
	sfSim.SetURL(sfSrv.URL)
	sf, err := salesforce.NewClient(salesforce.ClientConfig{LoginURL: sfSrv.URL, ClientID: "client",
		ClientSecret: "secret", RefreshToken: "refresh"})
	if err != nil {
		t.Fatal(err)
	}
	return &world{st: st, hsSim: hsSim, hs: hs, sfSim: sfSim, sf: sf, m: mapping.Default()}
}

func (w *world) hubspotContact(t *testing.T, email string) hubspotsim.Record {
	t.Helper()
	r, err := w.hsSim.Create("contacts", map[string]string{"email": email, "firstname": "Ada", "lastname": "Lovelace"}, hubspotsim.UI(42))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (w *world) salesforceContact(t *testing.T, email string) string {
	t.Helper()
	id, err := w.sfSim.Create("Contact", map[string]any{"LastName": "Lovelace", "Email": email}, uiUser)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// pending waits until the store's queue going to `to` holds n changes (the
// store may judge ingested changes just after Ingest returns) and claims
// them.
func (w *world) pending(t *testing.T, to hubforce.Side, n int) []store.Claimed {
	t.Helper()
	ctx := context.Background()
	testkit.WaitFor(t, "pending changes", 10*time.Second, func() bool {
		qs, err := w.st.QueueStats(ctx, to)
		return err == nil && qs.Pending >= int64(n)
	})
	got, err := w.st.Claim(ctx, to, "test", 1000, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n {
		t.Fatalf("pending changes to %s: got %d, want %d", to, len(got), n)
	}
	return got
}

// expectAccepted waits until a record's history holds want entries with
// decision accepted (the store may judge ingested changes just after Ingest
// returns) and fails with the count it last saw otherwise. Dedupe turns a
// repeat into a duplicate entry, never into a further accepted one.
func (w *world) expectAccepted(t *testing.T, side hubforce.Side, obj hubforce.Object, id string, want int) {
	t.Helper()
	n := 0
	deadline := time.Now().Add(10 * time.Second)
	for {
		h, err := w.st.History(context.Background(), side, obj, id)
		if err != nil {
			t.Fatal(err)
		}
		n = 0
		for _, e := range h {
			if e.Decision == hubforce.Accepted {
				n++
			}
		}
		if n == want {
			return
		}
		if n > want || time.Now().After(deadline) {
			t.Errorf("%s %s %s: %d accepted history entries, want %d", side, obj, id, n, want)
			return
		}
		time.Sleep(5 * time.Millisecond) // polling a condition, not synchronising
	}
}

// failingStore makes Ingest fail while fail is set.
type failingStore struct {
	store.Store
	fail atomic.Bool
}

var errDiskFull = errors.New("disk full")

func (f *failingStore) Ingest(ctx context.Context, cs []hubforce.Change) ([]hubforce.Decision, error) {
	if f.fail.Load() {
		return nil, errDiskFull
	}
	return f.Store.Ingest(ctx, cs)
}

// later is a clock past the simulators' records, so that they fall before
// the poll's settle horizon.
func later() time.Time { return time.Now().Add(2 * time.Minute) }
