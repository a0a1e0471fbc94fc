// Package evidence is fairmark's tamper-evident evidence log.
//
// Every marketplace chat message, every file a seller uploads and every
// decision taken on a case becomes a leaf in an append-only RFC 6962 Merkle
// log (golang.org/x/mod/sumdb/tlog). The log periodically publishes
// checkpoints in the C2SP tlog-checkpoint format, signed as C2SP signed
// notes with an Ed25519 key (golang.org/x/mod/sumdb/note).
//
// A leaf does not commit to a record's content directly but to a canonical
// envelope (see [Envelope]) that carries the SHA-256 of the content. The
// content can therefore be redacted later for privacy while its hash still
// proves what was there.
//
// A [Bundle] gathers every record of one [Scope] (a conversation, an order,
// a report, a case or an account) with its inclusion proof, a signed
// checkpoint and a signed manifest listing the bundle's leaves. [Verify]
// checks a bundle with nothing but the bundle and, optionally, a pinned
// public key: no server, no database.
//
// Storage is a port: [Storage] is implemented by [MemStorage] (tests) and by
// fairmark's SQL store; package evidencetest holds the conformance suite
// every implementation must pass. [Log] writes: it serialises its own
// appends, computes the Merkle hashes and checks, before publishing a new
// checkpoint, that it is consistent with the previous one. Several Logs may
// share a Storage (the storage orders their appends; a Log catches up with
// the others after checking that the stored tree extends its own).
//
// The formats (envelope, checkpoint, manifest, bundle) are specified in
// docs/EVIDENCE.md so that a third party can re-implement verification.
package evidence
