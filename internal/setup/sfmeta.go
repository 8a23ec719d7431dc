package setup

import "encoding/xml"

// The Metadata API types the Salesforce project uses. Field order is the
// order Salesforce writes them (inherited fields first, then alphabetical).

// ExternalClientApplication, folder externalClientApps, suffix .eca:
// https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_externalclientapplication.htm
type eca struct {
	XMLName           xml.Name `xml:"ExternalClientApplication"`
	Xmlns             string   `xml:"xmlns,attr"`
	ContactEmail      string   `xml:"contactEmail"`
	Description       string   `xml:"description"`
	DistributionState string   `xml:"distributionState"`
	IsProtected       bool     `xml:"isProtected"`
	Label             string   `xml:"label"`
}

func externalClientApp(p Params) eca {
	return eca{Xmlns: MetadataNamespace, ContactEmail: p.supportEmail(),
		Description: "hubforce, the bridge that syncs HubSpot and Salesforce: its Connect button gets a refresh token for the integration user.",
		// Local: used in this org only, not packaged.
		DistributionState: "Local", Label: "hubforce"}
}

// ExtlClntAppOauthSettings, folder extlClntAppOauthSettings, suffix
// .ecaOauth: the app's OAuth scopes.
// https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_extlclntappoauthsettings.htm
type ecaOAuth struct {
	XMLName                   xml.Name `xml:"ExtlClntAppOauthSettings"`
	Xmlns                     string   `xml:"xmlns,attr"`
	CommaSeparatedOauthScopes string   `xml:"commaSeparatedOauthScopes"`
	ExternalClientApplication string   `xml:"externalClientApplication"`
	Label                     string   `xml:"label"`
}

func ecaOAuthSettings() ecaOAuth {
	// Api is "Manage user data via APIs (api)", RefreshToken "Perform
	// requests at any time (refresh_token, offline_access)": what the
	// bridge's REST calls and its long-lived refresh token need, no more.
	return ecaOAuth{Xmlns: MetadataNamespace, CommaSeparatedOauthScopes: "Api,RefreshToken",
		ExternalClientApplication: ExternalClientAppName, Label: ExternalClientAppName + "_oauth"}
}

// ExtlClntAppGlobalOauthSettings, folder extlClntAppGlobalOauthSets,
// suffix .ecaGlblOauth: the callback URL. The page says these settings
// hold the consumer key and secret and must not go into source control:
// this file carries neither (no consumerKey, no consumerSecret), so
// Salesforce generates both at deploy and the admin copies them from
// Setup into HUBFORCE_SALESFORCE_CLIENT_ID and _CLIENT_SECRET.
// https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_extlclntappglobaloauthsettings.htm
type ecaGlobal struct {
	XMLName                         xml.Name `xml:"ExtlClntAppGlobalOauthSettings"`
	Xmlns                           string   `xml:"xmlns,attr"`
	CallbackURL                     string   `xml:"callbackUrl"`
	ExternalClientApplication       string   `xml:"externalClientApplication"`
	IsConsumerSecretOptional        bool     `xml:"isConsumerSecretOptional"`
	IsIntrospectAllTokens           bool     `xml:"isIntrospectAllTokens"`
	IsPkceRequired                  bool     `xml:"isPkceRequired"`
	IsSecretRequiredForRefreshToken bool     `xml:"isSecretRequiredForRefreshToken"`
	Label                           string   `xml:"label"`
}

func ecaGlobalOAuth(base string) ecaGlobal {
	// The bridge is a confidential client: it keeps the secret and sends
	// it on the code exchange and every refresh; it does not send a PKCE
	// challenge (internal/connect).
	return ecaGlobal{Xmlns: MetadataNamespace, CallbackURL: base + "/connect/salesforce/callback",
		ExternalClientApplication: ExternalClientAppName, IsSecretRequiredForRefreshToken: true,
		Label: ExternalClientAppName + "_glbloauth"}
}

// ExtlClntAppConfigurablePolicies, folder extlClntAppPolicies, suffix
// .ecaPlcy: switches the app and its OAuth plugin on.
// https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_extlclntappconfigurablepolicies.htm
type ecaPolicy struct {
	XMLName                   xml.Name `xml:"ExtlClntAppConfigurablePolicies"`
	Xmlns                     string   `xml:"xmlns,attr"`
	ExternalClientApplication string   `xml:"externalClientApplication"`
	IsEnabled                 bool     `xml:"isEnabled"`
	IsOauthPluginEnabled      bool     `xml:"isOauthPluginEnabled"`
	Label                     string   `xml:"label"`
}

