package rules

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/mailmsg"
)

// Pieces of ordinary Russian support mail, with a few lines that make the
// rules fire (offensive words, incidents, out-of-scope requests, names,
// quoted and forwarded material), for the corpus test and the benchmarks.
var (
	genGreetings = []string{"Здравствуйте!", "Добрый день!", "Добрый день, коллеги.", "Доброе утро!", "Уважаемая служба поддержки,", "", "Привет."}
	genSubjects  = []string{"Ошибка при отправке отчёта в СБИС", "Не открывается журнал", "Вопрос", "Fwd: Срочно!", "Re: [#1234] Не работает принтер",
		"Проблема с доступом в СЭД", "Заявка", "Не приходит почта", "Сбой в системе Дело", "RE: отчёт за квартал", "", "Помогите", "Вирус на компьютере",
		"Установить программу", "Пароль", "ЕИС не грузится", "Ошибка 500 после обновления"}
	genProblems = []string{
		"При входе в СЭД появляется ошибка 403, хотя вчера всё работало.",
		"Не открывается электронный журнал после обновления, пишет «Ошибка 500».",
		"Пробовали другой браузер и очистить кэш — не помогло.",
		"Принтер в кабинете 12 печатает пустые листы, картридж новый.",
		"Не могу отправить отчёт в СБИС: программа зависает на подписи.",
		"Как подключить второй монитор к рабочему месту?",
		"Почта не приходит с утра, исходящие уходят.",
		"Прошу восстановить пароль от учётной записи.",
		"В системе Дело не отображаются документы за прошлую неделю.",
		"Сотрудник уволился, прошу заблокировать его учётную запись.",
		"Нужно установить КриптоПро на новый компьютер бухгалтера.",
		"Антивирус показывает, что на компьютере вирус-шифровальщик, файлы не открываются.",
		"Кто-то получил доступ к нашей почте и рассылает спам от нашего имени.",
		"Прошу купить новый ноутбук для директора.",
		"Сайт школы не открывается, хостинг продлён.",
		"1. Открываю журнал\n2. Нажимаю «Оценки»\n3. Появляется ошибка",
		"Шаги: зашла в систему, выбрала отчёт, нажала «Отправить», получила ошибку.",
		"Связь с ЕИС пропадает каждые десять минут, работать невозможно.",
		"Скажите, пожалуйста, когда закончатся работы на сервере?",
		"Спасибо за помощь!",
		"Also the printer shows error 0x05 when I print.",
		"Ошибка: Exception in thread main java.lang.NullPointerException at ru.gov.edu.Journal.open(Journal.java:42)",
	}
	genRude = []string{"Почините уже, блять, третий день не работает!", "Вы там все идиоты что ли? Сколько можно ждать.", "Ebat, opyat ne rabotaet.",
		"Это просто кошмар и безобразие.", "Хер знает что такое, п.и.з.д.е.ц", "Опять сломали, сучки."}
	genFiller = []string{
		"Прошу разобраться как можно скорее, так как сроки сдачи отчётности подходят к концу.",
		"Ранее такой проблемы не было, изменений в настройках мы не вносили.",
		"Если нужна дополнительная информация, готовы предоставить в любое время.",
		"Скриншот ошибки прилагаю к письму.",
		"На других компьютерах в учреждении всё работает нормально.",
		"Обращаемся повторно, предыдущее обращение осталось без ответа.",
		"В журнале событий Windows есть записи об ошибках, могу прислать.",
		"Интернет работает, другие сайты открываются без проблем.",
	}
	genSignatures = []string{
		"С уважением, Иванова Мария Петровна, учитель, МАОУ СОШ № 3, тел. 8 (34341) 2-11-05",
		"С уважением,\nПетров И. С.\nзаместитель директора\nМБДОУ детский сад № 12\n+7 912 345-67-89",
		"--\nСидорова Анна\nбухгалтер\nООО «Ромашка»",
		"Отправлено с iPhone",
		"Спасибо.\nКузнецов",
		"Best regards,\nJohn Smith\nIT manager, Springfield School\nPhone: +44 20 7946 0958",
		"",
		"С уважением,\nсекретарь\nАдминистрация Кировского района\nтел. 2-34-56 доб. 12",
	}
	genQuotes = []string{
		"> Предыдущее письмо службы поддержки, процитированное целиком.\n",
		"-----Original Message-----\nFrom: Служба поддержки <sd@example.org>\nSent: Monday, April 22, 2024 10:15 AM\nSubject: Re: заявка\n\nВаше обращение зарегистрировано.\n",
		"---------- Пересылаемое сообщение ----------\nОт: Директор <dir@school.example.org>\nДата: 22.04.2024\nТема: срочно\n\nРазберитесь, пожалуйста, с журналом, блять.\n",
		"",
		"22.04.2024, 10:15, Служба поддержки <sd@example.org>:\n> Уточните, пожалуйста, номер кабинета.\n",
	}
)

