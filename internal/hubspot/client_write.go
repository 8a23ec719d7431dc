package hubspot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/hubforce/hubforce"
)

const (
	routeBatchCreate = "POST /crm/objects/{version}/{type}/batch/create"
	routeBatchUpdate = "POST /crm/objects/{version}/{type}/batch/update"
	routeBatchUpsert = "POST /crm/objects/{version}/{type}/batch/upsert"
)

// uniqueProperty is the property HubSpot keeps unique per object type.
func uniqueProperty(obj hubforce.Object) string {
	if obj == hubforce.Company {
		return "domain"
	}
	return "email"
}

// Create makes records with POST …/batch/create, 100 a call, results in
// input order. Every input carries an objectWriteTraceId (its index), so
// HubSpot answers a partial failure with a 207 naming the failed inputs
// instead of failing the batch (HubSpot batch create docs; the 207 example
// of crm_objects_responses). A conflict's WriteResult carries the existing
// record's id HubSpot names, next to the Conflict error. An attempt whose
// outcome is unknown (5xx, lost connection) is not retried here: it comes
// back Retryable and the caller must look for the records (ReadBy on the
// unique property) before creating again; prefer Upsert where a unique
// property exists. An input without properties fails alone with
// Validation: it would make an empty record.
func (c *Client) Create(ctx context.Context, obj hubforce.Object, inputs []map[string]string) ([]hubforce.WriteResult, error) {
	uniq := uniqueProperty(obj)
	w := writer{c: c, route: routeBatchCreate, path: c.objectPath(obj, "/batch/create"), n: len(inputs), creates: true,
		key: func(int) string { return "" },
		input: func(i int) batchWriteInput {
			return batchWriteInput{ObjectWriteTraceID: strconv.Itoa(i), Properties: inputs[i]}
		},
		skip: func(i int) (hubforce.WriteResult, bool) {
			if len(inputs[i]) == 0 {
				return hubforce.WriteResult{Err: &hubforce.APIError{Side: hubforce.HubSpot, Class: hubforce.Validation,
					Code: "VALIDATION_ERROR", Message: "nothing to create: the input has no properties"}}, true
			}
			return hubforce.WriteResult{}, false
		},
		resultKey: func(o objectJSON) []string {
			return []string{"t:" + o.ObjectWriteTraceID, "u:" + strings.ToLower(prop(o, uniq))}
		},
		inputKeys: func(i int) []string {
			return []string{"t:" + strconv.Itoa(i), "u:" + strings.ToLower(inputs[i][uniq])}
		},
		errorKeys: func(e errorBody) []string { return prefixed("t:", e.Context["objectWriteTraceId"]) },
	}
	return w.run(ctx)
}

// Update writes properties to records by id with POST …/batch/update.
// Unknown ids fail alone (207, NotFound); an invalid value or a taken
// unique value fails HubSpot's whole batch, so the batch is split until the
// failing inputs stand alone. An input with no properties is not sent (the
// batch update schema requires properties, and there is nothing to write):
// its result is the id with no error and no call made.
func (c *Client) Update(ctx context.Context, obj hubforce.Object, ids []string, inputs []map[string]string) ([]hubforce.WriteResult, error) {
	if len(ids) != len(inputs) {
		return nil, fmt.Errorf("hubspot update: %d ids for %d inputs", len(ids), len(inputs))
	}
	w := writer{c: c, route: routeBatchUpdate, path: c.objectPath(obj, "/batch/update"), n: len(inputs),
		key:   func(i int) string { return ids[i] },
		input: func(i int) batchWriteInput { return batchWriteInput{ID: ids[i], Properties: inputs[i]} },
		skip: func(i int) (hubforce.WriteResult, bool) {
			return hubforce.WriteResult{ID: ids[i]}, len(inputs[i]) == 0
		},
		resultKey: func(o objectJSON) []string { return []string{"id:" + o.ID} },
		inputKeys: func(i int) []string { return []string{"id:" + ids[i]} },
		errorKeys: func(e errorBody) []string { return prefixed("id:", e.Context["ids"]) },
	}
	return w.run(ctx)
}

