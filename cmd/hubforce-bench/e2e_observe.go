package main

// The delivery benchmark's two observation points: a recording reverse proxy
// between each simulator's webhook sender and the bridge ("webhook in"), and
// a middleware in front of each simulator's API ("write out"). Each change
// carries a sequence number in its value, so both sides can be matched up
// without trusting the bridge's own bookkeeping.

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

const seqPrefix = "bench-"

// seqValue is the value written for change seq.
func seqValue(seq int) string { return fmt.Sprintf("%s%07d", seqPrefix, seq) }

// parseSeq reads a value written by seqValue.
func parseSeq(v string) (int, bool) {
	rest, ok := strings.CutPrefix(v, seqPrefix)
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(rest)
	return n, err == nil
}

// sighting is one change seen on the wire: the record id the message names
// (empty where the body does not say, as in batch writes read generically)
// and the change's sequence number.
type sighting struct {
	id  string
	seq int
}

// observer keeps, per sequence number, the first time a webhook and a
// successful write carrying that value arrived.
type observer struct {
	mu      sync.Mutex
	webhook map[int]sightingAt
	write   map[int]sightingAt
}

type sightingAt struct {
	id string
	at time.Time
}

func newObserver() *observer {
	return &observer{webhook: map[int]sightingAt{}, write: map[int]sightingAt{}}
}

func (o *observer) note(into map[int]sightingAt, seen []sighting, at time.Time) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, s := range seen {
		if prev, ok := into[s.seq]; !ok || at.Before(prev.at) {
			into[s.seq] = sightingAt{id: s.id, at: at}
		}
	}
}

// lookup returns the first webhook and write sightings of seq.
func (o *observer) lookup(seq int) (hook, write sightingAt, hookOK, writeOK bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	hook, hookOK = o.webhook[seq]
	write, writeOK = o.write[seq]
	return hook, write, hookOK, writeOK
}

// webhookProxy is a reverse proxy to a target that notes what each webhook
// request carries. It keeps the Host header, as a real front would; the
// bridge is told the proxy's URL as its public URL, so it verifies
// HubSpot's v3 signature against the URL the simulator called.
type webhookProxy struct {
	URL    string
	srv    *http.Server
	target atomic.Pointer[url.URL]
}

// startWebhookProxy listens at once (its URL is the bridge's public URL)
// and forwards once SetTarget has named the bridge.
func startWebhookProxy(o *observer, parse func([]byte) []sighting) (*webhookProxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("webhook proxy: %w", err)
	}
	p := &webhookProxy{URL: "http://" + ln.Addr().String()}
	rp := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
		pr.SetURL(p.target.Load())
		pr.Out.Host = pr.In.Host
	}}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p.target.Load() == nil {
			http.Error(w, "no target yet", http.StatusServiceUnavailable)
			return
		}
		at := time.Now()
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, "reading body", http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		rp.ServeHTTP(w, r)
		// Parsed after forwarding, so that the proxy adds as little as
		// possible to the path it measures.
		o.note(o.webhook, parse(body), at)
	})
	p.srv = &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = p.srv.Serve(ln) }()
	return p, nil
}

// SetTarget names the server requests are forwarded to.
func (p *webhookProxy) SetTarget(target string) error {
	u, err := url.Parse(target)
	if err != nil {
		return fmt.Errorf("webhook proxy target: %w", err)
	}
	p.target.Store(u)
	return nil
}

func (p *webhookProxy) Close() { _ = p.srv.Close() }

// hubspotWebhookSightings reads a HubSpot webhook batch (a JSON array of
// events): the propertyChange events of property on a record.
func hubspotWebhookSightings(property string) func([]byte) []sighting {
	return func(body []byte) []sighting {
		var events []struct {
			ObjectID      int64   `json:"objectId"`
			PropertyName  string  `json:"propertyName"`
			PropertyValue *string `json:"propertyValue"`
		}
		if json.Unmarshal(body, &events) != nil {
			return nil
		}
		var out []sighting
		for _, e := range events {
			if e.PropertyName != property || e.PropertyValue == nil {
				continue
			}
			if seq, ok := parseSeq(*e.PropertyValue); ok {
				out = append(out, sighting{id: strconv.FormatInt(e.ObjectID, 10), seq: seq})
			}
		}
		return out
	}
}

// salesforceOutboundSightings reads an Outbound Message (SOAP): for each
// Notification, the sObject's sf:Id and the value of field. encoding/xml
// matches local names when a tag names no namespace.
func salesforceOutboundSightings(field string) func([]byte) []sighting {
	return func(body []byte) []sighting {
		var env struct {
			Notifications []struct {
				SObject struct {
					ID     string `xml:"Id"`
					Fields []struct {
						XMLName xml.Name
						Value   string `xml:",chardata"`
					} `xml:",any"`
				} `xml:"sObject"`
			} `xml:"Body>notifications>Notification"`
		}
		if xml.Unmarshal(body, &env) != nil {
			return nil
		}
		var out []sighting
		for _, n := range env.Notifications {
			for _, f := range n.SObject.Fields {
				if f.XMLName.Local != field {
					continue
				}
				if seq, ok := parseSeq(f.Value); ok {
					out = append(out, sighting{id: n.SObject.ID, seq: seq})
				}
			}
		}
		return out
	}
}

// writeRecorder wraps a simulator's handler and notes, for every write that
// succeeds, the values of field it carries (sObject Collections records,
// HubSpot batch inputs' properties, or a single record's body alike), timed
// at the request's arrival.
func writeRecorder(o *observer, field string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodPost && r.Method != http.MethodPatch && r.Method != http.MethodPut {
				next.ServeHTTP(w, r)
				return
			}
			at := time.Now()
			body, err := io.ReadAll(r.Body)
			if err != nil {
				http.Error(w, "reading body", http.StatusBadRequest)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
			next.ServeHTTP(sw, r)
			if sw.status < 300 {
				o.note(o.write, jsonSightings(body, field), at)
			}
		})
	}
}

// jsonSightings finds every string value of key field anywhere in a JSON
// document that carries a sequence number.
func jsonSightings(body []byte, field string) []sighting {
	var doc any
	if json.Unmarshal(body, &doc) != nil {
		return nil
	}
	var out []sighting
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, c := range x {
				if s, ok := c.(string); ok && k == field {
					if seq, ok := parseSeq(s); ok {
						out = append(out, sighting{seq: seq})
					}
					continue
				}
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	walk(doc)
	return out
}

// statusWriter remembers the status code of a response.
type statusWriter struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
}

func (s *statusWriter) WriteHeader(code int) {
	if !s.wroteHeader {
		s.status, s.wroteHeader = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }
