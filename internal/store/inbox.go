package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/hubforce/hubforce"
)

// Receiver is the acknowledgement path of the webhooks (SPEC §3.1): a
// request's changes are committed as they came, and judged just after.
type Receiver interface {
	// Receive commits changes durably, as one inbox row, and returns once
	// they are committed; an error means nothing was committed. Duplicates
	// and stale versions are decided afterwards, when the store digests
	// the inbox (WithOnIngested reports the decisions).
	Receive(ctx context.Context, changes []hubforce.Change) error
	// InboxDepth is the number of received requests not yet digested.
	InboxDepth(ctx context.Context) (int64, error)
}

func (s *sqlStore) Receive(ctx context.Context, changes []hubforce.Change) error {
	for _, c := range changes {
		if err := validate(c); err != nil {
			return fmt.Errorf("store: receive: %w", err)
		}
	}
	if len(changes) == 0 {
		return nil
	}
	// Encoded here, on the caller's goroutine, so that the committer (one
	// goroutine on SQLite) only writes.
	if _, err := s.group.submit(ctx, changes, encodeChanges(changes)); err != nil {
		return fmt.Errorf("store: receive: %w", err)
	}
	return nil
}

func (s *sqlStore) InboxDepth(ctx context.Context) (int64, error) {
	var n int64
	if err := s.b.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM inbox`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: inbox depth: %w", err)
	}
	return n, nil
}

func appendInbox(ctx context.Context, tx txn, reqs []*request, now int64) error {
	if len(reqs) == 0 {
		return nil
	}
	rows := make([][]any, len(reqs))
	for i, r := range reqs {
		rows[i] = []any{r.inbox, now}
	}
	if err := bulk(ctx, tx, `INSERT INTO inbox (changes, received_at)`, "", rows, nil); err != nil {
		return fmt.Errorf("append to inbox: %w", err)
	}
	return nil
}

// digestChunk judges up to limit inbox rows, oldest first, and deletes
// them in the same transaction, so that a row is digested exactly once
// even if the process dies mid-way. On PostgreSQL, rows another replica is
// digesting are skipped, not waited for.
func (s *sqlStore) digestChunk(ctx context.Context, limit int) (int, error) {
	var reqs []*request
	now := nanos(s.now())
	err := s.inTx(ctx, func(sqltx *sql.Tx) error {
		tx := s.txn(sqltx)
		reqs = nil
		ids, err := s.takeInbox(ctx, tx, limit, &reqs)
		if err != nil || len(ids) == 0 {
			return err
		}
		if err := judge(ctx, tx, reqs, now); err != nil {
			return err
		}
		if err := deleteInbox(ctx, tx, ids); err != nil {
			return err
		}
		return s.beforeCommit(ctx, reqs)
	})
	if err != nil {
		return 0, fmt.Errorf("store: digest inbox: %w", err)
	}
	s.reportDecisions(reqs)
	return len(reqs), nil
}

func (s *sqlStore) takeInbox(ctx context.Context, tx txn, limit int, reqs *[]*request) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, changes, received_at FROM inbox ORDER BY id LIMIT `+tx.placeholder(1)+s.b.skipLocked, limit)
	if err != nil {
		return nil, fmt.Errorf("read inbox: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		var enc []byte
		var at int64
		if err := rows.Scan(&id, &enc, &at); err != nil {
			return nil, fmt.Errorf("read inbox: %w", err)
		}
		changes, err := decodeChanges(enc)
		if err != nil {
			return nil, fmt.Errorf("inbox row %d: %w", id, err)
		}
		ids = append(ids, id)
		*reqs = append(*reqs, &request{changes: changes, receivedAt: fromNanos(at)})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read inbox: %w", err)
	}
	return ids, nil
}

// deleteInbox deletes rows by id, in statements of chunkSizes ids so that
// a few SQL texts cover every chunk.
func deleteInbox(ctx context.Context, tx txn, ids []int64) error {
	for len(ids) > 0 {
		n := chunkSizes[len(chunkSizes)-1]
		for _, size := range chunkSizes {
			if size <= len(ids) {
				n = size
				break
			}
		}
		var q strings.Builder
		q.WriteString(`DELETE FROM inbox WHERE id IN (`)
		args := make([]any, n)
		for i, id := range ids[:n] {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString(tx.placeholder(i + 1))
			args[i] = id
		}
		q.WriteByte(')')
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return fmt.Errorf("delete digested inbox rows: %w", err)
		}
		ids = ids[n:]
	}
	return nil
}
