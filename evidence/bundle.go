package evidence

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// BundleFormat is the value of Bundle.Format: the in-memory Bundle, with
// an inclusion proof per record, is the version 1 model, and its JSON
// encoding (encoding/json, or WriteBundleV1) is a version 1 bundle file.
// WriteBundle writes the compact version 2 file ([BundleFormatV2]);
// ReadBundle and Verify read both.
const BundleFormat = "fairmark-evidence-bundle/v1"

// timeLayout is how bundle times are written: RFC 3339, UTC, microseconds.
const timeLayout = "2006-01-02T15:04:05.000000Z07:00"

// A Bundle is a self-contained, offline-verifiable set of evidence: every
// record of one scope with its inclusion proof, the signed checkpoint the
// proofs lead to, and a signed manifest listing the bundle's leaves (so a
// dropped, added or reordered record is detected). Its JSON form is the
// file sellers hand over; docs/EVIDENCE.md specifies it.
type Bundle struct {
	Format     string         `json:"format"`     // BundleFormat
	Origin     string         `json:"origin"`     // the log's origin
	Key        string         `json:"key"`        // the log's verifier key (note format)
	Checkpoint string         `json:"checkpoint"` // signed checkpoint note
	Manifest   string         `json:"manifest"`   // signed manifest note
	Scope      Scope          `json:"scope"`      // what the bundle is about
	Records    []BundleRecord `json:"records"`    // in leaf order
	Blobs      []BundleBlob   `json:"blobs,omitempty"`

	// proofErr, set by ReadBundle for a v2 file whose proof node table
	// cannot be used, is reported by VerifyBundle after the signatures.
	proofErr *VerifyError
}

// A BundleRecord is one record in a bundle: the envelope fields, the
// content unless redacted, and the inclusion proof.
type BundleRecord struct {
	Leaf          int64   `json:"leaf"`
	Kind          string  `json:"kind"`
	Ref           string  `json:"ref"`
	Scopes        []Scope `json:"scopes"`
	At            string  `json:"at"`             // RFC 3339, UTC, microseconds
	Logged        string  `json:"logged"`         // RFC 3339, UTC, microseconds
	ContentSHA256 string  `json:"content_sha256"` // hex
	Content       []byte  `json:"content,omitempty"`
	Redacted      bool    `json:"redacted,omitempty"`
	// Proof is the RFC 6962 inclusion proof of the leaf in the checkpoint's
	// tree: its hashes (32 bytes each) concatenated, standard base64 in JSON.
	Proof []byte `json:"proof"`
}

// A BundleBlob is an uploaded file carried by the bundle. It is covered by
// the log through the upload record whose Ref is its SHA-256.
type BundleBlob struct {
	SHA256      string `json:"sha256"`       // hex
	ContentType string `json:"content_type"` // as sniffed at upload; not signed
	Data        []byte `json:"data"`
}

