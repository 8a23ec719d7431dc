package hubspot

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The webhook body is decoded by hand rather than with encoding/json: the
// reflection-based decoder was a third of the server's CPU at saturation
// (issue #3), and the body is a flat array of flat objects with a fixed set
// of fields. The decoder fills wireEvent exactly as json.Unmarshal did
// (webhook_reference_test.go keeps that decoder and a fuzz target compares
// the two), so event() and validate() are unchanged. Its rules, mirroring
// encoding/json:
//   - number fields take a number literal, a string holding a valid JSON
//     number, or null (absent); the literal text is kept, never a float;
//   - string fields take a string or null (left as it was);
//   - propertyValue and sourceId also take numbers and booleans as their
//     text, and null as "" (flexString);
//   - keys match exactly, else case-insensitively; the last duplicate wins;
//   - unknown fields are skipped, but must still be valid JSON.

// errEOF is encoding/json's wording, which callers and tests know.
var errEOF = errors.New("unexpected end of JSON input")

// errSkipped marks an element set aside as a BadEvent.
var errSkipped = errors.New("element set aside")

// maxDepth is encoding/json's nesting limit.
const maxDepth = 10000

// scanner walks the body once. Field values are substrings of str (one
// copy of the body), so a string field costs no allocation unless it holds
// escapes or invalid UTF-8.
type scanner struct {
	data []byte
	str  string
	pos  int
}

func (s *scanner) skipSpace() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\r', '\n':
			s.pos++
		default:
			return
		}
	}
}

// peek skips whitespace and returns the next byte.
func (s *scanner) peek() (byte, error) {
	s.skipSpace()
	if s.pos >= len(s.data) {
		return 0, errEOF
	}
	return s.data[s.pos], nil
}

func invalidChar(c byte, where string) error {
	return fmt.Errorf("invalid character %s %s", strconv.QuoteRune(rune(c)), where)
}

// decodeEvents decodes the array, converting and validating each element as
// soon as it is complete (a plain call, not a callback, keeps the wireEvent
// on the stack). With bad nil, one bad element fails the whole body and more
// than MaxEvents elements stop the scan; otherwise an element that is valid
// JSON but not a readable event goes to bad with its bytes, and the scan
// stops past maxWebhookEvents elements.
func decodeEvents(body []byte, events *[]Event, bad *[]BadEvent) error {
	s := scanner{data: body, str: string(body)}
	c, err := s.peek()
	if err != nil {
		return err
	}
	if c != '[' {
		return fmt.Errorf("cannot unmarshal %s into a list of events", kindName(c))
	}
	s.pos++
	if c, err = s.peek(); err != nil {
		return err
	}
	if c == ']' {
		s.pos++
	} else {
		for i := 0; ; i++ {
			if bad == nil && i == MaxEvents {
				return fmt.Errorf("at least %d events, HubSpot sends at most %d", i+1, MaxEvents)
			}
			if i == maxWebhookEvents {
				return fmt.Errorf("at least %d events, HubSpot sends at most %d", i+1, MaxEvents)
			}
			s.skipSpace()
			start := s.pos
			var w wireEvent
			err := s.event(&w)
			if err != nil && bad != nil {
				// A type mismatch inside a well-formed element spoils that
				// element only; a syntax error spoils the array.
				s.pos = start
				if s.skip(0) == nil {
					*bad = append(*bad, BadEvent{Index: i, Raw: bytes.Clone(body[start:s.pos]), Err: err})
					err = errSkipped
				}
			}
			if err == errSkipped {
				err = nil
			} else if err != nil {
				return err
			} else {
				e, err := w.event()
				if err == nil {
					err = e.validate()
				}
				switch {
				case err != nil && bad != nil:
					*bad = append(*bad, BadEvent{Index: i, Raw: bytes.Clone(body[start:s.pos]), Err: err})
				case err != nil:
					return fmt.Errorf("event %d: %w", i, err)
				default:
					*events = append(*events, e)
				}
			}
			if c, err = s.peek(); err != nil {
				return err
			}
			s.pos++
			if c == ']' {
				break
			}
			if c != ',' {
				return invalidChar(c, "after array element")
			}
		}
	}
	s.skipSpace()
	if s.pos < len(s.data) {
		return invalidChar(s.data[s.pos], "after top-level value")
	}
	return nil
}

