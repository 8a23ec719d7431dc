package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/bridge"
	"github.com/hubforce/hubforce/internal/config"
	"github.com/hubforce/hubforce/internal/logging"
	"github.com/hubforce/hubforce/internal/reconcile"
	"github.com/hubforce/hubforce/internal/store"
)

// maxBackfillBatch bounds --batch-size: one Ingest call commits a batch in
// one transaction, and the store groups at most 2000 changes by default.
const maxBackfillBatch = 1000

type backfillFlags struct {
	from, object, since string
	batchSize           int
	dryRun              bool
}

func newBackfillCmd(g *globals) *cobra.Command {
	var f backfillFlags
	cmd := &cobra.Command{
		Use:   "backfill",
		Short: "Sync historical records in batches (resumable)",
		Long: "Reads the records of one object modified on one side since a date and feeds them to the\n" +
			"sync pipeline, in batches, with its progress saved after each one: interrupted, the same\n" +
			"command resumes. Records whose latest change the bridge already has are skipped. Reading\n" +
			"pauses while Salesforce's daily API usage is past HUBFORCE_SALESFORCE_BUDGET_SHARE.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts, err := f.options()
			if err != nil {
				return err
			}
			return runBackfill(cmd.Context(), g, opts, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	cmd.Flags().StringVar(&f.from, "from", "hubspot", "side to read from: hubspot or salesforce")
	cmd.Flags().StringVar(&f.object, "object", "contact", "object to backfill: contact or company")
	cmd.Flags().StringVar(&f.since, "since", "", "only records modified after this time (RFC 3339 or YYYY-MM-DD, UTC); default: all")
	cmd.Flags().IntVar(&f.batchSize, "batch-size", reconcile.DefaultBatchSize, "records per committed batch")
	cmd.Flags().BoolVar(&f.dryRun, "dry-run", false, "read and count, print what would be fed, ingest nothing")
	return cmd
}

// options checks the flags; every message names the flag at fault.
func (f backfillFlags) options() (reconcile.Options, error) {
	var errs []error
	o := reconcile.Options{BatchSize: f.batchSize, DryRun: f.dryRun}
	switch strings.ToLower(f.from) {
	case "hubspot":
		o.From = hubforce.HubSpot
	case "salesforce":
		o.From = hubforce.Salesforce
	default:
		errs = append(errs, fmt.Errorf("--from must be hubspot or salesforce, not %q", f.from))
	}
	if obj, ok := hubforce.ObjectFromHubSpot(strings.ToLower(f.object)); ok {
		o.Object = obj
	} else if obj, ok := hubforce.ObjectFromSalesforce(f.object); ok {
		o.Object = obj
	} else {
		errs = append(errs, fmt.Errorf("--object must be contact or company, not %q", f.object))
	}
	if f.since != "" {
		t, err := parseSince(f.since)
		if err != nil {
			errs = append(errs, err)
		}
		o.Since = t
	}
	if f.batchSize < 1 || f.batchSize > maxBackfillBatch {
		errs = append(errs, fmt.Errorf("--batch-size must be between 1 and %d, not %d", maxBackfillBatch, f.batchSize))
	}
	return o, errors.Join(errs...)
}

func parseSince(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("--since %q is neither RFC 3339 (2026-01-31T08:00:00Z) nor a date (2026-01-31)", s)
}

func runBackfill(ctx context.Context, g *globals, opts reconcile.Options, out, errOut io.Writer) error {
	c, err := config.Load(g.envFile)
	if err != nil {
		return err
	}
	if err := checkCredentials(c, opts.From); err != nil {
		return err
	}
	if c.SalesforceBudget <= 0 || c.SalesforceBudget > 1 {
		return fmt.Errorf("%sSALESFORCE_BUDGET_SHARE must be in (0, 1], got %v", config.Prefix, c.SalesforceBudget)
	}
	log, err := logging.New(errOut, c.LogLevel, c.LogFormat)
	if err != nil {
		return err
	}
	m, err := bridge.LoadMapping(c)
	if err != nil {
		return err
	}
	st, err := backfillStore(ctx, c, opts.DryRun, out)
	if err != nil {
		return err
	}
	defer func() { _ = st.Close() }()
	bf := &reconcile.Backfill{Store: st, Mapping: m, BudgetShare: c.SalesforceBudget, Out: out, SalesforceTriggers: true,
		Log: log.With().Str("component", "backfill").Logger()}
	if err := backfillClients(c, opts.From, st, log, bf); err != nil {
		return err
	}

	prog := newProgress(errOut)
	res, err := bf.Run(ctx, opts, prog.update)
	prog.finish()
	if err != nil {
		if ctx.Err() != nil {
			return exitError{code: 130, err: fmt.Errorf("interrupted after %d records; progress is saved, resume with the same command", res.Done)}
		}
		return fmt.Errorf("backfill stopped after %d records (progress saved; the same command resumes): %w", res.Done, err)
	}
	if !opts.DryRun {
		fmt.Fprintf(out, "backfill of %s %s done: %d records read in this run, %d already in sync, %d changes fed (%d records in all)\n",
			opts.From, opts.Object.HubSpotName(), res.Read, res.Skipped, res.Fed, res.Done)
	}
	return nil
}

// backfillStore opens the store a backfill feeds. A dry run changes
// nothing in it, not even the schema: on a database without hubforce's
// schema (a first try before any serve), it compares against an empty
// store in a temporary file instead, and says so.
func backfillStore(ctx context.Context, c config.Config, dryRun bool, out io.Writer) (store.Store, error) {
	if !dryRun {
		return bridge.OpenStore(ctx, c, bridge.Migrating)
	}
	st, err := bridge.OpenStore(ctx, c, bridge.Existing)
	if err == nil {
		return st, nil
	}
	dir, derr := os.MkdirTemp("", "hubforce-dry-run-")
	if derr != nil {
		return nil, fmt.Errorf("a temporary store for the dry run: %w", derr)
	}
	tmp := c
	tmp.DatabaseURL = "sqlite:" + filepath.Join(dir, "dry-run.db")
	empty, terr := bridge.OpenStore(ctx, tmp, bridge.Migrating)
	if terr != nil {
		return nil, errors.Join(fmt.Errorf("a temporary store for the dry run: %w", terr), os.RemoveAll(dir))
	}
	fmt.Fprintf(out, "dry run: not a hubforce store yet (%v); comparing against an empty one, so every record counts as new\n", err)
	return removeOnClose{Store: empty, dir: dir}, nil
}

// removeOnClose is a throwaway store whose folder goes with it.
type removeOnClose struct {
	store.Store
	dir string
}

func (r removeOnClose) Close() error {
	return errors.Join(r.Store.Close(), os.RemoveAll(r.dir))
}

// checkCredentials fails, naming the variables to set, when the side read
// has no credentials; it runs before anything is opened.
func checkCredentials(c config.Config, from hubforce.Side) error {
	h, s := c.HubSpot, c.Salesforce
	if from == hubforce.HubSpot && h.AccessToken == "" && (h.ClientID == "" || h.ClientSecret == "") {
		return fmt.Errorf("backfill --from hubspot needs HubSpot credentials: set %[1]sHUBSPOT_ACCESS_TOKEN (static token), "+
			"or %[1]sHUBSPOT_CLIENT_ID, %[1]sHUBSPOT_CLIENT_SECRET and %[1]sHUBSPOT_REFRESH_TOKEN", config.Prefix)
	}
	if from == hubforce.Salesforce && s.ClientID == "" {
		return fmt.Errorf("backfill --from salesforce needs Salesforce credentials: set %[1]sSALESFORCE_CLIENT_ID and "+
			"%[1]sSALESFORCE_CLIENT_SECRET with %[1]sSALESFORCE_REFRESH_TOKEN, or %[1]sSALESFORCE_USERNAME and %[1]sSALESFORCE_PRIVATE_KEY_FILE", config.Prefix)
	}
	return nil
}

// backfillClients builds the client of the side read, failing with the
// variables to set, and the Salesforce client for its usage if it is
// configured.
func backfillClients(c config.Config, from hubforce.Side, creds hubforce.CredentialStore, log zerolog.Logger, bf *reconcile.Backfill) error {
	if from == hubforce.HubSpot {
		hs, err := bridge.HubSpotClient(c, creds, nil, log)
		if err != nil {
			return fmt.Errorf("connecting to HubSpot: %w", err)
		}
		bf.HubSpot = hs
	}
	if c.Salesforce.ClientID == "" {
		log.Warn().Msg("no Salesforce credentials: the backfill cannot watch Salesforce's daily API budget")
		return nil
	}
	sf, err := bridge.SalesforceClient(c, creds, nil, log)
	if err != nil {
		return fmt.Errorf("connecting to Salesforce: %w", err)
	}
	bf.Salesforce = sf
	return nil
}

// progress shows records done: a bar with the total where the source says
// it (Salesforce), a spinner with a count otherwise, on a terminal; a plain
// line every few seconds elsewhere. Rates are taken over this run's records
// only: a resumed backfill's earlier records were not read now.
type progress struct {
	bar   *progressbar.ProgressBar
	w     io.Writer
	start time.Time
	last  time.Time
	p     reconcile.Progress
	said  bool
}

const progressLineEvery = 5 * time.Second

func newProgress(w io.Writer) *progress {
	now := time.Now()
	return &progress{w: w, start: now, last: now}
}

func (p *progress) update(r reconcile.Progress) {
	first := !p.said
	p.said, p.p = true, r
	if f, ok := p.w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		if p.bar == nil {
			size := -1
			if r.Total >= 0 {
				size = r.Total - r.Before
			}
			desc := "backfill"
			if r.Before > 0 {
				desc = fmt.Sprintf("backfill (%d done before)", r.Before)
			}
			p.bar = progressbar.NewOptions(size, progressbar.OptionSetWriter(p.w), progressbar.OptionSetDescription(desc),
				progressbar.OptionShowCount(), progressbar.OptionSetItsString("records"), progressbar.OptionShowIts(),
				progressbar.OptionSpinnerType(14), progressbar.OptionThrottle(100*time.Millisecond))
		}
		_ = p.bar.Set(r.Done - r.Before)
		return
	}
	if now := time.Now(); first || now.Sub(p.last) >= progressLineEvery {
		p.last = now
		fmt.Fprintln(p.w, p.line(now))
	}
}

// line is the plain progress line: done (of total), and this run's rate
// once it has one.
func (p *progress) line(now time.Time) string {
	r := p.p
	s := fmt.Sprintf("backfill: %d records done", r.Done)
	if r.Total >= 0 {
		s = fmt.Sprintf("backfill: %d of %d records done", r.Done, r.Total)
	}
	if r.Before > 0 {
		s += fmt.Sprintf(" (%d before this run)", r.Before)
	}
	if n, d := r.Done-r.Before, now.Sub(p.start); n > 0 && d >= time.Second {
		s += fmt.Sprintf(", %.0f records/s", float64(n)/d.Seconds())
	}
	return s
}

func (p *progress) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
		fmt.Fprintln(p.w)
	}
}
