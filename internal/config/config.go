// Package config holds Otvet's typed configuration: YAML with defaults in code,
// OTVET_* environment overrides, *_file secrets, and a Validate that reports
// every problem at once.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Config is the whole configuration of one Otvet installation.
type Config struct {
	Database   Database `yaml:"database"`
	SecretKey  Secret   `yaml:"secret_key"`
	SecretFile string   `yaml:"secret_key_file"`

	// Previous signing keys, still accepted on reply addresses mailed before a
	// key rotation (docs/security.md): inline or from the environment
	// (OTVET_PREVIOUS_SECRET_KEYS, comma-separated), and from files. Load
	// appends the files' keys to PreviousSecretKeys.
	PreviousSecretKeys  []Secret `yaml:"previous_secret_keys"`
	PreviousSecretFiles []string `yaml:"previous_secret_key_files"`

	Log           Log            `yaml:"log"`
	Limits        Limits         `yaml:"limits"`
	AutoReply     AutoReply      `yaml:"auto_reply"`
	Outbox        Outbox         `yaml:"outbox"`
	Tickets       Tickets        `yaml:"tickets"`
	Templates     Templates      `yaml:"templates"`
	Desks         []Desk         `yaml:"desks"`
	Calendar      Calendar       `yaml:"calendar"`
	SupportLevels []SupportLevel `yaml:"support_levels"`
	Rules         Rules          `yaml:"rules"`
	Staff         []StaffMember  `yaml:"staff"`
	Digests       Digests        `yaml:"digests"`
	KB            KB             `yaml:"kb"`
	Replies       Replies        `yaml:"replies"`
	Registration  Registration   `yaml:"registration"`
	HTTP          HTTP           `yaml:"http"`

	// unreadable marks the secrets whose *_file could not be read (by field
	// path, e.g. "desks[0].imap.password"): Load reported them already.
	unreadable map[string]bool
	// previousFields names where each of PreviousSecretKeys came from
	// ("previous_secret_keys[0]", "previous_secret_key_files[1]"), for Validate.
	previousFields []string
}

// HTTP is the web console with health and metrics (docs/console.md).
type HTTP struct {
	// Listen is host:port of the console, /healthz, /readyz and /metrics
	// ("": off).
	Listen string `yaml:"listen"`
	// BaseURL is the console's address as staff reach it (behind a proxy:
	// https://helpdesk.example.ru); sign-in links point there. Default:
	// http://LISTEN.
	BaseURL string `yaml:"base_url"`
}

// Digests are the SLA digests mailed to managers.
type Digests struct {
	Daily      DigestSchedule    `yaml:"daily"`
	Weekly     DigestSchedule    `yaml:"weekly"`
	Monthly    DigestSchedule    `yaml:"monthly"`
	Recipients []DigestRecipient `yaml:"recipients"`
}

// DigestSchedule switches a kind of digest and sets the local hour it goes out.
type DigestSchedule struct {
	Toggle `yaml:",inline"`
	Hour   int `yaml:"hour"`
}

// DigestRecipient is a manager of the operator (organisation_id 0: everything)
// or a client organisation's head (only that organisation's tickets).
type DigestRecipient struct {
	Email          string `yaml:"email"`
	Name           string `yaml:"name"`
	Lang           string `yaml:"lang"`
	OrganisationID int64  `yaml:"organisation_id"`
}

// StaffMember is an agent, lead or manager (also manageable with 'otvet staff').
// The list seeds the staff directory: a member missing from the database is
// added at start; one already there keeps what the database (and 'otvet
// staff') says, except that Active false disables them at every start.
type StaffMember struct {
	Email string `yaml:"email"`
	Name  string `yaml:"name"`
	Role  string `yaml:"role"` // agent | lead | manager
	// Active false keeps the member disabled (nil: active when added).
	Active *bool `yaml:"active"`
}

// Disabled reports whether the configuration explicitly disables the member.
func (m StaffMember) Disabled() bool { return m.Active != nil && !*m.Active }

