// Package replytext cuts quoted history and signatures from the plain-text
// body of a reply, so that only the words the writer added remain. It knows
// the quoting styles of the mail clients used in Russia (Outlook, Thunderbird,
// Gmail, Apple Mail, Yandex Mail, Mail.ru) in Russian and English; see
// docs/replies.md. It is pure: no I/O, no state.
package replytext

import (
	"strings"
	"unicode/utf8"
)

// Result is what Extract found in a body.
type Result struct {
	Reply     string // the new text only, trimmed
	Quoted    string // what was cut as quoted history ("" if none)
	Signature string // what was cut as signature ("" if none)
}

// Extract splits a decoded plain-text body (mailmsg.Message.Text) into the
// new text, the quoted history and the signature.
//
// It prefers keeping too much to losing the writer's words: when everything
// looks quoted it returns the whole text as Reply, and it never cuts a
// signature that would leave Reply empty. Line ends in the results are \n.
func Extract(text string) Result {
	lines := splitLines(text)
	kept, quoted := stripQuotes(lines)
	kept = tidy(kept)
	if len(kept) == 0 {
		// Everything looks quoted: keep it all rather than lose the writer's words.
		return Result{Reply: strings.TrimSpace(strings.Join(lines, "\n"))}
	}
	var sig []string
	if i := signatureStart(kept); i > 0 {
		kept, sig = tidy(kept[:i]), kept[i:]
	}
	return Result{
		Reply:     join(kept),
		Quoted:    join(quoted),
		Signature: join(sig),
	}
}

// splitLines splits text at \n, \r\n or a lone \r. Trailing blanks stay
// (the "-- " signature delimiter needs its space) and are dropped by join.
func splitLines(text string) []string {
	if strings.IndexByte(text, '\r') >= 0 {
		text = strings.ReplaceAll(text, "\r\n", "\n")
		text = strings.ReplaceAll(text, "\r", "\n")
	}
	return strings.Split(text, "\n")
}

// join joins lines without their trailing blanks and trims the result.
func join(lines []string) string {
	var b strings.Builder
	for i, l := range lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(strings.TrimRight(l, " \t\u00a0"))
	}
	return strings.TrimSpace(b.String())
}

// tidy drops blank lines at both ends and collapses runs of blank lines
// into one. It reuses the backing array of lines.
func tidy(lines []string) []string {
	out := lines[:0]
	blank := true // drops leading blank lines
	for _, l := range lines {
		if isBlank(l) {
			if !blank {
				out = append(out, "")
			}
			blank = true
			continue
		}
		out = append(out, l)
		blank = false
	}
	for len(out) > 0 && isBlank(out[len(out)-1]) {
		out = out[:len(out)-1]
	}
	return out
}

// isBlank reports a line of white space only (no-break spaces included).
func isBlank(l string) bool {
	for i := 0; i < len(l); i++ {
		if c := l[i]; c >= utf8.RuneSelf {
			return strings.TrimSpace(l[i:]) == ""
		} else if c != ' ' && c != '\t' && c != '\v' && c != '\f' {
			return false
		}
	}
	return true
}

// stripQuotes walks the lines once and splits them into kept and quoted
// ones:
//   - a line quoted with '>' is quoted, wherever it is (interleaved replies);
//   - an attribution line ("… wrote:") followed by '>' lines is quoted alone,
//     so that text after the quoted block (bottom-posting) is kept;
//   - a dated attribution line followed by unquoted text, an Outlook header
//     block or an "Original Message" line starts quoted history that runs to
//     the end (top-posting, as Outlook and HTML mail do it);
//   - a forwarded-message marker ends the search: a forward is new content,
//     kept as it is.
//
// Where a quoted block is removed between two kept parts, a blank line
// keeps them apart.
func stripQuotes(lines []string) (kept, quoted []string) {
	kept = make([]string, 0, len(lines))
	gap := false // a quoted block was removed since the last kept line
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if isQuoteLine(l) {
			quoted = append(quoted, l)
			gap = true
			continue
		}
		if n, dated := attribution(lines, i); n > 0 {
			if j := nextNonBlank(lines, i+n); j < len(lines) && isQuoteLine(lines[j]) {
				quoted = append(quoted, lines[i:j]...)
				i = j - 1
				gap = true
				continue
			}
			if dated {
				quoted = append(quoted, lines[i:]...)
				break
			}
		}
		if historyStarts(lines, i) {
			quoted = append(quoted, lines[i:]...)
			break
		}
		if isForwardMarker(l) {
			kept = append(kept, lines[i:]...)
			break
		}
		if gap && !isBlank(l) && len(kept) > 0 && !isBlank(kept[len(kept)-1]) {
			kept = append(kept, "")
		}
		gap = false
		kept = append(kept, l)
	}
	return kept, quoted
}

// isQuoteLine reports a line quoted with '>': ">" alone, "> text",
// ">>text" (nested), ">text" (Mail.ru). A '>' before a digit, '=' or '-'
// (">5 минут", ">=2", ">-") is a comparison or an arrow, not a quote.
func isQuoteLine(l string) bool {
	if !strings.HasPrefix(l, ">") {
		return false
	}
	if len(l) == 1 {
		return true
	}
	c := l[1]
	return !isDigit(c) && c != '=' && c != '-'
}

func nextNonBlank(lines []string, i int) int {
	for i < len(lines) && isBlank(lines[i]) {
		i++
	}
	return i
}
