package mailout

import (
	"fmt"
	"strings"
)

// Key names a text of the message catalogue: a short sentence or phrase a
// person reads in mail (a command's result, a refusal, a status), outside
// the templates. See docs/mail.md, "The message catalogue".
type Key string

// Msg is a text not yet put into words: a key and its arguments. It lets a
// function say what to tell someone without knowing the language; Text
// renders a Msg given as an argument in the language of the enclosing text.
type Msg struct {
	Key  Key
	Args []any
}

// M makes a Msg.
func M(key Key, args ...any) Msg { return Msg{Key: key, Args: args} }

// In renders m in lang.
func (m Msg) In(lang string) string { return Text(lang, m.Key, m.Args...) }

// IsZero reports whether m says nothing.
func (m Msg) IsZero() bool { return m.Key == "" }

// Text renders the catalogue text key in lang ("en" for English, anything
// else Russian, the default language) with fmt-style args. A Msg among the
// args is rendered in the same language first. An unknown key renders as the
// key itself, so a mistake shows in the mail instead of stopping intake.
func Text(lang string, key Key, args ...any) string {
	p, ok := entry(key)
	if !ok {
		return string(key)
	}
	s := p.ru
	if lang == "en" {
		s = p.en
	}
	if len(args) == 0 {
		return s
	}
	copied := false
	for i, a := range args {
		if m, ok := a.(Msg); ok {
			if !copied { // never write to the caller's slice
				args, copied = append([]any(nil), args...), true
			}
			args[i] = m.In(lang)
		}
	}
	return fmt.Sprintf(s, args...)
}

// Lookup is the text of key in lang without arguments, and whether the
// catalogue has it (for keys made at run time, e.g. ZoneKey).
func Lookup(lang string, key Key) (string, bool) {
	if _, ok := entry(key); !ok {
		return "", false
	}
	return Text(lang, key), true
}

// entry is the texts of key: a catalogue text or the words of a code (words.go).
func entry(key Key) (texts, bool) {
	if p, ok := catalogue[key]; ok {
		return p, true
	}
	p, ok := wordTexts[key]
	return p, ok
}

// ZoneKey is the key of the name people give a time zone (IANA name, e.g.
// "Asia/Irkutsk" → «Иркутск», "Irkutsk").
func ZoneKey(iana string) Key { return Key("zone." + iana) }

// Keys lists every key of the catalogue (for tests and tools), unsorted.
func Keys() []Key {
	keys := make([]Key, 0, len(catalogue)+len(wordTexts))
	for k := range catalogue {
		keys = append(keys, k)
	}
	for k := range wordTexts {
		keys = append(keys, k)
	}
	return keys
}

// Plural picks the form of a word that goes with the number n. Russian has
// three: one (1, 21, 101: «1 сотрудник», «21 рабочий день»), few (2–4,
// 22–24: «2 сотрудника», «3 рабочих дня») and many (0, 5–20, 25–30, 11–14:
// «5 сотрудников», «11 рабочих дней»). English uses one for exactly 1 and
// many otherwise (few is ignored).
func Plural(lang string, n int64, one, few, many string) string {
	if n < 0 {
		n = -n
	}
	if lang == "en" {
		if n == 1 {
			return one
		}
		return many
	}
	switch n10, n100 := n%10, n%100; {
	case n10 == 1 && n100 != 11:
		return one
	case n10 >= 2 && n10 <= 4 && (n100 < 12 || n100 > 14):
		return few
	}
	return many
}

// Count writes n followed by the word of the catalogue key in the form that
// goes with it: Count("ru", WordWorkingDays, 3) is «3 рабочих дня». The
// word's text holds its forms separated by "|": one|few|many in Russian,
// one|many in English.
func Count(lang string, key Key, n int64) string {
	forms := strings.Split(Text(lang, key), "|")
	var w string
	switch {
	case len(forms) >= 3:
		w = Plural(lang, n, forms[0], forms[1], forms[2])
	case len(forms) == 2:
		w = Plural(lang, n, forms[0], forms[1], forms[1])
	default:
		w = forms[0]
	}
	return fmt.Sprintf("%d %s", n, w)
}

