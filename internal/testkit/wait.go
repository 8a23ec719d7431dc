package testkit

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// How often Eventually and WaitFor look again: a condition Eventually
// checks may be a request to a server (or a list of 10,000 records), one
// WaitFor checks is read in memory.
const (
	pollEvery    = 20 * time.Millisecond
	recheckEvery = 2 * time.Millisecond
)

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
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: not within %s", what, timeout)
		}
		time.Sleep(recheckEvery) // polling a condition, not synchronising
	}
}
