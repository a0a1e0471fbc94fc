package evidence

import (
	"context"
	"errors"
	"fmt"
	"math/bits"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

// A Log writes an evidence log kept in a [Storage]. It assigns indexes,
// computes the Merkle tree's stored hashes, signs checkpoints and builds
// bundles. Its methods are safe for concurrent use; a Log serialises its
// own appends and checkpoints.
//
// Several Logs (in one process or several, e.g. fairmark workers sharing
// one PostgreSQL database) may write to one Storage: the storage orders
// their appends (the loser of a race gets ErrConflict), and a Log that
// finds the stored tree grown by others catches up, after checking that
// the stored tree extends the one it knew (else ErrInconsistent). All
// writers must sign with the same key.
type Log struct {
	// Now returns the logging time. Set it before first use; it defaults to
	// time.Now.
	Now func() time.Time

	st     Storage
	signer *Signer

	mu   sync.Mutex // serialises Append, Checkpoint and Redact
	size int64
	// frontier holds the stored hashes of the complete subtrees of the
	// tree of size size (at most 64): all that appending or computing the
	// tree hash needs, so appends never read the storage.
	frontier map[int64]tlog.Hash
}

// Open returns the Log kept in st, signed by signer. It loads the tree's
// frontier and, when a checkpoint was published before, checks that its
// signature holds and that the stored tree is consistent with it; a log
// whose history was rewritten fails with an error wrapping ErrInconsistent.
func Open(ctx context.Context, st Storage, signer *Signer) (*Log, error) {
	if st == nil || signer == nil {
		return nil, fmt.Errorf("%w: Open needs a storage and a signer", ErrInvalid)
	}
	l := &Log{Now: time.Now, st: st, signer: signer, frontier: map[int64]tlog.Hash{}}
	for attempt := 0; ; attempt++ {
		if err := l.syncLocked(ctx); err != nil {
			return nil, fmt.Errorf("evidence: open: %w", err)
		}
		_, _, err := l.checkStoredLocked(ctx, l.size)
		if err == nil {
			return l, nil
		}
		// Another writer may have appended and published a checkpoint of
		// a larger tree since the size was read: catch up and check again.
		if m, err2 := st.Size(ctx); errors.Is(err, ErrInconsistent) && err2 == nil && m > l.size && attempt < appendRetries {
			continue
		}
		return nil, err
	}
}

// Origin returns the log's origin.
func (l *Log) Origin() string { return l.signer.Origin() }

// VerifierKey returns the log's public key in note verifier-key format.
func (l *Log) VerifierKey() string { return l.signer.VerifierKey() }

// Size returns the number of records in the tree this Log knows: the
// records it appended and those of other writers it has caught up with
// (Append and Checkpoint catch up; records appended by others since are
// not counted until then).
func (l *Log) Size() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.size
}

// frontierIndexes returns the storage indexes of the roots of the complete
// subtrees that make up a tree of size n, largest first.
func frontierIndexes(n int64) []int64 {
	var idx []int64
	for level := 63; level >= 0; level-- {
		if n&(1<<level) != 0 {
			idx = append(idx, tlog.StoredHashIndex(level, n>>level-1))
		}
	}
	return idx
}

// appendRetries bounds how often Append resynchronises with the storage
// and tries again after another writer appended first (ErrConflict).
const appendRetries = 32