func ecaPolicies() ecaPolicy {
	return ecaPolicy{Xmlns: MetadataNamespace, ExternalClientApplication: ExternalClientAppName,
		IsEnabled: true, IsOauthPluginEnabled: true, Label: ExternalClientAppName + "_plcy"}
}

// ExtlClntAppOauthConfigurablePolicies, folder extlClntAppOauthPolicies,
// suffix .ecaOauthPlcy: the admin's OAuth policies.
// https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_extlclntappoauthconfigurablepolicies.htm
type ecaOAuthPolicy struct {
	XMLName                        xml.Name `xml:"ExtlClntAppOauthConfigurablePolicies"`
	Xmlns                          string   `xml:"xmlns,attr"`
	CommaSeparatedPermissionSet    string   `xml:"commaSeparatedPermissionSet"`
	ExternalClientApplication      string   `xml:"externalClientApplication"`
	IPRelaxationPolicyType         string   `xml:"ipRelaxationPolicyType"`
	IsClientCredentialsFlowEnabled bool     `xml:"isClientCredentialsFlowEnabled"`
	IsTokenExchangeFlowEnabled     bool     `xml:"isTokenExchangeFlowEnabled"`
	Label                          string   `xml:"label"`
	PermittedUsersPolicyType       string   `xml:"permittedUsersPolicyType"`
	RefreshTokenPolicyType         string   `xml:"refreshTokenPolicyType"`
}

func ecaOAuthPolicies() ecaOAuthPolicy {
	return ecaOAuthPolicy{Xmlns: MetadataNamespace,
		// AdminApprovedPreAuthorized (rather than AllSelfAuthorized): only
		// users holding the integration permission set may authorise the
		// app, so no other user's Connect can make the bridge act as
		// them. The page reads "Permission set IDs", but its own sample
		// names the permission set; a name is what source can hold.
		CommaSeparatedPermissionSet: PermissionSetName,
		ExternalClientApplication:   ExternalClientAppName,
		// Enforce: the org's and the user's login IP ranges apply.
		IPRelaxationPolicyType:   "Enforce",
		Label:                    ExternalClientAppName + "_oauthPlcy",
		PermittedUsersPolicyType: "AdminApprovedPreAuthorized",
		// Infinite: "refresh token is valid until revoked", so a bridge
		// left alone over a holiday still syncs; revoking is the admin's
		// lever (Setup > Connected Apps OAuth Usage).
		RefreshTokenPolicyType: "Infinite",
	}
}

// Workflow, folder workflows, suffix .workflow, one file per object; the
// outboundMessages element is the WorkflowOutboundMessage type.
// https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_workflow.htm
type workflow struct {
	XMLName          xml.Name          `xml:"Workflow"`
	Xmlns            string            `xml:"xmlns,attr"`
	OutboundMessages []outboundMessage `xml:"outboundMessages"`
}

type outboundMessage struct {
	FullName    string   `xml:"fullName"`
	APIVersion  string   `xml:"apiVersion"`
	Description string   `xml:"description"`
	EndpointURL string   `xml:"endpointUrl"`
	Fields      []string `xml:"fields"`
	// IncludeSessionID false: the bridge authenticates to Salesforce
	// itself and must never receive a user's session id.
	IncludeSessionID bool `xml:"includeSessionId"`
	// IntegrationUser is the username the message is sent as; it decides
	// which records and fields the message may carry.
	IntegrationUser    string `xml:"integrationUser"`
	Name               string `xml:"name"`
	Protected          bool   `xml:"protected"`
	UseDeadLetterQueue bool   `xml:"useDeadLetterQueue"`
}

