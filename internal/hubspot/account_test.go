package hubspot

import (
	"context"
	"strings"
	"testing"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/hubspotsim"
	"github.com/hubforce/hubforce/internal/testkit"
)

func TestPortalIDFromAccountDetails(t *testing.T) {
	e := newEnv(t, hubspotsim.Config{PortalID: 4711})
	c := e.client(t, nil)
	id, err := c.PortalID(context.Background())
	if err != nil || id != 4711 {
		t.Fatalf("PortalID = %d, %v; want 4711", id, err)
	}
	route := "GET /account-info/" + DefaultAPIVersion + "/details"
	if n := e.sim.Calls()[route]; n != 1 {
		t.Errorf("%d calls to %s: %v", n, route, e.sim.Calls())
	}
}

// OAuth started with the app's client id and secret alone waits for its
// first refresh token from Connect: calls pause with a clear reason, said
// once, and work once Connect supplied the token.
func TestOAuthWithoutRefreshTokenWaitsForConnect(t *testing.T) {
	clock := newSimClock()
	e := newEnv(t, hubspotsim.Config{Now: clock.Now})
	store := testkit.NewCredentials()
	c := e.client(t, func(cfg *ClientConfig) {
		oauth(store, clock.Now)(cfg)
		cfg.RefreshToken = ""
	})
	ctx := context.Background()
	for range 3 {
		err := c.Ready(ctx)
		if hubforce.ClassOf(err) != hubforce.Auth || !strings.Contains(err.Error(), "waiting for Connect") {
			t.Fatalf("Ready: %v; want a pause waiting for Connect", err)
		}
	}
	if n := e.sim.Calls()[tokenRoute]; n != 0 {
		t.Fatalf("%d token calls without a refresh token", n)
	}
	if n := strings.Count(e.log.String(), "/connect/hubspot"); n != 1 {
		t.Fatalf("the wait is said %d times, want once:\n%s", n, e.log.String())
	}
	if err := c.SetRefreshToken(ctx, testRefresh); err != nil {
		t.Fatalf("after Connect: %v", err)
	}
	if _, err := c.PortalID(ctx); err != nil {
		t.Fatalf("a call after Connect: %v", err)
	}
}
