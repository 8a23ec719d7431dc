package salesforce

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/hubforce/hubforce"
)

// maxURI bounds the path and query of a GET. Salesforce caps URI plus
// headers at 16,384 bytes (414/431 beyond; Help article 000386264 "Maximum
// number of rows returned by SOQL queries over the REST API"); half of it
// leaves ample room for the headers.
const maxURI = 8000

// maxCollection is the sObject Collections limit: "up to 200 records"
// per create, update or upsert (resources_composite_sobjects_collections.htm).
// Retrieval by ids uses the same chunk size.
const maxCollection = 200

var idRE = regexp.MustCompile(`^[A-Za-z0-9]{15}([A-Za-z0-9]{3})?$`)

// queryPage is a query answer ("Execute a SOQL Query", resources_query.htm).
type queryPage struct {
	Done           bool              `json:"done"`
	NextRecordsURL string            `json:"nextRecordsUrl"`
	Records        []json.RawMessage `json:"records"`
}

// Get reads records by id with GET /composite/sobjects/{type}?ids=&fields=
// ("sObject Collections: Retrieve"), in chunks of at most 200 ids and
// maxURI bytes. The map is keyed by the ids as given; missing and deleted
// records (null in the answer) and malformed ids are absent. Fields hold
// the fields asked for plus Id and SystemModstamp.
func (c *Client) Get(ctx context.Context, obj hubforce.Object, ids []string, fields []string) (map[string]hubforce.Record, error) {
	sel, err := selectList(fields)
	if err != nil {
		return nil, err
	}
	prefix := c.base + "/composite/sobjects/" + obj.SalesforceName() + "?fields=" + strings.Join(sel, ",") + "&ids="
	out := make(map[string]hubforce.Record, len(ids))
	var chunk []string
	flush := func() error {
		if len(chunk) == 0 {
			return nil
		}
		var recs []json.RawMessage
		err := c.do(ctx, call{method: http.MethodGet, route: "GET /composite/sobjects/{sobject}",
			path: prefix + strings.Join(chunk, ",")}, &recs)
		if err != nil {
			return err
		}
		if len(recs) != len(chunk) {
			return unexpected(fmt.Sprintf("asked for %d records, got %d", len(chunk), len(recs)))
		}
		for i, raw := range recs {
			if string(raw) == "null" {
				continue
			}
			rec, err := decodeRecord(raw)
			if err != nil {
				return unexpected(err.Error())
			}
			out[chunk[i]] = rec
		}
		chunk = chunk[:0]
		return nil
	}
	size := len(prefix)
	for _, id := range ids {
		if !idRE.MatchString(id) {
			continue // no record has it; a comma in it would change the list
		}
		if len(chunk) == maxCollection || size+len(id)+1 > maxURI {
			if err := flush(); err != nil {
				return nil, err
			}
			size = len(prefix)
		}
		chunk = append(chunk, id)
		size += len(id) + 1
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return out, nil
}

// FindBy finds records whose field equals one of values (SOQL "field IN
// ('…')", text compared case-insensitively as SOQL does), keyed by the
// lower-cased value; a value may match several records. Values are quoted
// per SOQL's rules (quoteSOQL) and split over queries that fit maxURI.
func (c *Client) FindBy(ctx context.Context, obj hubforce.Object, field string, values []string, fields []string) (map[string][]hubforce.Record, error) {
	sel, err := selectList(append([]string{field}, fields...))
	if err != nil {
		return nil, err
	}
	head := "SELECT " + strings.Join(sel, ", ") + " FROM " + obj.SalesforceName() + " WHERE " + field + " IN ("
	want := map[string]bool{}
	out := map[string][]hubforce.Record{}
	var lits []string
	flush := func() error {
		if len(lits) == 0 {
			return nil
		}
		err := c.queryAll(ctx, head+strings.Join(lits, ", ")+")", func(rec hubforce.Record) {
			k := strings.ToLower(fieldValue(rec, field))
			if want[k] {
				out[k] = append(out[k], rec)
			}
		})
		lits = lits[:0]
		return err
	}
	for _, v := range values {
		k := strings.ToLower(v)
		if v == "" || want[k] {
			continue
		}
		want[k] = true
		lit := quoteSOQL(v)
		next := append(lits[:len(lits):len(lits)], lit)
		if len(lits) > 0 && len(c.queryPath(head+strings.Join(next, ", ")+")")) > maxURI {
			if err := flush(); err != nil {
				return nil, err
			}
		}
		lits = append(lits, lit)
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return out, nil
}

// ModifiedSince returns one page of records whose SystemModstamp is after
// since, oldest first, and the URL of the next page ("" on the last). Pass
// that URL back as next to continue; since and fields are then ignored.
// SystemModstamp, not LastModifiedDate, because system updates change only
// it and it is indexed.
func (c *Client) ModifiedSince(ctx context.Context, obj hubforce.Object, since time.Time, fields []string, next string) ([]hubforce.Record, string, error) {
	first := func() (call, error) {
		sel, err := selectList(fields)
		if err != nil {
			return call{}, err
		}
		q := "SELECT " + strings.Join(sel, ", ") + " FROM " + obj.SalesforceName() +
			" WHERE SystemModstamp > " + soqlTime(since) + " ORDER BY SystemModstamp ASC"
		return call{method: http.MethodGet, route: "GET /query", path: c.queryPath(q)}, nil
	}
	return c.onePage(ctx, "GET /query/{locator}", next, first)
}

// onePage reads the page at next (a nextRecordsUrl this client returned),
// or the first one when next is "", and returns its records and the next
// page's URL.
func (c *Client) onePage(ctx context.Context, nextRoute, next string, first func() (call, error)) ([]hubforce.Record, string, error) {
	cl := call{method: http.MethodGet, route: nextRoute, path: next}
	if next == "" {
		var err error
		if cl, err = first(); err != nil {
			return nil, "", err
		}
	} else if !strings.HasPrefix(next, "/services/data/") {
		return nil, "", &hubforce.APIError{Side: hubforce.Salesforce, Class: hubforce.Permanent,
			Message: "next is not a nextRecordsUrl from this client"}
	}
	var recs []hubforce.Record
	nextURL, err := c.page(ctx, cl, func(r hubforce.Record) { recs = append(recs, r) })
	return recs, nextURL, err
}

func (c *Client) queryPath(soql string) string {
	return c.base + "/query?q=" + url.QueryEscape(soql)
}

// queryAll runs soql and follows nextRecordsUrl to the end.
func (c *Client) queryAll(ctx context.Context, soql string, each func(hubforce.Record)) error {
	cl := call{method: http.MethodGet, route: "GET /query", path: c.queryPath(soql)}
	for {
		next, err := c.page(ctx, cl, each)
		if err != nil || next == "" {
			return err
		}
		cl = call{method: http.MethodGet, route: "GET /query/{locator}", path: next}
	}
}

func (c *Client) page(ctx context.Context, cl call, each func(hubforce.Record)) (string, error) {
	var p queryPage
	if err := c.do(ctx, cl, &p); err != nil {
		return "", err
	}
	for _, raw := range p.Records {
		rec, err := decodeRecord(raw)
		if err != nil {
			return "", unexpected(err.Error())
		}
		each(rec)
	}
	if p.Done {
		return "", nil
	}
	if p.NextRecordsURL == "" {
		return "", unexpected("query not done but no nextRecordsUrl")
	}
	return p.NextRecordsURL, nil
}

// fieldValue reads a field whatever the case the caller spelt it in (the
// answer uses the API name's own case).
func fieldValue(rec hubforce.Record, field string) string {
	if v, ok := rec.Fields[field]; ok {
		return v
	}
	for k, v := range rec.Fields {
		if strings.EqualFold(k, field) {
			return v
		}
	}
	return ""
}

func unexpected(msg string) *hubforce.APIError {
	return &hubforce.APIError{Side: hubforce.Salesforce, Class: hubforce.Retryable, Message: "unexpected answer: " + msg}
}

// DeletedSince returns one page of records deleted after since (in the
// recycle bin, which only queryAll reads: "QueryAll", resources_queryall.htm),
// oldest first, with Id, MasterRecordId (set when a merge deleted the
// record: the record kept), LastModifiedById (who deleted it) and
// SystemModstamp; next pages as ModifiedSince. Outbound Messages do not
// fire on delete, so this is how the bridge learns of deletions.
func (c *Client) DeletedSince(ctx context.Context, obj hubforce.Object, since time.Time, next string) ([]hubforce.Record, string, error) {
	return c.onePage(ctx, "GET /queryAll/{locator}", next, func() (call, error) {
		q := "SELECT Id, MasterRecordId, LastModifiedById, SystemModstamp FROM " + obj.SalesforceName() +
			" WHERE IsDeleted = true AND SystemModstamp > " + soqlTime(since) + " ORDER BY SystemModstamp ASC"
		return call{method: http.MethodGet, route: "GET /queryAll", path: c.base + "/queryAll?q=" + url.QueryEscape(q)}, nil
	})
}
