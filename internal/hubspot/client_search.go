package hubspot

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hubforce/hubforce"
)

const routeSearch = "POST /crm/objects/{version}/{type}/search"

// Search limits (search-the-crm page, "Limitations"): up to 200 records a
// page and 10,000 results per query, after which the query must be narrowed.
const (
	searchPageSize   = 200
	searchMaxResults = 10000
)

// modifiedProperty is the search-indexed modification date: contacts use
// lastmodifieddate, companies hs_lastmodifieddate (contacts/companies guides).
func modifiedProperty(obj hubforce.Object) string {
	if obj == hubforce.Contact {
		return "lastmodifieddate"
	}
	return "hs_lastmodifieddate"
}

type searchFilter struct {
	PropertyName string `json:"propertyName"`
	Operator     string `json:"operator"`
	Value        string `json:"value"`
}

type searchRequest struct {
	FilterGroups []struct {
		Filters []searchFilter `json:"filters"`
	} `json:"filterGroups"`
	Sorts      []map[string]string `json:"sorts"`
	Properties []string            `json:"properties"`
	Limit      int                 `json:"limit"`
	After      string              `json:"after,omitempty"`
}

type searchResponse struct {
	Results []objectJSON `json:"results"`
	Paging  *struct {
		Next struct {
			After string `json:"after"`
		} `json:"next"`
	} `json:"paging"`
}

// ModifiedSince pages through records modified after since, oldest first,
// with POST …/search (a GT filter on the modification date, ascending sort).
// Pass after = "" for the first page and the returned next for the
// following ones; next is "" after the last page. Search allows 10,000
// results per query, so a long run continues with a new query from the last
// modification date seen (GTE: records sharing that instant come again,
// which the bridge's dedupe absorbs). Search answers without rate-limit
// headers and has its own per-second limit, paced separately.
func (c *Client) ModifiedSince(ctx context.Context, obj hubforce.Object, since time.Time, props []string, after string) ([]hubforce.Record, string, error) {
	mod := modifiedProperty(obj)
	op, from, offset := "GT", since, after
	if ms, ok := strings.CutPrefix(after, "t:"); ok {
		n, err := strconv.ParseInt(ms, 10, 64)
		if err != nil {
			return nil, "", &hubforce.APIError{Side: hubforce.HubSpot, Class: hubforce.Permanent, Message: "bad search cursor " + after}
		}
		op, from, offset = "GTE", time.UnixMilli(n), ""
	}
	fields := append([]string{}, props...)
	if !slices.Contains(fields, mod) {
		fields = append(fields, mod)
	}
	req := searchRequest{Sorts: []map[string]string{{"propertyName": mod, "direction": "ASCENDING"}},
		Properties: fields, Limit: searchPageSize, After: offset}
	req.FilterGroups = make([]struct {
		Filters []searchFilter `json:"filters"`
	}, 1)
	req.FilterGroups[0].Filters = []searchFilter{{PropertyName: mod, Operator: op,
		Value: strconv.FormatInt(max(from.UnixMilli(), 0), 10)}}
	var resp searchResponse
	if _, err := c.do(ctx, "POST", routeSearch, c.objectPath(obj, "/search"), req, &resp); err != nil {
		return nil, "", err
	}
	recs := make([]hubforce.Record, 0, len(resp.Results))
	for _, o := range resp.Results {
		recs = append(recs, o.record())
	}
	if resp.Paging == nil || resp.Paging.Next.After == "" {
		return recs, "", nil
	}
	next := resp.Paging.Next.After
	if n, err := strconv.Atoi(next); err == nil && n+searchPageSize > searchMaxResults && len(recs) > 0 {
		next = "t:" + strconv.FormatInt(recs[len(recs)-1].Modified.UnixMilli(), 10)
	}
	return recs, next, nil
}
