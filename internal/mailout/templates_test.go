package mailout

import (
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/otvet/otvet/mailtemplates"
)

var update = flag.Bool("update", false, "rewrite golden files")

func mustTemplates(t testing.TB) *Templates {
	t.Helper()
	tm, err := LoadTemplates("")
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// goldenCases are realistic data for every template; each is rendered in
// every language.
func goldenCases() []struct {
	name, tmpl string
	data       any
} {
	dropped := []DroppedFile{
		{Name: "скан_паспорта.pdf", Size: "24,6 МБ", Reason: DropTooLarge, Limit: "10 МБ"},
		{Name: "setup.exe", Size: "1,2 МБ", Reason: DropForbiddenType},
		{Name: "photo <1>.jpg", Size: "", Reason: "файл повреждён"},
	}
	return []struct {
		name, tmpl string
		data       any
	}{
		{"ack", TmplAck, AckData{
			TicketNumber: 123, Subject: "Не печатает принтер в каб. 305", SubjectToken: "[#123]",
			DeskName: "Служба технической поддержки КГО", DueFirstResponse: "27.12.2024 16:00 (Иркутск)",
			SupportAddress: "sd@kgo66.ru",
		}},
		{"ack_out_of_hours_dropped", TmplAck, AckData{
			TicketNumber: 124, Subject: "Доступ к 1С & <СЭД>", SubjectToken: "[#124]",
			DeskName: "Служба технической поддержки КГО", DueFirstResponse: "09.01.2025 13:00 (Иркутск)",
			OutOfHours: true, WorkStartsAt: "09.01.2025 в 09:00", Dropped: dropped, SupportAddress: "sd@kgo66.ru",
		}},
		{"ack_no_subject", TmplAck, AckData{TicketNumber: 7, SubjectToken: "[#7]", SupportAddress: "sd@kgo66.ru"}},
		{"reopened", TmplReopened, ReopenedData{
			TicketNumber: 123, Subject: "Не печатает принтер в каб. 305", SubjectToken: "[#123]",
			DeskName: "Служба технической поддержки КГО", DueResponse: "28.12.2024 10:00 (Иркутск)",
			SupportAddress: "sd@kgo66.ru",
		}},
		{"new_after_closed", TmplNewAfterClosed, NewAfterClosedData{
			TicketNumber: 124, OldTicketNumber: 123, Subject: "Re: [#123] Не печатает принтер", SubjectToken: "[#124]",
			DeskName: "Служба технической поддержки КГО", DueFirstResponse: "09.01.2025 13:00 (Иркутск)",
			OutOfHours: true, WorkStartsAt: "09.01.2025 в 09:00", Dropped: dropped[:1], SupportAddress: "sd@kgo66.ru",
		}},
		{"too_large", TmplTooLarge, TooLargeData{
			TicketNumber: 125, Subject: "Отчёт за квартал", SubjectToken: "[#125]", Size: "48,3 МБ", Limit: "25 МБ",
			DeskName: "Служба технической поддержки КГО", SupportAddress: "sd@kgo66.ru",
		}},
		// Oversized mail keeps its text (mailin fetches the text parts):
		// the ticket opens with it, the files not received are listed.
		{"too_large_text_kept", TmplTooLarge, TooLargeData{
			TicketNumber: 129, Subject: "Отчёт за квартал", SubjectToken: "[#129]", Size: "48,3 МБ", Limit: "25 МБ",
			HasText: true, DueFirstResponse: "09.01.2025 13:00 (Иркутск)", OutOfHours: true, WorkStartsAt: "09.01.2025 в 09:00",
			Dropped: []DroppedFile{
				{Name: "otchet_kvartal.xlsx", Size: "47,9 МБ", Reason: DropMessageTooLarge, Limit: "25 МБ"},
				{Name: "вложение без имени", Size: "310 КБ", Reason: DropMessageTooLarge, Limit: "25 МБ"},
			},
			DeskName: "Служба технической поддержки КГО", SupportAddress: "sd@kgo66.ru",
		}},
		{"ack_checklist_incident", TmplAck, AckData{
			TicketNumber: 126, Subject: "Кто-то зашёл под моей учётной записью", SubjectToken: "[#126]",
			DeskName: "Служба технической поддержки КГО", DueFirstResponse: "27.12.2024 11:00 (Екатеринбург)",
			Missing: []string{"contacts"}, Incident: true, IncidentClause: "3.9", QualityClause: "4.4", SupportAddress: "sd@kgo66.ru",
		}},
		// The checklist adapted to the request's kind (helpdesk route_new.go):
		// a question asks for no steps or screenshot, a phone call for no screenshot.
		{"ack_checklist_question", TmplAck, AckData{
			TicketNumber: 127, Subject: "Срок размещения отчёта по 44-ФЗ", SubjectToken: "[#127]",
			DeskName: "Служба технической поддержки КГО", DueFirstResponse: "27.12.2024 14:00 (Екатеринбург)",
			Missing: []string{"contacts"}, QualityClause: "4.4", SupportAddress: "sd@kgo66.ru",
		}},
		{"ack_checklist_phone", TmplAck, AckData{
			TicketNumber: 128, Subject: "Не печатает принтер", SubjectToken: "[#128]",
			DeskName: "Служба технической поддержки КГО", DueFirstResponse: "27.12.2024 14:00 (Екатеринбург)",
			Missing: []string{"steps"}, QualityClause: "4.4", SupportAddress: "sd@kgo66.ru",
		}},
		{"identify", TmplIdentify, NoticeData{
			TicketNumber: 130, Subject: "Не работает ЕИС", SubjectToken: "[#130]", Reason: "unidentified", Clause: "4.2",
			Missing: []string{"full_name", "organisation", "phone"}, DeskName: "Служба технической поддержки КГО", SupportAddress: "sd@kgo66.ru",
		}},
		{"identify_work_address", TmplIdentify, NoticeData{
			TicketNumber: 134, Subject: "Не работает ЕИС", SubjectToken: "[#134]", Reason: "unidentified", Clause: "4.2",
			Missing: []string{"phone", "org_domain"}, DeskName: "Служба технической поддержки КГО", SupportAddress: "sd@kgo66.ru",
		}},
		{"identify_work_address_only", TmplIdentify, NoticeData{
			TicketNumber: 135, Subject: "Не работает ЕИС", SubjectToken: "[#135]", Reason: "unidentified", Clause: "4.2",
			Missing: []string{"org_domain"}, DeskName: "Служба технической поддержки КГО", SupportAddress: "sd@kgo66.ru",
		}},
		{"blocked", TmplBlocked, NoticeData{
			Subject: "Срочно", Reason: "blocked", Clause: "3.5", Scope: "organisation", Note: "несанкционированный доступ",
			DeskName: "Служба технической поддержки КГО", SupportAddress: "sd@kgo66.ru",
		}},
		{"offensive", TmplOffensive, NoticeData{
			TicketNumber: 131, Subject: "Опять ничего не работает", SubjectToken: "[#131]", Reason: "offensive", Clause: "4.6.3",
			DeskName: "Служба технической поддержки КГО", SupportAddress: "sd@kgo66.ru",
		}},
		{"maintenance", TmplMaintenance, NoticeData{
			TicketNumber: 132, Subject: "Не открывается МИС", SubjectToken: "[#132]", Reason: "maintenance", Clause: "4.6.6",
			System: "МИС", Until: "27.12.2024 18:00 (Екатеринбург)", Note: "обновление сервера баз данных",
			DeskName: "Служба технической поддержки КГО", SupportAddress: "sd@kgo66.ru",
		}},
		{"unclear", TmplUnclear, NoticeData{
			TicketNumber: 133, Subject: "Вопрос", SubjectToken: "[#133]", Reason: "unclear", Clause: "4.6.1",
			DeskName: "Служба технической поддержки КГО", SupportAddress: "sd@kgo66.ru",
		}},
		{"unidentified_closed", TmplUnidentifiedClosed, NoticeData{
			TicketNumber: 130, Subject: "Не работает ЕИС", SubjectToken: "[#130]", Reason: "unidentified", Clause: "4.2", Days: 3,
			DeskName: "Служба технической поддержки КГО", SupportAddress: "sd@kgo66.ru",
		}},
		{"incident_alert", TmplIncidentAlert, IncidentData{
			TicketNumber: 126, Subject: "Кто-то зашёл под моей учётной записью", From: "Иванова М. П. <m.ivanova@school3.kgo66.ru>",
			Organisation: "МАОУ СОШ № 3", ReceivedAt: "27.12.2024 10:05 (Екатеринбург)",
			Text:     "Сегодня утром увидела, что под моей учётной записью кто-то заходил ночью.",
			DeskName: "Служба технической поддержки КГО", SupportAddress: "sd@kgo66.ru",
		}},
		{"incident_alert_blocked", TmplIncidentAlert, IncidentData{
			Subject: "Утечка пароля", From: "Иванова М. П. <m.ivanova@school3.kgo66.ru>",
			Organisation: "МАОУ СОШ № 3", ReceivedAt: "27.12.2024 10:05 (Екатеринбург)",
			Text:     "Пароль от МИС утёк, под моей учётной записью кто-то заходил.",
			DeskName: "Служба технической поддержки КГО", SupportAddress: "sd@kgo66.ru",
		}},
		// A reply from a plain address: helpdesk names the person as the
		// directory knows them (notify.go named), not «<petrov@…> пишет:».
		{"agent_notify_reply", TmplAgentNotify, AgentNotifyData{
			Kind: NotifyReply, TicketNumber: 141, Subject: "Не печатает принтер", SubjectToken: "[#141]", Status: "open",
			Requester: "Петров Пётр Сергеевич <petrov@uszn.kgo66.ru>", Organisation: "УСЗН", Level: "standard", Priority: "normal",
			Author: "Петров Пётр Сергеевич <petrov@uszn.kgo66.ru>", Text: "Бумагу заменили, не помогло.",
			DeskName: "Служба технической поддержки КГО", SupportAddress: "sd@kgo66.ru",
		}},
		{"agent_notify_new", TmplAgentNotify, AgentNotifyData{
			Kind: NotifyNew, TicketNumber: 140, Subject: "Не работает сканер", SubjectToken: "[#140]", Status: "open",
			Requester: "Иванова Мария Петровна <m.ivanova@school3.kgo66.ru>", Organisation: "МАОУ СОШ № 3", Level: "standard",
			Priority: "normal", Due: "27.12.2024 14:00 (Екатеринбург)", Author: "Иванова Мария Петровна",
			Text: "Сканер в кабинете 5 не сканирует.", Attachments: []string{"oshibka.png (69 Б)"}, Suggestions: []string{"legislation", "third_parties"},
			Missing:  []string{"steps", "screenshot"},
			DeskName: "Служба технической поддержки КГО", SupportAddress: "sd@kgo66.ru",
		}},
		{"agent_notify_cut", TmplAgentNotify, AgentNotifyData{
			Kind: NotifyNew, TicketNumber: 141, Subject: "Отчёт за квартал", SubjectToken: "[#141]", Status: "open",
			Requester: "Иванова Мария Петровна <m.ivanova@school3.kgo66.ru>", Organisation: "МАОУ СОШ № 3", Level: "standard",
			Priority: "normal", Due: "27.12.2024 14:00 (Екатеринбург)", Author: "Иванова Мария Петровна",
			Text:        "Отчёт не загружается на портал, файл во вложении.",
			Attachments: []string{"otchet_kvartal.xlsx (47,9 МБ) — не получено: письмо больше допустимого размера"},
			Cut:         "Письмо больше допустимого размера (48,3 МБ при пределе 25 МБ): получены только заголовок и текст, вложения не получены; пользователю об этом сообщено.",
			DeskName:    "Служба технической поддержки КГО", SupportAddress: "sd@kgo66.ru",
		}},
		{"agent_notify_breach", TmplAgentNotify, AgentNotifyData{
			Kind: NotifyBreach, Metric: "first_response", TicketNumber: 141, Subject: "Взлом", SubjectToken: "[#141]",
			Requester: "petrov@uszn.kgo66.ru", Priority: "incident", Due: "27.12.2024 11:00 (Екатеринбург)",
			DeskName: "Служба технической поддержки КГО", SupportAddress: "sd@kgo66.ru",
		}},
		{"agent_notify_risky", TmplAgentNotify, AgentNotifyData{
			Kind: NotifyNew, TicketNumber: 146, Subject: "Счёт на оплату", SubjectToken: "[#146]", Status: "open",
			Requester: "buh@school3.kgo66.ru", Text: "Посмотрите счёт во вложении.", Attachments: []string{"schet.pdf (120 КБ)"},
			Risky: []RiskyFile{
				{Name: "schet.pdf.exe", Size: "1,2 МБ", Kind: "executable"},
				{Name: "otchet.docm", Size: "45 КБ", Kind: "macro"},
				{Name: "dokumenty.zip", Size: "300 КБ", Kind: "archive", Inner: "setup.exe"},
				{Name: "invoiceexe.pdf", Size: "10 КБ", Kind: "hidden_name"},
			},
			DeskName: "Служба технической поддержки КГО", SupportAddress: "sd@kgo66.ru",
		}},
		{"agent_notify_undelivered", TmplAgentNotify, AgentNotifyData{
			Kind: NotifyUndelivered, TicketNumber: 140, Subject: "Не работает сканер", SubjectToken: "[#140]", Status: "open",
			Requester: "Иванова Мария Петровна <m.ivanova@school3.kgo66.ru>", Organisation: "МАОУ СОШ № 3",
			Undelivered: &UndeliveredMail{OutboxID: 812, To: "m.ivanova@school3.kgo66.ru", Subject: "Re: [#140] Не работает сканер",
				What: TmplAgentReply, Reason: GiveUpRejected, Detail: "550 5.1.1 <m.ivanova@school3.kgo66.ru>: user unknown"},
			DeskName: "Служба технической поддержки КГО", SupportAddress: "sd@kgo66.ru",
		}},
		{"agent_notify_undelivered_expired", TmplAgentNotify, AgentNotifyData{
			Kind: NotifyUndelivered, TicketNumber: 141, Subject: "Взлом", SubjectToken: "[#141]",
			Requester: "petrov@uszn.kgo66.ru",
			Undelivered: &UndeliveredMail{OutboxID: 813, To: "petrov@uszn.kgo66.ru", Subject: "[#141] Обращение принято",
				What: TmplAck, Reason: GiveUpExpired, Hours: 168, Detail: "dial tcp 10.0.0.25:587: connection refused"},
			DeskName: "Служба технической поддержки КГО", SupportAddress: "sd@kgo66.ru",
		}},
		{"agent_reply", TmplAgentReply, AgentReplyData{
			TicketNumber: 140, Subject: "Не работает сканер", SubjectToken: "[#140]",
			Text:      "Здравствуйте! Переустановили драйвер сканера, проверьте, пожалуйста.",
			AgentName: "Петров Иван Сергеевич", DeskName: "Служба технической поддержки КГО", SupportAddress: "sd@kgo66.ru",
		}},
		{"command_result", TmplCommandResult, CommandResultData{
			TicketNumber: 140, Subject: "Не работает сканер", SubjectToken: "[#140]", Delivered: true,
			Results:  []CommandResult{{Command: "#take", OK: true, Message: "назначено вам"}, {Command: "#level gold", Message: "нет такого уровня"}},
			DeskName: "Служба технической поддержки КГО", SupportAddress: "sd@kgo66.ru",
		}},
		{"web_signin", TmplWebSignIn, WebSignInData{
			Link: "https://helpdesk.kgo66.ru/signin/link?token=EXAMPLE", Minutes: 15,
			DeskName: "Служба технической поддержки КГО", SupportAddress: "sd@kgo66.ru",
		}},
		{"command_result_refused", TmplCommandResult, CommandResultData{
			TicketNumber: 140, Subject: "Не работает сканер", SubjectToken: "[#140]", Refused: true,
			Reason: "адрес ответа подписан для другого сотрудника", DeskName: "Служба технической поддержки КГО", SupportAddress: "sd@kgo66.ru",
		}},
		{"deferred", TmplDeferred, NoticeData{
			TicketNumber: 142, Subject: "Отчёт не формируется", SubjectToken: "[#142]", Reason: "insufficient_info", Clause: "4.6.2",
			Note: "Пришлите, пожалуйста, скриншот ошибки.", DeskName: "Служба технической поддержки КГО", SupportAddress: "sd@kgo66.ru",
		}},
		{"rejected", TmplRejected, NoticeData{
			TicketNumber: 143, Subject: "Разъясните закон", SubjectToken: "[#143]", Reason: "out_of_scope", Clause: "4.6.5",
			DeskName: "Служба технической поддержки КГО", SupportAddress: "sd@kgo66.ru",
		}},
		{"resolved", TmplResolved, NoticeData{
			TicketNumber: 140, Subject: "Не работает сканер", SubjectToken: "[#140]", Days: 3,
			DeskName: "Служба технической поддержки КГО", SupportAddress: "sd@kgo66.ru",
		}},
		{"reopened_deferred", TmplReopened, ReopenedData{
			TicketNumber: 131, Subject: "Не открывается МИС", SubjectToken: "[#131]", DeskName: "Служба технической поддержки КГО",
			DueResponse: "09.01.2025 13:00 (Екатеринбург)", SupportAddress: "sd@kgo66.ru", WasDeferred: true,
		}},
		{"wait_reminder", TmplWaitReminder, NoticeData{
			TicketNumber: 144, Subject: "Не печатает принтер", SubjectToken: "[#144]", Note: "Пришлите, пожалуйста, модель принтера.",
			Days: 7, Until: "11.12.2024 17:00 (Екатеринбург)", DeskName: "Служба технической поддержки КГО", SupportAddress: "sd@kgo66.ru",
		}},
		{"wait_closed", TmplWaitClosed, NoticeData{
			TicketNumber: 144, Subject: "Не печатает принтер", SubjectToken: "[#144]", Days: 7,
			DeskName: "Служба технической поддержки КГО", SupportAddress: "sd@kgo66.ru",
		}},
		{"merged", TmplMerged, NoticeData{
			TicketNumber: 145, Subject: "Принтер", SubjectToken: "[#145]", Into: 144, IntoSubject: "Не печатает принтер",
			DeskName: "Служба технической поддержки КГО", SupportAddress: "sd@kgo66.ru",
		}},
		{"quarantined", TmplQuarantined, QuarantinedData{
			ID: 17, From: "Иванова М. П. <m.ivanova@school3.kgo66.ru>", Subject: "Отчёт", ReceivedAt: "27.12.2024 10:05 (Екатеринбург)",
			Reason: "processing this message stopped the service (attempt 2)", SenderTold: true,
			DeskName: "Служба технической поддержки КГО", SupportAddress: "sd@kgo66.ru",
		}},
		{"registration_received", TmplRegistrationReceived, RegistrationData{
			TicketNumber: 150, Subject: "Заявка на подключение", SubjectToken: "[#150]", Organisation: "МАОУ СОШ № 3", People: 3,
			Problems: []string{"строка 3: нет адреса электронной почты",
				"не приложен документ, подтверждающий полномочия подписавшего заявку (приказ, распоряжение, доверенность или устав)"},
			NeedsAuthority: true,
			DeskName:       "Служба технической поддержки КГО", SupportAddress: "sd@kgo66.ru",
		}},
		{"rejected_unreadable", TmplRejectedUnreadable, RejectedUnreadableData{
			ReceivedAt: "27.12.2024 16:05", Reason: "письмо зашифровано",
			DeskName: "Служба технической поддержки КГО", SupportAddress: "sd@kgo66.ru",
		}},
		{"protocol", TmplProtocol, ProtocolData{
			RequestTicket: 150, Organisation: "МАОУ «СОШ № 3»", INN: "6615001232", Date: "15.01.2025",
			Rows: []ProtocolRow{
				{FullName: "Смирнова Ольга Викторовна", Department: "Администрация", Position: "Заместитель директора по УВР",
					Email: "o.smirnova@school3.kgo66.ru", Account: "school3\\o.smirnova", Rights: "СЭД «Дело»: регистрация и подписание документов; АИС «Сетевой город»: просмотр",
					KeyChannel: "защищённый канал связи (VipNet)"},
				{FullName: "Кузьмина Анна Петровна", Position: "Секретарь-делопроизводитель", Email: "a.kuzmina@school3.kgo66.ru",
					Account: "school3\\a.kuzmina", Rights: "СЭД «Дело»: регистрация <входящих>", KeyChannel: "лично в руки на USB-носителе"},
				{FullName: "Белова Татьяна Игоревна", Position: "Главный бухгалтер", Account: "school3\\t.belova"},
			},
			DeskName: "Служба технической поддержки КГО", SupportAddress: "sd@kgo66.ru",
		}},
		{"contractor_request", TmplContractorRequest, ContractorData{
			Kind: ContractorPassed, TicketNumber: 123, Subject: "Не открывается «Сетевой город»", SubjectToken: "[#123]",
			Contractor: "ООО «ИРТех»", Question: "После обновления при входе ошибка 502.\nСкриншот во вложении.",
			Text: "Коллеги, посмотрите, пожалуйста: ошибка у всей школы с утра.", Files: []string{"oshibka.png (69 Б)"},
			Due: "28.12.2024 12:00 (Екатеринбург)", Clause: "4.7",
			DeskName: "Служба технической поддержки КГО", SupportAddress: "sd@kgo66.ru",
		}},
		{"contractor_request_reminder", TmplContractorRequest, ContractorData{
			Kind: ContractorReminder, TicketNumber: 123, Subject: "Не открывается «Сетевой город»", SubjectToken: "[#123]",
			Due: "28.12.2024 12:00 (Екатеринбург)", DeskName: "Служба технической поддержки КГО", SupportAddress: "sd@kgo66.ru",
		}},
		{"contractor_notice", TmplContractorNotice, ContractorData{
			Kind: ContractorPassed, TicketNumber: 123, Subject: "Не открывается «Сетевой город»", SubjectToken: "[#123]",
			Contractor: "ООО «ИРТех»", Clause: "4.7", DeskName: "Служба технической поддержки КГО", SupportAddress: "sd@kgo66.ru",
		}},
		{"contractor_notice_answered_hidden", TmplContractorNotice, ContractorData{
			Kind: ContractorAnswered, TicketNumber: 123, Subject: "Не открывается «Сетевой город»", SubjectToken: "[#123]",
			Clause: "4.7", DeskName: "Служба технической поддержки КГО", SupportAddress: "sd@kgo66.ru",
		}},
		{"agent_notify_contractor_answer", TmplAgentNotify, AgentNotifyData{
			Kind: NotifyContractorAnswer, TicketNumber: 123, Subject: "Не открывается «Сетевой город»", SubjectToken: "[#123]",
			Status: "open", Requester: "Иванова Мария Петровна <m.ivanova@school3.kgo66.ru>", Author: "irtech <support@irtech.example>",
			Text: "Исправили балансировщик, проверьте.", DeskName: "Служба технической поддержки КГО", SupportAddress: "sd@kgo66.ru",
		}},
		{"ack_kb_articles", TmplAck, AckData{
			TicketNumber: 125, Subject: "не печатает принтер", SubjectToken: "[#125]",
			DeskName: "Служба технической поддержки КГО", DueFirstResponse: "27.12.2024 16:00 (Иркутск)",
			SupportAddress: "sd@kgo66.ru", KBClause: "4.3", Articles: []ArticleRef{
				{Number: 3, Title: "Не печатает принтер", Excerpt: "Откройте «Параметры → Принтеры и сканеры» и очередь печати…", URL: "https://help.kgo66.ru/kb/printer"},
				{Number: 8, Title: "Сканер не сканирует <документы> в МИС", Excerpt: "МИС работает со сканерами через драйвер TWAIN."},
			},
		}},
		{"agent_notify_kb_articles", TmplAgentNotify, AgentNotifyData{
			Kind: NotifyNew, TicketNumber: 125, Subject: "не печатает принтер", SubjectToken: "[#125]", Status: "open",
			Requester: "Иванова Мария Петровна <m.ivanova@school3.kgo66.ru>", Text: "Принтер не печатает.",
			Articles: []ArticleRef{{Number: 3, Title: "Не печатает принтер"}, {Number: 8, Title: "Сканер не сканирует в МИС"}},
			DeskName: "Служба технической поддержки КГО", SupportAddress: "sd@kgo66.ru",
		}},
		{"announcement", TmplAnnouncement, AnnouncementData{
			Name: "Иванова Мария Петровна", Subject: "Новая версия МИС с 1 марта",
			Body:     "С 1 марта работает новая версия МИС.\nИнструкция по новым функциям — на сайте поддержки.",
			DeskName: "Служба технической поддержки КГО", SupportAddress: "sd@kgo66.ru",
		}},
		{"maintenance_notice_added", TmplMaintenanceNotice, MaintenanceNoticeData{
			Kind: MaintenanceAdded, Name: "Иванова Мария Петровна", System: "МИС", From: "27.12.2024 20:00 (Иркутск)",
			To: "27.12.2024 23:00 (Иркутск)", Note: "Обновление сервера <БД>.", DeskName: "Служба технической поддержки КГО", SupportAddress: "sd@kgo66.ru",
		}},
		{"maintenance_notice_changed", TmplMaintenanceNotice, MaintenanceNoticeData{
			Kind: MaintenanceChanged, System: "МИС", From: "27.12.2024 20:00 (Иркутск)", To: "28.12.2024 01:00 (Иркутск)",
			WasTo: "27.12.2024 23:00 (Иркутск)", DeskName: "Служба технической поддержки КГО", SupportAddress: "sd@kgo66.ru",
		}},
		{"maintenance_notice_cancelled", TmplMaintenanceNotice, MaintenanceNoticeData{
			Kind: MaintenanceCancelled, System: "МИС", From: "27.12.2024 20:00 (Иркутск)", To: "27.12.2024 23:00 (Иркутск)",
			DeskName: "Служба технической поддержки КГО", SupportAddress: "sd@kgo66.ru",
		}},
		{"maintenance_notice_over", TmplMaintenanceNotice, MaintenanceNoticeData{
			Kind: MaintenanceOver, Name: "Петров Пётр", System: "МИС", From: "27.12.2024 20:00 (Иркутск)", To: "27.12.2024 22:10 (Иркутск)",
			DeskName: "Служба технической поддержки КГО", SupportAddress: "sd@kgo66.ru",
		}},
	}
}

func renderGolden(r Rendered) string {
	return "Subject: " + r.Subject + "\n\n" + r.Text + "\n===== HTML =====\n" + r.HTML
}

func TestTemplatesGolden(t *testing.T) {
	tm := mustTemplates(t)
	for _, lang := range tm.Languages() {
		for _, c := range goldenCases() {
			t.Run(lang+"_"+c.name, func(t *testing.T) {
				r, err := tm.Render(lang, c.tmpl, c.data)
				if err != nil {
					t.Fatal(err)
				}
				checkGolden(t, filepath.Join("testdata", "golden", lang+"_"+c.name+".txt"), []byte(renderGolden(r)))
			})
		}
	}
}

func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs from output (run with -update to accept):\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
	}
}

