package evidence

import (
	"context"

	"golang.org/x/mod/sumdb/tlog"
)

// Storage is the persistence port of the evidence log. fairmark's SQL store
// implements it; [MemStorage] is the in-process implementation. Every
// implementation must pass evidencetest.RunStorageTests.
//
// Several [Log]s (in one process or several) may write to one Storage: its
// Append is the one place that orders them. A Storage must be safe for
// concurrent use (readers run alongside the writers). Returned values must
// not alias the storage's internal state, and the storage must not keep
// references to slices passed in.
//
// Tree hashes follow golang.org/x/mod/sumdb/tlog: the log of size N has
// tlog.StoredHashCount(N) stored hashes, numbered from 0; the hashes added by
// record n are those with storage indexes tlog.StoredHashIndex(0, n) up to
// (excluding) tlog.StoredHashIndex(0, n+1).
type Storage interface {
	// Append stores recs and hashes in one atomic step: after a crash or an
	// error either all of them are stored or none is.
	//
	// recs is non-empty, its Index fields are contiguous and recs[0].Index
	// must equal the current Size; otherwise Append returns an error
	// wrapping ErrConflict and stores nothing. Of concurrent Appends at
	// the same index (several writers) exactly one succeeds; the others
	// return ErrConflict. hashes are the tlog stored
	// hashes for recs, in storage-index order starting at
	// tlog.StoredHashIndex(0, recs[0].Index); their number must be
	// tlog.StoredHashCount(last+1) - tlog.StoredHashCount(recs[0].Index)
	// or Append returns an error wrapping ErrInvalid and stores nothing.
	// Records are stored with every field (Redacted included); times must
	// round-trip to the microsecond.
	Append(ctx context.Context, recs []Record, hashes []tlog.Hash) error

	// Size returns the number of records stored.
	Size(ctx context.Context) (int64, error)

	// ReadHashes returns the stored hashes at the given storage indexes, in
	// the order asked (indexes may repeat and need not be sorted). An index
	// that is not stored yields an error wrapping ErrNotFound.
	ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error)

	// Records returns every record whose Scopes contain scope, in index
	// order. No match is an empty result, not an error.
	Records(ctx context.Context, scope Scope) ([]Record, error)

	// Record returns the record at index, or an error wrapping ErrNotFound.
	Record(ctx context.Context, index int64) (Record, error)

	// Redact drops the content of the record at index (Content becomes nil,
	// Redacted true) and keeps everything else, ContentSHA256 included.
	// Redacting a redacted record is a no-op. Unknown index: ErrNotFound.
	Redact(ctx context.Context, index int64) error

	// SaveCheckpoint stores a signed checkpoint note for tree size size.
	// The Log only saves checkpoints it has checked against the latest one.
	SaveCheckpoint(ctx context.Context, size int64, note []byte) error

	// LatestCheckpoint returns the most recently saved checkpoint, or an
	// error wrapping ErrNotFound when none was saved.
	LatestCheckpoint(ctx context.Context) (size int64, note []byte, err error)

	// PutBlob stores data under its SHA-256 sha with its content type.
	// Storing the same sha again is a no-op that succeeds. The caller
	// guarantees sha == sha256(data).
	PutBlob(ctx context.Context, sha [32]byte, contentType string, data []byte) error

	// Blob returns the blob stored under sha, or an error wrapping
	// ErrNotFound.
	Blob(ctx context.Context, sha [32]byte) (contentType string, data []byte, err error)
}

// RefIndex is implemented by storages that can say which records are
// logged by kind and ref; [Log.AppendOnce] needs it.
type RefIndex interface {
	// Logged returns the refs among refs that a stored record of kind
	// has (absent refs are not in the map). refs may be many: the
	// storage splits its queries as it needs.
	Logged(ctx context.Context, kind string, refs []string) (map[string]bool, error)
}
