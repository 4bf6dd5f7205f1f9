package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/store"
)

// TestRealConnectionRequest: a connection request comes in by mail, an agent
// approves it by replying #approve, the protocol arrives in the requester's
// mailbox, and the new users are identified senders.
func TestRealConnectionRequest(t *testing.T) {
	r := newStaffRig(t)
	head, clerk := r.env.NewMailbox(t, "head"), r.env.NewMailbox(t, "clerk")
	form := fmt.Sprintf("Заявка на подключение к информационной системе\r\nНаименование организации: МБДОУ Детский сад № 7\r\n"+
		"ИНН 6670000004\r\n\r\n№\tДолжность\tФИО\tНаименования информационных систем\tКонтакты\te-mail\r\n"+
		"1\tзаведующий\tСоколова Елена Павловна\tЕИС\t2-55-01\t%s\r\n2\tбухгалтер\tОрлова Нина Ивановна\t1С\t2-55-02\t%s\r\n", head, clerk)
	raw := fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: =?utf-8?q?=D0=97=D0=B0=D1=8F=D0=B2=D0=BA=D0=B0?=\r\nMessage-ID: <%d@example.test>\r\n"+
		"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=F\r\n\r\n--F\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s"+
		"--F\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"prikaz.pdf\"\r\n\r\n%%PDF-1.4\r\n--F--\r\n",
		head, r.support, time.Now().UnixNano(), form)
	r.sendRaw(head, r.support, raw)
	tk := r.ticket(1)
	if tk.Kind != store.KindRegistration {
		t.Fatalf("ticket kind %q", tk.Kind)
	}
	n := r.inbox(r.agent1, 1)[0]
	r.sendRaw(r.agent1, n.ReplyTo[0].Email, reply(r.agent1, n, n.ReplyTo[0].Email, "#approve", ""))
	msgs := r.inbox(head, 2)
	proto := msgs[len(msgs)-1]
	if !strings.Contains(proto.Subject, "ротокол") || !strings.Contains(proto.Text, "Орлова Нина Ивановна") {
		t.Fatalf("protocol: %s\n%s", proto.Subject, proto.Text)
	}
	u, err := r.a.DB.UserByEmail(context.Background(), clerk)
	if err != nil || !u.Confirmed {
		t.Fatalf("clerk not registered: %v", err)
	}
	// The registered clerk is now an identified sender.
	r.send(clerk, "1С не запускается", "1С не запускается, ошибка лицензии. Тел. 2-55-02", "")
	if st := r.ticket(2).Status; st != store.StatusOpen {
		t.Errorf("the clerk's request is %s", st)
	}
}
