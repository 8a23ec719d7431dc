package store

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/hubforce/hubforce"
)

// filled sets every field of a Change to a value that differs from its
// zero value, by reflection, so that a field added to hubforce.Change and
// forgotten by the codec fails the round trip below.
func filled(t *testing.T, seed int) hubforce.Change {
	t.Helper()
	var c hubforce.Change
	v := reflect.ValueOf(&c).Elem()
	for i := range v.NumField() {
		f, name := v.Field(i), v.Type().Field(i).Name
		switch {
		case f.Type() == reflect.TypeFor[time.Time]():
			f.Set(reflect.ValueOf(time.Date(2026, 2, 1, 12, 0, seed, 123456789, time.UTC)))
		case f.Kind() == reflect.String:
			f.SetString(name + "-" + string(rune('a'+seed)) + "-é\x00")
		case f.Kind() == reflect.Bool:
			f.SetBool(true)
		case f.Kind() == reflect.Int:
			f.SetInt(int64(-3 - seed))
		case f.Type() == reflect.TypeFor[map[string]string]():
			f.Set(reflect.ValueOf(map[string]string{"email": "a@example.com", "": "", "phone": "1"}))
		case f.Type() == reflect.TypeFor[[]string]():
			f.Set(reflect.ValueOf([]string{"m1", "", "m3"}))
		default:
			t.Fatalf("hubforce.Change.%s has type %s, which the inbox codec does not know: add it to codec.go", name, f.Type())
		}
	}
	return c
}

func TestCodecRoundTripsEveryField(t *testing.T) {
	in := []hubforce.Change{filled(t, 0), {}, filled(t, 1),
		{Side: hubforce.HubSpot, Fields: map[string]string{}, MergedIDs: []string{}, AssociationPrimary: true}}
	out, err := decodeChanges(encodeChanges(in))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Fatalf("round trip:\n got %#v\nwant %#v", out, in)
	}
	if out, err := decodeChanges(encodeChanges(nil)); err != nil || len(out) != 0 {
		t.Fatalf("empty: %v %v", out, err)
	}
}

func TestCodecRefusesCorruptInput(t *testing.T) {
	good := encodeChanges([]hubforce.Change{filled(t, 0), filled(t, 1)})
	for n := range len(good) {
		if _, err := decodeChanges(good[:n]); !errors.Is(err, errCorrupt) {
			t.Fatalf("truncated to %d bytes: %v, want errCorrupt", n, err)
		}
	}
	if _, err := decodeChanges(append(good, 0)); !errors.Is(err, errCorrupt) {
		t.Fatalf("trailing byte: %v", err)
	}
	if _, err := decodeChanges([]byte{codecV1, 0xff, 0xff, 0xff, 0xff, 0x0f}); !errors.Is(err, errCorrupt) {
		t.Fatalf("huge count: %v", err)
	}
}

func FuzzDecodeChanges(f *testing.F) {
	f.Add(encodeChanges([]hubforce.Change{{Side: hubforce.HubSpot, RecordID: "1", Fields: map[string]string{"a": "b"}}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		out, err := decodeChanges(b)
		if err != nil {
			return
		}
		again, err := decodeChanges(encodeChanges(out))
		if err != nil || !reflect.DeepEqual(out, again) {
			t.Fatalf("re-encoding a decoded value: %v", err)
		}
	})
}

func BenchmarkEncodeChanges(b *testing.B) {
	batch := make([]hubforce.Change, 10)
	for i := range batch {
		batch[i] = hubforce.Change{Side: hubforce.HubSpot, Object: hubforce.Contact, RecordID: "1234", Kind: hubforce.KindUpdate,
			DeliveryID: "62515/7/123456", Version: time.Now(), Fields: map[string]string{"jobtitle": "Engineer"},
			ChangeSource: "CRM_UI", SourceID: "userId:1"}
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = encodeChanges(batch)
	}
}
