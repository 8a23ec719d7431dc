package salesforce

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"strconv"
)

// ContentTypeXML is what Salesforce expects back from an Outbound Message
// listener (SOAP 1.1 over HTTP uses text/xml).
const ContentTypeXML = "text/xml; charset=utf-8"

// SOAP 1.1 fault codes (SOAP 1.1 §4.4.1), in the envelope's soapenv prefix.
// Client: the message itself is at fault (malformed, wrong org) and resending
// it unchanged will not help; Server: we could not process it now (store
// down) and a retry may succeed. Salesforce retries both alike.
const (
	FaultClient = "soapenv:Client"
	FaultServer = "soapenv:Server"
)

const envelopeOpen = `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <soapenv:Body>
`

const envelopeClose = ` </soapenv:Body>
</soapenv:Envelope>
`

// ackBody is the notificationsResponse of the Outbound Messaging WSDL
// ("Understanding the Outbound Messaging WSDL"); <Ack>true</Ack> acknowledges
// every notification in the message. It is byte-for-byte the envelope
// listeners in the wild return, without the byte-order mark some add.
const ackBody = envelopeOpen + `  <notificationsResponse xmlns="http://soap.sforce.com/2005/09/outbound">
   <Ack>true</Ack>
  </notificationsResponse>
` + envelopeClose

// WriteAck answers HTTP 200 with the acknowledgement. Call it only after
// every notification is committed: Salesforce deletes the message from its
// queue on receipt.
func WriteAck(w http.ResponseWriter) {
	writeXML(w, http.StatusOK, []byte(ackBody))
}

// WriteFault answers with a SOAP 1.1 Fault, which Salesforce treats as a
// failed delivery and retries (with growing intervals, for 24 hours). code is
// FaultClient or FaultServer; message is shown in Salesforce's Outbound
// Messages queue, so it must never carry secrets. status 0 means 500, which
// SOAP 1.1 §6.2 requires ("In case of a SOAP error while processing the
// request, the SOAP HTTP server MUST issue an HTTP 500 "Internal Server
// Error" response", www.w3.org/TR/2000/NOTE-SOAP-20000508/#_Toc478383529);
// other statuses (413 for an oversized body) are the caller's choice.
func WriteFault(w http.ResponseWriter, status int, code, message string) {
	if status == 0 {
		status = http.StatusInternalServerError
	}
	if code == "" {
		code = FaultServer
	}
	var b bytes.Buffer
	b.WriteString(envelopeOpen)
	b.WriteString("  <soapenv:Fault>\n   <faultcode>")
	_ = xml.EscapeText(&b, []byte(code))
	b.WriteString("</faultcode>\n   <faultstring>")
	_ = xml.EscapeText(&b, []byte(message))
	b.WriteString("</faultstring>\n   <detail />\n  </soapenv:Fault>\n")
	b.WriteString(envelopeClose)
	writeXML(w, status, b.Bytes())
}

func writeXML(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", ContentTypeXML)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
