// Package bridge assembles a running hubforce from its configuration: the
// store, the HTTP server and (later) the delivery workers. `serve` and
// `sandbox` both run it.
package bridge

import (
	"context"
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
	srv := &server.Server{
		Log:     log,
		Store:   st,
		Metrics: metrics.New(),
		HubSpot: hubspot.Verifier{
			ClientSecret: c.HubSpot.ClientSecret,
			PublicURL:    c.PublicURL,
		},
		SalesforceOrgID: c.Salesforce.OrgID,
		BodyLimit:       c.BodyLimit,
		Ready:           []server.Check{{Name: "store", Fn: st.Ping}},
	}
	if ln == nil {
		if ln, err = net.Listen("tcp", c.ListenAddr); err != nil {
			return fmt.Errorf("HUBFORCE_LISTEN_ADDR %s: %w", c.ListenAddr, err)
		}
	}
	return server.Serve(ctx, ln, srv.Handler(), c.ShutdownTimeout, log)
}
