package web

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/evidence"
)

// MaxUpload is the largest evidence file accepted (16 MiB).
const MaxUpload = 16 << 20

func (s *Server) evidenceRoutes() {
	s.handle("GET /v1/evidence/key", s.evidenceKey, false)
	s.handle("GET /v1/evidence/checkpoint", s.evidenceCheckpoint, false)
	s.handle("GET /v1/evidence/consistency", s.evidenceConsistency, false)
	s.handleFor("POST /v1/evidence/uploads", s.evidenceUpload, opStaffOwner)
	s.handleFor("GET /v1/evidence/uploads/{sha}", s.evidenceBlob, opStaff)
	s.handleFor("GET /v1/evidence/bundle", s.evidenceBundle, opStaffOwner)
}

func (s *Server) evidenceLog() (*evidence.Log, error) {
	l := s.Service.EvidenceLog()
	if l == nil {
		return nil, fairmark.Errorf(fairmark.ENOTFOUND, "this server keeps no evidence log")
	}
	return l, nil
}

// evidenceErr maps evidence errors to application errors.
func evidenceErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, evidence.ErrNotFound):
		return fairmark.Errorf(fairmark.ENOTFOUND, "%v", err)
	case errors.Is(err, evidence.ErrTooLarge):
		return fairmark.Errorf(fairmark.ETOOLARGE, "%v", err)
	case errors.Is(err, evidence.ErrUploadType), errors.Is(err, evidence.ErrInvalid):
		return fairmark.Errorf(fairmark.EINVALID, "%v", err)
	}
	return err
}

func (s *Server) evidenceKey(w http.ResponseWriter, r *http.Request) error {
	l, err := s.evidenceLog()
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]string{"origin": l.Origin(), "key": l.VerifierKey()})
}

// evidenceCheckpoint signs (if the log grew) and returns the latest
// checkpoint as a signed note, text/plain.
func (s *Server) evidenceCheckpoint(w http.ResponseWriter, r *http.Request) error {
	l, err := s.evidenceLog()
	if err != nil {
		return err
	}
	if l.Size() == 0 {
		return fairmark.Errorf(fairmark.ENOTFOUND, "the evidence log is empty")
	}
	cp, err := l.Checkpoint(r.Context())
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, err = w.Write(cp.Note)
	return err
}

func (s *Server) evidenceConsistency(w http.ResponseWriter, r *http.Request) error {
	l, err := s.evidenceLog()
	if err != nil {
		return err
	}
	q := r.URL.Query()
	from, err1 := strconv.ParseInt(q.Get("from"), 10, 64)
	to, err2 := strconv.ParseInt(q.Get("to"), 10, 64)
	if err1 != nil || err2 != nil || from < 1 || to < from || to > l.Size() {
		return fairmark.Errorf(fairmark.EINVALID, "want 1 <= from <= to <= %d (the log size)", l.Size())
	}
	proof, err := l.ConsistencyProof(r.Context(), from, to)
	if err != nil {
		return evidenceErr(err)
	}
	hashes := make([]string, len(proof))
	for i, h := range proof {
		hashes[i] = base64.StdEncoding.EncodeToString(h[:])
	}
	return writeJSON(w, http.StatusOK, map[string]any{"from": from, "to": to, "proof": hashes})
}

// scopeParams reads the one scope a request names: conversation, order,
// report, case or account.
func scopeParams(r *http.Request) ([]evidence.Scope, error) {
	var out []evidence.Scope
	for _, t := range []string{evidence.ScopeConversation, evidence.ScopeOrder, evidence.ScopeReport, evidence.ScopeCase, evidence.ScopeAccount} {
		if v := r.URL.Query().Get(t); v != "" {
			out = append(out, evidence.Scope{Type: t, ID: v})
		}
	}
	return out, nil
}

// evidenceUpload takes a file as the raw body or as the "file" part of a
// multipart form, and the scopes it belongs to as query parameters.
func (s *Server) evidenceUpload(w http.ResponseWriter, r *http.Request) error {
	l, err := s.evidenceLog()
	if err != nil {
		return err
	}
	scopes, _ := scopeParams(r)
	by := r.URL.Query().Get("by")
	if p := principal(r); p.Role == fairmark.RoleSeller {
		for _, sc := range scopes {
			if err := s.sellerScope(r, sc); err != nil {
				return err
			}
		}
		by = p.Actor()
	}
	declared := r.Header.Get("Content-Type")
	var body io.Reader = http.MaxBytesReader(w, r.Body, MaxUpload+1<<20)
	if mt, _, _ := mime.ParseMediaType(declared); mt == "multipart/form-data" {
		if err := r.ParseMultipartForm(MaxUpload); err != nil {
			return fairmark.Errorf(fairmark.EINVALID, "multipart form: %v", err)
		}
		f, hdr, err := r.FormFile("file")
		if err != nil {
			return fairmark.Errorf(fairmark.EINVALID, `multipart upload needs a "file" part`)
		}
		defer f.Close()
		body, declared = f, hdr.Header.Get("Content-Type")
	}
	data, err := io.ReadAll(io.LimitReader(body, MaxUpload+1))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return fairmark.Errorf(fairmark.ETOOLARGE, "upload larger than %d bytes", MaxUpload)
		}
		return fairmark.Errorf(fairmark.EINVALID, "read upload: %v", err)
	}
	rec, err := l.PutUpload(r.Context(), data, declared, MaxUpload, evidence.UploadMeta{
		Scopes: scopes, By: by, Description: r.URL.Query().Get("note"),
	})
	if err != nil {
		return evidenceErr(err)
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"sha256": rec.Ref, "leaf": rec.Index, "logged_at": rec.Logged, "scopes": rec.Scopes})
}

func (s *Server) evidenceBlob(w http.ResponseWriter, r *http.Request) error {
	l, err := s.evidenceLog()
	if err != nil {
		return err
	}
	sha := strings.ToLower(r.PathValue("sha"))
	if b, err := hex.DecodeString(sha); err != nil || len(b) != 32 {
		return fairmark.Errorf(fairmark.EINVALID, "not a SHA-256 in hex: %q", sha)
	}
	ct, data, err := l.Upload(r.Context(), sha)
	if err != nil {
		return evidenceErr(err)
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Disposition", "attachment; filename=\""+sha+"\"")
	_, err = w.Write(data)
	return err
}

func (s *Server) evidenceBundle(w http.ResponseWriter, r *http.Request) error {
	l, err := s.evidenceLog()
	if err != nil {
		return err
	}
	scopes, _ := scopeParams(r)
	if len(scopes) != 1 {
		return fairmark.Errorf(fairmark.EINVALID, "name exactly one of conversation, order, report, case or account")
	}
	if err := s.sellerScope(r, scopes[0]); err != nil {
		return err
	}
	if l.Size() > 0 {
		if _, err := l.Checkpoint(r.Context()); err != nil {
			return err
		}
	}
	b, err := l.Bundle(r.Context(), scopes[0])
	if err != nil {
		return evidenceErr(err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", "attachment; filename=\"fairmark-evidence-"+scopes[0].Type+".json\"")
	return evidence.WriteBundle(w, b)
}