// TestTemplatesParity checks the embedded tree directly: every template of
// one language exists, file for file, in every other.
func TestTemplatesParity(t *testing.T) {
	files := map[string]map[string]bool{}
	for _, lang := range supportedLanguages() {
		files[lang] = map[string]bool{}
		entries, err := fs.ReadDir(mailtemplates.FS(), lang)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			files[lang][e.Name()] = true
		}
	}
	for _, a := range supportedLanguages() {
		for _, b := range supportedLanguages() {
			for f := range files[a] {
				if !files[b][f] {
					t.Errorf("%s/%s has no counterpart %s/%s", a, f, b, f)
				}
			}
		}
	}
	tm := mustTemplates(t)
	for _, name := range tm.Names() {
		if _, ok := zeroData(name); !ok {
			t.Errorf("template %q has no data type in zeroData", name)
		}
	}
	for _, want := range []string{TmplAck, TmplBlocked, TmplIdentify, TmplIncidentAlert, TmplMaintenance, TmplNewAfterClosed,
		TmplOffensive, TmplRejectedUnreadable, TmplReopened, TmplTooLarge, TmplUnclear, TmplUnidentifiedClosed,
		TmplAgentNotify, TmplAgentReply, TmplCommandResult, TmplDeferred, TmplRejected, TmplResolved, TmplWaitReminder, TmplWaitClosed, TmplMerged} {
		if !slices.Contains(tm.Names(), want) {
			t.Errorf("template %q missing", want)
		}
	}
}

