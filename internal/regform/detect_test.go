package regform

import (
	"fmt"
	"html"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/otvet/otvet/internal/mailmsg"
)

// detectFull is Detect without the cheap structural pre-check: the full
// analysis on every message. It is the oracle for Detect.
func detectFull(m *mailmsg.Message) (ok bool) {
	if m == nil {
		return false
	}
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	body := m.Text
	if len(body) > 64<<10 {
		body = truncate(body, 64<<10)
	}
	for _, s := range []string{m.Subject, body} {
		if strongRE.MatchString(s) {
			return true
		}
	}
	if askRE.MatchString(body) && connectRE.MatchString(m.Subject+"\n"+body) {
		return true
	}
	for _, s := range collectSources(m, newBudget()) {
		if r := readPeople(s); r != nil && len(r.people) > 0 && peopleTable(r) {
			return true
		}
	}
	return false
}

var (
	ordinaryLines = []string{
		"При входе в СЭД появляется ошибка 403, хотя вчера всё работало.",
		"Не открывается электронный журнал после обновления, пишет «Ошибка 500».",
		"Пробовали другой браузер и очистить кэш — не помогло.",
		"Принтер в кабинете 12 печатает пустые листы, картридж новый.",
		"Прошу восстановить пароль от учётной записи Смирновой Ольги Викторовны.",
		"Сотрудник Орлов Денис Олегович уволился, прошу заблокировать его учётную запись.",
		"Нужно установить КриптоПро на новый компьютер бухгалтера.",
		"Прошу подключить принтер к компьютеру в кабинете 5.",
		"Прошу предоставить доступ к папке «Отчёты» на сервере.",
		"Прилагаю список ошибок из журнала событий.",
		"ФИО\tДолжность\tТелефон — так выглядит шапка нашего отчёта, но он не загружается.",
		"Ранее такой проблемы не было, изменений в настройках мы не вносили.",
		"Если нужна дополнительная информация, готовы предоставить в любое время.",
		"На других компьютерах в учреждении всё работает нормально | кроме этого.",
		"Обращаемся повторно, предыдущее обращение осталось без ответа.",
	}
	ordinarySigs = []string{
		"С уважением, Иванова Мария Петровна, учитель, МАОУ СОШ № 3, тел. 8 (34341) 2-11-05",
		"С уважением,\nПетров И. С.\nзаместитель директора\nМБДОУ детский сад № 12\n+7 912 345-67-89",
		"--\nСидорова Анна\nбухгалтер\nООО «Ромашка»",
	}
	ordinaryAtts = []mailmsg.Attachment{
		{Filename: "ошибка.png", ContentType: "image/png", Data: []byte("\x89PNG\r\n\x1a\n....")},
		{Filename: "акт сверки.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4 ....")},
		{Filename: "image001.jpg", ContentType: "image/jpeg", Inline: true, Data: []byte("\xff\xd8\xff....")},
		{Filename: "лог.txt", ContentType: "text/plain", Data: []byte("2024-04-22 10:15:03 ERROR connection refused\n2024-04-22 10:15:04 ERROR retry\n")},
	}
)