// backoff waits before retry attempt+1 of an append that lost a race: a
// random time up to 1 ms << attempt, at most 64 ms. Without it a Log that
// loses once keeps losing to a writer that appends back to back (it
// reads the size while the other holds the storage's lock, and commits
// after it); with it the writers' attempts fall out of step.
func backoff(ctx context.Context, attempt int) error {
	limit := time.Millisecond << min(attempt, 6)
	t := time.NewTimer(limit/4 + rand.N(limit*3/4))
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Append validates recs, assigns them the next indexes and the logging
// time, and stores them with their tree hashes in one Storage.Append. It
// returns the records as stored (Index, Logged, At, ContentSHA256 and the
// sorted Scopes filled in). Either all of recs are appended or none: a
// validation error wraps ErrInvalid and names the record; a storage error
// is returned as is and leaves the log unchanged.
//
// When another writer appended to the storage first (the storage reports
// ErrConflict), Append reloads the tree's size and frontier from the
// storage, checks that the stored tree extends the one this Log knew
// (else ErrInconsistent), assigns the records the new indexes and tries
// again, up to 32 times, waiting a short random time (growing to 64 ms)
// before each.
func (l *Log) Append(ctx context.Context, recs ...Record) ([]Record, error) {
	return l.append(ctx, recs, nil)
}

// AppendOnce is Append for records that must be logged at most once: it
// appends only those whose (Kind, Ref) no record in the storage has yet
// (nor an earlier record of recs), and returns them as stored; the others
// are left out (a record without a Ref is always appended). Several writers, in one process or
// several, may AppendOnce the same records at once: each (Kind, Ref) is
// stored once. The storage must implement [RefIndex]; otherwise
// AppendOnce returns an error wrapping ErrInvalid.
//
// Why it holds: the storage is asked which refs it has after the Log has
// read its size; an Append at that size succeeds only if nobody appended
// since, so nothing logged after the question can be missed — if another
// writer appended in between, the Append loses the race (ErrConflict),
// and the next try asks again.
func (l *Log) AppendOnce(ctx context.Context, recs ...Record) ([]Record, error) {
	idx, ok := l.st.(RefIndex)
	if !ok {
		return nil, fmt.Errorf("%w: AppendOnce needs a storage that implements RefIndex", ErrInvalid)
	}
	return l.append(ctx, recs, idx)
}

func (l *Log) append(ctx context.Context, recs []Record, once RefIndex) ([]Record, error) {
	if len(recs) == 0 {
		return nil, nil
	}
	now := l.now()
	all := make([]Record, len(recs))
	errs := make([]error, len(recs))
	parallelChunks(len(recs), 256, func(lo, hi int) bool {
		for i := lo; i < hi; i++ {
			all[i], errs[i] = prepare(recs[i], now)
		}
		return true
	})
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("record %d (%s %s): %w", i+1, recs[i].Kind, recs[i].Ref, err)
		}
	}
	out := all
	if once != nil {
		out = firstOfEachRef(all)
	}
	leaves := make([]tlog.Hash, len(out))

	l.mu.Lock()
	defer l.mu.Unlock()
	for attempt := 0; ; attempt++ {
		if once != nil && l.size > 0 {
			// An empty log has logged nothing (and if it is no longer
			// empty, the Append below loses the race and this asks).
			var err error
			if out, err = notLogged(ctx, once, out); err != nil {
				return nil, fmt.Errorf("evidence: append: %w", err)
			}
			if len(out) == 0 {
				return nil, nil
			}
			leaves = leaves[:len(out)]
		}
		first := l.size
		for i := range out {
			out[i].Index = first + int64(i)
		}
		parallelChunks(len(out), 256, func(lo, hi int) bool {
			for i := lo; i < hi; i++ {
				leaves[i] = LeafHash(out[i])
			}
			return true
		})
		hashes, err := l.hashesLocked(leaves)
		if err != nil {
			return nil, err
		}
		err = l.st.Append(ctx, out, hashes)
		if err == nil {
			l.advanceLocked(int64(len(out)), hashes)
			return out, nil
		}
		if !errors.Is(err, ErrConflict) || attempt == appendRetries {
			return nil, fmt.Errorf("evidence: append: %w", err)
		}
		if err := backoff(ctx, attempt); err != nil {
			return nil, fmt.Errorf("evidence: append: %w", err)
		}
		if err := l.syncLocked(ctx); err != nil {
			return nil, fmt.Errorf("evidence: append: %w", err)
		}
	}
}

