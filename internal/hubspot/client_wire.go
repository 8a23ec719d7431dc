package hubspot

import (
	"time"

	"github.com/hubforce/hubforce"
)

// maxBatch is HubSpot's limit on inputs per batch call ("The maximum number
// of inputs supported in a batch is 100", usage guidelines).
const maxBatch = 100

// objectJSON is SimplePublicObject (CRM objects specs, 2026-03 as v3): property values are
// strings or null; `new` only on upserts; objectWriteTraceId echoed when the
// input carried one (optional in the schema).
type objectJSON struct {
	ID                 string             `json:"id"`
	Properties         map[string]*string `json:"properties"`
	UpdatedAt          string             `json:"updatedAt"`
	New                *bool              `json:"new"`
	ObjectWriteTraceID string             `json:"objectWriteTraceId"`
}

// batchResponse is BatchResponseSimplePublicObject(WithErrors): a 207 adds
// numErrors and errors[], each naming its inputs in context.ids (reads,
// updates) or context.objectWriteTraceId (creates).
type batchResponse struct {
	Status    string       `json:"status"`
	Results   []objectJSON `json:"results"`
	NumErrors int          `json:"numErrors"`
	Errors    []errorBody  `json:"errors"`
}

// batchWriteInput is SimplePublicObjectBatchInput (update),
// …BatchInputUpsert and …BatchInputForCreate: properties is required in
// all three, so it is never omitted (an input without it is refused with
// 400). The create schema also lists associations as required; the batch
// create guide's examples send none, and the guide is followed.
type batchWriteInput struct {
	ID                 string            `json:"id,omitempty"`
	IDProperty         string            `json:"idProperty,omitempty"`
	ObjectWriteTraceID string            `json:"objectWriteTraceId,omitempty"`
	Properties         map[string]string `json:"properties"`
}

// idInput is SimplePublicObjectId, a batch read's input.
type idInput struct {
	ID string `json:"id"`
}

// batchReadRequest is BatchReadInputSimplePublicObjectId. The spec lists
// propertiesWithHistory as required; the batch read guide's examples omit
// it, and sending it would cap the batch at 50, so the guide is followed.
type batchReadRequest struct {
	Properties []string  `json:"properties"`
	IDProperty string    `json:"idProperty,omitempty"`
	Inputs     []idInput `json:"inputs"`
}

type batchWriteRequest struct {
	Inputs []batchWriteInput `json:"inputs"`
}

// record converts a HubSpot object; a null value reads as "" (unset and
// cleared are the same thing in HubSpot). Modified is updatedAt, which
// mirrors lastmodifieddate / hs_lastmodifieddate.
func (o objectJSON) record() hubforce.Record {
	r := hubforce.Record{ID: o.ID, Fields: make(map[string]string, len(o.Properties))}
	for k, v := range o.Properties {
		if v != nil {
			r.Fields[k] = *v
		} else {
			r.Fields[k] = ""
		}
	}
	if t, err := time.Parse(time.RFC3339Nano, o.UpdatedAt); err == nil {
		r.Modified = t
	}
	return r
}

// chunks splits n inputs into groups of at most maxBatch in which no key
// repeats (HubSpot refuses a batch naming one record twice).
func chunks(n int, key func(i int) string) [][]int {
	var out [][]int
	var cur []int
	seen := map[string]bool{}
	for i := range n {
		k := key(i)
		if len(cur) == maxBatch || (k != "" && seen[k]) {
			out = append(out, cur)
			cur, seen = nil, map[string]bool{}
		}
		cur = append(cur, i)
		if k != "" {
			seen[k] = true
		}
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// objectPath is obj's path in the CRM objects API of the client's version
// (CRM Contacts and Companies 2026-03 specs: /crm/objects/{version}/{type}…).
func (c *Client) objectPath(obj hubforce.Object, suffix string) string {
	return "/crm/objects/" + c.version + "/" + obj.HubSpotName() + suffix
}
