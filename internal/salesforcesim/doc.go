// Package salesforcesim simulates one Salesforce org for hubforce's tests and
// sandbox: the OAuth token endpoint, the REST API the bridge calls, and the
// Outbound Messages Salesforce sends. No machine here reaches Salesforce, so
// the behaviour follows Salesforce's documentation and captured messages
// (/work/shared/WIRE.md, conformance/salesforce), not what suits a client.
//
// # Implemented, and the page each behaviour follows
//
// OAuth (Salesforce Help, "OAuth 2.0 Refresh Token Flow", "OAuth 2.0 JWT
// Bearer Flow for Server-to-Server Integration", "OAuth 2.0 Client
// Credentials Flow"): POST /services/oauth2/token with grant_type
// refresh_token, urn:ietf:params:oauth:grant-type:jwt-bearer (RS256
// assertion verified against Config.JWTCertificatePEM; iss = client id, sub
// = an allowed username, aud = https://login.salesforce.com — or
// https://test.salesforce.com when Config.Sandbox, or a Config.SiteURLs
// Experience Cloud site — whatever host it is posted to, exp required and
// in the future) and client_credentials (form or HTTP Basic). The answer has
// access_token, instance_url, id ({login}/id/{org}/{user}), token_type,
// issued_at (ms), signature (base64 HMAC-SHA256 of id+issued_at keyed by the
// client secret) and scope, and no expires_in. Errors are 400
// {"error","error_description"}: invalid_grant ("expired access/refresh
// token", "invalid assertion", "audience is invalid", "user hasn't approved
// this consumer"), invalid_client_id, invalid_client. Sessions last
// Config.SessionTTL (Salesforce's session timeout); then REST answers 401
// [{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]
// with WWW-Authenticate: Token (restforce/restforce#284 capture).
//
// Setup a client may read (REST API Developer Guide, "sObject Describe";
// Tooling API Reference, "WorkflowOutboundMessage"): GET
// /sobjects/{SObject}/describe lists each field with type, createable,
// updateable, nillable, defaultedOnCreate (LastName and Name required on
// create); GET /tooling/query answers SELECT Id, Name, EntityDefinitionId
// [, Metadata] FROM WorkflowOutboundMessage [WHERE Id = '…'] with one
// message per Config.OutboundFields object (Metadata: endpointUrl, fields,
// includeSessionId false, integrationUser) — Metadata for one record at a
// time, as Salesforce requires. Versions served: v66.0 to v68.0 (Winter '27).
//
// Web server flow (Salesforce Help, "OAuth 2.0 Web Server Flow for Web App
// Integration"): GET /services/oauth2/authorize?response_type=code
// &client_id&redirect_uri[&scope][&state] shows an approval page
// (SetConsent answers for the user, ?auto=1 approves at once) and redirects
// to redirect_uri?code&state, or with error access_denied ("end-user denied
// authorization"), unsupported_response_type or invalid_scope; an unknown
// client id or a callback URL the app does not list (SetRedirectURIs;
// default any http(s) URL) is shown on the page (redirect_uri_mismatch
// "redirect_uri must match configuration"). POST /services/oauth2/token
// grant_type=authorization_code needs client_id, client_secret, the code
// (single-use, valid 15 minutes) and the same redirect_uri; it answers the
// usual fields plus refresh_token ("5Aep…") when the granted scopes include
// refresh_token or offline_access (a request without scope gets the app's
// api, refresh_token and offline_access), and the refresh grant then accepts
// it. Refusals: invalid_grant "invalid authorization code" / "expired
// authorization code", redirect_uri_mismatch, invalid_client(_id).
//
// REST ("REST API Developer Guide"): GET /services/data/ lists versions;
// under /services/data/{version}/: sobjects/{type} POST (201 {id, success,
// errors}); sobjects/{type}/{id} GET (fields=), PATCH (204), DELETE (204);
// sobjects/{type}/{field}/{value} PATCH upsert (201 created:true, 200
// created:false, 300 with the matching records' URLs, 404 NOT_FOUND for a
// field that is not an upsert key) and GET; composite/sobjects POST, PATCH,
// DELETE ?ids=, PATCH /{type}/{field} (upsert) and GET /{type}?ids=&fields= ("sObject
// Collections": at most 200 records, HTTP 200 with results in request order,
// allOrNone rolls back and marks the others ALL_OR_NONE_OPERATION_ROLLED_BACK);
// query and queryAll with nextRecordsUrl paging ("Execute a SOQL Query");
// limits ("List Organization Limits"). Every response under a version carries
// Sforce-Limit-Info: api-usage=used/limit ("Limit Info Header"); the Versions
// resource does not, as the docs say. A spent allocation answers 403
// [{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}];
// requests count in a rolling 24 h window (by Config.Now), as the daily
// allocation does.
//
// Upsert keys: Id, the custom External ID fields of Config.ExternalIDFields
// (unique: a second record with the value gets DUPLICATE_VALUE), and the
// standard idLookup fields Contact.Email and Account.Name — the SOAP API
// upsert() page says "On standard objects, this call can use the name of any
// field with the idLookup property"; the Object Reference lists Contact.Email
// as "Create, Filter, Group, idLookup, Nillable, Sort, Update"
// (sforce_api_objects_contact.htm), and the REST upsert page's own example
// upserts Lead by Email. Email matches case-insensitively and is not unique,
// so two contacts with one address make an upsert answer 300.
//
// Records: Contact and Account with the standard fields a sync maps plus
// Config.CustomFields; unknown fields fail the request with INVALID_FIELD,
// values of the wrong JSON type with JSON_PARSER_ERROR, read-only fields the
// record with INVALID_FIELD_FOR_INSERT_UPDATE. Contact needs LastName and
// Account Name (REQUIRED_FIELD_MISSING, "Required fields are missing:
// [LastName]", fields [LastName]); Email is checked (INVALID_EMAIL_ADDRESS);
// AccountId must name a live Account (INVALID_CROSS_REFERENCE_KEY); a
// malformed id is MALFORMED_ID ("Contact ID: id value of incorrect type: …");
// a deleted record ENTITY_IS_DELETED. An empty string stores null. Ids are 18
// characters with the case-safe suffix (prefix 001 Account, 003 Contact);
// 15-character and case-altered 18-character ids are accepted. CreatedDate,
// LastModifiedDate and SystemModstamp have whole seconds, as stored in
// practice: two writes within one second share both (Object Reference,
// "System Fields"). LastModifiedById is the integration user for REST
// writes and the given user for the Go API. Deleted records stay in the
// recycle bin (IsDeleted, visible to queryAll); deleting an Account deletes
// its Contacts (Salesforce Help, "Delete Accounts"). Merge deletes the
// merged record with MasterRecordId naming the record kept (Object
// Reference, "MasterRecordId"; SOAP API "merge()"). Config.CheckboxFields
// adds custom Checkbox fields (boolean in JSON).
//
// SOQL: SELECT fields FROM Contact|Account [WHERE a AND b …] [ORDER BY f
// [ASC|DESC], …] [LIMIT n] with =, !=, <, <=, >, >=, IN (…), string, number,
// boolean, null and datetime literals; text compares case-insensitively.
// Anything else is MALFORMED_QUERY, an unknown field INVALID_FIELD, an
// unknown object INVALID_TYPE.
//
// Outbound Messages ("Understanding Notifications",
// sforce_api_om_outboundmessaging_notifications.htm; Salesforce Help
// "Considerations for Outbound Messages"; the Outbound Messaging WSDL): one
// outbound message (one ActionId) per sObject type in Config.OutboundFields,
// fired by a workflow rule on create and edit — by every user, the
// integration user included, so the bridge must recognise its own echoes.
// Notifications queue locally; a background sender POSTs SOAP 1.1
// (text/xml; charset=utf-8, SOAPAction "") with at most 100 notifications of
// one type, the selected non-null fields in alphabetical order after Id,
// SessionId nil. Only HTTP 200 with <Ack>true</Ack> acknowledges; anything
// else is retried after Config.OutboundRetryDelays (doubling up to 2 h) until
// the notification is Config.OutboundMaxAge (24 h) old, then dropped. Each
// attempt carries the record's data at send time, so retries carry the
// latest values; a record deleted before delivery is sent with no data (only
// its Id, which the WSDL requires). Retries are independent of order, and
// simfault's Reorder shuffles messages and DuplicateDeliveries sends a message
// twice. api/outbound-message.wsdl describes what is sent.
//
// Faults: simfault's 5xx is 503 [{"message":"Server too busy","errorCode":
// "SERVER_UNAVAILABLE"}] (restforce/restforce#156, #568). Salesforce REST has
// no 429, so simfault's "rate limited" is Salesforce's concurrency refusal:
// 403 REQUEST_LIMIT_EXCEEDED "ConcurrentRequests (Concurrent API Requests)
// Limit exceeded." (SalesforceLabs/OrgCheck#432). ExpireSessions,
// RefuseRefresh, SpendDailyLimit and SetDailyUsage drive the Salesforce-only
// faults; /_sim/faults serves the simfault plan as JSON.
//
// # Left out
//
// Other objects and relationship queries (Account.Name in SOQL), OR and
// parentheses, LIKE, date literals such as LAST_N_DAYS, COUNT(field) and GROUP BY; describe and
// metadata; Bulk API 2.0; composite, batch and tree resources; undelete;
// merge; duplicate rules (DUPLICATES_DETECTED); validation rules
// (FIELD_CUSTOM_VALIDATION_EXCEPTION) and record locking (UNABLE_TO_LOCK_ROW);
// field-level security; PKCE, the login step before approval and
// refresh-token rotation; per-app usage and api-bursts in Sforce-Limit-Info;
// query locators' 15-minute expiry; Outbound Message session ids, client
// certificates and the 5 users notified of dropped messages; parallel outbound
// sends.
package salesforcesim
