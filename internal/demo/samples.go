package demo

import (
	"encoding/base64"
	"strings"
	"time"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
)

// encode writes s in a legacy charset; characters it lacks become "?".
func encode(enc encoding.Encoding, s string) string {
	b, _ := encoding.ReplaceUnsupported(enc.NewEncoder()).String(s)
	return b
}

func crlf(s string) []byte {
	return []byte(strings.ReplaceAll(strings.TrimLeft(s, "\n"), "\n", "\r\n"))
}

func date(t time.Time) string { return t.Format(time.RFC1123Z) }

// firstWave is what users send before any acknowledgement exists.
func firstWave(support string, at time.Time) [][]byte {
	koi8 := crlf(`
From: =?KOI8-R?B?` + base64.StdEncoding.EncodeToString([]byte(encode(charmap.KOI8R, "Иванова Мария Петровна"))) + `?= <m.ivanova@school3.kgo66.ru>
To: ` + support + `
Subject: =?KOI8-R?B?` + base64.StdEncoding.EncodeToString([]byte(encode(charmap.KOI8R, "Не открывается электронный журнал"))) + `?=
Date: ` + date(at) + `
Message-ID: <demo-1@school3.kgo66.ru>
MIME-Version: 1.0
Content-Type: text/plain; charset=koi8-r
Content-Transfer-Encoding: 8bit

` + encode(charmap.KOI8R, `Здравствуйте!

С утра не открывается электронный журнал: после ввода пароля страница
обновляется и снова просит войти. Пробовала другой браузер - то же самое.

Иванова Мария Петровна, учитель, МАОУ СОШ N 3
тел. 8 (34341) 2-11-05`) + "\n")

	cp1251 := crlf(`
From: "Петров Сергей" <petrov@uszn.kgo66.ru>
To: ` + support + `
Cc: "Сидорова Анна" <sidorova@uszn.kgo66.ru>
Subject: =?windows-1251?Q?=CD=E5_=EF=E5=F7=E0=F2=E0=E5=F2_=EF=F0=E8=ED=F2=E5=F0?=
Date: ` + date(at.Add(time.Minute)) + `
Message-ID: <demo-2@uszn.kgo66.ru>
MIME-Version: 1.0
Content-Type: text/plain; charset=windows-1251
Content-Transfer-Encoding: 8bit
X-Mailer: Microsoft Outlook 16.0

` + encode(charmap.Windows1251, `Добрый день.

Принтер в кабинете 12 не печатает, в очереди висят документы со статусом «Ошибка».
Перезагружали компьютер и принтер.

С уважением,
Петров С. А., ведущий специалист УСЗН
тел. 2-44-17`) + "\n")

	png := base64.StdEncoding.EncodeToString([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"))
	attach := crlf(`
From: =?utf-8?B?` + base64.StdEncoding.EncodeToString([]byte("Кузнецов Олег")) + `?= <kuznetsov@zags.kgo66.ru>
To: ` + support + `
Subject: =?utf-8?B?` + base64.StdEncoding.EncodeToString([]byte("Ошибка при подписании документа ЭП")) + `?=
Date: ` + date(at.Add(2*time.Minute)) + `
Message-ID: <demo-3@zags.kgo66.ru>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

При подписании документа электронной подписью появляется ошибка
«Сертификат не найден». Скриншот во вложении.

Кузнецов О. В., отдел ЗАГС, тел. 2-30-40
--b1
Content-Type: image/png; name="oshibka.png"
Content-Disposition: attachment; filename="oshibka.png"
Content-Transfer-Encoding: base64

` + png + `
--b1--
`)
	unknown := crlf(`
From: =?utf-8?B?` + base64.StdEncoding.EncodeToString([]byte("Смирнова А.")) + `?= <a.smirnova@school3.kgo66.ru>
To: ` + support + `
Subject: =?utf-8?B?` + base64.StdEncoding.EncodeToString([]byte("Не могу войти в систему")) + `?=
Date: ` + date(at.Add(3*time.Minute)) + `
Message-ID: <demo-6@school3.kgo66.ru>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Не могу войти в систему, пишет «неверный пароль», хотя пароль правильный.
`)
	return [][]byte{koi8, cp1251, attach, unknown}
}

// identification is the unknown sender's answer to the identification request.
func identification(support, replyTo, askID, askSubject string, at time.Time) []byte {
	return crlf(`
From: =?utf-8?B?` + base64.StdEncoding.EncodeToString([]byte("Смирнова А.")) + `?= <a.smirnova@school3.kgo66.ru>
To: ` + replyTo + `
Subject: =?utf-8?B?` + base64.StdEncoding.EncodeToString([]byte("Re: "+askSubject)) + `?=
Date: ` + date(at) + `
Message-ID: <demo-7@school3.kgo66.ru>
In-Reply-To: <` + askID + `>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

ФИО: Смирнова Анна Игоревна
Организация: МАОУ СОШ N 3, секретарь
Тел. 8 (34341) 2-11-07
`)
}

// reply is the user's answer to an acknowledgement, sent to its Reply-To.
func reply(support, replyTo, ackID, ackSubject string, at time.Time) []byte {
	return crlf(`
From: =?utf-8?B?` + base64.StdEncoding.EncodeToString([]byte("Иванова Мария Петровна")) + `?= <m.ivanova@school3.kgo66.ru>
To: ` + replyTo + `
Subject: =?utf-8?B?` + base64.StdEncoding.EncodeToString([]byte("Re: "+ackSubject)) + `?=
Date: ` + date(at) + `
Message-ID: <demo-4@school3.kgo66.ru>
In-Reply-To: <` + ackID + `>
References: <demo-1@school3.kgo66.ru> <` + ackID + `>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Дополняю: логин m.ivanova, ошибка появляется и на рабочем, и на домашнем компьютере.

> Ваше обращение зарегистрировано.
`)
}

// outOfOffice is an automatic reply to an acknowledgement: it must never be answered.
func outOfOffice(support, ackID string, at time.Time) []byte {
	return crlf(`
From: "Petrov S." <petrov@uszn.kgo66.ru>
To: ` + support + `
Subject: =?utf-8?B?` + base64.StdEncoding.EncodeToString([]byte("Автоответ: меня нет на месте до 10.01")) + `?=
Date: ` + date(at) + `
Message-ID: <demo-5@uszn.kgo66.ru>
In-Reply-To: <` + ackID + `>
Auto-Submitted: auto-replied
X-Auto-Response-Suppress: All
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Я в отпуске до 10 января. По срочным вопросам обращайтесь к Сидоровой А. (2-44-18).
`)
}