// Bundle builds the evidence bundle for scope. It uses the latest
// checkpoint when that covers every record of the scope and publishes a new
// one (see [Log.Checkpoint]) otherwise. Before returning it checks every
// record against its stored leaf hash and its proof against the checkpoint
// root, so a tampered database yields an error wrapping ErrInconsistent
// instead of a bundle that fails later. Uploads of non-redacted upload
// records are included when their blob is stored. No records: ErrNotFound.
func (l *Log) Bundle(ctx context.Context, scope Scope) (*Bundle, error) {
	if err := scope.Validate(); err != nil {
		return nil, err
	}
	recs, err := l.st.Records(ctx, scope)
	if err != nil {
		return nil, fmt.Errorf("evidence: bundle records: %w", err)
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("%w: no records for %s", ErrNotFound, scope)
	}
	last := recs[len(recs)-1].Index
	cp, err := l.LatestCheckpoint(ctx)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	if err != nil || cp.Size <= last {
		if cp, err = l.Checkpoint(ctx); err != nil {
			return nil, err
		}
	}

	// Leaf hashes, stored and recomputed.
	leaves := make([]int64, len(recs))
	leafIdx := make([]int64, len(recs))
	for i, r := range recs {
		leaves[i] = r.Index
		leafIdx[i] = tlog.StoredHashIndex(0, r.Index)
	}
	if err := checkProofLeaves(leaves, cp.Size); err != nil {
		return nil, fmt.Errorf("%w: bundle records: %v", ErrInconsistent, err)
	}
	stored, err := l.st.ReadHashes(ctx, leafIdx)
	if err != nil {
		return nil, fmt.Errorf("evidence: bundle leaf hashes: %w", err)
	}
	hashes := make([]tlog.Hash, len(recs))
	bad := make([]string, len(recs)) // why record i is inconsistent
	parallelChunks(len(recs), 512, func(lo, hi int) bool {
		for i := lo; i < hi; i++ {
			r := &recs[i]
			hashes[i] = LeafHash(*r)
			if hashes[i] != stored[i] {
				bad[i] = "stored record does not match its leaf hash"
			} else if r.Content != nil && sha256.Sum256(r.Content) != r.ContentSHA256 {
				bad[i] = "stored content does not match its SHA-256"
			}
		}
		return true
	})
	// Proofs: the distinct proof nodes of all records (the v2 node
	// table), from one storage read; then each record's proof from them.
	spans := proofSpans(leaves, cp.Size)
	var idx []int64
	for _, s := range spans {
		idx = storedSpanIndexes(s, idx)
	}
	slices.Sort(idx)
	idx = slices.Compact(idx)
	hs, err := l.st.ReadHashes(ctx, idx)
	if err != nil {
		return nil, fmt.Errorf("evidence: bundle proof hashes: %w", err)
	}
	get := func(x int64) tlog.Hash {
		i, _ := slices.BinarySearch(idx, x)
		return hs[i]
	}
	nodes := make([]byte, 0, len(spans)*tlog.HashSize)
	for _, s := range spans {
		h := spanHash(s, get)
		nodes = append(nodes, h[:]...)
	}
	b := &Bundle{
		Format:     BundleFormat,
		Origin:     cp.Origin,
		Key:        l.signer.VerifierKey(),
		Checkpoint: string(cp.Note),
		Scope:      scope,
		Records:    make([]BundleRecord, len(recs)),
	}
	parallelChunks(len(recs), 512, func(lo, hi int) bool {
		for i := lo; i < hi; i++ {
			r := &recs[i]
			br := BundleRecord{
				Leaf:          r.Index,
				Kind:          r.Kind,
				Ref:           r.Ref,
				Scopes:        r.Scopes,
				At:            r.At.UTC().Format(timeLayout),
				Logged:        r.Logged.UTC().Format(timeLayout),
				ContentSHA256: hex.EncodeToString(r.ContentSHA256[:]),
				Redacted:      r.Redacted || r.Content == nil,
				Proof:         proofFromNodes(r.Index, cp.Size, spans, nodes),
			}
			if !br.Redacted {
				br.Content = r.Content
			}
			b.Records[i] = br
		}
		return true
	})
	// Self-check: the stored hashes must prove every record in the
	// checkpoint. All at once; record by record to name a failure (in the
	// order: leaf hash, content, proof).
	root, ok := multiRoot(leaves, hashes, nodes, cp.Size)
	ok = ok && root == cp.Root
	for i, r := range recs {
		if bad[i] != "" {
			return nil, fmt.Errorf("%w: record %d (%s): %s", ErrInconsistent, i+1, r.Label(), bad[i])
		}
		if ok {
			continue
		}
		proof := make(tlog.RecordProof, len(b.Records[i].Proof)/tlog.HashSize)
		for j := range proof {
			proof[j] = tlog.Hash(b.Records[i].Proof[j*tlog.HashSize:])
		}
		if err := tlog.CheckRecord(proof, cp.Size, cp.Root, r.Index, hashes[i]); err != nil {
			return nil, fmt.Errorf("%w: record %d (%s): stored hashes do not prove it in checkpoint %d", ErrInconsistent, i+1, r.Label(), cp.Size)
		}
	}
	if !ok {
		return nil, fmt.Errorf("%w: stored hashes do not prove the records in checkpoint %d", ErrInconsistent, cp.Size)
	}
	m := manifest{Origin: cp.Origin, Size: cp.Size, Root: cp.Root, Scope: scope, Leaves: leaves}
	for i := range recs {
		r, br := &recs[i], &b.Records[i]
		if r.Kind == KindUpload && !br.Redacted {
			if sha, err := hex.DecodeString(r.Ref); err == nil && len(sha) == sha256.Size {
				ct, data, err := l.st.Blob(ctx, [32]byte(sha))
				switch {
				case err == nil:
					if !slices.ContainsFunc(b.Blobs, func(x BundleBlob) bool { return x.SHA256 == r.Ref }) {
						b.Blobs = append(b.Blobs, BundleBlob{SHA256: r.Ref, ContentType: ct, Data: data})
					}
				case !errors.Is(err, ErrNotFound):
					return nil, fmt.Errorf("evidence: bundle upload %s: %w", r.Ref, err)
				}
			}
		}
	}
	signed, err := l.signer.sign(m.text())
	if err != nil {
		return nil, fmt.Errorf("evidence: signing manifest: %w", err)
	}
	b.Manifest = string(signed)
	return b, nil
}

