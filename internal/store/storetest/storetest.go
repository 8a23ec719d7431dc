// Package storetest is the one suite of invariants every store.Store
// implementation must keep (SPEC §3.1–3.2, §3.4, §3.13). A dialect's test
// calls Run with a function making a fresh, migrated database.
package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/store"
	"github.com/hubforce/hubforce/internal/testkit"
)

// NewDatabase returns the URL of a fresh, migrated, empty database that
// lives until the test ends.
type NewDatabase func(t testing.TB) string

// Run runs every invariant as a subtest.
func Run(t *testing.T, newDB NewDatabase) {
	tests := []struct {
		name string
		run  func(t *testing.T, newDB NewDatabase)
	}{
		{"DuplicateDeliveryInOneCall", testDuplicateInOneCall},
		{"DuplicateDeliveryAcrossCalls", testDuplicateAcrossCalls},
		{"SameDeliveryIDOnEachSide", testSameIDOnEachSide},
		{"StaleByVersion", testStaleByVersion},
		{"EqualVersionAppliesOnlyWithNewValues", testEqualVersion},
		{"DistinctPropertiesSameInstantAllAccepted", testDistinctProperties},
		{"CreationAndPropertyChangeSameInstant", testCreationAndProperty},
		{"ReorderingNeverRollsBack", testReorderingNeverRollsBack},
		{"ZeroVersionAcceptedOnce", testZeroVersion},
		{"InvalidChangeRejectedWhole", testInvalidChange},
		{"DecisionsMatchSequentialModel", testMatchesModel},
		{"AcceptedChangesQueuedWithFields", testQueuedWithFields},
		{"ConcurrentDuplicateDeliveries", testConcurrentDuplicates},
		{"ReplicasRacing", testReplicasRacing},
		{"GroupCommitSharesTransactions", testGroupCommit},
		{"GroupErrorFailsAllCallersCommitsNothing", testGroupError},
		{"ClaimersNeverShareARecord", testClaimersNeverShare},
		{"ClaimPreservesRecordOrder", testClaimOrder},
		{"ChangeCapCutsOnlyTheLastRecord", testChangeCap},
		{"RescheduledHeadHoldsItsRecord", testRescheduleHoldsRecord},
		{"ExpiredLeaseIsReclaimed", testLeaseExpiry},
		{"LeaseCanBeExtended", testExtendLease},
		{"ReplicasClaimingRacing", testReplicaClaims},
		{"DeadLetterListGetDiscard", testDeadLetters},
		{"DeadLetterReplayRequeues", testDeadLetterReplay},
		{"HistoryKeptAndPrunedWithoutTouchingPending", testHistoryPrune},
		{"Links", testLinks},
		{"Checkpoints", testCheckpoints},
		{"ReceivedSurvivesRestart", testReceivedSurvivesRestart},
		{"ReceiveDuplicatesJudgedOnDigest", testReceiveDuplicates},
		{"ReceiveInvalidRejectedWhole", testReceiveInvalidRejectedWhole},
		{"CloseDrainsInbox", testCloseDrainsInbox},
		{"ReceiveNotHeldBehindDigest", testReceiveNotHeldBehindDigest},
		{"ReplicasDigestingAcceptOnce", testReplicasDigesting},
		{"WrittenValuesMergeAndForget", testWrittenValues},
		{"CredentialsRoundTrip", testCredentialsRoundTrip},
		{"CredentialsEncryptedAtRest", testCredentialsEncryptedAtRest},
		{"CredentialsNeedTheKey", testCredentialsNeedTheKey},
		{"CredentialKeySaltedPerDatabase", testCredentialKeySalted},
		{"CredentialsSealedBeforeTheSaltStillOpen", testCredentialsV1StillOpen},
		{"CredentialLockExcludes", testCredentialLock},
		{"PingAnswers", testPing},
		{"IngestAfterCloseFails", testClosed},
		{"ActivityCountsDecisionsPerBucket", testActivityBuckets},
		{"FailureActivityByCategorySurvivesReplay", testFailureActivity},
		{"RecentHistoryNewestFirst", testRecentHistory},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, newDB) })
	}
}

// Open opens a store on url that is closed when the test ends.
func Open(t testing.TB, url string, opts ...store.Option) store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), url, opts...)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
	})
	return s
}

// Clock is a settable clock for store.WithNow.
type Clock = testkit.Clock

// NewClock starts a clock at a fixed instant.
func NewClock() *Clock {
	return testkit.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
}

// at is a version instant: base plus n milliseconds.
func at(n int) time.Time {
	return time.Date(2026, 2, 1, 12, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Millisecond)
}

// prop is a HubSpot propertyChange.
func prop(delivery, record, name, value string, version time.Time) hubforce.Change {
	return hubforce.Change{
		Side: hubforce.HubSpot, Object: hubforce.Contact, RecordID: record, Kind: hubforce.KindUpdate,
		DeliveryID: delivery, Version: version, Fields: map[string]string{name: value},
	}
}

// snapshot is a Salesforce Outbound Message notification.
func snapshot(delivery, record string, fields map[string]string, version time.Time) hubforce.Change {
	return hubforce.Change{
		Side: hubforce.Salesforce, Object: hubforce.Contact, RecordID: record, Kind: hubforce.KindUpdate,
		DeliveryID: delivery, Version: version, Fields: fields,
	}
}

func ingest(t testing.TB, s store.Store, changes ...hubforce.Change) []hubforce.Decision {
	t.Helper()
	d, err := s.Ingest(context.Background(), changes)
	if err != nil {
		t.Fatalf("ingest: %v", err)
	}
	if len(d) != len(changes) {
		t.Fatalf("ingest: %d decisions for %d changes", len(d), len(changes))
	}
	return d
}

func wantDecisions(t testing.TB, got []hubforce.Decision, want ...hubforce.Decision) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("decisions = %v, want %v", got, want)
	}
}

// claimAll claims everything due for `to`, in batches.
func claim(t testing.TB, s store.Store, to hubforce.Side, owner string, max int, lease time.Duration) []store.Claimed {
	t.Helper()
	c, err := s.Claim(context.Background(), to, owner, max, lease)
	if err != nil {
		t.Fatalf("claim: %v", err)
	}
	return c
}

func history(t testing.TB, s store.Store, side hubforce.Side, record string) []store.HistoryEntry {
	t.Helper()
	h, err := s.History(context.Background(), side, hubforce.Contact, record)
	if err != nil {
		t.Fatalf("history: %v", err)
	}
	return h
}
