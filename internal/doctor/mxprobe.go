package doctor

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/otvet/otvet/internal/mailmsg"
	"github.com/otvet/otvet/internal/mailout"
)

// Verdict is what the MX probe found.
type Verdict string

// The verdicts of MXStripsAuthResults.
const (
	// Stripped: the forged header is gone, or an Authentication-Results of
	// the MX's own sits above it, so the topmost header is not the forgery.
	Stripped Verdict = "stripped"
	// NotStripped: the forged header is still the topmost one with the
	// trusted authserv-id; a forged DKIM/DMARC pass would be believed.
	NotStripped Verdict = "not_stripped"
	// Inconclusive: the probe could not be sent or did not arrive in time.
	Inconclusive Verdict = "inconclusive"
)

// CheckMX is the name of the MX probe's check.
const CheckMX = "mx_strips_auth_results"

// DefaultProbeTimeout is how long the probe is awaited by default.
const DefaultProbeTimeout = 30 * time.Second

// Sender submits a message; *mailout.SMTPSender is one.
type Sender interface {
	Send(ctx context.Context, envelopeFrom string, to []string, raw []byte) error
}

// Probe is one desk's MX probe.
type Probe struct {
	Desk           string
	SupportAddress string // From and To of the probe
	EnvelopeFrom   string // MAIL FROM; "" = SupportAddress
	// TrustedAuthServID is the authserv-id the forged header claims;
	// "" skips the probe.
	TrustedAuthServID string
	// Required (require_authentication_results): a probe that fails or is
	// inconclusive is an error rather than a warning.
	Required     bool
	Sender       Sender
	IMAP         IMAP
	Timeout      time.Duration // 0 = DefaultProbeTimeout
	PollInterval time.Duration // between searches for the probe; 0 = 1 s
	Logger       *slog.Logger  // nil = discard
}

// MXStripsAuthResults sends a probe through the desk's SMTP to its own
// support address carrying a forged Authentication-Results header with the
// trusted authserv-id, reads it back over IMAP, decides whether the MX
// stripped it (or put its own verdict on top), and deletes the probe. The
// probe carries the loop header and Auto-Submitted, so intake ignores it if
// a running poller sees it first.
func MXStripsAuthResults(ctx context.Context, p Probe) Result {
	log := p.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if p.TrustedAuthServID == "" {
		return okf("skipped: no trusted_authserv_id, staff mail is not authenticated by Authentication-Results")
	}
	failed := Warning
	if p.Required {
		failed = Error
	}
	timeout := p.Timeout
	if timeout <= 0 {
		timeout = DefaultProbeTimeout
	}
	marker, err := newMarker()
	if err != nil {
		return withVerdict(bad(failed, "", "cannot make a probe: %v", err), Inconclusive)
	}
	msgID, raw := composeProbe(p, marker, time.Now())
	from := p.EnvelopeFrom
	if from == "" {
		from = p.SupportAddress
	}
	sctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := p.Sender.Send(sctx, from, []string{p.SupportAddress}, raw); err != nil {
		return withVerdict(bad(failed, "check the desk's smtp settings (otvet doctor's smtp check says more)",
			"probe not sent: %v", err), Inconclusive)
	}
	log.Debug("mx probe sent", "desk", p.Desk, "message_id", msgID)
	header, err := fetchProbe(sctx, p.IMAP, msgID, cmpDur(p.PollInterval, time.Second), log)
	if err != nil {
		fix := "check that mail to " + p.SupportAddress + " reaches the desk's imap folder; run otvet doctor --timeout 2m"
		if errors.Is(err, errNotFound) {
			return withVerdict(bad(failed, fix, "probe %s not delivered within %s", msgID, timeout), Inconclusive)
		}
		return withVerdict(bad(failed, fix, "probe sent, reading it back failed: %v", err), Inconclusive)
	}
	m, err := mailmsg.Parse(append(header, "\r\n"...), mailmsg.Options{})
	if err != nil {
		return withVerdict(bad(failed, "", "probe arrived but its header could not be parsed: %v", err), Inconclusive)
	}
	v, msg := Decide(m.AuthResults, p.TrustedAuthServID, marker)
	switch v {
	case NotStripped:
		return withVerdict(bad(failed,
			"make the MX remove (or rename) Authentication-Results headers bearing \""+p.TrustedAuthServID+
				"\" on every message it receives, before it adds its own (see docs/doctor.md)",
			"the MX does not strip forged Authentication-Results: staff authentication cannot be trusted (%s)", msg), v)
	case Stripped:
		if w := topmostWarning(m.AuthResults, p.TrustedAuthServID); w != "" && p.Required {
			return withVerdict(bad(Warning,
				"set trusted_authserv_id to the authserv-id your MX writes, or make the MX verify DKIM/DMARC on this path",
				"%s; %s", msg, w), v)
		}
		return withVerdict(okf("%s", msg), v)
	}
	return withVerdict(bad(failed, "", "%s", msg), Inconclusive)
}

func withVerdict(r Result, v Verdict) Result { r.Verdict = v; return r }

func cmpDur(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

func newMarker() (string, error) {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random: %w", err)
	}
	return "otvet-doctor-" + hex.EncodeToString(b), nil
}

