package doctor

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/hubspot"
	"github.com/hubforce/hubforce/internal/mapping"
)

// The HubSpot checks. Pages followed: scopes
// (developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/scopes),
// properties guide, Auth OAuth 2026-03 spec (introspection), webhooks guide
// and Webhooks 2026-03 spec (the app's settings and subscriptions),
// usage-details page (rate-limit headers).

const projectFile = "deploy/hubspot/src/app/app-hsmeta.json"

func checkHubSpot(ctx context.Context, c Config) Report {
	hs := hubforce.HubSpot
	var r Report
	add := func(check string, st Status, say, fix string) {
		r = append(r, Finding{Side: hs, Check: check, Status: st, Say: say, Fix: fix})
	}
	props := map[hubforce.Object]map[string]hubspot.Property{}
	var first error
	for _, obj := range c.Mapping.Objects() {
		p, err := c.HubSpot.Properties(ctx, obj)
		if err != nil {
			first = err
			if hubforce.ClassOf(err) == hubforce.Auth && !missingScope(err) {
				break
			}
			continue
		}
		props[obj] = p
	}
	if first != nil && hubforce.ClassOf(first) == hubforce.Auth && !missingScope(first) {
		add("token", Fail, "HubSpot refused the token: "+errText(first),
			"static token: copy the app's access token (HubSpot → Development → Projects → hubforce → the app → Auth) into HUBFORCE_HUBSPOT_ACCESS_TOKEN; "+
				"OAuth: press Connect on the dashboard (or set HUBFORCE_HUBSPOT_REFRESH_TOKEN)")
		return r
	}
	if first != nil && !missingScope(first) {
		add("token", Fail, "HubSpot answered an error: "+errText(first), "check HUBFORCE_HUBSPOT_API_URL and HUBFORCE_HUBSPOT_API_VERSION")
		return r
	}
	info, ierr := c.HubSpot.Introspect(ctx)
	switch {
	case errors.Is(ierr, hubspot.ErrNoClientCredentials):
		add("token", OK, "the token works", "")
	case ierr != nil:
		add("token", Fail, "introspecting the token failed: "+errText(ierr),
			"check HUBFORCE_HUBSPOT_CLIENT_ID and HUBFORCE_HUBSPOT_CLIENT_SECRET (the app's Auth tab)")
	default:
		add("token", OK, fmt.Sprintf("the token works (portal %d, app %d)", info.HubID, info.AppID), "")
	}
	r = append(r, checkScopes(c, info, ierr, first)...)
	r = append(r, checkAppID(c, info, ierr)...)
	r = append(r, checkProperties(c, props)...)
	r = append(r, checkSubscriptions(ctx, c)...)
	if rem, max, every := c.HubSpot.Budget(); max > 0 {
		add("API budget", OK, fmt.Sprintf("%d of %d requests left in the current %s window", rem, max, every), "")
	} else {
		add("API budget", Unknown, "HubSpot sent no rate-limit headers", "")
	}
	return r
}

func missingScope(err error) bool {
	var ae *hubforce.APIError
	return errors.As(err, &ae) && ae.Code == "MISSING_SCOPES"
}

// needed are the scopes the bridge uses: the app requests oauth too, which
// introspection need not list.
func needed() []string {
	var out []string
	for _, s := range hubspot.Scopes() {
		if s != "oauth" {
			out = append(out, s)
		}
	}
	return out
}

func checkScopes(c Config, info hubspot.TokenInfo, ierr, callErr error) Report {
	f := Finding{Side: hubforce.HubSpot, Check: "scopes"}
	scopeFix := "add them to auth.requiredScopes in " + projectFile + ", run `hs project upload`, then accept the new scopes in HubSpot " +
		"(the app's install page; a static token carries them afterwards, an OAuth install needs Connect again)"
	switch {
	case ierr == nil:
		var missing []string
		for _, s := range needed() {
			if !slices.Contains(info.Scopes, s) {
				missing = append(missing, s)
			}
		}
		if len(missing) > 0 {
			f.Status, f.Say, f.Fix = Fail, "the token lacks "+strings.Join(missing, ", "), scopeFix
		} else {
			f.Status, f.Say = OK, "the token carries "+strings.Join(needed(), ", ")
		}
	case missingScope(callErr):
		f.Status, f.Say, f.Fix = Fail, "HubSpot refused a read for a missing scope: "+errText(callErr), scopeFix
		var ae *hubforce.APIError
		if errors.As(callErr, &ae) && len(ae.Fields) > 0 {
			f.Say = "the token lacks " + strings.Join(ae.Fields, ", ")
		}
	default:
		f.Status, f.Say = Unknown, "read scopes work; whether the token may write cannot be told without introspection"
		f.Fix = "set HUBFORCE_HUBSPOT_CLIENT_ID (the app's Auth tab) beside HUBFORCE_HUBSPOT_CLIENT_SECRET so that doctor can introspect the token"
	}
	return Report{f}
}

