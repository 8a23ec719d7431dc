package guide

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hubforce/hubforce/internal/sandbox"
)

// deployToSimulators does for the simulators what `hs project upload` and
// `sf project deploy start` do for real accounts, as far as the bridge
// depends on it: HubSpot's webhooks go to the target URL of the generated
// webhooks component, and Salesforce's Outbound Messages to the endpoint of
// the generated workflows. A wrong URL in either project makes the sync
// fail. (The Salesforce simulator took the Outbound Messages' field lists
// from the project when it started: see Sandbox.)
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

	msgs, err := outboundMessages(sfDir)
	if err != nil {
		return err
	}
	var endpoints []string
	for _, m := range msgs {
		fmt.Fprintf(w, "  Salesforce simulator: Outbound Message %s (%d fields) → %s\n", m.FullName, len(m.Fields), m.EndpointURL)
		if !slices.Contains(endpoints, m.EndpointURL) {
			endpoints = append(endpoints, m.EndpointURL)
		}
	}
	// The simulator has one endpoint for all its Outbound Messages.
	if len(endpoints) != 1 {
		return fmt.Errorf("the Salesforce project's Outbound Messages go to %d endpoints %q; want one, the bridge's", len(endpoints), endpoints)
	}
	e.SalesforceSim.SetOutboundURL(endpoints[0])
	fmt.Fprintf(w, "  (the simulator took the Outbound Messages' field lists from the same files at its start)\n")
	return nil
}

// outboundMessage is the part of a generated Outbound Message the
// simulator uses.
type outboundMessage struct {
	Object      string   `xml:"-"`
	FullName    string   `xml:"fullName"`
	EndpointURL string   `xml:"endpointUrl"`
	Fields      []string `xml:"fields"`
}

// outboundMessages reads the Outbound Messages of the Salesforce project
// in sfDir, one workflow file per object.
func outboundMessages(sfDir string) ([]outboundMessage, error) {
	const suffix = ".workflow-meta.xml"
	files, err := filepath.Glob(filepath.Join(sfDir, "force-app", "main", "default", "workflows", "*"+suffix))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("the Salesforce project has no workflows in %s (%v)", sfDir, err)
	}
	var out []outboundMessage
	for _, f := range files {
		var wf struct {
			OutboundMessages []outboundMessage `xml:"outboundMessages"`
		}
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("reading the Salesforce project: %w", err)
		}
		if err := xml.Unmarshal(b, &wf); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		for _, m := range wf.OutboundMessages {
			m.Object = strings.TrimSuffix(filepath.Base(f), suffix)
			out = append(out, m)
		}
	}
	return out, nil
}

// outboundFields are the field lists of the Outbound Messages in sfDir,
// by object, as the simulator takes them.
func outboundFields(sfDir string) (map[string][]string, error) {
	msgs, err := outboundMessages(sfDir)
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, m := range msgs {
		out[m.Object] = append(out[m.Object], m.Fields...)
	}
	return out, nil
}
