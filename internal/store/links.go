package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/hubforce/hubforce"
)

func linkColumn(side hubforce.Side) (string, error) {
	switch side {
	case hubforce.HubSpot:
		return "hubspot_id", nil
	case hubforce.Salesforce:
		return "salesforce_id", nil
	}
	return "", fmt.Errorf("unknown side %q", side)
}

func (s *sqlStore) GetLink(ctx context.Context, object hubforce.Object, side hubforce.Side, id string) (hubforce.Link, error) {
	col, err := linkColumn(side)
	if err != nil {
		return hubforce.Link{}, fmt.Errorf("store: get link: %w", err)
	}
	l := hubforce.Link{Object: object}
	var created int64
	err = s.b.read.QueryRowContext(ctx,
		`SELECT hubspot_id, salesforce_id, created_at FROM links WHERE object = $1 AND `+col+` = $2`,
		object, id).Scan(&l.HubSpotID, &l.SalesforceID, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return hubforce.Link{}, ErrNotFound
	}
	if err != nil {
		return hubforce.Link{}, fmt.Errorf("store: get link: %w", err)
	}
	l.CreatedAt = fromNanos(created)
	return l, nil
}

// PutLink records a link, replacing any link that held either id.
func (s *sqlStore) PutLink(ctx context.Context, l hubforce.Link) error {
	if l.Object == "" || l.HubSpotID == "" || l.SalesforceID == "" {
		return fmt.Errorf("store: put link: object and both ids are required, got %+v", l)
	}
	return s.settleOnly(ctx, "put link", Settlement{Links: []hubforce.Link{l}})
}

// DeleteLink removes the link holding id on side, and what the bridge wrote
// to its records (see deleteLink).
func (s *sqlStore) DeleteLink(ctx context.Context, object hubforce.Object, side hubforce.Side, id string) error {
	if _, err := linkColumn(side); err != nil {
		return fmt.Errorf("store: delete link: %w", err)
	}
	return s.settleOnly(ctx, "delete link", Settlement{Unlinks: []LinkRef{{Object: object, Side: side, ID: id}}})
}