func checkAppID(c Config, info hubspot.TokenInfo, ierr error) Report {
	f := Finding{Side: hubforce.HubSpot, Check: "app id"}
	switch {
	case ierr != nil && c.AppID == 0:
		f.Status, f.Say = Warn, "HUBFORCE_HUBSPOT_APP_ID is not set: the bridge recognises its own writes by their values only"
		f.Fix = "set HUBFORCE_HUBSPOT_APP_ID to the app's id (the app's overview page in HubSpot)"
	case ierr != nil:
		f.Status, f.Say = OK, fmt.Sprintf("HUBFORCE_HUBSPOT_APP_ID is %d (not verifiable without introspection)", c.AppID)
	case c.AppID == 0:
		f.Status, f.Say, f.Fix = Warn, "HUBFORCE_HUBSPOT_APP_ID is not set", fmt.Sprintf("set HUBFORCE_HUBSPOT_APP_ID=%d", info.AppID)
	case info.AppID != c.AppID:
		f.Status, f.Say = Fail, fmt.Sprintf("HUBFORCE_HUBSPOT_APP_ID is %d but the token belongs to app %d: the bridge would take its own writes for changes", c.AppID, info.AppID)
		f.Fix = fmt.Sprintf("set HUBFORCE_HUBSPOT_APP_ID=%d", info.AppID)
	default:
		f.Status, f.Say = OK, fmt.Sprintf("the token belongs to app %d, as HUBFORCE_HUBSPOT_APP_ID says", c.AppID)
	}
	return Report{f}
}

func checkProperties(c Config, props map[hubforce.Object]map[string]hubspot.Property) Report {
	var r Report
	for _, obj := range c.Mapping.Objects() {
		have, ok := props[obj]
		if !ok {
			continue // the scopes finding says why it could not be read
		}
		var bad []Finding
		for _, f := range mapped(c.Mapping, obj) {
			p, exists := have[f.HubSpot]
			switch {
			case !exists:
				bad = append(bad, Finding{Side: hubforce.HubSpot, Check: "properties", Status: Fail,
					Say: fmt.Sprintf("%s has no property %q (mapped to %s)", obj.HubSpotName(), f.HubSpot, f.Salesforce),
					Fix: fmt.Sprintf("create it in HubSpot (Settings → Data Management → Properties → %s → Create property, internal name %s) or change the mapping (%s)",
						obj.HubSpotName(), f.HubSpot, c.fromMapping(f))})
			case p.ReadOnly && f.Rule.Writes(hubforce.Salesforce) != mapping.Never:
				bad = append(bad, Finding{Side: hubforce.HubSpot, Check: "properties", Status: Fail,
					Say: fmt.Sprintf("%s.%s is read-only in HubSpot, but the mapping writes Salesforce's %s into it", obj.HubSpotName(), f.HubSpot, f.Salesforce),
					Fix: fmt.Sprintf("give it the rule hubspot-to-salesforce, or map another property (%s)", c.fromMapping(f))})
			}
		}
		if d := c.Mapping.Deletion(obj, hubforce.Salesforce); d.Action == mapping.DeleteMark {
			if p, ok := have[d.Field]; !ok || p.ReadOnly {
				bad = append(bad, Finding{Side: hubforce.HubSpot, Check: "properties", Status: Fail,
					Say: fmt.Sprintf("%s has no writable property %q, which the mapping sets when Salesforce deletes a record (deletions: mark)", obj.HubSpotName(), d.Field),
					Fix: fmt.Sprintf("create it in HubSpot (Settings → Data Management → Properties → %s → Create property, a single checkbox with internal name %s) or change deletions (%s)",
						obj.HubSpotName(), d.Field, c.MappingSource)})
			}
		}
		if len(bad) == 0 {
			r = append(r, Finding{Side: hubforce.HubSpot, Check: "properties", Status: OK,
				Say: fmt.Sprintf("%s: the %d mapped properties exist and can be written where the mapping writes them", obj.HubSpotName(), len(mapped(c.Mapping, obj)))})
		}
		r = append(r, bad...)
	}
	return r
}

