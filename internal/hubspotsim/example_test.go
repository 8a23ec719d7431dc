package hubspotsim_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/hubforce/hubforce/internal/hubspotsim"
)

// A test starts the simulator on a listener, points webhooks at its own
// receiver, makes a change as a UI user and waits for the delivery.
func Example() {
	got := make(chan string, 10)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- string(body)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer receiver.Close()

	sim := hubspotsim.New(hubspotsim.Config{
		AppID: 54321, ClientSecret: "secret", PrivateAppTokens: []string{"pat-1"},
		WebhookURL: receiver.URL, Subscriptions: []string{"contact.creation"},
		WebhookLinger: time.Millisecond,
	})
	defer sim.Close()
	api := httptest.NewServer(sim.Handler()) // the bridge's HUBFORCE_HUBSPOT_API_URL
	defer api.Close()

	if _, err := sim.Create("contacts", map[string]string{"email": "ada@example.com"}, hubspotsim.UI(42)); err != nil {
		fmt.Println(err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := sim.WaitIdle(ctx); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(got), sim.DeliveryStats().Sent)
	// Output: 1 1
}
