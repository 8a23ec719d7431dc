package salesforcesim_test

import (
	"context"
	"net/http/httptest"
	"time"

	"github.com/hubforce/hubforce/internal/salesforcesim"
)

// A test starts the simulator on httptest, tells it its URL, points the
// Outbound Messages at the bridge, makes a change as a UI user and waits
// until the notification was acknowledged.
func Example() {
	sim := salesforcesim.New(salesforcesim.Config{
		ClientID:            "client",
		ClientSecret:        "secret",
		RefreshTokens:       []string{"refresh"},
		OutboundRetryDelays: []time.Duration{10 * time.Millisecond},
	})
	defer sim.Close()
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	sim.SetURL(srv.URL) // also the OAuth login URL: POST {srv.URL}/services/oauth2/token

	bridge := httptest.NewServer(nil) // the bridge's POST /webhooks/salesforce
	defer bridge.Close()
	sim.SetOutboundURL(bridge.URL + "/webhooks/salesforce")

	id, err := sim.Create("Contact", map[string]any{"LastName": "Lovelace", "Email": "ada@example.com"}, "005000000000002AAA")
	if err != nil {
		panic(err)
	}
	_ = sim.Update("Contact", id, map[string]any{"Title": "Countess"}, "005000000000002AAA")

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = sim.WaitIdle(ctx)
	_ = sim.OutboundStats()
}