// Flow, folder flows, suffix .flow: a record-triggered flow (processType
// AutoLaunchedFlow, start.triggerType RecordAfterSave, recordTriggerType
// CreateAndUpdate) whose one action, actionType outboundMessage, sends the
// object's outbound message; actionName is Object.OutboundMessageName.
// https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_visual_workflow.htm
// https://help.salesforce.com/s/articleView?id=platform.flow_ref_elements_actions_outboundmessage.htm
//
// No entry condition: a filter on the running user would put an org's
// username into the flow, and the bridge already drops its own echoes by
// LastModifiedById (sent in every message), which also covers changes
// other automation makes in the same transaction.
type flow struct {
	XMLName        xml.Name   `xml:"Flow"`
	Xmlns          string     `xml:"xmlns,attr"`
	ActionCalls    []flowCall `xml:"actionCalls"`
	APIVersion     string     `xml:"apiVersion"`
	Description    string     `xml:"description"`
	Environments   string     `xml:"environments"`
	InterviewLabel string     `xml:"interviewLabel"`
	Label          string     `xml:"label"`
	ProcessType    string     `xml:"processType"`
	Start          flowStart  `xml:"start"`
	Status         string     `xml:"status"`
}

// flowCall is a FlowActionCall: FlowElement's name, FlowNode's label and
// location, then its own fields.
type flowCall struct {
	Name       string `xml:"name"`
	Label      string `xml:"label"`
	LocationX  int    `xml:"locationX"`
	LocationY  int    `xml:"locationY"`
	ActionName string `xml:"actionName"`
	ActionType string `xml:"actionType"`
	// FlowTransactionModel and NameSegment are what Flow Builder writes
	// for an outbound message action (the transaction of the record
	// change; the action's name again).
	FlowTransactionModel string `xml:"flowTransactionModel"`
	NameSegment          string `xml:"nameSegment"`
}

// flowStart is a FlowStart: FlowNode's location, then its own fields.
type flowStart struct {
	LocationX         int           `xml:"locationX"`
	LocationY         int           `xml:"locationY"`
	Connector         flowConnector `xml:"connector"`
	Object            string        `xml:"object"`
	RecordTriggerType string        `xml:"recordTriggerType"`
	TriggerType       string        `xml:"triggerType"`
}

type flowConnector struct {
	TargetReference string `xml:"targetReference"`
}

func changeFlow(version, sobject, omName string) flow {
	const action = "Send_to_hubforce"
	return flow{Xmlns: MetadataNamespace,
		ActionCalls: []flowCall{{Name: action, Label: "Send to hubforce", LocationX: 176, LocationY: 323,
			ActionName: sobject + "." + omName, ActionType: "outboundMessage",
			FlowTransactionModel: "CurrentTransaction", NameSegment: sobject + "." + omName}},
		APIVersion:     version,
		Description:    "Sends the " + omName + " outbound message to hubforce when a " + sobject + " is created or updated.",
		Environments:   "Default",
		InterviewLabel: "hubforce " + sobject + " changed {!$Flow.CurrentDateTime}",
		Label:          "hubforce: " + sobject + " changed",
		ProcessType:    "AutoLaunchedFlow",
		Start: flowStart{LocationX: 50, LocationY: 0, Connector: flowConnector{TargetReference: action},
			Object: sobject, RecordTriggerType: "CreateAndUpdate", TriggerType: "RecordAfterSave"},
		Status: "Active",
	}
}

// PermissionSet, folder permissionsets, suffix .permissionset.
// https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_permissionset.htm
type permissionSet struct {
	XMLName           xml.Name           `xml:"PermissionSet"`
	Xmlns             string             `xml:"xmlns,attr"`
	Description       string             `xml:"description"`
	FieldPermissions  []fieldPermission  `xml:"fieldPermissions"`
	Label             string             `xml:"label"`
	ObjectPermissions []objectPermission `xml:"objectPermissions"`
	UserPermissions   []userPermission   `xml:"userPermissions"`
}

type fieldPermission struct {
	Editable bool   `xml:"editable"`
	Field    string `xml:"field"`
	Readable bool   `xml:"readable"`
}

type objectPermission struct {
	AllowCreate      bool   `xml:"allowCreate"`
	AllowDelete      bool   `xml:"allowDelete"`
	AllowEdit        bool   `xml:"allowEdit"`
	AllowRead        bool   `xml:"allowRead"`
	ModifyAllRecords bool   `xml:"modifyAllRecords"`
	Object           string `xml:"object"`
	ViewAllRecords   bool   `xml:"viewAllRecords"`
}

type userPermission struct {
	Enabled bool   `xml:"enabled"`
	Name    string `xml:"name"`
}
