// Package staffcmd parses the commands support staff write at the top of a
// reply ("#close", "#отложить неясно …"). It only reads text: whether a
// command is allowed and what it does is the caller's business. See
// docs/replies.md.
package staffcmd

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/otvet/otvet/internal/mailout"
)

// Command is one parsed command line.
type Command struct {
	Name Name
	// Args are the validated positional arguments in canonical form: the
	// reason code for defer/reject, the address for assign, the level,
	// the priority, the date as written for plan, the ticket number for merge.
	Args []string
	// Text is the free text after the arguments on the command line; for
	// note, that and every line below it.
	Text string
	Line int    // 1-based line number in the reply
	Raw  string // the command line as written, trimmed
}

// ParseError reports a command line that could not be used. The other
// commands of the reply still parse. What is wrong is a text of the message
// catalogue (mailout.Text), put into words in the desk's language by Text.
type ParseError struct {
	Line int
	Raw  string
	Msg  mailout.Msg
}

// Text says what is wrong in lang ("ru" or "en"), for the confirmation mail.
func (e ParseError) Text(lang string) string { return e.Msg.In(lang) }

func (e ParseError) Error() string {
	return fmt.Sprintf("line %d: %s", e.Line, e.Text("en"))
}

// maxErrors bounds the errors reported for one reply, so that a pasted
// wall of '#' lines does not turn into a wall of error mail.
const maxErrors = 20

// Parse reads the commands at the top of reply (the text Extract left of a
// staff reply): lines starting with '#', before any other non-blank line.
// body is reply without the command lines, trimmed; it is empty after a
// #note, which takes all the text below it. A line that looks like a
// command but is unknown or malformed is reported in errs and left out of
// both cmds and body.
func Parse(reply string) (cmds []Command, body string, errs []ParseError) {
	lines := strings.Split(strings.ReplaceAll(reply, "\r\n", "\n"), "\n")
	seen := map[string]int{} // command group -> line of the first one
	i := 0
	for ; i < len(lines); i++ {
		l := cleanLine(lines[i])
		if l == "" {
			continue
		}
		word, rest, ok := commandWord(l)
		if !ok {
			break
		}
		lineNo := i + 1
		fail := func(m mailout.Msg) {
			errs = appendErr(errs, ParseError{Line: lineNo, Raw: shortRaw(l), Msg: m})
		}
		name, known := lookupCommand(fold(word))
		if !known {
			fail(mailout.M(mailout.ParseUnknownCmd, short(word)))
			continue
		}
		c := Command{Name: name, Line: lineNo, Raw: l}
		if name == Escalate || name == ReplyContractor {
			// Like a note: the rest of the reply is for the contractor.
			rest = strings.TrimSpace(rest + "\n" + strings.Join(lines[i+1:], "\n"))
			i = len(lines)
			if problem := parseArgs(&c, rest); !problem.IsZero() {
				fail(mailout.M(mailout.ParseArgument, short(word), problem))
				break
			}
			if _, dup := seen[name.group()]; !dup {
				seen[name.group()] = lineNo
				cmds = append(cmds, c)
			}
			break
		}
		if name == Note {
			c.Text = strings.TrimSpace(rest + "\n" + strings.Join(lines[i+1:], "\n"))
			i = len(lines)
			if c.Text == "" {
				fail(mailout.M(mailout.ParseNoteNeedText))
				break
			}
		} else if problem := parseArgs(&c, rest); !problem.IsZero() {
			fail(mailout.M(mailout.ParseArgument, short(word), problem))
			continue
		}
		if first, dup := seen[name.group()]; dup {
			fail(conflict(name, first))
			continue
		}
		seen[name.group()] = lineNo
		cmds = append(cmds, c)
	}
	if i < len(lines) {
		body = strings.TrimSpace(strings.Join(lines[i:], "\n"))
	}
	return cmds, body, errs
}

// conflict explains why a command cannot join the ones before it.
func conflict(n Name, first int) mailout.Msg {
	switch n.group() {
	case "state":
		return mailout.M(mailout.ParseOneState, first)
	case "owner":
		return mailout.M(mailout.ParseOneOwner, first)
	}
	return mailout.M(mailout.ParseRepeated, string(n), first)
}

func appendErr(errs []ParseError, e ParseError) []ParseError {
	switch {
	case len(errs) < maxErrors:
		return append(errs, e)
	case len(errs) == maxErrors:
		return append(errs, ParseError{Line: e.Line, Raw: e.Raw, Msg: mailout.M(mailout.ParseTooMany)})
	}
	return errs
}

// shortRaw cuts a command line quoted in an error.
func shortRaw(l string) string {
	const max = 200
	if utf8.RuneCountInString(l) > max {
		return string([]rune(l)[:max]) + "…"
	}
	return l
}

// cleanLine trims white space, including the byte-order mark and no-break
// spaces clients leave at the start of a body.
func cleanLine(l string) string {
	return strings.TrimFunc(l, func(r rune) bool { return unicode.IsSpace(r) || r == '\ufeff' || r == '\u200b' })
}

// commandWord splits a command line into its command word (without '#' and
// a trailing ':' or ',') and the rest. ok is false when the line is not a
// command line but text: not starting with '#', "#123 is fixed" (a ticket
// number), "## heading", or "# Heading" whose word is no command.
func commandWord(l string) (word, rest string, ok bool) {
	after, found := strings.CutPrefix(l, "#")
	if !found || after == "" {
		return "", "", false
	}
	spaced := false
	if t := strings.TrimLeftFunc(after, unicode.IsSpace); t != after {
		after, spaced = t, true
	}
	r, _ := utf8.DecodeRuneInString(after)
	if !unicode.IsLetter(r) {
		return "", "", false
	}
	end := strings.IndexFunc(after, unicode.IsSpace)
	if end < 0 {
		end = len(after)
	}
	word, rest = after[:end], strings.TrimSpace(after[end:])
	word = strings.TrimRight(word, ":,.;!")
	if spaced {
		// "# Проблема решена" is a heading; "# закрыть" a command with a stray space.
		if _, known := lookupCommand(fold(word)); !known {
			return "", "", false
		}
	}
	return word, rest, true
}
