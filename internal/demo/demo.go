package demo

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/otvet/otvet/internal/app"
	"github.com/otvet/otvet/internal/config"
	"github.com/otvet/otvet/internal/mailmsg"
	"github.com/otvet/otvet/internal/store"
)

// Support is the demo desk's address.
const Support = "sd@kgo66.ru"

// Options tune a demo run.
type Options struct {
	// At is the demo's starting time; zero means now. The clock runs on from it.
	At time.Time
	// Dir holds the database; empty means a new temporary directory.
	Dir    string
	Logger *slog.Logger
	// Web is a listen address (host:port) for the web console with the
	// demo's data (otvet demo --web): Run then serves until ctx is done,
	// calling WebReady with the console's address and WebLink with every
	// sign-in link mailed (to the SMTP sink).
	Web      string
	WebReady func(res *Result, url string)
	WebLink  func(to, link string)
}

// Mail is one message Otvet sent during the demo, as the SMTP sink received it.
type Mail struct {
	From    string
	To      []string
	Raw     []byte
	Message *mailmsg.Message
}

// Result is what the demo left behind.
type Result struct {
	ConfigPath string // a configuration pointing at the demo's database
	DBPath     string
	Sent       []Mail
	Steps      []string // what happened, for people
	web        string   // Options.Web, for the configuration
}

// Run ingests the sample mail in two waves (new requests, then a reply to an
// acknowledgement and an out-of-office auto-reply) and sends what Otvet queues.
func Run(ctx context.Context, o Options) (*Result, error) {
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	dir := o.Dir
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "otvet-demo-"); err != nil {
			return nil, err
		}
	}
	start := time.Now()
	at := o.At
	if at.IsZero() {
		at = start
	}
	clock := func() time.Time { return at.Add(time.Since(start)) }

	pw := randomHex(8)
	imapSrv, err := startIMAP(Support, pw)
	if err != nil {
		return nil, fmt.Errorf("start IMAP server: %w", err)
	}
	defer imapSrv.close()
	sink, err := startSMTP()
	if err != nil {
		return nil, fmt.Errorf("start SMTP sink: %w", err)
	}
	defer sink.close()

	res := &Result{ConfigPath: filepath.Join(dir, "config.yaml"), DBPath: filepath.Join(dir, "otvet.db"), web: o.Web}
	if err := writeConfig(res, imapSrv.addr, sink.addr, pw); err != nil {
		return nil, err
	}
	cfg, err := config.Load(res.ConfigPath, nil)
	if err != nil {
		return nil, err
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("demo configuration: %w", err)
	}
	a, err := app.New(ctx, cfg, log, app.Options{Migrate: true, Now: clock})
	if err != nil {
		return nil, err
	}
	defer a.Close()
	if err := seedDirectory(ctx, a, clock()); err != nil {
		return nil, fmt.Errorf("demo directory: %w", err)
	}
	res.Steps = append(res.Steps, "registered three client organisations and two of their users in the directory")

	wave := firstWave(Support, clock())
	for _, raw := range wave {
		if err := imapSrv.deliver(raw); err != nil {
			return nil, err
		}
	}
	res.Steps = append(res.Steps, fmt.Sprintf("delivered %d new requests (KOI8-R, windows-1251 with a Cc, UTF-8 with a screenshot "+
		"from a sender who signs with name, organisation and phone, and one from an unknown sender) to %s", len(wave), Support))
	if err := pollOnce(ctx, a, res); err != nil {
		return nil, err
	}

	acks := map[string]*mailmsg.Message{}
	for _, m := range sink.taken() {
		p, _ := mailmsg.Parse(m.Raw, mailmsg.Options{})
		if p != nil && len(p.InReplyTo) > 0 {
			acks[p.InReplyTo[0]] = p
		}
	}
	ack1, ack2, ask := acks["demo-1@school3.kgo66.ru"], acks["demo-2@uszn.kgo66.ru"], acks["demo-6@school3.kgo66.ru"]
	if ack1 == nil || ack2 == nil || ask == nil || len(ack1.ReplyTo) == 0 || len(ask.ReplyTo) == 0 {
		return nil, fmt.Errorf("demo: the answers did not arrive at the SMTP sink (%d messages)", len(sink.taken()))
	}
	if err := imapSrv.deliver(reply(Support, ack1.ReplyTo[0].Email, ack1.MessageID, ack1.Subject, clock())); err != nil {
		return nil, err
	}
	if err := imapSrv.deliver(outOfOffice(Support, ack2.MessageID, clock())); err != nil {
		return nil, err
	}
	if err := imapSrv.deliver(identification(Support, ask.ReplyTo[0].Email, ask.MessageID, ask.Subject, clock())); err != nil {
		return nil, err
	}
	res.Steps = append(res.Steps, "delivered a reply to the first acknowledgement (to its signed Reply-To), an out-of-office "+
		"auto-reply to the second, and the unknown sender's answer with her name, organisation and phone")
	if err := pollOnce(ctx, a, res); err != nil {
		return nil, err
	}
	for _, m := range sink.taken() {
		p, _ := mailmsg.Parse(m.Raw, mailmsg.Options{})
		res.Sent = append(res.Sent, Mail{From: m.From, To: m.To, Raw: m.Raw, Message: p})
	}
	if o.Web != "" {
		return res, serveWeb(ctx, a, sink, res, o, clock())
	}
	return res, nil
}

