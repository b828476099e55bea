// Package storage is one partition's log on disk: segments, sparse
// indexes, checkpoints, crash recovery, retention, compaction and the
// idempotent producers' state (which must stay atomic with appends,
// truncation and recovery). It owns
// everything under the directory it is given and imports nothing of
// Fjord's; the broker drives it through Log.
//
// # Batches
//
// A stored batch is the serialized bytes of the public fjord.v1.RecordBatch
// message: header fields 1..13 written by storage in field-number order
// (zero scalars omitted, crc always written), then the payload field (14 =
// embedded Records, 15 = compressed_records) with the producer's content
// bytes. ParseBatchHeader/AppendBatchHeader are a byte-compatible codec;
// Records and RecordIterator walk the records (decompressing gzip, snappy
// block, lz4 frame or zstd with pooled codecs); BatchBuilder makes producer
// batches.
//
// AppendLeader validates a producer batch: size (MaxBatchBytes, applied to
// the producer's serialized batch), wire structure, codec, crc (computed if
// absent, *InvalidBatchError if wrong), offset_delta of record i == i,
// record_count and last_offset_delta (filled in if absent, rejected if
// wrong), max_timestamp >= first_timestamp, header keys valid UTF-8, and
// timestamp_type not LOG_APPEND_TIME (only the broker sets that). It
// then stamps base_offset = LEO and the leader epoch; if both timestamps
// are 0 it stamps the clock's time in both; with LogAppendTime it sets
// max_timestamp = now and timestamp_type = LOG_APPEND_TIME. AppendReplica
// stores a leader's batch verbatim after checking its crc, counts, strictly
// increasing offset deltas (compaction gaps allowed) and base offset == LEO.
// Epochs may not go backwards (*StaleEpochError).
//
// # Idempotent producers
//
// The log keeps, per producer id > 0 (0 and negative ids mean none),
// Kafka's producer state: the producer epoch, and that epoch's last five
// batches as (first sequence, last sequence, first offset, last offset,
// max timestamp), plus the log clock's time of its last append. Sequences
// are int32 and wrap from MaxInt32 to 0; a batch's last sequence is its
// base sequence plus its last offset delta. The state is guarded by the
// log's lock, so it is always exactly as of the LEO.
//
// AppendLeader checks an idempotent batch before assigning offsets (after
// the leader epoch check); a rejected batch appends nothing:
//
//   - no state for the producer: base sequence 0 is accepted (the state
//     starts there), anything else is an *UnknownProducerIDError;
//   - epoch below the producer's: *ProducerFencedError;
//   - epoch above it: base sequence must be 0 (else
//     *OutOfOrderSequenceError with Expected 0), and the state restarts in
//     the new epoch;
//   - same epoch and the batch's (first, last) sequence equals one of the
//     five cached batches: a duplicate. Nothing is appended and the result
//     has Duplicate set and the stored batch's offsets and max timestamp
//     (as LogAppendTime too when the log uses it). With FlushMessages set
//     the duplicate returns once the stored batch is durable;
//   - otherwise the base sequence must be the one after the newest cached
//     batch's last sequence (*OutOfOrderSequenceError with Expected/Got).
//     So a retry older than the last five batches is out of order, as in
//     Kafka, whose producer never has more than five batches in flight.
//
// A negative producer epoch or base sequence with a producer id is an
// invalid batch. AppendReplica and recovery apply batches without checks
// (a batch of another epoch, lower or higher, resets the producer to it),
// so followers hold the same state and a new leader detects retries of
// batches the old one stored. TruncateTo puts the state back to what it
// was at the new LEO: if some producer's newest batch is at or above it,
// the state is rebuilt from the newest snapshot at or below the new LEO
// plus the batches after it (snapshots above it are deleted first,
// durably); TruncateFullyAndStartAt drops all state. Retention and
// DeleteRecordsBefore leave the state alone (as Kafka since KIP-360): a
// producer whose batches are gone is kept until it expires. Maintain
// removes producers whose last append is ProducerIDExpiration (default 24h)
// old; the time is this replica's clock when it appended (or replayed) the
// batch, never the producer's timestamps, so a replay after a crash may
// extend a producer's life by the downtime. Compaction keeps each
// producer's newest batch (as a header without records if all its records
// are superseded) so replicas copying a compacted log learn the producer;
// older batches of a producer may go, so a state rebuilt by replaying
// compacted segments may know fewer of its last five batches (retries of
// those are then out of order instead of duplicates).
//
// # Files
//
// The directory holds segments, each named by its base offset:
//
//	00000000000000000000.log        frames (see below)
//	00000000000000000000.index      sparse offset index
//	00000000000000000000.timeindex  sparse time index
//	00000000000000000000.snapshot   producer state as of that offset
//	offsets.checkpoint              recovery point, high watermark, log start
//	leader-epoch.checkpoint         leader epoch -> start offset
//
// A .log file is a sequence of frames; each is a 32-byte header followed
// by the RecordBatch bytes:
//
//	[uint32 length of the rest][uint32 CRC-32C of the rest after the crc]
//	[int64 base offset][int32 last offset delta][int64 max timestamp]
//	[int32 leader epoch][RecordBatch bytes]
//
// so scans and recovery need no protobuf parsing and corruption anywhere in
// a frame, its header included, is detected. Reads return sub-slices
// pointing at the RecordBatch bytes only. .index holds [uint32 offset -
// base][uint32 position] and .timeindex [int64 max timestamp of all
// earlier batches][uint32 offset - base], one entry pair per
// IndexIntervalBytes of log (big-endian; the time entry only if the
// timestamp grew, so both files strictly increase). The active segment's
// index lives in memory and is written out on Sync, roll, checkpoint and
// Close (and fsynced by checkpoints, see Durability); other segments'
// indexes are binary searched with pread through the FileCache, so memory
// per segment is constant. A segment rolls when the next batch would pass
// SegmentBytes, when its first append is SegmentAge old, when an index is
// full (MaxIndexBytes) or when offsets would overflow the 32-bit relative
// offset. Checkpoints are small text files with a CRC line, replaced
// atomically (temp file, fsync, rename, directory fsync).
//
// A .snapshot file holds the producer state with every batch below its
// offset applied and none at or above it, written the same atomic way at
// each segment roll (at the new segment's base) and at Close (at the LEO),
// best effort (a failure is logged; it only lengthens a later replay).
// Big-endian binary:
//
//	"FJPS" [uint16 version 1] [int64 offset] [uint32 producer count]
//	per producer, by increasing id:
//	  [int64 producer id] [int32 epoch] [int64 last append ms] [uint8 n (1..5)]
//	  n x [int32 first seq] [int32 last seq] [int64 first offset]
//	      [int64 last offset] [int64 max timestamp]      (oldest first)
//	[uint32 CRC-32C of every byte before it]
//
// Only the newest three snapshots are kept, and none below the first
// segment's base (replaying from them would need deleted batches). Compaction writes
// <segment>.cleaned files, renames them to .swap (the .log last: the commit
// point) and then over the originals; Open finishes a swap whose .log.swap
// exists and deletes other .cleaned/.swap/.tmp leftovers.
//
// # Compaction
//
// Compact keeps, below min(HW, active segment base), the latest record of
// each key plus keyless records; tombstones go once older than
// DeleteRetention. Offsets never change: a rewritten batch keeps its base
// offset, last offset delta and timestamps, with fewer records (gaps in
// the offsets). A batch left without records is dropped, except the last
// batch of a segment, which stays as a header with record_count 0 so every
// segment still ends where the next begins (recovery relies on segments
// being contiguous), and the newest batch of a producer with state, kept
// the same way (see Idempotent producers). Consumers must accept record-less batches. Each
// segment is rewritten on its own (no merging of small segments yet).
//
// # Recovery
//
// Open re-reads every frame from the recovery point on (from the last
// index entry below it whose frame checks out), verifying length, CRC,
// monotonic offsets and epochs, and truncates at the first bad byte
// whatever it is (torn write, zero-filled tail, garbage), deleting later
// segments first (last to first) so that a crash during recovery recovers
// to the same place. Index files are brought in line with the scan in
// place (entries they already hold are not rewritten) and may be missing.
// Segments must be contiguous (each starts at the previous one's end); a
// gap means a segment lost its tail and is handled like a bad frame.
// Recovered data is fsynced and the recovery point set to the LEO. Invalid
// data found below the recovery point means acknowledged-durable data is
// gone: Open fails with a *CorruptionError (IsCorruption) rather than
// truncate, so a replica with a damaged log never leads; the operator (or
// broker) deletes the directory and re-replicates. Open does not re-read
// data below the last index entry under the recovery point (that would
// make every start read the whole log); such data is verified by its frame
// CRC on every Read, which returns a *CorruptionError instead of bytes.
// Likewise Open trusts the index entries below the recovery point (they are
// durable, see Durability), checking only the one it resumes from, that
// each time index entry sits at an offset index entry, and that offsets,
// positions and timestamps increase. In case an index is damaged anyway (a
// disk that loses synced pages, or a log written before index files were
// synced), every lookup (Read, OffsetForTimestamp, TruncateTo) checks the
// entry it starts from against the frame header it names, which it reads
// first anyway, and on a mismatch scans from the segment start instead
// (logged once per segment): a damaged offset index can slow reads but not
// fail them or make them skip records. A damaged time index entry that
// passes those checks can still misplace OffsetForTimestamp and the
// segment's largest timestamp (time retention); a crash cannot cause one.
//
// Open then deletes (durably) the snapshots above the recovered LEO, loads
// the newest snapshot at or below it that passes its CRC and checks
// (deleting bad ones and falling back to older ones), and replays the
// batches from its offset to the LEO, verifying each frame's CRC (a bad
// frame below the recovery point fails Open with a *CorruptionError). With
// a snapshot at the last roll, that is the active segment at most; after a
// clean Close, nothing. Without any usable snapshot (a log written before
// snapshots existed, or all of them lost) it replays every segment once.
//
// # Durability
//
// Appends write to the page cache and return; every WritebackBytes (1
// MiB) of the active segment they also start its writeback
// (sync_file_range, no waiting) after releasing the lock, so the disk
// works while appends continue and a Sync finds little left to write. That
// is only a hint: it makes nothing durable and its errors are ignored (a
// failed write shows up in the next Sync). Sync fdatasyncs every segment
// with unsynced data and advances the recovery point; concurrent callers
// share one fsync (group commit). SyncTo(o) returns once offsets below o
// are durable. Under each flush setting:
//
//   - FlushMessages = N: the append that brings unsynced records to N
//     syncs before returning. FlushMessages = 1 syncs every append.
//   - FlushInterval = T: Maintain syncs when the oldest unsynced append is
//     older than T.
//   - Both 0 (default): no scheduled syncs; durability comes from
//     replication plus explicit Sync/SyncTo (the broker calls SyncTo before
//     counting a replica toward the HW for acks=all).
//
// Everything appended survives a process crash (it is in the page cache;
// Open recovers and verifies it). A machine crash or power loss keeps
// exactly what was synced (below RecoveryPoint); later appends may be lost
// or torn and recovery truncates them. If all replicas lose power together,
// only synced data survives anywhere. A failed fsync or a write that could
// not be rolled back makes the log refuse further writes (ErrFailed) until
// reopened, because the on-disk state is unknown. The offsets checkpoint is
// written by Maintain, Close, retention and truncation, so after a crash
// the recovery point may lag: recovery then re-verifies more data, never
// less. A checkpoint write that fails after its rename may or may not have
// replaced the file, so the next one is never skipped as unchanged.
//
// Index files are derived data, but Open trusts their entries below the
// checkpointed recovery point (that is what lets it resume verifying
// there instead of at the segment start), so those entries must be as
// durable as the frames: a crash can leave unsynced index pages zeroed,
// garbled or stale. Sync does not fsync them: fsyncing .index and
// .timeindex with every Sync doubled the cost of a synced append
// (BenchmarkAppend1KiBSynced, ext4: 0.23 ms to 0.43-0.50 ms). Instead the
// checkpoint's recovery point is kept at or below the offset up to which
// the index files are synced: a checkpoint that raises it first writes out
// the active segment's pending entries and fsyncs every index file written
// since its last fsync (the active segment's and those of segments rolled
// since), outside the log's lock. That is two small fsyncs per checkpoint
// with new synced data (Maintain runs every few seconds), and nothing per
// Sync; BenchmarkAppendSyncCheckpoint, which checkpoints after every
// append, goes from 0.77 ms to 1.03 ms. Rewrites below that offset are
// synced before a checkpoint can cover them: Open syncs the indexes it
// rebuilt and those of segments above the old recovery point, TruncateTo
// leaves the entries below the cut in place (only truncating the files)
// and syncs any it had to rewrite, and compaction writes its indexes
// synced. After a failed index fsync the checkpointed recovery point stops
// rising until the log is reopened (the kernel may have dropped the pages,
// and a later fsync would not say so); recovery then verifies more.
//
// # Concurrency
//
// All Log methods are safe for concurrent use; storage starts no
// goroutines. Appends serialize on the log's lock; Sync fsyncs outside it
// so appends continue during an fsync. Read snapshots the segment list
// under a shared lock, takes reference-counted handles from the FileCache,
// and copies the bytes into a fresh buffer, so a caller's bytes never
// change. Deleted or replaced segment files are closed only when the last
// reader releases its handle. TruncateTo waits for in-flight reads (it
// rewrites bytes in place); retention and compaction do not.
//
// # Offsets and reads
//
// Read(offset, maxBytes, maxOffset) returns the batch containing offset
// first (so its base may be below offset), then following batches while
// the total stays <= maxBytes (the first is returned whole regardless), and
// only batches whose last offset is < maxOffset. offset outside
// [LogStartOffset, LogEndOffset] is an *OffsetOutOfRangeError; offset ==
// LEO returns no batches. If no batch exists at or after offset (a
// compaction gap at the end of the log), NextOffset is min(LEO, maxOffset)
// so a consumer moves past the gap. OffsetForTimestamp returns the first offset whose
// record timestamp is >= ts, or (LEO, -1) if there is none. TruncateTo
// drops whole batches. Retention deletes only whole non-active segments
// wholly below the high watermark; DeleteRecordsBefore moves the log start
// anywhere up to the LEO. Offsets below the log start are unreadable even
// while their segment still exists.
package storage
