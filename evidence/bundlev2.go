package evidence

import (
	"bytes"
	"encoding/json"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/mod/sumdb/tlog"
)

// BundleFormatV2 is the format of the bundle files WriteBundle writes:
// the records without per-record proofs, and one table of the distinct
// proof nodes of all of them (docs/EVIDENCE.md §5.2). ReadBundle and
// Verify read both versions.
const BundleFormatV2 = "fairmark-evidence-bundle/v2"

// fileFormat returns the format named by the bundle file data: its first
// member when that is "format" (as both writers put it), else what
// encoding/json finds. "" when there is none.
func fileFormat(data []byte) string {
	r := &jsonReader{d: data}
	if r.expect('{') {
		if name := r.rawString(); r.err == nil && string(name) == "format" && r.expect(':') {
			if f := r.str(-1); r.err == nil {
				return f
			}
		}
	}
	var v struct {
		Format string `json:"format"`
	}
	json.Unmarshal(data, &v)
	return v.Format
}

// unverifiedManifest parses the text of a signed manifest note without
// checking its signature (the verifier checks it before trusting it).
func unverifiedManifest(signed string) (manifest, error) {
	text, _, ok := strings.Cut(signed, "\n\n")
	if !ok {
		return manifest{}, fmt.Errorf("malformed note")
	}
	return parseManifest(text + "\n")
}

// v2Proofs checks the length of a v2 proof node table against the
// manifest m.
func v2Proofs(raw []byte, m manifest) *VerifyError {
	if err := checkProofLeaves(m.Leaves, m.Size); err != nil {
		return &VerifyError{Part: "manifest", Reason: err.Error()}
	}
	n := 0
	if len(m.Leaves) > 0 {
		n = countSpans(m.Leaves, 0, m.Size)
	}
	if len(raw) != n*tlog.HashSize {
		return &VerifyError{Part: "bundle", Reason: fmt.Sprintf(
			"proof: %d bytes, want %d (%d nodes of %d bytes for the manifest's leaves)",
			len(raw), n*tlog.HashSize, n, tlog.HashSize)}
	}
	return nil
}

// expandProofs sets each record's Proof from the node table (nil when its
// leaf has no complete path in the table).
func expandProofs(b *Bundle, m manifest, nodes []byte) {
	spans := proofSpans(m.Leaves, m.Size)
	size := m.Size
	parallelChunks(len(b.Records), 256, func(lo, hi int) bool {
		for i := lo; i < hi; i++ {
			b.Records[i].Proof = proofFromNodes(b.Records[i].Leaf, size, spans, nodes)
		}
		return true
	})
}

// readV2 decodes a v2 file into the in-memory Bundle, with every record's
// inclusion proof taken from the node table. When the table cannot be
// used (its manifest is malformed or it has the wrong length), the
// records get no proofs and VerifyBundle reports why after checking the
// signatures.
func readV2(data []byte) (*Bundle, error) {
	f, err := parseV2(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	b := &f.b
	if b.Format != BundleFormatV2 {
		return b, nil // VerifyBundle reports it
	}
	m, err := unverifiedManifest(b.Manifest)
	if err != nil {
		b.proofErr = &VerifyError{Part: "manifest", Reason: err.Error()}
		return b, nil
	}
	if ve := v2Proofs(f.nodes, m); ve != nil {
		b.proofErr = ve
		return b, nil
	}
	expandProofs(b, m, f.nodes)
	b.Format = BundleFormat
	return b, nil
}

// verifyV2 is Verify for a v2 file. It checks all records at once: their
// leaf hashes and the node table must produce the checkpoint root (a
// multi-leaf proof, sharing the work of the upper tree levels), after the
// same per-record checks as VerifyBundle. When anything fails it falls
// back to checking each record with its own proof from the table, as
// VerifyBundle does, to report the first failing record.
func verifyV2(data []byte, pinnedKey string) (Summary, error) {
	f, err := parseV2(data)
	if err != nil {
		return Summary{}, &VerifyError{Part: "bundle", Reason: err.Error()}
	}
	b := &f.b
	h, ve := verifyHeader(b, pinnedKey)
	if ve != nil {
		return Summary{}, ve
	}
	if ve := v2Proofs(f.nodes, h.m); ve != nil {
		return Summary{}, ve
	}
	if len(b.Records) == len(h.m.Leaves) {
		hashes := make([]tlog.Hash, len(b.Records))
		ok := parallelChunks(len(b.Records), 512, func(lo, hi int) bool {
			for i := lo; i < hi; i++ {
				br := &b.Records[i]
				if br.Leaf != h.m.Leaves[i] {
					return false
				}
				r, e := checkRecordFields(i, br, h.cp)
				if e != nil || !containsScope(r.Scopes, b.Scope) {
					return false
				}
				hashes[i] = LeafHash(r)
			}
			return true
		})
		if ok {
			if root, ok := multiRoot(h.m.Leaves, hashes, f.nodes, h.cp.Size); ok && root == h.cp.Root {
				return verifyTail(b, h)
			}
		}
	}
	// Something failed: find the first failing record the slow way.
	expandProofs(b, h.m, f.nodes)
	if ve := verifyRecords(b, h); ve != nil {
		return Summary{}, ve
	}
	if _, err := verifyTail(b, h); err != nil {
		return Summary{}, err
	}
	// Only a SHA-256 collision gets here.
	return Summary{}, &VerifyError{Part: "bundle", Reason: "proof nodes are inconsistent with the records"}
}

// parallelChunks calls f on consecutive chunks [lo, hi) of [0, n) of at
// least min items on up to GOMAXPROCS goroutines, and reports whether all
// calls returned true (it stops early once one returns false).
func parallelChunks(n, minChunk int, f func(lo, hi int) bool) bool {
	workers := max(1, min(runtime.GOMAXPROCS(0), n/minChunk))
	if workers == 1 {
		return f(0, n)
	}
	chunk := (n + workers - 1) / workers
	var failed atomic.Bool
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := w*chunk, min((w+1)*chunk, n)
		wg.Go(func() {
			for s := lo; s < hi && !failed.Load(); s += 128 {
				if !f(s, min(s+128, hi)) {
					failed.Store(true)
				}
			}
		})
	}
	wg.Wait()
	return !failed.Load()
}

