package admin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/go-chi/chi/v5"

	"github.com/hubforce/hubforce/internal/store"
)

// fail maps an error to the error shape: bad input 400, unknown id 404,
// anything else 500 with the detail kept in the log.
func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	var bi badInput
	switch {
	case errors.As(err, &bi):
		writeError(w, http.StatusBadRequest, "bad_request", bi.msg)
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, "not_found", "no such dead letter")
	case errors.Is(err, store.ErrNotReplayable):
		writeError(w, http.StatusConflict, "not_replayable", store.ErrNotReplayable.Error())
	default:
		a.cfg.Log.Error().Err(err).Str("method", r.Method).Msg("admin API request failed")
		writeError(w, http.StatusInternalServerError, "internal", "the request failed; see the server log")
	}
}

// dlFilter reads category, from, object, after and limit.
func dlFilter(q url.Values) (store.DeadLetterFilter, error) {
	var f store.DeadLetterFilter
	var err error
	if f.Category, err = parseCategory(q.Get("category")); err != nil {
		return f, err
	}
	if s := q.Get("from"); s != "" {
		if f.Side, err = parseSide(s); err != nil {
			return f, bad("from must be hubspot or salesforce")
		}
	}
	if s := q.Get("object"); s != "" {
		if f.Object, err = parseObject(s); err != nil {
			return f, err
		}
	}
	if f.AfterID, err = parseAfter(q.Get("after")); err != nil {
		return f, err
	}
	f.Limit, err = parseLimit(q.Get("limit"))
	return f, err
}

// page reads one page; one extra row says whether another follows.
func (a *API) page(ctx context.Context, f store.DeadLetterFilter) (deadLetterPage, error) {
	limit := f.Limit
	f.Limit = limit + 1
	list, err := a.cfg.Store.DeadLetters(ctx, f)
	if err != nil {
		return deadLetterPage{}, fmt.Errorf("list dead letters: %w", err)
	}
	p := deadLetterPage{Items: []deadLetterView{}}
	if len(list) > limit {
		list = list[:limit]
		next := list[limit-1].ID
		p.NextAfter = &next
	}
	for _, d := range list {
		p.Items = append(p.Items, viewDeadLetter(d))
	}
	return p, nil
}