// WriteBundle writes b as a version 2 bundle file ([BundleFormatV2]:
// compact JSON, one table of the proof nodes shared by all records)
// followed by a newline. A Bundle whose proofs cannot form one table (it
// was edited after Log.Bundle) or whose Format is unknown is written as
// version 1, unchanged (see [WriteBundleV1]).
func WriteBundle(w io.Writer, b *Bundle) error {
	if b.Format == BundleFormat || b.Format == BundleFormatV2 {
		if data, ok := encodeV2(b); ok {
			if _, err := w.Write(data); err != nil {
				return fmt.Errorf("evidence: writing bundle: %w", err)
			}
			return nil
		}
	}
	return WriteBundleV1(w, b)
}

// WriteBundleV1 writes b as a version 1 bundle file (every record with its
// own inclusion proof), for verifiers that predate version 2.
func WriteBundleV1(w io.Writer, b *Bundle) error {
	if b.Format == BundleFormatV2 {
		c := *b
		c.Format = BundleFormat
		b = &c
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(b); err != nil {
		return fmt.Errorf("evidence: writing bundle: %w", err)
	}
	return nil
}

// ReadBundle decodes a bundle file of either version. It rejects unknown
// fields and trailing data; it does not verify anything (see
// [VerifyBundle]). The result is the version 1 model (Format is
// BundleFormat): for a version 2 file every record gets its inclusion
// proof from the file's proof node table. The error wraps ErrInvalid. The
// caller limits how much r may supply.
func ReadBundle(r io.Reader) (*Bundle, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%w: reading bundle: %v", ErrInvalid, err)
	}
	switch f := fileFormat(data); f {
	case BundleFormatV2:
		return readV2(data)
	case BundleFormat, "":
		return readV1(data)
	default:
		return nil, fmt.Errorf("%w: format %q, want %q or %q", ErrInvalid, f, BundleFormat, BundleFormatV2)
	}
}

func readV1(data []byte) (*Bundle, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var b Bundle
	if err := dec.Decode(&b); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%w: bundle is truncated or empty", ErrInvalid)
		}
		return nil, fmt.Errorf("%w: bundle is not valid JSON: %v", ErrInvalid, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: data after the bundle", ErrInvalid)
	}
	return &b, nil
}

// Summary describes a verified bundle.
type Summary struct {
	Origin   string
	Key      string // the verifier key that checked it
	Scope    Scope
	Records  int       // records in the bundle
	Redacted int       // of which redacted (verified by hash only)
	Blobs    int       // uploaded files carried and checked
	Size     int64     // checkpoint tree size
	Root     tlog.Hash // checkpoint root hash
}

// String returns "ok: N records, checkpoint SIZE ROOT" with ROOT in base64
// as in the checkpoint note; this is what `fairmark verify` prints.
func (s Summary) String() string {
	return fmt.Sprintf("ok: %d records, checkpoint %d %s", s.Records, s.Size, base64.StdEncoding.EncodeToString(s.Root[:]))
}

