// Package config reads hubforce's configuration from the environment and an
// optional .env-style file. Variable names are part of the contract (SPEC §2);
// every knob has a default so that only credentials need setting.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
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
	ReadHeaderTimeout time.Duration `env:"READ_HEADER_TIMEOUT" envDefault:"10s"`
	SalesforceBudget  float64       `env:"SALESFORCE_BUDGET_SHARE" envDefault:"0.75"`
	SalesforcePause   float64       `env:"SALESFORCE_BUDGET_PAUSE" envDefault:"0.9"`
	BudgetProbe       time.Duration `env:"SALESFORCE_BUDGET_PROBE" envDefault:"30s"`
	LogLevel          string        `env:"LOG_LEVEL" envDefault:"info"`
	LogFormat         string        `env:"LOG_FORMAT" envDefault:"json"`

	// Unknown lists the HUBFORCE_ variables set that hubforce does not know,
	// each with the closest known name when one is near (Load fills it).
	Unknown []Unknown
	// failed names the variables whose values did not parse, so that
	// ValidateServe does not report them a second time.
	failed map[string]bool
}

// Unknown is a HUBFORCE_ variable hubforce does not read, and the known name
// it most likely meant ("" when none is close).
type Unknown struct {
	Name, Suggestion string
}

func (u Unknown) String() string {
	if u.Suggestion == "" {
		return u.Name + " is not a hubforce variable; it is ignored"
	}
	return u.Name + " is not a hubforce variable; did you mean " + u.Suggestion + "?"
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
	// TrustMessages takes an Outbound Message's values as the truth when
	// it came with Salesforce's client certificate, pinned by subject and
	// issuer (CLIENT_CERT_SUBJECT, CLIENT_CERT_ISSUER); otherwise every
	// notification is a trigger and the record is read back.
	TrustMessages     bool   `env:"TRUST_MESSAGES"`
	ClientCertSubject string `env:"CLIENT_CERT_SUBJECT" envDefault:"CN=proxy.salesforce.com"`
	ClientCertIssuer  string `env:"CLIENT_CERT_ISSUER" envDefault:"O=DigiCert Inc"`
	// ClientCredentials selects the client credentials flow.
	ClientCredentials bool `env:"CLIENT_CREDENTIALS"`
}

// Prefix starts every variable name.
const Prefix = "HUBFORCE_"

// notConfig are HUBFORCE_ variables read by the test suite, not by hubforce;
// a developer's shell may well have them set.
var notConfig = []string{"HUBFORCE_TEST_POSTGRES_URL", "HUBFORCE_CONFORMANCE_DIR"}

// Load reads the process environment, with envFile (if not empty) supplying
// values the environment does not set. A value that does not parse is an
// error naming its variable; the Config returned then still holds every
// other value, so that a check can report the rest too.
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

// Parse reads the configuration from a map of variables (tests use it). See
// Load for what it returns on an error.
func Parse(environ map[string]string) (Config, error) {
	var c Config
	err := env.ParseWithOptions(&c, env.Options{Prefix: Prefix, Environment: environ})
	c.Unknown = unknown(environ)
	if err != nil {
		c.failed, err = nameVariables(err)
		return c, err
	}
	return c, nil
}

// Variables lists every variable hubforce reads, sorted.
func Variables() []string {
	var out []string
	var walk func(t reflect.Type, prefix string)
	walk = func(t reflect.Type, prefix string) {
		for i := range t.NumField() {
			f := t.Field(i)
			if p, ok := f.Tag.Lookup("envPrefix"); ok {
				walk(f.Type, prefix+p)
			} else if name := f.Tag.Get("env"); name != "" {
				out = append(out, prefix+name)
			}
		}
	}
	walk(reflect.TypeFor[Config](), Prefix)
	slices.Sort(out)
	return out
}

