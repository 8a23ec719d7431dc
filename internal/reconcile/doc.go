// Package reconcile recovers the changes that webhooks lose (SPEC §3.11).
// Salesforce drops an Outbound Message after 24 hours of failed attempts,
// HubSpot stops retrying after its window, so a Poller reads, every
// interval, the records modified on each side since a checkpoint and feeds
// them to store.Ingest — the pipeline webhooks go through — and Backfill is
// the same machinery started by hand from a date.
//
// # From a polled record to changes
//
// A record is first compared with the versions the store holds for it: if
// any is at least as new as the record's modification time (its webhook or
// Outbound Message arrived, or an earlier poll fed it), the record feeds
// nothing. Most polled records end there, at the cost of one version lookup,
// so the overlap re-read at every poll and the records a resumed backfill
// reads twice are cheap. Otherwise:
//
// Salesforce: a polled record is exactly an Outbound Message snapshot, and
// becomes the same change: Fields = the record's fields (the mapped ones plus
// LastModifiedById, which is always requested), Version = SystemModstamp,
// SourceID = LastModifiedById so that the engine recognises the bridge's own
// writes, DeliveryID "poll/salesforce/<object>/<id>/<SystemModstamp>". A
// notification for the same modification carries the same version and is
// judged stale (or the reverse), whatever arrives first.
//
// HubSpot: webhooks carry one property each, versioned by occurredAt and
// keyed by the property's name; a search result carries only the record's
// updatedAt. Each mapped property with a value becomes its own update,
// Version = updatedAt, DeliveryID
// "poll/hubspot/<object>/<id>/<updatedAt ms>/<property>", so that the
// changes land in the same per-property version slots as webhooks. This is
// what keeps order: a late retry of a lost webhook (occurredAt ≤ updatedAt)
// is then stale instead of rolling the property back. The price is that
// updatedAt over-approximates when each property changed: while a record is
// being recovered, a property that did not change at updatedAt claims it
// did, so in a two-way conflict with a Salesforce change made between the
// property's real change and updatedAt, HubSpot's value wins on both sides
// (the sides agree; the newer Salesforce value is lost). The exact answer is
// HubSpot's propertiesWithHistory, which gives each value's timestamp and
// source; the bridge's HubSpot client does not read it yet (batch read
// allows 50 records with it), and it would only be needed for the records
// that fail the version check above. Empty values are not fed: a snapshot
// cannot tell "cleared" from "never set", and feeding blanks would clear
// Salesforce fields on a guess. A clear whose webhook was lost is thus not
// recovered. HubSpot changes polled carry no changeSource: the engine's
// backstop (values equal to what the bridge last wrote) drops echoes.
//
// # Windows and checkpoints
//
// The Poller keeps "reconcile/<side>/<object>" (RFC 3339): the latest
// modification time among the records it committed. It reads from the
// checkpoint minus an overlap (HubSpot's search indexing lag, clock skew)
// up to now minus a settle delay (changes younger than that are left to
// their webhooks, which normally arrive within seconds). The checkpoint
// moves only after the batch's Ingest returned. A first poll starts one
// interval back and writes that start at once: history is Backfill's job.
//
// Backfill keeps "backfill/<side>/<object>": State as JSON. A re-run with the
// same --since resumes from the cursor (minus a second: Salesforce compares
// whole seconds and one instant may straddle a batch boundary); a different
// --since, or a finished backfill, starts over and says so.
//
// # Salesforce's daily budget
//
// Before every page, Poller and Backfill check the usage the Salesforce
// client last saw (Sforce-Limit-Info); past the configured share they stop
// reading — the work waits in the checkpoint — and probe with one empty query
// every ProbeEvery until the usage, a rolling 24 h count, falls below it. A
// HubSpot backfill pauses too: what it feeds is written to Salesforce.
//
// # Several replicas
//
// Only the holder of the lease "reconcile/lock" (owner and expiry, a
// checkpoint) polls. Without a compare-and-set in the store, two replicas
// taking a free lease at the same instant may both poll once; they feed
// identical delivery ids and versions, and the store keeps one. A store
// method CompareAndSetCheckpoint(ctx, key, old, new) (bool, error) would
// make the lease exact.
package reconcile
