package store

import (
	"crypto/sha256"
	"encoding/hex"
)

// advances is the condition under which a version slot takes a new
// observation (SPEC §3.2): a newer version, or the same version with a value
// not seen at it. An equal version is not proof of staleness (Salesforce's
// SystemModstamp has one-second precision), but an equal version with the
// same value is a duplicate.
const advances = `excluded.version > record_versions.version
	OR (excluded.version = record_versions.version AND excluded.value_hash IS NOT NULL
	    AND (record_versions.value_hash IS NULL OR excluded.value_hash <> record_versions.value_hash))`

// ValueHash is what a version slot remembers of a value: 16 bytes of its
// SHA-256, so that the memory costs the same whatever the value's length.
func ValueHash(v string) string {
	sum := sha256.Sum256([]byte(v))
	return hex.EncodeToString(sum[:16])
}
