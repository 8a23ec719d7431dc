// Package hubspotsim simulates one HubSpot account with one installed app:
// the CRM objects API for contacts and companies, contact↔company
// associations, properties, OAuth, scopes, rate limits and signed webhooks. No machine
// here reaches the real HubSpot, so this package is the ground truth the
// bridge's tests see; it follows HubSpot's documentation and published
// samples, not what is convenient for a client.
//
// Implemented, with the page each follows:
//
//   - Versions (developers.hubspot.com/docs/developer-tooling/platform/versioning;
//     HubSpot's published specs per version): every API at its date-based
//     path for each of Config.APIVersions (default 2026-03 and 2026-09):
//     /crm/objects/{version}/{type}…, /crm/associations/{version}/…/batch/read,
//     /crm/properties/{version}/{type}, /oauth/{version}/token[/introspect|
//     /revoke], /webhooks/{version}/{appId}/settings|subscriptions; the
//     legacy /crm/v3, /crm/v4, /oauth/v1 (and /oauth/v3) paths answer the
//     same during the transition. Calls and LegacyCalls record what was
//     called, version included. Inputs HubSpot's schemas refuse (a batch
//     update, upsert or create input without properties) answer 400
//     VALIDATION_ERROR "… some of required attributes are not set
//     [properties]".
//   - Properties (properties guide): GET list and single property with
//     type, fieldType, hubspotDefined and modificationMetadata.readOnlyValue;
//     RemoveProperty; SetValidationRule for admins' validation rules,
//     enforced on every write with HubSpot's "Property values were not
//     valid" answer.
//   - Scopes: each object route needs crm.objects.{type}.read or .write;
//     Config.Scopes are what the app's tokens carry; 403 MISSING_SCOPES
//     names the scope. Webhook settings need a client-credentials token
//     with developers-read.
//   - Objects (OpenAPI CRM/Contacts and CRM/Companies v3; contacts guide
//     developers.hubspot.com/docs/api-reference/latest/crm/objects/contacts/guide):
//     GET/PATCH/DELETE /crm/v3/objects/{type}/{id} with properties,
//     idProperty (email/domain), archived and associations; list with
//     limit ≤ 100 (default 10) and after = next record id plus paging link;
//     POST create (201); DELETE → 204 also for unknown ids; POST …/merge;
//     POST /crm/v3/objects/contacts/gdpr-delete. Types contacts/0-1 and
//     companies/0-2. Records {id, properties, createdAt, updatedAt,
//     archived[, archivedAt]}, property values strings, requested unset
//     properties null, the default property sets of the documented examples,
//     createdate/hs_object_id/modification date always included. The
//     modification date (lastmodifieddate / hs_lastmodifieddate, mirrored
//     by updatedAt) is at millisecond precision and strictly increases
//     across writes; a write that changes nothing leaves it alone. Empty
//     string clears. email (contacts, lowercased) and domain (companies)
//     are unique: 409 CONFLICT "Contact already exists. Existing ID: N".
//     Unknown and read-only properties, invalid emails, non-numeric
//     numberofemployees/annualrevenue and unknown contact lifecycle stages
//     answer 400
//     VALIDATION_ERROR with HubSpot's "Property values were not valid: […]"
//     message and errors[] (using-object-apis page). A backward
//     lifecyclestage write on a contact is ignored (contacts guide: stages
//     only move forward; community reports: silently). Merged ids resolve to
//     the survivor (hs_merged_object_ids, hs_additional_emails).
//   - Batches (usage guidelines; error-handling page): read, create, update,
//     upsert, archive with ≤ 100 inputs ("The maximum number of inputs
//     supported in a batch is 100…", 400 VALIDATION_ERROR), ≤ 50 with
//     propertiesWithHistory. 207 {status, results, numErrors, errors
//     [{status, category, message, context, errors, links}], startedAt,
//     completedAt} for missing ids (read, update) and for creates whose
//     inputs all carry objectWriteTraceId; otherwise a batch create or
//     update with an invalid input or a taken unique value fails as a whole
//     (observed: one 409 for the first existing email). Duplicate ids → 400.
//     Upsert by idProperty email/domain returns `new`.
//   - Search (search-the-crm page): filterGroups (≤ 5 × 6, ≤ 18 filters)
//     ORed, operators EQ NEQ LT LTE GT GTE BETWEEN IN NOT_IN HAS_PROPERTY
//     NOT_HAS_PROPERTY CONTAINS_TOKEN NOT_CONTAINS_TOKEN, dates compared as
//     instants (epoch ms or ISO), one sort, offset `after`, limit ≤ 200,
//     10,000 results at most, archived never returned, writes visible
//     after Config.SearchLag (the documented indexing lag), 5 requests/s per
//     account answered 429 policyName SECONDLY, no rate-limit headers,
//     exempt from the ten-second window.
//   - Associations (v4 guide): PUT …/associations/default/{toType}/{id},
//     PUT …/associations/{toType}/{id} with [{associationCategory,
//     associationTypeId}] (1 = primary company, 279 unlabeled), DELETE,
//     GET list (2026-03 and v4 only), batch read in the v4 shape with
//     per-input paging and 207 NO_ASSOCIATIONS_FOUND entries; `associations`
//     on create and reads; the contact's associatedcompanyid follows the
//     primary company.
//   - Auth (oauth docs, manage-oauth-tokens, changelog "New OAuth v3 API
//     Endpoints and Standardized Error Responses"): Bearer static tokens
//     (never expire) and OAuth access tokens from POST
//     /oauth/{version}/token (refresh_token, authorization_code,
//     client_credentials; expires_in = TokenTTL, token_use; refresh token
//     not rotated); errors {error, error_description, status
//     BAD_REFRESH_TOKEN/BAD_CLIENT_ID/BAD_CLIENT_SECRET/BAD_GRANT_TYPE,
//     message, correlationId}; introspect (hub_id, app_id, scopes,
//     is_private_distribution; {active:false} otherwise) and revoke; 401
//     INVALID_AUTHENTICATION (missing/unknown) and EXPIRED_AUTHENTICATION
//     "…expired N second(s) ago." with context "expire time" (observed
//     captures). Legacy GET /oauth/v1/access-tokens/{t}.
//   - Install (oauth-quickstart-guide, working-with-oauth): GET
//     /oauth/authorize?client_id&redirect_uri&scope[&state] shows a consent
//     page (Allow/Deny; SetConsent answers for the user, ?auto=1 allows at
//     once) and redirects to redirect_uri?code&state, or error=access_denied
//     (RFC 6749 §4.1.2.1: HubSpot documents no denial redirect). An unknown
//     client id, an unregistered redirect URL (SetRedirectURIs; default any
//     http(s) URL) or scopes outside the app's are shown on the page, as
//     HubSpot does. POST /oauth/{version}/token grant_type=authorization_code
//     (client_id, client_secret, redirect_uri, code) answers like the
//     refresh grant with a new UUID-shaped refresh token that the refresh
//     grant then accepts; codes are single-use and expire after 10 minutes
//     (undocumented by HubSpot; RFC 6749's recommended maximum): invalid_grant
//     BAD_AUTH_CODE "missing or unknown auth code", BAD_REDIRECT_URI for
//     another redirect_uri. The authorize page is served on the API host
//     (HubSpot's is app.hubspot.com).
//   - Limits (usage-details page): rolling window RateLimitMax per
//     RateLimitInterval per app, daily budget per account reset at midnight
//     UTC; X-HubSpot-RateLimit-Max/-Remaining/-Interval-Milliseconds on API
//     responses, -Daily/-Daily-Remaining only for private-app tokens; 429
//     {status, message, errorType RATE_LIMIT, correlationId, policyName
//     TEN_SECONDLY_ROLLING|DAILY, requestId}. The token endpoint does not
//     count; 401s are not counted.
//   - Webhooks (webhooks guide; validating-requests page): every write emits
//     creation (changeFlag CREATED) plus one propertyChange per property
//     set, propertyChange per changed property, deletion (DELETED), restore,
//     merge (primaryObjectId, mergedObjectIds, newObjectId,
//     numberOfPropertiesMoved), associationChange pairs (contact and company
//     side, primary and unlabeled), privacyDeletion + deletion. API writes
//     carry changeSource INTEGRATION and sourceId = AppID (observed). JSON
//     arrays of ≤ 100 events, batched for WebhookLinger; v3 signature (plus
//     the v1 header) over POST + the exact URL with the documented
//     percent-decodings + raw body + X-HubSpot-Request-Timestamp, or v1/v2.
//     Non-2xx, connection errors and timeouts are retried per RetryDelays
//     with attemptNumber+1, then dropped and counted; ≤ MaxConcurrent in
//     flight; simfault DuplicateDeliveries and Reorder apply.
//
// propertiesWithHistory (GET, list, batch read) returns every value written
// through the simulator, newest first, with sourceType/sourceId from the
// write's Source.
//
// Left out: history of system-set properties (createdate, modification
// dates), custom objects and other object types, generic object.*
// subscriptions, the legacy paths' retirement (they never stop answering),
// webhook payload `REDACTED` sensitive values, per-event (rather than
// per-batch) retry randomisation, the account time zone for the daily
// reset, 423/477 answers, companies' `name or domain` create rule (the
// docs disagree), HubSpot-internal enrichment writes (use the Go API with
// Source{ChangeSource: "HUBSPOT_INTERNAL"}). Retry waits use real timers;
// Config.Now drives stamps, expiry, limits and signature timestamps.
package hubspotsim