// unknown finds the HUBFORCE_ variables that are set but not read.
func unknown(environ map[string]string) []Unknown {
	known := Variables()
	var out []Unknown
	for k := range environ {
		if !strings.HasPrefix(k, Prefix) || slices.Contains(known, k) || slices.Contains(notConfig, k) {
			continue
		}
		out = append(out, Unknown{Name: k, Suggestion: closest(k, known)})
	}
	slices.SortFunc(out, func(a, b Unknown) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// closest returns the known name nearest to name by edit distance, if it is
// near enough to be a typo (a third of the name's length past the prefix).
func closest(name string, known []string) string {
	best, bestD := "", len(name)
	for _, k := range known {
		if d := distance(name, k); d < bestD {
			best, bestD = k, d
		}
	}
	if bestD > max(2, (len(name)-len(Prefix))/3) {
		return ""
	}
	return best
}

// distance is the Levenshtein distance between a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// nameVariables rewrites env's parse errors, which name Go struct fields, to
// name the variable the user set instead, and says which variables failed.
func nameVariables(err error) (map[string]bool, error) {
	var agg env.AggregateError
	if !errors.As(err, &agg) {
		return nil, fmt.Errorf("configuration: %w", err)
	}
	vars := variables(reflect.TypeFor[Config](), Prefix)
	failed := map[string]bool{}
	var errs []error
	for _, e := range agg.Errors {
		var pe env.ParseError
		if errors.As(e, &pe) {
			if name, ok := vars[pe.Name]; ok {
				failed[name] = true
				errs = append(errs, fmt.Errorf("%s: %w", name, pe.Err))
				continue
			}
		}
		errs = append(errs, e)
	}
	return failed, errors.Join(errs...)
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

// MinSecretKeyLength is the length of `hubforce keygen`'s keys: 32 random
// bytes in unpadded base64 (SPEC §2: at least 32 bytes of entropy). A
// shorter key cannot carry that much.
const MinSecretKeyLength = 43

// ValidateServe reports every problem that keeps `serve` from starting
// that the values alone show, each naming its variable. Problems that need
// a file read or a CIDR parsed are the caller's (bridge.Check).
func (c Config) ValidateServe() error {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	failed := func(name string) bool { return c.failed[Prefix+name] }
	if c.HubSpot.ClientSecret == "" {
		fail("%sHUBSPOT_CLIENT_SECRET is required: it verifies the signatures of HubSpot's webhooks", Prefix)
	}
	switch id := c.Salesforce.OrgID; {
	case id == "":
		fail("%sSALESFORCE_ORG_ID is required: Outbound Messages from any other org are refused", Prefix)
	case len(id) != 15 && len(id) != 18 || !strings.HasPrefix(id, "00D"):
		fail("%sSALESFORCE_ORG_ID must be a 15- or 18-character org id starting with 00D, got %q", Prefix, id)
	}
	if err := checkListenAddr(c.ListenAddr); err != nil && !failed("LISTEN_ADDR") {
		errs = append(errs, err)
	}
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			fail("%sPUBLIC_URL must be an absolute URL such as https://sync.example.com, got %q", Prefix, c.PublicURL)
		}
	}
	if err := CheckDatabaseURL(c.DatabaseURL); err != nil {
		errs = append(errs, err)
	}
	for _, u := range []struct{ name, v string }{{"HUBSPOT_API_URL", c.HubSpot.APIURL}, {"SALESFORCE_LOGIN_URL", c.Salesforce.LoginURL},
		{"HUBSPOT_APP_URL", c.HubSpot.AppURL}, {"SALESFORCE_JWT_AUDIENCE", c.Salesforce.JWTAudience}, {"SLACK_WEBHOOK_URL", c.SlackURL}} {
		if u.v == "" && u.name == "SLACK_WEBHOOK_URL" {
			continue
		}
		if p, err := url.Parse(u.v); err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			fail("%s%s must be an absolute http(s) URL, got %q", Prefix, u.name, u.v)
		}
	}
	if !failed("SALESFORCE_BUDGET_SHARE") && (c.SalesforceBudget <= 0 || c.SalesforceBudget > 1) {
		fail("%sSALESFORCE_BUDGET_SHARE must be in (0, 1], got %v", Prefix, c.SalesforceBudget)
	}
	if !failed("SALESFORCE_BUDGET_PAUSE") && !failed("SALESFORCE_BUDGET_SHARE") && (c.SalesforcePause < c.SalesforceBudget || c.SalesforcePause > 1) {
		fail("%sSALESFORCE_BUDGET_PAUSE must be between %sSALESFORCE_BUDGET_SHARE and 1, got %v", Prefix, Prefix, c.SalesforcePause)
	}
	if v := c.Salesforce.APIVersion; !apiVersion(v) {
		fail("%sSALESFORCE_API_VERSION must look like v68.0, got %q", Prefix, v)
	}
	if !hubspot.ValidAPIVersion(c.HubSpot.APIVersion) {
		fail("%sHUBSPOT_API_VERSION must be a date-based version such as 2026-03, got %q", Prefix, c.HubSpot.APIVersion)
	}
	errs = append(errs, c.credentialErrors()...)
	switch k := c.SecretKey; {
	case k == "":
		fail("%sSECRET_KEY is required: it encrypts the OAuth tokens the bridge keeps; generate one with `hubforce keygen`", Prefix)
	case len(k) < MinSecretKeyLength:
		fail("%sSECRET_KEY is too short (%d characters): it needs at least 32 bytes of entropy, %d characters; generate one with `hubforce keygen`",
			Prefix, len(k), MinSecretKeyLength)
	}
	if (c.TLSCertFile == "") != (c.TLSKeyFile == "") {
		fail("%sTLS_CERT_FILE and %sTLS_KEY_FILE go together", Prefix, Prefix)
	}
	if c.Salesforce.ClientCAFile != "" && c.TLSCertFile == "" {
		fail("%sSALESFORCE_CLIENT_CA_FILE needs %sTLS_CERT_FILE: client certificates come over TLS", Prefix, Prefix)
	}
	if c.Salesforce.TrustMessages && c.Salesforce.ClientCAFile == "" {
		fail("%sSALESFORCE_TRUST_MESSAGES needs %sSALESFORCE_CLIENT_CA_FILE (and %sTLS_CERT_FILE): Outbound Messages carry no signature, "+
			"so their values are only believed from a sender proven by Salesforce's client certificate", Prefix, Prefix, Prefix)
	}
	positive := []struct {
		name string
		d    time.Duration
	}{{"BATCH_LINGER", c.BatchLinger}, {"RETRY_CEILING", c.RetryCeiling}, {"RETRY_MAX_DELAY", c.RetryMaxDelay},
		{"RECONCILE_INTERVAL", c.ReconcileInterval}, {"RETENTION", c.Retention}, {"SHUTDOWN_TIMEOUT", c.ShutdownTimeout},
		{"READ_HEADER_TIMEOUT", c.ReadHeaderTimeout},
		{"SALESFORCE_BUDGET_PROBE", c.BudgetProbe}}
	for _, p := range positive {
		if p.d <= 0 && !failed(p.name) {
			fail("%s%s must be a positive duration such as 30s or 5m, got %v", Prefix, p.name, p.d)
		}
	}
	for _, p := range []struct {
		name string
		d    time.Duration
	}{{"RECONCILE_SETTLE", c.ReconcileSettle}, {"RECONCILE_OVERLAP", c.ReconcileOverlap}} {
		if p.d < 0 && !failed(p.name) {
			fail("%s%s must not be negative, got %v", Prefix, p.name, p.d)
		}
	}
	if c.BodyLimit <= 0 && !failed("BODY_LIMIT") {
		fail("%sBODY_LIMIT must be a positive number of bytes, got %d", Prefix, c.BodyLimit)
	}
	if c.Workers < 0 {
		fail("%sWORKERS must be 0 (take webhooks only) or more", Prefix)
	}
	if !failed("LOG_LEVEL") {
		if err := checkOneOf("LOG_LEVEL", c.LogLevel, "debug", "info", "warn", "error"); err != nil {
			errs = append(errs, err)
		}
	}
	if err := checkOneOf("LOG_FORMAT", c.LogFormat, "json", "console"); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// credentialErrors accepts exactly the combinations the clients can work
// with. OAuth may start with the app's client id and secret alone: the
// first refresh token then comes through Connect on the dashboard, which
// needs HUBFORCE_ADMIN_TOKEN.
func (c Config) credentialErrors() []error {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	connect := func(side, refreshVar string) {
		if c.AdminToken == "" {
			fail("%s OAuth without %s%s gets its first refresh token through Connect on the dashboard, which needs %sADMIN_TOKEN: set one, or set %s%s",
				side, Prefix, refreshVar, Prefix, Prefix, refreshVar)
		}
	}
	h := c.HubSpot
	switch {
	case h.AccessToken != "":
	case h.ClientID != "" && h.ClientSecret != "":
		if h.RefreshToken == "" {
			connect("HubSpot", "HUBSPOT_REFRESH_TOKEN")
		}
	case h.ClientID == "" && h.RefreshToken != "":
		fail("%sHUBSPOT_REFRESH_TOKEN needs %sHUBSPOT_CLIENT_ID (and %sHUBSPOT_CLIENT_SECRET): a refresh token belongs to an app", Prefix, Prefix, Prefix)
	default:
		fail("HubSpot credentials: set %[1]sHUBSPOT_ACCESS_TOKEN (a privately distributed app's static token), "+
			"or %[1]sHUBSPOT_CLIENT_ID with %[1]sHUBSPOT_CLIENT_SECRET for OAuth (%[1]sHUBSPOT_REFRESH_TOKEN, or Connect on the dashboard)", Prefix)
	}
	s := c.Salesforce
	jwt := s.Username != "" || s.PrivateKeyFile != ""
	switch {
	case s.ClientID == "":
		fail("%sSALESFORCE_CLIENT_ID is required (the External Client App's consumer key)", Prefix)
	case jwt && (s.Username == "" || s.PrivateKeyFile == ""):
		fail("the JWT bearer flow needs both %sSALESFORCE_USERNAME and %sSALESFORCE_PRIVATE_KEY_FILE", Prefix, Prefix)
	case jwt && s.ClientCredentials:
		fail("%sSALESFORCE_CLIENT_CREDENTIALS and the JWT bearer flow (%sSALESFORCE_USERNAME) exclude each other: choose one", Prefix, Prefix)
	case jwt:
	case s.ClientCredentials:
		if s.ClientSecret == "" {
			fail("%sSALESFORCE_CLIENT_CREDENTIALS needs %sSALESFORCE_CLIENT_SECRET", Prefix, Prefix)
		}
	case s.RefreshToken != "":
	case s.ClientSecret != "":
		connect("Salesforce", "SALESFORCE_REFRESH_TOKEN")
	default:
		fail("Salesforce credentials: with %[1]sSALESFORCE_CLIENT_ID set %[1]sSALESFORCE_CLIENT_SECRET (and %[1]sSALESFORCE_REFRESH_TOKEN, or Connect on the dashboard), "+
			"or %[1]sSALESFORCE_USERNAME and %[1]sSALESFORCE_PRIVATE_KEY_FILE (JWT bearer), or %[1]sSALESFORCE_CLIENT_SECRET with %[1]sSALESFORCE_CLIENT_CREDENTIALS=true", Prefix)
	}
	return errs
}

func checkOneOf(name, v string, allowed ...string) error {
	if slices.Contains(allowed, v) {
		return nil
	}
	return fmt.Errorf("%s%s must be one of %s, not %q", Prefix, name, strings.Join(allowed, ", "), v)
}

// checkListenAddr accepts host:port or :port, as net.Listen does.
func checkListenAddr(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err == nil {
		var n uint64
		if n, err = strconv.ParseUint(port, 10, 16); err == nil && (n > 0 || port == "0") {
			return nil
		}
	}
	return fmt.Errorf("%sLISTEN_ADDR must be host:port or :port, such as :8080 or 127.0.0.1:8080, got %q", Prefix, addr)
}

func apiVersion(v string) bool {
	n, ok := strings.CutPrefix(v, "v")
	if !ok {
		return false
	}
	_, err := strconv.ParseFloat(n, 64)
	return err == nil && strings.Contains(n, ".")
}

// CheckDatabaseURL says what is wrong with a HUBFORCE_DATABASE_URL without
// touching the database: the scheme, and for SQLite that the file's folder
// exists.
func CheckDatabaseURL(u string) error {
	switch {
	case strings.HasPrefix(u, "sqlite:"):
		path, _, _ := strings.Cut(strings.TrimPrefix(u, "sqlite:"), "?")
		path = strings.TrimPrefix(path, "//")
		if path == "" {
			return fmt.Errorf("%sDATABASE_URL %q names no file: write sqlite:PATH, such as sqlite:hubforce.db", Prefix, u)
		}
		if dir := filepath.Dir(path); dir != "." {
			if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
				return fmt.Errorf("%sDATABASE_URL %q: the folder %s does not exist", Prefix, u, dir)
			}
		}
		return nil
	case strings.HasPrefix(u, "postgres://"), strings.HasPrefix(u, "postgresql://"):
		if p, err := url.Parse(u); err != nil || p.Host == "" {
			return fmt.Errorf("%sDATABASE_URL is not a valid postgres:// URL (postgres://USER:PASSWORD@HOST:5432/DB)", Prefix)
		}
		return nil
	}
	return fmt.Errorf("%sDATABASE_URL must start with sqlite: or postgres://, got %q", Prefix, Redact(u))
}

// Redact hides a database URL's password, for messages.
func Redact(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.User == nil {
		return u
	}
	if _, has := p.User.Password(); has {
		p.User = url.UserPassword(p.User.Username(), "xxxxx")
	}
	return p.String()
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