// Rules switch and tune the intake rules (internal/rules). Every rule is on
// unless its enabled is false.
type Rules struct {
	Blocked        Toggle         `yaml:"blocked"`
	Offensive      OffensiveRule  `yaml:"offensive"`
	Identification Identification `yaml:"identification"`
	Maintenance    Toggle         `yaml:"maintenance"`
	Unclear        Toggle         `yaml:"unclear"`
	Quality        Toggle         `yaml:"quality"`
	OutOfScope     OutOfScopeRule `yaml:"out_of_scope"`
	Incident       IncidentRule   `yaml:"incident"`
	Spam           SpamRule       `yaml:"spam"`
	// Clauses maps reason codes to the clause of the operator's regulation
	// that the notices cite, e.g. offensive: "4.6.3".
	Clauses map[string]string `yaml:"clauses"`
}

// Toggle switches a rule.
type Toggle struct {
	Enabled *bool `yaml:"enabled"`
}

// On reports whether the rule is enabled (the default).
func (t Toggle) On() bool { return t.Enabled == nil || *t.Enabled }

// OffensiveRule tunes the offensive-language detector.
type OffensiveRule struct {
	Toggle     `yaml:",inline"`
	ExtraWords []string `yaml:"extra_words"`
	// Exceptions are whole words never to treat as offensive (a false
	// positive found in the wild), matched after the detector's normalisation.
	Exceptions []string `yaml:"exceptions"`
}

// SpamRule: mail the MX marked as spam (one of Headers, "Header: value"
// prefix; absent: the common filters' verdicts), or that fails DMARC in the
// trusted Authentication-Results, opens no ticket and gets no answer.
type SpamRule struct {
	Toggle  `yaml:",inline"`
	Headers []string `yaml:"headers"`
}

// Identification tunes the identification rule.
type Identification struct {
	Toggle `yaml:",inline"`
	// WaitDays is how many working days an unidentified request waits for the
	// sender's details before it is closed.
	WaitDays int `yaml:"wait_days"`
}

// OutOfScopeRule adds phrases to the out-of-scope matcher, by category
// (legislation, third_parties, user_duties).
type OutOfScopeRule struct {
	Toggle  `yaml:",inline"`
	Phrases map[string][]string `yaml:"phrases"`
}

// IncidentRule tunes security-incident detection.
type IncidentRule struct {
	Toggle  `yaml:",inline"`
	Phrases []string `yaml:"phrases"`
	// Contacts receive an alert at once, even outside working hours.
	Contacts      []string `yaml:"contacts"`
	FirstResponse Duration `yaml:"first_response"`
	Resolution    Duration `yaml:"resolution"`
}

// Database selects the storage engine.
type Database struct {
	Driver  string `yaml:"driver"` // sqlite | postgres
	Path    string `yaml:"path"`   // sqlite file
	DSN     Secret `yaml:"dsn"`    // postgres
	DSNFile string `yaml:"dsn_file"`
}

// Log configures the process log.
type Log struct {
	Level  string `yaml:"level"`  // debug | info | warn | error
	Format string `yaml:"format"` // text | json
}

// Limits bound what one incoming message may cost.
type Limits struct {
	MaxMessageBytes         Size `yaml:"max_message_bytes"`
	MaxAttachmentBytes      Size `yaml:"max_attachment_bytes"`
	MaxTotalAttachmentBytes Size `yaml:"max_total_attachment_bytes"`
	// RiskyExtensions are the file extensions (without the dot) that make an
	// attachment risky: agents are warned in notifications, the file is not
	// attached to them, and it reaches a customer only on an agent's
	// #send-files. Empty: mailmsg.DefaultRiskyExtensions (programs, scripts
	// and macro documents). Programs, macro documents and zip archives
	// holding them are also recognised by content, whatever the list.
	RiskyExtensions []string `yaml:"risky_extensions"`
	// ParseTimeout bounds the parsing of one message (default 30s): a
	// message that takes longer is quarantined, and intake goes on.
	ParseTimeout Duration `yaml:"parse_timeout"`
}