// subscriptionKinds are the events the bridge acts on, per object: the
// ones it cannot work without, and the ones it handles when sent.
var (
	requiredKinds    = []string{"creation", "propertyChange"}
	recommendedKinds = []string{"deletion", "merge", "restore"}
)

func checkSubscriptions(ctx context.Context, c Config) Report {
	f := Finding{Side: hubforce.HubSpot, Check: "webhooks"}
	where := "HubSpot → Development → Projects → hubforce → the app → Webhooks"
	want, _ := c.endpoint(hubforce.HubSpot)
	if c.AppID == 0 {
		f.Status, f.Say, f.Fix = Unknown, "the app's webhook settings cannot be read without HUBFORCE_HUBSPOT_APP_ID",
			"set HUBFORCE_HUBSPOT_APP_ID; meanwhile check in "+where+" that the target URL is "+want
		return Report{f}
	}
	hooks, err := c.HubSpot.Webhooks(ctx, c.AppID)
	if err != nil {
		f.Status, f.Say = Unknown, "the app's webhook settings cannot be read ("+errText(err)+")"
		f.Fix = "check in " + where + " that the target URL is " + want +
			" and that contacts and companies are subscribed; set HUBFORCE_HUBSPOT_CLIENT_ID so that doctor can read them"
		return Report{f}
	}
	var r Report
	st, say := c.pointsHere(hubforce.HubSpot, hooks.TargetURL)
	f.Status, f.Say = st, say
	if st != OK {
		f.Fix = "set settings.targetUrl in deploy/hubspot/src/app/webhooks/webhooks-hsmeta.json to " + want + " and run `hs project upload`"
	}
	r = append(r, f)
	for _, obj := range c.Mapping.Objects() {
		var missing, absent []string
		for _, kind := range requiredKinds {
			if !subscribed(hooks.Subscriptions, obj, kind) {
				missing = append(missing, kind)
			}
		}
		kinds := recommendedKinds
		if obj == hubforce.Contact {
			kinds = append(slices.Clone(kinds), "associationChange")
		}
		for _, kind := range kinds {
			if !subscribed(hooks.Subscriptions, obj, kind) {
				absent = append(absent, kind)
			}
		}
		sort.Strings(absent)
		name := singular(obj)
		fix := "add the active subscription(s) to deploy/hubspot/src/app/webhooks/webhooks-hsmeta.json and run `hs project upload`"
		switch {
		case len(missing) > 0:
			r = append(r, Finding{Side: hubforce.HubSpot, Check: "subscriptions", Status: Fail,
				Say: fmt.Sprintf("no active %s subscription to %s", name, strings.Join(missing, ", ")), Fix: fix})
		case len(absent) > 0:
			r = append(r, Finding{Side: hubforce.HubSpot, Check: "subscriptions", Status: Warn,
				Say: fmt.Sprintf("no active %s subscription to %s: those changes arrive only through reconciliation", name, strings.Join(absent, ", ")), Fix: fix})
		default:
			r = append(r, Finding{Side: hubforce.HubSpot, Check: "subscriptions", Status: OK,
				Say: fmt.Sprintf("%s changes are subscribed", name)})
		}
	}
	return r
}

// subscribed reports whether an active subscription covers kind for obj:
// the legacy contact.creation form or the generic object.creation with
// the object's type id. A propertyChange subscription for one property
// counts: HubSpot subscribes property changes per property.
func subscribed(subs []hubspot.Subscription, obj hubforce.Object, kind string) bool {
	for _, s := range subs {
		if !s.Active {
			continue
		}
		if s.EventType == singular(obj)+"."+kind || (s.EventType == "object."+kind && s.ObjectTypeID == typeID(obj)) {
			return true
		}
	}
	return false
}

// webhookNames are an object's names in webhook subscriptions: the legacy
// prefix and the objectTypeId of object.* ones.
var webhookNames = map[hubforce.Object][2]string{hubforce.Contact: {"contact", "0-1"}, hubforce.Company: {"company", "0-2"}}

func singular(obj hubforce.Object) string {
	if n, ok := webhookNames[obj]; ok {
		return n[0]
	}
	return obj.HubSpotName()
}

func typeID(obj hubforce.Object) string {
	if n, ok := webhookNames[obj]; ok {
		return n[1]
	}
	return obj.HubSpotName()
}
