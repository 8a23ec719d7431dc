// Package config reads hubforce's configuration from the environment and an
// optional .env-style file. Variable names are part of the contract (SPEC §2);
// every knob has a default so that only credentials need setting.
package config

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"
	"github.com/joho/godotenv"

	"github.com/hubforce/hubforce/internal/hubspot"
)

// Config is the whole configuration. Field tags name the variables without
// their HUBFORCE_ prefix.
type Config struct {
	ListenAddr  string `env:"LISTEN_ADDR" envDefault:":8080"`
	PublicURL   string `env:"PUBLIC_URL"`
	DatabaseURL string `env:"DATABASE_URL" envDefault:"sqlite:hubforce.db"`
	MappingFile string `env:"MAPPING_FILE"`
	AdminToken  string `env:"ADMIN_TOKEN"`
	SlackURL    string `env:"SLACK_WEBHOOK_URL"`
	SecretKey   string `env:"SECRET_KEY"`

	HubSpot    HubSpot    `envPrefix:"HUBSPOT_"`
	Salesforce Salesforce `envPrefix:"SALESFORCE_"`

	// TLS and the Salesforce endpoint's optional hardening.
	TLSCertFile    string `env:"TLS_CERT_FILE"`
	TLSKeyFile     string `env:"TLS_KEY_FILE"`
	TrustedProxies string `env:"TRUSTED_PROXIES"`

	// Knobs (README "Configuration").
	BodyLimit         int64         `env:"BODY_LIMIT" envDefault:"1048576"`
	Workers           int           `env:"WORKERS" envDefault:"4"`
	BatchLinger       time.Duration `env:"BATCH_LINGER" envDefault:"200ms"`
	RetryCeiling      time.Duration `env:"RETRY_CEILING" envDefault:"24h"`
	RetryMaxDelay     time.Duration `env:"RETRY_MAX_DELAY" envDefault:"1h"`
	ReconcileInterval time.Duration `env:"RECONCILE_INTERVAL" envDefault:"15m"`
	ReconcileSettle   time.Duration `env:"RECONCILE_SETTLE" envDefault:"1m"`
	ReconcileOverlap  time.Duration `env:"RECONCILE_OVERLAP" envDefault:"2m"`
	Retention         time.Duration `env:"RETENTION" envDefault:"168h"`
	ShutdownTimeout   time.Duration `env:"SHUTDOWN_TIMEOUT" envDefault:"30s"`
	SalesforceBudget  float64       `env:"SALESFORCE_BUDGET_SHARE" envDefault:"0.75"`
	SalesforcePause   float64       `env:"SALESFORCE_BUDGET_PAUSE" envDefault:"0.9"`
	BudgetProbe       time.Duration `env:"SALESFORCE_BUDGET_PROBE" envDefault:"30s"`
	LogLevel          string        `env:"LOG_LEVEL" envDefault:"info"`
	LogFormat         string        `env:"LOG_FORMAT" envDefault:"json"`
}

// HubSpot holds the HUBFORCE_HUBSPOT_* variables.
type HubSpot struct {
	ClientSecret string `env:"CLIENT_SECRET"`
	RequireV3    bool   `env:"REQUIRE_V3"`
	AppID        int64  `env:"APP_ID"`
	AccessToken  string `env:"ACCESS_TOKEN"`
	ClientID     string `env:"CLIENT_ID"`
	RefreshToken string `env:"REFRESH_TOKEN"`
	APIURL       string `env:"API_URL" envDefault:"https://api.hubapi.com"`
	// APIVersion is the date-based version of every HubSpot call
	// (hubspot.DefaultAPIVersion).
	APIVersion string `env:"API_VERSION" envDefault:"2026-03"`
	// AppURL is HubSpot's app host, where Connect sends the operator to
	// authorise (https://app-eu1.hubspot.com for EU-hosted accounts).
	AppURL string `env:"APP_URL" envDefault:"https://app.hubspot.com"`
}

// Salesforce holds the HUBFORCE_SALESFORCE_* variables.
type Salesforce struct {
	OrgID          string `env:"ORG_ID"`
	LoginURL       string `env:"LOGIN_URL" envDefault:"https://login.salesforce.com"`
	ClientID       string `env:"CLIENT_ID"`
	ClientSecret   string `env:"CLIENT_SECRET"`
	RefreshToken   string `env:"REFRESH_TOKEN"`
	Username       string `env:"USERNAME"`
	PrivateKeyFile string `env:"PRIVATE_KEY_FILE"`
	APIVersion     string `env:"API_VERSION" envDefault:"v68.0"`
	// JWTAudience is the JWT bearer assertion's aud: the authorization
	// server, not the URL the token is posted to.
	JWTAudience  string `env:"JWT_AUDIENCE" envDefault:"https://login.salesforce.com"`
	AllowedIPs   string `env:"ALLOWED_IPS"`
	ClientCAFile string `env:"CLIENT_CA_FILE"`
	// ClientCredentials selects the client credentials flow.
	ClientCredentials bool `env:"CLIENT_CREDENTIALS"`
}

