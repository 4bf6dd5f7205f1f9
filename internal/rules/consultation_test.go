package rules

import (
	"strings"
	"testing"

	"github.com/otvet/otvet/internal/mailmsg"
)

func TestConsultation(t *testing.T) {
	for _, tc := range []struct {
		subject, text string
		want          bool
	}{
		{"Вопрос по 44-ФЗ", "Подскажите, какой срок размещения отчёта об исполнении контракта по закону?", true},
		{"", "Как настроить подпись в почте?", true},
		{"Разъяснение", "Прошу разъяснить порядок хранения электронных больничных.", true},
		{"How to", "How do I add a signature?", true},
		{"Не печатает принтер", "Как быть? Принтер не печатает.", false},
		{"", "При входе в МИС ошибка 403, что делать?", false},
		{"Помогите", "Почему пропали документы из папки?", false},
		{"Принтер", "Принтер в кабинете 12 сломался.", false},
		{"", "", false},
		{"Заявка", "Установите, пожалуйста, 1С на новый компьютер.", false},
	} {
		m := &mailmsg.Message{Subject: tc.subject, Text: tc.text}
		if got := Consultation(m); got != tc.want {
			t.Errorf("Consultation(%q, %q) = %v, want %v", tc.subject, tc.text, got, tc.want)
		}
	}
	if Consultation(nil) {
		t.Error("nil is a consultation")
	}
}

// BenchmarkConsultation is the extra pass intake makes over a new request
// with checklist items missing (compare BenchmarkDecide, the same message).
func BenchmarkConsultation(b *testing.B) {
	m := msg("Ошибка при отправке отчёта в СБИС", goodBody+"\n\n"+strings.Repeat("> Предыдущее письмо службы поддержки, процитированное целиком.\n", 20), screenshot)
	b.ReportAllocs()
	for b.Loop() {
		Consultation(m)
	}
}

// BenchmarkConsultationQuestion is a question of 2 KB: the whole text is read.
func BenchmarkConsultationQuestion(b *testing.B) {
	q := strings.Repeat("Подскажите, какой срок размещения отчёта об исполнении контракта по закону 44-ФЗ и где это написано. ", 20)
	m := &mailmsg.Message{Subject: "Вопрос по 44-ФЗ", Text: q + "?"}
	b.SetBytes(int64(len(q)))
	b.ReportAllocs()
	for b.Loop() {
		Consultation(m)
	}
}

// FuzzConsultation: any text is read without a panic, and a request that
// reports an error is never a mere question.
func FuzzConsultation(f *testing.F) {
	f.Add("Вопрос", "Подскажите, как настроить подпись?")
	f.Add("", "Не печатает принтер?")
	f.Add("?", "\xff\xfe？")
	f.Fuzz(func(t *testing.T, subject, text string) {
		m := &mailmsg.Message{Subject: subject, Text: text}
		Consultation(m)
		m.Text = "Ошибка 0x11b.\n" + text
		if Consultation(m) {
			t.Errorf("an error report is a consultation: %q", m.Text)
		}
	})
}
