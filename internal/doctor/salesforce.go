package doctor

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/mapping"
	"github.com/hubforce/hubforce/internal/salesforce"
)

// The Salesforce checks. Pages followed: External Client App OAuth settings
// and scopes (help.salesforce.com "Configure the External Client App OAuth
// Settings", "OAuth Tokens and Scopes"), REST API Developer Guide "sObject
// Describe" and "Limits", Object Reference "Field Properties", Tooling API
// Reference "WorkflowOutboundMessage".

// messageFields are the fields every Outbound Message should carry: Id
// names the record, SystemModstamp orders its versions, LastModifiedById
// tells the bridge's own writes.
var messageFields = []string{"Id", "SystemModstamp", "LastModifiedById"}

func checkSalesforce(ctx context.Context, c Config) Report {
	sf := hubforce.Salesforce
	var r Report
	add := func(check string, st Status, say, fix string) {
		r = append(r, Finding{Side: sf, Check: check, Status: st, Say: say, Fix: fix})
	}
	user, err := c.Salesforce.IntegrationUserID(ctx)
	if err != nil {
		add("token", Fail, "Salesforce refused the credentials: "+errText(err), tokenFix(c.SalesforceFlow))
		return r
	}
	add("token", OK, "the token works (integration user "+user+")", "")
	switch scopes, err := c.Salesforce.GrantedScopes(ctx); {
	case err != nil:
		add("scopes", Unknown, "the granted scopes cannot be read: "+errText(err), "")
	case slices.Contains(scopes, "api") || slices.Contains(scopes, "full"):
		add("scopes", OK, "the token may use the REST API (scopes: "+strings.Join(scopes, " ")+")", "")
	default:
		add("scopes", Fail, "the token lacks the api scope (scopes: "+strings.Join(scopes, " ")+")",
			"Setup → External Client App Manager → hubforce → Settings → OAuth Settings: add \"Manage user data via APIs (api)\" (and \"Perform requests at any time (refresh_token, offline_access)\"), then reconnect")
	}
	for _, obj := range c.Mapping.Objects() {
		om, _ := c.Mapping.Object(obj)
		fields, err := c.Salesforce.Describe(ctx, om.SalesforceType)
		if err != nil {
			add("fields", Fail, "describing "+om.SalesforceType+" failed: "+errText(err),
				"check that the object exists and that the integration user's permission set grants Read on it")
			continue
		}
		r = append(r, checkFields(c, obj, om.SalesforceType, fields)...)
		r = append(r, checkRequired(c, obj, om.SalesforceType, fields)...)
	}
	r = append(r, checkOutbound(ctx, c)...)
	if err := c.Salesforce.RefreshUsage(ctx); err != nil {
		add("API budget", Unknown, "GET /limits failed: "+errText(err), "")
	} else if used, limit := c.Salesforce.Usage(); limit > 0 {
		share := float64(used) / float64(limit)
		st, fix := OK, ""
		if c.BudgetShare > 0 && share >= c.BudgetShare {
			st, fix = Warn, "deliveries slow and backfills pause past HUBFORCE_SALESFORCE_BUDGET_SHARE; other integrations share the org's daily allocation"
		}
		add("API budget", st, fmt.Sprintf("%d of %d daily API requests used (%.0f%%; rolling 24 h, shared by every integration)", used, limit, share*100), fix)
	}
	return r
}

func tokenFix(flow string) string {
	switch flow {
	case "JWT bearer":
		return "in the External Client App: upload the certificate of HUBFORCE_SALESFORCE_PRIVATE_KEY_FILE (OAuth Settings → Enable JWT Bearer Flow), " +
			"pre-authorise the integration user's profile or permission set (Policies → Permitted Users: Admin approved users are pre-authorized); " +
			"HUBFORCE_SALESFORCE_JWT_AUDIENCE must be https://login.salesforce.com (https://test.salesforce.com for a sandbox)"
	case "client credentials":
		return "in the External Client App: Policies → OAuth Policies → Enable Client Credentials Flow with a Run As user; " +
			"HUBFORCE_SALESFORCE_LOGIN_URL must be the org's My Domain URL"
	}
	return "press Connect on the dashboard (or set HUBFORCE_SALESFORCE_REFRESH_TOKEN); check HUBFORCE_SALESFORCE_CLIENT_ID/_CLIENT_SECRET " +
		"(External Client App Manager → hubforce → Settings → OAuth Settings → Consumer Key and Secret) and HUBFORCE_SALESFORCE_LOGIN_URL"
}