// Prefix starts every variable name.
const Prefix = "HUBFORCE_"

// Load reads the process environment, with envFile (if not empty) supplying
// values the environment does not set.
func Load(envFile string) (Config, error) {
	environ := map[string]string{}
	if envFile != "" {
		fromFile, err := godotenv.Read(envFile)
		if err != nil {
			return Config{}, fmt.Errorf("reading %s: %w", envFile, err)
		}
		for k, v := range fromFile {
			environ[k] = v
		}
	}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			environ[k] = v
		}
	}
	return Parse(environ)
}

// Parse reads the configuration from a map of variables (tests use it).
func Parse(environ map[string]string) (Config, error) {
	var c Config
	if err := env.ParseWithOptions(&c, env.Options{Prefix: Prefix, Environment: environ}); err != nil {
		return Config{}, nameVariables(err)
	}
	return c, nil
}

// nameVariables rewrites env's parse errors, which name Go struct fields, to
// name the variable the user set instead.
func nameVariables(err error) error {
	var agg env.AggregateError
	if !errors.As(err, &agg) {
		return fmt.Errorf("configuration: %w", err)
	}
	vars := variables(reflect.TypeFor[Config](), Prefix)
	var errs []error
	for _, e := range agg.Errors {
		var pe env.ParseError
		if errors.As(e, &pe) {
			if name, ok := vars[pe.Name]; ok {
				errs = append(errs, fmt.Errorf("%s: %w", name, pe.Err))
				continue
			}
		}
		errs = append(errs, e)
	}
	return fmt.Errorf("configuration: %w", errors.Join(errs...))
}

// variables maps struct field names to variable names. Nested field names
// that repeat (ClientID on both sides) are strings, which never fail to parse.
func variables(t reflect.Type, prefix string) map[string]string {
	out := map[string]string{}
	for i := range t.NumField() {
		f := t.Field(i)
		if p, ok := f.Tag.Lookup("envPrefix"); ok {
			for k, v := range variables(f.Type, prefix+p) {
				out[k] = v
			}
			continue
		}
		if name := f.Tag.Get("env"); name != "" {
			out[f.Name] = prefix + name
		}
	}
	return out
}

