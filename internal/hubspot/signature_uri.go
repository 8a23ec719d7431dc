package hubspot

import (
	"net/http"
	"strings"
)

// v3URIDecoder decodes exactly the percent-encodings HubSpot's "Validate the
// v3 request signature" table lists (developers.hubspot.com/docs/api/webhooks/
// validating-requests), and nothing else: %20, %26, %3D, %2B… stay as
// received. Only the upper-case spellings are in the table, so only those
// are decoded. strings.Replacer works in a single left-to-right pass, so
// "%253A" stays "%253A" (no double decoding).
var v3URIDecoder = strings.NewReplacer(
	"%3A", ":",
	"%2F", "/",
	"%3F", "?",
	"%40", "@",
	"%21", "!",
	"%24", "$",
	"%27", "'",
	"%28", "(",
	"%29", ")",
	"%2A", "*",
	"%2C", ",",
	"%3B", ";",
)

// DecodeV3URI applies HubSpot's v3 URI decoding to a full URL.
func DecodeV3URI(uri string) string {
	return v3URIDecoder.Replace(uri)
}

// requestURL is the full URL HubSpot called: scheme, host, path and query,
// with the path and query exactly as they arrived on the request line.
// Without PublicURL the scheme is https whatever this process sees: HubSpot
// only calls HTTPS target URLs ("You must deploy a publicly available and
// secure (HTTPS) endpoint", webhooks guide), so a request that arrived
// over plain HTTP came through a TLS-terminating proxy.
func (v Verifier) requestURL(r *http.Request) string {
	base := strings.TrimRight(v.PublicURL, "/")
	if base == "" {
		base = "https://" + r.Host
	}
	return base + requestTarget(r)
}

// requestTarget prefers r.RequestURI: it is the request line as received,
// untouched by routers or http.StripPrefix, which rewrite r.URL.
func requestTarget(r *http.Request) string {
	if strings.HasPrefix(r.RequestURI, "/") {
		return r.RequestURI
	}
	if r.URL == nil {
		return "/"
	}
	target := r.URL.EscapedPath()
	if target == "" {
		target = "/"
	}
	if r.URL.RawQuery != "" || r.URL.ForceQuery {
		target += "?" + r.URL.RawQuery
	}
	return target
}
