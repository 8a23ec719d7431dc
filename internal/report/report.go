// Package report answers operators' questions from the store: a record's
// timeline (`hubforce explain`, the admin API) and the dead letters
// (`hubforce dlq`). It reads what the store already keeps; it adds no
// bookkeeping of its own.
package report

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/store"
)

// Reader is the part of the store reports read.
type Reader interface {
	History(ctx context.Context, side hubforce.Side, object hubforce.Object, id string) ([]store.HistoryEntry, error)
	GetLink(ctx context.Context, object hubforce.Object, side hubforce.Side, id string) (hubforce.Link, error)
}

// Timeline is a record's story: what arrived for it, what was decided, and
// what was written — both from its own side's changes and from the linked
// record's changes on the other side.
type Timeline struct {
	Side    hubforce.Side
	Object  hubforce.Object
	ID      string
	Link    *hubforce.Link
	Entries []store.HistoryEntry
}

// Explain builds a record's timeline.
func Explain(ctx context.Context, r Reader, side hubforce.Side, obj hubforce.Object, id string) (Timeline, error) {
	t := Timeline{Side: side, Object: obj, ID: id}
	own, err := r.History(ctx, side, obj, id)
	if err != nil {
		return t, fmt.Errorf("history: %w", err)
	}
	t.Entries = own
	l, err := r.GetLink(ctx, obj, side, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return t, fmt.Errorf("link: %w", err)
	default:
		t.Link = &l
		other, err := r.History(ctx, side.Other(), obj, l.ID(side.Other()))
		if err != nil {
			return t, fmt.Errorf("history of the linked record: %w", err)
		}
		t.Entries = append(t.Entries, other...)
	}
	slices.SortStableFunc(t.Entries, func(a, b store.HistoryEntry) int {
		return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.ID, b.ID))
	})
	return t, nil
}

