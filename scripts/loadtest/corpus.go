package main

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"mime"
	"mime/quotedprintable"
	"strings"
	"time"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
)

// The realistic corpus of the issue «Intake at the speed of the disk»:
// Russian support mail of 2–21 KB, a third with an attachment, in UTF-8,
// windows-1251 and KOI8-R, from registered users, from people who identify
// themselves in the signature (an address on a registered organisation's
// domain), from unknown senders, and from two staff members.

const (
	corpusOrgs    = 20
	usersPerOrg   = 4
	staffDomain   = "staff.example.test"
	orgDomainFmt  = "school%d.kgo66.example.test"
	unknownDomain = "mail.example.test"
)

var staffAddrs = []string{"agent1@" + staffDomain, "lead@" + staffDomain}

var (
	surnames   = []string{"Иванова", "Петрова", "Сидорова", "Кузнецова", "Смирнова", "Попова", "Васильева", "Соколова", "Михайлова", "Новикова"}
	firstNames = []string{"Мария", "Анна", "Ольга", "Елена", "Татьяна", "Наталья", "Ирина", "Светлана"}
	patronyms  = []string{"Петровна", "Сергеевна", "Ивановна", "Викторовна", "Николаевна", "Андреевна"}
	positions  = []string{"учитель", "секретарь", "заместитель директора", "главный бухгалтер", "делопроизводитель", "специалист по кадрам"}
	subjects   = []string{"Не открывается электронный журнал", "Ошибка при отправке отчёта в СБИС", "Не работает принтер в кабинете %d",
		"Проблема с доступом в СЭД «Дело»", "Не приходит почта", "Сбой в системе после обновления", "Вопрос по работе АИС «Сетевой город»",
		"Не запускается 1С", "Ошибка 500 на портале", "Восстановить пароль", "Установить КриптоПро", "Зависает компьютер бухгалтера",
		"Re: Не открывается журнал", "Fwd: ошибка подписи", "Срочно! Не работает интернет"}
	problems = []string{
		"При входе в СЭД появляется ошибка 403, хотя вчера всё работало.",
		"Не открывается электронный журнал после обновления, пишет «Ошибка 500».",
		"Пробовали другой браузер и очистить кэш — не помогло.",
		"Принтер в кабинете печатает пустые листы, картридж новый.",
		"Не могу отправить отчёт в СБИС: программа зависает на подписи.",
		"Почта не приходит с утра, исходящие уходят.",
		"Прошу восстановить пароль от учётной записи.",
		"В системе «Дело» не отображаются документы за прошлую неделю.",
		"Нужно установить КриптоПро на новый компьютер бухгалтера.",
		"1С не запускается, пишет, что не найдена лицензия.",
		"Сначала зашла в систему, затем выбрала отчёт, нажала «Отправить» и получила ошибку.",
		"Связь с порталом пропадает каждые десять минут, работать невозможно.",
		"Прошу предоставить доступ к папке «Отчёты» на файловом сервере.",
	}
	filler = []string{
		"Прошу разобраться как можно скорее, так как сроки сдачи отчётности подходят к концу.",
		"Ранее такой проблемы не было, изменений в настройках мы не вносили.",
		"Если нужна дополнительная информация, готовы предоставить её в любое время.",
		"На других компьютерах в учреждении всё работает нормально.",
		"Обращаемся повторно, предыдущее обращение осталось без ответа.",
		"В журнале событий Windows есть записи об ошибках, могу прислать их отдельно.",
		"Интернет работает, другие сайты открываются без проблем, антивирус ничего не находит.",
		"Компьютер перезагружали, обновления устанавливали, проверяли подключение кабеля.",
		"Ошибка появляется не сразу, а примерно через полчаса после начала работы.",
	}
	quoteHead = []string{
		"-----Original Message-----\nFrom: Служба поддержки <sd@example.test>\nSent: Monday, April 22, 2024 10:15 AM\nSubject: Re: обращение\n\n",
		"22.04.2024, 10:15, Служба поддержки <sd@example.test>:\n",
		"---------- Пересылаемое сообщение ----------\nОт: Директор <director@example.test>\nДата: 22.04.2024\nТема: срочно\n\n",
	}
)

