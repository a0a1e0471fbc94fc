package evidence

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"time"
)

// DefaultMaxUpload is the upload size limit used when PutUpload is given
// maxSize <= 0.
const DefaultMaxUpload = 20 << 20

// UploadTypes are the media types PutUpload accepts, as sniffed by
// http.DetectContentType (parameters such as charset are ignored):
// screenshots, PDFs, plain text exports and audio/video recordings. Active
// content (HTML, scripts, SVG) is refused, so serving an upload can never
// run code in the seller portal.
var UploadTypes = []string{
	"image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp",
	"application/pdf", "text/plain",
	"audio/mpeg", "audio/wave", "audio/aiff", "audio/basic", "application/ogg",
	"video/mp4", "video/webm", "video/avi",
}

// UploadMeta describes an uploaded file. None of it is used to name or
// locate the file: uploads are addressed by their SHA-256 only.
type UploadMeta struct {
	Scopes      []Scope   // bundles the upload belongs to (e.g. the case)
	At          time.Time // when the evidence was captured; zero: now
	By          string    // who uploaded it (account id), optional
	Description string    // free text from the uploader, optional
}

// UploadInfo is the content of an upload record: JSON with these fields.
type UploadInfo struct {
	SHA256       string `json:"sha256"`        // hex SHA-256 of the file
	Size         int64  `json:"size"`          // bytes
	ContentType  string `json:"content_type"`  // sniffed
	DeclaredType string `json:"declared_type"` // as declared by the client, informational
	By           string `json:"by,omitempty"`
	Description  string `json:"description,omitempty"`
}

// PutUpload stores an uploaded file as a content-addressed blob and logs
// an "upload" record for it, whose Ref is the hex SHA-256 of data and whose
// Content is the UploadInfo JSON. The content type is sniffed with
// http.DetectContentType; declaredType is only recorded. Errors:
// ErrTooLarge when len(data) > maxSize (DefaultMaxUpload if maxSize <= 0),
// ErrUploadType when the sniffed type is not in UploadTypes, ErrInvalid for
// an empty file or bad meta. Uploading the same bytes twice logs two
// records sharing one blob. If the append fails the blob may stay stored
// unreferenced; that is harmless.
func (l *Log) PutUpload(ctx context.Context, data []byte, declaredType string, maxSize int64, meta UploadMeta) (Record, error) {
	if maxSize <= 0 {
		maxSize = DefaultMaxUpload
	}
	if int64(len(data)) > maxSize {
		return Record{}, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(data), maxSize)
	}
	if len(data) == 0 {
		return Record{}, fmt.Errorf("%w: empty upload", ErrInvalid)
	}
	ct := http.DetectContentType(data)
	media, _, err := mime.ParseMediaType(ct)
	if err != nil || !slices.Contains(UploadTypes, media) {
		return Record{}, fmt.Errorf("%w: %s", ErrUploadType, ct)
	}
	sha := sha256.Sum256(data)
	info := UploadInfo{
		SHA256:       hex.EncodeToString(sha[:]),
		Size:         int64(len(data)),
		ContentType:  ct,
		DeclaredType: declaredType,
		By:           meta.By,
		Description:  meta.Description,
	}
	content, err := json.Marshal(info)
	if err != nil {
		return Record{}, fmt.Errorf("evidence: upload info: %w", err)
	}
	if err := l.st.PutBlob(ctx, sha, ct, data); err != nil {
		return Record{}, fmt.Errorf("evidence: storing upload: %w", err)
	}
	recs, err := l.Append(ctx, Record{
		Kind:    KindUpload,
		Ref:     info.SHA256,
		Scopes:  meta.Scopes,
		At:      meta.At,
		Content: content,
	})
	if err != nil {
		return Record{}, err
	}
	return recs[0], nil
}

// Upload returns the content type and bytes of the upload with the given
// hex SHA-256 (the Ref of its record). Unknown or malformed: ErrNotFound.
func (l *Log) Upload(ctx context.Context, shaHex string) (string, []byte, error) {
	b, err := hex.DecodeString(shaHex)
	if err != nil || len(b) != sha256.Size {
		return "", nil, fmt.Errorf("%w: upload %q", ErrNotFound, shaHex)
	}
	return l.st.Blob(ctx, [32]byte(b))
}