// Catalogue keys. The texts are in catalogue below; every key needs both
// languages (a test checks it).
const (
	// Verbatim is its argument as it is (a value without words, e.g. an
	// unknown status code).
	Verbatim Key = "verbatim"

	// Words with plural forms, for Count.
	WordAgents      Key = "word.agents"
	WordWorkingDays Key = "word.working_days"
	// WordWorkingDaysGen: "working days" after «в течение» (the genitive).
	WordWorkingDaysGen Key = "word.working_days_gen"
	WordTickets        Key = "word.tickets"

	// Date layouts (Go time layouts) for people.
	LayoutDateAtTime Key = "layout.date_at_time"

	// Staff command results (the confirmation mail to the agent).
	CmdNoteKept           Key = "cmd.note_kept"
	CmdNoteSent           Key = "cmd.note_sent"
	CmdClosedReopenFirst  Key = "cmd.closed_reopen_first"
	CmdWaitNeedsText      Key = "cmd.wait_needs_text"
	CmdWaitSent           Key = "cmd.wait_sent"
	CmdDeferred           Key = "cmd.deferred"
	CmdRejected           Key = "cmd.rejected"
	CmdResolved           Key = "cmd.resolved"
	CmdClosed             Key = "cmd.closed"
	CmdAlreadyOpen        Key = "cmd.already_open"
	CmdReopened           Key = "cmd.reopened"
	CmdNotActiveAgent     Key = "cmd.not_active_agent"
	CmdOnlyLeadAssigns    Key = "cmd.only_lead_assigns"
	CmdAssigned           Key = "cmd.assigned"
	CmdNoSuchLevel        Key = "cmd.no_such_level"
	CmdLevelSet           Key = "cmd.level_set"
	CmdPrioritySet        Key = "cmd.priority_set"
	CmdPlanned            Key = "cmd.planned"
	CmdNotPendingRequest  Key = "cmd.not_pending_request"
	CmdApproved           Key = "cmd.approved"
	CmdCannotMerge        Key = "cmd.cannot_merge"
	CmdMergeIntoClosed    Key = "cmd.merge_into_closed"
	CmdMergeOtherOrg      Key = "cmd.merge_other_org"
	CmdMerged             Key = "cmd.merged"
	CmdUnknown            Key = "cmd.unknown"
	CmdFileNotSent        Key = "cmd.file_not_sent"
	CmdHeld               Key = "cmd.held"
	AnswerResolved        Key = "answer.resolved"
	AnswerResolvedNoClose Key = "answer.resolved_no_close"
	CmdCollision          Key = "cmd.collision"
	CmdAnswerNotComposed  Key = "cmd.answer_not_composed"
	CmdNoteThread         Key = "cmd.note_thread"
	CmdFileHeldRisky      Key = "cmd.file_held_risky"
	CmdRiskyFilesSent     Key = "cmd.risky_files_sent"
	CmdNoRiskyFiles       Key = "cmd.no_risky_files"
	CmdRiskyFilesInNote   Key = "cmd.risky_files_in_note"
	RiskWordExecutable    Key = "risk.executable"
	RiskWordMacro         Key = "risk.macro"
	RiskWordArchive       Key = "risk.archive"
	RiskWordHiddenName    Key = "risk.hidden_name"
	PlanUnreadableDate    Key = "plan.unreadable_date"
	PlanDayPast           Key = "plan.day_past"
	PlanDayOff            Key = "plan.day_off"
	PlanDayOver           Key = "plan.day_over"
	RefusedAlreadyDone    Key = "refused.already_resolved"
	RefusedNotNow         Key = "refused.not_now"
	StatusUnidentified    Key = "status.unidentified"
	StatusOpen            Key = "status.open"
	StatusWaiting         Key = "status.waiting"
	StatusDeferred        Key = "status.deferred"
	StatusPlanned         Key = "status.planned"
	StatusResolved        Key = "status.resolved"
	StatusRejected        Key = "status.rejected"
	StatusClosed          Key = "status.closed"
	AttachmentDropped     Key = "attachment.dropped"
	AttachmentNotFetched  Key = "attachment.not_fetched"
	AttachmentUnnamed     Key = "attachment.unnamed"
	MessageCut            Key = "message.cut"
	MessageTextCut        Key = "message.text_cut"
	AttachmentsMore       Key = "attachment.more"
	OutsideRequesterOrg   Key = "reply.outside_requester_org"
	KeyChannelDefault     Key = "registration.key_channel_default"
	RegOrgFromRequest     Key = "registration.org_from_request"
	RegSummaryTitle       Key = "registration.summary_title"
	RegSummaryNoAuthority Key = "registration.summary_no_authority"
	RegSummaryCommands    Key = "registration.summary_commands"

	// Why a connection request cannot be approved as it stands.
	RegNoAuthorityDocument Key = "registration.no_authority_document"
	RegProblems            Key = "registration.problems"
	RegOrgConflict         Key = "registration.org_conflict"
	RegConfirmNamedOrg     Key = "registration.confirm_named_org"
	RegAmbiguousOrg        Key = "registration.ambiguous_org"

	// Warnings about a connection request (directory.RegistrationWarnings):
	// what the request would change, then the advice or that the operator
	// allowed it.
	RegWarnings               Key = "registration.warnings"
	RegWarnNewDomain          Key = "registration.warn.new_domain"
	RegWarnPublicMail         Key = "registration.warn.public_mail"
	RegWarnOffDomain          Key = "registration.warn.off_domain"
	RegWarnForeignDomain      Key = "registration.warn.foreign_domain"
	RegWarnOtherOrg           Key = "registration.warn.other_org"
	RegWarnRoleChange         Key = "registration.warn.role_change"
	RegWarnRequesterNotHead   Key = "registration.warn.requester_not_head"
	RegWarnRequesterOffDomain Key = "registration.warn.requester_off_domain"
	RegAdviceAddDomain        Key = "registration.advice.add_domain"
	RegAdviceAllowPerson      Key = "registration.advice.allow_person"
	RegAdviceMoveUsers        Key = "registration.advice.move_users"
	RegAdviceRoleChange       Key = "registration.advice.role_change"
	RegAdviceCheckAuthority   Key = "registration.advice.check_authority"
	RegAdviceAllowed          Key = "registration.advice.allowed"
	RegApprovedSkipped        Key = "registration.approved_skipped"
	RegOpenKeyChannel         Key = "registration.open_key_channel"
	RegWarnHead               Key = "registration.warn.head"
	RegWarnHeadNotListed      Key = "registration.warn.head_not_listed"
	RegAdviceHead             Key = "registration.advice.head"
	RegAdviceHeadDeclined     Key = "registration.advice.head_declined"
	RegAdviceHeadNotListed    Key = "registration.advice.head_not_listed"
	RegApprovedHead           Key = "registration.approved_head"

	// Why staff mail was refused (told to the staff member).
	SecNoToken        Key = "security.no_token"
	SecWrongDesk      Key = "security.wrong_desk"
	SecAgentDisabled  Key = "security.agent_disabled"
	SecForgedSender   Key = "security.forged_sender"
	SecNotAgent       Key = "security.not_agent"
	SecReplayedToken  Key = "security.replayed_token"
	SecRevokedToken   Key = "security.revoked_token"
	SecAuthFailed     Key = "security.auth_failed"
	SecAgentNoToken   Key = "security.agent_address_without_token"
	ParseUnknownCmd   Key = "parse.unknown_command"
	ParseNoteNeedText Key = "parse.note_needs_text"
	ParseArgument     Key = "parse.argument"
	ParseOneState     Key = "parse.one_state_change"
	ParseOneOwner     Key = "parse.one_owner"
	ParseRepeated     Key = "parse.repeated"
	ParseTooMany      Key = "parse.too_many_errors"
	ArgNeedReason     Key = "arg.need_reason"
	ArgUnknownReason  Key = "arg.unknown_reason"
	ArgNeedEmail      Key = "arg.need_email"
	ArgNotEmail       Key = "arg.not_email"
	ArgNeedLevel      Key = "arg.need_level"
	ArgNotLevel       Key = "arg.not_level"
	ArgNeedPriority   Key = "arg.need_priority"
	ArgNeedDate       Key = "arg.need_date"
	ArgNotDate        Key = "arg.not_date"
	ArgNeedTicket     Key = "arg.need_ticket"

	// Third parties (helpdesk/contractor.go, staffcmd).
	ArgNeedContractor        Key = "arg.need_contractor"
	ParseContractorNeedText  Key = "parse.contractor_needs_text"
	CmdNoSuchContractor      Key = "cmd.no_such_contractor"
	CmdEscalated             Key = "cmd.escalated"
	CmdAlreadyWithContractor Key = "cmd.already_with_contractor"
	CmdNotWithContractor     Key = "cmd.not_with_contractor"
	CmdContractorMessageSent Key = "cmd.contractor_message_sent"
	CmdRecalled              Key = "cmd.recalled"
	CmdContractorClosed      Key = "cmd.contractor_ticket_closed"
	SecContractorForged      Key = "security.contractor_forged"
)

