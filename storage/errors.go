package storage

import (
	"errors"
	"fmt"
)

// Error classes. Test with errors.Is; typed errors below wrap one of these.
var (
	// ErrOffsetOutOfRange: the requested offset is outside [log start, LEO].
	ErrOffsetOutOfRange = errors.New("storage: offset out of range")
	// ErrCorruption: data that storage wrote and acknowledged as durable fails
	// verification (CRC, length, offsets). Never silently repaired.
	ErrCorruption = errors.New("storage: corruption")
	// ErrClosed: the log was closed (or deleted).
	ErrClosed = errors.New("storage: log closed")
	// ErrInvalidBatch: a batch handed to an append is malformed (bad protobuf,
	// bad crc, bad counts, bad codec, bad offsets, too large).
	ErrInvalidBatch = errors.New("storage: invalid batch")
	// ErrBatchTooLarge: a batch is larger than Options.MaxBatchBytes. Errors of
	// this class are also of class ErrInvalidBatch.
	ErrBatchTooLarge = errors.New("storage: batch too large")
	// ErrIO: an I/O operation failed; the os error is wrapped too.
	ErrIO = errors.New("storage: i/o error")
	// ErrStaleEpoch: an append carries a leader epoch lower than the latest
	// epoch in the log.
	ErrStaleEpoch = errors.New("storage: stale leader epoch")
	// ErrUnexpectedOffset: a replica append does not start at the log end offset.
	ErrUnexpectedOffset = errors.New("storage: unexpected offset")
	// ErrFailed: an earlier write failed in a way that left the log in an
	// unknown state; the log refuses further writes until reopened.
	ErrFailed = errors.New("storage: log failed")
	// ErrInvalidOptions: Options.Validate rejected the options.
	ErrInvalidOptions = errors.New("storage: invalid options")
	// ErrProducerFenced: an idempotent batch's producer epoch is below the
	// producer's current epoch; a newer instance of the producer exists
	// (Kafka INVALID_PRODUCER_EPOCH). Nothing was appended; not retriable
	// with the same epoch.
	ErrProducerFenced = errors.New("storage: producer fenced")
	// ErrOutOfOrderSequence: an idempotent batch's base sequence is not the
	// one after the producer's last stored sequence (a gap, an older batch
	// no longer cached for duplicate detection, or a new epoch not starting
	// at 0) (Kafka OUT_OF_ORDER_SEQUENCE_NUMBER). Nothing was appended.
	ErrOutOfOrderSequence = errors.New("storage: out of order sequence")
	// ErrUnknownProducerID: an idempotent batch with a base sequence other
	// than 0 comes from a producer id the log has no state for (expired, or
	// its batches were truncated or deleted) (Kafka UNKNOWN_PRODUCER_ID).
	// Nothing was appended; the producer restarts its sequence with a new
	// epoch.
	ErrUnknownProducerID = errors.New("storage: unknown producer id")
)

// IsCorruption reports whether err is of class ErrCorruption.
func IsCorruption(err error) bool { return errors.Is(err, ErrCorruption) }

// OffsetOutOfRangeError reports an offset outside [Start, End] (End is the
// LEO, which itself is a valid read position that returns no data).
type OffsetOutOfRangeError struct {
	Offset, Start, End int64
}

func (e *OffsetOutOfRangeError) Error() string {
	return fmt.Sprintf("storage: offset %d out of range [%d, %d]", e.Offset, e.Start, e.End)
}

// Unwrap returns ErrOffsetOutOfRange.
func (e *OffsetOutOfRangeError) Unwrap() error { return ErrOffsetOutOfRange }

// CorruptionError locates corrupt data.
type CorruptionError struct {
	Path     string // file
	Position int64  // byte position in the file
	Offset   int64  // offset expected or found there (-1 if unknown)
	Reason   string
}

func (e *CorruptionError) Error() string {
	return fmt.Sprintf("storage: corruption in %s at position %d (offset %d): %s", e.Path, e.Position, e.Offset, e.Reason)
}

// Unwrap returns ErrCorruption.
func (e *CorruptionError) Unwrap() error { return ErrCorruption }

// InvalidBatchError describes why a batch was rejected.
type InvalidBatchError struct {
	Offset int64 // offset the batch would have had, -1 if unknown
	Record int   // index of the offending record, -1 if the batch as a whole
	Reason string
	tooBig bool
}

