package storage

import (
	"fmt"
	"log/slog"
	"math"
	"time"
)

// Clock supplies the time. Storage never reads the wall clock directly.
type Clock interface {
	Now() time.Time
}

// SystemClock is the real clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// CleanupPolicy selects what happens to old data.
type CleanupPolicy int

const (
	// CleanupDelete deletes whole segments by retention time/bytes (default).
	CleanupDelete CleanupPolicy = iota
	// CleanupCompact keeps the latest record per key (Compact).
	CleanupCompact
	// CleanupCompactDelete does both.
	CleanupCompactDelete
)

func (p CleanupPolicy) deletes() bool  { return p == CleanupDelete || p == CleanupCompactDelete }
func (p CleanupPolicy) compacts() bool { return p == CleanupCompact || p == CleanupCompactDelete }

// Defaults.
const (
	DefaultSegmentBytes       = 1 << 30
	DefaultSegmentAge         = 7 * 24 * time.Hour
	DefaultIndexIntervalBytes = 4096
	DefaultMaxIndexBytes      = 10 << 20
	DefaultRetention          = 7 * 24 * time.Hour
	DefaultDeleteRetention    = 24 * time.Hour
	// DefaultMaxBatchBytes is the largest serialized RecordBatch accepted
	// from a producer or replica (1 MiB, the size of the producer's bytes,
	// not counting storage framing).
	DefaultMaxBatchBytes = 1 << 20
	// DefaultCompactionMapBytes bounds the key map of one compaction pass.
	DefaultCompactionMapBytes = 32 << 20
	// DefaultWritebackBytes is how much the active segment grows between
	// writeback starts (see Options.WritebackBytes).
	DefaultWritebackBytes = 1 << 20
	// DefaultProducerIDExpiration is how long an idempotent producer's
	// state outlives its last append (Kafka producer.id.expiration.ms).
	DefaultProducerIDExpiration = 24 * time.Hour
	// DefaultFileCacheSize is the size of the private FileCache used when
	// Options.Files is nil.
	DefaultFileCacheSize = 16
)

// Options configures a Log. The zero value works: EnsureDefaults fills in
// every unset field.
type Options struct {
	// FS is the file system; default OSFS.
	FS FS
	// Clock is the time source; default SystemClock.
	Clock Clock
	// Logger receives recovery and retention events; default discards.
	Logger *slog.Logger
	// Files caches read handles of segment files. Share one across all logs
	// of a broker to bound open fds; default a private cache of
	// DefaultFileCacheSize handles.
	Files *FileCache

	// SegmentBytes rolls the active segment once a batch would make it
	// larger (default 1 GiB, max 2 GiB-1).
	SegmentBytes int64
	// SegmentAge rolls the active segment when its first batch was appended
	// this long ago (default 7 days; <0 never).
	SegmentAge time.Duration
	// IndexIntervalBytes is the number of log bytes between offset and time
	// index entries (default 4096).
	IndexIntervalBytes int
	// MaxIndexBytes rolls the segment when its offset or time index reaches
	// this size (default 10 MiB).
	MaxIndexBytes int
	// Retention deletes non-active segments whose largest timestamp is
	// older than this (0 = default 7 days; <0 = keep forever).
	Retention time.Duration
	// RetentionBytes deletes the oldest non-active segments while the log
	// is larger than this (<=0 = unlimited).
	RetentionBytes int64
	// CleanupPolicy is delete (default), compact, or both.
	CleanupPolicy CleanupPolicy
	// DeleteRetention is how long compaction keeps tombstones, measured from
	// the tombstone's timestamp (0 = default 24h; <0 = drop at once).
	DeleteRetention time.Duration
	// MaxBatchBytes is the largest accepted serialized batch
	// (default 1 MiB).
	MaxBatchBytes int
	// TimestampType is CreateTime (default) or LogAppendTime.
	TimestampType TimestampType
	// FlushMessages syncs once this many records are unsynced (0 = never on
	// count).
	FlushMessages int64
	// FlushInterval syncs, in Maintain, when the oldest unsynced append is
	// this old (0 = never on a schedule).
	FlushInterval time.Duration
	// CompactionMapBytes bounds the memory of a compaction pass's key map
	// (default 32 MiB); larger dirty sections take several passes.
	CompactionMapBytes int64
	// WritebackBytes starts writeback of the active segment's newest bytes
	// each time it has grown by this much (WritebackFile, sync_file_range
	// on Linux), so the disk writes while appends continue instead of
	// sitting idle until the kernel's dirty-page threshold (10 % of memory
	// by default) and a Sync then waiting for all of it (default 1 MiB; <0
	// never). It changes nothing about what is durable: only Sync is.
	WritebackBytes int64
	// ProducerIDExpiration removes, in Maintain, an idempotent producer's
	// state (epoch, sequences) once its last append to this log is this old
	// (Kafka producer.id.expiration.ms; default 24h; <0 never). Its next
	// batch then needs sequence 0 or gets ErrUnknownProducerID.
	ProducerIDExpiration time.Duration
}

