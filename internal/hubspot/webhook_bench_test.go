package hubspot

import (
	"fmt"
	"strings"
	"testing"
)

// benchBody is what cmd/hubforce-bench sends: ten contact property changes.
func benchBody() []byte {
	var b strings.Builder
	b.WriteByte('[')
	for i := range 10 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"eventId":%d,"subscriptionId":7,"portalId":62515,"appId":1,"occurredAt":1767225600123,"subscriptionType":"contact.propertyChange","attemptNumber":0,"objectId":%d,"propertyName":"jobtitle","propertyValue":"Engineer %d","changeSource":"CRM_UI","sourceId":"userId:1"}`,
			1000+i, 5000+i, i)
	}
	b.WriteByte(']')
	return []byte(b.String())
}

func BenchmarkParseEvents(b *testing.B) {
	body := benchBody()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseEvents(body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkChanges(b *testing.B) {
	events, err := ParseEvents(benchBody())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if changes, _ := Changes(events); len(changes) != len(events) {
			b.Fatalf("%d changes", len(changes))
		}
	}
}
