package regform

import (
	"regexp"
	"strings"
)

var (
	atRE      = regexp.MustCompile(`\s*@\s*`)
	emailRE   = regexp.MustCompile(`^[A-Za-z0-9!#$%&'*+/=?^_{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_{|}~-]+)*@(?:[\p{L}0-9](?:[\p{L}0-9-]{0,61}[\p{L}0-9])?\.)+\p{L}{2,}$`)
	mailLabel = regexp.MustCompile(`(?i)(?:адрес\s+)?(?:e-?mail|е-?mail|эл\.?\s*почта|электронная\s+почта|эл\.?\s*адрес|почта)\s*[:\-–]?\s*`)
	telLabel  = regexp.MustCompile(`(?i)^(?:конт\.?\s*)?(?:тел(?:ефон)?\.?|т\.)\s*[:\-–]?\s*`)
)

// extractEmails finds the addresses in a cell: every token with an "@".
// Valid ones are returned with the domain lower-cased; invalid ones as
// written, for the Problems.
func extractEmails(s string) (good, bad []string) {
	if !strings.Contains(s, "@") {
		return nil, nil
	}
	s = atRE.ReplaceAllString(s, "@")
	toks := strings.FieldsFunc(s, func(r rune) bool {
		switch r {
		case ' ', '\t', '\n', '\r', '\u00a0', ',', ';', '<', '>', '(', ')', '[', ']', '"', '«', '»', '/', '\\':
			return true
		}
		return false
	})
	for _, t := range toks {
		if !strings.Contains(t, "@") {
			continue
		}
		t = strings.Map(invisible, t)
		if len(t) > 7 && strings.EqualFold(t[:7], "mailto:") {
			t = t[7:]
		}
		t = strings.Trim(t, ".:'`")
		if emailRE.MatchString(t) && len(t) <= 254 {
			at := strings.LastIndexByte(t, '@')
			good = append(good, t[:at]+"@"+strings.ToLower(t[at+1:]))
		} else {
			bad = append(bad, t)
		}
	}
	return good, bad
}

// phoneFrom is what remains of a phone or contacts cell once e-mail
// addresses and their labels are taken out; "" when it has no digit. The
// phone is otherwise kept as written.
func phoneFrom(s string) string {
	if strings.Contains(s, "@") {
		s = atRE.ReplaceAllString(s, "@")
		var keep []string
		for _, f := range strings.Fields(s) {
			if !strings.Contains(f, "@") {
				keep = append(keep, f)
			}
		}
		s = strings.Join(keep, " ")
	}
	s = mailLabel.ReplaceAllString(s, " ")
	var lines []string
	for _, line := range strings.Split(s, "\n") {
		line = collapse(line)
		line = telLabel.ReplaceAllString(line, "")
		line = strings.Trim(line, " ,;/|:–")
		if strings.ContainsAny(line, "0123456789") {
			lines = append(lines, line)
		}
	}
	return strings.Join(lines, ", ")
}
