package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// txn is a write transaction and its dialect's placeholder for the n-th
// parameter: SQLite looks a named parameter ($1) up by a linear search
// when it compiles and binds a statement, quadratic in a multi-row
// statement, so it gets anonymous ones (?) instead.
type txn struct {
	*sql.Tx
	placeholder func(n int) string
	arrays      bool       // see backend.arrays
	stmts       *stmtCache // nil: the driver caches prepared statements itself
	// noValueHashes: see config.noValueHashes.
	noValueHashes bool
}

// chunkSizes are the only row counts a bulk statement is sent with, so
// that a few SQL texts cover every group size: pgx prepares and caches a
// statement per text, and an unbounded set of texts would defeat the cache.
var chunkSizes = []int{256, 64, 16, 4, 1}

// bulk runs `head VALUES (…), (…) tail` for rows (all the same width) in
// as few statements as chunkSizes allow, keeping the rows' order. With
// scan, the statement has a RETURNING clause and scan reads each row
// returned.
func bulk(ctx context.Context, tx txn, head, tail string, rows [][]any, scan func(*sql.Rows) error) error {
	for len(rows) > 0 {
		n := chunkSizes[len(chunkSizes)-1]
		for _, size := range chunkSizes {
			if size <= len(rows) {
				n = size
				break
			}
		}
		if err := bulkOnce(ctx, tx, head, tail, rows[:n], scan); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

func bulkOnce(ctx context.Context, tx txn, head, tail string, rows [][]any, scan func(*sql.Rows) error) error {
	width := len(rows[0])
	var q strings.Builder
	q.WriteString(head)
	q.WriteString(" VALUES ")
	args := make([]any, 0, len(rows)*width)
	for i, row := range rows {
		if len(row) != width {
			return fmt.Errorf("bulk: row %d has %d values, want %d", i, len(row), width)
		}
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteByte('(')
		for j := range row {
			if j > 0 {
				q.WriteString(", ")
			}
			q.WriteString(tx.placeholder(len(args) + j + 1))
		}
		q.WriteByte(')')
		args = append(args, row...)
	}
	q.WriteString(" ")
	q.WriteString(tail)
	return run(ctx, tx, q.String(), args, scan)
}

// run executes text, prepared when the statement cache has it.
func run(ctx context.Context, tx txn, text string, args []any, scan func(*sql.Rows) error) error {
	exec, query := tx.ExecContext, tx.QueryContext
	if st := tx.stmts.lookup(text); st != nil {
		ts := tx.StmtContext(ctx, st)
		defer func() { _ = ts.Close() }()
		exec = func(ctx context.Context, _ string, args ...any) (sql.Result, error) {
			return ts.ExecContext(ctx, args...)
		}
		query = func(ctx context.Context, _ string, args ...any) (*sql.Rows, error) {
			return ts.QueryContext(ctx, args...)
		}
	}
	if scan == nil {
		_, err := exec(ctx, text, args...)
		return err
	}
	res, err := query(ctx, text, args...)
	if err != nil {
		return err
	}
	defer res.Close()
	for res.Next() {
		if err := scan(res); err != nil {
			return err
		}
	}
	return res.Err()
}

// bulkIn runs `head (…values…) tail` with fixed as the statement's first
// parameters ($1…) and values in the parenthesised list, in as few
// statements as chunkSizes allow. With scan, the statement returns rows.
//
// On PostgreSQL the values go as one array parameter, `= ANY($n)`, in one
// statement: a lookup of 200 records took five statements (64+64+64+4+4),
// each a round trip and an execution (issue 7).
func bulkIn(ctx context.Context, tx txn, head, tail string, fixed, values []any, scan func(*sql.Rows) error) error {
	if len(values) == 0 {
		return nil
	}
	if arr, ok := asArray(values); ok && tx.arrays && strings.HasSuffix(head, " IN") {
		q := strings.TrimSuffix(head, "IN") + "= ANY(" + tx.placeholder(len(fixed)+1) + ") " + tail
		return run(ctx, tx, q, append(append(make([]any, 0, len(fixed)+1), fixed...), arr), scan)
	}
	for len(values) > 0 {
		n := chunkSizes[len(chunkSizes)-1]
		for _, size := range chunkSizes {
			if size <= len(values) {
				n = size
				break
			}
		}
		var q strings.Builder
		q.WriteString(head)
		q.WriteString(" (")
		for i := range n {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString(tx.placeholder(len(fixed) + i + 1))
		}
		q.WriteString(") ")
		q.WriteString(tail)
		args := append(append(make([]any, 0, len(fixed)+n), fixed...), values[:n]...)
		if err := run(ctx, tx, q.String(), args, scan); err != nil {
			return err
		}
		values = values[n:]
	}
	return nil
}

// asArray turns values of one type, strings or int64s, into a typed slice
// that the PostgreSQL driver sends as an array.
func asArray(values []any) (any, bool) {
	switch values[0].(type) {
	case string:
		return typed[string](values)
	case int64:
		return typed[int64](values)
	}
	return nil, false
}

func typed[T any](values []any) ([]T, bool) {
	out := make([]T, len(values))
	for i, v := range values {
		t, ok := v.(T)
		if !ok {
			return nil, false
		}
		out[i] = t
	}
	return out, true
}
