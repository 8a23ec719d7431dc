package server

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/hubspot"
	"github.com/hubforce/hubforce/internal/salesforce"
)

// errTooLarge marks a body over the limit (413).
var errTooLarge = errors.New("body over the limit")

// readBody reads the whole body up to limit bytes. The raw bytes are what
// HubSpot signed, so they are kept as read.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if limit <= 0 {
		limit = 1 << 20
	}
	if r.ContentLength > limit {
		return nil, errTooLarge
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, errTooLarge
	}
	return body, err
}

// bodyBuffers recycles the HubSpot handler's body buffers: reading a body
// into a fresh, repeatedly grown slice was a measurable share of the
// acknowledgement path's allocations at saturation (issue #3). Only the
// HubSpot handler uses it, because hubspot.ParseEvents copies what it keeps,
// so the buffer is free again once the request is parsed.
var bodyBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBody keeps an occasional large body from pinning its buffer.
const maxPooledBody = 256 << 10

// readBodyInto is readBody into a caller's (pooled) buffer.
func readBodyInto(buf *bytes.Buffer, w http.ResponseWriter, r *http.Request, limit int64) error {
	if limit <= 0 {
		limit = 1 << 20
	}
	if r.ContentLength > limit {
		return errTooLarge
	}
	if r.ContentLength > 0 {
		// ReadFrom grows the buffer whenever less than MinRead is free,
		// so leave that much room to see EOF in.
		buf.Grow(int(r.ContentLength) + bytes.MinRead)
	}
	_, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, limit))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return errTooLarge
	}
	return err
}

func mediaType(r *http.Request) string {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return ""
	}
	return mt
}