// event decodes one array element; null leaves w empty, as encoding/json
// does (validation then reports the missing fields).
func (s *scanner) event(w *wireEvent) error {
	c, err := s.peek()
	if err != nil {
		return err
	}
	switch c {
	case 'n':
		return s.literal("null")
	case '{':
	default:
		if err := s.checkValueStart(c); err != nil {
			return err
		}
		return fmt.Errorf("cannot unmarshal %s into an event, want a JSON object", kindName(c))
	}
	s.pos++
	if c, err = s.peek(); err != nil {
		return err
	}
	if c == '}' {
		s.pos++
		return nil
	}
	for {
		if c != '"' {
			return invalidChar(c, "looking for beginning of object key string")
		}
		key, err := s.string()
		if err != nil {
			return err
		}
		if c, err = s.peek(); err != nil {
			return err
		}
		if c != ':' {
			return invalidChar(c, "after object key")
		}
		s.pos++
		if err := s.field(w, key); err != nil {
			return err
		}
		if c, err = s.peek(); err != nil {
			return err
		}
		s.pos++
		if c == '}' {
			return nil
		}
		if c != ',' {
			return invalidChar(c, "after object key:value pair")
		}
		if c, err = s.peek(); err != nil {
			return err
		}
	}
}

// wireKeys are the field names, for the case-insensitive fallback.
var wireKeys = []string{
	"eventId", "subscriptionId", "portalId", "appId", "occurredAt", "subscriptionType", "eventType",
	"attemptNumber", "objectId", "objectTypeId", "propertyName", "propertyValue", "changeSource",
	"sourceId", "changeFlag", "isSensitive", "primaryObjectId", "mergedObjectIds", "newObjectId",
	"numberOfPropertiesMoved", "associationType", "fromObjectId", "toObjectId", "fromObjectTypeId",
	"toObjectTypeId", "associationTypeId", "associationCategory", "associationRemoved",
	"isPrimaryAssociation",
}

func (s *scanner) field(w *wireEvent, key string) error {
	switch key {
	case "eventId":
		return s.number(&w.EventID, key)
	case "subscriptionId":
		return s.number(&w.SubscriptionID, key)
	case "portalId":
		return s.number(&w.PortalID, key)
	case "appId":
		return s.number(&w.AppID, key)
	case "occurredAt":
		return s.number(&w.OccurredAt, key)
	case "subscriptionType":
		return s.text(&w.SubscriptionType, key)
	case "eventType":
		return s.text(&w.EventType, key)
	case "attemptNumber":
		return s.number(&w.AttemptNumber, key)
	case "objectId":
		return s.number(&w.ObjectID, key)
	case "objectTypeId":
		return s.text(&w.ObjectTypeID, key)
	case "propertyName":
		return s.text(&w.PropertyName, key)
	case "propertyValue":
		return s.flex(&w.PropertyValue, key)
	case "changeSource":
		return s.text(&w.ChangeSource, key)
	case "sourceId":
		return s.flex(&w.SourceID, key)
	case "changeFlag":
		return s.text(&w.ChangeFlag, key)
	case "isSensitive":
		return s.boolean(&w.IsSensitive, key)
	case "primaryObjectId":
		return s.number(&w.PrimaryObjectID, key)
	case "mergedObjectIds":
		return s.numbers(&w.MergedObjectIDs, key)
	case "newObjectId":
		return s.number(&w.NewObjectID, key)
	case "numberOfPropertiesMoved":
		return s.number(&w.NumberOfPropertiesMoved, key)
	case "associationType":
		return s.text(&w.AssociationType, key)
	case "fromObjectId":
		return s.number(&w.FromObjectID, key)
	case "toObjectId":
		return s.number(&w.ToObjectID, key)
	case "fromObjectTypeId":
		return s.text(&w.FromObjectTypeID, key)
	case "toObjectTypeId":
		return s.text(&w.ToObjectTypeID, key)
	case "associationTypeId":
		return s.number(&w.AssociationTypeID, key)
	case "associationCategory":
		return s.text(&w.AssociationCategory, key)
	case "associationRemoved":
		return s.boolean(&w.AssociationRemoved, key)
	case "isPrimaryAssociation":
		return s.boolean(&w.IsPrimaryAssociation, key)
	}
	for _, k := range wireKeys {
		if strings.EqualFold(k, key) {
			return s.field(w, k)
		}
	}
	return s.skip(3) // inside the array (1) and the event (2)
}

