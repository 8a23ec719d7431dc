package guide

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/store"
)

// fakeRunner has the CLIs in installed; those in signedOut fail their
// sign-in check. It records every call as "DIR NAME ARGS".
type fakeRunner struct {
	installed, signedOut []string
	calls                []string
}

func (f *fakeRunner) LookPath(name string) (string, error) {
	if slices.Contains(f.installed, name) {
		return "/bin/" + name, nil
	}
	return "", errors.New("not found")
}

func (f *fakeRunner) Run(_ context.Context, dir string, _ io.Writer, name string, args ...string) error {
	f.calls = append(f.calls, dir+" "+name+" "+strings.Join(args, " "))
	if slices.Contains(f.signedOut, name) && (args[0] == "account" || args[0] == "org") {
		return errors.New("exit status 1")
	}
	return nil
}

// TestRunAsksAndWaits: interactively, the public URL is asked for, the
// login host defaults, hs (signed in) uploads, sf (absent) is explained and
// waited for, the Connect pages open in the browser and doctor runs last.
func TestRunAsksAndWaits(t *testing.T) {
	dir := t.TempDir()
	r := &fakeRunner{installed: []string{"hs"}}
	var projects, opened []string
	doctored := false
	var out strings.Builder
	err := Run(context.Background(), Options{
		Dir: dir, Interactive: true, Out: &out,
		// the public URL, the login host (default), Enter after sf's commands,
		// after starting serve, after Connect.
		In:     strings.NewReader("https://sync.example.com/\n\n\n\n\n"),
		Runner: r,
		Projects: func(hs, sf, public, login string) error {
			projects = append(projects, hs, sf, public, login)
			return nil
		},
		Doctor:  func(context.Context, io.Writer) error { doctored = true; return nil },
		Browser: func(u string) error { opened = append(opened, u); return nil },
	})
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	hs, sf := filepath.Join(dir, HubSpotDir), filepath.Join(dir, SalesforceDir)
	if want := []string{hs, sf, "https://sync.example.com", DefaultLoginURL}; !slices.Equal(projects, want) {
		t.Errorf("projects written with %q, want %q", projects, want)
	}
	if want := []string{hs + " hs account list", hs + " hs project upload"}; !slices.Equal(r.calls, want) {
		t.Errorf("calls %q, want %q", r.calls, want)
	}
	if want := []string{"https://sync.example.com/connect/hubspot", "https://sync.example.com/connect/salesforce"}; !slices.Equal(opened, want) {
		t.Errorf("opened %q, want %q", opened, want)
	}
	if !doctored {
		t.Error("doctor did not run")
	}
	for _, want := range []string{
		"The bridge's public URL (HTTPS, where HubSpot and Salesforce will call it): ",
		"[" + DefaultLoginURL + "]: ",
		"  sf is not installed; run these yourself (",
		"    cd " + sf + " && sf project deploy start --source-dir force-app\n  Press Enter when done ",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the output lacks %q\n%s", want, out.String())
		}
	}
}

// TestRunStopsWhenInputEnds: waiting for Enter on a closed input is an
// error that points at --yes, not a hang.
func TestRunStopsWhenInputEnds(t *testing.T) {
	err := Run(context.Background(), Options{
		Dir: t.TempDir(), PublicURL: "https://sync.example.com", Out: io.Discard, In: strings.NewReader(""),
		Runner: &fakeRunner{}, Projects: func(_, _, _, _ string) error { return nil },
		Doctor: func(context.Context, io.Writer) error { t.Error("doctor ran"); return nil },
	})
	if err == nil || !strings.Contains(err.Error(), "--yes") {
		t.Fatalf("got %v", err)
	}
}

// fakeHistory serves RecentHistory from entries (newest first, as the
// store does); no timelines.
type fakeHistory struct{ entries []store.HistoryEntry }

func (f fakeHistory) RecentHistory(_ context.Context, ds []hubforce.Decision, limit int) ([]store.HistoryEntry, error) {
	var out []store.HistoryEntry
	for _, e := range f.entries {
		if slices.Contains(ds, e.Decision) && len(out) < limit {
			out = append(out, e)
		}
	}
	return out, nil
}

func (fakeHistory) History(context.Context, hubforce.Side, hubforce.Object, string) ([]store.HistoryEntry, error) {
	return nil, nil
}

func (fakeHistory) GetLink(context.Context, hubforce.Object, hubforce.Side, string) (hubforce.Link, error) {
	return hubforce.Link{}, store.ErrNotFound
}

// TestWaitFirstSynced: the first change applied on each side after since,
// not an older one nor a later one, nor a decision other than applied.
func TestWaitFirstSynced(t *testing.T) {
	since := time.Date(2026, 12, 6, 1, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return since.Add(time.Duration(s) * time.Second) }
	e := func(side hubforce.Side, id string, d hubforce.Decision, s int) store.HistoryEntry {
		return store.HistoryEntry{Side: side, Object: hubforce.Contact, RecordID: id, Decision: d, At: at(s)}
	}
	h := fakeHistory{entries: []store.HistoryEntry{ // newest first
		e(hubforce.HubSpot, "later", hubforce.Applied, 9),
		e(hubforce.Salesforce, "003first", hubforce.Applied, 5),
		e(hubforce.HubSpot, "accepted-only", hubforce.Accepted, 4),
		e(hubforce.HubSpot, "101", hubforce.Applied, 3),
		e(hubforce.HubSpot, "before", hubforce.Applied, -1),
	}}
	got, err := WaitFirstSynced(context.Background(), h, since, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got[0].RecordID != "101" || got[1].RecordID != "003first" || !got[1].At.Equal(at(5)) {
		t.Fatalf("got %+v", got)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err = WaitFirstSynced(ctx, fakeHistory{entries: h.entries[3:]}, since, nil)
	if err == nil || !strings.Contains(err.Error(), "no change made in Salesforce reached HubSpot") {
		t.Fatalf("one side only: got %v", err)
	}
}
