package sandbox

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/hubforce/hubforce/internal/hubspot"
	"github.com/hubforce/hubforce/internal/salesforce"
)

// printBanner says what runs where, where the state is kept, and what to
// try first.
func printBanner(o Options, st *state, hsURL, sfURL, brURL string, ex examples) {
	w := o.Out
	fmt.Fprintf(w, "\nhubforce sandbox — simulated accounts, nothing real behind them\n")
	fresh := "a fresh start; --keep-state continues from here next time"
	if st.saved != nil {
		fresh = "continued from the run saved " + st.saved.Saved.Local().Format("2006-01-02 15:04:05")
	}
	files := simulatorsFile
	if o.DatabaseURL == "sqlite:"+filepath.Join(o.StateDir, databaseFile) {
		files = databaseFile + ", " + files
	}
	fmt.Fprintf(w, "State                 %s%c (%s): %s\n\n", o.StateDir, filepath.Separator, files, fresh)
	if brURL != "" {
		fmt.Fprintf(w, "Bridge                %s   store %s\n", brURL, o.DatabaseURL)
		fmt.Fprintf(w, "  dashboard %s/ (admin token %s)   probes %s/readyz   metrics %s/metrics\n", brURL, adminToken, brURL, brURL)
	}
	fmt.Fprintf(w, "HubSpot simulator     %s   portal %d\n", hsURL, hubspotPortalID)
	fmt.Fprintf(w, "  the bridge's app %d: token %s; OAuth client %s, secret %s, refresh token %s\n",
		hubspotAppID, hubspotToken, hubspotClientID, hubspotClientSecret, hubspotRefresh)
	fmt.Fprintf(w, "  your own app %d: token %s (its changes sync)\n", hubspotUserAppID, hubspotUserToken)
	fmt.Fprintf(w, "  webhooks → %s\n", orNone(webhookURL(o.HubSpotWebhookURL, brURL, "/webhooks/hubspot")))
	fmt.Fprintf(w, "Salesforce simulator  %s   org %s\n", sfURL, salesforceOrgID)
	fmt.Fprintf(w, "  the bridge's integration user %s: consumer key %s, secret %s, refresh token %s\n",
		salesforceIntegration, salesforceClientID, salesforceClientSecret, salesforceRefresh)
	fmt.Fprintf(w, "  you, user %s: session %s (your changes sync)\n", salesforceUIUser, salesforceUserSession)
	fmt.Fprintf(w, "  outbound messages → %s\n", orNone(webhookURL(o.SalesforceOutboundURL, brURL, "/webhooks/salesforce")))
	fmt.Fprintf(w, "Faults: PUT a JSON plan to %s/_sim/faults or %s/_sim/faults, e.g. {\"server_errors\":5}\n", hsURL, sfURL)
	if o.Rate > 0 && brURL != "" {
		fmt.Fprintf(w, "Generator: %.1f changes/s made by people on both sides (--rate 0 turns it off)\n", o.Rate)
	}
	printTry(w, o, hsURL, sfURL, brURL, ex)
	fmt.Fprintf(w, "Ctrl-C stops everything.\n\n")
}

// printTry suggests the first things to do: the dashboard, an edit as a
// person would make it, and its story.
func printTry(w io.Writer, o Options, hsURL, sfURL, brURL string, ex examples) {
	fmt.Fprintf(w, "\nTry it:\n")
	n := 1
	if brURL != "" {
		fmt.Fprintf(w, "  %d. Open the dashboard: %s/ and sign in with %s\n", n, brURL, adminToken)
		n++
	}
	fmt.Fprintf(w, "  %d. Edit a contact as a person would, in HubSpot with your own app's token:\n", n)
	fmt.Fprintf(w, "       curl -X PATCH %s/crm/objects/%s/contacts/%s -H 'Authorization: Bearer %s' \\\n", hsURL, hubspot.DefaultAPIVersion, ex.hubspotContact, hubspotUserToken)
	fmt.Fprintf(w, "         -H 'Content-Type: application/json' -d '{\"properties\":{\"jobtitle\":\"Chief Analyst\"}}'\n")
	fmt.Fprintf(w, "     or in Salesforce, logged in as yourself:\n")
	fmt.Fprintf(w, "       curl -X PATCH %s/services/data/%s/sobjects/Contact/%s -H 'Authorization: Bearer %s' \\\n", sfURL, salesforce.DefaultAPIVersion, ex.salesforceContact, salesforceUserSession)
	fmt.Fprintf(w, "         -H 'Content-Type: application/json' -d '{\"Title\":\"Commodore\"}'\n")
	n++
	if brURL != "" {
		fmt.Fprintf(w, "  %d. Ask what became of it:\n", n)
		fmt.Fprintf(w, "       HUBFORCE_DATABASE_URL=%s hubforce explain hubspot contact %s\n", o.DatabaseURL, ex.hubspotContact)
		fmt.Fprintf(w, "       HUBFORCE_DATABASE_URL=%s hubforce explain salesforce Contact %s\n", o.DatabaseURL, ex.salesforceContact)
	}
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
