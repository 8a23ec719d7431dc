// Package setup generates the two vendor-side projects the bridge needs from
// its own configuration: the HubSpot developer-platform project that
// `hs project upload` installs, and the Salesforce SFDX project that
// `sf project deploy start` installs. It holds generators only: no prompts,
// no vendor CLI calls.
package setup

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/hubforce/hubforce/internal/mapping"
)

// Params is what both generators read.
type Params struct {
	// PublicURL is the bridge's public base URL, e.g.
	// https://hubforce.example.com. It must be https, except http on a
	// loopback host (the sandbox).
	PublicURL string
	// Mapping is the bridge's mapping (mapping.Default() or the file in
	// HUBFORCE_MAPPING_FILE); nil means mapping.Default().
	Mapping *mapping.Mapping

	// HubSpotAppName is the app's name in HubSpot; empty means "hubforce".
	HubSpotAppName string
	// HubSpotOAuth selects OAuth auth (with the Connect callback as
	// redirect URL) instead of a privately distributed static token.
	HubSpotOAuth bool
	// SupportEmail is the HubSpot app's support address and the External
	// Client App's contact email; empty means support@example.com.
	SupportEmail string

	// SalesforceAPIVersion is the Metadata API version of the SFDX
	// project, "68.0" or "v68.0" (HUBFORCE_SALESFORCE_API_VERSION); empty
	// means DefaultSalesforceAPIVersion.
	SalesforceAPIVersion string
	// IntegrationUser is the username Outbound Messages are sent as (the
	// Workflow outboundMessage's integrationUser); empty leaves a
	// placeholder the README says to replace.
	IntegrationUser string
}

// DefaultSalesforceAPIVersion is config's default Salesforce API version.
const DefaultSalesforceAPIVersion = "68.0"

// PlaceholderURL is the public URL the committed deploy/ projects carry.
const PlaceholderURL = "https://YOUR-HOST"

// ErrPublicURL is wrapped by every error about Params.PublicURL.
var ErrPublicURL = errors.New("invalid public URL")

// base checks PublicURL and returns it without a trailing slash.
func (p Params) base() (string, error) {
	raw := strings.TrimRight(strings.TrimSpace(p.PublicURL), "/")
	if raw == "" {
		return "", fmt.Errorf("%w: empty (set HUBFORCE_PUBLIC_URL or --public-url, e.g. https://hubforce.example.com)", ErrPublicURL)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("%w %q: %w", ErrPublicURL, raw, err)
	}
	if u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%w %q: want an absolute URL such as https://hubforce.example.com, without user, query or fragment", ErrPublicURL, raw)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !loopback(u.Hostname()) {
			return "", fmt.Errorf("%w %q: must be https (HubSpot and Salesforce only call HTTPS endpoints); http is accepted only on a loopback host, for the sandbox", ErrPublicURL, raw)
		}
	default:
		return "", fmt.Errorf("%w %q: must be https://", ErrPublicURL, raw)
	}
	return raw, nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (p Params) mapping() *mapping.Mapping {
	if p.Mapping == nil {
		return mapping.Default()
	}
	return p.Mapping
}