// ValidateServe reports every problem that keeps `serve` from starting, each
// naming its variable.
func (c Config) ValidateServe() error {
	var errs []error
	need := func(name, v string) {
		if v == "" {
			errs = append(errs, fmt.Errorf("%s%s is required", Prefix, name))
		}
	}
	need("HUBSPOT_CLIENT_SECRET", c.HubSpot.ClientSecret)
	need("SALESFORCE_ORG_ID", c.Salesforce.OrgID)
	if id := c.Salesforce.OrgID; id != "" && len(id) != 15 && len(id) != 18 {
		errs = append(errs, fmt.Errorf("%sSALESFORCE_ORG_ID must be a 15- or 18-character id, got %d characters", Prefix, len(id)))
	}
	if c.PublicURL != "" && !absoluteURL(c.PublicURL) {
		errs = append(errs, fmt.Errorf("%sPUBLIC_URL must be an absolute URL such as https://sync.example.com", Prefix))
	}
	if !hubspot.ValidAPIVersion(c.HubSpot.APIVersion) {
		errs = append(errs, fmt.Errorf("%sHUBSPOT_API_VERSION must be a date-based version such as 2026-03, got %q", Prefix, c.HubSpot.APIVersion))
	}
	if !absoluteURL(c.HubSpot.AppURL) {
		errs = append(errs, fmt.Errorf("%sHUBSPOT_APP_URL must be HubSpot's app host, such as https://app.hubspot.com or https://app-eu1.hubspot.com", Prefix))
	}
	if !salesforceVersionRE.MatchString(c.Salesforce.APIVersion) {
		errs = append(errs, fmt.Errorf("%sSALESFORCE_API_VERSION must look like v68.0, got %q", Prefix, c.Salesforce.APIVersion))
	}
	if !absoluteURL(c.Salesforce.JWTAudience) {
		errs = append(errs, fmt.Errorf("%sSALESFORCE_JWT_AUDIENCE must be https://login.salesforce.com, https://test.salesforce.com or an Experience Cloud site URL", Prefix))
	}
	if !strings.HasPrefix(c.DatabaseURL, "sqlite:") && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		errs = append(errs, fmt.Errorf("%sDATABASE_URL must start with sqlite: or postgres://", Prefix))
	}
	if c.SalesforceBudget <= 0 || c.SalesforceBudget > 1 {
		errs = append(errs, fmt.Errorf("%sSALESFORCE_BUDGET_SHARE must be in (0, 1], got %v", Prefix, c.SalesforceBudget))
	}
	if c.SalesforcePause < c.SalesforceBudget || c.SalesforcePause > 1 {
		errs = append(errs, fmt.Errorf("%sSALESFORCE_BUDGET_PAUSE must be between %sSALESFORCE_BUDGET_SHARE and 1, got %v", Prefix, Prefix, c.SalesforcePause))
	}
	if c.HubSpot.AccessToken == "" && (c.HubSpot.ClientID == "" || c.HubSpot.RefreshToken == "") {
		errs = append(errs, fmt.Errorf("HubSpot credentials: set %sHUBSPOT_ACCESS_TOKEN (the static token of a privately distributed app), or %sHUBSPOT_CLIENT_ID and %sHUBSPOT_REFRESH_TOKEN (OAuth)", Prefix, Prefix, Prefix))
	}
	if c.Salesforce.ClientID == "" {
		errs = append(errs, fmt.Errorf("%sSALESFORCE_CLIENT_ID is required (the External Client App's consumer key)", Prefix))
	} else if c.Salesforce.RefreshToken == "" && c.Salesforce.ClientSecret == "" && (c.Salesforce.Username == "" || c.Salesforce.PrivateKeyFile == "") {
		errs = append(errs, fmt.Errorf("Salesforce credentials: set %sSALESFORCE_REFRESH_TOKEN, or %sSALESFORCE_USERNAME and %sSALESFORCE_PRIVATE_KEY_FILE (JWT bearer), or %sSALESFORCE_CLIENT_SECRET (client credentials)", Prefix, Prefix, Prefix, Prefix))
	}
	if c.SecretKey == "" {
		errs = append(errs, fmt.Errorf("%sSECRET_KEY is required: it encrypts the OAuth tokens the bridge keeps", Prefix))
	}
	if (c.TLSCertFile == "") != (c.TLSKeyFile == "") {
		errs = append(errs, fmt.Errorf("%sTLS_CERT_FILE and %sTLS_KEY_FILE go together", Prefix, Prefix))
	}
	if c.Salesforce.ClientCAFile != "" && c.TLSCertFile == "" {
		errs = append(errs, fmt.Errorf("%sSALESFORCE_CLIENT_CA_FILE needs %sTLS_CERT_FILE: client certificates come over TLS", Prefix, Prefix))
	}
	if c.Workers < 0 {
		errs = append(errs, fmt.Errorf("%sWORKERS must be 0 (take webhooks only) or more", Prefix))
	}
	return errors.Join(errs...)
}

var (
	salesforceVersionRE = regexp.MustCompile(`^v\d+\.\d$`)
)

func absoluteURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// SignedURL says which URL HubSpot's v2/v3 signatures are checked against:
// HubSpot signs the full URL it called, and it only calls HTTPS target URLs
// (webhooks guide), so without HUBFORCE_PUBLIC_URL the bridge assumes
// https:// and the Host header — right behind a TLS-terminating proxy that
// keeps the Host.
func (c Config) SignedURL() string {
	if c.PublicURL != "" {
		return strings.TrimRight(c.PublicURL, "/") + "/webhooks/hubspot (" + Prefix + "PUBLIC_URL)"
	}
	return "https://{Host header}/webhooks/hubspot (" + Prefix + "PUBLIC_URL unset: https:// and the Host the request names)"
}

// Warnings are setups serve accepts that are probably not what the user
// wants; config check prints them.
func (c Config) Warnings() []string {
	var out []string
	// Loopback is the sandbox's and the tests' simulators, never HubSpot.
	if u, err := url.Parse(c.PublicURL); err == nil && u.Scheme == "http" && u.Hostname() != "127.0.0.1" && u.Hostname() != "localhost" {
		out = append(out, Prefix+"PUBLIC_URL is http://: HubSpot only calls HTTPS target URLs, so its webhooks cannot reach this URL")
	}
	return out
}