// A VerifyError says what in a bundle failed verification. It unwraps to
// ErrVerify.
type VerifyError struct {
	// Record is the 1-based position in the bundle of the record that
	// failed, or 0 when the failure is not about one record.
	Record int
	Kind   string // the failing record's kind, ref and leaf index
	Ref    string
	Leaf   int64
	// Part names what failed when Record is 0: "bundle", "key",
	// "checkpoint", "manifest" or "blob <sha256>".
	Part   string
	Reason string
}

// Error returns e.g. "record 3 (message m17, leaf 41): inclusion proof does
// not match checkpoint root" or "checkpoint: ...".
func (e *VerifyError) Error() string {
	if e.Record > 0 {
		return fmt.Sprintf("record %d (%s %s, leaf %d): %s", e.Record, e.Kind, e.Ref, e.Leaf, e.Reason)
	}
	return e.Part + ": " + e.Reason
}

// Unwrap returns ErrVerify.
func (e *VerifyError) Unwrap() error { return ErrVerify }

// Verify checks an encoded bundle (either version) offline; see
// [VerifyBundle]. It reports the same first failure as
// VerifyBundle(ReadBundle(bundle)).
func Verify(bundle []byte, pinnedKey string) (Summary, error) {
	var b *Bundle
	var err error
	switch f := fileFormat(bundle); f {
	case BundleFormatV2:
		return verifyV2(bundle, pinnedKey)
	case BundleFormat, "":
		b, err = readV1(bundle)
	default:
		b, err = ReadBundle(bytes.NewReader(bundle)) // names the format
	}
	if err != nil {
		return Summary{}, &VerifyError{Part: "bundle", Reason: strings.TrimPrefix(err.Error(), ErrInvalid.Error()+": ")}
	}
	return VerifyBundle(b, pinnedKey)
}

// VerifyBundle checks b with nothing but b and, when pinnedKey is not
// empty, that key (note verifier-key format): the checkpoint's signature
// and origin, the manifest's signature and its agreement with the
// checkpoint, the scope and the records; then, for every record, that its
// content matches its SHA-256 (unless redacted), that its leaf recomputed
// from the envelope is proved by its inclusion proof against the checkpoint
// root, and that it is the record the manifest lists at that position; and
// that every manifest leaf is present and every blob matches an upload
// record. A bundle carrying a key other than pinnedKey fails. The first
// failure is returned as a *VerifyError.
func VerifyBundle(b *Bundle, pinnedKey string) (Summary, error) {
	h, ve := verifyHeader(b, pinnedKey)
	if ve != nil {
		return Summary{}, ve
	}
	if b.proofErr != nil {
		return Summary{}, b.proofErr
	}
	if ve := verifyRecords(b, h); ve != nil {
		return Summary{}, ve
	}
	return verifyTail(b, h)
}

// bundleHeader is what verifyHeader established.
type bundleHeader struct {
	key string
	cp  Checkpoint
	m   manifest
	pos map[int64]int // manifest position of each leaf (verifyRecords)
}

