// Package doctor is the online preflight a new user runs with real
// credentials (`hubforce doctor`, SPEC §2): for each side, whether the
// token works, whether its scopes cover what the bridge does, whether every
// mapped object and field exists and can be written, whether Salesforce's
// required fields are mapped or defaulted, whether the webhook
// subscriptions and Outbound Messages point at this bridge (where the APIs
// can tell), and how much API budget is left. Every finding that is not OK
// says what to click or set.
package doctor

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/hubspot"
	"github.com/hubforce/hubforce/internal/mapping"
	"github.com/hubforce/hubforce/internal/salesforce"
)

// Status is a finding's verdict.
type Status string

const (
	OK      Status = "ok"
	Warn    Status = "warn"
	Fail    Status = "FAIL"
	Unknown Status = "?" // the API cannot tell; the finding says where to look
)

// Finding is one check's result.
type Finding struct {
	Side   hubforce.Side
	Check  string
	Status Status
	// Say is what was found; Fix what to click or set (empty when OK).
	Say, Fix string
}

// Report is every finding, in the order checked.
type Report []Finding

// Failed reports whether any check failed.
func (r Report) Failed() bool {
	for _, f := range r {
		if f.Status == Fail {
			return true
		}
	}
	return false
}

// Write prints the report, one side after the other.
func (r Report) Write(w io.Writer) {
	var side hubforce.Side
	for _, f := range r {
		if f.Side != side {
			side = f.Side
			fmt.Fprintf(w, "%s\n", map[hubforce.Side]string{hubforce.HubSpot: "HubSpot", hubforce.Salesforce: "Salesforce"}[side])
		}
		fmt.Fprintf(w, "  %-4s  %-18s %s\n", f.Status, f.Check, f.Say)
		if f.Fix != "" {
			fmt.Fprintf(w, "        %-18s fix: %s\n", "", f.Fix)
		}
	}
	fails, warns, unknown := 0, 0, 0
	for _, f := range r {
		switch f.Status {
		case Fail:
			fails++
		case Warn:
			warns++
		case Unknown:
			unknown++
		}
	}
	fmt.Fprintf(w, "\n%d failed, %d warnings, %d not checkable\n", fails, warns, unknown)
}

// HubSpot is what doctor asks of HubSpot (internal/hubspot.Client).
type HubSpot interface {
	Properties(ctx context.Context, obj hubforce.Object) (map[string]hubspot.Property, error)
	Introspect(ctx context.Context) (hubspot.TokenInfo, error)
	Webhooks(ctx context.Context, appID int64) (hubspot.AppWebhooks, error)
	Budget() (remaining, max int, interval time.Duration)
}

// Salesforce is what doctor asks of Salesforce (internal/salesforce.Client).
type Salesforce interface {
	IntegrationUserID(ctx context.Context) (string, error)
	GrantedScopes(ctx context.Context) ([]string, error)
	Describe(ctx context.Context, sobject string) (map[string]salesforce.FieldInfo, error)
	OutboundMessages(ctx context.Context) ([]salesforce.OutboundMessage, error)
	RefreshUsage(ctx context.Context) error
	Usage() (used, limit int)
}

// Config is what doctor checks against.
type Config struct {
	HubSpot    HubSpot
	Salesforce Salesforce
	Mapping    *mapping.Mapping
	// AppID is HUBFORCE_HUBSPOT_APP_ID.
	AppID int64
	// PublicURL is HUBFORCE_PUBLIC_URL: webhooks and Outbound Messages
	// must be sent to PublicURL + /webhooks/{hubspot,salesforce}.
	PublicURL string
	// SalesforceFlow names the OAuth flow configured ("refresh token",
	// "JWT bearer", "client credentials"), for the fix of a refused token.
	SalesforceFlow string
	// BudgetShare is HUBFORCE_SALESFORCE_BUDGET_SHARE.
	BudgetShare float64
	// MappingSource names the mapping for fixes ("HUBFORCE_MAPPING_FILE
	// mapping.yaml" or "the built-in mapping").
	MappingSource string
}

// Run checks both sides. A side whose token does not work is not checked
// further: every other call would fail the same way.
func Run(ctx context.Context, c Config) Report {
	var r Report
	r = append(r, checkHubSpot(ctx, c)...)
	r = append(r, checkSalesforce(ctx, c)...)
	return r
}

// endpoint is where a side's webhooks must go, and whether that is known.
func (c Config) endpoint(side hubforce.Side) (string, bool) {
	path := "/webhooks/" + string(side)
	if c.PublicURL == "" {
		return "https://YOUR-HOST" + path, false
	}
	return strings.TrimRight(c.PublicURL, "/") + path, true
}

// pointsHere judges a configured target URL against this bridge's.
func (c Config) pointsHere(side hubforce.Side, target string) (Status, string) {
	want, known := c.endpoint(side)
	switch {
	case target == "":
		return Fail, "no target URL is set"
	case known && target == want:
		return OK, "they go to " + target
	case known:
		return Fail, "they go to " + target + ", not to this bridge (" + want + ")"
	case !strings.HasPrefix(target, "https://") || !strings.HasSuffix(target, "/webhooks/"+string(side)):
		return Fail, "they go to " + target + ", which is not an https://…/webhooks/" + string(side) + " URL"
	}
	return Warn, "they go to " + target + "; whether that is this bridge cannot be told without " + "HUBFORCE_PUBLIC_URL"
}

// mapped lists an object's fields that sync (rule not none).
func mapped(m *mapping.Mapping, obj hubforce.Object) []mapping.Field {
	var out []mapping.Field
	for _, f := range m.Fields(obj) {
		if f.Rule != mapping.None {
			out = append(out, f)
		}
	}
	return out
}

// fromMapping says where a field is declared, for fixes.
func (c Config) fromMapping(f mapping.Field) string {
	if f.Line > 0 {
		return fmt.Sprintf("%s line %d", c.MappingSource, f.Line)
	}
	return c.MappingSource
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
