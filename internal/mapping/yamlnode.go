package mapping

import (
	"errors"
	"fmt"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// node is a YAML value with its position, reduced to what a mapping file
// uses: scalars, mappings with scalar keys, sequences and null.
type node struct {
	kind  nodeKind
	line  int
	col   int
	value string // scalar text, unquoted
	keys  []*node
	vals  []*node
	items []*node
}

type nodeKind int

const (
	nullNode nodeKind = iota
	scalarNode
	mapNode
	seqNode
)

func (k nodeKind) String() string {
	return [...]string{"nothing", "a single value", "a mapping", "a list"}[k]
}

// parseYAML parses one document. The error carries the position the
// parser reports.
func parseYAML(data []byte) (n *node, line, col int, err error) {
	defer func() {
		// The parser is third-party code fed user input: a panic in it must
		// become a message, not take the process down.
		if r := recover(); r != nil {
			n, line, col, err = nil, 0, 0, fmt.Errorf("YAML parser failed: %v", r)
		}
	}()
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		var ye yaml.Error
		if errors.As(err, &ye) && ye.GetToken() != nil {
			p := ye.GetToken().Position
			return nil, p.Line, p.Column, errors.New(ye.GetMessage())
		}
		return nil, 0, 0, err
	}
	var docs []ast.Node
	for _, d := range f.Docs {
		if d != nil && d.Body != nil {
			docs = append(docs, d.Body)
		}
	}
	if len(docs) == 0 {
		return &node{kind: nullNode}, 0, 0, nil
	}
	if len(docs) > 1 {
		line, col := pos(docs[1])
		return nil, line, col, errors.New("a mapping file holds one YAML document")
	}
	n, err = convertNode(docs[0])
	if err != nil {
		var pe *posError
		if errors.As(err, &pe) {
			return nil, pe.line, pe.col, pe.err
		}
		return nil, 0, 0, err
	}
	return n, 0, 0, nil
}

func pos(n ast.Node) (int, int) {
	if n == nil {
		return 0, 0
	}
	if tk := n.GetToken(); tk != nil && tk.Position != nil {
		return tk.Position.Line, tk.Position.Column
	}
	return 0, 0
}

func convertNode(n ast.Node) (*node, error) {
	line, col := pos(n)
	out := &node{line: line, col: col}
	switch v := n.(type) {
	case nil:
		return &node{kind: nullNode}, nil
	case *ast.NullNode, *ast.CommentGroupNode:
		out.kind = nullNode
	case *ast.AnchorNode:
		return convertNode(v.Value)
	case *ast.TagNode:
		return convertNode(v.Value)
	case *ast.MappingKeyNode:
		return convertNode(v.Value)
	case *ast.AliasNode:
		return nil, &posError{line, col, errors.New("YAML aliases are not supported in a mapping file")}
	case *ast.MappingNode:
		out.kind = mapNode
		for _, mv := range v.Values {
			if err := addEntry(out, mv); err != nil {
				return nil, err
			}
		}
		if len(out.keys) > 0 {
			// The parser positions a mapping at its first ":"; people
			// look for the first key.
			out.line, out.col = out.keys[0].line, out.keys[0].col
		}
	case *ast.MappingValueNode:
		out.kind = mapNode
		if err := addEntry(out, v); err != nil {
			return nil, err
		}
		out.line, out.col = out.keys[0].line, out.keys[0].col
	case *ast.SequenceNode:
		out.kind = seqNode
		for _, item := range v.Values {
			c, err := convertNode(item)
			if err != nil {
				return nil, err
			}
			if c.line == 0 {
				c.line, c.col = line, col
			}
			out.items = append(out.items, c)
		}
	case *ast.StringNode:
		out.kind, out.value = scalarNode, v.Value
	case *ast.LiteralNode:
		out.kind = scalarNode
		if v.Value != nil {
			out.value = v.Value.Value
		}
	case ast.ScalarNode:
		out.kind = scalarNode
		if tk := v.GetToken(); tk != nil {
			out.value = tk.Value
		}
	default:
		return nil, &posError{line, col, fmt.Errorf("unsupported YAML construct %s", n.Type())}
	}
	return out, nil
}

// posError carries a position out of convertNode's recursion.
type posError struct {
	line, col int
	err       error
}

func (e *posError) Error() string { return e.err.Error() }

func addEntry(m *node, mv *ast.MappingValueNode) error {
	if mv.Key == nil {
		return nil
	}
	if mv.Key.IsMergeKey() {
		l, c := pos(mv.Key)
		return &posError{l, c, errors.New("YAML merge keys (<<) are not supported in a mapping file")}
	}
	k, err := convertNode(mv.Key)
	if err != nil {
		return err
	}
	if k.kind != scalarNode {
		return &posError{k.line, k.col, errors.New("a key must be a single value")}
	}
	val, err := convertNode(mv.Value)
	if err != nil {
		return err
	}
	if val.kind == nullNode && val.line == 0 {
		val.line, val.col = k.line, k.col
	}
	m.keys = append(m.keys, k)
	m.vals = append(m.vals, val)
	return nil
}
