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
	// below[i]: non-blank lines after lines[i]. Filled lazily from the end,
	// and only when some line is a marker (rare), to keep the scan linear.
	var below []int
	for i := 1; i < len(lines); i++ {
		limit := sigMarker(lines[i])
		if limit == 0 {
			continue
		}
		if below == nil {
			below = make([]int, len(lines))
			for j := len(lines) - 2; j >= 0; j-- {
				below[j] = below[j+1]
				if !isBlank(lines[j+1]) {
					below[j]++
				}
			}
		}
		if below[i] <= limit {
			return i
		}
	}
	return -1
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
