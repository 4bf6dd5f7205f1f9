package replytext

import (
	"strings"
	"unicode/utf8"
)

// Signature markers, each with the most non-blank lines it may have below
// it: a marker with more text below is part of the reply.
const (
	tailDelimiter      = 15 // "-- " (RFC 3676)
	tailLooseDelimiter = 6  // "--" (the space eaten by a client)
	tailClosing        = 8  // "С уважением," / "Best regards"
	tailMobile         = 3  // "Отправлено с iPhone"
)

// closings are the sign-offs that start a signature (lower case, ё as е).
var closings = []string{
	"с уважением", "с наилучшими пожеланиями", "с наилучшими", "всего доброго",
	"всего наилучшего", "с благодарностью и уважением",
	"best regards", "kind regards", "warm regards", "regards", "best wishes",
	"with best regards", "with kind regards", "sincerely", "yours sincerely",
	"yours faithfully", "cheers",
}

// mobileDevices are the words of a "sent from my phone" line that make it one.
var mobileDevices = []string{
	"iphone", "ipad", "android", "mail.ru", "почты", "почта", "яндекс", "yandex",
	"outlook", "samsung", "galaxy", "huawei", "xiaomi", "mobile", "мобильн",
	"телефон", "устройств", "смартфон", "windows", "blackberry",
}

// signatureStart returns the index of the first line of the signature at the
// end of lines (tidied: no leading or trailing blank line), or -1. The first
// line is never a signature: Reply must keep something.
func signatureStart(lines []string) int {
	// A signature has at most tailDelimiter non-blank lines below its first
	// line, so only the last lines need a look.
	start, below := len(lines)-1, 0
	for start > 1 && below+boolInt(!isBlank(lines[start])) <= tailDelimiter {
		below += boolInt(!isBlank(lines[start]))
		start--
	}
	// below is now the count of non-blank lines after lines[start].
	for i := start; i < len(lines); i++ {
		if i > 0 {
			if limit := sigMarker(lines[i]); limit > 0 && below <= limit {
				return i
			}
		}
		if i+1 < len(lines) && !isBlank(lines[i+1]) {
			below--
		}
	}
	return -1
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// sigMarker returns how many lines a signature starting at l may have below
// its first line, or 0 when l starts none.
func sigMarker(l string) int {
	switch strings.TrimRight(l, "\t\u00a0") {
	case "-- ", "--\u00a0":
		return tailDelimiter
	case "--", "---":
		return tailLooseDelimiter
	}
	if len(l) > 400 {
		return 0
	}
	t := strings.ToLower(strings.TrimSpace(normSpace(l)))
	t = strings.ReplaceAll(t, "ё", "е")
	if t == "" || utf8.RuneCountInString(t) > 80 {
		return 0
	}
	for _, c := range closings {
		rest, ok := strings.CutPrefix(t, c)
		if !ok {
			continue
		}
		if rest == "" {
			return tailClosing
		}
		// "С уважением, Иван Петров" — a name may follow on the same line.
		if strings.IndexByte(",.!", rest[0]) >= 0 && utf8.RuneCountInString(rest) <= 41 {
			return tailClosing
		}
	}
	for _, p := range []string{"отправлено с ", "отправлено из ", "sent from ", "sent with ", "get outlook for ", "скачайте outlook для "} {
		if !strings.HasPrefix(t, p) {
			continue
		}
		for _, d := range mobileDevices {
			if strings.Contains(t, d) {
				return tailMobile
			}
		}
	}
	return 0
}
