package ui

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/event"
	"github.com/fairmark/fairmark/evidence"
	"github.com/fairmark/fairmark/store"
)

// upload is one evidence file of a report, checked: its size and its
// sniffed type. It is read whole only when it is stored, one at a time.
type upload struct {
	h                       *multipart.FileHeader
	name, declared, sniffed string
}

// read returns the file's bytes.
func (f upload) read() ([]byte, error) {
	r, err := f.h.Open()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(io.LimitReader(r, maxFileSize+1))
}

// evidenceKind names an upload by what it is, for the report's evidence
// list: screenshot, recording, video, document or text (an SMS or chat
// export).
func evidenceKind(media string) string {
	switch {
	case strings.HasPrefix(media, "image/"):
		return "screenshot"
	case strings.HasPrefix(media, "audio/"), media == "application/ogg":
		return "recording"
	case strings.HasPrefix(media, "video/"):
		return "video"
	case media == "application/pdf":
		return "document"
	}
	return "text"
}

// reportSubmit files a report in one step. The remark's order and buyer
// come from the remark itself (and the marketplace chat about that order
// is already in the evidence log); each uploaded file is stored in the
// evidence log, addressed by its SHA-256; then a report.filed event with
// the seller as reporter and the files' hashes as evidence is ingested
// like any marketplace event. Problems are shown at their fields.
func (u *UI) reportSubmit(w http.ResponseWriter, r *http.Request, rq *request) error {
	ctx := r.Context()
	seller := rq.p.Seller
	r.Body = http.MaxBytesReader(w, r.Body, maxReportBody)
	var errs reportErrors
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return fairmark.Errorf(fairmark.ETOOLARGE, "%s", rq.T("report.err.toolarge", maxFiles, maxFileSize>>20))
		}
		return fairmark.Errorf(fairmark.EINVALID, "%s", rq.T("err.form"))
	}
	defer r.MultipartForm.RemoveAll()
	in := reportInput{
		ID:       r.PostFormValue("id"),
		Feedback: strings.TrimSpace(r.PostFormValue("feedback")),
		Kind:     r.PostFormValue("kind"),
		Text:     strings.TrimSpace(r.PostFormValue("text")),
		Paid:     strings.TrimSpace(r.PostFormValue("paid")),
		Currency: strings.ToUpper(strings.TrimSpace(r.PostFormValue("currency"))),
		Note:     strings.TrimSpace(r.PostFormValue("note")),
	}
	if !reportIDRe.MatchString(in.ID) {
		in.ID = newReportID(u.now())
	}

	// The remark: the seller's own, whatever the form says.
	var fb store.FeedbackRow
	if in.Feedback == "" {
		errs.Feedback = rq.T("report.err.feedback")
	} else {
		f, err := u.db.FeedbackRow(ctx, fairmark.FeedbackID(in.Feedback))
		switch {
		case err == nil && f.Seller == seller && f.Buyer != "":
			fb = f
		case err == nil || fairmark.ErrorCode(err) == fairmark.ENOTFOUND:
			errs.Feedback = rq.T("report.err.notyours")
		default:
			return err
		}
	}
	kind := fairmark.ReportKind(in.Kind)
	switch kind {
	case fairmark.ReportExtortion, fairmark.ReportOffPlatformContact, fairmark.ReportFakeFeedback, fairmark.ReportOther:
	default:
		errs.Kind = rq.T("report.err.kind")
	}
	if !utf8.ValidString(in.Text) || utf8.RuneCountInString(in.Text) > maxReportText {
		errs.Text = rq.T("report.err.text", maxReportText)
	}
	if !utf8.ValidString(in.Note) || utf8.RuneCountInString(in.Note) > maxNote {
		errs.Files = rq.T("report.err.note", maxNote)
	}
	var paid *fairmark.Money
	if in.Paid != "" {
		v, err := fairmark.ParseDecimal(in.Paid)
		switch {
		case err != nil:
			errs.Paid = rq.T("report.err.amount")
		case !isCurrencyCode(in.Currency):
			errs.Paid = rq.T("report.err.currency")
		case v > 0:
			paid = &fairmark.Money{Value: v, Currency: in.Currency}
		}
	}
	files, ferr := readUploads(r.MultipartForm.File["evidence"], rq.T)
	if ferr != "" {
		errs.Files = ferr
	}
	if len(files) > 0 && u.svc.EvidenceLog() == nil {
		errs.Files = rq.T("report.err.nolog")
	}
	if errs.Any() {
		v, err := u.reportFormPage(r, rq, in, "")
		if err != nil {
			return err
		}
		v.Errs = errs
		return u.render(w, http.StatusBadRequest, "report", "", v)
	}

	// The same form submitted twice: the report exists already.
	eventID := fairmark.EventID("ui-" + in.ID)
	if _, err := u.db.EventByID(ctx, eventID); err == nil {
		if _, err := u.db.ReportFiledBy(ctx, seller, fairmark.ReportID(in.ID)); err == nil {
			http.Redirect(w, r, "/seller/reports/"+in.ID, http.StatusSeeOther)
			return nil
		}
		in.ID = newReportID(u.now())
		eventID = fairmark.EventID("ui-" + in.ID)
	}

	rep := &fairmark.Report{ID: fairmark.ReportID(in.ID), Reporter: seller, Accused: fb.Buyer, Order: fb.Order, Feedback: fb.ID,
		Kind: kind, Text: in.Text, Paid: paid}
	scopes := []evidence.Scope{{Type: evidence.ScopeReport, ID: in.ID}, {Type: evidence.ScopeAccount, ID: string(seller)}}
	if fb.Order != "" {
		scopes = append(scopes, evidence.Scope{Type: evidence.ScopeOrder, ID: string(fb.Order)})
	}
	for _, f := range files {
		desc := f.name
		if in.Note != "" {
			desc += ": " + in.Note
		}
		data, err := f.read()
		if err != nil {
			return err
		}
		rec, err := u.svc.EvidenceLog().PutUpload(ctx, data, f.declared, maxFileSize, evidence.UploadMeta{Scopes: scopes, By: string(seller), Description: desc})
		if err != nil {
			return err // checked above: size and type are fine
		}
		rep.Evidence = append(rep.Evidence, fairmark.EvidenceRef{Kind: evidenceKind(f.sniffed), SHA256: rec.Ref, Note: f.name})
	}
	e := &fairmark.Event{ID: eventID, Type: fairmark.ReportFiled, At: u.now().UTC(), Report: rep}
	raw, err := event.Encode(e)
	if err != nil {
		return err
	}
	valid, err := event.Decode(raw)
	if err != nil {
		return err // a bug: the UI built an event the contract refuses
	}
	if _, _, err := u.svc.IngestValid(ctx, []store.Incoming{{Event: valid, Raw: raw}}); err != nil {
		return err
	}
	u.logger.Info("report filed in the seller portal", "report", in.ID, "seller", seller, "accused", fb.Buyer, "files", len(files))
	http.Redirect(w, r, "/seller/reports/"+in.ID+"?filed=1", http.StatusSeeOther)
	return nil
}

