// Package bridge assembles a running hubforce from its configuration: the
// store, the HTTP server and (later) the delivery workers. `serve` and
// `sandbox` both run it.
package bridge

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"

	"github.com/rs/zerolog"

	"github.com/hubforce/hubforce/internal/config"
	"github.com/hubforce/hubforce/internal/hubspot"
	"github.com/hubforce/hubforce/internal/metrics"
	"github.com/hubforce/hubforce/internal/server"
	"github.com/hubforce/hubforce/internal/store"
)

// Run migrates the schema, opens the store and serves on ln (or on
// c.ListenAddr when ln is nil) until ctx ends, then drains and closes the
// store.
func Run(ctx context.Context, c config.Config, ln net.Listener, log zerolog.Logger) error {
	if err := store.Migrate(ctx, c.DatabaseURL); err != nil {
		return err
	}
	st, err := store.Open(ctx, c.DatabaseURL)
	if err != nil {
		return err
	}
	// Closed after the server has stopped accepting: Close waits for queued
	// commits.
	defer func() {
		if err := st.Close(); err != nil {
			log.Error().Err(err).Msg("closing the store")
		}
	}()
	guard, err := salesforceGuard(c)
	if err != nil {
		return err
	}
	srv := &server.Server{
		Log:     log,
		Store:   st,
		Metrics: metrics.New(),
		HubSpot: hubspot.Verifier{
			ClientSecret: c.HubSpot.ClientSecret,
			PublicURL:    c.PublicURL,
			RequireV3:    c.HubSpot.RequireV3,
		},
		SalesforceOrgID: c.Salesforce.OrgID,
		SalesforceGuard: guard,
		BodyLimit:       c.BodyLimit,
		Ready:           []server.Check{{Name: "store", Fn: st.Ping}},
	}
	if ln == nil {
		if ln, err = net.Listen("tcp", c.ListenAddr); err != nil {
			return fmt.Errorf("HUBFORCE_LISTEN_ADDR %s: %w", c.ListenAddr, err)
		}
	}
	if c.TLSCertFile != "" {
		tc, err := server.TLSConfig(c.TLSCertFile, c.TLSKeyFile, c.Salesforce.ClientCAFile)
		if err != nil {
			return err
		}
		ln = tls.NewListener(ln, tc)
	}
	return server.Serve(ctx, ln, srv.Handler(), c.ShutdownTimeout, log)
}

func salesforceGuard(c config.Config) (server.Guard, error) {
	allowed, err := server.ParsePrefixes(c.Salesforce.AllowedIPs)
	if err != nil {
		return server.Guard{}, fmt.Errorf("HUBFORCE_SALESFORCE_ALLOWED_IPS: %w", err)
	}
	proxies, err := server.ParsePrefixes(c.TrustedProxies)
	if err != nil {
		return server.Guard{}, fmt.Errorf("HUBFORCE_TRUSTED_PROXIES: %w", err)
	}
	return server.Guard{Allowed: allowed, TrustedProxies: proxies, RequireClientCert: c.Salesforce.ClientCAFile != ""}, nil
}
