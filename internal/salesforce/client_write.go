package salesforce

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strings"

	"github.com/hubforce/hubforce"
)

// saveResult is one entry of an sObject Collections answer: HTTP 200 with
// one result per record in request order, [{id, success, errors, created}]
// (resources_composite_sobjects_collections.htm).
type saveResult struct {
	ID      string        `json:"id"`
	Success bool          `json:"success"`
	Errors  []recordError `json:"errors"`
	Created *bool         `json:"created"`
}

type collectionBody struct {
	// allOrNone false: one bad record must not fail its batch (SPEC §3.5).
	AllOrNone bool             `json:"allOrNone"`
	Records   []map[string]any `json:"records"`
}

// Create inserts records with POST /composite/sobjects, 200 a call. A call
// whose outcome is unknown (answer lost, 5xx other than 503) returns an
// error wrapping ErrOutcomeUnknown: look before creating again.
func (c *Client) Create(ctx context.Context, obj hubforce.Object, records []map[string]any) ([]hubforce.WriteResult, error) {
	cl := call{method: http.MethodPost, route: "POST /composite/sobjects", path: c.base + "/composite/sobjects", create: true}
	return c.writeChunks(ctx, cl, obj, records, nil, func(r saveResult) bool { return r.Success })
}

// Update changes records[i] on ids[i] with PATCH /composite/sobjects.
func (c *Client) Update(ctx context.Context, obj hubforce.Object, ids []string, records []map[string]any) ([]hubforce.WriteResult, error) {
	if len(ids) != len(records) {
		return nil, fmt.Errorf("salesforce: update: %d ids for %d records", len(ids), len(records))
	}
	cl := call{method: http.MethodPatch, route: "PATCH /composite/sobjects", path: c.base + "/composite/sobjects"}
	return c.writeChunks(ctx, cl, obj, records, ids, func(saveResult) bool { return false })
}

// Upsert creates or updates each record by its extIDField value, which the
// record must carry, with PATCH /composite/sobjects/{type}/{field}. Created
// tells which. A value matching several records fails that record with
// class Conflict.
func (c *Client) Upsert(ctx context.Context, obj hubforce.Object, extIDField string, records []map[string]any) ([]hubforce.WriteResult, error) {
	if !fieldRE.MatchString(extIDField) {
		return nil, invalidField(extIDField)
	}
	path := c.base + "/composite/sobjects/" + obj.SalesforceName() + "/" + extIDField
	cl := call{method: http.MethodPatch, route: "PATCH /composite/sobjects/{sobject}/{field}", path: path}
	return c.writeChunks(ctx, cl, obj, records, nil, func(r saveResult) bool { return r.Created != nil && *r.Created })
}

// writeChunks sends records in calls of at most 200 and returns one result
// per record in input order. When a call fails as a whole, the error is
// returned together with full results: the chunks done before keep their
// outcome (records already created must not be created again) and every
// other record carries the error.
func (c *Client) writeChunks(ctx context.Context, cl call, obj hubforce.Object, records []map[string]any, ids []string, created func(saveResult) bool) ([]hubforce.WriteResult, error) {
	out := make([]hubforce.WriteResult, 0, len(records))
	for start := 0; start < len(records); start += maxCollection {
		end := min(start+maxCollection, len(records))
		body := collectionBody{Records: make([]map[string]any, 0, end-start)}
		for i := start; i < end; i++ {
			// A copy: the caller's map is not ours to change.
			r := make(map[string]any, len(records[i])+2)
			maps.Copy(r, records[i])
			r["attributes"] = map[string]string{"type": obj.SalesforceName()}
			if ids != nil {
				r["Id"] = ids[i]
			}
			body.Records = append(body.Records, r)
		}
		cl.body = body
		var res []saveResult
		err := c.do(ctx, cl, &res)
		if err == nil && len(res) != end-start {
			err = unexpected(fmt.Sprintf("%d results for %d records", len(res), end-start))
		}
		if err != nil {
			for i := start; i < len(records); i++ {
				wr := hubforce.WriteResult{Err: err}
				if ids != nil {
					wr.ID = ids[i]
				}
				out = append(out, wr)
			}
			return out, err
		}
		for i, r := range res {
			wr := hubforce.WriteResult{ID: r.ID}
			if ids != nil && wr.ID == "" {
				wr.ID = ids[start+i]
			}
			if r.Success {
				wr.Created = created(r)
			} else {
				wr.Err = recordFailure(r.Errors)
			}
			out = append(out, wr)
		}
	}
	return out, nil
}

// Delete moves records to the recycle bin with sObject Collections'
// DELETE /composite/sobjects?ids=…&allOrNone=false, 200 ids a call
// (resources_composite_sobjects_collections_delete.htm), one result per id
// in input order. A record already deleted fails with ENTITY_IS_DELETED
// (class NotFound).
func (c *Client) Delete(ctx context.Context, ids []string) ([]hubforce.WriteResult, error) {
	out := make([]hubforce.WriteResult, 0, len(ids))
	for start := 0; start < len(ids); start += maxCollection {
		end := min(start+maxCollection, len(ids))
		q := url.Values{"ids": {strings.Join(ids[start:end], ",")}, "allOrNone": {"false"}}
		cl := call{method: http.MethodDelete, route: "DELETE /composite/sobjects", path: c.base + "/composite/sobjects?" + q.Encode()}
		var res []saveResult
		err := c.do(ctx, cl, &res)
		if err == nil && len(res) != end-start {
			err = unexpected(fmt.Sprintf("%d results for %d ids", len(res), end-start))
		}
		if err != nil {
			for _, id := range ids[start:] {
				out = append(out, hubforce.WriteResult{ID: id, Err: err})
			}
			return out, err
		}
		for i, r := range res {
			wr := hubforce.WriteResult{ID: ids[start+i]}
			if !r.Success {
				wr.Err = recordFailure(r.Errors)
			}
			out = append(out, wr)
		}
	}
	return out, nil
}
