package app_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/announce"
	"github.com/otvet/otvet/internal/store"
)

// TestRealAnnouncementsAndKnowledgeBase: through real Postfix and Dovecot,
// an announcement to a system's users reaches them and nobody else; a
// maintenance window with --announce mails its users when added, changed
// and over; a request about a documented problem gets the article in its
// acknowledgement; an agent's #шаблон answer reaches the customer filled in.
func TestRealAnnouncementsAndKnowledgeBase(t *testing.T) {
	r := newStaffRig(t)
	replies := t.TempDir()
	if err := os.WriteFile(filepath.Join(replies, "перезагрузка.md"), []byte("---\ntitle: Перезагрузите компьютер\n---\n"+
		"{имя}, по обращению #{номер}: перезагрузите компьютер и напишите, помогло ли."), 0o644); err != nil {
		t.Fatal(err)
	}
	r.cfg.KB.Dir, r.cfg.Replies.Dir = "testdata/kb", replies
	var err error
	if r.a, err = newApp(t, r.rulesRig); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	mis, sed := r.env.NewMailbox(t, "mis"), r.env.NewMailbox(t, "sed")
	err = r.a.DB.Tx(ctx, func(tx *store.Tx) error {
		o, err := tx.OrgByDomain(ctx, r.env.Domain)
		if err != nil {
			return err
		}
		for email, systems := range map[string]string{mis: "МИС; 1С", sed: "СЭД"} {
			if _, err := tx.UpsertUser(ctx, &store.User{Email: email, FullName: "Петров Пётр", Systems: systems,
				OrgID: sql.NullInt64{Int64: o.ID, Valid: true}, Role: store.RoleUser, Confirmed: true}, "test", r.now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	drain := func(advance time.Duration) {
		t.Helper()
		r.now = r.now.Add(advance)
		if _, _, err := r.a.PollOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}

	// An announcement to the users of МИС, paced: one message a second.
	aud, _ := announce.ParseAudience("system:мис")
	n, err := r.a.Service.Announce(ctx, announce.Notice{Audience: aud, Subject: "Новая версия МИС", Body: "С понедельника работает новая версия МИС.", Actor: "test"})
	if err != nil || n != 1 {
		t.Fatalf("announced to %d: %v", n, err)
	}
	drain(5 * time.Second)
	raw := r.env.WaitForMessages(t, mis, 1, 15*time.Second)[0]
	for _, want := range []string{"Precedence: bulk", "Auto-Submitted: auto-generated", "From: "} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("announcement lacks %q:\n%s", want, raw)
		}
	}

	// A maintenance window of МИС, announced: added, extended, over.
	w := &store.MaintenanceWindow{System: "МИС", StartsAt: r.now.Add(time.Hour), EndsAt: r.now.Add(2 * time.Hour), CreatedBy: "test"}
	if err := r.a.Service.AddMaintenanceAnnounced(ctx, w, true); err != nil {
		t.Fatal(err)
	}
	drain(5 * time.Second)
	if _, err := r.a.Service.EndMaintenance(ctx, w.ID, r.now.Add(3*time.Hour), "test"); err != nil {
		t.Fatal(err)
	}
	drain(5 * time.Second)
	drain(4 * time.Hour) // the window ends: the scheduler tells them
	drain(5 * time.Second)
	got := r.inbox(mis, 4)
	wantSubj := []string{"Новая версия МИС", "Плановые работы: МИС", "Изменено время работ: МИС", "Работы завершены: МИС"}
	for i, m := range got {
		if !strings.Contains(m.Subject, wantSubj[i]) {
			t.Errorf("message %d to the МИС user: %q, want %q", i+1, m.Subject, wantSubj[i])
		}
	}
	// 11:00 in Moscow is 13:00 in the desk's zone (Asia/Yekaterinburg).
	if !strings.Contains(got[1].Text, "С 27.12.2024 13:00 (Екатеринбург) до 27.12.2024 14:00 (Екатеринбург)") {
		t.Errorf("window times without the desk's zone:\n%s", got[1].Text)
	}
	// Nobody else got any of it.
	rows, err := r.a.DB.ListOutgoing(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range rows {
		if strings.Contains(o.Recipients, sed) || strings.Contains(o.Recipients, r.customer) {
			t.Errorf("%s went to %s", o.Kind, o.Recipients)
		}
	}

	// A documented problem: the acknowledgement names the article.
	r.send(r.customer, "Не печатает принтер", "Добрый день! Отправляю документ на печать, а притнер ничего не печатает, в очереди печати висит.", "")
	ack := r.inbox(r.customer, 1)[0]
	if !strings.Contains(ack.Text, "Возможно, ответ уже есть в инструкции") || !strings.Contains(ack.Text, "Не печатает принтер") {
		t.Fatalf("acknowledgement without the article:\n%s", ack.Text)
	}
	tk := r.ticket(1)
	evs, _ := r.a.DB.Events(ctx, tk.ID)
	suggested := false
	for _, e := range evs {
		suggested = suggested || e.Kind == "kb_suggested"
	}
	if !suggested {
		t.Error("no kb_suggested event")
	}
	n1 := r.inbox(r.agent1, 1)[0]
	if !strings.Contains(n1.Text, "#статья") {
		t.Errorf("agent notification without the suggestion:\n%s", n1.Text)
	}

	// The agent answers with a canned answer and words of their own.
	r.sendRaw(r.agent1, n1.ReplyTo[0].Email, reply(r.agent1, n1, n1.ReplyTo[0].Email, "#шаблон перезагрузка\nЕсли не поможет, позвоните 2-11-05.", ""))
	ans := r.inbox(r.customer, 2)[1]
	if !strings.Contains(ans.Text, "Иванова Мария Петровна, по обращению #1: перезагрузите компьютер") || !strings.Contains(ans.Text, "позвоните 2-11-05") ||
		strings.Contains(ans.Text, "#шаблон") {
		t.Errorf("canned answer:\n%s", ans.Text)
	}
}