// firstOfEachRef returns recs without the records whose (Kind, Ref) an
// earlier record of recs has (records without a Ref all stay).
func firstOfEachRef(recs []Record) []Record {
	type key struct{ kind, ref string }
	seen := make(map[key]bool, len(recs))
	out := recs[:0:0]
	for _, r := range recs {
		if r.Ref != "" {
			k := key{r.Kind, r.Ref}
			if seen[k] {
				continue
			}
			seen[k] = true
		}
		out = append(out, r)
	}
	return out
}

// notLogged returns recs without those whose (Kind, Ref) idx has logged.
func notLogged(ctx context.Context, idx RefIndex, recs []Record) ([]Record, error) {
	refs := map[string][]string{}
	for _, r := range recs {
		if r.Ref != "" {
			refs[r.Kind] = append(refs[r.Kind], r.Ref)
		}
	}
	logged := map[string]map[string]bool{}
	for kind, rs := range refs {
		got, err := idx.Logged(ctx, kind, rs)
		if err != nil {
			return nil, fmt.Errorf("which records are logged: %w", err)
		}
		logged[kind] = got
	}
	out := recs[:0:0]
	for _, r := range recs {
		if r.Ref == "" || !logged[r.Kind][r.Ref] {
			out = append(out, r)
		}
	}
	return out, nil
}

// hashesLocked returns the stored hashes that the records with leaf
// hashes leaves, appended at the log's size, add to the tree.
func (l *Log) hashesLocked(leaves []tlog.Hash) ([]tlog.Hash, error) {
	first := l.size
	base := tlog.StoredHashIndex(0, first)
	hashes := make([]tlog.Hash, 0, tlog.StoredHashCount(first+int64(len(leaves)))-base)
	r := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		res := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			switch h, ok := l.frontier[x]; {
			case x >= base:
				res[i] = hashes[x-base]
			case ok:
				res[i] = h
			default:
				return nil, fmt.Errorf("%w: stored hash %d not in the frontier", ErrInconsistent, x)
			}
		}
		return res, nil
	})
	for i, leaf := range leaves {
		hs, err := tlog.StoredHashesForRecordHash(first+int64(i), leaf, r)
		if err != nil {
			return nil, fmt.Errorf("evidence: hashing record %d: %w", first+int64(i), err)
		}
		hashes = append(hashes, hs...)
	}
	return hashes, nil
}

// advanceLocked moves the frontier over n records just stored with their
// hashes.
func (l *Log) advanceLocked(n int64, hashes []tlog.Hash) {
	base := tlog.StoredHashIndex(0, l.size)
	newSize := l.size + n
	nf := make(map[int64]tlog.Hash, bits.OnesCount64(uint64(newSize)))
	for _, x := range frontierIndexes(newSize) {
		if x >= base {
			nf[x] = hashes[x-base]
		} else {
			nf[x] = l.frontier[x]
		}
	}
	l.frontier, l.size = nf, newSize
}

// syncLocked catches up with records other writers appended to the
// storage: it loads the stored tree's size and frontier and checks, with
// an RFC 6962 consistency proof from the stored hashes, that the stored
// tree extends the tree this Log knew; otherwise it changes nothing and
// returns an error wrapping ErrInconsistent.
func (l *Log) syncLocked(ctx context.Context) error {
	n, err := l.st.Size(ctx)
	if err != nil {
		return err
	}
	switch {
	case n < l.size:
		return fmt.Errorf("%w: storage has %d records, fewer than the %d this log appended or saw", ErrInconsistent, n, l.size)
	case n == l.size:
		return nil
	}
	idx := frontierIndexes(n)
	hs, err := l.st.ReadHashes(ctx, idx)
	if err != nil {
		return fmt.Errorf("reading tree frontier: %w", err)
	}
	nf := make(map[int64]tlog.Hash, len(idx))
	for i, x := range idx {
		nf[x] = hs[i]
	}
	if l.size > 0 {
		old, err := tlog.TreeHash(l.size, frontierReader(l.frontier))
		if err != nil {
			return err
		}
		root, err := tlog.TreeHash(n, frontierReader(nf))
		if err != nil {
			return err
		}
		proof, err := tlog.ProveTree(n, l.size, l.reader(ctx))
		if err != nil {
			return fmt.Errorf("consistency proof %d..%d: %w", l.size, n, err)
		}
		if err := tlog.CheckTree(proof, n, root, l.size, old); err != nil {
			return fmt.Errorf("%w: the stored tree of size %d does not extend the tree of size %d this log appended or saw", ErrInconsistent, n, l.size)
		}
	}
	l.frontier, l.size = nf, n
	return nil
}

