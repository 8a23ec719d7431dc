// Package logging builds the process's zerolog logger from configuration.
//
// Two conventions keep every line readable by people and pipelines alike:
// a logger gets its "component" once, from the root logger (a sub-logger
// that added it again would repeat the key in JSON, and log pipelines keep
// only one of the two); and a duration is logged with its unit, as a Go
// duration string (Duration) or a number under a key ending in _ms.
package logging

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/term"
)

// New returns a logger writing to w at level (debug, info, warn, error) in format
// "json" (production) or "console" (people at a terminal). The console
// format is coloured only when w is a terminal and NO_COLOR is not set
// (no-color.org).
func New(w io.Writer, level, format string) (zerolog.Logger, error) {
	lvl, err := zerolog.ParseLevel(level)
	if err != nil || level == "" {
		return zerolog.Nop(), fmt.Errorf("HUBFORCE_LOG_LEVEL must be one of debug, info, warn, error, not %q", level)
	}
	switch format {
	case "json":
	case "console":
		w = Console(w, Colour(w, os.LookupEnv))
	default:
		return zerolog.Nop(), fmt.Errorf("HUBFORCE_LOG_FORMAT must be json or console, not %q", format)
	}
	return zerolog.New(w).Level(lvl).With().Timestamp().Logger(), nil
}

// Colour reports whether output to w may be coloured: w is a terminal and
// NO_COLOR is unset or empty.
func Colour(w io.Writer, lookup func(string) (string, bool)) bool {
	if v, ok := lookup("NO_COLOR"); ok && v != "" {
		return false
	}
	f, ok := w.(interface{ Fd() uintptr })
	return ok && term.IsTerminal(int(f.Fd()))
}

// StoryKey holds the structured details of a line whose message already
// tells them to a person; the console format leaves it out.
const StoryKey = "sync"

// Console is the people's format: time, level, the component in a fixed
// column, then the message and the remaining fields.
//
//	14:03:07 INF delivery    HubSpot contact 51202 → Salesforce Contact 003… updated (phone) in 180 ms
func Console(w io.Writer, colour bool) zerolog.ConsoleWriter {
	return zerolog.ConsoleWriter{
		Out: w, NoColor: !colour, TimeFormat: time.TimeOnly,
		PartsOrder:    []string{zerolog.TimestampFieldName, zerolog.LevelFieldName, "component", zerolog.MessageFieldName},
		FieldsExclude: []string{"component", StoryKey},
		FormatPartValueByName: func(v any, name string) string {
			s, _ := v.(string)
			if name != "component" {
				return s
			}
			s = fmt.Sprintf("%-14s", s)
			if colour {
				s = "\x1b[2m" + s + "\x1b[0m" // dim: the message is what matters
			}
			return s
		},
	}
}

// Duration formats d for a log line with its unit, at a precision a person
// reads: 180ms, 1.25s, 3m0s.
func Duration(d time.Duration) string {
	switch {
	case d >= time.Minute:
		return d.Round(time.Second).String()
	case d >= time.Second:
		return d.Round(10 * time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(time.Millisecond).String()
	}
	return d.Round(time.Microsecond).String()
}