func pollOnce(ctx context.Context, a *app.App, res *Result) error {
	stats, ost, err := a.PollOnce(ctx)
	if err != nil {
		return err
	}
	st := stats["sd"]
	res.Steps = append(res.Steps, fmt.Sprintf("otvet poll --once: fetched %d, stored %d; sent %d", st.Fetched, st.Delivered, ost.Sent))
	return nil
}

func writeConfig(res *Result, imapAddr, smtpAddr, pw string) error {
	ih, ip, _ := strings.Cut(imapAddr, ":")
	sh, sp, _ := strings.Cut(smtpAddr, ":")
	body := fmt.Sprintf(`# Written by otvet demo.
database: {driver: sqlite, path: %q}
secret_key: %q
desks:
  - name: sd
    support_address: %s
    display_name: Служба технической поддержки КГО
    timezone: Asia/Yekaterinburg
    imap: {host: %s, port: %s, security: plain, username: %s, password: %q, idle: false}
    smtp: {host: %s, port: %s, security: none}
http: {listen: %q}
`, res.DBPath, randomHex(32), Support, ih, ip, Support, pw, sh, sp, res.web)
	return os.WriteFile(res.ConfigPath, []byte(body), 0o600)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// seedDirectory registers the demo's client organisations and some of their staff.
func seedDirectory(ctx context.Context, a *app.App, now time.Time) error {
	return a.DB.Tx(ctx, func(tx *store.Tx) error {
		orgs := []struct {
			name, inn, domain string
			users             []store.User
		}{
			{"МАОУ СОШ № 3", "6615003003", "school3.kgo66.ru", []store.User{{Email: "m.ivanova@school3.kgo66.ru",
				FullName: "Иванова Мария Петровна", Position: "учитель", Phone: "8 (34341) 2-11-05"}}},
			{"Управление социальной защиты населения", "6615004004", "uszn.kgo66.ru", []store.User{{Email: "petrov@uszn.kgo66.ru",
				FullName: "Петров Сергей Александрович", Position: "ведущий специалист", Phone: "2-44-17"}}},
			{"Отдел ЗАГС", "6615005005", "zags.kgo66.ru", nil},
		}
		for _, o := range orgs {
			org := &store.Org{Name: o.name, INN: o.inn, Domains: []string{o.domain}, SupportLevel: "standard"}
			if err := tx.CreateOrg(ctx, org, "demo", now); err != nil {
				return err
			}
			for _, u := range o.users {
				u.OrgID, u.Role, u.Confirmed = sql.NullInt64{Int64: org.ID, Valid: true}, store.RoleUser, true
				if _, err := tx.UpsertUser(ctx, &u, "demo", now); err != nil {
					return err
				}
			}
		}
		return nil
	})
}