func TestTemplatesZeroData(t *testing.T) {
	tm := mustTemplates(t)
	for _, lang := range tm.Languages() {
		for _, name := range tm.Names() {
			data, ok := zeroData(name)
			if !ok {
				t.Fatalf("template %q has no data type in zeroData", name)
			}
			for _, d := range []any{data, &data} {
				r, err := tm.Render(lang, name, d)
				if err != nil {
					t.Errorf("%s/%s with zero data: %v", lang, name, err)
					continue
				}
				if r.Subject == "" || r.Text == "" || r.HTML == "" {
					t.Errorf("%s/%s with zero data rendered an empty part: %+v", lang, name, r)
				}
			}
		}
	}
}

var cyrillicRE = regexp.MustCompile(`[А-Яа-яЁё]`)

func TestTemplatesContent(t *testing.T) {
	tm := mustTemplates(t)
	c := goldenCases()[1] // out of hours, dropped files
	ru, err := tm.Render("ru", c.tmpl, c.data)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"#124", "[#124]", "09.01.2025 в 09:00", "скан_паспорта.pdf", "превышен допустимый размер", "ссылку"} {
		if !strings.Contains(ru.Text, want) || !strings.Contains(ru.HTML, want) {
			t.Errorf("ru text or HTML lacks %q", want)
		}
	}
	if !strings.HasPrefix(ru.Subject, "[#124] ") || strings.Contains(ru.Subject, "\n") {
		t.Errorf("ru subject = %q", ru.Subject)
	}
	// html/template escapes user data; text/template must not.
	if !strings.Contains(ru.HTML, "Доступ к 1С &amp; &lt;СЭД&gt;") || strings.Contains(ru.HTML, "<СЭД>") {
		t.Error("HTML does not escape the user's subject")
	}
	if !strings.Contains(ru.Text, "Доступ к 1С & <СЭД>") {
		t.Error("text escapes the user's subject")
	}
	for _, bad := range []string{"http://", "https://", "<img", "<script", "<link", "<style"} {
		if strings.Contains(ru.HTML, bad) {
			t.Errorf("HTML contains %q (no remote resources allowed)", bad)
		}
	}
	en, err := tm.Render("en", c.tmpl, c.data)
	if err != nil {
		t.Fatal(err)
	}
	// Only user data may be Cyrillic in English mail.
	rest := en.Text
	for _, s := range []string{"Доступ к 1С & <СЭД>", "Служба технической поддержки КГО", "скан_паспорта.pdf", "24,6 МБ", "1,2 МБ", "10 МБ", "файл повреждён", "09.01.2025 в 09:00", "09.01.2025 13:00 (Иркутск)"} {
		rest = strings.ReplaceAll(rest, s, "")
	}
	if cyrillicRE.MatchString(rest) {
		t.Errorf("English text contains Russian template text:\n%s", rest)
	}
}