// frontierReader reads stored hashes from a frontier (tlog.TreeHash of the
// frontier's tree size reads no others).
func frontierReader(f map[int64]tlog.Hash) tlog.HashReader {
	return tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		res := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			h, ok := f[x]
			if !ok {
				return nil, fmt.Errorf("%w: stored hash %d not in the frontier", ErrInconsistent, x)
			}
			res[i] = h
		}
		return res, nil
	})
}

func (l *Log) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

// reader adapts the storage to tlog.HashReader.
func (l *Log) reader(ctx context.Context) tlog.HashReader {
	return tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		return l.st.ReadHashes(ctx, idx)
	})
}

// checkStoredLocked computes the stored tree's hash at size n, checks that
// the latest published checkpoint is consistent with it and (when n is the
// log's size) that it matches the log's own frontier. It returns the
// root and the latest checkpoint (zero Checkpoint when there is none).
func (l *Log) checkStoredLocked(ctx context.Context, n int64) (tlog.Hash, Checkpoint, error) {
	root, err := tlog.TreeHash(n, l.reader(ctx))
	if err != nil {
		return tlog.Hash{}, Checkpoint{}, fmt.Errorf("evidence: tree hash: %w", err)
	}
	prev, err := l.latestLocked(ctx)
	switch {
	case errors.Is(err, ErrNotFound):
		prev = Checkpoint{}
	case err != nil:
		return tlog.Hash{}, Checkpoint{}, err
	case prev.Size > n:
		return tlog.Hash{}, Checkpoint{}, fmt.Errorf("%w: log has %d records, fewer than the %d of the published checkpoint", ErrInconsistent, n, prev.Size)
	case prev.Size == n:
		if prev.Root != root {
			return tlog.Hash{}, Checkpoint{}, fmt.Errorf("%w: tree hash at size %d differs from the published checkpoint: history was rewritten", ErrInconsistent, n)
		}
	case prev.Size > 0:
		proof, err := tlog.ProveTree(n, prev.Size, l.reader(ctx))
		if err != nil {
			return tlog.Hash{}, Checkpoint{}, fmt.Errorf("evidence: consistency proof %d..%d: %w", prev.Size, n, err)
		}
		if err := tlog.CheckTree(proof, n, root, prev.Size, prev.Root); err != nil {
			return tlog.Hash{}, Checkpoint{}, fmt.Errorf("%w: tree of size %d is not consistent with the published checkpoint of size %d: history was rewritten", ErrInconsistent, n, prev.Size)
		}
	}
	if n == l.size {
		mem, err := tlog.TreeHash(n, tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
			res := make([]tlog.Hash, len(idx))
			for i, x := range idx {
				res[i] = l.frontier[x]
			}
			return res, nil
		}))
		if err != nil {
			return tlog.Hash{}, Checkpoint{}, fmt.Errorf("evidence: tree hash: %w", err)
		}
		if mem != root {
			return tlog.Hash{}, Checkpoint{}, fmt.Errorf("%w: stored tree hash at size %d differs from the one the log computed", ErrInconsistent, n)
		}
	}
	return root, prev, nil
}