func (e *InvalidBatchError) Error() string {
	if e.Record >= 0 {
		return fmt.Sprintf("storage: invalid batch at offset %d: record %d: %s", e.Offset, e.Record, e.Reason)
	}
	return fmt.Sprintf("storage: invalid batch at offset %d: %s", e.Offset, e.Reason)
}

// Unwrap returns ErrInvalidBatch, and ErrBatchTooLarge for oversized batches.
func (e *InvalidBatchError) Unwrap() []error {
	if e.tooBig {
		return []error{ErrInvalidBatch, ErrBatchTooLarge}
	}
	return []error{ErrInvalidBatch}
}

func invalidf(rec int, format string, args ...any) *InvalidBatchError {
	return &InvalidBatchError{Offset: -1, Record: rec, Reason: fmt.Sprintf(format, args...)}
}

// IOError wraps a failed file operation.
type IOError struct {
	Op   string
	Path string
	Err  error
}

func (e *IOError) Error() string { return fmt.Sprintf("storage: %s %s: %v", e.Op, e.Path, e.Err) }

// Unwrap returns ErrIO and the underlying error.
func (e *IOError) Unwrap() []error { return []error{ErrIO, e.Err} }

func ioErr(op, path string, err error) error {
	if err == nil {
		return nil
	}
	var ioe *IOError
	if errors.As(err, &ioe) {
		return err
	}
	return &IOError{Op: op, Path: path, Err: err}
}

// StaleEpochError: an append's epoch is below the latest epoch.
type StaleEpochError struct {
	Epoch, Latest int32
	Offset        int64
}

func (e *StaleEpochError) Error() string {
	return fmt.Sprintf("storage: append at offset %d with leader epoch %d below latest epoch %d", e.Offset, e.Epoch, e.Latest)
}

// Unwrap returns ErrStaleEpoch.
func (e *StaleEpochError) Unwrap() error { return ErrStaleEpoch }

// UnexpectedOffsetError: a replica batch does not start at the LEO.
type UnexpectedOffsetError struct {
	Got, Want int64
}

func (e *UnexpectedOffsetError) Error() string {
	return fmt.Sprintf("storage: replica batch base offset %d, want log end offset %d", e.Got, e.Want)
}

// Unwrap returns ErrUnexpectedOffset.
func (e *UnexpectedOffsetError) Unwrap() error { return ErrUnexpectedOffset }

// ProducerFencedError: a batch's producer epoch is below the current one.
type ProducerFencedError struct {
	ProducerID          int64
	Epoch, CurrentEpoch int32
}

func (e *ProducerFencedError) Error() string {
	return fmt.Sprintf("storage: producer %d epoch %d is fenced by epoch %d", e.ProducerID, e.Epoch, e.CurrentEpoch)
}

// Unwrap returns ErrProducerFenced.
func (e *ProducerFencedError) Unwrap() error { return ErrProducerFenced }

// OutOfOrderSequenceError: a batch's base sequence is not the expected one.
type OutOfOrderSequenceError struct {
	ProducerID    int64
	Epoch         int32
	Expected, Got int32
}

func (e *OutOfOrderSequenceError) Error() string {
	return fmt.Sprintf("storage: producer %d epoch %d: sequence %d, expected %d", e.ProducerID, e.Epoch, e.Got, e.Expected)
}

// Unwrap returns ErrOutOfOrderSequence.
func (e *OutOfOrderSequenceError) Unwrap() error { return ErrOutOfOrderSequence }

// UnknownProducerIDError: a batch continues a sequence (base sequence != 0)
// of a producer the log has no state for.
type UnknownProducerIDError struct {
	ProducerID int64
	Epoch      int32
	Sequence   int32
}

func (e *UnknownProducerIDError) Error() string {
	return fmt.Sprintf("storage: unknown producer %d (epoch %d, sequence %d)", e.ProducerID, e.Epoch, e.Sequence)
}

// Unwrap returns ErrUnknownProducerID.
func (e *UnknownProducerIDError) Unwrap() error { return ErrUnknownProducerID }

func errString(format string, args ...any) string { return fmt.Sprintf(format, args...) }
