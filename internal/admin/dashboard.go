package admin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/store"
)

// overviewPage is the dashboard's home, or the sign-in form.
func (a *API) overviewPage(w http.ResponseWriter, r *http.Request) {
	if !a.authed(r) {
		a.renderLogin(w, r, http.StatusUnauthorized, "")
		return
	}
	a.render(w, r, http.StatusOK, "overview", view{Title: "Sync health", Refresh: true, Data: overview{
		Status: a.status(r.Context()), Activity: a.activity(r.Context()), Connect: a.cfg.Connect}})
}

// overview is the dashboard home's data.
type overview struct {
	Status   Status
	Activity activity
	// Connect lists the sides with a Connect button.
	Connect []hubforce.Side
}

// canConnect says whether side has a Connect button.
func (o overview) CanConnect(side hubforce.Side) bool { return slices.Contains(o.Connect, side) }

// pageError shows an error on a page: bad input and unknown ids as they
// are, anything else logged and summarised.
func (a *API) pageError(w http.ResponseWriter, r *http.Request, err error) {
	var bi badInput
	switch {
	case errors.As(err, &bi):
		a.renderError(w, r, http.StatusBadRequest, bi.msg)
	case errors.Is(err, store.ErrNotFound):
		a.renderError(w, r, http.StatusNotFound, "There is no such dead letter: it may have been replayed or discarded already.")
	case errors.Is(err, store.ErrNotReplayable):
		a.renderError(w, r, http.StatusConflict, "This delivery could not be read, so there is no change to replay. Its raw bytes are kept on its page to fix the sender with; discard it afterwards.")
	default:
		a.cfg.Log.Error().Err(err).Msg("dashboard request failed")
		a.renderError(w, r, http.StatusInternalServerError, "The request failed; the server log says why.")
	}
}

type deadLettersData struct {
	Category string
	Page     deadLetterPage
	NextURL  string
	Counts   DeadLetterCount
}

func (a *API) deadLettersPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f, err := dlFilter(q)
	if err != nil {
		a.pageError(w, r, err)
		return
	}
	p, err := a.page(r.Context(), f)
	if err != nil {
		a.pageError(w, r, err)
		return
	}
	d := deadLettersData{Category: f.Category, Page: p}
	if p.NextAfter != nil {
		next := url.Values{"after": {strconv.FormatInt(*p.NextAfter, 10)}}
		if f.Category != "" {
			next.Set("category", f.Category)
		}
		d.NextURL = "/dashboard/dead-letters?" + next.Encode()
	}
	title := "Dead letters"
	if f.Category != "" {
		title += ": " + f.Category
	}
	a.render(w, r, http.StatusOK, "deadletters", view{Title: title, Refresh: true, Notice: notice(q), Data: d})
}

func (a *API) deadLetterPage(w http.ResponseWriter, r *http.Request) {
	id, err := parseID(chi.URLParam(r, "id"))
	if err != nil {
		a.pageError(w, r, err)
		return
	}
	d, err := a.cfg.Store.GetDeadLetter(r.Context(), id)
	if err != nil {
		a.pageError(w, r, err)
		return
	}
	a.render(w, r, http.StatusOK, "deadletter", view{Title: fmt.Sprintf("Dead letter %d", id), Data: viewDeadLetter(d)})
}

// notice turns the redirect's ?done=…&n=… into a fixed sentence; nothing
// from the query is shown as such.
func notice(q url.Values) string {
	n, _ := strconv.Atoi(q.Get("n"))
	switch q.Get("done") {
	case "replayed":
		return fmt.Sprintf("%d dead letter(s) put back in the queue.", n)
	case "discarded":
		return fmt.Sprintf("%d dead letter(s) discarded.", n)
	}
	return ""
}

func doneURL(action string, n int, category string) string {
	v := url.Values{"done": {action}, "n": {strconv.Itoa(n)}}
	if category != "" {
		v.Set("category", category)
	}
	return "/dashboard/dead-letters?" + v.Encode()
}

func (a *API) replayForm(w http.ResponseWriter, r *http.Request) {
	a.singleForm(w, r, "replayed", a.cfg.Store.ReplayDeadLetter)
}

func (a *API) discardForm(w http.ResponseWriter, r *http.Request) {
	a.singleForm(w, r, "discarded", a.cfg.Store.DiscardDeadLetter)
}

func (a *API) singleForm(w http.ResponseWriter, r *http.Request, action string, do func(context.Context, int64) error) {
	id, err := parseID(chi.URLParam(r, "id"))
	if err != nil {
		a.pageError(w, r, err)
		return
	}
	category := ""
	if d, err := a.cfg.Store.GetDeadLetter(r.Context(), id); err == nil {
		category = d.Failure.Category
	}
	if err := do(r.Context(), id); err != nil {
		a.pageError(w, r, err)
		return
	}
	a.cfg.Log.Info().Int64("dead_letter", id).Str("action", action).Msg("dead letter " + action + " from the dashboard")
	http.Redirect(w, r, doneURL(action, 1, category), http.StatusSeeOther)
}

// bulkForm replays or discards a whole category (or everything).
func (a *API) bulkForm(w http.ResponseWriter, r *http.Request) {
	req := bulkRequest{Category: r.PostFormValue("category"), All: r.PostFormValue("all") == "true"}
	if err := req.check(); err != nil {
		a.pageError(w, r, err)
		return
	}
	var do func(context.Context, int64) error
	var action string
	switch r.PostFormValue("action") {
	case "replay":
		do, action = a.cfg.Store.ReplayDeadLetter, "replayed"
	case "discard":
		do, action = a.cfg.Store.DiscardDeadLetter, "discarded"
	default:
		a.pageError(w, r, bad("action must be replay or discard"))
		return
	}
	res, err := a.bulk(r.Context(), req.Category, action, do)
	if err != nil {
		a.pageError(w, r, err)
		return
	}
	http.Redirect(w, r, doneURL(action, res.Count, req.Category), http.StatusSeeOther)
}

type explainData struct {
	Side   hubforce.Side
	Object hubforce.Object
	ID     string
	Asked  bool
	Record *recordView
	Error  string
}

func (a *API) explainPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := explainData{Side: hubforce.HubSpot, Object: hubforce.Contact}
	if q.Get("id") == "" {
		a.render(w, r, http.StatusOK, "explain", view{Title: "Explain a record", Data: d})
		return
	}
	d.Asked = true
	d.ID = q.Get("id")
	side, obj, id, err := recordRef(q.Get("side"), q.Get("object"), q.Get("id"))
	if side != "" {
		d.Side = side
	}
	if obj != "" {
		d.Object = obj
	}
	var bi badInput
	if errors.As(err, &bi) {
		d.Error = bi.msg
		a.render(w, r, http.StatusBadRequest, "explain", view{Title: "Explain a record", Data: d})
		return
	}
	rec, err := a.record(r.Context(), side, obj, id)
	if err != nil {
		a.pageError(w, r, err)
		return
	}
	d.Record = &rec
	a.render(w, r, http.StatusOK, "explain", view{Title: fmt.Sprintf("%s %s %s", sideName(side), objName(side, obj), id), Data: d})
}
