package salesforcesim

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
)

// Namespaces of an Outbound Message (Outbound Messaging WSDL,
// sforce_api_om_outboundmessaging_wsdl.htm, and the captured samples).
const (
	nsSOAPEnv   = "http://schemas.xmlsoap.org/soap/envelope/"
	nsOutbound  = "http://soap.sforce.com/2005/09/outbound"
	nsSObject   = "urn:sobject.enterprise.soap.sforce.com"
	nsXSI       = "http://www.w3.org/2001/XMLSchema-instance"
	nsXSD       = "http://www.w3.org/2001/XMLSchema"
	soapVersion = "67.0"
)

func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// envelope builds the SOAP request for one message from the records'
// current data: a retry carries the latest values, and a record deleted
// before delivery arrives with no data — only its Id, which the WSDL
// requires (Salesforce Help, "Considerations for Outbound Messages").
func (s *Server) envelope(batch []*notification) []byte {
	instance, _ := s.urls()
	org15 := s.cfg.OrgID[:min(15, len(s.cfg.OrgID))]
	ver := soapVersion
	if n := len(s.cfg.APIVersions); n > 0 {
		ver = strings.TrimPrefix(s.cfg.APIVersions[n-1], "v")
	}
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	fmt.Fprintf(&b, `<soapenv:Envelope xmlns:soapenv="%s" xmlns:xsd="%s" xmlns:xsi="%s">`+"\n", nsSOAPEnv, nsXSD, nsXSI)
	b.WriteString(" <soapenv:Body>\n")
	fmt.Fprintf(&b, "  <notifications xmlns=\"%s\">\n", nsOutbound)
	fmt.Fprintf(&b, "   <OrganizationId>%s</OrganizationId>\n", esc(s.cfg.OrgID))
	fmt.Fprintf(&b, "   <ActionId>%s</ActionId>\n", s.out.actionIDs[batch[0].typ])
	b.WriteString("   <SessionId xsi:nil=\"true\"/>\n")
	fmt.Fprintf(&b, "   <EnterpriseUrl>%s/services/Soap/c/%s/%s</EnterpriseUrl>\n", esc(instance), ver, org15)
	fmt.Fprintf(&b, "   <PartnerUrl>%s/services/Soap/u/%s/%s</PartnerUrl>\n", esc(instance), ver, org15)
	s.store.mu.Lock()
	for _, n := range batch {
		b.WriteString("   <Notification>\n")
		fmt.Fprintf(&b, "    <Id>%s</Id>\n", n.id)
		fmt.Fprintf(&b, "    <sObject xsi:type=\"sf:%s\" xmlns:sf=\"%s\">\n", n.typ, nsSObject)
		fmt.Fprintf(&b, "     <sf:Id>%s</sf:Id>\n", n.recID)
		if rec, ok := s.store.rows[n.typ][n.recID]; ok && !rec.deleted {
			for _, f := range s.outboundFields(n.typ) {
				if v, ok := soapValue(rec.value(f)); ok {
					fmt.Fprintf(&b, "     <sf:%s>%s</sf:%s>\n", f, esc(v), f)
				}
			}
		}
		b.WriteString("    </sObject>\n   </Notification>\n")
	}
	s.store.mu.Unlock()
	b.WriteString("  </notifications>\n </soapenv:Body>\n</soapenv:Envelope>\n")
	return b.Bytes()
}

// outboundFields returns the selected fields of typ except Id, in the
// alphabetical order Salesforce writes them (see the captured samples).
func (s *Server) outboundFields(typ string) []string {
	sch := s.schemas[typ]
	var out []string
	for _, n := range s.cfg.OutboundFields[typ] {
		if f, ok := sch.field(n); ok && f.name != "Id" {
			out = append(out, f.name)
		}
	}
	sort.Strings(out)
	return out
}

// post sends a message and reports whether the listener acknowledged it:
// HTTP 200 with <Ack>true</Ack> in the outbound namespace. Anything else is
// a failure and the message is retried.
func (o *outbound) post(url string, body []byte) bool {
	log := o.s.cfg.Logger
	ctx, cancel := context.WithTimeout(o.ctx, o.s.cfg.OutboundTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		log.Error().Err(err).Msg("salesforcesim: build outbound request")
		return false
	}
	req.Header.Set("Content-Type", "text/xml; charset=utf-8")
	req.Header.Set("SOAPAction", `""`)
	req.Header.Set("User-Agent", "Salesforce - OutboundMessaging")
	resp, err := o.client.Do(req)
	if err != nil {
		log.Info().Err(err).Msg("salesforcesim: outbound delivery failed")
		return false
	}
	defer resp.Body.Close()
	ack, err := readAck(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK || err != nil || !ack {
		log.Info().Int("status", resp.StatusCode).AnErr("parse", err).Bool("ack", ack).Msg("salesforcesim: outbound message not acknowledged")
		return false
	}
	return true
}

// readAck finds notificationsResponse/Ack in a SOAP response.
func readAck(r io.Reader) (bool, error) {
	dec := xml.NewDecoder(r)
	inAck := false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return false, errors.New("no Ack element")
		}
		if err != nil {
			return false, fmt.Errorf("parse ack: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			inAck = t.Name.Space == nsOutbound && t.Name.Local == "Ack"
		case xml.CharData:
			if inAck {
				v := strings.TrimSpace(string(t))
				return v == "true" || v == "1", nil
			}
		case xml.EndElement:
			inAck = false
		}
	}
}