func fieldsPage(sobject string) string {
	return "Setup → Object Manager → " + sobject + " → Fields & Relationships"
}

func checkFields(c Config, obj hubforce.Object, sobject string, fields map[string]salesforce.FieldInfo) Report {
	var bad Report
	n := 0
	for _, f := range mapped(c.Mapping, obj) {
		if f.Salesforce == "" {
			continue
		}
		n++
		fi, ok := fields[f.Salesforce]
		writes := f.Rule.Writes(hubforce.HubSpot) != mapping.Never
		switch {
		case !ok:
			bad = append(bad, Finding{Side: hubforce.Salesforce, Check: "fields", Status: Fail,
				Say: fmt.Sprintf("%s has no field %s (mapped to %s), or the integration user cannot see it", sobject, f.Salesforce, f.HubSpot),
				Fix: fmt.Sprintf("create it (%s → New) or give the integration user's permission set Read and Edit on it (Field-Level Security), or change the mapping (%s)",
					fieldsPage(sobject), c.fromMapping(f))})
		case writes && (!fi.Createable || !fi.Updateable):
			bad = append(bad, Finding{Side: hubforce.Salesforce, Check: "fields", Status: Fail,
				Say: fmt.Sprintf("%s.%s cannot be written by the integration user, but the mapping writes HubSpot's %s into it", sobject, f.Salesforce, f.HubSpot),
				Fix: fmt.Sprintf("grant Edit on it in the integration user's permission set (%s → %s → Set Field-Level Security), or give it the rule salesforce-to-hubspot (%s)",
					fieldsPage(sobject), f.Salesforce, c.fromMapping(f))})
		}
	}
	if d := c.Mapping.Deletion(obj, hubforce.HubSpot); d.Action == mapping.DeleteMark {
		if fi, ok := fields[d.Field]; !ok || !fi.Updateable {
			bad = append(bad, Finding{Side: hubforce.Salesforce, Check: "fields", Status: Fail,
				Say: fmt.Sprintf("%s.%s, which the mapping sets when HubSpot deletes a record (deletions: mark), does not exist or cannot be edited by the integration user", sobject, d.Field),
				Fix: fmt.Sprintf("create it as a Checkbox (%s → New) with Edit for the integration user, or change deletions (%s)", fieldsPage(sobject), c.MappingSource)})
		}
	}
	if len(bad) > 0 {
		return bad
	}
	return Report{{Side: hubforce.Salesforce, Check: "fields", Status: OK,
		Say: fmt.Sprintf("%s: the %d mapped fields exist and can be written where the mapping writes them", sobject, n)}}
}

// checkRequired: every field a create must fill is mapped from HubSpot or
// has a default in the mapping.
func checkRequired(c Config, obj hubforce.Object, sobject string, fields map[string]salesforce.FieldInfo) Report {
	covered := map[string]bool{}
	for _, f := range mapped(c.Mapping, obj) {
		if f.Default != "" || f.Rule.Writes(hubforce.HubSpot) != mapping.Never {
			covered[f.Salesforce] = true
		}
	}
	var missing []string
	for name, fi := range fields {
		if fi.Required() && !covered[name] {
			missing = append(missing, name)
		}
	}
	sort.Strings(missing)
	if len(missing) == 0 {
		return Report{{Side: hubforce.Salesforce, Check: "required fields", Status: OK,
			Say: sobject + ": every field required on create is mapped from HubSpot or defaulted"}}
	}
	return Report{{Side: hubforce.Salesforce, Check: "required fields", Status: Fail,
		Say: fmt.Sprintf("%s requires %s on create, which the mapping neither fills from HubSpot nor defaults: creates would be dead-lettered REQUIRED_FIELD_MISSING",
			sobject, strings.Join(missing, ", ")),
		Fix: fmt.Sprintf("map it from a HubSpot property or give it a default in %s (e.g. `- hubspot: …\n            salesforce: %s\n            default: \"…\"`)", c.MappingSource, missing[0])}}
}