// Write prints a timeline for a terminal.
func (t Timeline) Write(w io.Writer) error {
	fmt.Fprintf(w, "%s %s %s\n", t.Side, t.Object, t.ID)
	if t.Link != nil {
		fmt.Fprintf(w, "linked: HubSpot %s ↔ Salesforce %s %s (since %s)\n", t.Link.HubSpotID, t.Object.SalesforceName(), t.Link.SalesforceID, stamp(t.Link.CreatedAt))
	} else {
		fmt.Fprintln(w, "not linked to a record on the other side")
	}
	if len(t.Entries) == 0 {
		fmt.Fprintln(w, "no history: nothing was received for this record within the retention period")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\nWHEN\tFROM\tCHANGE\tVERSION\tDECISION\tDETAIL")
	for _, r := range collapse(t.Entries) {
		fmt.Fprintf(tw, "%s\t%s %s\t%s%s\t%s\t%s\t%s\n", stamp(r.At), r.Side, r.RecordID, r.kinds, fieldList(r.Fields),
			stamp(r.Version), r.Decision, r.Detail)
	}
	return tw.Flush()
}

// row is one line of a timeline: entries that read the same, told once.
type row struct {
	store.HistoryEntry
	kinds string
}

// collapse merges consecutive entries that differ in nothing a reader sees
// but their kind: the changes of one record coalesced into one write are
// recorded one by one with the same decision, time and API call, and ten
// identical lines would only hide the story. The kinds are counted instead
// ("create + 4 updates").
func collapse(entries []store.HistoryEntry) []row {
	var out []row
	var counts map[hubforce.ChangeKind]int
	var order []hubforce.ChangeKind
	flush := func() {
		if len(out) == 0 {
			return
		}
		parts := make([]string, 0, len(order))
		for _, k := range order {
			if n := counts[k]; n > 1 {
				parts = append(parts, fmt.Sprintf("%d %ss", n, k))
			} else {
				parts = append(parts, string(k))
			}
		}
		out[len(out)-1].kinds = strings.Join(parts, " + ")
	}
	for _, e := range entries {
		if len(out) > 0 && sameLine(out[len(out)-1].HistoryEntry, e) {
			if counts[e.Kind] == 0 {
				order = append(order, e.Kind)
			}
			counts[e.Kind]++
			continue
		}
		flush()
		out = append(out, row{HistoryEntry: e})
		counts, order = map[hubforce.ChangeKind]int{e.Kind: 1}, []hubforce.ChangeKind{e.Kind}
	}
	flush()
	return out
}

// sameLine compares entries as their lines read: times to the millisecond
// printed, fields by name.
func sameLine(a, b store.HistoryEntry) bool {
	return stamp(a.At) == stamp(b.At) && a.Side == b.Side && a.RecordID == b.RecordID && stamp(a.Version) == stamp(b.Version) &&
		a.Decision == b.Decision && a.Detail == b.Detail && fieldList(a.Fields) == fieldList(b.Fields)
}

// WriteDeadLetters prints a list of dead letters.
func WriteDeadLetters(w io.Writer, list []store.DeadLetter) error {
	if len(list) == 0 {
		fmt.Fprintln(w, "no dead letters")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSINCE\tFROM\tRECORD\tCATEGORY\tCODE\tATTEMPTS\tMESSAGE")
	for _, d := range list {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s %s\t%s\t%s\t%d\t%s\n", d.ID, stamp(d.CreatedAt), d.Change.Side, d.Change.Object, d.Change.RecordID,
			d.Failure.Category, d.Failure.Code, d.Attempts, oneLine(d.Failure.Message, 100))
	}
	return tw.Flush()
}

// WriteDeadLetter prints one dead letter in full.
func WriteDeadLetter(w io.Writer, d store.DeadLetter) error {
	c := d.Change
	fmt.Fprintf(w, "dead letter %d\n", d.ID)
	fmt.Fprintf(w, "  record:    %s %s %s (%s)\n", c.Side, c.Object, c.RecordID, c.Kind)
	fmt.Fprintf(w, "  delivery:  %s, version %s\n", c.DeliveryID, stamp(c.Version))
	fmt.Fprintf(w, "  received:  %s; dead-lettered %s after %d attempts\n", stamp(d.EnqueuedAt), stamp(d.CreatedAt), d.Attempts)
	fmt.Fprintf(w, "  failure:   %s %s\n  message:   %s\n", d.Failure.Category, d.Failure.Code, d.Failure.Message)
	if len(c.Fields) > 0 {
		fmt.Fprintln(w, "  fields:")
		for _, k := range sortedKeys(c.Fields) {
			fmt.Fprintf(w, "    %s = %q\n", k, c.Fields[k])
		}
	}
	if c.Kind == hubforce.KindMalformed {
		// Verbatim, as it arrived: this is what to show the sender.
		fmt.Fprintf(w, "  raw (%d bytes, as received; control characters escaped):\n%s\n", len(c.Raw), printable(c.Raw))
		fmt.Fprintf(w, "it cannot be replayed; once the sender is fixed, discard it with: hubforce dlq discard %d\n", d.ID)
		return nil
	}
	fmt.Fprintf(w, "replay it with: hubforce dlq replay %d\n", d.ID)
	return nil
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05.000")
}

// fieldList names a change's fields, shortened past a few: an outbound
// message carries every selected field.
func fieldList(f map[string]string) string {
	keys := sortedKeys(f)
	switch {
	case len(keys) == 0:
		return ""
	case len(keys) > 4:
		return fmt.Sprintf(" (%s… %d fields)", strings.Join(keys[:3], ", "), len(keys))
	}
	return " (" + strings.Join(keys, ", ") + ")"
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// printable escapes control characters (but newlines and tabs) and invalid
// UTF-8: a malformed delivery may come from anyone, and its bytes must not
// drive the operator's terminal.
func printable(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == utf8.RuneError && invalidAt(s, i):
			fmt.Fprintf(&b, "\\x%02x", s[i])
		case r == '\n' || r == '\t' || !unicode.IsControl(r):
			b.WriteRune(r)
		default:
			fmt.Fprintf(&b, "\\u%04x", r)
		}
	}
	return b.String()
}

func invalidAt(s string, i int) bool {
	_, size := utf8.DecodeRuneInString(s[i:])
	return size == 1
}