// Upsert creates or updates records named by a unique property (email,
// domain) with POST …/batch/upsert; Created is the response's `new`.
// Inputs without a value for idProperty fail alone with Validation.
func (c *Client) Upsert(ctx context.Context, obj hubforce.Object, idProperty string, inputs []map[string]string) ([]hubforce.WriteResult, error) {
	val := func(i int) string { return strings.ToLower(strings.TrimSpace(inputs[i][idProperty])) }
	w := writer{c: c, route: routeBatchUpsert, path: c.objectPath(obj, "/batch/upsert"), n: len(inputs),
		key: val,
		input: func(i int) batchWriteInput {
			return batchWriteInput{ID: inputs[i][idProperty], IDProperty: idProperty, Properties: inputs[i]}
		},
		resultKey: func(o objectJSON) []string { return []string{"v:" + strings.ToLower(prop(o, idProperty))} },
		inputKeys: func(i int) []string { return []string{"v:" + val(i)} },
		errorKeys: func(e errorBody) []string {
			var ks []string
			for _, id := range e.Context["ids"] {
				ks = append(ks, "v:"+strings.ToLower(id))
			}
			return ks
		},
		skip: func(i int) (hubforce.WriteResult, bool) {
			if val(i) == "" {
				return hubforce.WriteResult{Err: &hubforce.APIError{Side: hubforce.HubSpot, Class: hubforce.Validation, Code: "VALIDATION_ERROR",
					Message: "upsert input has no " + idProperty, Fields: []string{idProperty}}}, true
			}
			return hubforce.WriteResult{}, false
		},
	}
	return w.run(ctx)
}

func prop(o objectJSON, name string) string {
	if v := o.Properties[name]; v != nil {
		return *v
	}
	return ""
}

func prefixed(p string, vs []string) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = p + v
	}
	return out
}

// recordLevel says whether a whole-batch failure may be the fault of one
// input, so that splitting the batch can isolate it.
func recordLevel(err error) bool {
	var ae *hubforce.APIError
	return errors.As(err, &ae) && (ae.Class == hubforce.Validation || ae.Class == hubforce.Conflict)
}

// recordError is a failed input's error, with the existing record's id for
// a conflict.
func recordError(e *hubforce.APIError) hubforce.WriteResult {
	r := hubforce.WriteResult{Err: e}
	if e.Class == hubforce.Conflict {
		r.ID = existingID(e.Message)
	}
	return r
}

const routeBatchArchive = "POST /crm/objects/{version}/{type}/batch/archive"

// Archive moves records to HubSpot's recycle bin (restorable for 90 days)
// with POST …/batch/archive {inputs:[{id}]}, 100 a call. HubSpot answers
// 204 with no body, also for ids already archived or unknown, so a record's
// result is its call's.
func (c *Client) Archive(ctx context.Context, obj hubforce.Object, ids []string) ([]hubforce.WriteResult, error) {
	out := make([]hubforce.WriteResult, 0, len(ids))
	for start := 0; start < len(ids); start += maxBatch {
		end := min(start+maxBatch, len(ids))
		type input struct {
			ID string `json:"id"`
		}
		req := struct {
			Inputs []input `json:"inputs"`
		}{}
		for _, id := range ids[start:end] {
			req.Inputs = append(req.Inputs, input{ID: id})
		}
		if _, err := c.do(ctx, "POST", routeBatchArchive, c.objectPath(obj, "/batch/archive"), req, nil); err != nil {
			for _, id := range ids[start:] {
				out = append(out, hubforce.WriteResult{ID: id, Err: err})
			}
			return out, err
		}
		for _, id := range ids[start:end] {
			out = append(out, hubforce.WriteResult{ID: id})
		}
	}
	return out, nil
}
