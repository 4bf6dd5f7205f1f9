package config

import (
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"time"
)

var deskName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)

// riskyExt is one extension of limits.risky_extensions, without the dot.
var riskyExt = regexp.MustCompile(`^[A-Za-z0-9_~+-]{1,15}$`)

// Validate checks the whole configuration and returns every problem at once,
// each naming the field and saying how to fix it. Secrets whose *_file Load
// could not read are not reported again (Load's error names them).
func (c *Config) Validate() error { return errors.Join(c.validate()...) }

func (c *Config) validate() []error {
	var errs []error
	add := func(field, format string, a ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", field, fmt.Sprintf(format, a...)))
	}
	errs = append(errs, c.validateDatabase()...)
	errs = append(errs, c.validateKB()...)
	errs = append(errs, c.validateRegistration()...)
	if len(c.SecretKey) < 32 && !c.unreadable["secret_key"] {
		add("secret_key", "must be at least 32 characters (it signs reply addresses): generate one with 'head -c 32 /dev/urandom | base64' and set secret_key_file or OTVET_SECRET_KEY")
	}
	for i, k := range c.PreviousSecretKeys {
		field := fmt.Sprintf("previous_secret_keys[%d]", i)
		if i < len(c.previousFields) {
			field = c.previousFields[i]
		}
		switch {
		case len(k) < 16:
			// 16 bytes is what the signer needs; a previous key may be shorter
			// than today's 32 characters so that a weak key can be rotated out.
			add(field, "must be at least 16 characters (a previous signing key; the value is not shown); an empty entry of OTVET_PREVIOUS_SECRET_KEYS is too")
		case k == c.SecretKey:
			add(field, "is the same as secret_key: a rotation moves the old key here and sets a new secret_key (docs/security.md)")
		}
	}
	if c.HTTP.Listen != "" {
		if _, port, err := net.SplitHostPort(c.HTTP.Listen); err != nil || port == "" {
			add("http.listen", "%q is not host:port, e.g. 127.0.0.1:8080 (empty: no web console)", c.HTTP.Listen)
		}
	}
	if c.HTTP.BaseURL != "" {
		if u, err := url.Parse(c.HTTP.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			add("http.base_url", "%q is not an http(s) address like https://helpdesk.example.ru", c.HTTP.BaseURL)
		}
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		add("log.level", "%q is not a level: use debug, info, warn or error", c.Log.Level)
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		add("log.format", "%q is not a format: use text or json", c.Log.Format)
	}
	if c.Limits.MaxMessageBytes < 64<<10 {
		add("limits.max_message_bytes", "%d is too small: use at least 64KiB", c.Limits.MaxMessageBytes)
	}
	if c.Limits.MaxAttachmentBytes <= 0 || c.Limits.MaxTotalAttachmentBytes < c.Limits.MaxAttachmentBytes {
		add("limits.max_total_attachment_bytes", "must be at least max_attachment_bytes")
	}
	for i, e := range c.Limits.RiskyExtensions {
		if !riskyExt.MatchString(strings.TrimPrefix(strings.TrimSpace(e), ".")) {
			add(fmt.Sprintf("limits.risky_extensions[%d]", i), "%q is not a file extension: write the last extension only, without a name, e.g. exe or .docm", e)
		}
	}
	if d := c.Limits.ParseTimeout.D(); d < time.Second || d > time.Hour {
		add("limits.parse_timeout", "%s is out of range: use 1s to 1h (default 30s)", d)
	}
	if p := c.Tickets.SLAWarnPercent; p < 1 || p > 99 {
		add("tickets.sla_warn_percent", "%d is not a share of the target: use 1 to 99 (default 80)", p)
	}
	if c.Tickets.ContractorAlertAfter < 0 {
		add("tickets.contractor_alert_after", "%s is negative: say how long after a contractor's missed target agents are alerted, e.g. 1h", c.Tickets.ContractorAlertAfter.D())
	}
	if r, cl := c.Tickets.WaitReminderDays, c.Tickets.WaitCloseDays; r > 0 && cl > 0 && cl <= r {
		add("tickets.wait_close_days", "%d is not after the reminder (wait_reminder_days: %d): close later than you remind, or set -1 to never close", cl, r)
	}
	if c.AutoReply.MaxPerHour < 0 {
		add("auto_reply.max_per_hour", "must not be negative")
	}
	if c.Outbox.RetryMin <= 0 || c.Outbox.RetryMax < c.Outbox.RetryMin {
		add("outbox.retry_max", "must be at least retry_min (%s)", c.Outbox.RetryMin.D())
	}
	if n := c.Outbox.Senders; n < 1 || n > 32 {
		add("outbox.senders", "%d is not a number of parallel senders: use 1 to 32 (default 4), and no more than the relay accepts connections from one client", n)
	}
	if c.Outbox.GiveUpAfter < Duration(time.Hour) {
		add("outbox.give_up_after", "%s is too short to outlast a relay outage: use at least 1h (default 168h)", c.Outbox.GiveUpAfter.D())
	}
	levels := map[string]bool{}
	for i, l := range c.SupportLevels {
		f := fmt.Sprintf("support_levels[%d]", i)
		if l.Name == "" {
			add(f+".name", "empty: name the level, e.g. standard")
		}
		if levels[l.Name] {
			add(f+".name", "%q is defined twice", l.Name)
		}
		levels[l.Name] = true
		if l.FirstResponse <= 0 || l.Resolution < l.FirstResponse {
			add(f, "first_response must be positive and resolution at least first_response")
		}
		switch l.WithContractor {
		case "", ContractorClockRuns, ContractorClockPauses:
		default:
			add(f+".with_contractor", "%q: use runs (the resolution clock keeps running while a contractor works) or pauses", l.WithContractor)
		}
	}
	if c.Rules.Identification.WaitDays < 1 {
		add("rules.identification.wait_days", "must be at least 1 working day")
	}
	if c.Rules.Incident.FirstResponse <= 0 || c.Rules.Incident.Resolution < c.Rules.Incident.FirstResponse {
		add("rules.incident", "first_response must be positive and resolution at least first_response")
	}
	for i, a := range c.Rules.Incident.Contacts {
		if _, err := mail.ParseAddress(a); err != nil {
			add(fmt.Sprintf("rules.incident.contacts[%d]", i), "%q is not an e-mail address", a)
		}
	}
	for k := range c.Rules.OutOfScope.Phrases {
		switch k {
		case "legislation", "third_parties", "user_duties":
		default:
			add("rules.out_of_scope.phrases."+k, "unknown category: use legislation, third_parties or user_duties")
		}
	}
	for name, d := range map[string]DigestSchedule{"daily": c.Digests.Daily, "weekly": c.Digests.Weekly, "monthly": c.Digests.Monthly} {
		if d.Hour < 0 || d.Hour > 23 {
			add("digests."+name+".hour", "%d is not an hour of the day (0-23)", d.Hour)
		}
	}
	for i, r := range c.Digests.Recipients {
		f := fmt.Sprintf("digests.recipients[%d]", i)
		if a, err := mail.ParseAddress(r.Email); err != nil || a.Address != r.Email {
			add(f+".email", "%q is not a plain e-mail address", r.Email)
		}
		if r.Lang != "ru" && r.Lang != "en" {
			add(f+".lang", "%q is not supported: use ru or en", r.Lang)
		}
		if r.OrganisationID < 0 {
			add(f+".organisation_id", "must be 0 (everything) or an organisation's id")
		}
	}
	seen := map[string]bool{}
	for i, m := range c.Staff {
		f := fmt.Sprintf("staff[%d]", i)
		if a, err := mail.ParseAddress(m.Email); err != nil || a.Address != m.Email {
			add(f+".email", "%q is not a plain e-mail address", m.Email)
		}
		if seen[strings.ToLower(m.Email)] {
			add(f+".email", "%q is listed twice", m.Email)
		}
		seen[strings.ToLower(m.Email)] = true
		switch m.Role {
		case "agent", "lead", "manager":
		default:
			add(f+".role", "%q is not a role: use agent, lead or manager", m.Role)
		}
	}
	if len(c.Desks) == 0 {
		add("desks", "none configured: add at least one desk (a support mailbox); see config.example.yaml")
	}
	names := map[string]bool{}
	addrs := map[string]bool{}
	for i := range c.Desks {
		d := &c.Desks[i]
		f := fmt.Sprintf("desks[%d]", i)
		if !deskName.MatchString(d.Name) {
			add(f+".name", "%q must be 1-64 lower-case letters, digits, '-' or '_'", d.Name)
		}
		if names[d.Name] {
			add(f+".name", "defined twice")
		}
		names[d.Name] = true
		if a, err := mail.ParseAddress(d.SupportAddress); err != nil || a.Address != d.SupportAddress || strings.Contains(d.SupportAddress, "+") {
			add(f+".support_address", "%q is not a plain address like sd@example.ru (no name, no '+')", d.SupportAddress)
		} else if addrs[strings.ToLower(d.SupportAddress)] {
			add(f+".support_address", "%q is used by two desks", d.SupportAddress)
		}
		addrs[strings.ToLower(d.SupportAddress)] = true
		if _, err := time.LoadLocation(d.TimeZone); err != nil {
			add(f+".timezone", "%q is not a time zone: use an IANA name like Europe/Moscow or Asia/Irkutsk", d.TimeZone)
		}
		if d.Language != "ru" && d.Language != "en" {
			add(f+".language", "%q is not supported: use ru or en", d.Language)
		}
		if !levels[d.SupportLevel] {
			add(f+".support_level", "%q is not one of support_levels", d.SupportLevel)
		}
		var hs [3]time.Duration
		for j, h := range []struct{ name, v string }{{"start", d.Hours.Start}, {"end", d.Hours.End}, {"short_end", d.Hours.ShortEnd}} {
			v, err := ParseClock(h.v)
			if err != nil {
				add(f+".hours."+h.name, "%v", err)
			}
			hs[j] = v
		}
		if hs[0] >= hs[1] || hs[0] >= hs[2] || hs[2] > hs[1] {
			add(f+".hours", "need start < short_end <= end (got %s, %s, %s)", d.Hours.Start, d.Hours.ShortEnd, d.Hours.End)
		}
		checkServer(add, f+".imap", d.IMAP.Host, d.IMAP.Port, d.IMAP.Security, []string{"tls", "starttls", "plain"}, "plain")
		if d.RequireAuthenticationResults && d.TrustedAuthServID == "" {
			add(f+".trusted_authserv_id", "empty while require_authentication_results is on: name the server whose Authentication-Results to trust (your MX's authserv-id)")
		}
		if d.IMAP.Username == "" {
			add(f+".imap.username", "empty: set the mailbox login")
		}
		if d.IMAP.Password == "" && !c.unreadable[f+".imap.password"] {
			add(f+".imap.password", "empty: set password_file (preferred), password, or OTVET_DESKS_%s_IMAP_PASSWORD", envKey(d.Name))
		}
		if d.IMAP.Folder == "" {
			add(f+".imap.folder", "empty: use INBOX")
		}
		if d.IMAP.ProcessedFolder != "" && d.IMAP.ProcessedFolder == d.IMAP.Folder {
			add(f+".imap.processed_folder", "must differ from folder")
		}
		if d.IMAP.PollInterval.D() < time.Second {
			add(f+".imap.poll_interval", "must be at least 1s")
		}
		if ic := d.IMAP.IdleCheck.D(); ic != 0 && (ic < 50*time.Millisecond || ic >= d.IMAP.PollInterval.D()) {
			add(f+".imap.idle_check", "must be 0 (off) or between 50ms and poll_interval (%v)", d.IMAP.PollInterval.D())
		}
		checkServer(add, f+".smtp", d.SMTP.Host, d.SMTP.Port, d.SMTP.Security, []string{"tls", "starttls", "none"}, "none")
		if d.SMTP.Username != "" && d.SMTP.Password == "" && !c.unreadable[f+".smtp.password"] {
			add(f+".smtp.password", "empty while username is set: set password_file, password or OTVET_DESKS_%s_SMTP_PASSWORD", envKey(d.Name))
		}
		if d.SMTP.From != "" {
			if _, err := mail.ParseAddress(d.SMTP.From); err != nil {
				add(f+".smtp.from", "%q is not one address like noreply@example.ru or \"Support <noreply@example.ru>\"", d.SMTP.From)
			}
		}
	}
	return errs
}

