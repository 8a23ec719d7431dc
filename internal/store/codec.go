package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/hubforce/hubforce"
)

// The inbox keeps a request's changes in a compact binary form: encoding
// them is on the acknowledgement path, and JSON cost about ten times as
// much CPU there (reflection, quoting). codec_test.go fails if a field is
// added to hubforce.Change without being added here.
//
//	format byte (codecV3), uvarint count, then per change:
//	strings Side Object RecordID Kind DeliveryID ChangeSource SourceID NewID AssociatedID Origin Raw Problem
//	varint Version (Unix nanoseconds, 0 for the zero time)
//	uvarint len(Fields)+1 (0: nil), then key, value strings
//	uvarint len(MergedIDs)+1 (0: nil), then strings
//	byte flags (1: AssociationRemoved, 2: AssociationPrimary, 4: Trigger), varint Attempt
//
// A string is a uvarint length and its bytes. Formats 1 and 2, which rows
// left by an older process may still hold, lack Origin (1) and Raw and
// Problem (1, 2).
const (
	codecV1 = 1
	codecV2 = 2
	codecV3 = 3
)

func encodeChanges(changes []hubforce.Change) []byte {
	size := 1 + binary.MaxVarintLen64
	for i := range changes {
		c := &changes[i]
		size += 12*binary.MaxVarintLen32 + 3*binary.MaxVarintLen64 + 1 +
			len(c.Side) + len(c.Object) + len(c.RecordID) + len(c.Kind) + len(c.DeliveryID) +
			len(c.ChangeSource) + len(c.SourceID) + len(c.NewID) + len(c.AssociatedID) + len(c.Origin) +
			len(c.Raw) + len(c.Problem)
		for k, v := range c.Fields {
			size += 2*binary.MaxVarintLen32 + len(k) + len(v)
		}
		for _, id := range c.MergedIDs {
			size += binary.MaxVarintLen32 + len(id)
		}
	}
	b := make([]byte, 0, size)
	b = append(b, codecV3)
	b = binary.AppendUvarint(b, uint64(len(changes)))
	for i := range changes {
		c := &changes[i]
		for _, s := range []string{string(c.Side), string(c.Object), c.RecordID, string(c.Kind), c.DeliveryID,
			c.ChangeSource, c.SourceID, c.NewID, c.AssociatedID, string(c.Origin), c.Raw, c.Problem} {
			b = appendString(b, s)
		}
		b = binary.AppendVarint(b, nanos(c.Version))
		if c.Fields == nil {
			b = append(b, 0)
		} else {
			b = binary.AppendUvarint(b, uint64(len(c.Fields))+1)
			for k, v := range c.Fields {
				b = appendString(appendString(b, k), v)
			}
		}
		if c.MergedIDs == nil {
			b = append(b, 0)
		} else {
			b = binary.AppendUvarint(b, uint64(len(c.MergedIDs))+1)
			for _, id := range c.MergedIDs {
				b = appendString(b, id)
			}
		}
		var flags byte
		if c.AssociationRemoved {
			flags |= 1
		}
		if c.AssociationPrimary {
			flags |= 2
		}
		if c.Trigger {
			flags |= 4
		}
		b = append(b, flags)
		b = binary.AppendVarint(b, int64(c.Attempt))
	}
	return b
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

var errCorrupt = errors.New("corrupt encoded changes")

type decoder struct {
	b   []byte
	err error
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errCorrupt
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.err = errCorrupt
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) str() string {
	n := d.uvarint()
	if d.err != nil || n > uint64(len(d.b)) {
		d.err = errCorrupt
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

func (d *decoder) byte() byte {
	if d.err != nil || len(d.b) == 0 {
		d.err = errCorrupt
		return 0
	}
	v := d.b[0]
	d.b = d.b[1:]
	return v
}

// count reads a length that must fit in what is left (each element takes
// at least min bytes), so that corrupt input cannot make it allocate.
func (d *decoder) count(n uint64, min int) int {
	if d.err != nil || n > uint64(len(d.b)/min) {
		d.err = errCorrupt
		return 0
	}
	return int(n)
}

func decodeChanges(b []byte) ([]hubforce.Change, error) {
	d := &decoder{b: b}
	format := d.byte()
	if format < codecV1 || format > codecV3 {
		return nil, fmt.Errorf("%w: unknown format", errCorrupt)
	}
	n := d.count(d.uvarint(), 11)
	out := make([]hubforce.Change, n)
	for i := range out {
		c := &out[i]
		c.Side, c.Object, c.RecordID = hubforce.Side(d.str()), hubforce.Object(d.str()), d.str()
		c.Kind, c.DeliveryID = hubforce.ChangeKind(d.str()), d.str()
		c.ChangeSource, c.SourceID, c.NewID, c.AssociatedID = d.str(), d.str(), d.str(), d.str()
		if format >= codecV2 {
			c.Origin = hubforce.Origin(d.str())
		}
		if format >= codecV3 {
			c.Raw, c.Problem = d.str(), d.str()
		}
		c.Version = fromNanos(d.varint())
		if nf := d.uvarint(); nf > 0 {
			nf = uint64(d.count(nf-1, 2))
			c.Fields = make(map[string]string, nf)
			for range nf {
				k := d.str()
				c.Fields[k] = d.str()
			}
		}
		if nm := d.uvarint(); nm > 0 {
			c.MergedIDs = make([]string, d.count(nm-1, 1))
			for j := range c.MergedIDs {
				c.MergedIDs[j] = d.str()
			}
		}
		flags := d.byte()
		c.AssociationRemoved, c.AssociationPrimary, c.Trigger = flags&1 != 0, flags&2 != 0, flags&4 != 0
		attempt := d.varint()
		if attempt > math.MaxInt32 || attempt < math.MinInt32 {
			d.err = errCorrupt
		}
		c.Attempt = int(attempt)
		if d.err != nil {
			return nil, d.err
		}
	}
	if d.err == nil && len(d.b) != 0 {
		d.err = fmt.Errorf("%w: trailing bytes", errCorrupt)
	}
	if d.err != nil {
		return nil, d.err
	}
	return out, nil
}