// Risky is limits.risky_extensions for mailmsg.Options.RiskyExtensions:
// nil (the default list) when the list is empty.
func (l Limits) Risky() []string {
	if len(l.RiskyExtensions) == 0 {
		return nil
	}
	return l.RiskyExtensions
}

// AutoReply caps automatic mail per recipient.
type AutoReply struct {
	MaxPerHour int `yaml:"max_per_hour"`
}

// Outbox tunes the sending worker.
type Outbox struct {
	// GiveUpAfter: a message the relay keeps refusing temporarily (or
	// cannot be reached for) is retried this long after it was queued, then
	// given up and reported (default 168h). A permanent rejection (5xx to
	// the message) is given up at once.
	GiveUpAfter Duration `yaml:"give_up_after"`
	// RetryMin is the first retry delay; it doubles up to RetryMax, which
	// also bounds how long the queue waits after a relay outage (default
	// 30s and 5m).
	RetryMin     Duration `yaml:"retry_min"`
	RetryMax     Duration `yaml:"retry_max"`
	PollInterval Duration `yaml:"poll_interval"`
	// Senders is how many senders drain the outbox at once, each with its
	// own SMTP connection to each desk's relay (default 4, at most 32).
	Senders int `yaml:"senders"`
	// AnnounceInterval paces announcements (otvet announce, announced
	// maintenance): the pause between two of their messages (default 1s).
	AnnounceInterval Duration `yaml:"announce_interval"`
	// MaxAttempts is no longer used (temporary failures no longer count
	// toward giving up; see GiveUpAfter); it is still accepted so that old
	// configuration files load.
	MaxAttempts int `yaml:"max_attempts"`
}

// Tickets holds ticket lifecycle settings.
type Tickets struct {
	ReopenWindow Duration `yaml:"reopen_window"`
	// AutocloseDays: a resolved ticket closes after this many working days
	// without a reply from the customer.
	AutocloseDays int `yaml:"autoclose_days"`
	// RetentionDays: raw messages and attachment files of tickets closed
	// longer ago than this are purged (the tickets keep their text); 0 keeps them.
	RetentionDays int `yaml:"retention_days"`
	// SLAWarnPercent: agents are warned when a running SLA clock has used
	// this share of its target (1–99, default 80).
	SLAWarnPercent int `yaml:"sla_warn_percent"`
	// WaitReminderDays: a ticket waiting for the customer (#wait) reminds
	// them after this many working days (default 3; negative: never).
	WaitReminderDays int `yaml:"wait_reminder_days"`
	// WaitCloseDays: and closes after this many working days without their
	// reply, counted from the #wait (default 10; negative: never).
	WaitCloseDays int `yaml:"wait_close_days"`
	// ContractorAlertAfter: agents are alerted that a contractor missed its
	// response target this much business time (on the contractor's hours)
	// after the target, when the contractor was reminded (default 1h).
	ContractorAlertAfter Duration `yaml:"contractor_alert_after"`
}

// KB is the knowledge base (docs/kb.md).
type KB struct {
	// Dir holds the articles as Markdown files with a front matter (title,
	// systems, keywords, public); "" for articles added with otvet kb add only.
	Dir string `yaml:"dir"`
	// Threshold is the score an article needs to be suggested in the
	// acknowledgement (0: the default, kb.DefaultThreshold); higher suggests less.
	Threshold float64 `yaml:"threshold"`
	// BaseURL makes an article's link: BaseURL + its file name (without .md).
	BaseURL string `yaml:"base_url"`
	// Suggest switches the suggestions in acknowledgements (default on).
	Suggest Toggle `yaml:"suggest"`
}

// Replies are the canned answers staff insert with #шаблон NAME.
type Replies struct {
	// Dir holds NAME.md files (also managed with otvet reply-template).
	Dir string `yaml:"dir"`
}

