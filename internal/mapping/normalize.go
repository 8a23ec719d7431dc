package mapping

import (
	"strings"
	"unicode"
)

// NormalizeDomain reduces a domain or a website URL to the bare, lower-case
// host HubSpot keeps in a company's "domain": "https://www.Acme.com/about"
// → "acme.com". It drops the scheme, user info, port, path, query,
// fragment, a leading "www." and a trailing dot, and returns "" when what
// remains cannot be a host name.
func NormalizeDomain(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	} else {
		s = strings.TrimPrefix(s, "//")
	}
	if i := strings.IndexAny(s, "/?#\\"); i >= 0 {
		s = s[:i]
	}
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		s = s[i+1:]
	}
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimSuffix(s, ".")
	for strings.HasPrefix(s, "www.") {
		s = s[len("www."):]
	}
	if !validHost(s) {
		return ""
	}
	return s
}

// validHost accepts two or more dot-separated labels of letters (any
// script, for internationalised names), digits and hyphens: a company's
// domain always has a top-level domain.
func validHost(s string) bool {
	if !strings.Contains(s, ".") || len(s) > 253 {
		return false
	}
	for label := range strings.SplitSeq(s, ".") {
		if label == "" || strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") {
			return false
		}
		for _, r := range label {
			if r != '-' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				return false
			}
		}
	}
	return true
}

// WebsiteFromDomain is the Salesforce Website written for a HubSpot domain.
// Salesforce's URL fields take any text; a scheme makes it a working link.
func WebsiteFromDomain(domain string) string {
	d := NormalizeDomain(domain)
	if d == "" {
		return strings.TrimSpace(domain)
	}
	return "https://" + d
}

// NormalizeEmail trims and lower-cases an address: HubSpot treats contact
// emails case-insensitively, so the match key must too.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// NormalizeName trims, collapses inner white space and lower-cases.
func NormalizeName(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

func blank(s string) bool { return strings.TrimSpace(s) == "" }
