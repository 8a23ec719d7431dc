package hubspot

import (
	"context"
	"slices"
	"strings"

	"github.com/hubforce/hubforce"
)

const routeBatchRead = "POST /crm/objects/{version}/{type}/batch/read"

// Read fetches records by id with POST …/batch/read, 100 ids a call. Ids
// that do not exist (a 207 OBJECT_NOT_FOUND) are simply absent. Records come
// back keyed by the id HubSpot returns: a merged-away id answers with the
// surviving record under the survivor's id.
func (c *Client) Read(ctx context.Context, obj hubforce.Object, ids []string, props []string) (map[string]hubforce.Record, error) {
	return c.batchRead(ctx, obj, "", ids, props, func(r hubforce.Record) string { return r.ID })
}

// ReadBy fetches records by a unique property (email for contacts, domain
// for companies) with batch/read's idProperty, keyed by the lower-cased
// value (HubSpot stores emails lower-cased and matches them so).
func (c *Client) ReadBy(ctx context.Context, obj hubforce.Object, idProperty string, values []string, props []string) (map[string]hubforce.Record, error) {
	if !slices.Contains(props, idProperty) {
		props = append(slices.Clip(props), idProperty)
	}
	return c.batchRead(ctx, obj, idProperty, values, props, func(r hubforce.Record) string {
		return strings.ToLower(r.Fields[idProperty])
	})
}

func (c *Client) batchRead(ctx context.Context, obj hubforce.Object, idProperty string, ids, props []string,
	key func(hubforce.Record) string) (map[string]hubforce.Record, error) {
	uniq := make([]string, 0, len(ids))
	seen := map[string]bool{}
	for _, id := range ids {
		k := id
		if idProperty != "" {
			k = strings.ToLower(id)
		}
		if id != "" && !seen[k] {
			seen[k] = true
			uniq = append(uniq, id)
		}
	}
	out := make(map[string]hubforce.Record, len(uniq))
	for _, idx := range chunks(len(uniq), func(int) string { return "" }) {
		req := batchReadRequest{Properties: props, IDProperty: idProperty}
		if req.Properties == nil {
			req.Properties = []string{}
		}
		for _, i := range idx {
			req.Inputs = append(req.Inputs, idInput{ID: uniq[i]})
		}
		var resp batchResponse
		if _, err := c.do(ctx, "POST", routeBatchRead, c.objectPath(obj, "/batch/read"), req, &resp); err != nil {
			return nil, err
		}
		for _, o := range resp.Results {
			r := o.record()
			out[key(r)] = r
		}
		// Only OBJECT_NOT_FOUND is expected in a read's 207; anything else
		// means a record could not be read and the caller must not take it
		// as absent.
		for _, e := range resp.Errors {
			if batchErrorClass(e.Category) != hubforce.NotFound {
				ae := errorFrom(e)
				ae.Class = batchErrorClass(e.Category)
				return nil, ae
			}
		}
	}
	return out, nil
}
