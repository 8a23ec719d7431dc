package bridge

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/rs/zerolog"

	"github.com/hubforce/hubforce/internal/config"
	"github.com/hubforce/hubforce/internal/store"
)

// A store remembers which accounts it serves, in its checkpoints table,
// under these keys. Its links, versions and delivery ids only mean something
// for those accounts: used with another portal or org, the bridge would
// patch strangers' records through old links and drop new changes as seen
// before.
const (
	ownerHubSpotPortal = "owner/hubspot-portal"
	ownerSalesforceOrg = "owner/salesforce-org"
	ownerSimulators    = "owner/simulators"
)

// OwnerError is a store that belongs to other accounts (or, in the sandbox,
// other simulators) than the ones configured.
type OwnerError struct {
	What           string // "HubSpot portal", "Salesforce org", "simulators"
	Stored, Wanted string
	Database       string // HUBFORCE_DATABASE_URL, password hidden
	Fix            string // what to change
}

func (e *OwnerError) Error() string {
	return fmt.Sprintf("the database %s belongs to %s %s, not to %s %s: %s", e.Database, e.What, e.Stored, e.What, e.Wanted, e.Fix)
}

type checkpoints interface {
	Checkpoint(ctx context.Context, key string) (string, error)
	SetCheckpoint(ctx context.Context, key, value string) error
}

// claim records wanted under key in a store that has no owner yet, and
// refuses a store owned by someone else. same compares two values (ids
// come in several spellings).
func claim(ctx context.Context, st checkpoints, key, wanted string, same func(a, b string) bool, refuse func(stored string) *OwnerError) error {
	stored, err := st.Checkpoint(ctx, key)
	switch {
	case errors.Is(err, store.ErrNotFound):
		if err := st.SetCheckpoint(ctx, key, wanted); err != nil {
			return fmt.Errorf("recording the store's owner: %w", err)
		}
		return nil
	case err != nil:
		return fmt.Errorf("reading the store's owner: %w", err)
	case !same(stored, wanted):
		return refuse(stored)
	}
	return nil
}

func equal(a, b string) bool { return a == b }

// sameOrg compares Salesforce ids in their 15- or 18-character forms: the
// 18-character one only adds a case-safe suffix.
func sameOrg(a, b string) bool { return len(a) >= 15 && len(b) >= 15 && a[:15] == b[:15] }

// claimOwners checks (or records) the Salesforce org and, for the sandbox,
// the simulators the store belongs to. The HubSpot portal is only known
// after a call (claimPortal).
func claimOwners(ctx context.Context, st checkpoints, c config.Config, simulators string) error {
	db := config.Redact(c.DatabaseURL)
	if c.Salesforce.OrgID != "" {
		err := claim(ctx, st, ownerSalesforceOrg, c.Salesforce.OrgID, sameOrg, func(stored string) *OwnerError {
			return &OwnerError{What: "Salesforce org", Stored: stored, Wanted: c.Salesforce.OrgID, Database: db,
				Fix: "point HUBFORCE_DATABASE_URL at a database of its own for this org, or correct HUBFORCE_SALESFORCE_ORG_ID"}
		})
		if err != nil {
			return err
		}
	}
	if simulators != "" {
		return claim(ctx, st, ownerSimulators, simulators, equal, func(stored string) *OwnerError {
			return &OwnerError{What: "simulators", Stored: stored, Wanted: simulators, Database: db,
				Fix: "start the sandbox without --keep-state for a fresh one, or give --state-dir the folder of the run that made it"}
		})
	}
	return nil
}

// portalTimeout bounds the one call that learns the HubSpot portal.
const portalTimeout = 30 * time.Second

// claimPortal learns the HubSpot portal from the API and checks it against
// the store's. It runs beside serving: HubSpot may be unreachable, or OAuth
// may wait for Connect, and neither should keep webhooks out. It returns an
// *OwnerError only; anything else is logged and the check waits for the
// next start.
func claimPortal(ctx context.Context, st checkpoints, portal func(context.Context) (int64, error), databaseURL string, log zerolog.Logger) error {
	pctx, cancel := context.WithTimeout(ctx, portalTimeout)
	defer cancel()
	id, err := portal(pctx)
	if err != nil {
		if ctx.Err() == nil {
			log.Warn().Err(err).Msg("could not learn the HubSpot portal the credentials belong to; the store's owner is checked at the next start")
		}
		return nil
	}
	wanted := strconv.FormatInt(id, 10)
	err = claim(ctx, st, ownerHubSpotPortal, wanted, equal, func(stored string) *OwnerError {
		return &OwnerError{What: "HubSpot portal", Stored: stored, Wanted: wanted, Database: config.Redact(databaseURL),
			Fix: "point HUBFORCE_DATABASE_URL at a database of its own for this portal, or use portal " + stored +
				"'s credentials (HUBFORCE_HUBSPOT_ACCESS_TOKEN, or HUBFORCE_HUBSPOT_CLIENT_ID and Connect)"}
	})
	var oe *OwnerError
	if errors.As(err, &oe) {
		return err
	}
	if err != nil && ctx.Err() == nil {
		log.Warn().Err(err).Msg("checking the store's HubSpot portal")
	}
	return nil
}

// knownPortal is the HubSpot portal the store belongs to, 0 while none is
// recorded (or it cannot be read now: events are then not judged by portal,
// as on a first start).
func knownPortal(ctx context.Context, st checkpoints, log zerolog.Logger) int64 {
	v, err := st.Checkpoint(ctx, ownerHubSpotPortal)
	if errors.Is(err, store.ErrNotFound) {
		return 0
	}
	if err != nil {
		log.Warn().Err(err).Msg("reading the store's HubSpot portal; events are not judged by portal until the next start")
		return 0
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		log.Warn().Str("stored", v).Msg("the store's HubSpot portal is not a number; events are not judged by portal")
		return 0
	}
	return id
}