// hubspotWebhook answers 2xx only after every event in the body is committed
// (SPEC §2); HubSpot retries anything else for a day.
func (s *Server) hubspotWebhook(w http.ResponseWriter, r *http.Request) {
	log := zerolog.Ctx(r.Context())
	refuse := func(code int, reason string, err error) {
		s.Metrics.Refused.WithLabelValues(string(hubforce.HubSpot), reason).Inc()
		log.Warn().Err(err).Str("reason", reason).Msg("hubspot webhook refused")
		http.Error(w, http.StatusText(code)+": "+err.Error(), code)
	}
	if mt := mediaType(r); mt != "application/json" {
		refuse(http.StatusBadRequest, "content_type", errors.New("content type must be application/json"))
		return
	}
	buf := bodyBuffers.Get().(*bytes.Buffer)
	buf.Reset()
	defer func() {
		if buf.Cap() <= maxPooledBody {
			bodyBuffers.Put(buf)
		}
	}()
	err := readBodyInto(buf, w, r, s.BodyLimit)
	if errors.Is(err, errTooLarge) {
		refuse(http.StatusRequestEntityTooLarge, "too_large", err)
		return
	}
	if err != nil {
		refuse(http.StatusBadRequest, "read", err)
		return
	}
	body := buf.Bytes()
	// Verify before parsing: an unsigned body is not worth a parser's time.
	if err := s.HubSpot.Verify(r, body); err != nil {
		refuse(http.StatusUnauthorized, "signature", err)
		return
	}
	events, bad, err := hubspot.ParseBatch(body)
	if err != nil {
		refuse(http.StatusBadRequest, "malformed", err)
		return
	}
	if n := len(events) + len(bad); n > hubspot.MaxEvents {
		log.Warn().Int("events", n).Int("documented_max", hubspot.MaxEvents).Msg("hubspot webhook with more events than HubSpot documents; all taken")
	}
	malformed := make([]hubforce.Change, len(bad))
	for i, b := range bad {
		malformed[i] = hubforce.Malformed(hubforce.HubSpot, b.Raw, fmt.Errorf("event %d: %w", b.Index, b.Err))
	}
	changes, ignored := hubspot.Changes(s.keepOwn(events, log))
	if !s.commit(r, hubforce.HubSpot, changes, malformed, ignored) {
		http.Error(w, "store unavailable, retry later", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// salesforceWebhook acknowledges an Outbound Message with <Ack>true</Ack> only
// after commit; a SOAP fault makes Salesforce retry.
func (s *Server) salesforceWebhook(w http.ResponseWriter, r *http.Request) {
	log := zerolog.Ctx(r.Context())
	refuse := func(code int, reason string, err error) {
		s.Metrics.Refused.WithLabelValues(string(hubforce.Salesforce), reason).Inc()
		log.Warn().Err(err).Str("reason", reason).Msg("salesforce outbound message refused")
		// SOAP 1.1 §6.2: a fault travels with HTTP 500; only an oversized
		// body keeps its own status.
		status := 0
		if code == http.StatusRequestEntityTooLarge {
			status = code
		}
		salesforce.WriteFault(w, status, salesforce.FaultClient, err.Error())
	}
	if err := s.SalesforceGuard.Check(r); err != nil {
		refuse(http.StatusForbidden, "guard", err)
		return
	}
	if mt := mediaType(r); mt != "text/xml" {
		refuse(http.StatusBadRequest, "content_type", errors.New("content type must be text/xml (SOAP 1.1)"))
		return
	}
	body, err := readBody(w, r, s.BodyLimit)
	if errors.Is(err, errTooLarge) {
		refuse(http.StatusRequestEntityTooLarge, "too_large", err)
		return
	}
	if err != nil {
		refuse(http.StatusBadRequest, "read", err)
		return
	}
	msg, err := salesforce.ParseMessage(body)
	if err != nil {
		refuse(http.StatusBadRequest, "malformed", err)
		return
	}
	if !salesforce.OrgMatches(s.SalesforceOrgID, msg.OrganizationID) {
		refuse(http.StatusForbidden, "org", errors.New("outbound message from an organization this bridge does not serve"))
		return
	}
	changes, ignored := msg.Changes()
	trusted := s.TrustedSalesforce.proven(r)
	if s.TrustedSalesforce != nil && !trusted {
		ev := log.Info()
		if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
			ev = ev.Str("client_certificate", describe(r.TLS.PeerCertificates[0]))
		}
		ev.Msg("outbound message without Salesforce's pinned client certificate: its notifications are triggers, the records are read back")
	}
	for i := range changes {
		changes[i].Trigger = !trusted
	}
	malformed := make([]hubforce.Change, len(msg.Bad))
	for i, b := range msg.Bad {
		malformed[i] = hubforce.Malformed(hubforce.Salesforce, b.Raw, b.Err)
	}
	if !s.commit(r, hubforce.Salesforce, changes, malformed, ignored) {
		salesforce.WriteFault(w, 0, salesforce.FaultServer, "store unavailable, retry later")
		return
	}
	salesforce.WriteAck(w)
}

// commit stores changes, and the malformed parts of the request beside
// them (they become dead letters), in one commit; false means nothing was
// committed and the sender must retry. What the store decides on each
// change is counted when it digests them (store.WithOnIngested).
func (s *Server) commit(r *http.Request, side hubforce.Side, changes, malformed []hubforce.Change, ignored int) bool {
	s.Metrics.WebhookReceived(side, time.Now())
	if ignored > 0 {
		s.Metrics.Ignored.WithLabelValues(string(side)).Add(float64(ignored))
	}
	countEvents(s.Metrics.EventsIn, side, changes)
	if len(malformed) > 0 {
		s.Metrics.Malformed.WithLabelValues(string(side)).Add(float64(len(malformed)))
		// The problem, never the bytes: they may carry personal data.
		zerolog.Ctx(r.Context()).Warn().Str("side", string(side)).Int("malformed", len(malformed)).Int("valid", len(changes)).
			Str("first_problem", malformed[0].Problem).Msg("parts of a webhook could not be read: kept as dead letters (malformed), the rest goes on")
		changes = append(changes, malformed...)
	}
	if len(changes) == 0 {
		return true
	}
	start := time.Now()
	if err := s.Store.Receive(r.Context(), changes); err != nil {
		zerolog.Ctx(r.Context()).Error().Err(err).Str("side", string(side)).Int("events", len(changes)).Msg("commit failed; the sender will retry")
		return false
	}
	s.Metrics.CommitDuration.Observe(time.Since(start).Seconds())
	return true
}

// countEvents adds changes to the per-object counter, one label lookup per
// object rather than per change.
func countEvents(events *prometheus.CounterVec, side hubforce.Side, changes []hubforce.Change) {
	var last hubforce.Object
	n := 0
	flush := func() {
		if n > 0 {
			events.WithLabelValues(string(side), string(last)).Add(float64(n))
		}
	}
	for _, c := range changes {
		if c.Object != last {
			flush()
			last, n = c.Object, 0
		}
		n++
	}
	flush()
}