// verifyHeader checks b's format, key, checkpoint, manifest and scope.
func verifyHeader(b *Bundle, pinnedKey string) (*bundleHeader, *VerifyError) {
	fail := func(part, format string, args ...any) (*bundleHeader, *VerifyError) {
		return nil, &VerifyError{Part: part, Reason: fmt.Sprintf(format, args...)}
	}
	if b.Format != BundleFormat && b.Format != BundleFormatV2 {
		return fail("bundle", "format %q, want %q or %q", b.Format, BundleFormat, BundleFormatV2)
	}
	key := strings.TrimSpace(b.Key)
	if pinned := strings.TrimSpace(pinnedKey); pinned != "" {
		if key != "" && key != pinned {
			return fail("key", "bundle is signed for key %s, not the pinned key %s", key, pinned)
		}
		key = pinned
	}
	if key == "" {
		return fail("key", "bundle carries no key and none is pinned")
	}
	v, err := note.NewVerifier(key)
	if err != nil {
		return fail("key", "malformed verifier key %q: %v", key, err)
	}
	cp, err := openCheckpoint([]byte(b.Checkpoint), v)
	if err != nil {
		return fail("checkpoint", "%s", strings.TrimPrefix(trimSentinel(err), "checkpoint "))
	}
	if b.Origin != cp.Origin {
		return fail("checkpoint", "checkpoint is for log %q, bundle says %q", cp.Origin, b.Origin)
	}
	mn, err := note.Open([]byte(b.Manifest), note.VerifierList(v))
	if err != nil {
		return fail("manifest", "signature: %s", noteError(err, v))
	}
	m, err := parseManifest(mn.Text)
	if err != nil {
		return fail("manifest", "%v", err)
	}
	if m.Origin != cp.Origin || m.Size != cp.Size || m.Root != cp.Root {
		return fail("manifest", "signed for checkpoint %s %d, not the bundle's checkpoint %s %d", m.Origin, m.Size, cp.Origin, cp.Size)
	}
	if m.Scope != b.Scope {
		return fail("manifest", "signed for scope %s, bundle says %s", m.Scope, b.Scope)
	}
	return &bundleHeader{key: key, cp: cp, m: m}, nil
}

// verifyRecords checks every record with its own inclusion proof and
// returns the first failure by position.
func verifyRecords(b *Bundle, h *bundleHeader) *VerifyError {
	if h.pos == nil {
		h.pos = make(map[int64]int, len(h.m.Leaves))
		for i, x := range h.m.Leaves {
			h.pos[x] = i
		}
	}
	// Records are checked in parallel chunks; the first failing record (by
	// position) is reported, whatever the scheduling.
	workers := min(runtime.GOMAXPROCS(0), len(b.Records)/512+1)
	chunk := (len(b.Records) + workers - 1) / max(workers, 1)
	errs := make([]*VerifyError, workers)
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := w*chunk, min((w+1)*chunk, len(b.Records))
		wg.Go(func() {
			for i := lo; i < hi; i++ {
				if e := checkBundleRecord(i, &b.Records[i], h.cp, b.Scope, h.pos, h.m.Leaves); e != nil {
					errs[w] = e
					return
				}
			}
		})
	}
	wg.Wait()
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// verifyTail checks, once every record passed, that none was dropped at
// the end and that every blob is an upload of the bundle, and returns the
// summary.
func verifyTail(b *Bundle, h *bundleHeader) (Summary, error) {
	fail := func(part, format string, args ...any) (Summary, error) {
		return Summary{}, &VerifyError{Part: part, Reason: fmt.Sprintf(format, args...)}
	}
	sum := Summary{Origin: h.cp.Origin, Key: h.key, Scope: b.Scope, Records: len(b.Records), Size: h.cp.Size, Root: h.cp.Root}
	uploads := map[string]bool{}
	for i := range b.Records {
		if b.Records[i].Redacted {
			sum.Redacted++
		}
		if b.Records[i].Kind == KindUpload {
			uploads[b.Records[i].Ref] = true
		}
	}
	m := h.m
	if len(b.Records) < len(m.Leaves) {
		return fail("bundle", "leaf %d, listed in the signed manifest at position %d, is missing: a record was dropped", m.Leaves[len(b.Records)], len(b.Records)+1)
	}
	for _, bl := range b.Blobs {
		part := "blob " + bl.SHA256
		if !uploads[bl.SHA256] {
			return fail(part, "not referenced by any upload record in the bundle")
		}
		sha := sha256.Sum256(bl.Data)
		if hex.EncodeToString(sha[:]) != bl.SHA256 {
			return fail(part, "data does not match its SHA-256: the file was altered")
		}
		sum.Blobs++
	}
	return sum, nil
}