// latestLocked returns the latest stored checkpoint, signature checked.
func (l *Log) latestLocked(ctx context.Context) (Checkpoint, error) {
	size, signed, err := l.st.LatestCheckpoint(ctx)
	if err != nil {
		return Checkpoint{}, err
	}
	c, err := openCheckpoint(signed, l.signer.Verifier())
	if err != nil {
		return Checkpoint{}, fmt.Errorf("%w: stored checkpoint: %v", ErrInconsistent, err)
	}
	if c.Size != size {
		return Checkpoint{}, fmt.Errorf("%w: stored checkpoint says size %d, stored as %d", ErrInconsistent, c.Size, size)
	}
	return c, nil
}

// LatestCheckpoint returns the latest published checkpoint with its
// signature checked, or an error wrapping ErrNotFound.
func (l *Log) LatestCheckpoint(ctx context.Context) (Checkpoint, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.latestLocked(ctx)
}

// Checkpoint signs and publishes a checkpoint for the current tree. Before
// publishing it checks that the stored tree hash matches the one the log
// computed while appending and that the tree is consistent (RFC 6962
// consistency proof from the stored hashes) with the previously published
// checkpoint; otherwise it publishes nothing and returns an error wrapping
// ErrInconsistent. When the tree has not grown since the latest checkpoint,
// that checkpoint is returned and nothing new is signed.
//
// When other writers have appended to the storage, the log first catches
// up with them (checking that the stored tree extends the one it knew, as
// Append does) and the checkpoint covers the whole stored tree.
func (l *Log) Checkpoint(ctx context.Context) (Checkpoint, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for attempt := 0; ; attempt++ {
		if err := l.syncLocked(ctx); err != nil {
			return Checkpoint{}, fmt.Errorf("evidence: checkpoint: %w", err)
		}
		n := l.size
		root, prev, err := l.checkStoredLocked(ctx, n)
		if err != nil {
			// Another writer may have published a checkpoint of a larger
			// tree since the size was read: catch up and check again.
			if m, err2 := l.st.Size(ctx); errors.Is(err, ErrInconsistent) && err2 == nil && m > n && attempt < appendRetries {
				continue
			}
			return Checkpoint{}, err
		}
		if prev.Note != nil && prev.Size == n {
			return prev, nil
		}
		c := Checkpoint{Origin: l.signer.Origin(), Size: n, Root: root}
		if c.Note, err = l.signer.sign(c.Text()); err != nil {
			return Checkpoint{}, fmt.Errorf("evidence: signing checkpoint: %w", err)
		}
		if err := l.st.SaveCheckpoint(ctx, n, c.Note); err != nil {
			return Checkpoint{}, fmt.Errorf("evidence: saving checkpoint: %w", err)
		}
		return c, nil
	}
}

// InclusionProof returns the RFC 6962 proof that the record at index is in
// the tree of size treeSize (0 < index+1 <= treeSize <= Size). Check it with
// tlog.CheckRecord(proof, treeSize, root, index, leafHash).
func (l *Log) InclusionProof(ctx context.Context, index, treeSize int64) (tlog.RecordProof, error) {
	if index < 0 || index >= treeSize || treeSize > l.Size() {
		return nil, fmt.Errorf("%w: inclusion proof for leaf %d in tree of size %d (log size %d)", ErrInvalid, index, treeSize, l.Size())
	}
	p, err := tlog.ProveRecord(treeSize, index, l.reader(ctx))
	if err != nil {
		return nil, fmt.Errorf("evidence: inclusion proof: %w", err)
	}
	return p, nil
}

// ConsistencyProof returns the RFC 6962 proof that the tree of size from is
// a prefix of the tree of size to (0 < from <= to <= Size). Check it with
// tlog.CheckTree(proof, to, toRoot, from, fromRoot).
func (l *Log) ConsistencyProof(ctx context.Context, from, to int64) (tlog.TreeProof, error) {
	if from < 1 || from > to || to > l.Size() {
		return nil, fmt.Errorf("%w: consistency proof %d..%d (log size %d)", ErrInvalid, from, to, l.Size())
	}
	p, err := tlog.ProveTree(to, from, l.reader(ctx))
	if err != nil {
		return nil, fmt.Errorf("evidence: consistency proof: %w", err)
	}
	return p, nil
}

