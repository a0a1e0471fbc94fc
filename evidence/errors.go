package evidence

import "errors"

// Errors returned by this package and by [Storage] implementations. Match
// them with errors.Is: they are usually wrapped with detail.
var (
	// ErrNotFound: the record, checkpoint or blob does not exist.
	ErrNotFound = errors.New("evidence: not found")
	// ErrConflict: an Append did not start at the storage's current size
	// (another writer appended first, or the caller's view is stale).
	// Log.Append catches up and retries itself; it returns ErrConflict
	// only after losing many races in a row.
	ErrConflict = errors.New("evidence: append conflict")
	// ErrInvalid: a record, scope, upload or argument is malformed.
	ErrInvalid = errors.New("evidence: invalid input")
	// ErrTooLarge: an upload exceeds the size limit.
	ErrTooLarge = errors.New("evidence: upload too large")
	// ErrUploadType: an upload's sniffed content type is not allowed.
	ErrUploadType = errors.New("evidence: upload type not allowed")
	// ErrInconsistent: the stored log does not match what was published or
	// computed before (history rewritten, records or hashes tampered with,
	// or a stored tree that does not extend the one a Log knew). It is
	// never retried automatically.
	ErrInconsistent = errors.New("evidence: log inconsistent")
	// ErrVerify: a bundle failed verification. Errors from Verify wrap it
	// inside a *VerifyError that names what failed.
	ErrVerify = errors.New("evidence: verification failed")
)