// Templates points at an optional directory that overrides the embedded mail templates.
type Templates struct {
	Dir string `yaml:"dir"`
}

// Calendar tunes the production calendar shared by all desks.
type Calendar struct {
	OverridesFile string `yaml:"overrides_file"`
}

// SupportLevel is a named pair of SLA targets in business time.
type SupportLevel struct {
	Name          string   `yaml:"name"`
	FirstResponse Duration `yaml:"first_response"`
	Resolution    Duration `yaml:"resolution"`
	// WithContractor: what the desk's resolution clock does while a ticket
	// of this level is with a contractor (#escalate until #recall):
	// "runs" (default) or "pauses" (docs/contractors.md).
	WithContractor string `yaml:"with_contractor"`
}

// The values of support_levels[].with_contractor.
const (
	ContractorClockRuns   = "runs"
	ContractorClockPauses = "pauses"
)

// PauseWithContractor names the support levels whose resolution clock
// pauses while a contractor works on the ticket.
func (c *Config) PauseWithContractor() map[string]bool {
	m := map[string]bool{}
	for _, l := range c.SupportLevels {
		if l.WithContractor == ContractorClockPauses {
			m[l.Name] = true
		}
	}
	return m
}

// Desk is one support mailbox.
type Desk struct {
	Name           string `yaml:"name"`
	SupportAddress string `yaml:"support_address"`
	DisplayName    string `yaml:"display_name"`
	TimeZone       string `yaml:"timezone"`
	Language       string `yaml:"language"`
	SupportLevel   string `yaml:"support_level"`
	// Identification: false serves senders who are not in the directory
	// without asking who they are (the rule is on by default).
	Identification *bool `yaml:"identification"`
	Hours          Hours `yaml:"hours"`
	// Staff mail: require a DKIM/DMARC pass in the Authentication-Results
	// header that TrustedAuthServID (your MX) adds, on top of the signed token.
	RequireAuthenticationResults bool   `yaml:"require_authentication_results"`
	TrustedAuthServID            string `yaml:"trusted_authserv_id"`
	// ShowAgentAddress lets customers see and reply to the agent's own address.
	ShowAgentAddress bool `yaml:"show_agent_address"`
	IMAP             IMAP `yaml:"imap"`
	SMTP             SMTP `yaml:"smtp"`
}

// Hours are the desk's working hours, "HH:MM".
type Hours struct {
	Start    string `yaml:"start"`
	End      string `yaml:"end"`
	ShortEnd string `yaml:"short_end"`
}

// IMAP is where a desk's mail is read.
type IMAP struct {
	Host            string   `yaml:"host"`
	Port            int      `yaml:"port"`
	Security        string   `yaml:"security"` // tls | starttls | plain (loopback only)
	Username        string   `yaml:"username"`
	Password        Secret   `yaml:"password"`
	PasswordFile    string   `yaml:"password_file"`
	Folder          string   `yaml:"folder"`
	ProcessedFolder string   `yaml:"processed_folder"`
	MarkSeen        *bool    `yaml:"mark_seen"`
	Idle            *bool    `yaml:"idle"`
	PollInterval    Duration `yaml:"poll_interval"`
	IdleCheck       Duration `yaml:"idle_check"`
	CAFile          string   `yaml:"ca_file"`
}

// SMTP is where a desk's mail is sent.
type SMTP struct {
	Host         string `yaml:"host"`
	Port         int    `yaml:"port"`
	Security     string `yaml:"security"` // tls | starttls | none (loopback only)
	Username     string `yaml:"username"`
	Password     Secret `yaml:"password"`
	PasswordFile string `yaml:"password_file"`
	HeloName     string `yaml:"helo_name"`
	CAFile       string `yaml:"ca_file"`
	// From is the From header and envelope sender of the desk's mail,
	// "noreply@x.ru" or "Name <noreply@x.ru>" ("": support_address). Replies
	// still go to the signed support+token Reply-To address.
	From string `yaml:"from"`
}

