package mapping

// industryValues maps HubSpot's company "industry" options to the standard
// Salesforce Account.Industry picklist.
//
// Salesforce's standard value set (32 values): Agriculture, Apparel, Banking,
// Biotechnology, Chemicals, Communications, Construction, Consulting,
// Education, Electronics, Energy, Engineering, Entertainment, Environmental,
// Finance, Food & Beverage, Government, Healthcare, Hospitality, Insurance,
// Machinery, Manufacturing, Media, Not For Profit, Recreation, Retail,
// Shipping, Technology, Telecommunications, Transportation, Utilities, Other
// (Metadata API StandardValueSet "Industry", as retrieved from a default org:
// github.com/trailheadapps/dreamhouse-lwc
// force-app/main/default/standardValueSets/Industry.standardValueSet-meta.xml).
//
// HubSpot's options are ~150 upper-snake internal values taken from
// LinkedIn's former industry list (ACCOUNTING … WRITING_AND_EDITING; see
// https://knowledge.hubspot.com/properties/hubspot-crm-default-company-properties
// and GET /crm/v3/properties/companies/industry in a portal).
//
// The first HubSpot value listed for a Salesforce value is the one written
// to HubSpot. Left unmapped, because no Salesforce value fits without
// guessing, and therefore passed through unchanged: ALTERNATIVE_DISPUTE_RESOLUTION,
// ALTERNATIVE_MEDICINE, ARCHITECTURE_PLANNING, COMMERCIAL_REAL_ESTATE,
// REAL_ESTATE, CONSUMER_GOODS, CONSUMER_SERVICES, DESIGN, GRAPHIC_DESIGN,
// FACILITIES_SERVICES, HUMAN_RESOURCES, STAFFING_AND_RECRUITING,
// INDIVIDUAL_FAMILY_SERVICES, LAW_PRACTICE, LEGAL_SERVICES, MARKET_RESEARCH,
// RESEARCH, SECURITY_AND_INVESTIGATIONS, TRANSLATION_AND_LOCALIZATION,
// WHOLESALE, DEFENSE_SPACE, INTERNATIONAL_TRADE_AND_DEVELOPMENT; and
// Salesforce's "Other", which has no HubSpot option. A mapping file can add
// pairs for them (they replace the whole list for that field).
func industryValues() ValueMap {
	groups := []struct {
		sf string
		hs []string
	}{
		{"Agriculture", []string{"FARMING", "RANCHING", "DAIRY", "FISHERY"}},
		{"Apparel", []string{"APPAREL_FASHION", "TEXTILES", "LUXURY_GOODS_JEWELRY"}},
		{"Banking", []string{"BANKING", "INVESTMENT_BANKING"}},
		{"Biotechnology", []string{"BIOTECHNOLOGY", "NANOTECHNOLOGY"}},
		{"Chemicals", []string{"CHEMICALS", "PLASTICS"}},
		{"Communications", []string{"PUBLIC_RELATIONS_AND_COMMUNICATIONS"}},
		{"Construction", []string{"CONSTRUCTION", "BUILDING_MATERIALS", "GLASS_CERAMICS_CONCRETE"}},
		{"Consulting", []string{"MANAGEMENT_CONSULTING", "OUTSOURCING_OFFSHORING", "PROGRAM_DEVELOPMENT"}},
		{"Education", []string{"EDUCATION_MANAGEMENT", "HIGHER_EDUCATION", "PRIMARY_SECONDARY_EDUCATION",
			"E_LEARNING", "PROFESSIONAL_TRAINING_COACHING", "LIBRARIES"}},
		{"Electronics", []string{"CONSUMER_ELECTRONICS", "ELECTRICAL_ELECTRONIC_MANUFACTURING", "SEMICONDUCTORS"}},
		{"Energy", []string{"OIL_ENERGY", "RENEWABLES_ENVIRONMENT"}},
		{"Engineering", []string{"MECHANICAL_OR_INDUSTRIAL_ENGINEERING", "CIVIL_ENGINEERING"}},
		{"Entertainment", []string{"ENTERTAINMENT", "MOTION_PICTURES_AND_FILM", "MUSIC", "PERFORMING_ARTS",
			"GAMBLING_CASINOS", "COMPUTER_GAMES", "MOBILE_GAMES", "ANIMATION", "FINE_ART", "ARTS_AND_CRAFTS"}},
		{"Environmental", []string{"ENVIRONMENTAL_SERVICES"}},
		{"Finance", []string{"FINANCIAL_SERVICES", "CAPITAL_MARKETS", "INVESTMENT_MANAGEMENT",
			"VENTURE_CAPITAL_PRIVATE_EQUITY", "ACCOUNTING"}},
		{"Food & Beverage", []string{"FOOD_BEVERAGES", "FOOD_PRODUCTION", "WINE_AND_SPIRITS", "TOBACCO"}},
		{"Government", []string{"GOVERNMENT_ADMINISTRATION", "GOVERNMENT_RELATIONS", "LEGISLATIVE_OFFICE",
			"JUDICIARY", "LAW_ENFORCEMENT", "MILITARY", "PUBLIC_POLICY", "PUBLIC_SAFETY",
			"INTERNATIONAL_AFFAIRS", "EXECUTIVE_OFFICE"}},
		{"Healthcare", []string{"HOSPITAL_HEALTH_CARE", "MEDICAL_PRACTICE", "MEDICAL_DEVICES",
			"MENTAL_HEALTH_CARE", "PHARMACEUTICALS", "VETERINARY"}},
		{"Hospitality", []string{"HOSPITALITY", "RESTAURANTS", "LEISURE_TRAVEL_TOURISM", "EVENTS_SERVICES"}},
		{"Insurance", []string{"INSURANCE"}},
		{"Machinery", []string{"MACHINERY"}},
		{"Manufacturing", []string{"INDUSTRIAL_AUTOMATION", "AUTOMOTIVE", "AVIATION_AEROSPACE",
			"RAILROAD_MANUFACTURE", "SHIPBUILDING", "PAPER_FOREST_PRODUCTS", "PACKAGING_AND_CONTAINERS",
			"FURNITURE", "MINING_METALS", "BUSINESS_SUPPLIES_AND_EQUIPMENT", "COSMETICS", "SPORTING_GOODS"}},
		{"Media", []string{"MEDIA_PRODUCTION", "BROADCAST_MEDIA", "NEWSPAPERS", "PUBLISHING", "ONLINE_MEDIA",
			"PRINTING", "WRITING_AND_EDITING", "PHOTOGRAPHY", "MARKETING_AND_ADVERTISING"}},
		{"Not For Profit", []string{"NON_PROFIT_ORGANIZATION_MANAGEMENT", "PHILANTHROPY", "FUND_RAISING",
			"CIVIC_SOCIAL_ORGANIZATION", "RELIGIOUS_INSTITUTIONS", "MUSEUMS_AND_INSTITUTIONS",
			"THINK_TANKS", "POLITICAL_ORGANIZATION"}},
		{"Recreation", []string{"RECREATIONAL_FACILITIES_AND_SERVICES", "SPORTS", "HEALTH_WELLNESS_AND_FITNESS"}},
		{"Retail", []string{"RETAIL", "SUPERMARKETS"}},
		{"Shipping", []string{"PACKAGE_FREIGHT_DELIVERY", "MARITIME", "WAREHOUSING",
			"LOGISTICS_AND_SUPPLY_CHAIN", "IMPORT_AND_EXPORT"}},
		{"Technology", []string{"INFORMATION_TECHNOLOGY_AND_SERVICES", "COMPUTER_SOFTWARE", "COMPUTER_HARDWARE",
			"COMPUTER_NETWORKING", "COMPUTER_NETWORK_SECURITY", "INTERNET", "INFORMATION_SERVICES"}},
		{"Telecommunications", []string{"TELECOMMUNICATIONS", "WIRELESS"}},
		{"Transportation", []string{"TRANSPORTATION_TRUCKING_RAILROAD", "AIRLINES_AVIATION"}},
		{"Utilities", []string{"UTILITIES"}},
	}
	var pairs []ValuePair
	for _, g := range groups {
		for _, hs := range g.hs {
			pairs = append(pairs, ValuePair{HubSpot: hs, Salesforce: g.sf})
		}
	}
	return NewValueMap(pairs...)
}
