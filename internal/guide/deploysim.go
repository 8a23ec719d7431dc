package guide

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/hubforce/hubforce/internal/sandbox"
)

// deployToSimulators does for the simulators what `hs project upload` and
// `sf project deploy start` do for real accounts, as far as the bridge
// depends on it: HubSpot's webhooks go to the target URL of the generated
// webhooks component, and Salesforce's Outbound Messages to the endpoint of
// the generated workflows. A wrong URL in either project makes the sync
// fail. (The simulators' Outbound Message field lists are set at start from
// the same mapping the generator reads.)
func deployToSimulators(w io.Writer, e sandbox.Env, hsDir, sfDir string) error {
	var hooks struct {
		Config struct {
			Settings struct {
				TargetURL string `json:"targetUrl"`
			} `json:"settings"`
		} `json:"config"`
	}
	hooksFile := filepath.Join(hsDir, "src", "app", "webhooks", "webhooks-hsmeta.json")
	b, err := os.ReadFile(hooksFile)
	if err != nil {
		return fmt.Errorf("reading the HubSpot project: %w", err)
	}
	if err := json.Unmarshal(b, &hooks); err != nil || hooks.Config.Settings.TargetURL == "" {
		return fmt.Errorf("%s: no settings.targetUrl (%v)", hooksFile, err)
	}
	e.HubSpotSim.SetWebhookURL(hooks.Config.Settings.TargetURL)
	fmt.Fprintf(w, "  HubSpot simulator: webhooks → %s (from %s)\n", hooks.Config.Settings.TargetURL, hooksFile)

	files, err := filepath.Glob(filepath.Join(sfDir, "force-app", "main", "default", "workflows", "*.workflow-meta.xml"))
	if err != nil || len(files) == 0 {
		return fmt.Errorf("the Salesforce project has no workflows in %s (%v)", sfDir, err)
	}
	var endpoints []string
	for _, f := range files {
		var wf struct {
			OutboundMessages []struct {
				FullName    string   `xml:"fullName"`
				EndpointURL string   `xml:"endpointUrl"`
				Fields      []string `xml:"fields"`
			} `xml:"outboundMessages"`
		}
		b, err := os.ReadFile(f)
		if err != nil {
			return fmt.Errorf("reading the Salesforce project: %w", err)
		}
		if err := xml.Unmarshal(b, &wf); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		for _, m := range wf.OutboundMessages {
			fmt.Fprintf(w, "  Salesforce simulator: Outbound Message %s (%d fields) → %s\n", m.FullName, len(m.Fields), m.EndpointURL)
			if !slices.Contains(endpoints, m.EndpointURL) {
				endpoints = append(endpoints, m.EndpointURL)
			}
		}
	}
	// The simulator has one endpoint for all its Outbound Messages.
	if len(endpoints) != 1 {
		return fmt.Errorf("the Salesforce project's Outbound Messages go to %d endpoints %q; want one, the bridge's", len(endpoints), endpoints)
	}
	e.SalesforceSim.SetOutboundURL(endpoints[0])
	fmt.Fprintf(w, "  (the simulator's Outbound Message field lists were set at its start, from the same mapping)\n")
	return nil
}
