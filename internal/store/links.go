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

// PutLink replaces rather than fails on a link holding either id: after a
// merge or a re-creation the newest pairing is the true one.
func (s *sqlStore) PutLink(ctx context.Context, l hubforce.Link) error {
	if l.Object == "" || l.HubSpotID == "" || l.SalesforceID == "" {
		return fmt.Errorf("store: put link: object and both ids are required, got %+v", l)
	}
	created := l.CreatedAt
	if created.IsZero() {
		created = s.now()
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx,
			`DELETE FROM links WHERE object = $1 AND (hubspot_id = $2 OR salesforce_id = $3)`,
			l.Object, l.HubSpotID, l.SalesforceID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx,
			`INSERT INTO links (object, hubspot_id, salesforce_id, created_at) VALUES ($1, $2, $3, $4)`,
			l.Object, l.HubSpotID, l.SalesforceID, nanos(created))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: put link: %w", err)
	}
	return nil
}

// DeleteLink also forgets what the bridge wrote to the link's records (or
// to id alone, unlinked): an echo can no longer be told from a write to a
// record that was deleted or merged away, and a re-created record starts
// afresh.
func (s *sqlStore) DeleteLink(ctx context.Context, object hubforce.Object, side hubforce.Side, id string) error {
	col, err := linkColumn(side)
	if err != nil {
		return fmt.Errorf("store: delete link: %w", err)
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		records := map[hubforce.Side]string{side: id}
		var hs, sf string
		err := tx.QueryRowContext(ctx,
			`DELETE FROM links WHERE object = $1 AND `+col+` = $2 RETURNING hubspot_id, salesforce_id`,
			object, id).Scan(&hs, &sf)
		switch {
		case err == nil:
			records[hubforce.HubSpot], records[hubforce.Salesforce] = hs, sf
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		for _, sd := range []hubforce.Side{hubforce.HubSpot, hubforce.Salesforce} {
			rid, ok := records[sd]
			if !ok {
				continue
			}
			if _, err := tx.ExecContext(ctx,
				`DELETE FROM written WHERE side = $1 AND object = $2 AND record_id = $3`, sd, object, rid); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: delete link: %w", err)
	}
	return nil
}
