package rules

import (
	"reflect"
	"testing"

	"github.com/otvet/otvet/internal/mailmsg"
)

func msg(subject, text string, atts ...mailmsg.Attachment) *mailmsg.Message {
	return &mailmsg.Message{
		From:        &mailmsg.Address{Email: "user@school3.example.org"},
		Subject:     subject,
		Text:        text,
		Attachments: atts,
	}
}

var (
	screenshot = mailmsg.Attachment{Filename: "ошибка.png", ContentType: "image/png", Size: 120 << 10}
	logo       = mailmsg.Attachment{Filename: "logo.png", ContentType: "image/png", Inline: true, ContentID: "logo", Size: 3 << 10}
	docx       = mailmsg.Attachment{Filename: "отчет.docx", ContentType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", Size: 40 << 10}
	pasted     = mailmsg.Attachment{Filename: "image001.jpg", ContentType: "image/jpeg", Inline: true, Size: 200 << 10}
)

func TestUnclear(t *testing.T) {
	tests := []struct {
		name string
		m    *mailmsg.Message
		why  string // "" = clear
	}{
		{"nil message", nil, UnclearEmpty},
		{"empty", msg("", ""), UnclearEmpty},
		{"only a greeting", msg("", "Здравствуйте!"), UnclearGreetingOnly},
		{"greeting and signature", msg("", "Добрый день!\n\nС уважением,\nИванова М. П.\nМАОУ СОШ № 3\nтел. 2-11-05"), UnclearGreetingOnly},
		{"thanks only", msg("Re: заявка", "Спасибо!"), UnclearGreetingOnly},
		{"signature without sign-off", msg("", "Иванова Мария Петровна\nучитель\nМАОУ СОШ № 3\n8 (34341) 2-11-05"), UnclearGreetingOnly},
		{"sent from iPhone", msg("", "Отправлено с iPhone"), UnclearGreetingOnly},
		{"subject only, vague", msg("Вопрос", ""), UnclearSubjectOnly},
		{"subject only, vague, two words", msg("Fwd: Срочно!", ""), UnclearSubjectOnly},
		{"one word", msg("", "Добрый день. Помогите.\nС уважением, Петров С. А."), UnclearTooShort},
		{"forward header only", msg("Fwd:", "---------- Forwarded message ---------\nFrom: Отдел кадров <hr@example.org>\nDate: Mon, 1 Apr 2024 10:00\nSubject: Приказ\nTo: user@example.org\n"), UnclearForwardOnly},
		{"subject states a problem", msg("Не работает принтер в каб. 12", ""), ""},
		{"subject asks", msg("Как сменить пароль?", ""), ""},
		{"problem sentence", msg("", "Здравствуйте! Не открывается СЭД, пишет ошибку 403."), ""},
		{"request", msg("", "Прошу установить КриптоПро на мой компьютер."), ""},
		{"three words", msg("", "Картридж в МФУ закончился"), ""},
		{"attachment with a short note", msg("", "См. вложение", screenshot), ""},
		{"attachment alone", msg("", "", docx), ""},
		{"pasted screenshot", msg("", "Вот", pasted), ""},
		{"a logo does not count", msg("", "Добрый день!", logo), UnclearGreetingOnly},
		{"forward with content", msg("Fwd: Ошибка", "---------- Forwarded message ---------\nFrom: robot@example.org\nSubject: Ошибка\n\nОшибка выгрузки: сертификат просрочен, обратитесь к администратору.\n"), ""},
		{"reply quote with content", msg("", "\n\n23.04.2024, 10:15, \"Иван\" <ivan@example.org>:\n> Не работает сканер"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, why := Unclear(tt.m)
			if got != (tt.why != "") || why != tt.why {
				t.Errorf("Unclear() = %v %q, want %q", got, why, tt.why)
			}
		})
	}
}

func TestQuality(t *testing.T) {
	all := []string{CheckQuestion, CheckSteps, CheckScreenshot, CheckContacts}
	tests := []struct {
		name string
		m    *mailmsg.Message
		want []string
	}{
		{"nil", nil, all},
		{"complete request",
			msg("Ошибка при отправке отчёта в СБИС", "Добрый день!\nПри отправке отчёта появляется ошибка «Сертификат недействителен».\n1. Открываю СБИС\n2. Нажимаю «Отправить»\nПерезагружала компьютер — не помогло.\nСкриншот во вложении.\nИванова М. П., тел. 2-11-05", screenshot),
			nil},
		{"only the question", msg("Не работает интернет", "Здравствуйте, третий день нет интернета."), []string{CheckSteps, CheckScreenshot, CheckContacts}},
		{"question and phone", msg("", "Не могу войти в 1С. Мой телефон 8-912-345-67-89"), []string{CheckSteps, CheckScreenshot}},
		{"steps words", msg("", "При входе в Госуслуги выдаёт ошибку, пробовала другой браузер."), []string{CheckScreenshot, CheckContacts}},
		{"pasted inline image", msg("", "Что это за окно?", pasted), []string{CheckSteps, CheckContacts}},
		{"logo is no screenshot", msg("", "Не печатает принтер", logo), []string{CheckSteps, CheckScreenshot, CheckContacts}},
		{"jpg by name", msg("", "ошибка", mailmsg.Attachment{Filename: "scr.JPG", ContentType: "application/octet-stream", Size: 50 << 10}), []string{CheckSteps, CheckContacts}},
		{"no question", msg("Отчёт", "Направляю отчёт.", docx), []string{CheckQuestion, CheckSteps, CheckScreenshot, CheckContacts}},
		{"question mark", msg("", "Куда делась папка «Общая»?"), []string{CheckSteps, CheckScreenshot, CheckContacts}},
		{"numbered steps", msg("", "1. Захожу в СЭД\n2. Открываю документ\n3. Пусто"), []string{CheckQuestion, CheckScreenshot, CheckContacts}},
		{"restart tried", msg("Завис компьютер", "Перезагружали два раза, тел. 2-44-90"), []string{CheckScreenshot}},
		{"phone in quoted text does not count", msg("", "Не работает сканер.\n\n> тел. 2-44-90"), []string{CheckSteps, CheckScreenshot, CheckContacts}},
		{"cannot", msg("", "Не могу распечатать документ из Word"), []string{CheckSteps, CheckScreenshot, CheckContacts}},
		{"how", msg("", "Как подключить сетевой диск"), []string{CheckSteps, CheckScreenshot, CheckContacts}},
		{"error in English", msg("Error 0x80070005", "", screenshot), []string{CheckSteps, CheckContacts}},
		{"English question and steps", msg("Outlook", "Outlook doesn't start. I tried to restart the PC.\nPhone: +44 20 7946 0958"), []string{CheckScreenshot}},
		{"English: when I print", msg("", "I cannot print, when I press Print nothing happens", screenshot), []string{CheckContacts}},
		{"English: no question", msg("Report", "Here is the report.", docx), []string{CheckQuestion, CheckSteps, CheckScreenshot, CheckContacts}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Quality(tt.m); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Quality() = %q, want %q", got, tt.want)
			}
		})
	}
}
