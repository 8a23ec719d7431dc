package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/rs/zerolog"
)

// DefaultReadHeaderTimeout closes a connection whose request headers have
// not all arrived in this time (a slow-loris client holding connections
// open); HubSpot and Salesforce send theirs at once.
const DefaultReadHeaderTimeout = 10 * time.Second

// Serve serves h on ln until ctx ends, then drains: it stops accepting, lets
// in-flight requests (and so their commits) finish for up to drain, and
// returns. The caller closes the store afterwards.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, drain time.Duration, log zerolog.Logger) error {
	return ServeWith(ctx, ln, h, DefaultReadHeaderTimeout, drain, log)
}

// ServeWith is Serve with the read-header timeout given
// (HUBFORCE_READ_HEADER_TIMEOUT).
func ServeWith(ctx context.Context, ln net.Listener, h http.Handler, readHeader, drain time.Duration, log zerolog.Logger) error {
	if readHeader <= 0 {
		readHeader = DefaultReadHeaderTimeout
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeader,
		// HubSpot waits 5 s and Salesforce 60 s for an answer; a body that
		// takes longer than this to arrive is not a webhook.
		ReadTimeout:  30 * time.Second,
		WriteTimeout: 60 * time.Second,
		IdleTimeout:  2 * time.Minute,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info().Str("addr", ln.Addr().String()).Msg("listening")
	select {
	case err := <-errc:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	log.Info().Stringer("timeout", drain).Msg("shutting down: no new requests, finishing in-flight ones")
	sctx, cancel := context.WithTimeout(context.Background(), drain)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("draining: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("http server: %w", err)
	}
	return nil
}