func isCurrencyCode(s string) bool {
	if len(s) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// readUploads reads the chosen files and checks each before anything is
// stored: at most maxFiles, each at most maxFileSize and of a type the
// evidence log accepts. A problem is returned as a message made with t.
func readUploads(hs []*multipart.FileHeader, t func(string, ...any) string) ([]upload, string) {
	var out []upload
	for _, h := range hs {
		if h.Filename == "" && h.Size == 0 {
			continue // the browser sends an empty part when no file is chosen
		}
		if len(out) == maxFiles {
			return nil, t("report.err.files", maxFiles)
		}
		if h.Size > maxFileSize {
			return nil, t("report.err.filesize", h.Filename, maxFileSize>>20)
		}
		if h.Size == 0 {
			return nil, t("report.err.filetype", h.Filename)
		}
		// Sniff the type from the first bytes, as the evidence log will.
		f, err := h.Open()
		if err != nil {
			return nil, t("err.form")
		}
		head := make([]byte, 512)
		n, err := io.ReadFull(f, head)
		f.Close()
		if err != nil && err != io.ErrUnexpectedEOF {
			return nil, t("err.form")
		}
		media, _, _ := mime.ParseMediaType(http.DetectContentType(head[:n]))
		if !slices.Contains(evidence.UploadTypes, media) {
			return nil, t("report.err.filetype", h.Filename)
		}
		name := h.Filename
		if i := strings.LastIndexAny(name, `/\`); i >= 0 {
			name = name[i+1:]
		}
		if !utf8.ValidString(name) {
			name = "file"
		}
		if utf8.RuneCountInString(name) > 100 {
			name = string([]rune(name)[:100])
		}
		out = append(out, upload{h: h, name: name, declared: h.Header.Get("Content-Type"), sniffed: media})
	}
	return out, ""
}
