package demo

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/otvet/otvet/internal/app"
	"github.com/otvet/otvet/internal/mailmsg"
	"github.com/otvet/otvet/internal/store"
)

// WebLead is the demo's lead: sign in to the console with this address.
const WebLead = "lead@kgo66.ru"

var signinLink = regexp.MustCompile(`https?://\S+/signin/link\?token=[A-Za-z0-9_-]+`)

// serveWeb adds a lead and an agent, starts the web console on o.Web with the
// demo's data, runs the service (the outbox sends to the SMTP sink), and
// hands every sign-in link the sink receives to o.WebLink, until ctx is done.
func serveWeb(ctx context.Context, a *app.App, sink *smtpSink, res *Result, o Options, now time.Time) error {
	err := a.DB.Tx(ctx, func(tx *store.Tx) error {
		for _, s := range []store.Staff{{Email: WebLead, Name: "Старший смены", Role: store.StaffLead, Active: true},
			{Email: "agent@kgo66.ru", Name: "Агент Первый", Role: store.StaffAgent, Active: true}} {
			if err := tx.UpsertStaff(ctx, &s, "demo", now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	addr, err := a.StartWeb(ctx)
	if err != nil {
		return err
	}
	if o.WebReady != nil {
		o.WebReady(res, "http://"+addr)
	}
	go func() { _ = a.Serve(ctx) }()
	seen := len(sink.taken())
	t := time.NewTicker(300 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		msgs := sink.taken()
		for _, m := range msgs[seen:] {
			p, _ := mailmsg.Parse(m.Raw, mailmsg.Options{})
			if p == nil {
				continue
			}
			if l := signinLink.FindString(p.Text); l != "" && o.WebLink != nil {
				o.WebLink(fmt.Sprint(m.To), l)
			}
		}
		seen = len(msgs)
	}
}
