package check

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// metadataNamespace is every Metadata API document's namespace.
const metadataNamespace = "http://soap.sforce.com/2006/04/metadata"

// registry is the part of the Salesforce CLI's metadataRegistry.json
// (@salesforce/source-deploy-retrieve, fetched by scripts/sfdx-registry)
// that resolves a source file to its metadata type.
type registry struct {
	Types map[string]struct {
		Name          string `json:"name"`
		DirectoryName string `json:"directoryName"`
		Suffix        string `json:"suffix"`
	} `json:"types"`
	Suffixes map[string]string `json:"suffixes"`
}

func loadRegistry(t *testing.T) registry {
	t.Helper()
	path := os.Getenv("HUBFORCE_SFDX_REGISTRY")
	if path == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("HUBFORCE_SFDX_REGISTRY is unset: CI must check deploy/salesforce against the Salesforce CLI's registry (export HUBFORCE_SFDX_REGISTRY=\"$(./scripts/sfdx-registry)\")")
		}
		t.Skip("HUBFORCE_SFDX_REGISTRY unset (export HUBFORCE_SFDX_REGISTRY=\"$(./scripts/sfdx-registry)\")")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r registry
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(r.Types) < 100 || len(r.Suffixes) < 100 {
		t.Fatalf("%s: %d types, %d suffixes: not the registry", path, len(r.Types), len(r.Suffixes))
	}
	return r
}

// TestSalesforceSourceMatchesRegistry checks deploy/salesforce and what
// `hubforce setup salesforce` writes for a mapping with custom fields:
// every file resolves, by folder and suffix, to a type of the Salesforce
// CLI's registry, its root element is that type in the Metadata API
// namespace, and the Flows and Outbound Messages use the elements, in the
// order, that the Metadata API reference documents.
func TestSalesforceSourceMatchesRegistry(t *testing.T) {
	reg := loadRegistry(t)
	generated := filepath.Join(t.TempDir(), "custom")
	mappingFile, err := filepath.Abs("testdata/custom-mapping.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "run", "./cmd/hubforce", "setup", "salesforce", "--out", generated,
		"--public-url", "https://sync.example.com", "--integration-user", "bridge@example.com")
	cmd.Dir = "../.."
	cmd.Env = append(os.Environ(), "HUBFORCE_MAPPING_FILE="+mappingFile)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("hubforce setup salesforce: %v\n%s", err, out)
	}
	for name, dir := range map[string]string{"deploy/salesforce": "../salesforce", "setup salesforce (custom mapping)": generated} {
		t.Run(name, func(t *testing.T) {
			docs := checkProject(t, reg, dir)
			checkOutboundMessages(t, docs)
			checkFlows(t, docs)
		})
	}
	// The custom fields reached the generated project.
	contact, err := os.ReadFile(filepath.Join(generated, "force-app/main/default/workflows/Contact.workflow-meta.xml"))
	if err != nil || !strings.Contains(string(contact), "<fields>Loyalty_Tier__c</fields>") {
		t.Errorf("Contact outbound message lacks the custom field: %v\n%s", err, contact)
	}
	ps, err := os.ReadFile(filepath.Join(generated, "force-app/main/default/permissionsets/Hubforce_Integration.permissionset-meta.xml"))
	if err != nil || !strings.Contains(string(ps), "<field>Account.acme__Seats__c</field>") {
		t.Errorf("permission set lacks the custom Account field: %v\n%s", err, ps)
	}
}

// element is a parsed XML document: the root, and its children in order.
type element struct {
	Name     xml.Name
	Text     string
	Children []*element
}

func (e *element) child(name string) *element {
	for _, c := range e.Children {
		if c.Name.Local == name {
			return c
		}
	}
	return nil
}

func (e *element) all(name string) []*element {
	var out []*element
	for _, c := range e.Children {
		if c.Name.Local == name {
			out = append(out, c)
		}
	}
	return out
}

func (e *element) text(name string) string {
	if c := e.child(name); c != nil {
		return c.Text
	}
	return ""
}

func parseXML(r io.Reader) (*element, error) {
	dec := xml.NewDecoder(r)
	var stack []*element
	var root *element
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			e := &element{Name: tok.Name}
			if len(stack) == 0 {
				if root != nil {
					return nil, errors.New("two root elements")
				}
				root = e
			} else {
				p := stack[len(stack)-1]
				p.Children = append(p.Children, e)
			}
			stack = append(stack, e)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].Text += strings.TrimSpace(string(tok))
			}
		}
	}
	if root == nil {
		return nil, errors.New("no root element")
	}
	return root, nil
}