// texts is one catalogue entry: the Russian and the English text.
type texts struct{ ru, en string }

// The queue and search by mail (docs/search.md): #система, #очередь, #поиск.
const (
	ArgNeedSystem    Key = "arg.need_system"
	ArgNeedSearch    Key = "arg.need_search"
	CmdSystemSet     Key = "cmd.system_set"
	CmdSystemCleared Key = "cmd.system_cleared"
	CmdQueue         Key = "cmd.queue"
	CmdQueueEmpty    Key = "cmd.queue_empty"
	CmdQueueMine     Key = "cmd.queue_mine"
	CmdQueueFree     Key = "cmd.queue_unassigned"
	CmdSearchFound   Key = "cmd.search_found"
	CmdSearchNone    Key = "cmd.search_none"
	CmdQueueLine     Key = "cmd.queue_line"
	CmdQueueNoDue    Key = "cmd.queue_no_due"
	CmdQueueNoOrg    Key = "cmd.queue_no_org"
	CmdQueueMore     Key = "cmd.queue_more"
)

// The morning mail (docs/digest.md): #утро вкл|выкл, and mail to an agent's
// own command address (its Reply-To), which names no ticket.
const (
	ArgNeedMorning   Key = "arg.need_morning"
	CmdMorningOn     Key = "cmd.morning_on"
	CmdMorningOff    Key = "cmd.morning_off"
	CmdNeedsTicket   Key = "cmd.needs_ticket"
	CmdDeskNoCommand Key = "cmd.desk_no_command"
)

// catalogue is the table of texts: data, never written to.
// Knowledge base and canned answers (docs/kb.md): #статья, #шаблон.
const (
	ArgNeedArticle     Key = "arg.need_article"
	CmdArticleSent     Key = "cmd.article_sent"
	CmdNoArticle       Key = "cmd.no_article"
	CmdArticleInternal Key = "cmd.article_internal"
	CmdCannedInserted  Key = "cmd.canned_inserted"
	CmdNoCanned        Key = "cmd.no_canned"
	CmdCannedList      Key = "cmd.canned_list"
	CmdCannedNone      Key = "cmd.canned_none"
	KBArticleLink      Key = "kb.article_link"
)

