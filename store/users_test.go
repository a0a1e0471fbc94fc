package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/store"
)

func TestUsers(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			db := open(t)
			seller := store.User{ID: "s9-owner", Name: "Naughty Baby 淘气宝贝", Role: fairmark.RoleSeller, Seller: "s9"}
			if err := db.CreateUser(ctx, seller, "correct horse"); err != nil {
				t.Fatal(err)
			}
			if err := db.CreateUser(ctx, store.User{ID: "ann", Role: fairmark.RoleAgent}, "agent-pass"); err != nil {
				t.Fatal(err)
			}
			if err := db.CreateUser(ctx, seller, "another one"); fairmark.ErrorCode(err) != fairmark.ECONFLICT {
				t.Fatalf("create twice: got %v, want %s", err, fairmark.ECONFLICT)
			}
			for _, bad := range []struct {
				u  store.User
				pw string
			}{
				{store.User{ID: "x", Role: fairmark.RoleSeller}, "long enough"},             // seller without account
				{store.User{ID: "x", Role: fairmark.RoleLead, Seller: "s1"}, "long enough"}, // staff with account
				{store.User{ID: "x", Role: fairmark.RoleOperator}, "long enough"},           // operator is the API key
				{store.User{ID: "x", Role: "boss"}, "long enough"},                          // unknown role
				{store.User{ID: "has space", Role: fairmark.RoleAgent}, "long enough"},      // bad id
				{store.User{ID: "x", Role: fairmark.RoleAgent}, "short"},                    // short password
				{store.User{ID: "x", Role: fairmark.RoleAgent}, string(make([]byte, 73))},   // over bcrypt's 72 bytes
			} {
				if err := db.CreateUser(ctx, bad.u, bad.pw); fairmark.ErrorCode(err) != fairmark.EINVALID {
					t.Fatalf("create %+v: got %v, want %s", bad.u, err, fairmark.EINVALID)
				}
			}
			u, err := db.Authenticate(ctx, "s9-owner", "correct horse")
			if err != nil {
				t.Fatal(err)
			}
			if u.Name != seller.Name || u.Role != fairmark.RoleSeller || u.Seller != "s9" {
				t.Fatalf("authenticate: got %+v", u)
			}
			if p := u.Principal(); p.Seller != "s9" || p.Actor() != "seller:s9-owner" {
				t.Fatalf("principal: got %+v", p)
			}
			for _, c := range [][2]string{{"s9-owner", "wrong horse"}, {"nobody", "correct horse"}} {
				if _, err := db.Authenticate(ctx, c[0], c[1]); fairmark.ErrorCode(err) != fairmark.EUNAUTHORIZED {
					t.Fatalf("authenticate %v: got %v, want %s", c, err, fairmark.EUNAUTHORIZED)
				}
			}
			us, err := db.Users(ctx)
			if err != nil || len(us) != 2 || us[0].ID != "ann" || us[1].ID != "s9-owner" {
				t.Fatalf("users: got %+v (%v)", us, err)
			}
			if _, err := db.User(ctx, "nobody"); fairmark.ErrorCode(err) != fairmark.ENOTFOUND {
				t.Fatalf("unknown user: got %v, want %s", err, fairmark.ENOTFOUND)
			}
		})
	}
}

