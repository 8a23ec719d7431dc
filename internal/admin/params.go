package admin

import (
	"fmt"
	"regexp"
	"strconv"

	"github.com/hubforce/hubforce"
)

// badInput is a client error whose message is safe to show: it never
// echoes the value it refuses.
type badInput struct{ msg string }

func (e badInput) Error() string { return e.msg }

func bad(format string, args ...any) error { return badInput{fmt.Sprintf(format, args...)} }

func parseSide(s string) (hubforce.Side, error) {
	switch hubforce.Side(s) {
	case hubforce.HubSpot, hubforce.Salesforce:
		return hubforce.Side(s), nil
	}
	return "", bad("side must be hubspot or salesforce")
}

// parseObject takes the bridge's names and each side's own spellings
// (contacts, companies, Contact, Account).
func parseObject(s string) (hubforce.Object, error) {
	if o, ok := hubforce.ObjectFromHubSpot(s); ok {
		return o, nil
	}
	if o, ok := hubforce.ObjectFromSalesforce(s); ok {
		return o, nil
	}
	return "", bad("object must be contact or company (or contacts, companies, Contact, Account)")
}

var (
	hubspotID    = regexp.MustCompile(`^[0-9]{1,20}$`)
	salesforceID = regexp.MustCompile(`^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$`)
)

// parseRecordID checks the id's form on its side: HubSpot ids are numbers,
// Salesforce ids 15 or 18 alphanumeric characters.
func parseRecordID(side hubforce.Side, id string) (string, error) {
	if side == hubforce.HubSpot && !hubspotID.MatchString(id) {
		return "", bad("a HubSpot record id is a number")
	}
	if side == hubforce.Salesforce && !salesforceID.MatchString(id) {
		return "", bad("a Salesforce record id has 15 or 18 letters and digits")
	}
	return id, nil
}

func parseID(s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, bad("a dead letter id is a positive number")
	}
	return n, nil
}

const (
	defaultPage = 50
	maxPage     = 500
)

func parseLimit(s string) (int, error) {
	if s == "" {
		return defaultPage, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > maxPage {
		return 0, bad("limit must be between 1 and %d", maxPage)
	}
	return n, nil
}

func parseAfter(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, bad("after must be a dead letter id")
	}
	return n, nil
}

var categoryRe = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

func parseCategory(s string) (string, error) {
	if s != "" && !categoryRe.MatchString(s) {
		return "", bad("category must be a category name such as validation")
	}
	return s, nil
}
