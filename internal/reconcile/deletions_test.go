package reconcile

import (
	"slices"
	"testing"
	"time"

	"github.com/hubforce/hubforce"
)

func TestRecycleBinRecordsBecomeDeletionsOrMerges(t *testing.T) {
	at := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		fields map[string]string
		want   hubforce.Change
	}{
		{"deleted", map[string]string{"LastModifiedById": "005U"},
			hubforce.Change{Side: hubforce.Salesforce, Object: hubforce.Contact, RecordID: "003A", Kind: hubforce.KindDelete,
				DeliveryID: "poll/salesforce/contact/003A/deleted", Version: at, SourceID: "005U"}},
		{"merged", map[string]string{"LastModifiedById": "005U", "MasterRecordId": "003K"},
			hubforce.Change{Side: hubforce.Salesforce, Object: hubforce.Contact, RecordID: "003K", Kind: hubforce.KindMerge,
				DeliveryID: "poll/salesforce/contact/003A/merged", Version: at, SourceID: "005U", NewID: "003K", MergedIDs: []string{"003A"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := salesforceDeletion(hubforce.Contact, hubforce.Record{ID: "003A", Fields: tt.fields, Modified: at})
			if got.Kind != tt.want.Kind || got.RecordID != tt.want.RecordID || got.DeliveryID != tt.want.DeliveryID ||
				!got.Version.Equal(at) || got.SourceID != tt.want.SourceID || got.NewID != tt.want.NewID || !slices.Equal(got.MergedIDs, tt.want.MergedIDs) {
				t.Fatalf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}
