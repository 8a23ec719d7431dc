package logging

import (
	"bytes"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

func env(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
}

func TestColourOnlyOnATerminalAndNeverWithNoColor(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = r.Close(); _ = w.Close() }()
	for name, tc := range map[string]struct {
		w   io.Writer
		env map[string]string
	}{
		"buffer":             {&bytes.Buffer{}, nil},
		"pipe":               {w, nil},
		"NO_COLOR on a pipe": {w, map[string]string{"NO_COLOR": "1"}},
	} {
		if Colour(tc.w, env(tc.env)) {
			t.Errorf("%s: coloured", name)
		}
	}
	// NO_COLOR wins even where colour would be allowed: checked before the
	// terminal is.
	if Colour(os.Stderr, env(map[string]string{"NO_COLOR": "yes"})) {
		t.Error("coloured with NO_COLOR set")
	}
}

func TestConsoleLineReadsWell(t *testing.T) {
	var buf bytes.Buffer
	log := zerolog.New(Console(&buf, false))
	log.Info().Str("component", "delivery").Str("side", "hubspot").
		Msg("HubSpot contact 51202 → Salesforce Contact 003… updated (phone) in 180 ms")
	got := buf.String()
	if strings.Contains(got, "\x1b[") {
		t.Errorf("escape codes without colour: %q", got)
	}
	want := "INF delivery       HubSpot contact 51202 → Salesforce Contact 003… updated (phone) in 180 ms side=hubspot"
	if !strings.Contains(got, want) {
		t.Errorf("got %q, want it to contain %q", got, want)
	}
}

func TestNewRefusesUnknownLevelsAndFormats(t *testing.T) {
	for _, tc := range [][2]string{{"verbose", "json"}, {"info", "pretty"}, {"", "json"}} {
		if _, err := New(&bytes.Buffer{}, tc[0], tc[1]); err == nil {
			t.Errorf("New(%q, %q) accepted", tc[0], tc[1])
		}
	}
}

func TestDurationHasUnits(t *testing.T) {
	for d, want := range map[time.Duration]string{
		180*time.Millisecond + 400*time.Microsecond: "180ms",
		1254 * time.Millisecond:                     "1.25s",
		3*time.Minute + 400*time.Millisecond:        "3m0s",
		2567 * time.Nanosecond:                      "3µs",
	} {
		if got := Duration(d); got != want {
			t.Errorf("Duration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestConsoleLeavesOutTheStoryDetailsJSONKeepsThem(t *testing.T) {
	var console, js bytes.Buffer
	for _, log := range []zerolog.Logger{zerolog.New(Console(&console, false)), zerolog.New(&js)} {
		log.Info().Dict(StoryKey, zerolog.Dict().Str("record", "51202").Int64("latency_ms", 180)).
			Msg("HubSpot contact 51202 → Salesforce Contact 003… updated (phone) in 180ms")
	}
	if strings.Contains(console.String(), "latency_ms") || !strings.Contains(console.String(), "in 180ms") {
		t.Errorf("console line: %q", console.String())
	}
	if !strings.Contains(js.String(), `"sync":{"record":"51202","latency_ms":180}`) {
		t.Errorf("JSON line: %q", js.String())
	}
}
