package salesforcesim

import (
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The test reads api/outbound-message.wsdl with encoding/xml and checks what
// the simulator sends against it: element names, namespaces, order, and the
// lexical form of each value's XSD type.

type xsdElem struct {
	Name      string      `xml:"name,attr"`
	Type      string      `xml:"type,attr"`
	MaxOccurs string      `xml:"maxOccurs,attr"`
	MinOccurs string      `xml:"minOccurs,attr"`
	Nillable  bool        `xml:"nillable,attr"`
	Complex   *xsdComplex `xml:"complexType"`
}

type xsdComplex struct {
	Name      string    `xml:"name,attr"`
	Sequence  []xsdElem `xml:"sequence>element"`
	Extension *struct {
		Base     string    `xml:"base,attr"`
		Sequence []xsdElem `xml:"sequence>element"`
	} `xml:"complexContent>extension"`
}

type xsdSchema struct {
	TargetNamespace string       `xml:"targetNamespace,attr"`
	Complex         []xsdComplex `xml:"complexType"`
	Elements        []xsdElem    `xml:"element"`
}

type wsdlDoc struct {
	Attrs   []xml.Attr  `xml:",any,attr"`
	Schemas []xsdSchema `xml:"types>schema"`
}

// wsdlModel resolves the WSDL's types by namespace-qualified name.
type wsdlModel struct {
	prefixes map[string]string // prefix → namespace, from <definitions>
	types    map[xml.Name]xsdComplex
	elements map[xml.Name]xsdElem
}

func loadWSDL(t *testing.T, path string) *wsdlModel {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read WSDL: %v", err)
	}
	var doc wsdlDoc
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("parse WSDL: %v", err)
	}
	m := &wsdlModel{prefixes: map[string]string{}, types: map[xml.Name]xsdComplex{}, elements: map[xml.Name]xsdElem{}}
	for _, a := range doc.Attrs {
		if a.Name.Space == "xmlns" {
			m.prefixes[a.Name.Local] = a.Value
		}
	}
	for _, s := range doc.Schemas {
		for _, c := range s.Complex {
			m.types[xml.Name{Space: s.TargetNamespace, Local: c.Name}] = c
		}
		for _, e := range s.Elements {
			m.elements[xml.Name{Space: s.TargetNamespace, Local: e.Name}] = e
		}
	}
	return m
}

func (m *wsdlModel) qname(q string) xml.Name {
	p, l, _ := strings.Cut(q, ":")
	return xml.Name{Space: m.prefixes[p], Local: l}
}

// fields lists a complex type's elements, base type's first.
func (m *wsdlModel) fields(c xsdComplex) []xsdElem {
	out := append([]xsdElem{}, c.Sequence...)
	if c.Extension != nil {
		out = append(m.fields(m.types[m.qname(c.Extension.Base)]), c.Extension.Sequence...)
	}
	return out
}

// node is a parsed XML element with its in-scope namespace prefixes.
type node struct {
	name     xml.Name
	attrs    []xml.Attr
	scope    map[string]string
	children []*node
	text     string
}

func parseXML(r io.Reader) (*node, error) {
	dec := xml.NewDecoder(r)
	var stack []*node
	var root *node
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return root, nil
		}
		if err != nil {
			return nil, fmt.Errorf("parse: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &node{name: t.Name, attrs: t.Attr, scope: map[string]string{}}
			if len(stack) > 0 {
				parent := stack[len(stack)-1]
				for k, v := range parent.scope {
					n.scope[k] = v
				}
				parent.children = append(parent.children, n)
			} else {
				root = n
			}
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" {
					n.scope[a.Name.Local] = a.Value
				}
			}
			stack = append(stack, n)
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(t)
			}
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		}
	}
}

func (n *node) attr(space, local string) (string, bool) {
	for _, a := range n.attrs {
		if a.Name.Space == space && a.Name.Local == local {
			return a.Value, true
		}
	}
	return "", false
}

var lexical = map[string]*regexp.Regexp{
	"urn:enterprise.soap.sforce.com ID": regexp.MustCompile(`^[a-zA-Z0-9]{18}$`),
	nsXSD + " boolean":                  regexp.MustCompile(`^(true|false|1|0)$`),
	nsXSD + " int":                      regexp.MustCompile(`^-?\d+$`),
	nsXSD + " date":                     regexp.MustCompile(`^\d{4}-\d\d-\d\d$`),
}

func checkValue(m *wsdlModel, typ, v string) error {
	q := m.qname(typ)
	if re, ok := lexical[q.Space+" "+q.Local]; ok && !re.MatchString(v) {
		return fmt.Errorf("%q is not a %s", v, typ)
	}
	switch q.Local {
	case "dateTime":
		if _, err := time.Parse(time.RFC3339Nano, v); err != nil {
			return fmt.Errorf("%q is not an xsd:dateTime", v)
		}
	case "double":
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			return fmt.Errorf("%q is not an xsd:double", v)
		}
	}
	return nil
}