func TestSessions(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			db := open(t)
			now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
			db.Now = func() time.Time { return now }
			if err := db.CreateUser(ctx, store.User{ID: "lee", Name: "Lee", Role: fairmark.RoleLead}, "lead-pass"); err != nil {
				t.Fatal(err)
			}
			if _, _, err := db.CreateSession(ctx, "nobody", time.Hour, ""); fairmark.ErrorCode(err) != fairmark.ENOTFOUND {
				t.Fatalf("session for unknown user: got %v, want %s", err, fairmark.ENOTFOUND)
			}
			token, s, err := db.CreateSession(ctx, "lee", time.Hour, "zh-CN")
			if err != nil {
				t.Fatal(err)
			}
			if len(token) != 43 || !s.Expires.Equal(now.Add(time.Hour)) {
				t.Fatalf("session: token %q (%d chars), expires %v", token, len(token), s.Expires)
			}
			got, err := db.SessionByToken(ctx, token)
			if err != nil {
				t.Fatal(err)
			}
			if got.User.ID != "lee" || got.User.Role != fairmark.RoleLead || got.Lang != "zh-CN" || !got.Created.Equal(now) {
				t.Fatalf("session by token: got %+v", got)
			}
			if err := db.SetSessionLang(ctx, token, "en"); err != nil {
				t.Fatal(err)
			}
			if got, _ := db.SessionByToken(ctx, token); got.Lang != "en" {
				t.Fatalf("lang: got %q, want en", got.Lang)
			}
			// Only the token's hash is stored: the token itself is nowhere.
			wrong := token[:42] + "A"
			if wrong == token {
				wrong = token[:42] + "B"
			}
			if _, err := db.SessionByToken(ctx, wrong); fairmark.ErrorCode(err) != fairmark.EUNAUTHORIZED {
				t.Fatalf("wrong token: got %v, want %s", err, fairmark.EUNAUTHORIZED)
			}
			// Expiry.
			now = now.Add(time.Hour)
			if _, err := db.SessionByToken(ctx, token); fairmark.ErrorCode(err) != fairmark.EUNAUTHORIZED {
				t.Fatalf("expired session: got %v, want %s", err, fairmark.EUNAUTHORIZED)
			}
			if n, err := db.DeleteExpiredSessions(ctx); err != nil || n != 1 {
				t.Fatalf("delete expired: got %d (%v), want 1", n, err)
			}
			// Sign out, and a password change ends every session.
			t1, _, _ := db.CreateSession(ctx, "lee", time.Hour, "")
			t2, _, _ := db.CreateSession(ctx, "lee", time.Hour, "")
			if err := db.DeleteSession(ctx, t1); err != nil {
				t.Fatal(err)
			}
			if _, err := db.SessionByToken(ctx, t1); err == nil {
				t.Fatal("session still valid after sign-out")
			}
			if _, err := db.SessionByToken(ctx, t2); err != nil {
				t.Fatalf("other session: %v", err)
			}
			if err := db.SetPassword(ctx, "lee", "new-lead-pass"); err != nil {
				t.Fatal(err)
			}
			if _, err := db.SessionByToken(ctx, t2); err == nil {
				t.Fatal("session still valid after a password change")
			}
			if _, err := db.Authenticate(ctx, "lee", "new-lead-pass"); err != nil {
				t.Fatal(err)
			}
			if err := db.SetPassword(ctx, "nobody", "new-lead-pass"); fairmark.ErrorCode(err) != fairmark.ENOTFOUND {
				t.Fatalf("set password of unknown user: got %v", err)
			}
		})
	}
}

func TestSellerRemarksAndReports(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			db := open(t)
			evs := mustDecode(t, story...)
			evs = append(evs, mustDecode(t,
				`{"id":"e20","type":"order.placed","at":"2026-03-05T10:00:00Z","order":{"id":"o2","buyer":"b5","seller":"s9","amount":{"value":"12.50","currency":"CNY"}}}`,
				`{"id":"e21","type":"feedback.left","at":"2026-03-05T11:00:00Z","feedback":{"id":"f2","order":"o2","buyer":"b5","seller":"s9","rating":"negative","text":"slow"}}`,
				`{"id":"e22","type":"feedback.left","at":"2026-03-05T12:00:00Z","feedback":{"id":"f3","order":"o3","buyer":"b6","seller":"s9","rating":"positive"}}`,
				`{"id":"e23","type":"feedback.left","at":"2026-03-05T12:00:00Z","feedback":{"id":"f4","order":"o4","buyer":"b6","seller":"s7","rating":"negative"}}`,
			)...)
			if _, err := db.Append(ctx, evs); err != nil {
				t.Fatal(err)
			}
			rs, err := db.SellerRemarks(ctx, "s9", 0)
			if err != nil {
				t.Fatal(err)
			}
			// f2 (newest), then f1 (revised to positive but first negative); not f3 (positive) or f4 (another seller).
			if len(rs) != 2 || rs[0].ID != "f2" || rs[1].ID != "f1" {
				t.Fatalf("seller remarks: got %+v", rs)
			}
			if rs[0].Amount == nil || rs[0].Amount.String() != "12.50 CNY" || rs[1].Title != "50元 Q币充值卡" || rs[1].FirstRating != fairmark.Negative {
				t.Fatalf("seller remarks detail: got %+v / %+v", rs[0], rs[1])
			}
			reps, err := db.ReportsBy(ctx, "s9", 10)
			if err != nil || len(reps) != 1 || reps[0].ID != "r1" || reps[0].Paid == nil || reps[0].Paid.String() != "50.00 CNY" || reps[0].Event != "e9" {
				t.Fatalf("reports by s9: got %+v (%v)", reps, err)
			}
			if _, err := db.ReportFiledBy(ctx, "s9", "r1"); err != nil {
				t.Fatal(err)
			}
			if _, err := db.ReportFiledBy(ctx, "s7", "r1"); fairmark.ErrorCode(err) != fairmark.ENOTFOUND {
				t.Fatalf("another seller's report: got %v, want %s", err, fairmark.ENOTFOUND)
			}
		})
	}
}