// ordinaryMail is a generated support message that is not a connection
// request: text of about size bytes, an HTML rendering with an Outlook-style
// signature table half of the time, and some attachments.
func ordinaryMail(r *rand.Rand, size int, plain bool) *mailmsg.Message {
	var b strings.Builder
	b.WriteString("Добрый день!\n\n")
	for b.Len() < size {
		l := ordinaryLines[r.IntN(len(ordinaryLines))]
		if plain && strings.ContainsAny(l, "\t|") {
			continue
		}
		b.WriteString(l + "\n")
	}
	b.WriteString("\n" + ordinarySigs[r.IntN(len(ordinarySigs))] + "\n")
	m := &mailmsg.Message{Subject: fmt.Sprintf("Не работает журнал (%d)", r.IntN(1000)), Text: b.String()}
	if r.IntN(2) == 0 {
		var h strings.Builder
		h.WriteString("<html><body>")
		for _, l := range strings.Split(m.Text, "\n") {
			h.WriteString("<p class=MsoNormal>" + html.EscapeString(l) + "</p>\n")
		}
		if r.IntN(2) == 0 {
			h.WriteString(`<table border=0><tr><td><img src="cid:logo"></td><td><b>Иванова Мария Петровна</b><br>учитель<br>тел. 2-11-05</td></tr></table>`)
		}
		h.WriteString("</body></html>")
		m.HTML, m.TextFromHTML = h.String(), r.IntN(2) == 0
	}
	for n := r.IntN(3); n > 0; n-- {
		m.Attachments = append(m.Attachments, ordinaryAtts[r.IntN(len(ordinaryAtts))])
	}
	return m
}

// TestDetectSameAnswers: Detect answers as the full analysis does on the
// form corpus, the parser's corpus and thousands of generated ordinary
// messages.
func TestDetectSameAnswers(t *testing.T) {
	var ms []*mailmsg.Message
	var names []string
	for _, dir := range []string{"testdata", "../mailmsg/testdata"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
		for _, f := range files {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			m, err := mailmsg.Parse(raw, mailmsg.Options{})
			if err != nil {
				t.Fatal(err)
			}
			ms, names = append(ms, m), append(names, f)
		}
	}
	if len(ms) < 20 {
		t.Fatalf("only %d corpus messages", len(ms))
	}
	r := rand.New(rand.NewPCG(3, 4))
	generated := 3000
	if raceEnabled {
		generated = 200
	}
	for i := 0; i < generated; i++ {
		ms, names = append(ms, ordinaryMail(r, 1000+r.IntN(20000), false)), append(names, fmt.Sprintf("generated %d", i))
	}
	// Folding that changes lengths, invalid bytes, patterns across lines.
	for _, text := range []string{
		"Добрый день. \xff\xfe Прошу подключение к ГИС «Торги». Спасибо.",
		"Приветſ. Прошу обеспечить доступ к ресурсу K. Иначе никак.",
		"ЗАЯВКА\nНА\nПОДКЛЮЧЕНИЕ сотрудников",
		"Прошу\nподключение\nк\nсистеме ЕИЦ",
		"\xd0. заявление о предоставлении доступа",
		"прошу ПОДКЛЮЧЕНИЕ В ᲀ ГИС", // ᲀ folds with в
		"ФИО\tДолжность\tE-mail\nИванова Мария Петровна\tучитель\tm@x.ru\nПетров Иван Сергеевич\tдиректор\tp@x.ru",
	} {
		ms, names = append(ms, &mailmsg.Message{Subject: "Вопрос", Text: text}), append(names, fmt.Sprintf("%q", text))
	}
	yes := 0
	for i, m := range ms {
		want := detectFull(m)
		if got := Detect(m); got != want {
			t.Errorf("%s: Detect = %v, the full analysis says %v", names[i], got, want)
		}
		if want {
			yes++
		}
	}
	if yes < 10 {
		t.Errorf("only %d connection requests in the corpus", yes)
	}
}

// BenchmarkDetectOrdinary10KB: an ordinary 10 KB message (text and HTML
// with a signature table, a screenshot; requests such as «прошу
// предоставить доступ к папке»), not a connection request.
func BenchmarkDetectOrdinary10KB(b *testing.B) {
	r := rand.New(rand.NewPCG(9, 9))
	m := ordinaryMail(r, 10<<10, true)
	for m.HTML == "" || !strings.Contains(m.HTML, "<table") {
		m = ordinaryMail(r, 10<<10, true)
	}
	m.Attachments = []mailmsg.Attachment{ordinaryAtts[0]}
	b.ReportAllocs()
	for b.Loop() {
		if Detect(m) {
			b.Fatal("detected")
		}
	}
}
