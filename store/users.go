package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"github.com/fairmark/fairmark"
)

// This file keeps the people who sign in to the web UI (users), their
// sessions, and the few reads the seller portal makes of one seller's own
// remarks and reports.

// User is a person who signs in to the web UI: a staff member or a seller.
// The marketplace's machine client signs in with the API key instead and
// has no User.
type User struct {
	// ID is the login name.
	ID   string
	Name string
	Role fairmark.UserRole
	// Seller is the seller account a seller user acts for; empty for staff.
	Seller  fairmark.AccountID
	Created time.Time
}

// Principal is the user as the principal of a request.
func (u User) Principal() fairmark.Principal {
	return fairmark.Principal{User: u.ID, Name: u.Name, Role: u.Role, Seller: u.Seller}
}

// Password lengths accepted. bcrypt reads at most 72 bytes; a longer
// password is refused rather than silently cut.
const (
	MinPassword = 8
	MaxPassword = 72
)

func validateUser(u User) error {
	if u.ID == "" || len(u.ID) > 64 || strings.ContainsFunc(u.ID, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return fairmark.Errorf(fairmark.EINVALID, "user id must be 1 to 64 characters without spaces")
	}
	if !utf8.ValidString(u.ID) || !utf8.ValidString(u.Name) {
		return fairmark.Errorf(fairmark.EINVALID, "user id and name must be UTF-8")
	}
	switch u.Role {
	case fairmark.RoleAgent, fairmark.RoleLead:
		if u.Seller != "" {
			return fairmark.Errorf(fairmark.EINVALID, "a %s user acts for no seller account", u.Role)
		}
	case fairmark.RoleSeller:
		if u.Seller == "" {
			return fairmark.Errorf(fairmark.EINVALID, "a seller user needs its seller account")
		}
	case fairmark.RoleOperator:
		return fairmark.Errorf(fairmark.EINVALID, "the operator signs in with the API key, not as a user")
	default:
		return fairmark.Errorf(fairmark.EINVALID, "unknown role %q", u.Role)
	}
	return nil
}

func hashPassword(password string) (string, error) {
	if len(password) < MinPassword || len(password) > MaxPassword {
		return "", fairmark.Errorf(fairmark.EINVALID, "a password has %d to %d bytes", MinPassword, MaxPassword)
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return "", err
	}
	return string(h), nil
}

// CreateUser adds a user with a password (kept as a bcrypt hash). Returns
// ECONFLICT if the id is taken and EINVALID for a bad id, role, seller
// account or password length.
func (db *DB) CreateUser(ctx context.Context, u User, password string) error {
	if err := validateUser(u); err != nil {
		return err
	}
	if u.Name == "" {
		u.Name = u.ID
	}
	hash, err := hashPassword(password)
	if err != nil {
		return err
	}
	if u.Created.IsZero() {
		u.Created = db.Now()
	}
	res, err := db.w.ExecContext(ctx, db.q(`INSERT INTO users (id, name, role, seller, password_hash, created_ns) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`),
		u.ID, u.Name, string(u.Role), string(u.Seller), hash, ns(u.Created))
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return fairmark.Errorf(fairmark.ECONFLICT, "user %s already exists", u.ID)
	}
	return nil
}

// SetPassword replaces a user's password and ends all their sessions.
// Returns ENOTFOUND for an unknown user and EINVALID for a bad length.
func (db *DB) SetPassword(ctx context.Context, id, password string) error {
	hash, err := hashPassword(password)
	if err != nil {
		return err
	}
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, db.q(`UPDATE users SET password_hash = ? WHERE id = ?`), hash, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fairmark.Errorf(fairmark.ENOTFOUND, "user %s not found", id)
	}
	if _, err := tx.ExecContext(ctx, db.q(`DELETE FROM sessions WHERE user_id = ?`), id); err != nil {
		return err
	}
	return tx.Commit()
}

const userCols = `id, name, role, seller, created_ns`

func scanUser(row interface{ Scan(...any) error }, extra ...any) (User, error) {
	var u User
	var created int64
	err := row.Scan(append([]any{&u.ID, &u.Name, &u.Role, &u.Seller, &created}, extra...)...)
	u.Created = time.Unix(0, created).UTC()
	return u, err
}

