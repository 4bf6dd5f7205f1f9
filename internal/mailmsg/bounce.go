package mailmsg

import (
	"bytes"
	"strings"
)

// parseDSN reads the field blocks of a message/delivery-status body
// (RFC 3464): one per-message block, then one block per recipient.
func parseDSN(data []byte, maxHeader int) (perMsg header, recips []header) {
	rest := data
	first := true
	for len(rest) > 0 && len(recips) < 1000 {
		// Skip blank lines between blocks.
		trimmed := bytes.TrimLeft(rest, "\r\n \t")
		if len(trimmed) == 0 {
			break
		}
		hr, err := splitHeader(trimmed, maxHeader)
		if err != nil {
			break
		}
		if first {
			perMsg = hr.hdr
			first = false
		} else {
			recips = append(recips, hr.hdr)
		}
		if len(hr.body) >= len(trimmed) {
			break
		}
		rest = hr.body
	}
	// Some MTAs put the first recipient in the per-message block.
	if perMsg.has("Final-Recipient") || perMsg.has("Original-Recipient") {
		recips = append([]header{perMsg}, recips...)
	}
	return perMsg, recips
}

// typedValue strips the address-type or diagnostic-type prefix: "rfc822;
// a@b" -> "a@b", "smtp; 550 ..." -> "550 ...".
func typedValue(v string) string {
	if i := strings.IndexByte(v, ';'); i >= 0 && i < 20 {
		v = v[i+1:]
	}
	return strings.TrimSpace(v)
}

func (w *walker) bounce(m *Message, hdr *header) *Bounce {
	var b Bounce
	perMsg := header{}
	for _, d := range w.dsn {
		pm, recips := parseDSN(d, w.opts.MaxHeaderBytes)
		if len(perMsg.fields) == 0 {
			perMsg = pm
		}
		for _, r := range recips {
			rcpt, ok := r.get("Final-Recipient")
			if !ok || typedValue(rcpt) == "" {
				rcpt, _ = r.get("Original-Recipient")
			}
			addr := strings.Trim(typedValue(rcpt), "<> ")
			if a, ok := normalizeAddr(addr); ok {
				addr = a
			}
			action, _ := r.get("Action")
			status, _ := r.get("Status")
			diag, _ := r.get("Diagnostic-Code")
			br := BounceRecipient{
				Email:      singleLine(addr),
				Action:     strings.ToLower(firstWord(action)),
				Status:     firstWord(status),
				Diagnostic: singleLine(typedValue(diag)),
			}
			b.Recipients = append(b.Recipients, br)
		}
	}
	isDSN := len(w.dsn) > 0
	if !isDSN && !looksLikeBounce(m) {
		return nil
	}
	b.OriginalMessageID = w.originalID(m)
	if b.OriginalMessageID == "" {
		if env, ok := perMsg.get("Original-Envelope-Id"); ok {
			b.OriginalMessageID = singleLine(strings.Trim(strings.TrimSpace(env), "<>"))
		}
	}
	if !isDSN {
		if b.OriginalMessageID == "" {
			return nil
		}
		b.Recipients = scanBounceText(m.Text)
	}
	if b.OriginalMessageID == "" && len(m.InReplyTo) > 0 {
		b.OriginalMessageID = m.InReplyTo[0]
	}
	for _, r := range b.Recipients {
		if r.Action == "failed" && strings.HasPrefix(r.Status, "5.") {
			b.Permanent = true
		}
	}
	return &b
}

