package salesforcesim

import (
	"fmt"
	"net/http"
	"strings"
)

// upsertOne creates or updates the record whose key field has value. It
// returns the result, the HTTP status a single-record upsert answers with,
// and the matching records when there are several (status 300).
func (t *txn) upsertOne(sch *schema, key field, value string, vals map[string]any, user string) (saveResult, int, []*record) {
	fail := func(status int, e *recError) (saveResult, int, []*record) {
		return saveResult{Success: false, Errors: []*recError{e}}, status, nil
	}
	if key.name == "Id" {
		if value == "" {
			id, e := t.insert(sch.name, vals, user)
			if e != nil {
				return fail(http.StatusBadRequest, e)
			}
			return okResult(id, boolPtr(true)), http.StatusCreated, nil
		}
		rec, e := t.lookup(sch.name, value)
		if e != nil {
			if e.StatusCode == "MALFORMED_ID" {
				return fail(http.StatusBadRequest, e)
			}
			return fail(http.StatusNotFound, recErr("NOT_FOUND", "The requested resource does not exist"))
		}
		if e := t.update(rec, vals, user); e != nil {
			return fail(http.StatusBadRequest, e)
		}
		return okResult(rec.id, boolPtr(false)), http.StatusOK, nil
	}
	if value == "" {
		return fail(http.StatusBadRequest, recErr("MISSING_ARGUMENT", key.name+" not specified", key.name))
	}
	matches := t.match(sch.name, key, value)
	switch len(matches) {
	case 0:
		vals[key.name] = value
		if key.email && !emailRE.MatchString(value) {
			return fail(http.StatusBadRequest, recErr("INVALID_EMAIL_ADDRESS", key.name+": invalid email address: "+value, key.name))
		}
		id, e := t.insert(sch.name, vals, user)
		if e != nil {
			return fail(http.StatusBadRequest, e)
		}
		return okResult(id, boolPtr(true)), http.StatusCreated, nil
	case 1:
		if e := t.update(matches[0], vals, user); e != nil {
			res, status, _ := fail(http.StatusBadRequest, e)
			res.ID = matches[0].id
			return res, status, nil
		}
		return okResult(matches[0].id, boolPtr(false)), http.StatusOK, nil
	}
	ids := make([]string, len(matches))
	for i, m := range matches {
		ids[i] = m.id
	}
	res, _, _ := fail(http.StatusMultipleChoices, recErr("DUPLICATE_EXTERNAL_ID",
		fmt.Sprintf("%s: more than one record found for external id field: [%s]", key.name, strings.Join(ids, ", ")), key.name))
	return res, http.StatusMultipleChoices, matches
}
