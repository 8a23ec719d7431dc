package setup

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// The SFDX project `sf project deploy start --source-dir force-app` installs.
// Each file is in the source format the Salesforce CLI resolves through
// @salesforce/source-deploy-retrieve's metadataRegistry.json (folder
// directoryName, file suffix + "-meta.xml"); deploy/check's
// TestSalesforceSourceMatchesRegistry holds every generated file to it.
//
// Element names and their order follow the Metadata API Developer Guide page
// cited above each type below; within a type, elements are in the order of
// the Metadata API's WSDL (inherited fields first, then the type's own, in
// the alphabetical order the reference tables list them).

// MetadataNamespace is every Metadata API document's XML namespace.
const MetadataNamespace = "http://soap.sforce.com/2006/04/metadata"

// Names of the generated components. API names allow letters, digits and
// single underscores, must start with a letter and not end with an
// underscore.
const (
	ExternalClientAppName = "Hubforce"
	PermissionSetName     = "Hubforce_Integration"
)

// AssignPermissionSet is the `sf` command (its arguments) that gives user
// the integration permission set: the External Client App admits only its
// holders, so without it the integration user's Connect is refused.
// https://developer.salesforce.com/docs/atlas.en-us.sfdx_cli_reference.meta/sfdx_cli_reference/cli_reference_org_commands_unified.htm
func AssignPermissionSet(user string) []string {
	return []string{"org", "assign", "permset", "--name", PermissionSetName, "--on-behalf-of", user}
}

// PlaceholderIntegrationUser stands in for Params.IntegrationUser in the
// committed deploy/salesforce: the Workflow outboundMessage's
// integrationUser is a username of the target org, which no committed
// file can know.
const PlaceholderIntegrationUser = "integration-user@YOUR-ORG.example"

// outboundMessageFields are sent for every object besides the mapped ones:
// Id and SystemModstamp identify the change, LastModifiedById lets the
// bridge drop its own echoes (SPEC §3).
var outboundMessageFields = []string{"Id", "SystemModstamp", "LastModifiedById"}

// noFieldPermissions are fields Salesforce accepts no fieldPermissions for:
// the record id and audit fields are always readable and never editable,
// and the name fields (Contact.FirstName/LastName through the compound
// Name, Account.Name) are required or part of a required compound field,
// which field-level security does not apply to: a deploy with them fails
// with "You cannot deploy to a required field"
// (https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_permissionset.htm,
// fieldPermissions; the Field-Level Security help page says required fields
// are always visible and editable).
var noFieldPermissions = []string{
	"Id", "Name", "FirstName", "LastName", "SystemModstamp", "LastModifiedById",
	"LastModifiedDate", "CreatedById", "CreatedDate", "OwnerId", "IsDeleted",
}

type sfFile struct {
	path string
	v    any
}

