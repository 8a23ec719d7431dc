package connect

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hubforce/hubforce"
)

func TestStateKey(t *testing.T) {
	a, b := StateKey("secret"), StateKey("secret")
	if len(a) != 32 || !bytes.Equal(a, b) || bytes.Equal(a, StateKey("other")) || bytes.Contains(a, []byte("secret")) {
		t.Fatalf("StateKey not a stable 32-byte derivation: %x", a)
	}
	if StateKey("") != nil {
		t.Fatal("an empty secret must give no key")
	}
}

func TestVerifyState(t *testing.T) {
	key := StateKey("k")
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	good := signState(key, hubforce.HubSpot, now.Add(DefaultStateTTL), "nonce-1")
	if strings.Contains(good, "nonce-1") {
		t.Fatal("the state must not carry the cookie's nonce")
	}
	parts := strings.Split(good, ".")
	parts[2] = "9999999999"
	edited := strings.Join(parts, ".")
	cases := []struct {
		name  string
		state string
		side  hubforce.Side
		at    time.Time
		nonce string
		want  error
	}{
		{"ok", good, hubforce.HubSpot, now, "nonce-1", nil},
		{"empty", "", hubforce.HubSpot, now, "nonce-1", errStateMalformed},
		{"garbage", "v1.a.b", hubforce.HubSpot, now, "nonce-1", errStateMalformed},
		{"other key", signState(StateKey("x"), hubforce.HubSpot, now.Add(time.Minute), "nonce-1"), hubforce.HubSpot, now, "nonce-1", errStateSignature},
		{"edited expiry", edited, hubforce.HubSpot, now, "nonce-1", errStateSignature},
		{"other side", good, hubforce.Salesforce, now, "nonce-1", errStateSide},
		{"expired", good, hubforce.HubSpot, now.Add(DefaultStateTTL), "nonce-1", errStateExpired},
		{"no cookie", good, hubforce.HubSpot, now, "", errStateCookie},
		{"other cookie", good, hubforce.HubSpot, now, "nonce-2", errStateCookie},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := verifyState(key, tc.state, tc.side, tc.at, tc.nonce); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func FuzzVerifyState(f *testing.F) {
	key := StateKey("k")
	now := time.Unix(1_800_000_000, 0)
	f.Add(signState(key, hubforce.HubSpot, now.Add(time.Minute), "n"), "n")
	f.Add("v1.hubspot.1.x.y", "")
	f.Fuzz(func(t *testing.T, state, nonce string) {
		err := verifyState(key, state, hubforce.HubSpot, now, nonce)
		if err == nil && state != signState(key, hubforce.HubSpot, time.Unix(mustExp(t, state), 0), nonce) {
			t.Fatalf("accepted a state this key did not sign: %q", state)
		}
	})
}

func mustExp(t *testing.T, state string) int64 {
	exp, err := strconv.ParseInt(strings.Split(state, ".")[2], 10, 64)
	if err != nil {
		t.Fatalf("accepted a state with expiry %q", state)
	}
	return exp
}