func TestRenderErrors(t *testing.T) {
	tm := mustTemplates(t)
	if _, err := tm.Render("de", TmplAck, AckData{}); err == nil {
		t.Error("unknown language accepted")
	}
	if _, err := tm.Render("ru", "nope", AckData{}); err == nil {
		t.Error("unknown template accepted")
	}
	if _, err := tm.Render("ru", TmplAck, struct{ X int }{}); err == nil {
		t.Error("wrong data type accepted")
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoadTemplatesOverride(t *testing.T) {
	t.Run("replaces a file", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "ru", "ack.subject.tmpl"), `{{.SubjectToken}} Принято: {{.Subject}}`)
		writeFile(t, filepath.Join(dir, "README.md"), "ignored")
		tm, err := LoadTemplates(dir)
		if err != nil {
			t.Fatal(err)
		}
		r, err := tm.Render("ru", TmplAck, AckData{SubjectToken: "[#1]", Subject: "тест"})
		if err != nil {
			t.Fatal(err)
		}
		if r.Subject != "[#1] Принято: тест" {
			t.Errorf("override not used: %q", r.Subject)
		}
		en, _ := tm.Render("en", TmplAck, AckData{SubjectToken: "[#1]", Subject: "x"})
		if !strings.Contains(en.Subject, "Request registered") {
			t.Errorf("other language affected: %q", en.Subject)
		}
	})
	tests := []struct {
		name  string
		files map[string]string
	}{
		{"unknown field", map[string]string{"ru/ack.txt.tmpl": "{{.TicketNumbr}}"}},
		{"syntax error", map[string]string{"en/ack.html.tmpl": "{{if}}"}},
		{"bad file name", map[string]string{"ru/Ack.txt.tmpl": "x"}},
		{"one language only", map[string]string{
			"ru/extra.subject.tmpl": "a", "ru/extra.txt.tmpl": "b", "ru/extra.html.tmpl": "c",
		}},
		{"missing kind", map[string]string{"ru/extra.subject.tmpl": "a", "en/extra.subject.tmpl": "a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for p, c := range tt.files {
				writeFile(t, filepath.Join(dir, filepath.FromSlash(p)), c)
			}
			if _, err := LoadTemplates(dir); err == nil {
				t.Fatal("LoadTemplates succeeded")
			}
		})
	}
	t.Run("missing directory", func(t *testing.T) {
		if _, err := LoadTemplates(filepath.Join(t.TempDir(), "nope")); err == nil {
			t.Fatal("missing override directory accepted")
		}
	})
}

func TestFormatSize(t *testing.T) {
	tests := []struct {
		n        int64
		lang     string
		expected string
	}{
		{0, "ru", "0 Б"},
		{1023, "en", "1023 B"},
		{1024, "ru", "1 КБ"},
		{12_999_000, "ru", "12,4 МБ"},
		{12_999_000, "en", "12.4 MB"},
		{25 << 20, "ru", "25 МБ"},
		{3 << 40, "en", "3 TB"},
	}
	for _, tt := range tests {
		if got := FormatSize(tt.n, tt.lang); got != tt.expected {
			t.Errorf("FormatSize(%d, %s) = %q, want %q", tt.n, tt.lang, got, tt.expected)
		}
	}
}

func BenchmarkRenderAck(b *testing.B) {
	tm := mustTemplates(b)
	data := goldenCases()[1].data
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tm.Render("ru", TmplAck, data); err != nil {
			b.Fatal(err)
		}
	}
}