// person is a sender of the corpus.
type person struct {
	email, name, position, phone, org string
	registered, staff                 bool
}

type corpus struct {
	r        *rand.Rand
	orgs     []string
	users    []person // registered
	desk     string
	messages int
}

func newCorpus(seed uint64, desk string) *corpus {
	c := &corpus{r: rand.New(rand.NewPCG(seed, 42)), desk: desk}
	for o := 0; o < corpusOrgs; o++ {
		org := fmt.Sprintf("МАОУ СОШ № %d", o+1)
		c.orgs = append(c.orgs, org)
		for u := 0; u < usersPerOrg; u++ {
			c.users = append(c.users, person{
				email: fmt.Sprintf("user%d@"+orgDomainFmt, u, o), name: c.fullName(), position: c.pick(positions),
				phone: c.phone(), org: org, registered: true,
			})
		}
	}
	return c
}

func (c *corpus) pick(l []string) string { return l[c.r.IntN(len(l))] }
func (c *corpus) fullName() string {
	return c.pick(surnames) + " " + c.pick(firstNames) + " " + c.pick(patronyms)
}
func (c *corpus) phone() string {
	return fmt.Sprintf("8 (34341) %d-%02d-%02d", 2+c.r.IntN(7), c.r.IntN(100), c.r.IntN(100))
}

// directoryYAML registers the organisations and their users for
// `otvet directory import`.
func (c *corpus) directoryYAML() []byte {
	var b bytes.Buffer
	b.WriteString("organisations:\n")
	for o, org := range c.orgs {
		fmt.Fprintf(&b, "  - name: %q\n    inn: \"66150%05d\"\n    domains: [%s]\n    users:\n", org, o+1, fmt.Sprintf(orgDomainFmt, o))
		for _, u := range c.users[o*usersPerOrg : (o+1)*usersPerOrg] {
			fmt.Fprintf(&b, "      - {email: %s, full_name: %s, position: %s, phone: %q}\n", u.email, u.name, u.position, u.phone)
		}
	}
	return b.Bytes()
}

// sender: 40 % registered, 25 % self-identifying, 30 % unknown, 5 % staff.
func (c *corpus) sender() person {
	switch n := c.r.IntN(100); {
	case n < 40:
		return c.users[c.r.IntN(len(c.users))]
	case n < 65:
		o := c.r.IntN(corpusOrgs)
		return person{email: fmt.Sprintf("new%d@"+orgDomainFmt, c.r.IntN(1000), o), name: c.fullName(),
			position: c.pick(positions), phone: c.phone(), org: c.orgs[o]}
	case n < 95:
		return person{email: fmt.Sprintf("someone%d@%s", c.r.IntN(10000), unknownDomain), name: c.pick(firstNames)}
	default:
		a := staffAddrs[c.r.IntN(len(staffAddrs))]
		return person{email: a, name: "Агент поддержки", staff: true}
	}
}

// text is the body: greeting, the problem, filler up to size bytes, the
// signature (the full one for people who identify themselves) and,
// sometimes, a quoted earlier message.
func (c *corpus) text(p person, size int) string {
	var b strings.Builder
	b.WriteString(c.pick([]string{"Здравствуйте!", "Добрый день!", "Добрый день, коллеги.", "Уважаемая служба поддержки,"}) + "\n\n")
	for n := 1 + c.r.IntN(3); n > 0; n-- {
		b.WriteString(c.pick(problems) + " ")
	}
	b.WriteString("\n")
	quote := c.r.IntN(3) == 0
	own := size
	if quote {
		own = size * 2 / 3
	}
	for b.Len() < own {
		b.WriteString(c.pick(filler))
		if c.r.IntN(4) == 0 {
			b.WriteString("\n\n")
		} else {
			b.WriteString(" ")
		}
	}
	b.WriteString("\n\nС уважением,\n" + p.name + "\n")
	if !p.registered && p.org != "" || c.r.IntN(2) == 0 && p.org != "" {
		b.WriteString(p.position + "\n" + p.org + "\nтел. " + p.phone + "\n")
	}
	if quote {
		b.WriteString("\n" + c.pick(quoteHead))
		for b.Len() < size {
			b.WriteString("> " + c.pick(filler) + "\n")
		}
	}
	return strings.ReplaceAll(b.String(), "\n", "\r\n")
}