// TreeHash returns the root hash of the stored tree of size n (n <= Size).
func (l *Log) TreeHash(ctx context.Context, n int64) (tlog.Hash, error) {
	if n < 0 || n > l.Size() {
		return tlog.Hash{}, fmt.Errorf("%w: tree size %d (log size %d)", ErrInvalid, n, l.Size())
	}
	return tlog.TreeHash(n, l.reader(ctx))
}

// Redact drops the content of the record at index for privacy and logs the
// redaction as a new record of kind "redaction" in the same scopes, whose
// Ref is the redacted leaf index and whose content is
// {"leaf":INDEX,"reason":REASON} (reason must be non-empty). The redacted
// record keeps its content hash, so it still verifies. It returns the
// redaction record. Unknown index: ErrNotFound.
func (l *Log) Redact(ctx context.Context, index int64, reason string) (Record, error) {
	if reason == "" {
		return Record{}, fmt.Errorf("%w: redaction needs a reason", ErrInvalid)
	}
	r, err := l.st.Record(ctx, index)
	if err != nil {
		return Record{}, err
	}
	content := fmt.Appendf(nil, `{"leaf":%d,"reason":%s}`, index, strconv.Quote(reason))
	recs, err := l.Append(ctx, Record{
		Kind:    KindRedaction,
		Ref:     strconv.FormatInt(index, 10),
		Scopes:  r.Scopes,
		Content: content,
	})
	if err != nil {
		return Record{}, err
	}
	if err := l.st.Redact(ctx, index); err != nil {
		return Record{}, fmt.Errorf("evidence: redact %d: %w", index, err)
	}
	return recs[0], nil
}

// Audit recomputes every leaf from the stored records and every stored hash
// from the leaves, and checks the result against the stored hashes and the
// latest checkpoint. It reads the whole log (O(size)); run it from a
// command or at a quiet time. Any difference is an error wrapping
// ErrInconsistent that names the first record or hash that differs.
func (l *Log) Audit(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := l.size
	var hashes []tlog.Hash
	r := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		res := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			res[i] = hashes[x]
		}
		return res, nil
	})
	const chunk = 4096
	for start := int64(0); start < n; start += chunk {
		end := min(start+chunk, n)
		for i := start; i < end; i++ {
			rec, err := l.st.Record(ctx, i)
			if err != nil {
				return fmt.Errorf("evidence: audit: %w", err)
			}
			if rec.Index != i {
				return fmt.Errorf("%w: record %d is stored with index %d", ErrInconsistent, i, rec.Index)
			}
			if rec.Content != nil && sha256Sum(rec.Content) != rec.ContentSHA256 {
				return fmt.Errorf("%w: record %d (%s): content does not match its SHA-256", ErrInconsistent, i, rec.Label())
			}
			hs, err := tlog.StoredHashesForRecordHash(i, LeafHash(rec), r)
			if err != nil {
				return err
			}
			hashes = append(hashes, hs...)
		}
		lo, hi := tlog.StoredHashIndex(0, start), int64(len(hashes))
		idx := make([]int64, hi-lo)
		for i := range idx {
			idx[i] = lo + int64(i)
		}
		stored, err := l.st.ReadHashes(ctx, idx)
		if err != nil {
			return fmt.Errorf("evidence: audit: %w", err)
		}
		for i, h := range stored {
			if h != hashes[lo+int64(i)] {
				level, k := tlog.SplitStoredHashIndex(lo + int64(i))
				if level == 0 {
					rec, _ := l.st.Record(ctx, k)
					return fmt.Errorf("%w: record %d (%s): stored leaf hash does not match the record", ErrInconsistent, k, rec.Label())
				}
				return fmt.Errorf("%w: stored hash %d (level %d, node %d) does not match the records", ErrInconsistent, lo+int64(i), level, k)
			}
		}
	}
	if _, _, err := l.checkStoredLocked(ctx, n); err != nil {
		return err
	}
	return nil
}
