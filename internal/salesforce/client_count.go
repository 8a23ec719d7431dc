package salesforce

import (
	"context"
	"net/http"
	"time"

	"github.com/hubforce/hubforce"
)

// CountModifiedSince returns how many records of obj ModifiedSince would
// return from since: SOQL's COUNT() answers the number in totalSize with no
// records ("COUNT() and COUNT(fieldName)", SOQL and SOSL Reference,
// developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_count.htm).
// A backfill shows it as its progress bar's total.
func (c *Client) CountModifiedSince(ctx context.Context, obj hubforce.Object, since time.Time) (int, error) {
	q := "SELECT COUNT() FROM " + obj.SalesforceName() + " WHERE SystemModstamp > " + soqlTime(since)
	var out struct {
		TotalSize int `json:"totalSize"`
	}
	if err := c.do(ctx, call{method: http.MethodGet, route: "GET /query", path: c.queryPath(q)}, &out); err != nil {
		return 0, err
	}
	return out.TotalSize, nil
}
