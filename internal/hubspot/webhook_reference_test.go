package hubspot

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"
)

// parseEventsReference is the encoding/json decoder ParseEvents replaced
// (kept verbatim in behaviour): FuzzParseEventsReference checks the
// hand-written decoder against it, byte for byte of the outcome.
func parseEventsReference(body []byte) ([]Event, error) {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '[' {
		return nil, fmt.Errorf("%w: want a JSON array of events", ErrMalformed)
	}
	var wire []refWireEvent
	if err := json.Unmarshal(body, &wire); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if len(wire) > MaxEvents {
		return nil, fmt.Errorf("%w: %d events, HubSpot sends at most %d", ErrMalformed, len(wire), MaxEvents)
	}
	events := make([]Event, 0, len(wire))
	for i, r := range wire {
		w := r.wireEvent
		w.PropertyValue, w.SourceID = string(r.PropertyValue), string(r.SourceID)
		e, err := w.event()
		if err == nil {
			err = e.validate()
		}
		if err != nil {
			return nil, fmt.Errorf("%w: event %d: %w", ErrMalformed, i, err)
		}
		events = append(events, e)
	}
	return events, nil
}

// refWireEvent shadows the two flexible fields with the old Unmarshaler.
type refWireEvent struct {
	wireEvent
	PropertyValue refFlexString `json:"propertyValue"`
	SourceID      refFlexString `json:"sourceId"`
}

type refFlexString string

func (s *refFlexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) > 0 && b[0] == '"':
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = refFlexString(v)
	case bytes.Equal(b, []byte("null")):
		*s = ""
	case len(b) > 0 && (b[0] == '{' || b[0] == '['):
		return errors.New("want a string, got an object or array")
	default:
		*s = refFlexString(b)
	}
	return nil
}

// differentialSeeds add the corners where a hand-written decoder could part
// from encoding/json.
var differentialSeeds = []string{
	`[{"EVENTID":1,"subscriptionid":2,"PortalId":3,"occurredAt":4,"subscriptionType":"deal.creation"}]`,
	`[{"eventId":1,"eventId":null,"subscriptionId":2,"portalId":3,"occurredAt":4,"subscriptionType":"x.y","subscriptionType":null}]`,
	`[{"eventId":"12","subscriptionId":"2e0","portalId":"-0","occurredAt":-0,"subscriptionType":"x.y"}]`,
	`[{"eventId":1,"subscriptionId":2,"portalId":3,"occurredAt":4,"subscriptionType":"contact.merge","objectId":5,"mergedObjectIds":[1,2,3],"mergedObjectIds":[null,7]}]`,
	`[{"eventId":1,"subscriptionId":2,"portalId":3,"occurredAt":4,"subscriptionType":"contact.propertyChange","objectId":5,"propertyName":"a\u00e9\"b","propertyValue":true,"sourceId":1.5e3,"x":[{"y":[null,true,"\ud83d\ude00"]}]}]`,
	"[{\"eventId\":1,\"subscriptionId\":2,\"portalId\":3,\"occurredAt\":4,\"subscriptionType\":\"contact.propertyChange\",\"objectId\":5,\"propertyName\":\"\xff\xfe\",\"propertyValue\":\"\xed\xa0\x80\"}]",
	`[{"eventId":1,"subscriptionId":2,"portalId":3,"occurredAt":4,"subscriptionType":"x.y","isSensitive":"true"}]`,
	`[{"eventId":1,"subscriptionId":2,"portalId":3,"occurredAt":4,"subscriptionType":"x.y","propertyName":5}]`,
	`[{"eventId":01}]`, `[{"eventId":1.}]`, `[{"eventId":1e}]`, `[{"eventId":"1 "}]`, `[{"eventId":""}]`,
	`[{"eventId":1,"subscriptionId":2,"portalId":3,"occurredAt":4,"subscriptionType":"x.y"},]`,
	`[{"\u0065ventId":1,"subscriptionId":2,"portalId":3,"occurredAt":4,"subscriptionType":"x.y"}]`,
	"[ {\"eventId\" :1 ,\"subscriptionId\":2,\"portalId\":3,\"occurredAt\":4,\"subscriptionType\":\"x.y\"} ]\r\n",
	`[{"eventId":1,"subscriptionId":2,"portalId":3,"occurredAt":4,"subscriptionType":"x.y","\u212aey":tru}]`,
	`[{"eventId":1,"subscriptionId":2,"portalId":3,"occurredAt":4,"subscriptionType":"x.y","u":"\x"}]`,
}

func FuzzParseEventsReference(f *testing.F) {
	for _, s := range append(fuzzEventSeeds, differentialSeeds...) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, gotErr := ParseEvents(data)
		want, wantErr := parseEventsReference(data)
		if (gotErr == nil) != (wantErr == nil) {
			t.Fatalf("ParseEvents error %v, encoding/json decoder error %v", gotErr, wantErr)
		}
		if gotErr != nil && !errors.Is(gotErr, ErrMalformed) {
			t.Fatalf("error not wrapped in ErrMalformed: %v", gotErr)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("events differ\ngot  %+v\nwant %+v", got, want)
		}
	})
}
