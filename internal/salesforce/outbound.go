// Package salesforce speaks Salesforce's side of the bridge: Outbound
// Message parsing and acknowledgement (this file set), and the REST client.
package salesforce

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
)

// Namespaces of an Outbound Message, from Salesforce's "Understanding the
// Outbound Messaging WSDL" (developer.salesforce.com/docs/platform/api/guide/
// sforce-api-om-outboundmessaging-wsdl.html) and SOAP 1.1.
const (
	NSSOAPEnvelope = "http://schemas.xmlsoap.org/soap/envelope/"
	NSOutbound     = "http://soap.sforce.com/2005/09/outbound"
	NSXSI          = "http://www.w3.org/2001/XMLSchema-instance"
	// NSEnterprise qualifies sObject types and fields ("sf:Contact").
	NSEnterprise = "urn:sobject.enterprise.soap.sforce.com"
	nsPartner    = "urn:sobject.partner.soap.sforce.com"
)

// Limits on what ParseNotifications accepts. A notification is one record;
// the WSDL caps a message at 100 (maxOccurs="100"). The element cap allows
// 100 records with every field of a heavily customised object selected
// (~800 custom fields plus the standard ones); the depth cap is twice what
// a message needs (Envelope/Body/notifications/Notification/sObject/field).
const (
	MaxNotifications = 100
	maxElements      = 100 * 1000
	maxDepth         = 12
)

var (
	// ErrMalformed wraps every reason a body is refused: answer with a SOAP
	// fault, store nothing.
	ErrMalformed = errors.New("salesforce outbound message: malformed")
	// ErrDTD marks a body carrying a DOCTYPE, entity declaration or
	// processing instruction, which SOAP 1.1 §3 forbids in a message and
	// which is the vector for entity-expansion and XXE attacks.
	ErrDTD = errors.New("DTDs, entity declarations and processing instructions are not allowed")
)

// Message is one Outbound Message: the envelope fields and its notifications.
type Message struct {
	OrganizationID string
	ActionID       string
	SessionID      string // empty when the action sends no session (xsi:nil)
	EnterpriseURL  string
	PartnerURL     string
	Notifications  []Notification
	// Bad are the notifications ParseMessage set aside.
	Bad []BadNotification
}

// Notification is one record in a message.
type Notification struct {
	// ID is the notification's id; Salesforce keeps it across retries, so it
	// is the delivery id for duplicate detection.
	ID string
	// SObjectType is the local part of the sObject's xsi:type ("Contact"),
	// after checking its prefix resolves to an sObject namespace.
	SObjectType string
	// Fields holds the fields the admin selected, by local name ("Id",
	// "LastName", "npsp__HHId__c"); Salesforce sends only those. A field that
	// is present but xsi:nil or empty maps to "", which Change.Fields defines
	// as clearing the value: the admin selected it and it has no value.
	// Fields that carry child elements (compound types) are skipped.
	//
	// Fields is empty (and SObjectType may be too) when the record was
	// deleted before the message left: "If the record is deleted before the
	// notification is delivered, the notification contains no data"
	// (help.salesforce.com, "Considerations for Outbound Messages",
	// platform.workflow_om_considerations.htm). Such a notification is kept
	// so the message can be acknowledged; its Change is ignored.
	Fields map[string]string
}

// BadNotification is a <Notification> that is well-formed XML but cannot be
// read: its bytes as received and why.
type BadNotification struct {
	Raw []byte
	Err error
}

// ParseNotifications decodes an Outbound Message body. It refuses, with an
// error wrapping ErrMalformed: anything but a SOAP 1.1 Envelope whose Body
// holds an outbound <notifications>; DOCTYPE/ENTITY declarations and
// processing instructions (ErrDTD); documents nested deeper or with more
// elements than any real message; more than MaxNotifications; a message
// without OrganizationId; a notification without Id, or with fields but no
// sf:Id; and unparseable SystemModstamp/LastModifiedDate. A notification
// with no data at all (deleted record, see Notification.Fields) is accepted:
// refusing it would make Salesforce retry, and finally drop, every other
// notification of the message with it.
func ParseNotifications(body []byte) (*Message, error) {
	return parse(body, false)
}

// ParseMessage decodes an Outbound Message like ParseNotifications, except
// that a notification that is well-formed XML but cannot be read does not
// spoil the others (SPEC §4): it is set aside in Message.Bad, verbatim.
// Everything that makes the message as a whole unreadable (not SOAP, a
// DTD, the limits, no OrganizationId) is still an error.
func ParseMessage(body []byte) (*Message, error) {
	return parse(body, true)
}

func parse(body []byte, lenient bool) (*Message, error) {
	// encoding/xml hands a UTF-8 byte-order mark back as character data; the
	// samples Salesforce tooling produces sometimes start with one.
	body = bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))
	p := newParser(body)
	p.lenient = lenient
	m, err := p.message()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if err := m.validate(lenient, p.raws); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return m, nil
}

// validate checks each notification; raws are their bytes, in order.
func (m *Message) validate(lenient bool, raws [][]byte) error {
	if m.OrganizationID == "" {
		return errors.New("missing OrganizationId")
	}
	if len(m.Notifications) > MaxNotifications {
		return fmt.Errorf("%d notifications, the WSDL allows at most %d", len(m.Notifications), MaxNotifications)
	}
	good := m.Notifications[:0]
	for i, n := range m.Notifications {
		err := n.check()
		switch {
		case err == nil:
			good = append(good, n)
		case lenient:
			m.Bad = append(m.Bad, BadNotification{Raw: bytes.Clone(raws[i]), Err: err})
		default:
			return fmt.Errorf("notification %d: %w", i, err)
		}
	}
	m.Notifications = good
	return nil
}

func (n Notification) check() error {
	switch {
	case n.ID == "":
		return errors.New("missing Id")
	case len(n.Fields) > 0 && strings.TrimSpace(n.Fields["Id"]) == "":
		// Salesforce always sends the record's Id with its data; data
		// without it cannot be applied to any record.
		return errors.New("sObject without sf:Id")
	}
	_, err := n.Version()
	return err
}