// Load reads the YAML file at path (when path is not empty), applies defaults,
// OTVET_* overrides from getenv and *_file secrets. It does not validate: call
// Validate, or use Check for both at once.
//
// Problems that do not stop reading (unknown keys, values of the wrong type,
// bad OTVET_* values, unreadable secret files) are all collected: Load then
// returns the configuration as far as it could be read together with a
// *Problems error naming each. An unreadable file or a YAML syntax error
// returns a nil configuration.
func Load(path string, getenv func(string) string) (*Config, error) {
	c, problems, err := load(path, getenv)
	if err != nil {
		return nil, err
	}
	if len(problems) > 0 {
		return c, &Problems{Path: path, List: problems}
	}
	return c, nil
}

// Check loads the configuration like Load and validates it, reporting the
// problems of both steps together in one *Problems error. The configuration
// is returned whenever the file could be parsed, valid or not.
func Check(path string, getenv func(string) string) (*Config, error) {
	c, problems, err := load(path, getenv)
	if err != nil {
		return nil, err
	}
	problems = append(problems, c.validate()...)
	if len(problems) > 0 {
		return c, &Problems{Path: path, List: problems}
	}
	return c, nil
}

// Problems is every problem found in one configuration, each naming its field.
type Problems struct {
	Path string // the configuration file ("" when it came from the environment only)
	List []error
}

func (p *Problems) Error() string {
	var b strings.Builder
	b.WriteString("configuration ")
	if p.Path != "" {
		b.WriteString(p.Path + " ")
	}
	n := "1 problem"
	if len(p.List) != 1 {
		n = fmt.Sprintf("%d problems", len(p.List))
	}
	fmt.Fprintf(&b, "is not valid (%s):", n)
	for _, e := range p.List {
		b.WriteString("\n  " + strings.ReplaceAll(e.Error(), "\n", "\n  "))
	}
	return b.String()
}

// Unwrap returns the problems, for errors.Is and errors.As.
func (p *Problems) Unwrap() []error { return p.List }

func load(path string, getenv func(string) string) (*Config, []error, error) {
	c := &Config{}
	var problems []error
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, nil, fmt.Errorf("read config: %w", err)
		}
		problems, err = decode(b, c)
		if err != nil {
			return nil, nil, fmt.Errorf("config %s: %w", path, err)
		}
	}
	if getenv != nil {
		if err := applyEnv(c, getenv); err != nil {
			problems = append(problems, err)
		}
	} else {
		getenv = func(string) string { return "" }
	}
	c.setDefaults()
	base := ""
	if path != "" {
		base = filepath.Dir(path)
	}
	problems = append(problems, c.readSecretFiles(base, getenv)...)
	return c, problems, nil
}

