// Package generator makes the changes people make in a CRM: new contacts and
// companies, edits to titles, phone numbers and addresses, on both sides. The
// sandbox points it at the two simulators so the bridge has something to do.
//
// It speaks each CRM's own field names (HubSpot properties, Salesforce fields)
// because it stands in for a person typing into that CRM's UI, not for the
// bridge's mapping.
package generator

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/brianvoe/gofakeit/v7"

	"github.com/hubforce/hubforce"
)

// Side is one CRM as a user sees it. Fields use that CRM's own names.
type Side interface {
	Create(obj hubforce.Object, fields map[string]string) (id string, err error)
	Update(obj hubforce.Object, id string, fields map[string]string) error
	IDs(obj hubforce.Object) []string
}

// Generator makes one change per Step on a side picked at random.
type Generator struct {
	sides map[hubforce.Side]Side
	mu    sync.Mutex // guards fake, which is not safe for concurrent use
	fake  *gofakeit.Faker
}

// New returns a generator over both sides; seed makes runs repeatable.
func New(hubspot, salesforce Side, seed uint64) *Generator {
	return &Generator{
		sides: map[hubforce.Side]Side{hubforce.HubSpot: hubspot, hubforce.Salesforce: salesforce},
		fake:  gofakeit.New(seed),
	}
}

// Change describes what a Step did, for the sandbox log.
type Change struct {
	Side   hubforce.Side
	Object hubforce.Object
	ID     string
	Create bool
	Fields map[string]string
}

func (c Change) String() string {
	verb := "updated"
	if c.Create {
		verb = "created"
	}
	keys := make([]string, 0, len(c.Fields))
	for k := range c.Fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return fmt.Sprintf("%s %s %s %s (%s)", c.Side, verb, c.Object, c.ID, strings.Join(keys, ", "))
}

// Step makes one change: about a quarter creations (contacts three times as
// often as companies), the rest edits of existing records.
func (g *Generator) Step() (Change, error) {
	g.mu.Lock()
	side := hubforce.HubSpot
	if g.fake.Bool() {
		side = hubforce.Salesforce
	}
	obj := hubforce.Contact
	if g.fake.Number(0, 3) == 0 {
		obj = hubforce.Company
	}
	create := g.fake.Number(0, 3) == 0
	g.mu.Unlock()

	s := g.sides[side]
	ids := s.IDs(obj)
	if create || len(ids) == 0 {
		fields := g.newRecord(side, obj)
		id, err := s.Create(obj, fields)
		if err != nil {
			return Change{}, fmt.Errorf("creating %s on %s: %w", obj, side, err)
		}
		return Change{Side: side, Object: obj, ID: id, Create: true, Fields: fields}, nil
	}
	g.mu.Lock()
	id := ids[g.fake.Number(0, len(ids)-1)]
	g.mu.Unlock()
	fields := g.edit(side, obj)
	if err := s.Update(obj, id, fields); err != nil {
		return Change{}, fmt.Errorf("updating %s %s on %s: %w", obj, id, side, err)
	}
	return Change{Side: side, Object: obj, ID: id, Fields: fields}, nil
}

// Run makes changes at rate per second until ctx ends; failures go to report
// and do not stop the run (a simulator fault is part of the show).
func (g *Generator) Run(ctx context.Context, rate float64, report func(Change, error)) {
	if rate <= 0 {
		return
	}
	t := time.NewTicker(time.Duration(float64(time.Second) / rate))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			report(g.Step())
		}
	}
}

func (g *Generator) newRecord(side hubforce.Side, obj hubforce.Object) map[string]string {
	g.mu.Lock()
	defer g.mu.Unlock()
	f := g.fake
	if obj == hubforce.Contact {
		first, last := f.FirstName(), f.LastName()
		email := strings.ToLower(fmt.Sprintf("%s.%s.%d@%s", first, last, f.Number(1, 99999), f.DomainName()))
		return contactFields(side, map[string]string{
			"firstname": first, "lastname": last, "email": email, "phone": f.Phone(),
			"jobtitle": f.JobTitle(), "city": f.City(), "state": f.State(), "zip": f.Zip(), "country": "United States",
		})
	}
	name := f.Company()
	return companyFields(side, map[string]string{
		"name": name, "domain": f.DomainName(), "phone": f.Phone(), "industry": industries[f.Number(0, len(industries)-1)],
		"city": f.City(), "state": f.State(), "country": "United States",
		"numberofemployees": strconv.Itoa(f.Number(2, 5000)),
	})
}

func (g *Generator) edit(side hubforce.Side, obj hubforce.Object) map[string]string {
	g.mu.Lock()
	defer g.mu.Unlock()
	f := g.fake
	if obj == hubforce.Contact {
		options := []map[string]string{
			{"jobtitle": f.JobTitle()},
			{"phone": f.Phone()},
			{"city": f.City(), "state": f.State(), "zip": f.Zip()},
			{"mobilephone": f.Phone()},
		}
		return contactFields(side, options[f.Number(0, len(options)-1)])
	}
	options := []map[string]string{
		{"industry": industries[f.Number(0, len(industries)-1)]},
		{"numberofemployees": strconv.Itoa(f.Number(2, 5000))},
		{"phone": f.Phone()},
		{"description": f.Sentence(8)},
	}
	return companyFields(side, options[f.Number(0, len(options)-1)])
}

// Salesforce's standard Industry picklist values that HubSpot's industry
// property also accepts after the usual value mapping (upper-snake there).
var industries = []string{"Technology", "Finance", "Healthcare", "Manufacturing", "Retail", "Education", "Consulting"}

var salesforceContact = map[string]string{
	"firstname": "FirstName", "lastname": "LastName", "email": "Email", "phone": "Phone",
	"mobilephone": "MobilePhone", "jobtitle": "Title", "city": "MailingCity", "state": "MailingState",
	"zip": "MailingPostalCode", "country": "MailingCountry",
}

var salesforceAccount = map[string]string{
	"name": "Name", "domain": "Website", "phone": "Phone", "industry": "Industry", "city": "BillingCity",
	"state": "BillingState", "country": "BillingCountry", "numberofemployees": "NumberOfEmployees",
	"description": "Description",
}

// contactFields renames HubSpot-named values to side's names.
func contactFields(side hubforce.Side, v map[string]string) map[string]string {
	return rename(side, v, salesforceContact)
}

func companyFields(side hubforce.Side, v map[string]string) map[string]string {
	if side == hubforce.HubSpot {
		if ind, ok := v["industry"]; ok {
			v["industry"] = strings.ToUpper(ind)
		}
	}
	return rename(side, v, salesforceAccount)
}

func rename(side hubforce.Side, v, names map[string]string) map[string]string {
	if side == hubforce.HubSpot {
		return v
	}
	out := make(map[string]string, len(v))
	for k, val := range v {
		out[names[k]] = val
	}
	return out
}