func checkOutbound(ctx context.Context, c Config) Report {
	want, _ := c.endpoint(hubforce.Salesforce)
	msgs, err := c.Salesforce.OutboundMessages(ctx)
	if err != nil {
		return Report{{Side: hubforce.Salesforce, Check: "outbound messages", Status: Unknown,
			Say: "the org's Outbound Messages cannot be listed (Tooling API: " + errText(err) + ")",
			Fix: "give the integration user View Setup and Configuration so that doctor can check, or check by hand in Setup → Process Automation → Outbound Messages: endpoint " +
				want + ", fields Id, SystemModstamp, LastModifiedById and the mapped ones, Send Session ID off"}}
	}
	var r Report
	for _, obj := range c.Mapping.Objects() {
		om, _ := c.Mapping.Object(obj)
		var mine []salesforce.OutboundMessage
		for _, m := range msgs {
			if m.Object == om.SalesforceType {
				mine = append(mine, m)
			}
		}
		if len(mine) == 0 {
			r = append(r, Finding{Side: hubforce.Salesforce, Check: "outbound messages", Status: Fail,
				Say: "no Outbound Message is defined on " + om.SalesforceType,
				Fix: "Setup → Process Automation → Outbound Messages → New: object " + om.SalesforceType + ", endpoint " + want +
					", fields Id, SystemModstamp, LastModifiedById and the mapped ones, Send Session ID off; then send it from a record-triggered Flow (README, Connecting real accounts)"})
			continue
		}
		var best Finding
		for _, m := range mine {
			f := judgeMessage(c, om, m)
			if best.Check == "" || rank(f.Status) < rank(best.Status) {
				best = f
			}
		}
		r = append(r, best)
	}
	return r
}

// rank orders statuses best first.
func rank(s Status) int {
	return map[Status]int{OK: 0, Warn: 1, Unknown: 2, Fail: 3}[s]
}

func judgeMessage(c Config, om *mapping.ObjectMapping, m salesforce.OutboundMessage) Finding {
	f := Finding{Side: hubforce.Salesforce, Check: "outbound messages"}
	st, say := c.pointsHere(hubforce.Salesforce, m.EndpointURL)
	want, _ := c.endpoint(hubforce.Salesforce)
	edit := "Setup → Process Automation → Outbound Messages → " + m.Name + " → Edit"
	if st != OK {
		f.Status, f.Say = st, fmt.Sprintf("%s (%s): %s", m.Name, om.SalesforceType, say)
		f.Fix = edit + ": Endpoint URL " + want
		return f
	}
	var missing, unmapped []string
	for _, name := range messageFields {
		if !slices.Contains(m.Fields, name) {
			missing = append(missing, name)
		}
	}
	for _, fld := range om.Fields {
		if fld.Rule != mapping.None && fld.Salesforce != "" && !slices.Contains(m.Fields, fld.Salesforce) {
			unmapped = append(unmapped, fld.Salesforce)
		}
	}
	var notes []string
	if len(missing) > 0 {
		notes = append(notes, "it leaves out "+strings.Join(missing, ", ")+" (without them stale versions and the bridge's own echoes are recognised less surely)")
	}
	if len(unmapped) > 0 {
		notes = append(notes, "it leaves out the mapped "+strings.Join(unmapped, ", ")+" (a message carrying none of the mapped fields that changed is ignored as unmapped)")
	}
	if m.IncludeSessionID {
		notes = append(notes, "Send Session ID is on: every message then carries a live session of "+m.IntegrationUser)
	}
	if len(notes) == 0 {
		f.Status, f.Say = OK, fmt.Sprintf("%s (%s) goes to this bridge with the fields it needs", m.Name, om.SalesforceType)
		return f
	}
	f.Status, f.Say = Warn, fmt.Sprintf("%s (%s): %s", m.Name, om.SalesforceType, strings.Join(notes, "; "))
	f.Fix = edit + ": select Id, SystemModstamp, LastModifiedById and the mapped fields, untick Send Session ID"
	return f
}
