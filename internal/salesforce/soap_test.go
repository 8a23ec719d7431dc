package salesforce

import (
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestWriteAck(t *testing.T) {
	rec := httptest.NewRecorder()
	WriteAck(rec)
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "text/xml; charset=utf-8" {
		t.Fatalf("status %d, content type %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	var env struct {
		XMLName xml.Name
		Body    struct {
			Response struct {
				XMLName xml.Name
				Ack     string
			} `xml:",any"`
		} `xml:"http://schemas.xmlsoap.org/soap/envelope/ Body"`
	}
	if err := xml.Unmarshal(rec.Body.Bytes(), &env); err != nil {
		t.Fatal(err)
	}
	if env.XMLName != (xml.Name{Space: NSSOAPEnvelope, Local: "Envelope"}) ||
		env.Body.Response.XMLName != (xml.Name{Space: NSOutbound, Local: "notificationsResponse"}) ||
		env.Body.Response.Ack != "true" {
		t.Fatalf("ack does not decode as the WSDL's notificationsResponse: %+v\n%s", env, rec.Body)
	}
}

func TestWriteFault(t *testing.T) {
	tests := []struct {
		name          string
		status        int
		code, message string
		wantStatus    int
		wantCode      string
	}{
		{"client fault", http.StatusInternalServerError, FaultClient, "OrganizationId 00Dx is not configured", 500, "soapenv:Client"},
		{"default status and code", 0, "", "store unavailable", 500, "soapenv:Server"},
		{"caller's status", http.StatusRequestEntityTooLarge, FaultClient, "body over 5 MB", 413, "soapenv:Client"},
		{"escaping", 500, FaultClient, `bad <xml> & "quotes" ]]> é`, 500, "soapenv:Client"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			WriteFault(rec, tt.status, tt.code, tt.message)
			if rec.Code != tt.wantStatus || rec.Header().Get("Content-Type") != ContentTypeXML {
				t.Fatalf("status %d, content type %q", rec.Code, rec.Header().Get("Content-Type"))
			}
			var env struct {
				Fault struct {
					Code   string `xml:"faultcode"`
					String string `xml:"faultstring"`
				} `xml:"http://schemas.xmlsoap.org/soap/envelope/ Body>Fault"`
			}
			if err := xml.Unmarshal(rec.Body.Bytes(), &env); err != nil {
				t.Fatalf("%v\n%s", err, rec.Body)
			}
			if env.Fault.Code != tt.wantCode || env.Fault.String != tt.message {
				t.Fatalf("fault %+v", env.Fault)
			}
			if strings.Contains(rec.Body.String(), "<xml>") {
				t.Fatal("message not escaped")
			}
		})
	}
}
