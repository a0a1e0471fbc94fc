package web

import (
	"context"
	"crypto/subtle"
	"net/http"
	"slices"
	"strings"

	"github.com/fairmark/fairmark"
)

// Who may call an endpoint. Every endpoint names its roles when it is
// registered; sellers are further limited to their own things inside the
// handlers (ownSeller and friends). TestAuthorization covers every route.
var (
	public       []fairmark.UserRole // no authentication
	operatorOnly = []fairmark.UserRole{fairmark.RoleOperator}
	staffOnly    = []fairmark.UserRole{fairmark.RoleAgent, fairmark.RoleLead}
	opStaff      = []fairmark.UserRole{fairmark.RoleOperator, fairmark.RoleAgent, fairmark.RoleLead}
	opLead       = []fairmark.UserRole{fairmark.RoleOperator, fairmark.RoleLead}
	opStaffOwner = []fairmark.UserRole{fairmark.RoleOperator, fairmark.RoleAgent, fairmark.RoleLead, fairmark.RoleSeller}
)

// Route is a registered endpoint and the roles that may call it.
type Route struct {
	Pattern string
	Roles   []fairmark.UserRole // nil: public
}

// Routes lists the API's endpoints with their roles.
func (s *Server) Routes() []Route { return slices.Clone(s.table) }

type principalKey struct{}

// principal returns the caller of an authenticated request.
func principal(r *http.Request) fairmark.Principal {
	p, _ := r.Context().Value(principalKey{}).(fairmark.Principal)
	return p
}

// authenticate finds who calls: the operator's API key as a Bearer token,
// else a UI session. A wrong key is refused even with a session.
func (s *Server) authenticate(r *http.Request) (fairmark.Principal, bool, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		if s.authorized(r) {
			return fairmark.Operator, false, nil
		}
		return fairmark.Principal{}, false, fairmark.Errorf(fairmark.EUNAUTHORIZED, "wrong API key (send Authorization: Bearer KEY)")
	}
	if s.Sessions != nil {
		if p, ok := s.Sessions(r); ok {
			return p, true, nil
		}
	}
	return fairmark.Principal{}, false, fairmark.Errorf(fairmark.EUNAUTHORIZED, "missing API key or session (send Authorization: Bearer KEY, or sign in)")
}

// admit authenticates r and checks its principal's role against roles; it
// returns r with the principal in its context.
func (s *Server) admit(r *http.Request, roles []fairmark.UserRole) (*http.Request, error) {
	if roles == nil {
		return r, nil
	}
	p, session, err := s.authenticate(r)
	if err != nil {
		return r, err
	}
	if !slices.Contains(roles, p.Role) {
		return r, fairmark.Errorf(fairmark.EFORBIDDEN, "this endpoint is not open to the %s role", p.Role)
	}
	// A browser session carries cookies a hostile page could make it send:
	// state-changing calls must come from this origin.
	if session && r.Method != http.MethodGet && r.Method != http.MethodHead {
		if err := s.csrf.Check(r); err != nil {
			return r, fairmark.Errorf(fairmark.EFORBIDDEN, "cross-origin request refused")
		}
	}
	return r.WithContext(context.WithValue(r.Context(), principalKey{}, p)), nil
}

func (s *Server) authorized(r *http.Request) bool {
	h := r.Header.Get("Authorization")
	key, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || s.APIKey == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(strings.TrimSpace(key)), []byte(s.APIKey)) == 1
}

// ownSeller refuses a seller acting for another seller's account.
func ownSeller(r *http.Request, seller fairmark.AccountID) error {
	p := principal(r)
	if p.Role == fairmark.RoleSeller && p.Seller != seller {
		return notYours()
	}
	return nil
}

// notYours is what a seller gets for another seller's things: not found,
// so that it learns nothing of what exists.
func notYours() error {
	return fairmark.Errorf(fairmark.ENOTFOUND, "not found")
}

func (s *Server) me(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	return writeJSON(w, http.StatusOK, map[string]any{"user": p.User, "name": p.Name, "role": p.Role, "seller": p.Seller})
}
