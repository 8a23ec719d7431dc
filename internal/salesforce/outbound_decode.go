package salesforce

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// parser walks the token stream itself rather than xml.Unmarshal so that it
// can refuse DTDs before anything else happens, bound depth and element
// count, and resolve the xsi:type prefix against the declarations in scope.
type parser struct {
	dec      *xml.Decoder
	src      []byte
	depth    int
	elements int
	scopes   []map[string]string // prefix → namespace, innermost last
	// lenient sets an unreadable notification aside (Message.Bad) instead
	// of failing the message.
	lenient bool
	// started is the offset of the last start element's "<".
	started int64
	// raws are the bytes of the notifications read, in order.
	raws [][]byte
}

func newParser(body []byte) *parser {
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.Strict = true // unknown entities are errors; no custom Entity map
	return &parser{dec: dec, src: body}
}

// badNotification is a notification that is well-formed XML but cannot be
// read; only it is set aside, the message goes on.
type badNotification struct{ err error }

func (b badNotification) Error() string { return b.err.Error() }
func (b badNotification) Unwrap() error { return b.err }

// next returns the next token after enforcing the document rules.
func (p *parser) next() (xml.Token, error) {
	off := p.dec.InputOffset()
	tok, err := p.dec.Token()
	if err != nil {
		return nil, err
	}
	if _, ok := tok.(xml.StartElement); ok {
		p.started = off
	}
	switch t := tok.(type) {
	case xml.Directive:
		// encoding/xml never expands external entities, but it accepts a
		// DOCTYPE (and its internal subset) as a Directive token.
		return nil, ErrDTD
	case xml.ProcInst:
		if t.Target != "xml" {
			return nil, ErrDTD
		}
	case xml.StartElement:
		p.depth++
		p.elements++
		if p.depth > maxDepth {
			return nil, fmt.Errorf("elements nested deeper than %d", maxDepth)
		}
		if p.elements > maxElements {
			return nil, fmt.Errorf("more than %d elements", maxElements)
		}
		p.scopes = append(p.scopes, declarations(t.Attr))
	case xml.EndElement:
		p.depth--
		p.scopes = p.scopes[:len(p.scopes)-1]
	}
	return tok, nil
}

func declarations(attrs []xml.Attr) map[string]string {
	var m map[string]string
	for _, a := range attrs {
		prefix, ok := "", false
		switch {
		case a.Name.Space == "xmlns":
			prefix, ok = a.Name.Local, true
		case a.Name.Space == "" && a.Name.Local == "xmlns":
			ok = true
		}
		if ok {
			if m == nil {
				m = map[string]string{}
			}
			m[prefix] = a.Value
		}
	}
	return m
}

// resolve maps a QName attribute value ("sf:Contact") to its namespace and
// local part using the declarations in scope at the current element.
func (p *parser) resolve(qname string) (space, local string, err error) {
	prefix, local, found := strings.Cut(qname, ":")
	if !found {
		prefix, local = "", qname
	}
	for i := len(p.scopes) - 1; i >= 0; i-- {
		if ns, ok := p.scopes[i][prefix]; ok {
			return ns, local, nil
		}
	}
	if prefix == "" {
		return "", local, nil
	}
	return "", "", fmt.Errorf("undeclared namespace prefix %q in xsi:type", prefix)
}

// message reads the whole document.
func (p *parser) message() (*Message, error) {
	root, err := p.rootElement()
	if err != nil {
		return nil, err
	}
	if root.Name != (xml.Name{Space: NSSOAPEnvelope, Local: "Envelope"}) {
		return nil, fmt.Errorf("root element is %s, want a SOAP 1.1 Envelope", fmtName(root.Name))
	}
	var m *Message
	err = p.children(func(el xml.StartElement) error {
		switch {
		case el.Name == xml.Name{Space: NSSOAPEnvelope, Local: "Body"} && m == nil:
			var err error
			m, err = p.body()
			return err
		default:
			return p.skip() // soapenv:Header and anything else
		}
	})
	if err != nil {
		return nil, err
	}
	if m == nil {
		return nil, errors.New("envelope without Body")
	}
	return m, p.end()
}

// rootElement skips the prolog (XML declaration, comments, whitespace).
func (p *parser) rootElement() (xml.StartElement, error) {
	for {
		tok, err := p.next()
		if err == io.EOF {
			return xml.StartElement{}, errors.New("empty document")
		}
		if err != nil {
			return xml.StartElement{}, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return t, nil
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return xml.StartElement{}, errors.New("text before the root element")
			}
		}
	}
}

// end checks that nothing but whitespace and comments follows the root.
func (p *parser) end() error {
	for {
		tok, err := p.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return fmt.Errorf("element %s after the root element", fmtName(t.Name))
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return errors.New("text after the root element")
			}
		}
	}
}

func (p *parser) body() (*Message, error) {
	var m *Message
	err := p.children(func(el xml.StartElement) error {
		if el.Name != (xml.Name{Space: NSOutbound, Local: "notifications"}) || m != nil {
			return fmt.Errorf("unexpected %s in the SOAP Body, want one outbound notifications", fmtName(el.Name))
		}
		var err error
		m, err = p.notifications()
		return err
	})
	if err == nil && m == nil {
		err = errors.New("SOAP Body without notifications")
	}
	return m, err
}