// scalar reads a string, number, true, false or null. For an object or an
// array it consumes nothing and returns only the kind, which every caller
// refuses.
func (s *scanner) scalar() (kind byte, text string, err error) {
	c, err := s.peek()
	if err != nil {
		return 0, "", err
	}
	switch {
	case c == '"':
		text, err = s.string()
		return '"', text, err
	case c == '-' || (c >= '0' && c <= '9'):
		text, err = s.numberLiteral()
		return '0', text, err
	case c == 't':
		return 't', "true", s.literal("true")
	case c == 'f':
		return 'f', "false", s.literal("false")
	case c == 'n':
		return 'n', "", s.literal("null")
	case c == '{' || c == '[':
		return c, "", nil
	}
	return 0, "", invalidChar(c, "looking for beginning of value")
}

func typeError(kind byte, field, want string) error {
	return fmt.Errorf("cannot unmarshal %s into %s, want %s", kindName(kind), field, want)
}

// number takes what json.Number takes.
func (s *scanner) number(dst *json.Number, field string) error {
	kind, text, err := s.scalar()
	switch {
	case err != nil:
		return err
	case kind == '0':
		*dst = json.Number(text)
	case kind == '"':
		if !validNumber(text) {
			return fmt.Errorf("%s: invalid number literal %q", field, truncate(text, 24))
		}
		*dst = json.Number(text)
	case kind != 'n':
		return typeError(kind, field, "a number")
	}
	return nil
}

func (s *scanner) text(dst *string, field string) error {
	kind, text, err := s.scalar()
	switch {
	case err != nil:
		return err
	case kind == '"':
		*dst = text
	case kind != 'n':
		return typeError(kind, field, "a string")
	}
	return nil
}

// flex takes a string, a number or a boolean as its text; null clears it.
func (s *scanner) flex(dst *string, field string) error {
	kind, text, err := s.scalar()
	switch {
	case err != nil:
		return err
	case kind == '{' || kind == '[':
		return fmt.Errorf("%s: want a string, got an object or array", field)
	}
	*dst = text
	return nil
}

func (s *scanner) boolean(dst *bool, field string) error {
	kind, _, err := s.scalar()
	switch {
	case err != nil:
		return err
	case kind == 't' || kind == 'f':
		*dst = kind == 't'
	case kind != 'n':
		return typeError(kind, field, "a boolean")
	}
	return nil
}

// numbers decodes an array of ids. Like encoding/json it decodes into the
// slice in place: a repeated key reuses the earlier elements, and a null
// element keeps what was there.
func (s *scanner) numbers(dst *[]json.Number, field string) error {
	c, err := s.peek()
	if err != nil {
		return err
	}
	if c != '[' {
		kind, _, err := s.scalar()
		switch {
		case err != nil:
			return err
		case kind == 'n':
			*dst = nil
			return nil
		}
		return typeError(kind, field, "an array of numbers")
	}
	s.pos++
	if c, err = s.peek(); err != nil {
		return err
	}
	ids := *dst
	if c == ']' {
		s.pos++
		*dst = ids[:0:0]
		if ids == nil {
			*dst = []json.Number{}
		}
		return nil
	}
	i := 0
	for ; ; i++ {
		if i < cap(ids) {
			ids = ids[:i+1]
		} else {
			ids = append(ids, "")
		}
		if err := s.number(&ids[i], field); err != nil {
			return err
		}
		if c, err = s.peek(); err != nil {
			return err
		}
		s.pos++
		if c == ']' {
			break
		}
		if c != ',' {
			return invalidChar(c, "after array element")
		}
	}
	*dst = ids[:i+1]
	return nil
}

// plainByte marks the bytes a string literal can hold as they are: printable
// ASCII other than the quote and the backslash. The table keeps the hot
// loop to one load and one branch per byte.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// string reads a string literal. Plain strings are substrings of the body;
// escapes and invalid UTF-8 go through encoding/json's unquoting.
func (s *scanner) string() (string, error) {
	start := s.pos // the opening quote
	i := s.pos + 1
	plain := true
	for {
		for i < len(s.data) && plainByte[s.data[i]] {
			i++
		}
		if i >= len(s.data) {
			s.pos = i
			return "", errEOF
		}
		switch c := s.data[i]; {
		case c == '"':
			s.pos = i + 1
			if plain {
				return s.str[start+1 : i], nil
			}
			return unquote(s.data[start:s.pos])
		case c == '\\':
			plain = false
			s.pos = i
			if err := s.escape(); err != nil {
				return "", err
			}
			i = s.pos
		case c < 0x20:
			s.pos = i
			return "", invalidChar(c, "in string literal")
		default:
			r, size := utf8.DecodeRune(s.data[i:])
			if r == utf8.RuneError && size == 1 {
				plain = false
			}
			i += size
		}
	}
}