func (c *Config) setDefaults() {
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&c.Database.Driver, "sqlite")
	if c.Database.Driver == "sqlite" {
		def(&c.Database.Path, "otvet.db")
	}
	def(&c.Log.Level, "info")
	def(&c.Log.Format, "text")
	if c.Limits.MaxMessageBytes == 0 {
		c.Limits.MaxMessageBytes = 25 << 20
	}
	if c.Limits.MaxAttachmentBytes == 0 {
		c.Limits.MaxAttachmentBytes = 10 << 20
	}
	if c.Limits.MaxTotalAttachmentBytes == 0 {
		c.Limits.MaxTotalAttachmentBytes = 25 << 20
	}
	if c.AutoReply.MaxPerHour == 0 {
		c.AutoReply.MaxPerHour = 10
	}
	if c.Outbox.GiveUpAfter == 0 {
		c.Outbox.GiveUpAfter = Duration(7 * 24 * time.Hour)
	}
	if c.Outbox.RetryMin == 0 {
		c.Outbox.RetryMin = Duration(30 * time.Second)
	}
	if c.Outbox.RetryMax == 0 {
		c.Outbox.RetryMax = Duration(5 * time.Minute)
	}
	if c.Outbox.PollInterval == 0 {
		c.Outbox.PollInterval = Duration(5 * time.Second)
	}
	if c.Outbox.Senders == 0 {
		c.Outbox.Senders = 4
	}
	if c.Digests.Weekly.Hour == 0 {
		c.Digests.Weekly.Hour = 9
	}
	if c.Digests.Monthly.Hour == 0 {
		c.Digests.Monthly.Hour = 9
	}
	for i := range c.Digests.Recipients {
		if c.Digests.Recipients[i].Lang == "" {
			c.Digests.Recipients[i].Lang = "ru"
		}
	}
	if c.Tickets.AutocloseDays == 0 {
		c.Tickets.AutocloseDays = 3
	}
	if c.Limits.ParseTimeout == 0 {
		c.Limits.ParseTimeout = Duration(30 * time.Second)
	}
	if c.Tickets.WaitReminderDays == 0 {
		c.Tickets.WaitReminderDays = 3
	}
	if c.Tickets.WaitCloseDays == 0 {
		c.Tickets.WaitCloseDays = 10
	}
	if c.Tickets.SLAWarnPercent == 0 {
		c.Tickets.SLAWarnPercent = 80
	}
	if c.Tickets.ReopenWindow == 0 {
		c.Tickets.ReopenWindow = Duration(14 * 24 * time.Hour)
	}
	if c.Tickets.ContractorAlertAfter == 0 {
		c.Tickets.ContractorAlertAfter = Duration(time.Hour)
	}
	if len(c.SupportLevels) == 0 {
		c.SupportLevels = []SupportLevel{
			{Name: "basic", FirstResponse: Duration(8 * time.Hour), Resolution: Duration(40 * time.Hour)},
			{Name: "standard", FirstResponse: Duration(4 * time.Hour), Resolution: Duration(24 * time.Hour)},
			{Name: "priority", FirstResponse: Duration(1 * time.Hour), Resolution: Duration(8 * time.Hour)},
		}
	}
	if c.Rules.Identification.WaitDays == 0 {
		c.Rules.Identification.WaitDays = 3
	}
	if c.Rules.Incident.FirstResponse == 0 {
		c.Rules.Incident.FirstResponse = Duration(time.Hour)
	}
	if c.Rules.Incident.Resolution == 0 {
		c.Rules.Incident.Resolution = Duration(8 * time.Hour)
	}
	t := true
	for i := range c.Desks {
		d := &c.Desks[i]
		def(&d.TimeZone, "Europe/Moscow")
		def(&d.Language, "ru")
		def(&d.SupportLevel, "standard")
		def(&d.DisplayName, "Служба технической поддержки")
		def(&d.Hours.Start, "09:00")
		def(&d.Hours.End, "17:00")
		def(&d.Hours.ShortEnd, "16:00")
		def(&d.IMAP.Security, "tls")
		def(&d.IMAP.Folder, "INBOX")
		if d.IMAP.Port == 0 {
			d.IMAP.Port = map[string]int{"tls": 993}[d.IMAP.Security]
			if d.IMAP.Port == 0 {
				d.IMAP.Port = 143
			}
		}
		if d.Identification == nil {
			d.Identification = &t
		}
		if d.IMAP.MarkSeen == nil {
			d.IMAP.MarkSeen = &t
		}
		if d.IMAP.Idle == nil {
			d.IMAP.Idle = &t
		}
		if d.IMAP.PollInterval == 0 {
			d.IMAP.PollInterval = Duration(60 * time.Second)
		}
		def(&d.SMTP.Security, "starttls")
		if d.SMTP.Port == 0 {
			d.SMTP.Port = map[string]int{"tls": 465, "starttls": 587}[d.SMTP.Security]
			if d.SMTP.Port == 0 {
				d.SMTP.Port = 25
			}
		}
	}
}