func (a *API) listDeadLetters(w http.ResponseWriter, r *http.Request) {
	f, err := dlFilter(r.URL.Query())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	p, err := a.page(r.Context(), f)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (a *API) getDeadLetter(w http.ResponseWriter, r *http.Request) {
	id, err := parseID(chi.URLParam(r, "id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	d, err := a.cfg.Store.GetDeadLetter(r.Context(), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, viewDeadLetter(d))
}

type actionResult struct {
	Action string  `json:"action"`
	IDs    []int64 `json:"ids"`
	Count  int     `json:"count"`
	// More is true when a bulk action stopped at its cap; repeat it.
	More bool `json:"more"`
}

func (a *API) replayDeadLetter(w http.ResponseWriter, r *http.Request) {
	a.single(w, r, "replayed", a.cfg.Store.ReplayDeadLetter)
}

func (a *API) discardDeadLetter(w http.ResponseWriter, r *http.Request) {
	a.single(w, r, "discarded", a.cfg.Store.DiscardDeadLetter)
}

func (a *API) single(w http.ResponseWriter, r *http.Request, action string, do func(context.Context, int64) error) {
	id, err := parseID(chi.URLParam(r, "id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if err := do(r.Context(), id); err != nil {
		a.fail(w, r, err)
		return
	}
	a.cfg.Log.Info().Int64("dead_letter", id).Str("action", action).Msg("dead letter " + action + " by an operator")
	writeJSON(w, http.StatusOK, actionResult{Action: action, IDs: []int64{id}, Count: 1})
}

// bulkRequest selects dead letters: one category, or all of them.
type bulkRequest struct {
	Category string `json:"category"`
	All      bool   `json:"all"`
}

func (b bulkRequest) check() error {
	if _, err := parseCategory(b.Category); err != nil {
		return err
	}
	if (b.Category == "") == !b.All {
		return bad(`send either {"category": "…"} or {"all": true}`)
	}
	return nil
}

func (a *API) bulkReplay(w http.ResponseWriter, r *http.Request) {
	a.bulkJSON(w, r, "replayed", a.cfg.Store.ReplayDeadLetter)
}

func (a *API) bulkDiscard(w http.ResponseWriter, r *http.Request) {
	a.bulkJSON(w, r, "discarded", a.cfg.Store.DiscardDeadLetter)
}

func (a *API) bulkJSON(w http.ResponseWriter, r *http.Request, action string, do func(context.Context, int64) error) {
	var req bulkRequest
	dec := json.NewDecoder(io.LimitReader(r.Body, 4096))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		a.fail(w, r, bad(`the body must be JSON: {"category": "…"} or {"all": true}`))
		return
	}
	if err := req.check(); err != nil {
		a.fail(w, r, err)
		return
	}
	res, err := a.bulk(r.Context(), req.Category, action, do)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// bulkCap bounds one bulk call, so that a huge backlog is worked through in
// requests of bounded length.
const bulkCap = 5000

// bulkPage is how many dead letters one read of a bulk call lists.
const bulkPage = 500

// DeadLetterLister lists dead letters a page at a time.
type DeadLetterLister interface {
	DeadLetters(ctx context.Context, f store.DeadLetterFilter) ([]store.DeadLetter, error)
}

// BulkResult is what one bulk action did.
type BulkResult struct {
	IDs []int64
	// Kept counts malformed deliveries a replay leaves to be read: they
	// cannot be replayed.
	Kept int
	// More is true when the action stopped at its cap; repeat it.
	More bool
}

// Bulk replays or discards (do) every dead letter of a category, or all
// of them with category "", up to bulkCap: the one bulk operation behind
// the admin API, the dashboard and `hubforce dlq`. It collects the ids
// first and acts on them afterwards, so that a replayed change that fails
// again (it gets a new id) is not picked up by the same call. A letter
// handled meanwhile by someone else is skipped; the first other error
// stops it, with what it did so far.
func Bulk(ctx context.Context, st DeadLetterLister, category string, do func(context.Context, int64) error) (BulkResult, error) {
	res := BulkResult{IDs: []int64{}}
	var ids []int64
	f := store.DeadLetterFilter{Category: category, Limit: bulkPage}
	for len(ids) < bulkCap {
		list, err := st.DeadLetters(ctx, f)
		if err != nil {
			return res, fmt.Errorf("list dead letters: %w", err)
		}
		for _, d := range list {
			ids = append(ids, d.ID)
		}
		if len(list) < f.Limit {
			break
		}
		f.AfterID = list[len(list)-1].ID
	}
	if len(ids) > bulkCap {
		ids, res.More = ids[:bulkCap], true
	}
	for _, id := range ids {
		err := do(ctx, id)
		switch {
		case errors.Is(err, store.ErrNotFound):
			continue
		case errors.Is(err, store.ErrNotReplayable):
			res.Kept++
			continue
		case err != nil:
			return res, fmt.Errorf("%d of %d dead letters done, then dead letter %d: %w", len(res.IDs), len(ids), id, err)
		}
		res.IDs = append(res.IDs, id)
	}
	return res, nil
}

func (a *API) bulk(ctx context.Context, category, action string, do func(context.Context, int64) error) (actionResult, error) {
	br, err := Bulk(ctx, a.cfg.Store, category, do)
	res := actionResult{Action: action, IDs: br.IDs, Count: len(br.IDs), More: br.More}
	if err != nil {
		return res, fmt.Errorf("%s: %w", action, err)
	}
	ev := a.cfg.Log.Info().Int("count", res.Count).Str("action", action)
	if category != "" {
		ev = ev.Str("category", category)
	}
	ev.Msg("dead letters " + action + " in bulk by an operator")
	return res, nil
}