// EnsureDefaults fills unset fields and returns the result.
func (o Options) EnsureDefaults() Options {
	if o.FS == nil {
		o.FS = OSFS{}
	}
	if o.Clock == nil {
		o.Clock = SystemClock{}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Files == nil {
		o.Files = NewFileCache(DefaultFileCacheSize)
	}
	if o.SegmentBytes == 0 {
		o.SegmentBytes = DefaultSegmentBytes
	}
	if o.SegmentAge == 0 {
		o.SegmentAge = DefaultSegmentAge
	}
	if o.IndexIntervalBytes == 0 {
		o.IndexIntervalBytes = DefaultIndexIntervalBytes
	}
	if o.MaxIndexBytes == 0 {
		o.MaxIndexBytes = DefaultMaxIndexBytes
	}
	if o.Retention == 0 {
		o.Retention = DefaultRetention
	}
	if o.DeleteRetention == 0 {
		o.DeleteRetention = DefaultDeleteRetention
	}
	if o.MaxBatchBytes == 0 {
		o.MaxBatchBytes = DefaultMaxBatchBytes
	}
	if o.TimestampType == TimestampUnspecified {
		o.TimestampType = CreateTime
	}
	if o.CompactionMapBytes == 0 {
		o.CompactionMapBytes = DefaultCompactionMapBytes
	}
	if o.WritebackBytes == 0 {
		o.WritebackBytes = DefaultWritebackBytes
	}
	if o.ProducerIDExpiration == 0 {
		o.ProducerIDExpiration = DefaultProducerIDExpiration
	}
	return o
}

// Validate checks options after EnsureDefaults.
func (o Options) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrInvalidOptions}, args...)...)
	}
	switch {
	case o.SegmentBytes < 1 || o.SegmentBytes > math.MaxInt32:
		return bad("segment bytes %d not in [1, %d]", o.SegmentBytes, math.MaxInt32)
	case o.IndexIntervalBytes < 1:
		return bad("index interval bytes %d < 1", o.IndexIntervalBytes)
	case o.MaxIndexBytes < 2*timeIndexEntrySize:
		return bad("max index bytes %d < %d", o.MaxIndexBytes, 2*timeIndexEntrySize)
	case o.MaxBatchBytes < 1 || o.MaxBatchBytes > maxFrameBody-frameHeaderSize:
		return bad("max batch bytes %d not in [1, %d]", o.MaxBatchBytes, maxFrameBody-frameHeaderSize)
	case o.TimestampType != CreateTime && o.TimestampType != LogAppendTime:
		return bad("timestamp type %d", o.TimestampType)
	case o.CleanupPolicy < CleanupDelete || o.CleanupPolicy > CleanupCompactDelete:
		return bad("cleanup policy %d", o.CleanupPolicy)
	case o.FlushMessages < 0 || o.FlushInterval < 0:
		return bad("negative flush policy")
	case o.CompactionMapBytes < 1:
		return bad("compaction map bytes %d < 1", o.CompactionMapBytes)
	}
	return nil
}
