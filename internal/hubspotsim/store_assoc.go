package hubspotsim

import (
	"sort"
	"strconv"
	"time"
)

// HubSpot-defined contact→company association types (v4 associations
// guide): 1 is the primary company, 279 the unlabeled association.
const (
	assocPrimaryContactToCompany   = 1
	assocUnlabeledContactToCompany = 279
	assocPrimaryCompanyToContact   = 2
	assocUnlabeledCompanyToContact = 280
)

type assocLink struct {
	id      int64
	primary bool
}

// associationEvents builds the pair HubSpot sends for one association
// change: contact.associationChange and company.associationChange.
func associationEvents(contactID, companyID int64, removed, primary bool, src Source, at time.Time) []Event {
	mk := func(typ, assocType string, from, to int64) Event {
		return Event{SubscriptionType: typ, AssociationType: assocType, FromObjectID: from, ToObjectID: to,
			AssociationRemoved: boolPtr(removed), IsPrimaryAssociation: boolPtr(primary),
			ChangeSource: src.ChangeSource, SourceID: src.SourceID, OccurredAt: at.UnixMilli()}
	}
	return []Event{
		mk("contact.associationChange", "CONTACT_TO_COMPANY", contactID, companyID),
		mk("company.associationChange", "COMPANY_TO_CONTACT", companyID, contactID),
	}
}

// associate links a contact to a company. With primary (or when the contact
// has no primary company yet) the company becomes the primary one; creating
// a primary association also creates the unlabeled one, so up to two pairs
// of events result (webhooks guide, associationChange). Callers hold mu.
func (s *store) associate(contact, company *record, primary bool, src Source) writeResult {
	links := s.assoc[contact.id]
	if links == nil {
		links = map[int64]bool{}
		s.assoc[contact.id] = links
	}
	res := writeResult{rec: contact}
	var at time.Time
	stamp := func() time.Time {
		if at.IsZero() {
			at = s.stamp()
		}
		return at
	}
	isPrimary, had := links[company.id]
	if !had {
		links[company.id] = false
		res.events = append(res.events, associationEvents(contact.id, company.id, false, false, src, stamp())...)
	}
	current := s.primaryOf(contact.id)
	if (primary || current == 0) && !isPrimary {
		if current != 0 {
			links[current] = false
			res.events = append(res.events, associationEvents(contact.id, current, true, true, src, stamp())...)
		}
		links[company.id] = true
		res.events = append(res.events, associationEvents(contact.id, company.id, false, true, src, stamp())...)
		res.events = append(res.events, s.setPrimaryProp(contact, strconv.FormatInt(company.id, 10), src, stamp()))
	}
	return res
}

// dissociate removes every association between the two records.
func (s *store) dissociate(contact, company *record, src Source) writeResult {
	res := writeResult{rec: contact}
	links := s.assoc[contact.id]
	wasPrimary, had := links[company.id]
	if !had {
		return res
	}
	at := s.stamp()
	delete(links, company.id)
	if wasPrimary {
		res.events = append(res.events, associationEvents(contact.id, company.id, true, true, src, at)...)
		res.events = append(res.events, s.setPrimaryProp(contact, "", src, at))
	}
	res.events = append(res.events, associationEvents(contact.id, company.id, true, false, src, at)...)
	return res
}

func (s *store) setPrimaryProp(contact *record, v string, src Source, at time.Time) Event {
	o := s.objs["contacts"]
	s.setProp(o, contact, "associatedcompanyid", v)
	contact.addHistory("associatedcompanyid", v, src, at)
	s.touch(o, contact, at)
	return o.propertyEvent(contact.id, "associatedcompanyid", v, src, at)
}

func (s *store) primaryOf(contactID int64) int64 {
	for id, p := range s.assoc[contactID] {
		if p {
			return id
		}
	}
	return 0
}

// companiesOf lists a contact's companies in id order.
func (s *store) companiesOf(contactID int64) []assocLink {
	var out []assocLink
	for id, p := range s.assoc[contactID] {
		out = append(out, assocLink{id: id, primary: p})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// contactsOf lists the contacts associated with a company in id order.
func (s *store) contactsOf(companyID int64) []assocLink {
	var out []assocLink
	for cid, links := range s.assoc {
		if p, ok := links[companyID]; ok {
			out = append(out, assocLink{id: cid, primary: p})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// moveAssociations carries a merged record's associations to the survivor.
func (s *store) moveAssociations(typ string, loser, winner int64) {
	if typ == "contacts" {
		from := s.assoc[loser]
		delete(s.assoc, loser)
		if len(from) == 0 {
			return
		}
		to := s.assoc[winner]
		if to == nil {
			to = map[int64]bool{}
			s.assoc[winner] = to
		}
		hasPrimary := s.primaryOf(winner) != 0
		for co, p := range from {
			if _, ok := to[co]; !ok {
				to[co] = p && !hasPrimary
			}
		}
		return
	}
	contacts := s.objs["contacts"]
	for cid, links := range s.assoc {
		p, ok := links[loser]
		if !ok {
			continue
		}
		delete(links, loser)
		if _, dup := links[winner]; !dup {
			links[winner] = p
		}
		if p && links[winner] {
			if r := contacts.recs[cid]; r != nil {
				s.setProp(contacts, r, "associatedcompanyid", strconv.FormatInt(winner, 10))
			}
		}
	}
}

// pair resolves a live contact and a live company. Callers hold mu.
func (s *store) pair(contactID, companyID string) (*record, *record, *APIError) {
	c, err := s.objs["contacts"].find(contactID, "", false)
	if err != nil {
		return nil, nil, err
	}
	co, err := s.objs["companies"].find(companyID, "", false)
	if err != nil {
		return nil, nil, err
	}
	return c, co, nil
}
