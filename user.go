package fairmark

// UserRole is what a signed-in principal may do. Persisted: append only.
type UserRole string

// User roles (issue 7): the marketplace's machine client, trust-and-safety
// staff (agents work cases, leads also approve four-eyes actions, decide
// appeals and publish rules) and sellers, who see only their own things.
const (
	RoleOperator UserRole = "operator"
	RoleAgent    UserRole = "agent"
	RoleLead     UserRole = "lead"
	RoleSeller   UserRole = "seller"
)

// Staff reports whether the role is a trust-and-safety role.
func (r UserRole) Staff() bool { return r == RoleAgent || r == RoleLead }

// Known reports whether r is a defined role.
func (r UserRole) Known() bool {
	switch r {
	case RoleOperator, RoleAgent, RoleLead, RoleSeller:
		return true
	}
	return false
}

// Principal is who makes a request: the operator's API key, a staff member
// or a seller signed in to the portal.
type Principal struct {
	// User is the user's id ("operator" for the API key).
	User string
	Name string
	Role UserRole
	// Seller is the seller account a seller user acts for; empty for others.
	Seller AccountID
}

// Operator is the principal of the marketplace's API key.
var Operator = Principal{User: "operator", Name: "marketplace", Role: RoleOperator}

// Actor is how the principal is named in case events and moderation
// actions: "role:user".
func (p Principal) Actor() string { return string(p.Role) + ":" + p.User }