func checkServer(add func(string, string, ...any), f, host string, port int, sec string, modes []string, clear string) {
	if host == "" {
		add(f+".host", "empty: set the server's host name")
	}
	if port <= 0 || port > 65535 {
		add(f+".port", "%d is not a TCP port", port)
	}
	ok := false
	for _, m := range modes {
		ok = ok || m == sec
	}
	if !ok {
		add(f+".security", "%q is not one of %s", sec, strings.Join(modes, ", "))
	}
	if sec == clear && host != "" && !IsLoopback(host) {
		add(f+".security", "%s sends the password in clear text and is allowed only to a loopback host; %q is not one: use tls or starttls", clear, host)
	}
}

// ValidateDatabase checks only the database section, for commands that need nothing else.
func (c *Config) ValidateDatabase() error { return errors.Join(c.validateDatabase()...) }

func (c *Config) validateDatabase() []error {
	switch c.Database.Driver {
	case "sqlite":
		if c.Database.Path == "" {
			return []error{errors.New("database.path: empty: set the SQLite file, e.g. /var/lib/otvet/otvet.db")}
		}
	case "postgres":
		if c.Database.DSN == "" && !c.unreadable["database.dsn"] {
			return []error{errors.New("database.dsn: empty: set a PostgreSQL DSN (postgres://user@host/db) or dsn_file, or OTVET_DATABASE_DSN")}
		}
	default:
		return []error{fmt.Errorf("database.driver: %q is not supported: use sqlite or postgres", c.Database.Driver)}
	}
	return nil
}

// IsLoopback reports whether host names this machine's loopback interface.
func IsLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ParseClock parses "HH:MM" into an offset from midnight.
func ParseClock(s string) (time.Duration, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a time of day: write it as HH:MM, e.g. 09:00", s)
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}
