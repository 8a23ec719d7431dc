package testkit

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// pollEvery is how often Eventually and WaitFor look again. A condition is
// often a request to a simulator whose API allocation it spends, as the
// bridge under test does: polled every 2 ms, a test spent a simulated
// Salesforce org's daily allocation in half a minute and starved the
// bridge it was waiting for.
const pollEvery = 20 * time.Millisecond

// Eventually polls cond until it holds or the timeout passes, and returns
// cond's last error with the timeout. Polling a condition is the
// synchronisation where the system under test runs on its own (a server
// reached over HTTP, a background goroutine of the store).
func Eventually(ctx context.Context, timeout time.Duration, cond func() (bool, error)) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	t := time.NewTicker(pollEvery)
	defer t.Stop()
	var last error
	for {
		ok, err := cond()
		if ok {
			return nil
		}
		last = err
		select {
		case <-ctx.Done():
			if last != nil {
				return fmt.Errorf("condition not met within %s: %w", timeout, last)
			}
			return fmt.Errorf("condition not met within %s", timeout)
		case <-t.C:
		}
	}
}

// WaitFor fails the test when cond does not hold within timeout.
func WaitFor(t testing.TB, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	if err := Eventually(context.Background(), timeout, func() (bool, error) { return cond(), nil }); err != nil {
		t.Fatalf("waiting for %s: not within %s", what, timeout)
	}
}
