package app_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/store"
)

// TestRealForgedConnectionRequest is the security issue's case through real
// Postfix and Dovecot: a client's user (not the head) mails a connection
// request in the organisation's name listing an outsider on a foreign
// domain, with a fake «приказ.pdf»; the agents' notification warns about
// it, one #approve by mail adds neither the domain nor the outsider (the
// confirmation says so), and the outsider receives no mail at all.
func TestRealForgedConnectionRequest(t *testing.T) {
	r := &staffRig{rulesRig: newRulesRig(t, workingFriday)}
	r.agent1 = r.env.NewMailbox(t, "agent1")
	forger, outsider := r.env.NewMailbox(t, "forger"), r.env.NewMailbox(t, "outsider")
	ctx := context.Background()
	org := &store.Org{Name: "МБДОУ Детский сад № 7", Domains: []string{"sad7.kgo66.ru"}, SupportLevel: "standard"}
	err := r.a.DB.Tx(ctx, func(tx *store.Tx) error {
		if err := tx.UpsertStaff(ctx, &store.Staff{Email: r.agent1, Name: "Агент", Role: store.StaffAgent, Active: true}, "test", r.now); err != nil {
			return err
		}
		if err := tx.CreateOrg(ctx, org, "test", r.now); err != nil {
			return err
		}
		_, err := tx.UpsertUser(ctx, &store.User{Email: forger, FullName: "Орлова Нина Ивановна", Role: store.RoleUser,
			OrgID: sql.NullInt64{Int64: org.ID, Valid: true}, Confirmed: true}, "test", r.now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	_, outsiderDomain, _ := strings.Cut(outsider, "@")
	form := fmt.Sprintf("Заявка на подключение к информационной системе\r\nНаименование организации: МБДОУ Детский сад № 7\r\n\r\n"+
		"№\tДолжность\tФИО\tНаименования информационных систем\te-mail\r\n"+
		"1\tзаместитель заведующего\tАутсайдер Иван Петрович\tЕИС, СЭД\t%s\r\n\r\nПриказ о назначении прилагается.\r\n", outsider)
	raw := fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: =?utf-8?q?=D0=97=D0=B0=D1=8F=D0=B2=D0=BA=D0=B0?=\r\nMessage-ID: <%d@example.test>\r\n"+
		"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=F\r\n\r\n--F\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s"+
		"--F\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename*=utf-8''%%D0%%BF%%D1%%80%%D0%%B8%%D0%%BA%%D0%%B0%%D0%%B7.pdf\r\n\r\n%%PDF-1.4 fake\r\n--F--\r\n",
		forger, r.support, time.Now().UnixNano(), form)
	r.sendRaw(forger, r.support, raw)
	if tk := r.ticket(1); tk.Kind != store.KindRegistration || tk.Status != store.StatusOpen {
		t.Fatalf("ticket %s %s", tk.Kind, tk.Status)
	}
	n := r.inbox(r.agent1, 1)[0]
	for _, want := range []string{"--add-domain " + outsiderDomain, "--allow-person " + outsider, "не записан в справочнике руководителем"} {
		if !strings.Contains(n.Text, want) {
			t.Errorf("the agents' notification lacks %q:\n%s", want, n.Text)
		}
	}
	r.sendRaw(r.agent1, n.ReplyTo[0].Email, reply(r.agent1, n, n.ReplyTo[0].Email, "#approve", ""))
	if tk := r.ticket(1); tk.Status != store.StatusResolved {
		t.Fatalf("after #approve: %s", tk.Status)
	}
	msgs := r.inbox(r.agent1, 2)
	confirm := msgs[len(msgs)-1]
	for _, want := range []string{"0 registered", outsider, "--add-domain " + outsiderDomain} {
		if !strings.Contains(confirm.Text, want) {
			t.Errorf("the approval's confirmation lacks %q:\n%s", want, confirm.Text)
		}
	}
	if o, err := r.a.DB.OrgByID(ctx, org.ID); err != nil || !slices.Equal(o.Domains, []string{"sad7.kgo66.ru"}) {
		t.Errorf("the organisation's domains after approval: %v %v", o.Domains, err)
	}
	if _, err := r.a.DB.UserByEmail(ctx, outsider); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the outsider became a user: %v", err)
	}
	// The organisation's mail goes on; the outsider gets none of it. A
	// marker sent last is the only message in their mailbox.
	r.send(forger, "1С не запускается", "1С не запускается, ошибка лицензии.", "")
	r.env.SendMail(t, r.agent1, []string{outsider}, []byte(fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: marker\r\n"+
		"Message-ID: <marker-%d@example.test>\r\n\r\nmarker\r\n", r.agent1, outsider, time.Now().UnixNano())))
	got := r.inbox(outsider, 1)
	if len(got) != 1 || got[0].Subject != "marker" {
		var subjects []string
		for _, m := range got {
			subjects = append(subjects, m.Subject)
		}
		t.Errorf("the outsider received mail: %q", subjects)
	}
}
