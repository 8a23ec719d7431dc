package admin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/report"
	"github.com/hubforce/hubforce/internal/store"
)

func (a *API) getStatus(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, a.status(r.Context()))
}

// recordRef parses side, object and id as the routes and the explain form
// carry them.
func recordRef(side, object, id string) (hubforce.Side, hubforce.Object, string, error) {
	s, err := parseSide(side)
	if err != nil {
		return "", "", "", err
	}
	o, err := parseObject(object)
	if err != nil {
		return "", "", "", err
	}
	id, err = parseRecordID(s, id)
	return s, o, id, err
}

func (a *API) record(ctx context.Context, side hubforce.Side, obj hubforce.Object, id string) (recordView, error) {
	t, err := report.Explain(ctx, a.cfg.Store, side, obj, id)
	if err != nil {
		return recordView{}, fmt.Errorf("explain: %w", err)
	}
	versions, err := a.cfg.Store.Versions(ctx, side, obj, id)
	if err != nil {
		return recordView{}, fmt.Errorf("versions: %w", err)
	}
	for k, at := range versions {
		versions[k] = at.UTC()
	}
	v := recordView{Side: side, Object: obj, ID: id, Link: viewLink(t.Link), Versions: versions, Timeline: []historyView{}}
	for _, e := range t.Entries {
		v.Timeline = append(v.Timeline, viewHistory(e))
	}
	return v, nil
}

// getRecord answers for any well-formed id, known or not: an empty
// timeline is the answer "nothing was received for it".
func (a *API) getRecord(w http.ResponseWriter, r *http.Request) {
	side, obj, id, err := recordRef(chi.URLParam(r, "side"), chi.URLParam(r, "object"), chi.URLParam(r, "id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	v, err := a.record(r.Context(), side, obj, id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// backfillView is one backfill checkpoint. State is the checkpoint as
// JSON when it is JSON, otherwise the raw string: the backfill command owns
// its format.
type backfillView struct {
	Key    string          `json:"key"`
	Side   hubforce.Side   `json:"side"`
	Object hubforce.Object `json:"object"`
	State  json.RawMessage `json:"state"`
}

// backfillKeys are the keys a backfill of (side, object) may use: the
// bridge's object name and the side's own spelling.
func backfillKeys(side hubforce.Side, obj hubforce.Object) []string {
	own := obj.HubSpotName()
	if side == hubforce.Salesforce {
		own = obj.SalesforceName()
	}
	return []string{"backfill/" + string(side) + "/" + string(obj), "backfill/" + string(side) + "/" + own}
}

func (a *API) backfills(ctx context.Context) ([]backfillView, error) {
	out := []backfillView{}
	for _, side := range []hubforce.Side{hubforce.HubSpot, hubforce.Salesforce} {
		for _, obj := range []hubforce.Object{hubforce.Contact, hubforce.Company} {
			for _, key := range backfillKeys(side, obj) {
				v, err := a.cfg.Store.Checkpoint(ctx, key)
				if errors.Is(err, store.ErrNotFound) {
					continue
				}
				if err != nil {
					return nil, fmt.Errorf("checkpoint %s: %w", key, err)
				}
				out = append(out, backfillView{Key: key, Side: side, Object: obj, State: checkpointJSON(v)})
			}
		}
	}
	return out, nil
}

func checkpointJSON(v string) json.RawMessage {
	if json.Valid([]byte(v)) {
		return json.RawMessage(v)
	}
	raw, _ := json.Marshal(v) // a string always marshals
	return raw
}

func (a *API) getBackfills(w http.ResponseWriter, r *http.Request) {
	list, err := a.backfills(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": list})
}