// composeProbe returns the probe's Message-ID (without brackets) and bytes.
// The forged header's DKIM result names marker as its selector, so the
// forgery can be told from any header the MX adds.
func composeProbe(p Probe, marker string, now time.Time) (string, []byte) {
	_, domain, _ := strings.Cut(p.SupportAddress, "@")
	msgID := marker + "@" + domain
	var b bytes.Buffer
	h := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	h("Authentication-Results", p.TrustedAuthServID+"; dkim=pass header.d="+domain+" header.s="+marker+
		"; dmarc=pass header.from="+domain)
	h("From", "<"+p.SupportAddress+">")
	h("To", "<"+p.SupportAddress+">")
	h("Subject", marker)
	h("Date", now.Format(time.RFC1123Z))
	h("Message-ID", "<"+msgID+">")
	h("Auto-Submitted", "auto-generated")
	h(mailout.LoopHeader, p.Desk)
	h("MIME-Version", "1.0")
	h("Content-Type", "text/plain; charset=utf-8")
	b.WriteString("\r\nA probe of otvet doctor: does the MX strip forged Authentication-Results headers?\r\n" +
		"It is deleted once read; if you see it, delete it.\r\n")
	return msgID, b.Bytes()
}

// Decide reads the probe's Authentication-Results headers, topmost first,
// as staff authentication does (only the topmost header counts, and only
// when it bears the trusted authserv-id): NotStripped when that header is
// the forgery (its DKIM selector is marker), else Stripped. The message says
// what was seen.
func Decide(ars []mailmsg.AuthResult, trusted, marker string) (Verdict, string) {
	forged := func(ar mailmsg.AuthResult) bool {
		for _, m := range ar.Methods {
			if m.Props["header.s"] == marker {
				return true
			}
		}
		return false
	}
	kept := -1
	for i, ar := range ars {
		if forged(ar) {
			kept = i
			break
		}
	}
	switch {
	case kept == 0 && strings.EqualFold(ars[0].AuthServID, trusted):
		return NotStripped, "the forged header is the topmost Authentication-Results"
	case kept == 0:
		return Stripped, fmt.Sprintf("the MX renamed the forged header's authserv-id to %q", ars[0].AuthServID)
	case kept > 0:
		return Stripped, fmt.Sprintf("the forged header is kept below the MX's own (authserv-id %q), which overrides it",
			ars[0].AuthServID)
	case len(ars) == 0:
		return Stripped, "the forged header was removed"
	default:
		return Stripped, "the forged header was replaced by the MX's own"
	}
}

// topmostWarning says why staff mail would be refused even with a valid
// signature: the topmost header is missing or not the trusted server's.
func topmostWarning(ars []mailmsg.AuthResult, trusted string) string {
	switch {
	case len(ars) == 0:
		return "the MX adds no Authentication-Results of its own on this path, so every staff message will be refused"
	case !strings.EqualFold(ars[0].AuthServID, trusted):
		return fmt.Sprintf("the topmost Authentication-Results is from %q, not %q, so every staff message will be refused",
			ars[0].AuthServID, trusted)
	}
	return ""
}

// fetchProbe searches the folders for the probe every interval until ctx
// ends, returns its header section and deletes it.
func fetchProbe(ctx context.Context, o IMAP, msgID string, interval time.Duration, log *slog.Logger) ([]byte, error) {
	c, err := o.connect(ctx)
	if err != nil {
		return nil, err
	}
	defer logout(c)
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	folders := o.Folders
	if len(folders) == 0 {
		folders = []string{"INBOX"}
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		for i, f := range folders {
			h, err := takeProbe(c, f, msgID, log)
			if err == nil {
				return h, nil
			}
			if ctx.Err() != nil {
				return nil, errNotFound
			}
			// The processed folder appears with the poller's first session.
			if i > 0 && errors.Is(err, errNoFolder) {
				continue
			}
			if !errors.Is(err, errNotFound) {
				return nil, err
			}
		}
		select {
		case <-ctx.Done():
			return nil, errNotFound
		case <-t.C:
		}
	}
}

// takeProbe finds the probe in folder, returns its header and deletes it:
// \Deleted then UID EXPUNGE of that message alone when the server has
// UIDPLUS, else \Seen and \Deleted, left for the next expunge.
func takeProbe(c *imapclient.Client, folder, msgID string, log *slog.Logger) ([]byte, error) {
	if _, err := c.Select(folder, nil).Wait(); err != nil {
		return nil, fmt.Errorf("select %q: %w (%w)", folder, err, errNoFolder)
	}
	sd, err := c.UIDSearch(&imap.SearchCriteria{
		Header: []imap.SearchCriteriaHeaderField{{Key: "Message-ID", Value: "<" + msgID + ">"}},
	}, nil).Wait()
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", folder, err)
	}
	uids := sd.AllUIDs()
	if len(uids) == 0 {
		return nil, errNotFound
	}
	set := imap.UIDSetNum(uids...)
	sec := &imap.FetchItemBodySection{Specifier: imap.PartSpecifierHeader, Peek: true}
	msgs, err := c.Fetch(set, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{sec}}).Collect()
	if err != nil {
		return nil, fmt.Errorf("fetch the probe: %w", err)
	}
	var header []byte
	for _, m := range msgs {
		if h := m.FindBodySection(sec); h != nil {
			header = h
			break
		}
	}
	if header == nil {
		return nil, fmt.Errorf("fetch the probe: no header returned")
	}
	if err := c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true,
		Flags: []imap.Flag{imap.FlagSeen, imap.FlagDeleted}}, nil).Close(); err != nil {
		log.Warn("mx probe: could not delete the probe", "folder", folder, "err", err)
		return header, nil
	}
	if c.Caps().Has(imap.CapUIDPlus) {
		if err := c.UIDExpunge(set).Close(); err != nil {
			log.Warn("mx probe: could not expunge the probe", "folder", folder, "err", err)
		}
	}
	return header, nil
}