// readSecretFiles reads every *_file secret. An OTVET_* variable for the
// secret itself wins over the file, which is then not read. Every file that
// cannot be read is a problem naming its field; the secret it should have
// filled is marked unreadable so that Validate does not report it again.
func (c *Config) readSecretFiles(base string, getenv func(string) string) []error {
	var errs []error
	c.unreadable = map[string]bool{}
	read := func(field, file, env string, dst *Secret) {
		if file == "" || getenv(env) != "" {
			return
		}
		if base != "" && !filepath.IsAbs(file) {
			file = filepath.Join(base, file)
		}
		b, err := os.ReadFile(file)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s_file: %w — %s or set %s", field, err, fileFix(err), env))
			c.unreadable[field] = true
			return
		}
		*dst = Secret(strings.TrimRight(string(b), "\r\n"))
	}
	read("secret_key", c.SecretFile, "OTVET_SECRET_KEY", &c.SecretKey)
	c.previousFields = nil
	for i := range c.PreviousSecretKeys {
		c.previousFields = append(c.previousFields, fmt.Sprintf("previous_secret_keys[%d]", i))
	}
	if getenv("OTVET_PREVIOUS_SECRET_KEYS") == "" {
		// The environment's list replaces both the inline keys and the files.
		for i, file := range c.PreviousSecretFiles {
			field := fmt.Sprintf("previous_secret_key_files[%d]", i)
			if base != "" && file != "" && !filepath.IsAbs(file) {
				file = filepath.Join(base, file)
			}
			b, err := os.ReadFile(file)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w — %s or set OTVET_PREVIOUS_SECRET_KEYS", field, err, fileFix(err)))
				c.unreadable[field] = true
				continue
			}
			c.PreviousSecretKeys = append(c.PreviousSecretKeys, Secret(strings.TrimRight(string(b), "\r\n")))
			c.previousFields = append(c.previousFields, field)
		}
	}
	read("database.dsn", c.Database.DSNFile, "OTVET_DATABASE_DSN", &c.Database.DSN)
	for i := range c.Desks {
		d := &c.Desks[i]
		env := "OTVET_DESKS_" + envKey(d.Name)
		read(fmt.Sprintf("desks[%d].imap.password", i), d.IMAP.PasswordFile, env+"_IMAP_PASSWORD", &d.IMAP.Password)
		read(fmt.Sprintf("desks[%d].smtp.password", i), d.SMTP.PasswordFile, env+"_SMTP_PASSWORD", &d.SMTP.Password)
	}
	return errs
}

// fileFix says how to mend a secret file that cannot be read.
func fileFix(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "create it"
	case errors.Is(err, fs.ErrPermission):
		return "let otvet's user read it"
	}
	return "fix it"
}

// SigningKeys returns the key that signs reply addresses and the previous
// keys that are still accepted (secret_key, previous_secret_keys and
// previous_secret_key_files), for mailout.NewSigner.
func (c *Config) SigningKeys() (current []byte, previous [][]byte) {
	for _, k := range c.PreviousSecretKeys {
		previous = append(previous, []byte(k.Reveal()))
	}
	return []byte(c.SecretKey.Reveal()), previous
}

// Sender is the From of the desk's mail and its envelope sender: smtp.from
// when set (display_name when it has no name of its own), else display_name
// and support_address. Validate has checked smtp.from.
func (d *Desk) Sender() (name, email string) {
	if d.SMTP.From != "" {
		if a, err := mail.ParseAddress(d.SMTP.From); err == nil {
			if a.Name == "" {
				a.Name = d.DisplayName
			}
			return a.Name, a.Address
		}
	}
	return d.DisplayName, d.SupportAddress
}

// Desk returns the desk with the given name.
func (c *Config) Desk(name string) (*Desk, bool) {
	for i := range c.Desks {
		if c.Desks[i].Name == name {
			return &c.Desks[i], true
		}
	}
	return nil, false
}
