package salesforcesim

import (
	"time"

	"github.com/rs/zerolog"

	"github.com/hubforce/hubforce/internal/simfault"
)

// Config describes the simulated org. Zero values take the defaults listed on
// each field (see withDefaults).
type Config struct {
	// OrgID is the 18-character organisation id ("00D…") sent in Outbound
	// Messages and in the OAuth identity URL. Default "00D000000000001AAA"
	// with a valid case-safe suffix.
	OrgID string
	// IntegrationUserID is the user ("005…") every OAuth token belongs to;
	// REST writes record it as CreatedById/LastModifiedById.
	IntegrationUserID string
	// InstanceURL is the base URL the simulator is served at, returned as
	// instance_url and used in attributes.url and Outbound Message URLs.
	// httptest picks the port after New, so SetURL can set it later.
	InstanceURL string
	// LoginURL is the OAuth base the token endpoint is served at: the "id"
	// URL starts with it. Empty means InstanceURL.
	LoginURL string
	// Sandbox makes the org a sandbox: JWT bearer assertions must then
	// carry aud https://test.salesforce.com instead of
	// https://login.salesforce.com.
	Sandbox bool
	// SiteURLs are the org's Experience Cloud sites, also accepted as a JWT
	// bearer aud.
	SiteURLs []string
	// APIVersions lists the REST versions served ("v68.0"). Default v66.0
	// to v68.0 (Winter '27, the newest GA).
	APIVersions []string

	// ClientID and ClientSecret identify the connected app; the secret also
	// keys the token response signature.
	ClientID     string
	ClientSecret string
	// RefreshTokens are the refresh tokens the token endpoint accepts.
	RefreshTokens []string
	// JWTCertificatePEM is the X.509 certificate uploaded to the connected
	// app; its key must have signed JWT bearer assertions. Empty disables
	// the JWT bearer flow.
	JWTCertificatePEM []byte
	// Usernames may log in with a JWT bearer assertion (sub). Their tokens
	// run as IntegrationUserID.
	Usernames []string
	// UserSessions are access tokens of people logged in to the org (as
	// `sf org display` shows one), by user id ("005…"): their REST writes
	// record that user as LastModifiedById, so the Outbound Messages they
	// cause are not the integration user's echo. They do not expire.
	UserSessions map[string]string
	// SessionTTL is how long an access token works (Salesforce's session
	// timeout; the token response does not say). Default 2 h.
	SessionTTL time.Duration

	// DailyAPILimit is the org's rolling 24 h REST allocation. Default 15000
	// (a developer org); real orgs vary with edition and licences.
	DailyAPILimit int
	// QueryPageSize is the number of records per SOQL page. Default 2000,
	// Salesforce's default batch size; tests set it small.
	QueryPageSize int

	// CustomFields lists the custom ("__c") fields defined per sObject, all
	// text. Default HubSpot_Id__c on Contact and Account.
	CustomFields map[string][]string
	// CheckboxFields lists custom Checkbox fields per sObject (boolean in
	// JSON), such as a "Deleted in HubSpot" flag.
	CheckboxFields map[string][]string
	// ExternalIDFields lists the custom fields flagged External ID (unique)
	// per sObject. Default HubSpot_Id__c on Contact and Account. The
	// standard idLookup fields (Contact.Email, Account.Name) and Id can be
	// upsert keys as well, as Salesforce allows.
	ExternalIDFields map[string][]string

	// OutboundURL is the listener Outbound Messages are POSTed to; empty
	// means no outbound message is defined.
	OutboundURL string
	// OutboundFields are the fields the admin selected per sObject. Default
	// a realistic selection including Id, names, Email, LastModifiedById and
	// SystemModstamp.
	OutboundFields map[string][]string
	// OutboundRetryDelays are the waits before each retry of a failed
	// message; the last one repeats. Default Salesforce's doubling from 30 s
	// up to 2 h.
	OutboundRetryDelays []time.Duration
	// OutboundMaxAge is how long a message is retried before it is dropped.
	// Default 24 h.
	OutboundMaxAge time.Duration
	// OutboundTimeout bounds one delivery attempt. Default 60 s.
	OutboundTimeout time.Duration

	// Now is the clock for timestamps, sessions and the outbound queue's
	// age. Default time.Now.
	Now func() time.Time
	// Faults injects latency, 5xx and concurrency refusals on REST and
	// duplicate/reordered outbound deliveries. Default an empty injector.
	Faults *simfault.Injector
	// Logger receives the simulator's logs; secrets never reach it.
	Logger zerolog.Logger
}

func (c Config) withDefaults() Config {
	if c.OrgID == "" {
		c.OrgID = to18("00D000000000001")
	}
	if c.IntegrationUserID == "" {
		c.IntegrationUserID = to18("005000000000001")
	}
	// Salesforce always sends and returns the 18-character forms.
	c.OrgID, c.IntegrationUserID = to18(c.OrgID), to18(c.IntegrationUserID)
	if len(c.APIVersions) == 0 {
		c.APIVersions = []string{"v66.0", "v67.0", "v68.0"}
	}
	if c.SessionTTL <= 0 {
		c.SessionTTL = 2 * time.Hour
	}
	if c.DailyAPILimit <= 0 {
		c.DailyAPILimit = 15000
	}
	if c.QueryPageSize <= 0 {
		c.QueryPageSize = 2000
	}
	if c.CustomFields == nil {
		c.CustomFields = map[string][]string{
			"Contact": {"HubSpot_Id__c"},
			"Account": {"HubSpot_Id__c"},
		}
	}
	if c.ExternalIDFields == nil {
		c.ExternalIDFields = map[string][]string{
			"Contact": {"HubSpot_Id__c"},
			"Account": {"HubSpot_Id__c"},
		}
	}
	if c.OutboundFields == nil {
		c.OutboundFields = map[string][]string{
			"Contact": {"Id", "AccountId", "Email", "FirstName", "LastName", "Phone", "Title",
				"HubSpot_Id__c", "CreatedById", "CreatedDate", "IsDeleted", "LastModifiedById", "LastModifiedDate", "SystemModstamp"},
			"Account": {"Id", "Name", "Website", "Phone", "Industry", "NumberOfEmployees",
				"HubSpot_Id__c", "CreatedById", "CreatedDate", "IsDeleted", "LastModifiedById", "LastModifiedDate", "SystemModstamp"},
		}
	}
	if len(c.OutboundRetryDelays) == 0 {
		// help.salesforce.com "Considerations for Outbound Messages": the
		// interval grows exponentially up to 2 h between retries.
		for d := 30 * time.Second; d < 2*time.Hour; d *= 2 {
			c.OutboundRetryDelays = append(c.OutboundRetryDelays, d)
		}
		c.OutboundRetryDelays = append(c.OutboundRetryDelays, 2*time.Hour)
	}
	if c.OutboundMaxAge <= 0 {
		c.OutboundMaxAge = 24 * time.Hour
	}
	if c.OutboundTimeout <= 0 {
		c.OutboundTimeout = 60 * time.Second
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Faults == nil {
		c.Faults = &simfault.Injector{}
	}
	return c
}
