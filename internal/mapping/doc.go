// Package mapping says which HubSpot property goes to which Salesforce field,
// which way, and how values are translated on the way.
//
// Default returns the built-in mapping of SPEC §1 (contacts ↔ Contact,
// companies ↔ Account, every field two-way). Load reads a YAML mapping file
// (HUBFORCE_MAPPING_FILE) that extends or overrides it; Check is what
// `hubforce config check` runs. The delivery engine uses ToSalesforce,
// ToHubSpot, Resolve, Mapped, MatchKey, HubSpotProperties and
// SalesforceFields.
//
// # File format
//
// A complete example is testdata/example.yaml. In short:
//
//	version: 1                  # optional; 1 is the only version
//	objects:
//	  contact:                  # contact, company, or a custom object name
//	    builtin: true           # contact/company: start from the built-in fields (default true)
//	    required: [Department]  # Salesforce fields a create must fill, added to the built-in ones
//	    match:                  # keys to find an existing record, tried in order
//	      - {hubspot: email, salesforce: Email, kind: email}   # kind: email, domain, name, exact
//	    deletions:              # what a deletion does to the counterpart (default ignore)
//	      hubspot: mark                      # deleted in HubSpot: ignore, mirror (delete it) or mark
//	      mark_salesforce: Deleted_in_HubSpot__c   # the checkbox mark sets on Salesforce
//	      salesforce: mirror                 # deleted in Salesforce (mark needs mark_hubspot)
//	    fields:
//	      - hubspot: lifecyclestage          # HubSpot internal name
//	        salesforce: Lifecycle_Stage__c   # Salesforce API name
//	        rule: hubspot-to-salesforce      # default two-way
//	        type: text                       # text, number, integer, boolean, domain
//	        values: {lead: Lead, customer: Customer}   # HubSpot value: Salesforce value
//	        default: Lead                    # Salesforce value used when HubSpot's is blank
//	  project:                  # a custom object names both sides' types
//	    hubspot: p_projects     # object type or objectTypeId (2-3508482)
//	    salesforce: Project__c
//	    fields: [...]
//
// Rules: two-way (the newest change wins), hubspot-to-salesforce,
// salesforce-to-hubspot, prefer-salesforce-unless-blank,
// prefer-hubspot-unless-blank (the preferred side always writes, clears
// included; the other side only fills a blank), none (not synced).
//
// A file entry takes the place of every built-in field that shares its
// HubSpot property or its Salesforce field, so mapping phone to MobilePhone
// also drops the built-in mobilephone ↔ MobilePhone. An entry with rule none
// may name one side only, to switch a built-in field off. "builtin: false"
// starts an object from no fields.
//
// Deletions: "deletions: mirror" (or ignore) sets both sides at once. A
// merge is not a deletion: the merged-away record's link moves to the
// survivor whatever the choice.
//
// Value maps may map several HubSpot values to one Salesforce value; the
// first pair listed for a Salesforce value is used towards HubSpot. Values
// with no pair are matched ignoring case and punctuation, else passed
// through unchanged. The built-in company industry map is documented in
// industry.go.
//
// Every problem in a file is reported at once, each as
// "file:line:column: where: message" (an *Error), for: YAML syntax, unknown
// keys, empty names, invalid HubSpot internal names (lowercase letters,
// digits, underscores) and Salesforce API names (custom ones end in __c),
// unknown rules and types, a field mapped twice in one object, a value map on
// a rule none field, a default a number field cannot take, and a required
// Salesforce field (Contact.LastName, Account.Name, any listed under
// required) with neither a mapping from HubSpot nor a default.
package mapping
