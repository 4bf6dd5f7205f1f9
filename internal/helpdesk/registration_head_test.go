package helpdesk_test

import (
	"context"
	"strings"
	"testing"

	"github.com/otvet/otvet/internal/helpdesk"
	"github.com/otvet/otvet/internal/store"
)

// signedForm is a connection request of a new organisation signed by its
// head, who is also a person of the table.
const signedForm = "Заявка на подключение к информационной системе\r\n" +
	"Наименование организации: МБДОУ Детский сад № 9\r\nИНН 6615007007\r\n\r\n" +
	"№\tДолжность\tФИО\tНаименования информационных систем\te-mail\r\n" +
	"1\tзаведующий\tКлимова Анна Сергеевна\tЕИС\tklimova@sad9.kgo66.ru\r\n" +
	"2\tбухгалтер\tЗуева Ольга Ивановна\t1С\tzueva@sad9.kgo66.ru\r\n\r\n" +
	"Приказ о назначении заведующего прилагается.\r\n" +
	"Заведующий ____________ / А.С. Климова /\r\n"

// The signatory becomes the organisation's head only through approval:
// the agents' notification says so beforehand, #approve applies it, and the
// operator can decline (#approve --без-руководителя, edit --no-head).
func TestRegistrationSignatoryBecomesHead(t *testing.T) {
	cases := []struct {
		name     string
		approve  string
		edit     bool // decline with registration edit --no-head first
		wantRole string
	}{
		{"approved: the signatory is the head", "#одобрить", false, store.RoleHead},
		{"declined by mail", "#одобрить --без-руководителя", false, store.RoleUser},
		{"declined by the operator's edit", "#approve", true, store.RoleUser},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newStaffHarness(t)
			out := h.ingest(formMailFrom("Зуева Ольга <zueva@sad9.kgo66.ru>", "sig@sad9", signedForm, prikaz))
			n := h.notification(agent1)
			if !strings.Contains(n.Text, "А.С. Климова (klimova@sad9.kgo66.ru) станет руководителем организации") ||
				!strings.Contains(n.Text, "--без-руководителя") {
				t.Errorf("the notification does not ask about the head:\n%s", n.Text)
			}
			if c.edit {
				no := true
				if _, _, err := h.svc.EditRegistration(context.Background(), out.TicketID, helpdesk.RegistrationEdit{NoHead: &no, Actor: "cli:test"}); err != nil {
					t.Fatal(err)
				}
				ws, _, err := h.svc.RegistrationWarnings(context.Background(), out.TicketID)
				if err != nil || len(ws) == 0 || ws[len(ws)-1].Code != "head" || ws[len(ws)-1].Allowed {
					t.Errorf("warnings after --no-head: %+v %v", ws, err)
				}
			}
			h.ingest(agentMail(agent1, n, c.approve, ""))
			if tk := h.ticket(out.TicketID); tk.Status != store.StatusResolved {
				t.Fatalf("after %s: %s (%s)", c.approve, tk.Status, h.events(out.TicketID))
			}
			if u := h.user("klimova@sad9.kgo66.ru"); u.Role != c.wantRole {
				t.Errorf("the signatory's role %s, want %s", u.Role, c.wantRole)
			}
			if u := h.user("zueva@sad9.kgo66.ru"); u.Role != store.RoleUser {
				t.Errorf("the requester's role %s", u.Role)
			}
			r := h.result(agent1)
			if said := strings.Contains(r.Text, "руководитель организации: Климова Анна Сергеевна"); said != (c.wantRole == store.RoleHead) {
				t.Errorf("the confirmation about the head (%v):\n%s", said, r.Text)
			}
		})
	}
}

// The protocol's key channel: the configured default (never «электронная
// почта»), a row's own, the one #approve gives; an open channel is refused.
func TestRegistrationKeyChannel(t *testing.T) {
	cases := []struct {
		name, configured, approve string
		want, notWant             string
		refused                   bool
	}{
		{"the built-in default", "", "#approve", "защищённый канал", "электронная почта", false},
		{"the operator's configuration", "защищённый канал связи VipNet", "#approve", "VipNet", "электронная почта", false},
		{"given with the approval", "защищённый канал связи VipNet", "#одобрить лично в руки на флешке", "лично в руки на флешке", "VipNet", false},
		{"an open channel is refused", "", "#approve по электронной почте", "", "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newStaffHarness(t, func(o *helpdesk.Options) { o.Desks[0].KeyChannel = c.configured })
			out := h.ingest(formMail(true))
			h.ingest(agentMail(agent1, h.notification(agent1), c.approve, ""))
			st := h.ticket(out.TicketID).Status
			if c.refused {
				if st == store.StatusResolved || len(h.sent("protocol")) != 0 {
					t.Fatalf("an open channel was accepted: %s", st)
				}
				if r := h.result(agent1); !strings.Contains(r.Text, "открытый канал") {
					t.Errorf("the refusal:\n%s", r.Text)
				}
				return
			}
			if st != store.StatusResolved {
				t.Fatalf("after %s: %s", c.approve, st)
			}
			m := parse(t, h.sent("protocol")[0].Raw)
			text := strings.Join(strings.Fields(m.HTML), " ")
			if !strings.Contains(text, c.want) || strings.Contains(text, c.notWant) {
				t.Errorf("protocol: want %q, not %q:\n%s", c.want, c.notWant, m.Text)
			}
		})
	}
}

// otvet registration approve --key-channel and --no-head go through
// Service.ApproveRegistration.
func TestApproveRegistrationChoices(t *testing.T) {
	h := newStaffHarness(t)
	out := h.ingest(formMailFrom("Зуева Ольга <zueva@sad9.kgo66.ru>", "sig2@sad9", signedForm, prikaz))
	if _, err := h.svc.ApproveRegistration(context.Background(), out.TicketID, helpdesk.Approval{KeyChannel: "e-mail"}, "cli:test"); err == nil ||
		!strings.Contains(err.Error(), "open channel") {
		t.Fatalf("an open channel: %v", err)
	}
	sum, err := h.svc.ApproveRegistration(context.Background(), out.TicketID, helpdesk.Approval{KeyChannel: "VipNet", NoHead: true}, "cli:test")
	if err != nil {
		t.Fatal(err)
	}
	if u := h.user("klimova@sad9.kgo66.ru"); u.Role != store.RoleUser || strings.Contains(sum, "head") {
		t.Errorf("--no-head: role %s, summary %s", u.Role, sum)
	}
	if m := parse(t, h.sent("protocol")[0].Raw); !strings.Contains(m.HTML, "VipNet") {
		t.Errorf("protocol:\n%s", m.Text)
	}
}