// User returns one user; ENOTFOUND if there is none with that id.
func (db *DB) User(ctx context.Context, id string) (User, error) {
	u, err := scanUser(db.r.QueryRowContext(ctx, db.q(`SELECT `+userCols+` FROM users WHERE id = ?`), id))
	return u, notFound(err, "user", id)
}

// Users returns every user, by id.
func (db *DB) Users(ctx context.Context) ([]User, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+userCols+` FROM users ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// dummyHash is compared against when the user does not exist, so that a
// wrong user name takes as long as a wrong password.
var dummyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("fairmark-no-such-user"), bcrypt.DefaultCost)
	return h
})

// Authenticate checks a user's password and returns the user. A wrong id
// or password returns EUNAUTHORIZED with the same message for both.
func (db *DB) Authenticate(ctx context.Context, id, password string) (User, error) {
	var hash string
	u, err := scanUser(db.r.QueryRowContext(ctx, db.q(`SELECT `+userCols+`, password_hash FROM users WHERE id = ?`), id), &hash)
	if errors.Is(err, sql.ErrNoRows) {
		bcrypt.CompareHashAndPassword(dummyHash(), []byte(password))
		return User{}, fairmark.Errorf(fairmark.EUNAUTHORIZED, "wrong user name or password")
	}
	if err != nil {
		return User{}, err
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil {
		return User{}, fairmark.Errorf(fairmark.EUNAUTHORIZED, "wrong user name or password")
	}
	return u, nil
}

// Session is a signed-in web session. The token that names it is known
// only to the browser; the store keeps its SHA-256.
type Session struct {
	User    User
	Created time.Time
	Expires time.Time
	// Lang is the UI language chosen in this session ("" for none).
	Lang string
}

func tokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// CreateSession starts a session for user that lasts ttl and returns its
// token: 32 random bytes, base64url without padding. Only the token's
// SHA-256 is stored. ENOTFOUND if the user does not exist.
func (db *DB) CreateSession(ctx context.Context, user string, ttl time.Duration, lang string) (string, Session, error) {
	u, err := db.User(ctx, user)
	if err != nil {
		return "", Session{}, err
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", Session{}, err
	}
	token := base64.RawURLEncoding.EncodeToString(raw[:])
	now := db.Now()
	s := Session{User: u, Created: now.UTC(), Expires: now.Add(ttl).UTC(), Lang: lang}
	_, err = db.w.ExecContext(ctx, db.q(`INSERT INTO sessions (token_sha, user_id, created_ns, expires_ns, lang) VALUES (?, ?, ?, ?, ?)`),
		tokenHash(token), u.ID, ns(s.Created), ns(s.Expires), lang)
	if err != nil {
		return "", Session{}, err
	}
	return token, s, nil
}

// SessionByToken returns the live session a token names, with its user as
// stored now (a changed role applies at once). An unknown, ended or
// expired session returns EUNAUTHORIZED.
func (db *DB) SessionByToken(ctx context.Context, token string) (Session, error) {
	if token == "" {
		return Session{}, fairmark.Errorf(fairmark.EUNAUTHORIZED, "not signed in")
	}
	var s Session
	var created, expires int64
	u, err := scanUser(db.r.QueryRowContext(ctx, db.q(`SELECT u.id, u.name, u.role, u.seller, u.created_ns, s.created_ns, s.expires_ns, s.lang
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_sha = ? AND s.expires_ns > ?`), tokenHash(token), ns(db.Now())),
		&created, &expires, &s.Lang)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, fairmark.Errorf(fairmark.EUNAUTHORIZED, "session ended or expired: sign in again")
	}
	if err != nil {
		return Session{}, err
	}
	s.User, s.Created, s.Expires = u, time.Unix(0, created).UTC(), time.Unix(0, expires).UTC()
	return s, nil
}

// SetSessionLang records the UI language chosen in a session.
func (db *DB) SetSessionLang(ctx context.Context, token, lang string) error {
	_, err := db.w.ExecContext(ctx, db.q(`UPDATE sessions SET lang = ? WHERE token_sha = ?`), lang, tokenHash(token))
	return err
}

// DeleteSession ends a session (sign out). Ending an unknown session is
// not an error.
func (db *DB) DeleteSession(ctx context.Context, token string) error {
	_, err := db.w.ExecContext(ctx, db.q(`DELETE FROM sessions WHERE token_sha = ?`), tokenHash(token))
	return err
}

// DeleteExpiredSessions removes sessions past their expiry and returns
// how many it removed.
func (db *DB) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	res, err := db.w.ExecContext(ctx, db.q(`DELETE FROM sessions WHERE expires_ns <= ?`), ns(db.Now()))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// SellerRemark is a negative remark a seller received, with its order.
type SellerRemark struct {
	FeedbackRow
	Title  string          // the order's item title, if known
	Amount *fairmark.Money // the order's amount, if known
}

// SellerRemarks returns the remarks a seller received that are or were
// negative (the ones a seller may report), newest first, at most limit
// (default 100).
func (db *DB) SellerRemarks(ctx context.Context, seller fairmark.AccountID, limit int) ([]SellerRemark, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := db.r.QueryContext(ctx, db.q(`SELECT f.id, f.order_id, f.buyer, f.seller, f.rating, f.first_rating, f.stars, f.text, f.left_ns, f.withdrawn_ns, f.revisions,
		COALESCE(o.title, ''), o.amount, COALESCE(o.currency, '')
		FROM feedback f LEFT JOIN orders o ON o.id = f.order_id
		WHERE f.seller = ? AND (f.rating = 'negative' OR f.first_rating = 'negative')
		ORDER BY COALESCE(f.left_ns, 0) DESC, f.id LIMIT ?`), string(seller), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []SellerRemark
	for rows.Next() {
		var r SellerRemark
		var left, wd, amount sql.NullInt64
		var currency string
		if err := rows.Scan(&r.ID, &r.Order, &r.Buyer, &r.Seller, &r.Rating, &r.FirstRating, &r.Stars, &r.Text, &left, &wd, &r.Revisions,
			&r.Title, &amount, &currency); err != nil {
			return nil, err
		}
		r.Left, r.Withdrawn = fromNS(left), fromNS(wd)
		if amount.Valid && currency != "" {
			r.Amount = &fairmark.Money{Value: fairmark.Decimal(amount.Int64), Currency: currency}
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ReportRow is a stored report.
type ReportRow struct {
	ID       fairmark.ReportID
	Reporter fairmark.AccountID
	Accused  fairmark.AccountID
	Order    fairmark.OrderID
	Feedback fairmark.FeedbackID
	Kind     fairmark.ReportKind
	Text     string
	Paid     *fairmark.Money
	Evidence []fairmark.EvidenceRef
	Event    fairmark.EventID
	At       time.Time
}

const reportCols = `id, reporter, accused, order_id, feedback, kind, text, paid, currency, evidence, event_id, at_ns`

func scanReport(row interface{ Scan(...any) error }) (ReportRow, error) {
	var r ReportRow
	var paid sql.NullInt64
	var currency, ev string
	var at int64
	if err := row.Scan(&r.ID, &r.Reporter, &r.Accused, &r.Order, &r.Feedback, &r.Kind, &r.Text, &paid, &currency, &ev, &r.Event, &at); err != nil {
		return r, err
	}
	if paid.Valid {
		r.Paid = &fairmark.Money{Value: fairmark.Decimal(paid.Int64), Currency: currency}
	}
	if err := json.Unmarshal([]byte(ev), &r.Evidence); err != nil {
		return r, err
	}
	r.At = time.Unix(0, at).UTC()
	return r, nil
}

// ReportsBy returns the reports an account filed, newest first, at most
// limit (default 100).
func (db *DB) ReportsBy(ctx context.Context, reporter fairmark.AccountID, limit int) ([]ReportRow, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := db.r.QueryContext(ctx, db.q(`SELECT `+reportCols+` FROM reports WHERE reporter = ? ORDER BY at_ns DESC, id LIMIT ?`), string(reporter), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ReportRow
	for rows.Next() {
		r, err := scanReport(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ReportFiledBy returns one report if reporter filed it. A report that
// does not exist and one filed by someone else both return ENOTFOUND, so
// the answer tells nothing about other accounts' reports.
func (db *DB) ReportFiledBy(ctx context.Context, reporter fairmark.AccountID, id fairmark.ReportID) (ReportRow, error) {
	r, err := scanReport(db.r.QueryRowContext(ctx, db.q(`SELECT `+reportCols+` FROM reports WHERE id = ? AND reporter = ?`), string(id), string(reporter)))
	return r, notFound(err, "report", id)
}
