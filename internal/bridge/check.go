package bridge

import (
	"errors"
	"fmt"
	"os"

	"github.com/golang-jwt/jwt/v5"

	"github.com/hubforce/hubforce/internal/config"
	"github.com/hubforce/hubforce/internal/server"
)

// Check reports every problem that keeps `serve` from starting with c, all
// at once and each naming its variable, without connecting to anything: the
// values (config.ValidateServe), the mapping file, the Salesforce endpoint's
// allowlists, the TLS files and the JWT bearer key. `serve` and `config
// check` both run it, so they refuse exactly the same configurations.
func Check(c config.Config) error {
	errs := []error{c.ValidateServe()}
	if _, err := LoadMapping(c); err != nil {
		errs = append(errs, err)
	}
	if _, err := salesforceGuard(c); err != nil {
		errs = append(errs, err)
	}
	if _, err := trustedSalesforce(c); err != nil {
		errs = append(errs, err)
	}
	if c.TLSCertFile != "" && c.TLSKeyFile != "" {
		if _, err := server.TLSConfig(c.TLSCertFile, c.TLSKeyFile, c.Salesforce.ClientCAFile); err != nil {
			errs = append(errs, err)
		}
	}
	if s := c.Salesforce; s.PrivateKeyFile != "" {
		key, err := os.ReadFile(s.PrivateKeyFile)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("%sSALESFORCE_PRIVATE_KEY_FILE: %w", config.Prefix, err))
		default:
			// The key the JWT bearer flow signs with (salesforce.NewClient
			// parses it the same way).
			if _, err := jwt.ParseRSAPrivateKeyFromPEM(key); err != nil {
				errs = append(errs, fmt.Errorf("%sSALESFORCE_PRIVATE_KEY_FILE %s is not an RSA private key in PEM: %w", config.Prefix, s.PrivateKeyFile, err))
			}
		}
	}
	return errors.Join(errs...)
}