func firstWord(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// originalID finds the Message-ID of the returned message: from the
// attached message or headers, else from a "Message-ID:" line quoted in the
// text (Exim, Postfix with headers inline).
func (w *walker) originalID(m *Message) string {
	if w.origHeaders != nil {
		if hr, err := splitHeader(w.origHeaders, w.opts.MaxHeaderBytes); err == nil {
			if id, ok := hr.hdr.get("Message-Id"); ok {
				if ids := parseIDs(id); len(ids) > 0 {
					return ids[0]
				}
			}
		}
	}
	text := m.Text
	for off := 0; off < len(text); {
		i := indexFold(text[off:], "message-id:")
		if i < 0 {
			break
		}
		at := off + i
		off = at + len("message-id:")
		if at > 0 && text[at-1] != '\n' && text[at-1] != ' ' && text[at-1] != '\t' {
			continue
		}
		line := text[off:]
		if nl := strings.IndexByte(line, '\n'); nl >= 0 {
			line = line[:nl]
		}
		if ids := parseIDs(line); len(ids) > 0 && ids[0] != m.MessageID {
			return ids[0]
		}
	}
	return ""
}

func indexFold(s, sub string) int {
	n := len(sub)
	for i := 0; i+n <= len(s); i++ {
		if strings.EqualFold(s[i:i+n], sub) {
			return i
		}
	}
	return -1
}

// looksLikeBounce: a message from the mailer daemon or postmaster, or with
// the null sender, whose subject reads like a delivery failure.
func looksLikeBounce(m *Message) bool {
	daemon := m.NullSender
	if m.From != nil {
		local := strings.ToLower(m.From.Email)
		if at := strings.IndexByte(local, '@'); at >= 0 {
			local = local[:at]
		}
		if local == "mailer-daemon" || local == "postmaster" || local == "mail-daemon" {
			daemon = true
		}
	}
	if !daemon {
		return false
	}
	s := strings.ToLower(m.Subject)
	for _, k := range []string{
		"undeliver", "undelivered", "delivery status", "delivery failure", "delivery has failed",
		"mail delivery failed", "returned mail", "failure notice", "delivery notification",
		"недостав", "не доставлено", "не может быть доставлено", "ошибка доставки",
	} {
		if strings.Contains(s, k) {
			return true
		}
	}
	return false
}

// scanBounceText extracts recipients from the human-readable text of a
// non-standard bounce: Postfix/qmail "<addr>: reason" lines and Exim's
// indented address list after "failed:".
func scanBounceText(text string) []BounceRecipient {
	var out []BounceRecipient
	seen := map[string]bool{}
	lines := strings.Split(text, "\n")
	afterFailed := false
	for i := 0; i < len(lines) && len(out) < 100; i++ {
		line := lines[i]
		trim := strings.TrimSpace(line)
		low := strings.ToLower(trim)
		if strings.HasSuffix(low, "failed:") || strings.HasSuffix(low, "could not be delivered:") {
			afterFailed = true
			continue
		}
		var addr, diag string
		switch {
		case strings.HasPrefix(trim, "<") && strings.Contains(trim, ">:"):
			end := strings.Index(trim, ">:")
			addr = trim[1:end]
			diag = strings.TrimSpace(trim[end+2:])
			for i+1 < len(lines) && strings.HasPrefix(lines[i+1], " ") && strings.TrimSpace(lines[i+1]) != "" {
				i++
				diag += " " + strings.TrimSpace(lines[i])
			}
		case afterFailed && strings.HasPrefix(line, " ") && !strings.ContainsAny(trim, " \t") && strings.Contains(trim, "@"):
			addr = trim
			for i+1 < len(lines) && strings.HasPrefix(lines[i+1], "    ") {
				i++
				diag = strings.TrimSpace(diag + " " + strings.TrimSpace(lines[i]))
			}
		default:
			if trim == "" && len(out) > 0 {
				afterFailed = false
			}
			continue
		}
		a, ok := normalizeAddr(addr)
		if !ok || seen[a] {
			continue
		}
		seen[a] = true
		status := statusFromText(diag)
		action := "failed"
		if strings.HasPrefix(status, "4.") {
			action = "delayed"
		}
		out = append(out, BounceRecipient{Email: a, Action: action, Status: status, Diagnostic: singleLine(diag)})
	}
	return out
}

// statusFromText finds an enhanced status code (5.1.1) or derives one from
// an SMTP reply code (550 -> 5.0.0).
func statusFromText(s string) string {
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '(' || r == ')' || r == ',' || r == ':' || r == '-' }) {
		p := strings.Split(f, ".")
		if len(p) == 3 && len(p[0]) == 1 && (p[0] == "2" || p[0] == "4" || p[0] == "5") && isDigits(p[1]) && isDigits(p[2]) && len(p[1]) <= 3 && len(p[2]) <= 3 {
			return f
		}
	}
	for _, f := range strings.Fields(s) {
		if len(f) == 3 && isDigits(f) && (f[0] == '4' || f[0] == '5') {
			return f[:1] + ".0.0"
		}
	}
	return "5.0.0" // a bounce without a code is taken as permanent
}