// checkSequence checks n's children against the declared elements: names,
// the qualified namespace, order, occurrence, and value types.
func checkSequence(t *testing.T, m *wsdlModel, ns string, n *node, decl []xsdElem, path string) {
	t.Helper()
	i := 0
	for _, d := range decl {
		count := 0
		for i < len(n.children) && n.children[i].name.Local == d.Name {
			c := n.children[i]
			if c.name.Space != ns {
				t.Errorf("%s/%s: namespace %q, want %q", path, d.Name, c.name.Space, ns)
			}
			if nilv, _ := c.attr(nsXSI, "nil"); nilv == "true" {
				if !d.Nillable {
					t.Errorf("%s/%s is nil but not nillable", path, d.Name)
				}
			} else if len(c.children) == 0 {
				if err := checkValue(m, d.Type, strings.TrimSpace(c.text)); err != nil {
					t.Errorf("%s/%s: %v", path, d.Name, err)
				}
			}
			count++
			i++
		}
		maxOcc := 1
		if d.MaxOccurs == "unbounded" {
			maxOcc = 1 << 30
		} else if d.MaxOccurs != "" {
			maxOcc, _ = strconv.Atoi(d.MaxOccurs)
		}
		if count > maxOcc || (count == 0 && d.MinOccurs != "0") {
			t.Errorf("%s/%s occurs %d times (min %q, max %d)", path, d.Name, count, d.MinOccurs, maxOcc)
		}
	}
	if i < len(n.children) {
		t.Errorf("%s: unexpected or misplaced element %s", path, n.children[i].name.Local)
	}
}

// validateEnvelope checks an Outbound Message against the WSDL and returns
// the notifications it carries: notification id → sObject node.
func validateEnvelope(t *testing.T, m *wsdlModel, body []byte) map[string]*node {
	t.Helper()
	root, err := parseXML(strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	if root.name != (xml.Name{Space: nsSOAPEnv, Local: "Envelope"}) || len(root.children) != 1 ||
		root.children[0].name != (xml.Name{Space: nsSOAPEnv, Local: "Body"}) || len(root.children[0].children) != 1 {
		t.Fatalf("not a SOAP 1.1 envelope with one body element: %s", body)
	}
	notifs := root.children[0].children[0]
	elemName := xml.Name{Space: m.prefixes["tns"], Local: "notifications"}
	decl, ok := m.elements[elemName]
	if notifs.name != elemName || !ok || decl.Complex == nil {
		t.Fatalf("body element %v, want %v declared in the WSDL", notifs.name, elemName)
	}
	checkSequence(t, m, elemName.Space, notifs, decl.Complex.Sequence, "notifications")
	out := map[string]*node{}
	for _, d := range decl.Complex.Sequence {
		if d.Name != "Notification" {
			continue
		}
		nt := m.types[m.qname(d.Type)]
		for _, c := range notifs.children {
			if c.name.Local != "Notification" {
				continue
			}
			checkSequence(t, m, elemName.Space, c, m.fields(nt), "Notification")
			if len(c.children) != 2 {
				continue
			}
			obj := c.children[1]
			xt, _ := obj.attr(nsXSI, "type")
			p, local, _ := strings.Cut(xt, ":")
			concrete := xml.Name{Space: obj.scope[p], Local: local}
			ct, ok := m.types[concrete]
			if !ok || ct.Extension == nil || m.qname(ct.Extension.Base) != m.qname("ens:sObject") {
				t.Fatalf("xsi:type %q (%v) is not an sObject type of the WSDL", xt, concrete)
			}
			checkSequence(t, m, concrete.Space, obj, m.fields(ct), "sObject("+local+")")
			out[strings.TrimSpace(c.children[0].text)] = obj
		}
	}
	return out
}

// field returns the text of an sObject's sf: field.
func (n *node) field(name string) (string, bool) {
	for _, c := range n.children {
		if c.name.Local == name {
			return strings.TrimSpace(c.text), true
		}
	}
	return "", false
}

// TestWSDLDeclaresEveryField keeps api/outbound-message.wsdl and the
// simulator's schema in step, so that any field selection validates.
func TestWSDLDeclaresEveryField(t *testing.T) {
	m := loadWSDL(t, wsdlPath)
	schemas := buildSchemas(map[string][]string{"Contact": {"HubSpot_Id__c"}, "Account": {"HubSpot_Id__c"}}, nil, nil)
	for name, sch := range schemas {
		declared := map[string]string{}
		for _, el := range m.fields(m.types[m.qname("ens:"+name)]) {
			declared[el.Name] = el.Type
		}
		for _, f := range sch.fields {
			if got := declared[f.name]; got != f.kind.xsdType() {
				t.Errorf("%s.%s: WSDL type %q, want %q", name, f.name, got, f.kind.xsdType())
			}
		}
	}
}
