package salesforcesim

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// The SOQL subset the bridge needs: SELECT fields FROM Contact|Account
// [WHERE cond AND cond …] [ORDER BY field [ASC|DESC], …] [LIMIT n], where a
// condition is `field op literal` (op = != < <= > >=) or `field IN (…)`, and
// literals are 'strings', numbers, true/false, null and datetime literals
// (2024-01-01T00:00:00Z); SELECT COUNT() counts the rows. SOQL grammar: "SOQL SELECT Syntax",
// developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select.htm.

type soqlQuery struct {
	fields []string
	from   string
	where  []soqlCond
	order  []soqlOrder
	limit  int  // -1 when absent
	count  bool // SELECT COUNT(): fields is empty
}

type soqlCond struct {
	field  string
	op     string // = != < <= > >= IN
	values []any  // one, or several for IN; string, float64, bool, time.Time, nil
}

type soqlOrder struct {
	field string
	desc  bool
}

type token struct {
	text   string
	quoted bool // a 'string literal'
}

func tokenize(q string) ([]token, error) {
	var out []token
	for i := 0; i < len(q); {
		c := q[i]
		switch {
		case unicode.IsSpace(rune(c)):
			i++
		case c == '\'':
			var b strings.Builder
			j := i + 1
			for ; j < len(q) && q[j] != '\''; j++ {
				if q[j] == '\\' && j+1 < len(q) {
					j++
				}
				b.WriteByte(q[j])
			}
			if j >= len(q) {
				return nil, fmt.Errorf("unterminated string literal")
			}
			out = append(out, token{text: b.String(), quoted: true})
			i = j + 1
		case strings.ContainsRune("(),", rune(c)):
			out = append(out, token{text: string(c)})
			i++
		case strings.ContainsRune("=<>!", rune(c)):
			j := i + 1
			if j < len(q) && (q[j] == '=' || (c == '<' && q[j] == '>')) {
				j++
			}
			out = append(out, token{text: q[i:j]})
			i = j
		default:
			j := i
			for j < len(q) && !unicode.IsSpace(rune(q[j])) && !strings.ContainsRune("(),=<>!'", rune(q[j])) {
				j++
			}
			out = append(out, token{text: q[i:j]})
			i = j
		}
	}
	return out, nil
}

type soqlParser struct {
	toks []token
	pos  int
}

func (p *soqlParser) peek() (token, bool) {
	if p.pos >= len(p.toks) {
		return token{}, false
	}
	return p.toks[p.pos], true
}

func (p *soqlParser) next() (token, error) {
	t, ok := p.peek()
	if !ok {
		return token{}, fmt.Errorf("unexpected end of query")
	}
	p.pos++
	return t, nil
}

func (p *soqlParser) keyword(kw string) bool {
	t, ok := p.peek()
	if ok && !t.quoted && strings.EqualFold(t.text, kw) {
		p.pos++
		return true
	}
	return false
}

func (p *soqlParser) expect(kw string) error {
	if !p.keyword(kw) {
		t, _ := p.peek()
		return fmt.Errorf("unexpected token: '%s'", t.text)
	}
	return nil
}

func parseSOQL(q string) (*soqlQuery, error) {
	toks, err := tokenize(q)
	if err != nil {
		return nil, err
	}
	p := &soqlParser{toks: toks}
	out := &soqlQuery{limit: -1}
	if err := p.expect("SELECT"); err != nil {
		return nil, err
	}
	// COUNT() alone: the number of matching rows in totalSize and no
	// records ("COUNT() and COUNT(fieldName)", sforce_api_calls_soql_select_count.htm).
	if n := p.pos; p.keyword("COUNT") {
		if p.keyword("(") && p.keyword(")") {
			out.count = true
		} else {
			p.pos = n
		}
	}
	for !out.count {
		t, err := p.next()
		if err != nil || t.quoted || t.text == "," || t.text == "(" {
			return nil, fmt.Errorf("unexpected token: '%s'", t.text)
		}
		out.fields = append(out.fields, t.text)
		if !p.keyword(",") {
			break
		}
	}
	if err := p.expect("FROM"); err != nil {
		return nil, err
	}
	t, err := p.next()
	if err != nil {
		return nil, err
	}
	out.from = t.text
	if p.keyword("WHERE") {
		for {
			c, err := p.cond()
			if err != nil {
				return nil, err
			}
			out.where = append(out.where, c)
			if !p.keyword("AND") {
				break
			}
		}
	}
	if p.keyword("ORDER") {
		if err := p.expect("BY"); err != nil {
			return nil, err
		}
		for {
			f, err := p.next()
			if err != nil {
				return nil, err
			}
			o := soqlOrder{field: f.text}
			if p.keyword("DESC") {
				o.desc = true
			} else {
				p.keyword("ASC")
			}
			out.order = append(out.order, o)
			if !p.keyword(",") {
				break
			}
		}
	}
	if p.keyword("LIMIT") {
		t, err := p.next()
		n, convErr := strconv.Atoi(t.text)
		if err != nil || convErr != nil || n < 0 {
			return nil, fmt.Errorf("unexpected token: '%s'", t.text)
		}
		out.limit = n
	}
	if t, ok := p.peek(); ok {
		return nil, fmt.Errorf("unexpected token: '%s'", t.text)
	}
	return out, nil
}

func (p *soqlParser) cond() (soqlCond, error) {
	f, err := p.next()
	if err != nil {
		return soqlCond{}, err
	}
	if f.quoted {
		return soqlCond{}, fmt.Errorf("unexpected token: '%s'", f.text)
	}
	c := soqlCond{field: f.text}
	if p.keyword("IN") {
		c.op = "IN"
		if err := p.expect("("); err != nil {
			return c, err
		}
		for {
			v, err := p.literal()
			if err != nil {
				return c, err
			}
			c.values = append(c.values, v)
			if p.keyword(")") {
				return c, nil
			}
			if err := p.expect(","); err != nil {
				return c, err
			}
		}
	}
	op, err := p.next()
	if err != nil {
		return c, err
	}
	switch op.text {
	case "=", "!=", "<>", "<", "<=", ">", ">=":
	default:
		return c, fmt.Errorf("unexpected token: '%s'", op.text)
	}
	c.op = strings.Replace(op.text, "<>", "!=", 1)
	v, err := p.literal()
	if err != nil {
		return c, err
	}
	c.values = []any{v}
	return c, nil
}

func (p *soqlParser) literal() (any, error) {
	t, err := p.next()
	if err != nil {
		return nil, err
	}
	if t.quoted {
		return t.text, nil
	}
	switch strings.ToLower(t.text) {
	case "null":
		return nil, nil
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.000-0700", "2006-01-02T15:04:05-0700"} {
		if ts, err := time.Parse(layout, t.text); err == nil {
			return ts, nil
		}
	}
	if ts, err := time.Parse(time.DateOnly, t.text); err == nil {
		return ts.Format(time.DateOnly), nil
	}
	if n, err := strconv.ParseFloat(t.text, 64); err == nil {
		return n, nil
	}
	return nil, fmt.Errorf("unexpected token: '%s'", t.text)
}