// SalesforceProject returns the SFDX project for p: relative path ->
// content. `sf project deploy start --source-dir force-app` installs it.
func SalesforceProject(p Params) (map[string][]byte, error) {
	base, err := p.base()
	if err != nil {
		return nil, err
	}
	version, err := p.apiVersion()
	if err != nil {
		return nil, err
	}
	user := p.IntegrationUser
	if user == "" {
		user = PlaceholderIntegrationUser
	}
	m := p.mapping()
	const dir = "force-app/main/default/"
	files := []sfFile{
		{dir + "externalClientApps/" + ExternalClientAppName + ".eca-meta.xml", externalClientApp(p)},
		{dir + "extlClntAppOauthSettings/" + ExternalClientAppName + "_oauth.ecaOauth-meta.xml", ecaOAuthSettings()},
		{dir + "extlClntAppGlobalOauthSets/" + ExternalClientAppName + "_glbloauth.ecaGlblOauth-meta.xml", ecaGlobalOAuth(base)},
		{dir + "extlClntAppPolicies/" + ExternalClientAppName + "_plcy.ecaPlcy-meta.xml", ecaPolicies()},
		{dir + "extlClntAppOauthPolicies/" + ExternalClientAppName + "_oauthPlcy.ecaOauthPlcy-meta.xml", ecaOAuthPolicies()},
	}
	ps := permissionSet{Xmlns: MetadataNamespace,
		Description:     "Lets the hubforce integration user call the API and read and write the synced objects and fields.",
		Label:           "hubforce integration",
		UserPermissions: []userPermission{{Enabled: true, Name: "ApiEnabled"}},
	}
	names := map[string]string{}
	for _, obj := range m.Objects() {
		om, _ := m.Object(obj)
		sobject := om.SalesforceType
		short := apiName(strings.TrimSuffix(sobject, "__c"))
		if prev, dup := names[short]; dup {
			return nil, fmt.Errorf("salesforce project: %s and %s would share the component name Hubforce_%s", prev, sobject, short)
		}
		names[short] = sobject
		fields := slices.Clone(outboundMessageFields)
		for _, f := range m.SalesforceFields(obj) {
			if !slices.Contains(fields, f) {
				fields = append(fields, f)
			}
		}
		omName := "Hubforce_" + short
		files = append(files,
			sfFile{dir + "workflows/" + sobject + ".workflow-meta.xml", workflow{Xmlns: MetadataNamespace, OutboundMessages: []outboundMessage{{
				FullName:           omName,
				APIVersion:         version,
				Description:        "Tells hubforce that a " + sobject + " record changed; hubforce reads the record back.",
				EndpointURL:        base + "/webhooks/salesforce",
				Fields:             fields,
				IncludeSessionID:   false,
				IntegrationUser:    user,
				Name:               "hubforce " + sobject,
				Protected:          false,
				UseDeadLetterQueue: false,
			}}}},
			sfFile{dir + "flows/" + omName + "_Changed.flow-meta.xml", changeFlow(version, sobject, omName)},
		)
		ps.ObjectPermissions = append(ps.ObjectPermissions, objectPermission{
			AllowCreate: true, AllowEdit: true, AllowRead: true, Object: sobject,
		})
		required := om.Required
		for _, f := range m.SalesforceFields(obj) {
			if slices.Contains(noFieldPermissions, f) || slices.Contains(required, f) {
				continue
			}
			ps.FieldPermissions = append(ps.FieldPermissions, fieldPermission{Editable: true, Field: sobject + "." + f, Readable: true})
		}
	}
	files = append(files, sfFile{dir + "permissionsets/" + PermissionSetName + ".permissionset-meta.xml", ps})
	out := make(map[string][]byte, len(files)+1)
	for _, f := range files {
		b, err := marshalXML(f.v)
		if err != nil {
			return nil, fmt.Errorf("salesforce project %s: %w", f.path, err)
		}
		out[f.path] = b
	}
	proj, err := sfdxProject(version)
	if err != nil {
		return nil, err
	}
	out["sfdx-project.json"] = proj
	return out, nil
}

// apiVersion normalises SalesforceAPIVersion ("v68.0" or "68.0") to the
// Metadata API's "68.0"; External Client Apps need 59.0 or later.
func (p Params) apiVersion() (string, error) {
	v := strings.TrimPrefix(p.SalesforceAPIVersion, "v")
	if v == "" {
		v = DefaultSalesforceAPIVersion
	}
	major, ok := strings.CutSuffix(v, ".0")
	n, err := strconv.Atoi(major)
	if !ok || err != nil || n <= 0 {
		return "", fmt.Errorf("salesforce API version %q: want one such as v68.0", p.SalesforceAPIVersion)
	}
	if n < minAPIVersion {
		return "", fmt.Errorf("salesforce API version %s: External Client Apps need %d.0 or later", v, minAPIVersion)
	}
	return v, nil
}

// minAPIVersion is the first with External Client Apps (the
// ExternalClientApplication page: "available in API version 59.0 and later").
const minAPIVersion = 59

var nonName = regexp.MustCompile(`[^A-Za-z0-9]+`)

// apiName turns an sObject name into a component name part: letters and
// digits, single underscores, none at either end.
func apiName(s string) string {
	return strings.Trim(nonName.ReplaceAllString(s, "_"), "_")
}

// sfdxProject: https://developer.salesforce.com/docs/atlas.en-us.sfdx_dev.meta/sfdx_dev/sfdx_dev_ws_config.htm
func sfdxProject(version string) ([]byte, error) {
	type pkgDir struct {
		Path    string `json:"path"`
		Default bool   `json:"default"`
	}
	b, err := marshalJSON(struct {
		PackageDirectories []pkgDir `json:"packageDirectories"`
		Name               string   `json:"name"`
		Namespace          string   `json:"namespace"`
		SourceAPIVersion   string   `json:"sourceApiVersion"`
	}{[]pkgDir{{"force-app", true}}, "hubforce", "", version})
	if err != nil {
		return nil, fmt.Errorf("salesforce project sfdx-project.json: %w", err)
	}
	return b, nil
}

// marshalXML writes an XML declaration, the document indented by four
// spaces (as the Salesforce CLI retrieves it) and a final newline.
func marshalXML(v any) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "    ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	buf.WriteString("\n")
	return buf.Bytes(), nil
}
