package salesforce

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
)

// What the bridge asks Salesforce about its own setup (hubforce doctor):
// what the token may do, how an object's fields are described, and where
// the org's Outbound Messages go.

// GrantedScopes are the scopes of the access token, from the token
// response's scope (help.salesforce.com "OAuth Tokens and Scopes"): api
// (or full) lets the REST API be called.
func (c *Client) GrantedScopes(ctx context.Context) ([]string, error) { return c.auth.scopes(ctx) }

// FieldInfo is one field of an sObject describe (REST API Developer Guide,
// "sObject Describe": GET /services/data/vXX.X/sobjects/{sObject}/describe;
// Field in the SOAP API's DescribeSObjectResult).
type FieldInfo struct {
	Name              string `json:"name"`
	Type              string `json:"type"`
	Createable        bool   `json:"createable"`
	Updateable        bool   `json:"updateable"`
	Nillable          bool   `json:"nillable"`
	DefaultedOnCreate bool   `json:"defaultedOnCreate"`
	Calculated        bool   `json:"calculated"`
}

// Required reports whether a create must give the field a value:
// createable, not nillable and not defaulted by Salesforce (Object
// Reference, "Field Properties": Create, Nillable, Defaulted on create).
func (f FieldInfo) Required() bool { return f.Createable && !f.Nillable && !f.DefaultedOnCreate }

// Describe returns sObject's fields by API name.
func (c *Client) Describe(ctx context.Context, sobject string) (map[string]FieldInfo, error) {
	var resp struct {
		Fields []FieldInfo `json:"fields"`
	}
	cl := call{method: http.MethodGet, route: "GET /sobjects/{sobject}/describe",
		path: c.base + "/sobjects/" + url.PathEscape(sobject) + "/describe"}
	if err := c.do(ctx, cl, &resp); err != nil {
		return nil, err
	}
	out := make(map[string]FieldInfo, len(resp.Fields))
	for _, f := range resp.Fields {
		out[f.Name] = f
	}
	return out, nil
}

// OutboundMessage is one Outbound Message action defined in the org.
type OutboundMessage struct {
	ID, Name string
	// Object is the sObject it is defined on (EntityDefinitionId: the API
	// name for standard objects).
	Object           string
	EndpointURL      string
	Fields           []string
	IncludeSessionID bool
	// IntegrationUser is the username the message is sent as.
	IntegrationUser string
}

var toolingID = regexp.MustCompile(`^[a-zA-Z0-9]{15,18}$`)

// OutboundMessages lists the org's Outbound Messages with the Tooling API
// (Tooling API Reference, "WorkflowOutboundMessage": Id, Name and
// EntityDefinitionId filter and sort; Metadata — endpointUrl, fields,
// includeSessionId, integrationUser — may only be queried one record at a
// time). The integration user needs View Setup and Configuration.
func (c *Client) OutboundMessages(ctx context.Context) ([]OutboundMessage, error) {
	var list struct {
		Records []struct {
			ID                 string `json:"Id"`
			Name               string `json:"Name"`
			EntityDefinitionID string `json:"EntityDefinitionId"`
		} `json:"records"`
	}
	if err := c.tooling(ctx, "SELECT Id, Name, EntityDefinitionId FROM WorkflowOutboundMessage", &list); err != nil {
		return nil, err
	}
	var out []OutboundMessage
	for _, r := range list.Records {
		if !toolingID.MatchString(r.ID) {
			return nil, unexpected("tooling query returned the id " + r.ID)
		}
		var one struct {
			Records []struct {
				Metadata struct {
					EndpointURL      string   `json:"endpointUrl"`
					Fields           []string `json:"fields"`
					IncludeSessionID bool     `json:"includeSessionId"`
					IntegrationUser  string   `json:"integrationUser"`
				} `json:"Metadata"`
			} `json:"records"`
		}
		if err := c.tooling(ctx, "SELECT Id, Metadata FROM WorkflowOutboundMessage WHERE Id = '"+r.ID+"'", &one); err != nil {
			return nil, err
		}
		m := OutboundMessage{ID: r.ID, Name: r.Name, Object: r.EntityDefinitionID}
		if len(one.Records) == 1 {
			md := one.Records[0].Metadata
			m.EndpointURL, m.Fields, m.IncludeSessionID, m.IntegrationUser = md.EndpointURL, md.Fields, md.IncludeSessionID, md.IntegrationUser
		}
		out = append(out, m)
	}
	return out, nil
}

func (c *Client) tooling(ctx context.Context, soql string, out any) error {
	var raw json.RawMessage
	cl := call{method: http.MethodGet, route: "GET /tooling/query", path: c.base + "/tooling/query?q=" + url.QueryEscape(soql)}
	if err := c.do(ctx, cl, &raw); err != nil {
		return err
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return unexpected("tooling query answer: " + err.Error())
	}
	return nil
}
