// GET /services/data/vXX.X/tooling/query for the one Tooling object a
// client of the simulator reads: WorkflowOutboundMessage (Tooling API
// Reference, "WorkflowOutboundMessage"), one record per sObject with an
// Outbound Message (Config.OutboundFields), its Id the ActionId the messages
// carry. Id, Name and EntityDefinitionId may be selected for every record;
// Metadata (endpointUrl, fields, includeSessionId, integrationUser) and
// FullName only when the query names one record, as Salesforce requires.
// Other Tooling objects answer INVALID_TYPE; other query shapes
// MALFORMED_QUERY.

package salesforcesim

import (
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/go-chi/chi/v5"
)

var toolingQueryRE = regexp.MustCompile(`(?i)^\s*SELECT\s+(.+?)\s+FROM\s+(\w+)(?:\s+WHERE\s+Id\s*=\s*'([^']*)')?\s*$`)

func (s *Server) handleToolingQuery(w http.ResponseWriter, r *http.Request) {
	m := toolingQueryRE.FindStringSubmatch(r.URL.Query().Get("q"))
	if m == nil {
		writeAPIError(w, apiErr(http.StatusBadRequest, "MALFORMED_QUERY", "unexpected token in the query"))
		return
	}
	if !strings.EqualFold(m[2], "WorkflowOutboundMessage") {
		writeAPIError(w, apiErr(http.StatusBadRequest, "INVALID_TYPE", "sObject type '"+m[2]+"' is not supported."))
		return
	}
	var cols []string
	for _, c := range strings.Split(m[1], ",") {
		c = strings.TrimSpace(c)
		if !slices.Contains([]string{"Id", "Name", "EntityDefinitionId", "Metadata", "FullName"}, c) {
			writeAPIError(w, apiErr(http.StatusBadRequest, "INVALID_FIELD", "No such column '"+c+"' on entity 'WorkflowOutboundMessage'."))
			return
		}
		cols = append(cols, c)
	}
	s.out.mu.Lock()
	endpoint := s.out.url
	s.out.mu.Unlock()
	var types []string
	for t := range s.out.actionIDs {
		if endpoint != "" && (m[3] == "" || s.out.actionIDs[t] == m[3]) {
			types = append(types, t)
		}
	}
	sort.Strings(types)
	if (slices.Contains(cols, "Metadata") || slices.Contains(cols, "FullName")) && len(types) > 1 {
		writeAPIError(w, apiErr(http.StatusBadRequest, "MALFORMED_QUERY",
			"When retrieving results with Metadata or FullName fields, the query qualifications must specify no more than one row for retrieval."))
		return
	}
	version := chi.URLParam(r, "version")
	records := []map[string]any{}
	for _, t := range types {
		id := s.out.actionIDs[t]
		rec := map[string]any{"attributes": map[string]string{"type": "WorkflowOutboundMessage",
			"url": "/services/data/" + version + "/tooling/sobjects/WorkflowOutboundMessage/" + id}}
		for _, c := range cols {
			switch c {
			case "Id":
				rec[c] = id
			case "Name":
				rec[c] = "Hubforce " + t
			case "EntityDefinitionId":
				rec[c] = t
			case "FullName":
				rec[c] = t + ".Hubforce_" + t
			case "Metadata":
				rec[c] = map[string]any{"apiVersion": strings.TrimPrefix(version, "v"), "description": nil,
					"endpointUrl": endpoint, "fields": s.cfg.OutboundFields[t], "includeSessionId": false,
					"integrationUser": s.integrationUsername(), "name": "Hubforce " + t, "protected": false,
					"useDeadLetterQueue": false}
			}
		}
		records = append(records, rec)
	}
	writeJSON(w, http.StatusOK, map[string]any{"size": len(records), "totalSize": len(records), "done": true,
		"queryLocator": nil, "entityTypeName": "WorkflowOutboundMessage", "records": records})
}

// integrationUsername is the user Outbound Messages are sent as.
func (s *Server) integrationUsername() string {
	if len(s.cfg.Usernames) > 0 {
		return s.cfg.Usernames[0]
	}
	return "integration@example.com"
}