func (p *parser) notifications() (*Message, error) {
	m := &Message{}
	targets := map[string]*string{
		"OrganizationId": &m.OrganizationID,
		"ActionId":       &m.ActionID,
		"SessionId":      &m.SessionID,
		"EnterpriseUrl":  &m.EnterpriseURL,
		"PartnerUrl":     &m.PartnerURL,
	}
	err := p.children(func(el xml.StartElement) error {
		if el.Name.Space != NSOutbound {
			return p.skip()
		}
		if el.Name.Local == "Notification" {
			if len(m.Notifications) == MaxNotifications {
				return fmt.Errorf("more than %d notifications", MaxNotifications)
			}
			start, depth := p.started, p.depth
			n, err := p.notification()
			var bad badNotification
			if p.lenient && errors.As(err, &bad) {
				// Read on to the notification's end tag: only a syntax
				// error on the way spoils the message.
				for p.depth >= depth {
					if _, err := p.next(); err != nil {
						return unexpectedEOF(err)
					}
				}
				m.Bad = append(m.Bad, BadNotification{Raw: bytes.Clone(p.src[start:p.dec.InputOffset()]), Err: bad.err})
				return nil
			}
			p.raws = append(p.raws, p.src[start:p.dec.InputOffset()])
			m.Notifications = append(m.Notifications, n)
			return err
		}
		if dst, ok := targets[el.Name.Local]; ok {
			text, nested, err := p.text()
			if nested {
				return fmt.Errorf("%s has child elements", el.Name.Local)
			}
			*dst = strings.TrimSpace(text)
			return err
		}
		return p.skip() // fields a later WSDL may add
	})
	return m, err
}

func (p *parser) notification() (Notification, error) {
	var n Notification
	err := p.children(func(el xml.StartElement) error {
		switch {
		case el.Name == xml.Name{Space: NSOutbound, Local: "Id"}:
			text, nested, err := p.text()
			if nested {
				return badNotification{errors.New("notification Id has child elements")}
			}
			n.ID = strings.TrimSpace(text)
			return err
		case el.Name == xml.Name{Space: NSOutbound, Local: "sObject"}:
			if n.Fields != nil {
				return badNotification{errors.New("notification with two sObjects")}
			}
			var err error
			n.SObjectType, n.Fields, err = p.sObject(el)
			return err
		}
		return p.skip()
	})
	return n, err
}

func (p *parser) sObject(el xml.StartElement) (string, map[string]string, error) {
	var typ string
	for _, a := range el.Attr {
		if a.Name == (xml.Name{Space: NSXSI, Local: "type"}) {
			typ = strings.TrimSpace(a.Value)
		}
	}
	var local string
	if typ != "" {
		var space string
		var err error
		if space, local, err = p.resolve(typ); err != nil {
			return "", nil, badNotification{err}
		}
		if space != NSEnterprise && space != nsPartner {
			return "", nil, badNotification{fmt.Errorf("sObject xsi:type %q is not in an sObject namespace", typ)}
		}
		if local == "" || strings.ContainsAny(local, ":") {
			return "", nil, badNotification{fmt.Errorf("sObject xsi:type %q has no type name", typ)}
		}
	}
	fields := map[string]string{}
	err := p.children(func(f xml.StartElement) error {
		text, nested, err := p.text()
		if err != nil || nested {
			return err // compound fields are not mappable; skipped
		}
		if _, dup := fields[f.Name.Local]; dup {
			return badNotification{fmt.Errorf("field %s appears twice", f.Name.Local)}
		}
		if isNil(f) {
			text = "" // see Notification.Fields
		}
		fields[f.Name.Local] = text
		return nil
	})
	if err == nil && typ == "" && len(fields) > 0 {
		// Only a notification without data may lack its type.
		err = badNotification{errors.New("sObject without xsi:type")}
	}
	return local, fields, err
}

func isNil(el xml.StartElement) bool {
	for _, a := range el.Attr {
		if a.Name == (xml.Name{Space: NSXSI, Local: "nil"}) {
			v := strings.TrimSpace(a.Value)
			return v == "true" || v == "1"
		}
	}
	return false
}

// children calls fn for each child element of the element just opened; fn
// must consume the child up to its end tag. Text between children must be
// whitespace.
func (p *parser) children(fn func(xml.StartElement) error) error {
	for {
		tok, err := p.next()
		if err != nil {
			return unexpectedEOF(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if err := fn(t); err != nil {
				return err
			}
		case xml.EndElement:
			return nil
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return fmt.Errorf("unexpected text %q", truncate(string(bytes.TrimSpace(t)), 32))
			}
		}
	}
}

// text reads the character data of the element just opened up to its end
// tag; nested reports (and skips) child elements.
func (p *parser) text() (string, bool, error) {
	var b strings.Builder
	nested := false
	for {
		tok, err := p.next()
		if err != nil {
			return "", false, unexpectedEOF(err)
		}
		switch t := tok.(type) {
		case xml.CharData:
			b.Write(t)
		case xml.StartElement:
			nested = true
			if err := p.skip(); err != nil {
				return "", true, err
			}
		case xml.EndElement:
			return b.String(), nested, nil
		}
	}
}

// skip consumes the element just opened, through next so the limits and the
// DTD rule still apply inside skipped content.
func (p *parser) skip() error {
	for depth := 1; depth > 0; {
		tok, err := p.next()
		if err != nil {
			return unexpectedEOF(err)
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			depth--
		}
	}
	return nil
}

func unexpectedEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

func fmtName(n xml.Name) string {
	if n.Space == "" {
		return "<" + n.Local + ">"
	}
	return "<" + n.Local + "> in namespace " + n.Space
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
