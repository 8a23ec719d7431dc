package salesforcesim

import (
	"strings"
)

// Key prefixes of the entities the simulator knows.
const (
	prefixAccount      = "001"
	prefixContact      = "003"
	prefixNotification = "04l"
	prefixAction       = "04k"
	prefixQueryLocator = "01g"
)

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// to18 appends the case-safe suffix to a 15-character id: for each block of
// five characters, a bit per upper-case letter (lowest bit first) indexes
// "A…Z0…5". Ids of any other length are returned unchanged.
func to18(id15 string) string {
	if len(id15) != 15 {
		return id15
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
	var b strings.Builder
	b.WriteString(id15)
	for block := 0; block < 3; block++ {
		bits := 0
		for i := 0; i < 5; i++ {
			c := id15[block*5+i]
			if c >= 'A' && c <= 'Z' {
				bits |= 1 << i
			}
		}
		b.WriteByte(alphabet[bits])
	}
	return b.String()
}

// newID builds an 18-character id from a key prefix and a sequence number.
// The pod characters "gK" put upper and lower case into the id so that the
// suffix is not trivial.
func newID(prefix string, n uint64) string {
	body := make([]byte, 10)
	for i := len(body) - 1; i >= 0; i-- {
		body[i] = base62[n%62]
		n /= 62
	}
	return to18(prefix + "gK" + string(body))
}

// normaliseID returns the 18-character form of a 15- or 18-character id. An
// 18-character id is case-insensitive: its suffix restores the case of the
// first 15 characters. ok is false when the id is malformed: wrong length, a
// character outside [A-Za-z0-9], or a suffix that does not fit.
func normaliseID(id string) (string, bool) {
	if len(id) != 15 && len(id) != 18 {
		return "", false
	}
	for i := 0; i < len(id); i++ {
		if strings.IndexByte(base62, id[i]) < 0 {
			return "", false
		}
	}
	if len(id) == 15 {
		return to18(id), true
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
	body := []byte(id[:15])
	for block := 0; block < 3; block++ {
		bits := strings.IndexByte(alphabet, upper(id[15+block]))
		if bits < 0 {
			return "", false
		}
		for i := 0; i < 5; i++ {
			c := &body[block*5+i]
			isLetter := (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z')
			if bits&(1<<i) != 0 {
				if !isLetter {
					return "", false
				}
				*c = upper(*c)
			} else if isLetter {
				*c = lower(*c)
			}
		}
	}
	return to18(string(body)), true
}

func upper(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c - 'A' + 'a'
	}
	return c
}

// prefixOf returns the key prefix of sObject type t.
func prefixOf(t string) string {
	switch t {
	case "Contact":
		return prefixContact
	case "Account":
		return prefixAccount
	}
	return ""
}
