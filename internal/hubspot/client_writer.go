package hubspot

import (
	"context"
	"errors"
	"strings"

	"github.com/hubforce/hubforce"
)

// writer runs one batch write over any number of inputs: chunks of ≤ 100
// with no record twice, 207 errors mapped back to their inputs, whole-batch
// record-level failures split in halves until the culprit stands alone.
type writer struct {
	c     *Client
	route string
	path  string
	n     int
	// key names the record an input writes ("" when unknown): two inputs
	// with one key never share a batch.
	key   func(i int) string
	input func(i int) batchWriteInput
	// resultKey, inputKeys and errorKeys give the matching keys of a result,
	// an input and a 207 error; results with no matching key are matched to
	// the remaining inputs in order.
	resultKey func(o objectJSON) []string
	inputKeys func(i int) []string
	errorKeys func(e errorBody) []string
	// skip settles an input without sending it (true), with the result
	// given.
	skip func(i int) (hubforce.WriteResult, bool)
	// creates: a result without `new` is a created record.
	creates bool

	out  []hubforce.WriteResult
	done []bool
	// settled counts done inputs, skipped the ones settled without a call.
	settled, skipped int
}

// run returns one result per input. err is non-nil only when the call
// failed as a whole before anything was written (Retryable, Auth, Budget…);
// a whole-batch failure after some inputs were written is put on each input
// still pending, so that what was written is not written twice.
func (w *writer) run(ctx context.Context) ([]hubforce.WriteResult, error) {
	w.out, w.done = make([]hubforce.WriteResult, w.n), make([]bool, w.n)
	var send []int
	for i := range w.n {
		if w.skip != nil {
			if r, skip := w.skip(i); skip {
				w.set(i, r)
				w.skipped++
				continue
			}
		}
		send = append(send, i)
	}
	for _, idx := range chunks(len(send), func(j int) string { return w.key(send[j]) }) {
		batch := make([]int, len(idx))
		for j, k := range idx {
			batch[j] = send[k]
		}
		if err := w.chunk(ctx, batch); err != nil {
			if !w.anyDone() {
				return nil, err
			}
			for i := range w.out {
				if !w.done[i] {
					w.set(i, hubforce.WriteResult{Err: err})
				}
			}
			break
		}
	}
	return w.out, nil
}

// anyDone reports whether a call already settled an input.
func (w *writer) anyDone() bool { return w.settled > w.skipped }

func (w *writer) set(i int, r hubforce.WriteResult) {
	w.out[i], w.done[i] = r, true
	w.settled++
}

// chunk writes one batch; it returns only errors that are not any one
// input's fault.
func (w *writer) chunk(ctx context.Context, batch []int) error {
	req := batchWriteRequest{Inputs: make([]batchWriteInput, len(batch))}
	for j, i := range batch {
		req.Inputs[j] = w.input(i)
	}
	var resp batchResponse
	_, err := w.c.do(ctx, "POST", w.route, w.path, req, &resp)
	if err != nil {
		if !recordLevel(err) {
			return err
		}
		var ae *hubforce.APIError
		errors.As(err, &ae)
		if len(batch) == 1 {
			w.set(batch[0], recordError(ae))
			return nil
		}
		half := len(batch) / 2
		if err := w.chunk(ctx, batch[:half]); err != nil {
			return err
		}
		return w.chunk(ctx, batch[half:])
	}
	w.match(batch, resp)
	return nil
}

// match assigns results and errors to inputs; an input that neither got a
// result nor an error is reported Retryable, since its outcome is unknown.
func (w *writer) match(batch []int, resp batchResponse) {
	byKey := map[string]int{}
	for _, i := range batch {
		for _, k := range w.inputKeys(i) {
			if !emptyKey(k) {
				if _, dup := byKey[k]; !dup {
					byKey[k] = i
				}
			}
		}
	}
	for _, e := range resp.Errors {
		ae := errorFrom(e)
		ae.Class = batchErrorClass(e.Category)
		for _, k := range w.errorKeys(e) {
			if i, ok := byKey[k]; ok && !w.done[i] {
				w.set(i, recordError(ae))
			}
		}
	}
	var unmatched []objectJSON
	for _, o := range resp.Results {
		i, ok := -1, false
		for _, k := range w.resultKey(o) {
			if j, hit := byKey[k]; hit && !emptyKey(k) && !w.done[j] {
				i, ok = j, true
				break
			}
		}
		if !ok {
			unmatched = append(unmatched, o)
			continue
		}
		w.set(i, written(o, w.creates))
	}
	for _, i := range batch {
		if w.done[i] {
			continue
		}
		if len(unmatched) > 0 {
			w.set(i, written(unmatched[0], w.creates))
			unmatched = unmatched[1:]
			continue
		}
		w.set(i, hubforce.WriteResult{Err: &hubforce.APIError{Side: hubforce.HubSpot, Class: hubforce.Retryable,
			Message: "HubSpot returned no result for this input"}})
	}
}

func written(o objectJSON, creates bool) hubforce.WriteResult {
	r := hubforce.WriteResult{ID: o.ID, Created: creates}
	if o.New != nil {
		r.Created = *o.New
	}
	return r
}

func emptyKey(k string) bool { return strings.HasSuffix(k, ":") }
