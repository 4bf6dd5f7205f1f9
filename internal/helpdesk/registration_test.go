package helpdesk_test

import (
	"context"
	"strings"
	"testing"

	"github.com/otvet/otvet/internal/helpdesk"
	"github.com/otvet/otvet/internal/store"
)

const form = "Заявка на подключение к информационной системе\r\n" +
	"Наименование организации: МБДОУ Детский сад № 7\r\nИНН 6615007007\r\n\r\n" +
	"№\tДолжность\tФИО\tНаименования информационных систем\tКонтакты\te-mail\r\n" +
	"1\tзаведующий\tСоколова Елена Павловна\tЕИС, СЭД\t2-55-01\tsokolova@sad7.kgo66.ru\r\n" +
	"2\tбухгалтер\tОрлова Нина Ивановна\t1С\t2-55-02\torlova@sad7.kgo66.ru\r\n\r\n" +
	"Приказ о назначении заведующего прилагается.\r\n"

func formMail(withAuthority bool) string {
	att := ""
	if withAuthority {
		att = "--F\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"prikaz.pdf\"\r\n\r\n%PDF-1.4 scan\r\n"
	}
	return "From: Соколова Елена <sokolova@sad7.kgo66.ru>\r\nTo: " + support + "\r\nSubject: Заявка на подключение\r\n" +
		"Message-ID: <reg1@sad7>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=F\r\n\r\n" +
		"--F\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + form + att + "--F--\r\n"
}

func TestConnectionRequestApprovedByMail(t *testing.T) {
	h := newStaffHarness(t)
	out := h.ingest(formMail(true))
	tk := h.ticket(out.TicketID)
	if tk.Kind != store.KindRegistration || tk.Status != store.StatusOpen {
		t.Fatalf("ticket %s %s: want an open registration", tk.Kind, tk.Status)
	}
	if ack := h.sent("registration_received"); len(ack) != 1 {
		t.Fatalf("%d acknowledgements", len(ack))
	}
	n := h.notification(agent1)
	if !strings.Contains(n.Text, "Орлова") {
		t.Errorf("the agents' notification lacks the people:\n%s", n.Text)
	}
	h.ingest(agentMail(agent1, n, "#одобрить", ""))
	if tk := h.ticket(out.TicketID); tk.Status != store.StatusResolved {
		t.Fatalf("after #approve: %s", tk.Status)
	}
	proto := h.sent("protocol")
	if len(proto) != 1 || proto[0].Recipients != "sokolova@sad7.kgo66.ru" {
		t.Fatalf("protocol: %+v", proto)
	}
	if m := parse(t, proto[0].Raw); !strings.Contains(m.Text, "Орлова Нина Ивановна") {
		t.Errorf("protocol text:\n%s", m.Text)
	}
	u, err := h.db.UserByEmail(context.Background(), "orlova@sad7.kgo66.ru")
	if err != nil || !u.Confirmed || !u.OrgID.Valid {
		t.Fatalf("user %+v %v", u, err)
	}
	// The new users are identified senders now.
	o2 := h.ingest(mail{from: "orlova@sad7.kgo66.ru", subject: "1С не запускается", id: "o2@sad7",
		body: "1С не запускается, ошибка лицензии. Тел. 2-55-02"}.String())
	if st := h.ticket(o2.TicketID).Status; st != store.StatusOpen {
		t.Errorf("a registered user's request is %s", st)
	}
}

func TestConnectionRequestWithoutAuthorityIsDeferred(t *testing.T) {
	h := newStaffHarness(t)
	out := h.ingest(formMail(false))
	if tk := h.ticket(out.TicketID); tk.Status != store.StatusDeferred || tk.Reason != "insufficient_info" {
		t.Fatalf("ticket %s %s", tk.Status, tk.Reason)
	}
	if m := parse(t, h.sent("registration_received")[0].Raw); !strings.Contains(m.Text, "полномочия") {
		t.Errorf("acknowledgement does not ask for the authority document:\n%s", m.Text)
	}
	if _, err := h.svc.DecideRegistration(context.Background(), out.TicketID, false, "insufficient_info", "test"); err != nil {
		t.Fatal(err)
	}
	if tk := h.ticket(out.TicketID); tk.Status != store.StatusRejected {
		t.Errorf("after reject: %s", tk.Status)
	}
	_ = helpdesk.DispStaff
}
