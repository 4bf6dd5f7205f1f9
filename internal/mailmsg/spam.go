package mailmsg

import "strings"

// DefaultSpamHeaders are the verdicts of common MX filters (SpamAssassin,
// Rspamd, Exchange, Yandex/Mail.ru gateways) that mark a message as spam:
// "Header: value", matched case-insensitively, the value as a prefix.
func DefaultSpamHeaders() []string {
	return []string{"X-Spam-Flag: YES", "X-Spam-Status: Yes", "X-Spam: Yes"}
}

// spamSignals sets Spam when one of rules ("Header: value-prefix"; nil:
// DefaultSpamHeaders) matches a header of the message.
func spamSignals(m *Message, h *header, rules []string) {
	if rules == nil {
		rules = DefaultSpamHeaders()
	}
	for _, r := range rules {
		name, want, ok := strings.Cut(r, ":")
		name, want = strings.TrimSpace(name), strings.ToLower(strings.TrimSpace(want))
		if !ok || name == "" {
			continue
		}
		v, found := h.get(name)
		if !found {
			continue
		}
		if got := strings.ToLower(singleLine(v)); strings.HasPrefix(strings.TrimSpace(got), want) {
			m.Spam, m.SpamReason = true, strings.ToLower(name)+": "+clipString(strings.TrimSpace(got), 60)
			return
		}
	}
}

func clipString(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !isRuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