// checkBundleRecord checks the record at position i of a bundle against
// the checkpoint cp, the bundle's scope and the manifest's leaves (pos maps
// a leaf to its manifest position).
func checkBundleRecord(i int, br *BundleRecord, cp Checkpoint, scope Scope, pos map[int64]int, leaves []int64) *VerifyError {
	r, e := checkRecordFields(i, br, cp)
	if e != nil {
		return e
	}
	rfail := func(format string, args ...any) *VerifyError {
		return &VerifyError{Record: i + 1, Kind: br.Kind, Ref: br.Ref, Leaf: br.Leaf, Reason: fmt.Sprintf(format, args...)}
	}
	if len(br.Proof)%tlog.HashSize != 0 {
		return rfail("inclusion proof: %d bytes, not a whole number of %d-byte hashes", len(br.Proof), tlog.HashSize)
	}
	proof := make(tlog.RecordProof, len(br.Proof)/tlog.HashSize)
	for j := range proof {
		proof[j] = tlog.Hash(br.Proof[j*tlog.HashSize:])
	}
	if err := tlog.CheckRecord(proof, cp.Size, cp.Root, br.Leaf, LeafHash(r)); err != nil {
		return rfail("inclusion proof does not match checkpoint root: the record or its proof was altered")
	}
	if !containsScope(r.Scopes, scope) {
		return rfail("record is not in the bundle's scope %s", scope)
	}
	switch p, ok := pos[br.Leaf]; {
	case !ok:
		return rfail("not listed in the signed manifest: the record was added")
	case p > i:
		return rfail("the signed manifest lists leaf %d at this position: a record before this one was dropped or moved", leaves[i])
	case p < i:
		return rfail("out of order: the signed manifest lists it at position %d", p+1)
	}
	return nil
}

// checkRecordFields rebuilds the record at position i of a bundle and
// checks its fields, its content against its SHA-256 and that its leaf is
// in the checkpoint's tree: the checks before the inclusion proof.
func checkRecordFields(i int, br *BundleRecord, cp Checkpoint) (Record, *VerifyError) {
	rfail := func(format string, args ...any) (Record, *VerifyError) {
		return Record{}, &VerifyError{Record: i + 1, Kind: br.Kind, Ref: br.Ref, Leaf: br.Leaf, Reason: fmt.Sprintf(format, args...)}
	}
	r, err := br.record()
	if err != nil {
		return rfail("%v", err)
	}
	if br.Redacted {
		if len(br.Content) > 0 {
			return rfail("marked redacted but carries content")
		}
	} else if sha256.Sum256(br.Content) != r.ContentSHA256 {
		return rfail("content does not match its SHA-256: the content was altered")
	}
	if br.Leaf < 0 || br.Leaf >= cp.Size {
		return rfail("leaf index outside the checkpoint's tree of size %d", cp.Size)
	}
	return r, nil
}

func containsScope(scopes []Scope, s Scope) bool { return slices.Contains(scopes, s) }

// record rebuilds the envelope fields of br.
func (br *BundleRecord) record() (Record, error) {
	r := Record{Index: br.Leaf, Kind: br.Kind, Ref: br.Ref, Scopes: br.Scopes}
	var err error
	if r.At, err = parseBundleTime(br.At); err != nil {
		return r, fmt.Errorf("at: %v", err)
	}
	if r.Logged, err = parseBundleTime(br.Logged); err != nil {
		return r, fmt.Errorf("logged: %v", err)
	}
	sha, err := hex.DecodeString(br.ContentSHA256)
	if err != nil || len(sha) != sha256.Size {
		return r, fmt.Errorf("content_sha256 %q is not 64 hex digits", br.ContentSHA256)
	}
	r.ContentSHA256 = [32]byte(sha)
	return r, nil
}

func parseBundleTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return t, fmt.Errorf("malformed time %q", s)
	}
	if t.Nanosecond()%1000 != 0 {
		return t, fmt.Errorf("time %q has sub-microsecond digits", s)
	}
	if t.Before(minTime) || t.After(maxTime) {
		return t, fmt.Errorf("time %q out of range", s)
	}
	return t, nil
}

// trimSentinel drops the "evidence: ...: " prefix of a sentinel error.
func trimSentinel(err error) string {
	s := err.Error()
	for _, e := range []error{ErrVerify, ErrInvalid} {
		s = strings.TrimPrefix(s, e.Error()+": ")
	}
	return s
}