// sourceDoc is one metadata file: its type and parsed XML.
type sourceDoc struct {
	path, typ string
	root      *element
}

// checkProject walks an SFDX project and resolves each file as the CLI
// does: force-app/main/default/<directoryName>/<name>.<suffix>-meta.xml.
func checkProject(t *testing.T, reg registry, dir string) []sourceDoc {
	t.Helper()
	var proj struct {
		PackageDirectories []struct {
			Path    string `json:"path"`
			Default bool   `json:"default"`
		} `json:"packageDirectories"`
		SourceAPIVersion string `json:"sourceApiVersion"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "sfdx-project.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &proj); err != nil {
		t.Fatalf("sfdx-project.json: %v", err)
	}
	if len(proj.PackageDirectories) != 1 || proj.PackageDirectories[0].Path != "force-app" || !proj.PackageDirectories[0].Default || proj.SourceAPIVersion == "" {
		t.Errorf("sfdx-project.json: %+v", proj)
	}
	var docs []sourceDoc
	types := map[string]int{}
	src := filepath.Join(dir, "force-app")
	err = filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(filepath.Join(src, "main", "default"), path)
		if err != nil {
			return err
		}
		parts := strings.Split(filepath.ToSlash(rel), "/")
		if len(parts) != 2 || strings.HasPrefix(rel, "..") {
			t.Errorf("%s: not at force-app/main/default/<type folder>/<file>", path)
			return nil
		}
		folder, file := parts[0], parts[1]
		base, ok := strings.CutSuffix(file, "-meta.xml")
		if !ok {
			t.Errorf("%s: source-format metadata files end in -meta.xml", rel)
			return nil
		}
		suffix := base[strings.LastIndex(base, ".")+1:]
		id, ok := reg.Suffixes[suffix]
		if !ok {
			t.Errorf("%s: suffix .%s is no registry type's", rel, suffix)
			return nil
		}
		typ := reg.Types[id]
		if typ.DirectoryName != folder {
			t.Errorf("%s: suffix .%s is %s, which lives in %s/, not %s/", rel, suffix, typ.Name, typ.DirectoryName, folder)
		}
		if name := strings.TrimSuffix(base, "."+suffix); name == "" || strings.ContainsAny(name, " .") {
			t.Errorf("%s: bad component name %q", rel, name)
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		root, err := parseXML(f)
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			return nil
		}
		if root.Name.Local != typ.Name || root.Name.Space != metadataNamespace {
			t.Errorf("%s: root element {%s}%s, want {%s}%s", rel, root.Name.Space, root.Name.Local, metadataNamespace, typ.Name)
		}
		types[typ.Name]++
		docs = append(docs, sourceDoc{path: rel, typ: typ.Name, root: root})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for typ, n := range map[string]int{"ExternalClientApplication": 1, "ExtlClntAppOauthSettings": 1, "ExtlClntAppGlobalOauthSettings": 1,
		"ExtlClntAppOauthConfigurablePolicies": 1, "ExtlClntAppConfigurablePolicies": 1, "Workflow": 2, "Flow": 2, "PermissionSet": 1} {
		if types[typ] != n {
			t.Errorf("%d %s files, want %d", types[typ], typ, n)
		}
	}
	return docs
}

// inOrder checks that e's children are all in allowed and appear in its
// order (an element may repeat, or be absent).
func inOrder(t *testing.T, where string, e *element, allowed []string) {
	t.Helper()
	last := 0
	for _, c := range e.Children {
		i := slices.Index(allowed, c.Name.Local)
		if i < 0 {
			t.Errorf("%s: element <%s> is not one the reference documents here (%v)", where, c.Name.Local, allowed)
			continue
		}
		if i < last {
			t.Errorf("%s: <%s> after <%s>: out of the documented order %v", where, c.Name.Local, allowed[last], allowed)
		}
		last = i
	}
}

func requireChildren(t *testing.T, where string, e *element, names ...string) {
	t.Helper()
	for _, n := range names {
		if e.child(n) == nil {
			t.Errorf("%s: no <%s>", where, n)
		}
	}
}

// outboundMessageElements are WorkflowOutboundMessage's fields, in the
// Metadata API's order (fullName, inherited, first), as listed on
// https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_workflow.htm
var outboundMessageElements = []string{"fullName", "apiVersion", "description", "endpointUrl", "fields",
	"includeSessionId", "integrationUser", "name", "protected", "useDeadLetterQueue"}

func checkOutboundMessages(t *testing.T, docs []sourceDoc) {
	for _, d := range docs {
		if d.typ != "Workflow" {
			continue
		}
		inOrder(t, d.path, d.root, []string{"alerts", "fieldUpdates", "flowActions", "knowledgePublishes", "outboundMessages", "rules", "send", "tasks"})
		oms := d.root.all("outboundMessages")
		if len(oms) != 1 {
			t.Errorf("%s: %d outbound messages, want 1", d.path, len(oms))
		}
		for _, om := range oms {
			where := d.path + " outboundMessages " + om.text("fullName")
			inOrder(t, where, om, outboundMessageElements)
			requireChildren(t, where, om, "fullName", "apiVersion", "endpointUrl", "fields", "includeSessionId", "integrationUser", "name", "protected")
			if om.text("includeSessionId") != "false" {
				t.Errorf("%s: includeSessionId %q: the session id must stay off", where, om.text("includeSessionId"))
			}
			if u := om.text("endpointUrl"); !strings.HasPrefix(u, "https://") || !strings.HasSuffix(u, "/webhooks/salesforce") {
				t.Errorf("%s: endpointUrl %q", where, u)
			}
			var fields []string
			for _, f := range om.all("fields") {
				fields = append(fields, f.Text)
			}
			for _, f := range []string{"Id", "SystemModstamp", "LastModifiedById"} {
				if !slices.Contains(fields, f) {
					t.Errorf("%s: fields lack %s", where, f)
				}
			}
		}
	}
}

// Flow's elements used here, in the Metadata API's order, from
// https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_visual_workflow.htm
// (Flow; FlowActionCall and FlowStart put FlowElement's name and
// FlowNode's label and location first).
var (
	flowElements       = []string{"actionCalls", "apiVersion", "description", "environments", "interviewLabel", "label", "processType", "start", "status"}
	flowActionElements = []string{"name", "label", "locationX", "locationY", "actionName", "actionType", "connector", "faultConnector", "flowTransactionModel", "inputParameters", "nameSegment"}
	flowStartElements  = []string{"locationX", "locationY", "connector", "filterFormula", "object", "recordTriggerType", "triggerType"}
)

func checkFlows(t *testing.T, docs []sourceDoc) {
	messages := map[string]bool{} // Object.OutboundMessage
	for _, d := range docs {
		if d.typ == "Workflow" {
			object := strings.TrimSuffix(filepath.Base(d.path), ".workflow-meta.xml")
			for _, om := range d.root.all("outboundMessages") {
				messages[object+"."+om.text("fullName")] = true
			}
		}
	}
	for _, d := range docs {
		if d.typ != "Flow" {
			continue
		}
		inOrder(t, d.path, d.root, flowElements)
		requireChildren(t, d.path, d.root, "actionCalls", "apiVersion", "label", "processType", "start", "status")
		if d.root.text("processType") != "AutoLaunchedFlow" || d.root.text("status") != "Active" {
			t.Errorf("%s: processType %q status %q", d.path, d.root.text("processType"), d.root.text("status"))
		}
		start := d.root.child("start")
		if start == nil {
			continue
		}
		inOrder(t, d.path+" start", start, flowStartElements)
		if start.text("triggerType") != "RecordAfterSave" || start.text("recordTriggerType") != "CreateAndUpdate" {
			t.Errorf("%s: triggerType %q recordTriggerType %q, want RecordAfterSave on CreateAndUpdate", d.path, start.text("triggerType"), start.text("recordTriggerType"))
		}
		calls := d.root.all("actionCalls")
		if len(calls) != 1 {
			t.Errorf("%s: %d actionCalls", d.path, len(calls))
			continue
		}
		call := calls[0]
		inOrder(t, d.path+" actionCalls", call, flowActionElements)
		if conn := start.child("connector"); conn == nil || conn.text("targetReference") != call.text("name") {
			t.Errorf("%s: start does not lead to the action %q", d.path, call.text("name"))
		}
		if call.text("actionType") != "outboundMessage" || call.child("nameSegment") != nil && call.text("nameSegment") != call.text("actionName") {
			t.Errorf("%s: actionType %q nameSegment %q", d.path, call.text("actionType"), call.text("nameSegment"))
		}
		name := call.text("actionName")
		if !strings.HasPrefix(name, start.text("object")+".") || !messages[name] {
			t.Errorf("%s: actionName %q is no outbound message of %s in the project", d.path, name, start.text("object"))
		}
	}
}