var charsets = []struct {
	name string
	enc  encoding.Encoding // nil: UTF-8
}{{"utf-8", nil}, {"windows-1251", charmap.Windows1251}, {"koi8-r", charmap.KOI8R}}

// message is the i-th message of the corpus, to the desk's address.
func (c *corpus) message(i int) []byte {
	p := c.sender()
	size := 2<<10 + c.r.IntN(19<<10) // 2–21 KB in all
	cs := charsets[c.r.IntN(len(charsets))]
	conv := func(s string) string {
		if cs.enc == nil {
			return s
		}
		if cs.name == "koi8-r" { // no «», — or № in KOI8-R: written as mail programs do
			s = strings.NewReplacer("«", "\"", "»", "\"", "—", "-", "№", "N").Replace(s)
		}
		out, err := encoding.ReplaceUnsupported(cs.enc.NewEncoder()).String(s)
		if err != nil {
			panic(err)
		}
		return out
	}
	attach := c.r.IntN(3) == 0
	var att []byte
	textSize := size * 2 / 3 // the transfer encodings add about a third
	if attach {
		att = make([]byte, size/3)
		for j := range att {
			att[j] = byte(c.r.UintN(256))
		}
		textSize = size / 3
	}
	subject := c.pick(subjects)
	if strings.Contains(subject, "%d") {
		subject = fmt.Sprintf(subject, 1+c.r.IntN(40))
	}
	text := c.text(p, textSize)

	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s <%s>\r\nTo: <%s>\r\nSubject: %s\r\nMessage-ID: <load-%d-%d@%s>\r\nDate: %s\r\nMIME-Version: 1.0\r\n",
		mime.BEncoding.Encode("utf-8", p.name), p.email, c.desk, mime.BEncoding.Encode(cs.name, conv(subject)),
		i, c.r.Uint64(), strings.SplitN(p.email, "@", 2)[1], time.Now().Format(time.RFC1123Z))
	boundary := fmt.Sprintf("=_b%d_%d", i, c.r.Uint32())
	if attach {
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n--%s\r\n", boundary, boundary)
	}
	writeText(&b, cs.name, conv(text), c.r.IntN(2) == 0)
	if attach {
		name, ct := c.pick([]string{"скриншот.png", "ошибка.png", "акт сверки.pdf", "image001.jpg"}), ""
		switch {
		case strings.HasSuffix(name, ".png"):
			ct = "image/png"
		case strings.HasSuffix(name, ".pdf"):
			ct = "application/pdf"
		default:
			ct = "image/jpeg"
		}
		fmt.Fprintf(&b, "\r\n--%s\r\nContent-Type: %s; name=\"%s\"\r\nContent-Disposition: attachment; filename=\"%s\"\r\nContent-Transfer-Encoding: base64\r\n\r\n",
			boundary, ct, mime.BEncoding.Encode("utf-8", name), mime.BEncoding.Encode("utf-8", name))
		enc := base64.StdEncoding.EncodeToString(att)
		for len(enc) > 76 {
			b.WriteString(enc[:76] + "\r\n")
			enc = enc[76:]
		}
		b.WriteString(enc + "\r\n--" + boundary + "--\r\n")
	}
	c.messages++
	return b.Bytes()
}

// writeText writes a text/plain part in charset, quoted-printable or base64.
func writeText(b *bytes.Buffer, charset, body string, qp bool) {
	if qp {
		fmt.Fprintf(b, "Content-Type: text/plain; charset=%s\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n", charset)
		w := quotedprintable.NewWriter(b)
		_, _ = w.Write([]byte(body))
		_ = w.Close()
		b.WriteString("\r\n")
		return
	}
	fmt.Fprintf(b, "Content-Type: text/plain; charset=%s\r\nContent-Transfer-Encoding: base64\r\n\r\n", charset)
	enc := base64.StdEncoding.EncodeToString([]byte(body))
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n")
}