// encodeV2 encodes b as a v2 file. It reports false when b's proofs cannot
// be written as one node table: the records are not exactly the
// manifest's leaves, or their proofs are not the RFC 6962 paths of one
// tree (an edited Bundle); WriteBundle then writes v1, which keeps every
// proof as it is.
func encodeV2(b *Bundle) ([]byte, bool) {
	m, err := unverifiedManifest(b.Manifest)
	if err != nil || len(m.Leaves) != len(b.Records) || checkProofLeaves(m.Leaves, m.Size) != nil {
		return nil, false
	}
	spans := proofSpans(m.Leaves, m.Size)
	nodes := make([]byte, len(spans)*tlog.HashSize)
	set := make([]bool, len(spans))
	for i := range b.Records {
		br := &b.Records[i]
		if br.Leaf != m.Leaves[i] {
			return nil, false
		}
		path := pathSpans(br.Leaf, m.Size)
		if len(br.Proof) != len(path)*tlog.HashSize {
			return nil, false
		}
		for k, s := range path {
			j := findSpan(spans, s)
			h := br.Proof[k*tlog.HashSize : (k+1)*tlog.HashSize]
			dst := nodes[j*tlog.HashSize : (j+1)*tlog.HashSize]
			if !set[j] {
				copy(dst, h)
				set[j] = true
			} else if !bytes.Equal(dst, h) {
				return nil, false
			}
		}
	}

	n := 1024 + len(b.Checkpoint) + len(b.Manifest) + len(nodes)*4/3
	for i := range b.Records {
		n += 256 + len(b.Records[i].Ref) + len(b.Records[i].Content)*4/3
	}
	for _, bl := range b.Blobs {
		n += 128 + len(bl.Data)*4/3
	}
	out := make([]byte, 0, n)
	out = append(out, `{"format":`...)
	out = appendJSONString(out, BundleFormatV2)
	out = append(out, `,"origin":`...)
	out = appendJSONString(out, b.Origin)
	out = append(out, `,"key":`...)
	out = appendJSONString(out, b.Key)
	out = append(out, `,"checkpoint":`...)
	out = appendJSONString(out, b.Checkpoint)
	out = append(out, `,"manifest":`...)
	out = appendJSONString(out, b.Manifest)
	out = append(out, `,"scope":`...)
	out = appendJSONScope(out, b.Scope)
	out = append(out, `,"proof":`...)
	out = appendJSONBase64(out, nodes)
	out = append(out, `,"records":[`...)
	for i := range b.Records {
		br := &b.Records[i]
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, `{"leaf":`...)
		out = strconv.AppendInt(out, br.Leaf, 10)
		out = append(out, `,"kind":`...)
		out = appendJSONString(out, br.Kind)
		out = append(out, `,"ref":`...)
		out = appendJSONString(out, br.Ref)
		out = append(out, `,"scopes":[`...)
		for k, s := range br.Scopes {
			if k > 0 {
				out = append(out, ',')
			}
			out = appendJSONScope(out, s)
		}
		out = append(out, `],"at":`...)
		out = appendJSONString(out, br.At)
		out = append(out, `,"logged":`...)
		out = appendJSONString(out, br.Logged)
		out = append(out, `,"content_sha256":`...)
		out = appendJSONString(out, br.ContentSHA256)
		if len(br.Content) > 0 {
			out = append(out, `,"content":`...)
			out = appendJSONBase64(out, br.Content)
		}
		if br.Redacted {
			out = append(out, `,"redacted":true`...)
		}
		out = append(out, '}')
	}
	out = append(out, ']')
	if len(b.Blobs) > 0 {
		out = append(out, `,"blobs":[`...)
		for i, bl := range b.Blobs {
			if i > 0 {
				out = append(out, ',')
			}
			out = append(out, `{"sha256":`...)
			out = appendJSONString(out, bl.SHA256)
			out = append(out, `,"content_type":`...)
			out = appendJSONString(out, bl.ContentType)
			out = append(out, `,"data":`...)
			out = appendJSONBase64(out, bl.Data)
			out = append(out, '}')
		}
		out = append(out, ']')
	}
	out = append(out, "}\n"...)
	return out, true
}