var catalogue = map[Key]texts{
	Verbatim: {"%s", "%s"},

	ArgNeedSystem: {"нужно название информационной системы (#система МИС) или «-», чтобы его убрать",
		"the name of an information system is needed (#system MIS), or “-” to clear it"},
	ArgNeedSearch:    {"нужны слова для поиска (#поиск принтер школа 3)", "words to look for are needed (#search printer school 3)"},
	ArgNeedMorning:   {"нужно «вкл» или «выкл» (#утро выкл)", "“on” or “off” is needed (#morning off)"},
	CmdMorningOn:     {"утреннее письмо включено: оно придёт к началу рабочего дня", "the morning mail is on: it comes at the desk's opening"},
	CmdMorningOff:    {"утреннее письмо выключено; включить снова: #утро вкл", "the morning mail is off; to turn it on again: #morning on"},
	CmdNeedsTicket:   {"эта команда выполняется в ответе на письмо об обращении", "this command works in a reply to a ticket's mail"},
	CmdDeskNoCommand: {"в письме нет команды; на этот адрес принимаются #очередь, #поиск и #утро", "the mail holds no command; this address takes #queue, #search and #morning"},
	CmdSystemSet:     {"информационная система: %s", "information system: %s"},
	CmdSystemCleared: {"информационная система не указана", "information system cleared"},
	CmdQueue:         {"ваша очередь:\n%s", "your queue:\n%s"},
	CmdQueueEmpty:    {"в вашей очереди ничего нет, свободных обращений тоже", "nothing in your queue, and no unassigned tickets"},
	CmdQueueMine:     {"ваши обращения (%d):", "assigned to you (%d):"},
	CmdQueueFree:     {"не назначены (%d):", "unassigned (%d):"},
	CmdSearchFound:   {"найдено по запросу «%s»:\n%s", "found for “%s”:\n%s"},
	CmdSearchNone:    {"по запросу «%s» ничего не найдено", "nothing found for “%s”"},
	CmdQueueLine:     {"#%d — %s — %s — срок %s — %s", "#%d — %s — %s — due %s — %s"},
	CmdQueueNoDue:    {"нет", "none"},
	CmdQueueNoOrg:    {"без организации", "no organisation"},
	CmdQueueMore:     {"… и ещё: otvet tickets list", "… and more: otvet tickets list"},

	WordAgents:      {"сотрудник|сотрудника|сотрудников", "agent|agents"},
	WordWorkingDays: {"рабочий день|рабочих дня|рабочих дней", "working day|working days"},
	WordTickets:     {"обращение|обращения|обращений", "ticket|tickets"},

	LayoutDateAtTime: {"02.01.2006 в 15:04", "02.01.2006 at 15:04"},

	"zone.Europe/Kaliningrad": {"Калининград", "Kaliningrad"},
	"zone.Europe/Moscow":      {"Москва", "Moscow"},
	"zone.Europe/Samara":      {"Самара", "Samara"},
	"zone.Asia/Yekaterinburg": {"Екатеринбург", "Yekaterinburg"},
	"zone.Asia/Omsk":          {"Омск", "Omsk"},
	"zone.Asia/Novosibirsk":   {"Новосибирск", "Novosibirsk"},
	"zone.Asia/Krasnoyarsk":   {"Красноярск", "Krasnoyarsk"},
	"zone.Asia/Irkutsk":       {"Иркутск", "Irkutsk"},
	"zone.Asia/Yakutsk":       {"Якутск", "Yakutsk"},
	"zone.Asia/Vladivostok":   {"Владивосток", "Vladivostok"},
	"zone.Asia/Magadan":       {"Магадан", "Magadan"},
	"zone.Asia/Kamchatka":     {"Камчатка", "Kamchatka"},

	CmdNoteKept: {"заметка сохранена (других действующих сотрудников нет), пользователю не отправлена",
		"note stored (there are no other active agents), not sent to the customer"},
	CmdNoteSent:          {"заметка сохранена и разослана: %s; пользователю не отправлена", "note stored and sent to %s; not sent to the customer"},
	CmdClosedReopenFirst: {"обращение закрыто: сначала #открыть", "the ticket is closed: #reopen it first"},
	CmdWaitNeedsText:     {"напишите, какие сведения нужны: текст после команды или ниже", "write what you need: after the command or below it"},
	CmdWaitSent:          {"запрос отправлен пользователю; срок приостановлен до его ответа", "request sent; the clock is paused until the customer replies"},
	CmdDeferred:          {"обращение отложено (причина: %s; п. %s); пользователь уведомлён", "ticket deferred (reason: %s; clause %s); the customer was told"},
	CmdRejected:          {"обращение отклонено (причина: %s; п. %s); пользователь уведомлён", "ticket rejected (reason: %s; clause %s); the customer was told"},
	CmdResolved:          {"обращение решено; закроется само, если пользователь не ответит", "ticket resolved; it closes by itself unless the customer replies"},
	CmdClosed:            {"обращение закрыто", "ticket closed"},
	CmdAlreadyOpen:       {"обращение и так открыто", "the ticket is already open"},
	CmdReopened:          {"обращение открыто снова", "ticket reopened"},
	CmdNotActiveAgent:    {"%s — не действующий сотрудник поддержки", "%s is not an active support agent"},
	CmdOnlyLeadAssigns:   {"назначать обращения другим может только старший (lead)", "only a lead may assign tickets to others"},
	CmdAssigned:          {"назначено: %s", "assigned to %s"},
	CmdNoSuchLevel:       {"нет уровня поддержки «%s»", "no support level %q"},
	CmdLevelSet:          {"уровень поддержки: %s; сроки пересчитаны", "support level %s; due times recomputed"},
	CmdPrioritySet:       {"приоритет: %s", "priority %s"},
	CmdPlanned:           {"выезд запланирован на %s; решить до %s", "visit planned for %s; due by %s"},
	CmdNotPendingRequest: {"это не ожидающая решения заявка на подключение", "this is not a pending connection request"},
	CmdApproved:          {"заявка одобрена, протокол подключения отправлен: %s", "request approved, protocol sent: %s"},
	CmdCannotMerge:       {"нельзя объединить с обращением #%d", "cannot merge into ticket #%d"},
	CmdMergeIntoClosed:   {"обращение #%d закрыто: объединять можно только с действующим", "ticket #%d is closed: merge into an active one"},
	CmdMergeOtherOrg: {"обращение #%d — другой организации: объединять можно только обращения одной организации",
		"ticket #%d belongs to another organisation: only tickets of one organisation can be merged"},
	CmdMerged: {"объединено с обращением #%d; участники перенесены: %d; пользователь уведомлён",
		"merged into ticket #%d; participants moved: %d; the customer was told"},
	CmdUnknown: {"неизвестная команда", "unknown command"},
	CmdAnswerNotComposed: {"ответ НЕ отправлен пользователю: письмо невозможно составить (%s). Текст сохранён в обращении; сообщите администратору",
		"the reply was NOT sent to the customer: the message cannot be composed (%s). The text is kept on the ticket; tell the administrator"},
	CmdCollision: {"ответ НЕ отправлен пользователю и команды не выполнены: пока вы писали, пользователю уже отправлен ответ (%s, %s):\n\n%s\n\nВаш текст сохранён как внутренняя заметка. Чтобы всё же отправить его, ответьте на это письмо, повторив текст",
		"the reply was NOT sent to the customer and no command was carried out: while you were writing, the customer was already answered (%s, %s):\n\n%s\n\nYour text is kept as an internal note. To send it anyway, reply to this message with the text again"},
	AnswerResolved: {"Обращение решено. Если вопрос не решён, ответьте на это письмо в течение %s — обращение откроется снова.",
		"The request is resolved. If the problem persists, reply to this message within %s and the request will be reopened."},
	WordWorkingDaysGen: {"рабочего дня|рабочих дней|рабочих дней", "working day|working days"},
	AnswerResolvedNoClose: {"Обращение решено. Если вопрос не решён, ответьте на это письмо — обращение откроется снова.",
		"The request is resolved. If the problem persists, reply to this message and the request will be reopened."},
	CmdHeld: {"ответ НЕ отправлен пользователю и команды не выполнены: не все строки команд понятны. Текст сохранён как внутренняя заметка. Исправьте команду и ответьте на это письмо снова",
		"the reply was NOT sent to the customer and no command was carried out: not every command line could be read. The text is kept as an internal note. Correct the command and reply to this message again"},
	CmdNoteThread: {"это ответ на заметку, поэтому он тоже заметка: пользователю не отправлен. Чтобы ответить пользователю, ответьте на уведомление об обращении",
		"this is a reply to a note, so it is a note too: not sent to the customer. To answer the customer, reply to a notification about the ticket"},
	CmdFileNotSent: {"файл (%s) не отправлен пользователю: больше допустимого размера вложений",
		"file (%s) not sent to the customer: over the attachment size limit"},
	CmdFileHeldRisky: {"файл (%s) не отправлен пользователю: %s. Если он действительно нужен пользователю, " +
		"ответьте на это письмо, приложите файл снова и напишите первой строкой #отправить-файлы",
		"file (%s) not sent to the customer: %s. If the customer really needs it, " +
			"reply to this message with the file attached again and #send-files on the first line"},
	CmdRiskyFilesSent: {"отправлено пользователю по вашему выбору: %s", "sent to the customer as you chose: %s"},
	CmdNoRiskyFiles: {"в ответе нет программ и документов с макросами: файлы (если есть) отправлены как обычно",
		"the reply has no programs or macro documents: its files (if any) were sent as usual"},
	CmdRiskyFilesInNote: {"ответ — внутренняя заметка: файлы пользователю не отправлены", "the reply is an internal note: no files were sent to the customer"},
	RiskWordExecutable:  {"это программа", "it is a program"},
	RiskWordMacro:       {"это документ с макросами", "it is a document with macros"},
	RiskWordArchive:     {"это архив с программой внутри (%s)", "it is an archive with a program inside (%s)"},
	RiskWordHiddenName:  {"имя файла маскирует настоящее расширение", "the file name hides its real extension"},

	PlanUnreadableDate: {"не понимаю дату «%s»", "cannot read the date %q"},
	PlanDayPast:        {"%s уже прошло: укажите сегодняшний или будущий рабочий день", "%s is in the past: give today or a later working day"},
	PlanDayOff:         {"%s — нерабочий день; ближайший рабочий день — %s", "%s is not a working day; the next working day is %s"},
	PlanDayOver:        {"рабочий день %s уже закончился", "the working day %s is over"},

	RefusedAlreadyDone: {"обращение уже решено", "the ticket is already resolved"},
	RefusedNotNow:      {"это действие недоступно: обращение %s", "not possible now: the ticket is %s"},

	StatusUnidentified: {"ждёт идентификации пользователя", "waiting for the sender's identification"},
	StatusOpen:         {"в работе", "open"},
	StatusWaiting:      {"ждёт ответа пользователя", "waiting for the customer"},
	StatusDeferred:     {"отложено", "deferred"},
	StatusPlanned:      {"запланирован выезд", "a visit is planned"},
	StatusResolved:     {"решено", "resolved"},
	StatusRejected:     {"отклонено", "rejected"},
	StatusClosed:       {"закрыто", "closed"},

	AttachmentDropped:   {"не принято", "dropped"},
	OutsideRequesterOrg: {"(не из организации заявителя)", "(outside the requester's organisation)"},

	AttachmentNotFetched: {"не получено: письмо больше допустимого размера", "not received: the message was over the size limit"},
	AttachmentUnnamed:    {"вложение без имени", "unnamed attachment"},
	MessageCut: {"Письмо больше допустимого размера (%s при пределе %s): получены только заголовок и текст%s, вложения не получены; пользователю об этом сообщено.",
		"The message was over the size limit (%s, the limit is %s): only its header and text%s were received, not the attachments; the customer has been told."},
	MessageTextCut:  {" (текст обрезан)", " (the text cut)"},
	AttachmentsMore: {"ещё вложений: %d", "%d more attachments"},

	KeyChannelDefault:     {"защищённый канал связи или лично в руки на материальном носителе", "a secure channel, or in person on a physical medium"},
	RegOrgFromRequest:     {"Организация из заявки #%d", "Organisation from connection request #%d"},
	RegSummaryTitle:       {"ЗАЯВКА НА ПОДКЛЮЧЕНИЕ: %s (ИНН %s, ОГРН %s)", "CONNECTION REQUEST: %s (INN %s, OGRN %s)"},
	RegSummaryNoAuthority: {"Нет документа о полномочиях подписавшего.", "No document confirming the signatory's authority."},
	RegSummaryCommands: {"#approve (#одобрить) — зарегистрировать и отправить протокол (после команды можно указать способ передачи ключа " +
		"и --без-руководителя); #reject REASON — отклонить.",
		"#approve (#одобрить): register and send the protocol (the key channel and --no-head may follow the command); #reject REASON: reject."},

	RegNoAuthorityDocument: {"к заявке #%[1]d не приложен документ, подтверждающий полномочия подписавшего: дождитесь его " +
		"или подтвердите, что он получен: otvet registration edit %[1]d --authority-document",
		"connection request #%[1]d lacks the document confirming the signatory's authority: wait for it, " +
			"or confirm it was received with otvet registration edit %[1]d --authority-document"},
	RegProblems: {"заявку #%[1]d нельзя одобрить как есть: %[2]s. Исправьте заявку (otvet registration edit %[1]d --file …) " +
		"или разрешите перевод (otvet registration edit %[1]d --move-users)",
		"connection request #%[1]d cannot be approved as it stands: %[2]s. Correct it (otvet registration edit %[1]d --file …) " +
			"or allow the move (otvet registration edit %[1]d --move-users)"},
	RegOrgConflict: {"заявитель %[1]s относится к организации %[2]s, а в заявке #%[3]d указана организация %[4]s: " +
		"выберите организацию (otvet registration edit %[3]d --org ID или --new-org)",
		"the requester %[1]s belongs to organisation %[2]s but connection request #%[3]d names organisation %[4]s: " +
			"choose one (otvet registration edit %[3]d --org ID or --new-org)"},
	RegConfirmNamedOrg: {"заявитель %[1]s не относится ни к одной организации, а в заявке #%[2]d указана существующая организация %[3]s: " +
		"подтвердите её (otvet registration edit %[2]d --org %[4]d) или создайте новую (--new-org)",
		"the requester %[1]s belongs to no organisation while connection request #%[2]d names the existing organisation %[3]s: " +
			"confirm it (otvet registration edit %[2]d --org %[4]d) or create a new one (--new-org)"},
	RegAmbiguousOrg: {"в справочнике несколько организаций с названием «%s»: выберите (otvet registration edit %d --org ID или --new-org)",
		"several organisations are called %q: choose one (otvet registration edit %d --org ID or --new-org)"},

	RegOpenKeyChannel: {"способ передачи ключа «%s» — открытый канал (%s): по протоколу ключ передаётся только по защищённому каналу связи или лично в руки",
		"the key channel «%s» is an open channel (%s): under the protocol the key is handed over a secure channel or in person only"},
	RegWarnHead: {"подписавший заявку %[2]s (%[1]s) станет руководителем организации",
		"the signatory %[2]s (%[1]s) becomes the organisation's head"},
	RegWarnHeadNotListed: {"подписавшего заявку %s нет среди сотрудников заявки: руководитель не назначается",
		"the signatory %s is not among the request's people: nobody becomes the head"},
	RegAdviceHead: {"назначается при одобрении; отказаться: otvet registration edit %[1]d --no-head или #одобрить --без-руководителя",
		"applied on approval; to decline: otvet registration edit %[1]d --no-head or #approve --no-head"},
	RegAdviceHeadDeclined:  {"оператор отказался: роль не меняется", "declined by the operator: the role stays"},
	RegAdviceHeadNotListed: {"чтобы назначить, добавьте его строкой: otvet registration edit %d --file …", "to appoint them, add their row: otvet registration edit %d --file …"},
	RegApprovedHead:        {"руководитель организации: %s", "the organisation's head: %s"},

	RegWarnings:       {"Внимание — заявка меняет справочник:", "Warning — the request changes the directory:"},
	RegWarnNewDomain:  {"новый почтовый домен организации %s", "a new mail domain of the organisation: %s"},
	RegWarnPublicMail: {"%s — адрес публичного почтового сервиса", "%s is on a public mail service"},
	RegWarnOffDomain: {"%s — не на почтовых доменах организации (домен %s)",
		"%s is not on the organisation's mail domains (domain %s)"},
	RegWarnForeignDomain: {"%s — на почтовом домене другой организации %s", "%s is on the mail domain of another organisation, %s"},
	RegWarnOtherOrg:      {"%s — пользователь другой организации %s", "%s is a user of another organisation, %s"},
	RegWarnRoleChange:    {"%s: права доступа «%s» заменяются на «%s»", "%s: access rights «%s» become «%s»"},
	RegWarnRequesterNotHead: {"заявитель %s не записан в справочнике руководителем этой организации",
		"the requester %s is not the organisation's head in the directory"},
	RegWarnRequesterOffDomain: {"адрес заявителя %s не на почтовых доменах организации",
		"the requester's address %s is not on the organisation's mail domains"},
	RegAdviceAddDomain: {"добавляется только по выбору оператора: otvet registration edit %d --add-domain %s",
		"added only when the operator chooses it: otvet registration edit %d --add-domain %s"},
	RegAdviceAllowPerson: {"не регистрируется без явного разрешения: otvet registration edit %d --allow-person %s",
		"not registered unless explicitly allowed: otvet registration edit %d --allow-person %s"},
	RegAdviceMoveUsers: {"одобрение невозможно без разрешения: otvet registration edit %d --move-users",
		"approval is refused unless allowed: otvet registration edit %d --move-users"},
	RegAdviceRoleChange: {"права сохраняются прежними без разрешения: otvet registration edit %d --allow-role-change",
		"the rights stay as they are unless allowed: otvet registration edit %d --allow-role-change"},
	RegAdviceCheckAuthority: {"проверьте полномочия по приложенному документу", "check the authority against the attached document"},
	RegAdviceAllowed:        {"разрешено оператором", "allowed by the operator"},
	RegApprovedSkipped:      {"не зарегистрировано без разрешения оператора: %s", "not registered without the operator's permission: %s"},

	SecNoToken: {"нет действительного подписанного адреса ответа (ответьте на уведомление Otvet)",
		"no valid signed reply address (reply to an Otvet notification)"},
	SecWrongDesk: {"адрес ответа относится к другой службе", "the reply address belongs to another desk"},
	SecAgentDisabled: {"ваша учётная запись сотрудника отключена: ответы и команды не принимаются",
		"your staff account is disabled: replies and commands are not accepted"},
	SecForgedSender: {"адрес ответа подписан для другого сотрудника (%s), а письмо пришло от %s",
		"the reply address is signed for another agent (%s), but the mail came from %s"},
	SecNotAgent: {"ваша роль (%s) не позволяет отвечать по обращениям и выполнять команды",
		"your role (%s) does not allow answering tickets or giving commands"},
	SecReplayedToken: {"адрес ответа обращения #%d использован в письме об обращении #%d",
		"the reply address of ticket #%d was used in mail about ticket #%d"},
	SecRevokedToken: {"этот адрес ответа отозван администратором (otvet staff revoke). Отвечайте на уведомления об обращении #%d, полученные после отзыва",
		"this reply address was revoked by the administrator (otvet staff revoke). Reply to notifications about ticket #%d received after the revocation"},
	SecAuthFailed: {"нет подтверждения DKIM/DMARC для домена отправителя от доверенного сервера",
		"no DKIM/DMARC pass for the sender's domain from the trusted server"},
	SecAgentNoToken: {"письмо от адреса сотрудника без его подписанного адреса ответа",
		"mail from an agent's address without that agent's signed reply address"},

	ParseUnknownCmd:   {"неизвестная команда #%s", "unknown command #%s"},
	ParseNoteNeedText: {"после #note нужен текст заметки", "#note needs the note text after it"},
	ParseArgument:     {"#%s: %s", "#%s: %s"},
	ParseOneState: {"в одном ответе можно только одно изменение состояния; оно уже есть в строке %d",
		"only one change of state per reply; line %d already has one"},
	ParseOneOwner: {"в одном ответе можно только одну из команд #assign и #take; она уже есть в строке %d",
		"only one of #assign and #take per reply; line %d already has one"},
	ParseRepeated: {"#%s уже указана в строке %d", "#%s is already given on line %d"},
	ParseTooMany:  {"слишком много ошибок; остальные не показаны", "too many errors; the rest are not shown"},

	ArgNeedReason:    {"нужна причина: %s", "a reason is needed: %s"},
	ArgUnknownReason: {"неизвестная причина «%s»; укажите одну из: %s", "unknown reason %q; use one of: %s"},
	ArgNeedEmail:     {"нужен адрес электронной почты сотрудника", "an email address is needed"},
	ArgNotEmail:      {"«%s» — не адрес электронной почты", "%q is not an email address"},
	ArgNeedLevel:     {"нужен уровень поддержки", "a support level is needed"},
	ArgNotLevel:      {"«%s» — не название уровня поддержки", "%q is not a support level name"},
	ArgNeedPriority:  {"нужен приоритет: низкий, обычный, высокий или инцидент", "a priority is needed: low, normal, high or incident"},
	ArgNeedDate:      {"нужна дата: 09.01.2025, 2025-01-09, сегодня, завтра или послезавтра", "a date is needed: 2025-01-09, 09.01.2025, today or tomorrow"},
	ArgNotDate: {"«%s» — не дата; напишите 09.01.2025, 2025-01-09, сегодня, завтра или послезавтра",
		"%q is not a date; write 2025-01-09, 09.01.2025, today or tomorrow"},
	ArgNeedTicket: {"нужен номер обращения, с которым объединить (#123 или 123)", "the number of the ticket to merge into is needed (#123 or 123)"},

	ArgNeedContractor:       {"нужно имя подрядчика (otvet contractor list)", "a contractor's name is needed (otvet contractor list)"},
	ParseContractorNeedText: {"после #ответ-подрядчику нужен текст для подрядчика", "#reply-contractor needs the text for the contractor after it"},
	CmdNoSuchContractor:     {"нет подрядчика «%s» (otvet contractor list)", "no contractor %q (otvet contractor list)"},
	CmdEscalated: {"обращение передано подрядчику %s (%s); ответ ожидается до %s; пользователю отправлено уведомление",
		"passed to contractor %s (%s); an answer is expected by %s; the requester was told"},
	CmdAlreadyWithContractor: {"обращение уже передано подрядчику %s; напишите ему #ответ-подрядчику", "the ticket is already with contractor %s; write to it with #reply-contractor"},
	CmdNotWithContractor:     {"обращение не передано подрядчику%s", "the ticket is not with a contractor%s"},
	CmdContractorMessageSent: {"сообщение отправлено подрядчику %s", "the message was sent to contractor %s"},
	CmdRecalled:              {"обращение отозвано у подрядчика %s", "the ticket was recalled from contractor %s"},
	CmdContractorClosed:      {"обращение закрыто: сначала откройте его (#открыть)", "the ticket is closed: reopen it first (#reopen)"},
	SecContractorForged: {"письмо на адрес ответа подрядчика %s отправлено не с его адреса (%s)",
		"mail to the reply address of contractor %s was not sent from its addresses (%s)"},
	ArgNeedArticle:     {"нужен номер статьи базы знаний (#статья 12)", "the number of a knowledge-base article is needed (#article 12)"},
	CmdArticleSent:     {"пользователю отправлена статья #%d «%s»", "article #%d “%s” sent to the customer"},
	CmdNoArticle:       {"в базе знаний нет статьи #%d; ответ не отправлен", "the knowledge base has no article #%d; nothing was sent"},
	CmdArticleInternal: {"статья #%d внутренняя, пользователям её не отправляют; ответ не отправлен", "article #%d is internal and is not sent to customers; nothing was sent"},
	CmdCannedInserted:  {"вставлен шаблон ответа «%s»", "canned answer “%s” inserted"},
	CmdNoCanned:        {"нет шаблона ответа «%s»; ответ не отправлен. Есть: %s", "no canned answer “%s”; nothing was sent. There are: %s"},
	CmdCannedList:      {"шаблоны ответов (#шаблон ИМЯ): %s", "canned answers (#canned NAME): %s"},
	CmdCannedNone:      {"шаблонов ответов пока нет", "there are no canned answers yet"},
	KBArticleLink:      {"Статья целиком: %s", "The whole article: %s"},
}
