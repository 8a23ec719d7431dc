package hubspotsim

import (
	"strconv"
	"strings"
	"time"
)

// historyEntry is one ValueWithTimestamp of propertiesWithHistory (OpenAPI
// components.schemas.ValueWithTimestamp): writes by an app show sourceType
// INTEGRATION and the app id as sourceId (observed); UI writes CRM_UI with
// the user.
type historyEntry struct {
	Value           string `json:"value"`
	Timestamp       string `json:"timestamp"`
	SourceType      string `json:"sourceType"`
	SourceID        string `json:"sourceId,omitempty"`
	UpdatedByUserID int64  `json:"updatedByUserId,omitempty"`
}

// addHistory records a written value. Callers hold mu.
func (r *record) addHistory(k, v string, src Source, at time.Time) {
	if r.history == nil {
		r.history = map[string][]historyEntry{}
	}
	e := historyEntry{Value: v, Timestamp: isoMillis(at), SourceType: src.ChangeSource, SourceID: src.SourceID}
	if id, ok := strings.CutPrefix(src.SourceID, "userId:"); ok {
		e.UpdatedByUserID, _ = strconv.ParseInt(id, 10, 64)
	}
	r.history[k] = append(r.history[k], e)
}

// historyView returns the named properties' histories, newest first.
func (o *objectStore) historyView(r *record, names []string) map[string][]historyEntry {
	if len(names) == 0 {
		return nil
	}
	out := map[string][]historyEntry{}
	for _, n := range names {
		if !o.t.known(n) {
			continue
		}
		h := r.history[n]
		list := make([]historyEntry, 0, len(h))
		for i := len(h) - 1; i >= 0; i-- {
			list = append(list, h[i])
		}
		out[n] = list
	}
	return out
}
