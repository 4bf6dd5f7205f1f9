package oldrules

// Mentions reports whether text mentions any of the phrases the way a
// maintenance window's system and keywords are matched (words in order, a
// word of more than three letters matching as a stem). Intake uses it to
// detect a request's information system (helpdesk/system.go).
func Mentions(text string, phrases ...string) bool {
	var words *textWords
	for _, p := range phrases {
		np := normPhrase(p)
		if np == "" {
			continue
		}
		if words == nil {
			ws := normWords(text)
			if len(ws) == 0 {
				return false
			}
			words = newTextWords(ws)
		}
		if words.has(np) {
			return true
		}
	}
	return false
}
