package hubforce

import "time"

// DeliveryState is how deliveries to one side are going, as an operator
// should see it on the dashboard, the status API and the alerts.
type DeliveryState string

const (
	// Flowing: the last writes succeeded, or there was nothing to write.
	Flowing DeliveryState = "flowing"
	// Failing: writes keep failing with errors that are retried (5xx,
	// timeouts, connection errors, 429 beyond the budget). Changes wait in
	// the store and go out once the side answers again.
	Failing DeliveryState = "failing"
	// Paused: the bridge holds deliveries back on purpose until something
	// is fixed (refused credentials, spent API budget). Nothing is lost.
	Paused DeliveryState = "paused"
)

// Health is the state of deliveries going to one side.
type Health struct {
	To     Side          `json:"to"`
	State  DeliveryState `json:"state"`
	Reason string        `json:"reason,omitempty"` // why it is failing or paused, in the API's words
	// Since is when the current state began (zero before the first round).
	Since time.Time `json:"since"`
	// Failures counts failed write attempts (records) since the state
	// began; zero while flowing.
	Failures int `json:"failures"`
	// LastSuccess is when a write to this side last succeeded.
	LastSuccess time.Time `json:"last_success"`
}
