package config

import (
	"fmt"
	"net/mail"
	"slices"
	"strings"
)

// Placeholders are the values config.example.yaml (and the Debian package's
// /etc/otvet/config.yaml) uses where an operator must put their own:
// example.test never receives mail, CHANGE-ME marks a value to invent.
var placeholders = []string{"example.test", "change-me"}

// Warnings lists what is valid but probably a mistake, one line each naming
// the field: a placeholder left from the example configuration, or a staff
// member or an operator's digest recipient (organisation_id 0) whose domain
// is none of the desks' (support_address, smtp.from). Unlike Validate's
// problems they do not stop Otvet: an agent may well work from another
// domain. Secrets are never looked at.
func (c *Config) Warnings() []string {
	var out []string
	placeholder := func(field, value string) {
		v := strings.ToLower(value)
		for _, p := range placeholders {
			if strings.Contains(v, p) {
				out = append(out, fmt.Sprintf("%s: %q is a placeholder (%s): put your own value", field, value, p))
				return
			}
		}
	}
	var deskDomains []string
	addDomain := func(addr string) {
		if d := domainOf(addr); d != "" && !slices.Contains(deskDomains, d) {
			deskDomains = append(deskDomains, d)
		}
	}
	for i, d := range c.Desks {
		f := fmt.Sprintf("desks[%d]", i)
		placeholder(f+".support_address", d.SupportAddress)
		placeholder(f+".trusted_authserv_id", d.TrustedAuthServID)
		placeholder(f+".imap.host", d.IMAP.Host)
		placeholder(f+".imap.username", d.IMAP.Username)
		placeholder(f+".smtp.host", d.SMTP.Host)
		placeholder(f+".smtp.username", d.SMTP.Username)
		placeholder(f+".smtp.from", d.SMTP.From)
		placeholder(f+".smtp.helo_name", d.SMTP.HeloName)
		addDomain(d.SupportAddress)
		if d.SMTP.From != "" {
			if a, err := mail.ParseAddress(d.SMTP.From); err == nil {
				addDomain(a.Address)
			} else {
				addDomain(d.SMTP.From)
			}
		}
	}
	foreign := func(field, addr string) {
		d := domainOf(addr)
		if d == "" || len(deskDomains) == 0 || slices.Contains(deskDomains, d) {
			return
		}
		out = append(out, fmt.Sprintf("%s: %s is not on a desk's domain (%s): check it is not a leftover or a typo",
			field, addr, strings.Join(deskDomains, ", ")))
	}
	for i, m := range c.Staff {
		f := fmt.Sprintf("staff[%d].email", i)
		before := len(out)
		placeholder(f, m.Email)
		if len(out) == before {
			foreign(f, m.Email)
		}
	}
	for i, r := range c.Digests.Recipients {
		f := fmt.Sprintf("digests.recipients[%d].email", i)
		before := len(out)
		placeholder(f, r.Email)
		if len(out) == before && r.OrganisationID == 0 { // a client's head is on the client's domain
			foreign(f, r.Email)
		}
	}
	for i, a := range c.Rules.Incident.Contacts {
		placeholder(fmt.Sprintf("rules.incident.contacts[%d]", i), a)
	}
	return out
}

// domainOf is the lower-cased domain of an address ("" when it has none).
func domainOf(addr string) string {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return ""
	}
	return strings.ToLower(strings.TrimSpace(strings.TrimSuffix(addr[at+1:], ">")))
}
