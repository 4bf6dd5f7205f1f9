package mailmsg

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func readEML(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// corpusCase lists the fields asserted for one testdata message. Empty
// strings and zero values are asserted too, except where noted.
type corpusCase struct {
	file         string
	messageID    string
	from         string // email, "" for nil
	fromName     string
	subject      string
	textHas      []string // substrings of Text
	textFromHTML bool
	htmlHas      string
	attachments  []string // "filename|content-type|inline"
	auto         string   // AutoReason, "" for not Auto
	bounceID     string   // Bounce.OriginalMessageID, "" for no bounce
	bounceRcpt   string   // "email status action"
	permanent    bool
	authServIDs  []string
	inReplyTo    string
}

func TestCorpus(t *testing.T) {
	cases := []corpusCase{
		{
			file: "postfix-bounce.eml", messageID: "20250303071502.4Xy1Zq0b3sz9t@mx.otvet.example",
			from: "MAILER-DAEMON@mx.otvet.example", fromName: "Mail Delivery System",
			subject:     "Undelivered Mail Returned to Sender",
			textHas:     []string{"could not\nbe delivered"},
			attachments: []string{"[Заявка #1042] Принята.eml|message/rfc822|false"},
			auto:        "auto-submitted: auto-replied",
			bounceID:    "ticket-1042.a1b2c3@otvet.example", bounceRcpt: "ivanov@school12.edu.example 5.1.1 failed", permanent: true,
		},
		{
			file: "exchange-ndr.eml", messageID: "6a1f0e6b-1111-2222-3333-444455556666@EX02.corp.example",
			from: "postmaster@corp.example", fromName: "Microsoft Outlook",
			subject:  "Undeliverable: Ответ по заявке",
			textHas:  []string{"Delivery has failed", "recipient's email"},
			htmlHas:  "couldn't be delivered",
			auto:     "auto-submitted: auto-replied",
			bounceID: "ticket-2077.reply3@otvet.example", bounceRcpt: "petrova@minzdrav.example 5.1.10 failed", permanent: true,
			inReplyTo: "ticket-2077.ffee@otvet.example",
		},
		{
			file: "exim-bounce.eml", messageID: "E1tpXyz-000abc-0A@relay.region.example",
			from: "Mailer-Daemon@relay.region.example", fromName: "Mail Delivery System",
			subject:  "Mail delivery failed: returning message to sender",
			textHas:  []string{"permanent error"},
			auto:     "auto-submitted: auto-replied",
			bounceID: "ticket-3001.x9@otvet.example", bounceRcpt: "sidorov@mo-adm.example 5.2.1 failed", permanent: true,
		},
		{
			file: "yandex-autoreply.eml", messageID: "autoreply-1741239000@yandex.ru",
			from: "anna.smirnova@yandex.ru", fromName: "Анна Смирнова",
			subject: "Автоответ: Re: Заявка #1050",
			textHas: []string{"Я в отпуске до 17 марта", "С уважением,\nАнна Смирнова"},
			auto:    "auto-submitted: auto-replied", authServIDs: []string{"mx.otvet.example"},
			inReplyTo: "ticket-1050.ack@otvet.example",
		},
		{
			file: "mailru-autoreply.eml", messageID: "1741240800.123456@f500.i.mail.ru",
			from: "o.kuznetsov@mail.ru", fromName: "Олег Кузнецов",
			subject:   "АВТООТВЕТ: Re: Заявка 1051",
			textHas:   []string{"Спасибо за письмо"},
			auto:      "auto-submitted: auto-replied",
			inReplyTo: "ticket-1051.ack@otvet.example",
		},
		{
			file: "outlook-cp1251.eml", messageID: "F1E2D3C4B5A6@EXCH.buh.example",
			from: "kuzmina@buh.example", fromName: "Кузьмина Мария Ивановна",
			subject:     "Не запускается 1С",
			textHas:     []string{"Не запускается программа 1С", "Главный бухгалтер"},
			htmlHas:     "<p class=MsoNormal>Добрый день!",
			attachments: []string{"Ошибка 1С.png|image/png|false", "winmail.dat|application/ms-tnef|false"},
		},
		{
			file: "thunderbird-koi8r.eml", messageID: "5c1f7a0e-2b3d-4e5f-8a9b-0c1d2e3f4a5b@cobr.example",
			from: "volkov@cobr.example", fromName: "Сергей Волков",
			subject: "Не работает сканер",
			// format=flowed: the soft break after "Canon " is joined.
			textHas:     []string{"Модель Canon DR-C225, подключён", "\n-- \nСергей Волков"},
			attachments: []string{"журнал ошибок.txt|text/plain|false"},
		},
		{
			file: "iphone-html.eml", messageID: "A1B2C3D4-E5F6-7890-ABCD-EF1234567890@icloud.com",
			from: "nikolaeva@icloud.com", fromName: "Николаева Елена",
			subject: "Не могу зайти",
			textHas: []string{
				"Добрый день!\n\nНе могу зайти",
				"на портале (https://lk.gov.example/login), пишет «неверный пароль».",
				"- логин: nikolaeva\n- браузер: Safari",
				"Ссылка: https://lk.gov.example\n",
			},
			textFromHTML: true, htmlHas: "<div dir=\"ltr\">Добрый день!</div>",
		},
		{
			file: "gmail-inline-image.eml", messageID: "CAF=abc123XYZ+def456@mail.gmail.com",
			from: "k.orlov@gmail.com", fromName: "Kirill Orlov",
			subject:     "Ошибка в программе",
			textHas:     []string{"Вот как выглядит ошибка:\n[image: image.png]"},
			htmlHas:     `src="cid:ii_m7x1abc0"`,
			attachments: []string{"image.png|image/png|true"},
			authServIDs: []string{"mx.google.com", "mx.otvet.example"},
		},
		{
			file: "mailing-list.eml", messageID: "20250313130000.GA1234@lists.region.example",
			from: "it-news@lists.region.example", fromName: "Ivan Sysoev via it-news",
			subject: "[it-news] Плановые работы 15.03",
			textHas: []string{"плановые работы на серверах почты"},
			auto:    "precedence: list",
		},
		{
			file: "forward-rfc822.eml", messageID: "fwd-1@org.example",
			from: "olga@org.example", fromName: "Olga",
			// The UTF-8 of "ё" is split across two encoded words.
			subject:     "Переслано: счёт",
			textHas:     []string{"See the attached message."},
			attachments: []string{"Invoice 77.eml|message/rfc822|false"},
		},
	}
	seen := map[string]bool{}
	for _, tc := range cases {
		seen[tc.file] = true
		t.Run(strings.TrimSuffix(tc.file, ".eml"), func(t *testing.T) {
			m, err := Parse(readEML(t, tc.file), Options{})
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if len(m.Problems) > 0 {
				t.Errorf("unexpected problems: %q", m.Problems)
			}
			checkCorpus(t, m, tc)
		})
	}
	files, _ := filepath.Glob("testdata/*.eml")
	for _, f := range files {
		if !seen[filepath.Base(f)] {
			t.Errorf("%s has no corpus case", f)
		}
	}
}

func checkCorpus(t *testing.T, m *Message, tc corpusCase) {
	t.Helper()
	eq := func(what, got, want string) {
		if got != want {
			t.Errorf("%s = %q, want %q", what, got, want)
		}
	}
	eq("MessageID", m.MessageID, tc.messageID)
	var from, fromName string
	if m.From != nil {
		from, fromName = m.From.Email, m.From.Name
	}
	eq("From", from, tc.from)
	eq("From.Name", fromName, tc.fromName)
	eq("Subject", m.Subject, tc.subject)
	for _, s := range tc.textHas {
		if !strings.Contains(m.Text, s) {
			t.Errorf("Text does not contain %q:\n%s", s, m.Text)
		}
	}
	if m.TextFromHTML != tc.textFromHTML {
		t.Errorf("TextFromHTML = %v", m.TextFromHTML)
	}
	if !strings.Contains(m.HTML, tc.htmlHas) || (tc.htmlHas == "" && m.HTML != "") {
		t.Errorf("HTML %q does not contain %q", m.HTML, tc.htmlHas)
	}
	var atts []string
	for _, a := range m.Attachments {
		atts = append(atts, a.Filename+"|"+a.ContentType+"|"+boolStr(a.Inline))
		if a.Dropped || int64(len(a.Data)) != a.Size || a.Size == 0 {
			t.Errorf("attachment %q: dropped %v, size %d, len(data) %d", a.Filename, a.Dropped, a.Size, len(a.Data))
		}
	}
	eq("Attachments", strings.Join(atts, ", "), strings.Join(tc.attachments, ", "))
	eq("AutoReason", m.AutoReason, tc.auto)
	if m.Auto != (tc.auto != "") {
		t.Errorf("Auto = %v", m.Auto)
	}
	if tc.bounceID == "" {
		if m.Bounce != nil {
			t.Errorf("unexpected Bounce %+v", m.Bounce)
		}
	} else if m.Bounce == nil {
		t.Errorf("no Bounce")
	} else {
		eq("Bounce.OriginalMessageID", m.Bounce.OriginalMessageID, tc.bounceID)
		var rs []string
		for _, r := range m.Bounce.Recipients {
			rs = append(rs, r.Email+" "+r.Status+" "+r.Action)
		}
		eq("Bounce.Recipients", strings.Join(rs, ", "), tc.bounceRcpt)
		if m.Bounce.Permanent != tc.permanent {
			t.Errorf("Bounce.Permanent = %v", m.Bounce.Permanent)
		}
	}
	var ids []string
	for _, ar := range m.AuthResults {
		ids = append(ids, ar.AuthServID)
	}
	eq("AuthServIDs", strings.Join(ids, ","), strings.Join(tc.authServIDs, ","))
	var irt string
	if len(m.InReplyTo) > 0 {
		irt = m.InReplyTo[0]
	}
	eq("InReplyTo", irt, tc.inReplyTo)
}

func boolStr(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
