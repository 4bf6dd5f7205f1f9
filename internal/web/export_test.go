package web

// HashTokenForTest is what the database keeps of a session token (tests and benchmarks).
func HashTokenForTest(t string) string { return hashToken(t) }
