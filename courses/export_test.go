package courses

// ScopeTenantsTo makes every tenant transaction of s set orgID as app.org_id, whichever
// organisation the method asked for: the row-level security tests' wrong organisation.
func (s *Store) ScopeTenantsTo(orgID string) { s.scopeOverride = orgID }
