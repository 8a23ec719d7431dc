package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
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
	conns := &connStates{m: map[net.Conn]http.ConnState{}}
	srv := &http.Server{
		ConnState:         conns.track,
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
		// What is cut off now was not acknowledged, so its sender tries
		// again: nothing acknowledged is lost. A connection opened just
		// as the shutdown began and never sent its request holds
		// Shutdown for five seconds, the same as a slow request; both
		// are worth a line, neither a failed exit.
		log.Warn().Err(err).Str("open", conns.String()).Msg("drain timed out: closing the connections left; their senders retry")
		if err := srv.Close(); err != nil {
			return fmt.Errorf("closing after the drain: %w", err)
		}
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("http server: %w", err)
	}
	return nil
}

// connStates counts the server's connections by state, for the line a
// timed-out drain writes.
type connStates struct {
	mu sync.Mutex
	m  map[net.Conn]http.ConnState
}

func (c *connStates) track(conn net.Conn, st http.ConnState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st == http.StateClosed || st == http.StateHijacked {
		delete(c.m, conn)
		return
	}
	c.m[conn] = st
}

func (c *connStates) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := map[http.ConnState]int{}
	for _, st := range c.m {
		n[st]++
	}
	var parts []string
	for _, st := range []http.ConnState{http.StateNew, http.StateActive, http.StateIdle} {
		if n[st] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[st], st))
		}
	}
	return strings.Join(parts, ", ")
}