// genMail is one generated support message of roughly size bytes of text.
func genMail(r *rand.Rand, size int) *mailmsg.Message {
	pick := func(l []string) string { return l[r.IntN(len(l))] }
	var b strings.Builder
	b.WriteString(pick(genGreetings) + "\n")
	for n := 1 + r.IntN(3); n > 0; n-- {
		b.WriteString(pick(genProblems) + "\n")
	}
	rude := r.IntN(10) == 0
	for b.Len() < size*2/3 {
		if rude && r.IntN(5) == 0 {
			b.WriteString(pick(genRude) + " ")
			rude = false
		}
		if r.IntN(3) == 0 {
			b.WriteString(pick(genProblems) + " ")
		}
		b.WriteString(pick(genFiller) + "\n")
		if r.IntN(6) == 0 {
			b.WriteString("\n")
		}
	}
	b.WriteString("\n" + pick(genSignatures) + "\n\n")
	if r.IntN(3) > 0 {
		q := pick(genQuotes)
		b.WriteString(q)
		for b.Len() < size {
			b.WriteString("> " + pick(genFiller) + "\n")
		}
	}
	m := &mailmsg.Message{Subject: pick(genSubjects), Text: b.String()}
	names := []string{"", "Иванова Мария", "Petrov Ivan", "Служба", "Сидоров Пётр Иванович"}
	m.From = &mailmsg.Address{Email: fmt.Sprintf("user%d@school%d.example.org", r.IntN(100), r.IntN(5)), Name: pick(names)}
	switch r.IntN(4) {
	case 0:
		m.Attachments = []mailmsg.Attachment{screenshot}
	case 1:
		m.Attachments = []mailmsg.Attachment{logo}
	case 2:
		m.Attachments = []mailmsg.Attachment{docx, pasted}
	}
	return m
}

// genInput wraps a generated message with a varied sender, organisation,
// maintenance windows and configuration.
func genInput(r *rand.Rand, size int) (Input, Config) {
	in := Input{Msg: genMail(r, size), Now: monday10.Add(time.Duration(r.IntN(7*24)) * time.Hour), Calendar: nineToFive{}}
	switch r.IntN(4) {
	case 0:
		in.Sender, in.SenderOrg = ivanova, school
	case 1:
		in.SenderOrg = school
	}
	in.IsReply = r.IntN(8) == 0
	if r.IntN(3) == 0 {
		in.Maintenance = []Window{{ID: 1, System: "СЭД", Keywords: []string{"Дело", "журнал"}, From: monday10.Add(-time.Hour), To: monday10.Add(48 * time.Hour)}}
	}
	var cfg Config
	if r.IntN(5) == 0 {
		cfg.OffensiveExtraWords = []string{"кошмар", "безобразие"}
		cfg.OffensiveExceptions = []string{"идиот"}
		cfg.IncidentPhrases = []string{"утечка данных", "доступ к нашей почте"}
		cfg.OutOfScopePhrases = map[string][]string{"purchase": {"купить ноутбук"}, "website": {"сайт школы"}}
	}
	if r.IntN(10) == 0 {
		cfg.Unclear.Disabled = true
		cfg.Quality.Disabled = true
	}
	return in, cfg
}

// corpusSize is the number of generated messages whose decisions are pinned
// in testdata/decisions.golden (taken from Decide before it tokenised the
// text once for all rules).
const corpusSize = 3000

func decisionPrint(d Decision) string {
	j, err := json.Marshal(d)
	if err != nil {
		panic(err)
	}
	s := sha256.Sum256(j)
	return string(d.Outcome) + " " + d.Rule + " " + hex.EncodeToString(s[:8])
}

// TestDecideCorpus compares Decide's decisions and trails on thousands of
// generated messages with the decisions recorded before the one-pass rules.
func TestDecideCorpus(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var got []string
	outcomes := map[string]int{}
	for i := 0; i < corpusSize; i++ {
		in, cfg := genInput(r, 500+r.IntN(20000))
		d := Decide(in, cfg)
		got = append(got, fmt.Sprintf("%04d %s", i, decisionPrint(d)))
		outcomes[string(d.Outcome)]++
	}
	if i := golden(t, "testdata/decisions.golden", got); i >= 0 {
		r := rand.New(rand.NewPCG(1, 2))
		var in Input
		var cfg Config
		for j := 0; j <= i; j++ {
			in, cfg = genInput(r, 500+r.IntN(20000))
		}
		d, _ := json.MarshalIndent(Decide(in, cfg), "", " ")
		t.Fatalf("message %d: got %s, want the line %d of testdata/decisions.golden\nsubject %q\n%s\ndecision now: %s", i, got[i], i, in.Msg.Subject, in.Msg.Text, d)
	}
	if len(outcomes) < 4 {
		t.Errorf("the corpus exercises too few outcomes: %v", outcomes)
	}
}

// BenchmarkDecide10KB is an ordinary 10 KB message from an unknown sender
// of a known organisation, with a maintenance window and default rules.
func BenchmarkDecide10KB(b *testing.B) {
	in := bench10KB()
	b.SetBytes(int64(len(in.Msg.Text)))
	b.ReportAllocs()
	for b.Loop() {
		Decide(in, Config{})
	}
}
