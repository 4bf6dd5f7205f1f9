// Package match holds the directory's pure matching rules, in one place for
// every caller (the store, the directory import, connection requests): how
// organisation and person names compare, what an INN, an OGRN and a role
// are, which mail domains an organisation may own, and how addresses and
// domains are written canonically. It does no I/O.
package match

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"unicode"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
)

// User roles.
const (
	RoleUser = "user"
	RoleHead = "head" // the head of an organisation: may speak for it
)

// FoldName is a name as compared by people: lower case, ё as е, quotes and
// punctuation dropped, spaces collapsed, and the number sign written one
// way: «№7», «№ 7», «N 7», «N7», «No. 7» are all «№ 7». So
// "МБДОУ «Детский сад № 7»" and "мбдоу детский сад N7" fold alike.
func FoldName(s string) string {
	var toks []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			toks = append(toks, cur.String())
			cur.Reset()
		}
	}
	for _, r := range strings.ToLower(s) {
		switch {
		case r == 'ё':
			cur.WriteRune('е')
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			cur.WriteRune(r)
		case r == '№':
			flush()
			toks = append(toks, "№")
		default:
			flush()
		}
	}
	flush()
	out := make([]string, 0, len(toks))
	for i, t := range toks {
		nextIsNumber := i+1 < len(toks) && startsWithDigit(toks[i+1])
		switch {
		case (t == "n" || t == "no") && nextIsNumber:
			t = "№"
		case len(t) > 1 && t[0] == 'n' && allDigits(t[1:]):
			out = append(out, "№")
			t = t[1:]
		case len(t) > 2 && t[:2] == "no" && allDigits(t[2:]):
			out = append(out, "№")
			t = t[2:]
		}
		out = append(out, t)
	}
	return strings.Join(out, " ")
}

func startsWithDigit(s string) bool { return s != "" && s[0] >= '0' && s[0] <= '9' }

// SameName tells whether two names are the same for people (FoldName); an
// empty name matches nothing.
func SameName(a, b string) bool {
	fa := FoldName(a)
	return fa != "" && fa == FoldName(b)
}

// ValidINN accepts an empty INN or 10 (organisation) or 12 (individual) digits.
// Check digits are not verified: imported registers carry placeholder numbers.
func ValidINN(s string) error {
	if s == "" || (len(s) == 10 || len(s) == 12) && allDigits(s) {
		return nil
	}
	return fmt.Errorf("%q is not an INN: 10 or 12 digits expected", s)
}

// ValidOGRN accepts an empty OGRN or 13 (OGRN) or 15 (OGRNIP) digits.
func ValidOGRN(s string) error {
	if s == "" || (len(s) == 13 || len(s) == 15) && allDigits(s) {
		return nil
	}
	return fmt.Errorf("%q is not an OGRN: 13 or 15 digits expected", s)
}

// ValidRole accepts the user roles.
func ValidRole(s string) error {
	if s == RoleUser || s == RoleHead {
		return nil
	}
	return fmt.Errorf("role %q is unknown: use %s or %s", s, RoleUser, RoleHead)
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// domainProfile canonicalises domains: lower case, IDNs in punycode, STD3
// host names, DNS lengths checked.
func domainProfile() *idna.Profile {
	return idna.New(idna.MapForLookup(), idna.VerifyDNSLength(true), idna.BidiRule())
}

// NormalizeDomain returns a mail domain in its canonical form (lower case,
// IDNs in punycode: "Школа.РФ" is "xn--80atdl2c.xn--p1ai"). It needs at
// least two labels.
func NormalizeDomain(s string) (string, error) {
	s = strings.TrimSuffix(strings.TrimSpace(s), ".")
	if s == "" {
		return "", errors.New("empty domain")
	}
	d, err := domainProfile().ToASCII(s)
	if err != nil {
		return "", fmt.Errorf("%q is not a valid domain name", s)
	}
	if !strings.Contains(d, ".") {
		return "", fmt.Errorf("%q is not a mail domain: it has a single label", s)
	}
	return d, nil
}

// OrgDomain checks a domain an organisation may own: not a public suffix
// ("ru", "com.ru", "github.io") and not a public mail service, whose users
// belong to no single organisation.
func OrgDomain(s string) (string, error) {
	d, err := NormalizeDomain(s)
	if err != nil {
		return "", err
	}
	if ps, _ := publicsuffix.PublicSuffix(d); ps == d {
		return "", fmt.Errorf("%q is a public suffix, not an organisation's domain", s)
	}
	if PublicMailService(d) {
		return "", fmt.Errorf("%q is a public mail service: register its users one by one instead", s)
	}
	return d, nil
}

// PublicMailService reports whether d (lower case) is a free mail service
// common in Russia or abroad: its users share a domain without sharing an
// organisation, so it is never an organisation's domain and two strangers
// on it are never colleagues.
func PublicMailService(d string) bool {
	switch d {
	case "mail.ru", "bk.ru", "list.ru", "inbox.ru", "internet.ru",
		"yandex.ru", "ya.ru", "yandex.com", "yandex.by", "yandex.kz", "narod.ru",
		"rambler.ru", "lenta.ru", "autorambler.ru", "ro.ru", "myrambler.ru",
		"gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com",
		"msn.com", "yahoo.com", "icloud.com", "me.com", "mac.com", "aol.com",
		"proton.me", "protonmail.com", "gmx.com", "gmx.net", "zoho.com",
		"mail.com", "qip.ru", "pochta.ru", "hotbox.ru", "vk.com",
		"xn--80a1acny.xn--p1ai": // почта.рф
		return true
	}
	return false
}

// DomainCandidates lists a domain and its parents down to the registrable
// domain, most specific first ("mail.school3.kgo66.ru", "school3.kgo66.ru",
// "kgo66.ru"); nil when the domain is not valid. A public suffix is never
// among them.
func DomainCandidates(domain string) []string {
	d, err := NormalizeDomain(domain)
	if err != nil {
		return nil
	}
	top, err := publicsuffix.EffectiveTLDPlusOne(d)
	if err != nil {
		return nil
	}
	var out []string
	for {
		out = append(out, d)
		if d == top || len(out) > 127 {
			return out
		}
		_, d, _ = strings.Cut(d, ".")
	}
}

// NormalizeEmail returns a bare address ("user@domain", no display name) in
// its canonical form: lower case, the domain as NormalizeDomain gives it.
func NormalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errors.New("empty e-mail address")
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return "", fmt.Errorf("%q is not a valid e-mail address", s)
	}
	at := strings.LastIndexByte(s, '@')
	d, err := NormalizeDomain(s[at+1:])
	if err != nil {
		return "", fmt.Errorf("%q is not a valid e-mail address: %w", s, err)
	}
	return strings.ToLower(s[:at]) + "@" + d, nil
}
