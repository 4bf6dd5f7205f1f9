package staffcmd

import (
	"net/mail"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/otvet/otvet/internal/mailout"
)

// ArgNoHead is #approve's --no-head (--без-руководителя): the signatory
// does not become the organisation's head.
const ArgNoHead = "no-head"

// parseArgs fills c.Args and c.Text from the rest of the command line. On a
// missing or bad argument it says what is wrong (a zero Msg when nothing is).
func parseArgs(c *Command, rest string) mailout.Msg {
	switch c.Name {
	case Defer, Reject:
		arg, text := firstField(rest)
		if arg == "" {
			return mailout.M(mailout.ArgNeedReason, reasonList())
		}
		code, ok := lookupReason(strings.ReplaceAll(fold(arg), "-", "_"))
		if !ok {
			return mailout.M(mailout.ArgUnknownReason, short(arg), reasonList())
		}
		c.Args, c.Text = []string{code}, text
	case Assign:
		arg, text := firstField(rest)
		if arg == "" {
			return mailout.M(mailout.ArgNeedEmail)
		}
		addr, ok := parseEmail(arg)
		if !ok {
			return mailout.M(mailout.ArgNotEmail, short(arg))
		}
		c.Args, c.Text = []string{addr}, text
	case Level:
		arg, text := firstField(rest)
		if arg == "" {
			return mailout.M(mailout.ArgNeedLevel)
		}
		lv := levelAlias(fold(arg))
		if !validLevel(lv) {
			return mailout.M(mailout.ArgNotLevel, short(arg))
		}
		c.Args, c.Text = []string{lv}, text
	case Priority:
		arg, text := firstField(rest)
		p, ok := lookupPriority(fold(arg))
		if !ok {
			return mailout.M(mailout.ArgNeedPriority)
		}
		c.Args, c.Text = []string{p}, text
	case Plan:
		arg, text := firstField(rest)
		if arg == "" {
			return mailout.M(mailout.ArgNeedDate)
		}
		if !validPlanDate(arg) {
			return mailout.M(mailout.ArgNotDate, short(arg))
		}
		c.Args, c.Text = []string{arg}, text
	case Merge:
		arg, text := firstField(rest)
		n, ok := ticketNumber(arg)
		if !ok {
			return mailout.M(mailout.ArgNeedTicket)
		}
		c.Args, c.Text = []string{n}, text
	case Escalate:
		arg, text := firstField(rest)
		if arg == "" || strings.HasPrefix(arg, "-") {
			return mailout.M(mailout.ArgNeedContractor)
		}
		c.Args = []string{strings.ToLower(arg)}
		if flag, after := firstField(text); flag == "--tell-answer" || flag == "--сообщить-ответ" {
			c.Args, text = append(c.Args, "tell-answer"), after
		}
		c.Text = text
	case System:
		name := strings.TrimSpace(rest)
		if name == "" || len([]rune(name)) > 40 {
			return mailout.M(mailout.ArgNeedSystem)
		}
		if name == "-" || fold(name) == "нет" || fold(name) == "none" {
			name = ""
		}
		c.Args = []string{name}
	case Search:
		q := strings.TrimSpace(rest)
		if q == "" {
			return mailout.M(mailout.ArgNeedSearch)
		}
		c.Args = []string{q}
	case Morning:
		arg, text := firstField(rest)
		switch fold(arg) {
		case "on", "вкл", "включить", "да":
			c.Args = []string{"on"}
		case "off", "выкл", "выключить", "нет":
			c.Args = []string{"off"}
		default:
			return mailout.M(mailout.ArgNeedMorning)
		}
		c.Text = text
	case ReplyContractor:
		if strings.TrimSpace(rest) == "" {
			return mailout.M(mailout.ParseContractorNeedText)
		}
		c.Text = strings.TrimSpace(rest)
	case Recall:
		arg, text := firstField(rest)
		if arg != "" {
			c.Args = []string{strings.ToLower(arg)}
		}
		c.Text = text
	case Article:
		arg, text := firstField(rest)
		n, ok := ticketNumber(arg)
		if !ok {
			return mailout.M(mailout.ArgNeedArticle)
		}
		c.Args, c.Text = []string{n}, text
	case Canned:
		// Without a name: the list of canned answers.
		if arg, text := firstField(rest); arg != "" {
			c.Args, c.Text = []string{arg}, text
		}
	case Approve:
		// #approve [--no-head] [the key channel for everyone]
		arg, text := firstField(rest)
		if f := fold(arg); f == "--no-head" || f == "--без-руководителя" {
			c.Args, rest = []string{ArgNoHead}, text
		}
		c.Text = strings.TrimSpace(rest)
	default: // wait, resolve, close, reopen, take: free text only
		c.Text = rest
	}
	return mailout.Msg{}
}

// firstField splits s into its first word and the trimmed rest.
func firstField(s string) (first, rest string) {
	s = strings.TrimSpace(s)
	end := strings.IndexFunc(s, unicode.IsSpace)
	if end < 0 {
		return s, ""
	}
	return s[:end], strings.TrimSpace(s[end:])
}

func reasonList() string { return strings.Join(Reasons(), ", ") }

// short cuts what the writer typed to a length fit for an error message.
func short(s string) string {
	const max = 40
	if r := []rune(s); len(r) > max {
		return string(r[:max]) + "…"
	}
	return s
}

// parseEmail accepts "ivan@x.ru", "<ivan@x.ru>" and "mailto:ivan@x.ru" and
// returns the address with its domain in lower case.
func parseEmail(s string) (string, bool) {
	s = strings.TrimPrefix(strings.TrimSuffix(strings.TrimPrefix(s, "<"), ">"), "mailto:")
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return "", false
	}
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 || strings.HasPrefix(s[at+1:], "[") {
		return "", false
	}
	return s[:at] + "@" + strings.ToLower(s[at+1:]), true
}

// validLevel checks a level name the way sla.NewLevels does:
// ^[a-z][a-z0-9_-]{0,31}$.
func validLevel(s string) bool {
	if s == "" || len(s) > 32 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// validPlanDate accepts an existing date as 2025-01-09 or 09.01.2025 (also
// 9.1.2025), or a relative day word.
func validPlanDate(s string) bool {
	_, ok := ResolveDate(s, time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC))
	return ok
}

// ResolveDate turns a #plan argument into a calendar date in today's
// location: a date as written, or today plus 0, 1 or 2 days for
// today/сегодня, tomorrow/завтра, послезавтра. Working days are the
// caller's concern. ok is false for anything else.
func ResolveDate(arg string, today time.Time) (date time.Time, ok bool) {
	w := fold(arg)
	y, m, d := today.Date()
	switch w {
	case "today", "сегодня":
		return time.Date(y, m, d, 0, 0, 0, 0, today.Location()), true
	case "tomorrow", "завтра":
		return time.Date(y, m, d+1, 0, 0, 0, 0, today.Location()), true
	case "послезавтра":
		return time.Date(y, m, d+2, 0, 0, 0, 0, today.Location()), true
	}
	for _, layout := range []string{"2006-01-02", "2.1.2006"} {
		if t, err := time.ParseInLocation(layout, arg, today.Location()); err == nil && t.Year() >= 2000 {
			return t, true
		}
	}
	return time.Time{}, false
}

// ticketNumber accepts "123", "#123" and "№123" and returns "123".
func ticketNumber(s string) (string, bool) {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "#"), "№")
	if s == "" || len(s) > 18 {
		return "", false
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n == 0 {
		return "", false
	}
	return strconv.FormatUint(n, 10), true
}
