package setup

import "errors"

// SalesforceProject returns the SFDX project for p: relative path ->
// content. `sf project deploy start --source-dir force-app` installs it.
func SalesforceProject(p Params) (map[string][]byte, error) {
	if _, err := p.base(); err != nil {
		return nil, err
	}
	return nil, errors.New("salesforce project: not yet")
}
