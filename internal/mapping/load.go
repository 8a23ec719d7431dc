package mapping

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
)

// Error is one problem in a mapping file, with where it is.
type Error struct {
	File   string
	Line   int // 1-based; 0 when the problem has no single place
	Column int
	Where  string // e.g. `objects.contact.fields[2] (lastname ↔ LastName).rule`
	Msg    string
}

func (e *Error) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d:%d", e.File, e.Line, e.Column)
	}
	if e.Where == "" {
		return loc + ": " + e.Msg
	}
	return loc + ": " + e.Where + ": " + e.Msg
}

// Load reads a mapping file and returns the built-in mapping extended and
// overridden by it. Every problem found is reported, each as an *Error
// naming file:line:column and the field, joined with errors.Join.
func Load(path string) (*Mapping, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading mapping file: %w", err)
	}
	return Parse(path, data)
}

// Check validates a mapping file for `hubforce config check`; an empty path
// checks the built-in mapping, which is always valid.
func Check(path string) error {
	if path == "" {
		return nil
	}
	_, err := Load(path)
	return err
}

// Parse is Load on data already read; name is used in messages.
func Parse(name string, data []byte) (*Mapping, error) {
	root, line, col, err := parseYAML(data)
	if err != nil {
		return nil, &Error{File: name, Line: line, Column: col, Msg: "invalid YAML: " + err.Error()}
	}
	l := &loader{file: name}
	m := l.decodeFile(root)
	if len(l.errs) > 0 {
		return nil, errors.Join(l.errs...)
	}
	return m, nil
}

type loader struct {
	file string
	errs []error
}

func (l *loader) errorf(n *node, where, format string, args ...any) {
	e := &Error{File: l.file, Where: where, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Column = n.line, n.col
	}
	l.errs = append(l.errs, e)
}

// entries checks that n is a mapping with only the allowed keys.
func (l *loader) entries(n *node, where string, allowed ...string) map[string]*node {
	out := map[string]*node{}
	if n.kind == nullNode {
		return out
	}
	if n.kind != mapNode {
		l.errorf(n, where, "want a mapping, found %s", n.kind)
		return out
	}
	for i, k := range n.keys {
		if !slices.Contains(allowed, k.value) {
			l.errorf(k, where, "unknown key %q; want one of %s", k.value, strings.Join(allowed, ", "))
			continue
		}
		out[k.value] = n.vals[i]
	}
	return out
}

// str reads a single value; a missing or null one is "".
func (l *loader) str(n *node, where string) string {
	if n == nil || n.kind == nullNode {
		return ""
	}
	if n.kind != scalarNode {
		l.errorf(n, where, "want a single value, found %s", n.kind)
		return ""
	}
	return strings.TrimSpace(n.value)
}

func (l *loader) decodeFile(root *node) *Mapping {
	m := Default()
	top := l.entries(root, "", "version", "objects")
	if v, ok := top["version"]; ok {
		if s := l.str(v, "version"); s != "1" {
			l.errorf(v, "version", "unsupported version %q; this hubforce reads version 1", s)
		}
	}
	objs, ok := top["objects"]
	if !ok {
		return m
	}
	if objs.kind != mapNode {
		if objs.kind != nullNode {
			l.errorf(objs, "objects", "want a mapping of object names, found %s", objs.kind)
		}
		return m
	}
	for i, k := range objs.keys {
		om := l.object(m, k, objs.vals[i])
		if om == nil {
			continue
		}
		if _, seen := m.objects[om.Object]; !seen {
			m.order = append(m.order, om.Object)
		}
		m.objects[om.Object] = om
	}
	return m
}
