package rules

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/otvet/otvet/internal/mailmsg"
)

func FuzzOffensive(f *testing.F) {
	for _, c := range loadOffensiveCases(f) {
		f.Add(c.text, "")
	}
	f.Add("х*й х** *** @@@ 6666 ....", "*")
	f.Add("a@b.c x@y.zz http://х.у.й", "бездар")
	f.Add(strings.Repeat("х у ", 200), "")
	f.Fuzz(func(t *testing.T, text, extra string) {
		got, words := Offensive(text, strings.Fields(extra))
		if got != (len(words) > 0) {
			t.Fatalf("result %v with words %q", got, words)
		}
		for _, w := range words {
			if w == "" || !utf8.ValidString(w) && utf8.ValidString(text) {
				t.Fatalf("bad word %q", w)
			}
		}
	})
}

func FuzzExtractIdentity(f *testing.F) {
	seeds := []string{
		goodBody,
		"ФИО: Кузнецов Игорь Олегович\nОрганизация: Администрация\nТелефон: +7 (912) 345-67-89",
		"С уважением, Петров С. А., ведущий специалист УСЗН, тел. 2-44-90 доб. 91",
		"А.В. Лебедев\n8 (34341) 2-44-90 (доб.90)",
		"Фамилия: Орлова\nИмя: Наталья\nОтчество: Сергеевна",
		"--\n«МАОУ «СОШ № 3», Средняя общеобразовательная школа",
		"тел.:(((((+7-----",
		"С. Петров И. И. И. И.",
		"\xff\xfe ФИО:\x00 И.",
		"Name: John Smith\nCompany: Acme Ltd\nPhone: +44 20 7946 0958",
		"First name: Jo\nLast name: O'Neil-Mc\nBest regards,\nJohn A. Smith, Head of IT Department",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		id := ExtractIdentity(text)
		for _, v := range []string{id.FullName, id.Organisation, id.Phone, id.Position} {
			if v != "" && !strings.Contains(text, v) && !strings.Contains(v, " ") {
				t.Fatalf("value %q is not from the text", v)
			}
		}
	})
}

// FuzzDecide: no input panics, the decision keeps its invariants (a
// known outcome with its reason, a nine-step trail) and is deterministic,
// and DecideWith on the message's Analysis decides the same.
func FuzzDecide(f *testing.F) {
	f.Add("Ошибка", goodBody, "Иванова Мария Петровна", uint8(0), int64(0))
	f.Add("", "", "", uint8(255), int64(-1))
	f.Add("Re: [#1]", "Спасибо!\n> сука", "", uint8(1), int64(3600))
	f.Add("Fwd:", "---------- Forwarded message ---------\nFrom: x\nSubject: y\n", "", uint8(6), int64(100))
	f.Add("СЭД", "Кто-то зашёл под моей учётной записью. Разъясните закон.", "", uint8(12), int64(0))
	f.Fuzz(func(t *testing.T, subject, body, fromName string, flags uint8, offset int64) {
		m := &mailmsg.Message{
			From:    &mailmsg.Address{Name: fromName, Email: "u@example.org"},
			Subject: subject,
			Text:    body,
		}
		if flags&16 != 0 {
			m.Attachments = []mailmsg.Attachment{screenshot}
		}
		in := Input{
			Msg:        m,
			Now:        monday10.Add(time.Duration(offset) * time.Second),
			AllBlocked: flags&128 != 0,
			IsReply:    flags&1 != 0,
			Maintenance: []Window{
				{ID: 1, System: subject, From: monday10, To: monday10.Add(time.Hour)},
				{ID: 2, Keywords: []string{fromName, "", "*", "#"}},
			},
		}
		if flags&2 != 0 {
			in.Sender = &User{Email: "u@example.org", Blocked: flags&64 != 0}
		}
		if flags&4 != 0 {
			in.SenderOrg = &Org{ID: 1}
		}
		if flags&8 != 0 {
			in.Calendar = nineToFive{}
		}
		cfg := Config{
			OffensiveExtraWords: strings.Fields(fromName),
			IncidentPhrases:     []string{fromName},
			OutOfScopePhrases:   map[string][]string{"x": {subject}},
		}
		if flags&32 != 0 {
			cfg.Offensive.Disabled = true
			cfg.Unclear.Disabled = true
		}
		d := Decide(in, cfg)
		checkInvariants(t, d)
		if a, b := mustJSON(t, d), mustJSON(t, Decide(in, cfg)); !bytes.Equal(a, b) {
			t.Fatalf("Decide is not deterministic:\n%s\n%s", a, b)
		}
		// The split halves: an analysis made with the other switches
		// (parts analysed that the decision skips, and parts left for
		// DecideWith) decides as Decide, and as Decide did before the split.
		acfg := cfg
		acfg.Offensive.Disabled, acfg.Unclear.Disabled = !cfg.Offensive.Disabled, !cfg.Unclear.Disabled
		acfg.Quality.Disabled = flags&32 != 0
		if a, b := mustJSON(t, d), mustJSON(t, DecideWith(Analyze(m, acfg), in, cfg)); !bytes.Equal(a, b) {
			t.Fatalf("DecideWith(Analyze) differs from Decide:\n%s\n%s", b, a)
		}
		if a, b := mustJSON(t, d), mustJSON(t, decideRef(in, cfg)); !bytes.Equal(a, b) {
			t.Fatalf("Decide differs from the unsplit Decide:\n%s\n%s", a, b)
		}
	})
}
