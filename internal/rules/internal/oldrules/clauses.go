package oldrules

// DefaultClauses are the clauses of the model regulation (Kachkanar, 2019)
// that notices and digests cite, by reason code; `rules.clauses` in the
// configuration overrides them.
func DefaultClauses() map[string]string {
	return map[string]string{
		"unidentified": "4.2", "unclear": "4.6.1", "insufficient_info": "4.6.2", "offensive": "4.6.3",
		"license_violation": "4.6.4", "out_of_scope": "4.6.5", "external_cause": "4.6.6", "maintenance": "4.6.6",
		"blocked": "3.5", "quality": "4.4",
	}
}
