package server

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/hubforce/hubforce/internal/testkit"
)

// A request still running when the drain ends is cut off with a warning
// naming what was open, and the process stops cleanly: its sender was not
// answered and tries again, so a slow drain is no failed exit.
func TestServeCutsOffWhatOutlastsTheDrain(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	started, release := make(chan struct{}), make(chan struct{})
	defer close(release)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	var logs testkit.LogBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ln, h, 50*time.Millisecond, zerolog.New(&logs)) }()
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/")
		if err == nil {
			_ = resp.Body.Close()
		}
	}()
	<-started
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Serve after a timed-out drain: %v, want nil", err)
	}
	if l := logs.String(); !strings.Contains(l, "drain timed out") || !strings.Contains(l, "1 active") {
		t.Fatalf("want a warning naming the active connection, got %s", l)
	}
}