// escape checks the escape sequence at s.pos (the backslash).
func (s *scanner) escape() error {
	s.pos++
	if s.pos >= len(s.data) {
		return errEOF
	}
	switch c := s.data[s.pos]; c {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		s.pos++
	case 'u':
		s.pos++
		for range 4 {
			if s.pos >= len(s.data) {
				return errEOF
			}
			if !isHex(s.data[s.pos]) {
				return invalidChar(s.data[s.pos], "in \\u hexadecimal character escape")
			}
			s.pos++
		}
	default:
		return invalidChar(c, "in string escape code")
	}
	return nil
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unquote(quoted []byte) (string, error) {
	var v string
	if err := json.Unmarshal(quoted, &v); err != nil {
		return "", fmt.Errorf("string literal: %w", err)
	}
	return v, nil
}

// numberLiteral reads a JSON number and returns its text.
func (s *scanner) numberLiteral() (string, error) {
	start := s.pos
	n, err := numberLen(s.data[s.pos:])
	s.pos += n
	if err != nil {
		return "", err
	}
	return s.str[start:s.pos], nil
}

// numberLen measures the JSON number at the start of b (RFC 8259 §6).
func numberLen(b []byte) (int, error) {
	i := 0
	digits := func() int {
		n := 0
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
			n++
		}
		return n
	}
	// want reports the byte where a digit was required.
	want := func(where string) error {
		if i >= len(b) {
			return errEOF
		}
		return invalidChar(b[i], where)
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case digits() == 0:
		return i, want("in numeric literal")
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			return i, want("after decimal point in numeric literal")
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return i, want("in exponent of numeric literal")
		}
	}
	return i, nil
}

// validNumber is what json.Number accepts inside a string.
func validNumber(s string) bool {
	n, err := numberLen([]byte(s))
	return err == nil && n == len(s) && n > 0
}

func (s *scanner) literal(word string) error {
	for i := range len(word) {
		if s.pos >= len(s.data) {
			return errEOF
		}
		if s.data[s.pos] != word[i] {
			return invalidChar(s.data[s.pos], "in literal "+word+" (expecting "+strconv.QuoteRune(rune(word[i]))+")")
		}
		s.pos++
	}
	return nil
}

// checkValueStart refuses a byte that begins no JSON value, so a syntax
// error reads as one rather than as a type mismatch.
func (s *scanner) checkValueStart(c byte) error {
	switch {
	case c == '"', c == '{', c == '[', c == 't', c == 'f', c == 'n', c == '-', c >= '0' && c <= '9':
		return nil
	}
	return invalidChar(c, "looking for beginning of value")
}

// skip consumes any value, checking its syntax; depth is its nesting level.
func (s *scanner) skip(depth int) error {
	c, err := s.peek()
	if err != nil {
		return err
	}
	if c != '{' && c != '[' {
		_, _, err := s.scalar()
		return err
	}
	if depth > maxDepth {
		return errors.New("exceeded max depth")
	}
	s.pos++
	closing := byte(']')
	if c == '{' {
		closing = '}'
	}
	if c, err = s.peek(); err != nil {
		return err
	}
	if c == closing {
		s.pos++
		return nil
	}
	for {
		if closing == '}' {
			if c != '"' {
				return invalidChar(c, "looking for beginning of object key string")
			}
			if _, err := s.string(); err != nil {
				return err
			}
			if c, err = s.peek(); err != nil {
				return err
			}
			if c != ':' {
				return invalidChar(c, "after object key")
			}
			s.pos++
		}
		if err := s.skip(depth + 1); err != nil {
			return err
		}
		if c, err = s.peek(); err != nil {
			return err
		}
		s.pos++
		if c == closing {
			return nil
		}
		if c != ',' {
			return invalidChar(c, "after element")
		}
		if c, err = s.peek(); err != nil {
			return err
		}
	}
}

func kindName(c byte) string {
	switch c {
	case '"':
		return "string"
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "bool"
	case 'n':
		return "null"
	}
	return "number"
}
