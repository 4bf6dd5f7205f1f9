package mailout

import (
	"fmt"
	"strings"
	"unicode"
)

// Kinds of code Word puts into words. A code of kind K is the catalogue key
// "K.code" (e.g. "level.standard", "missing.screenshot").
const (
	// WordLevel: support levels (basic, standard, priority; an operator's
	// own level without words stays its name).
	WordLevel = "level"
	// WordPriority: low, normal, high, incident.
	WordPriority = "priority"
	// WordStatus: a ticket's state (open, waiting, deferred, …); the
	// catalogue's status.* texts.
	WordStatus = "status"
	// WordMissing: what a request lacks, in the form that follows «укажите»,
	// «добавьте», «запросить» (the accusative): full_name, organisation,
	// phone, position, question, steps, screenshot, contacts, org_domain,
	// authority_document.
	WordMissing = "missing"
	// WordReason: why a ticket was deferred or rejected, in the regulation's
	// words (for the customer).
	WordReason = "reason"
	// WordReasonShort: the same reasons in a few words (digests).
	WordReasonShort = "reason_short"
	// WordScope: out-of-scope categories (legislation, third_parties, user_duties).
	WordScope = "scope"
	// WordChannel: how a request came (email, phone, web).
	WordChannel = "channel"
	// WordMetric: first_response, resolution.
	WordMetric = "metric"
	// WordEvent: refused staff commands and security events (digests).
	WordEvent = "event"
	// WordDrop: why an attachment was not accepted (DroppedFile.Reason).
	WordDrop = "drop"
)

// Word is the word for code of kind (Word* above) in lang: Word("ru",
// WordLevel, "standard") is «стандартный». A code the catalogue has no
// words for is returned as it is: an operator's own support level, or a
// text that is already words. The empty code is "".
func Word(lang, kind, code string) string {
	if code == "" {
		return ""
	}
	if s, ok := Lookup(lang, Key(kind+"."+code)); ok {
		return s
	}
	return code
}

// Words is Word for every code, joined with sep.
func Words(lang, kind string, codes []string, sep string) string {
	out := make([]string, 0, len(codes))
	for _, c := range codes {
		if w := Word(lang, kind, c); w != "" {
			out = append(out, w)
		}
	}
	return strings.Join(out, sep)
}

// pluralForm is the template function plural: {{plural .N "рабочий день"
// "рабочих дня" "рабочих дней"}} is the form of the word that goes with N
// (one, few, many; English templates give one and many). N may be any
// integer.
func pluralForm(lang string) func(n any, forms ...string) (string, error) {
	return func(n any, forms ...string) (string, error) {
		v, err := toInt64(n)
		if err != nil {
			return "", err
		}
		switch len(forms) {
		case 3:
			return Plural(lang, v, forms[0], forms[1], forms[2]), nil
		case 2:
			return Plural(lang, v, forms[0], forms[1], forms[1]), nil
		case 1:
			return forms[0], nil
		}
		return "", fmt.Errorf("plural: want one, few and many forms, got %d", len(forms))
	}
}

func toInt64(n any) (int64, error) {
	switch v := n.(type) {
	case int:
		return int64(v), nil
	case int64:
		return v, nil
	case int32:
		return int64(v), nil
	case uint:
		return int64(v), nil
	case uint64:
		return int64(v), nil
	case uint32:
		return int64(v), nil
	}
	return 0, fmt.Errorf("plural: %T is not an integer", n)
}

// wordTexts are the words of codes (see Word): data, never written to. Text
// and Lookup find them as they find the catalogue's texts.
var wordTexts = map[Key]texts{
	"level.basic":    {"базовый", "basic"},
	"level.standard": {"стандартный", "standard"},
	"level.priority": {"приоритетный", "priority"},
	"level.incident": {"инцидент ИБ", "security incident"},

	"priority.low":      {"низкий", "low"},
	"priority.normal":   {"обычный", "normal"},
	"priority.high":     {"высокий", "high"},
	"priority.incident": {"инцидент", "incident"},

	"missing.full_name":          {"фамилию, имя и отчество", "your full name"},
	"missing.organisation":       {"наименование организации", "the name of your organisation"},
	"missing.phone":              {"контактный телефон", "a contact phone number"},
	"missing.position":           {"должность", "your position"},
	"missing.question":           {"чёткую формулировку вопроса", "a clearly stated question"},
	"missing.steps":              {"описание последовательности действий", "the steps you took"},
	"missing.screenshot":         {"скриншот ошибки", "a screenshot of the error"},
	"missing.contacts":           {"контактный телефон", "a contact phone number"},
	"missing.org_domain":         {"ответ с рабочего адреса электронной почты организации", "a reply from the organisation's work e-mail address"},
	"missing.authority_document": {"документ, подтверждающий полномочия подписавшего заявку", "the document confirming the signatory's authority"},

	"reason.unidentified":      {"не предоставлена информация, идентифицирующая пользователя", "the user has not been identified"},
	"reason.unclear":           {"вопрос сформулирован некорректно или не удаётся понять смысл обращения", "the question is unclear"},
	"reason.insufficient_info": {"не предоставлено достаточно информации для решения вопроса", "not enough information was given to solve it"},
	"reason.offensive":         {"вопрос содержит нецензурные либо оскорбительные выражения", "the request contains obscene or insulting language"},
	"reason.license_violation": {"вопрос возник в связи с нарушением правил использования лицензии", "the question arose from a breach of the licence terms"},
	"reason.out_of_scope":      {"вопрос не относится к компетенции отдела технической поддержки", "the question is outside the support department's competence"},
	"reason.external_cause":    {"по независящим от исполнителя причинам", "causes outside the support department's control"},
	"reason.maintenance":       {"требуемая информационная система недоступна из-за проводимых работ", "the system needed is unavailable because of maintenance"},
	"reason.blocked":           {"учётная запись заблокирована", "the account is blocked"},

	"reason_short.unidentified":      {"заявитель не идентифицирован", "requester not identified"},
	"reason_short.unclear":           {"суть обращения неясна", "request unclear"},
	"reason_short.insufficient_info": {"недостаточно сведений", "insufficient information"},
	"reason_short.offensive":         {"некорректные выражения", "offensive language"},
	"reason_short.license_violation": {"нарушение лицензии", "licence violation"},
	"reason_short.out_of_scope":      {"вне предмета поддержки", "out of scope"},
	"reason_short.external_cause":    {"внешняя причина", "external cause"},
	"reason_short.maintenance":       {"плановые работы", "maintenance"},
	"reason_short.blocked":           {"блокировка", "blocked"},

	"scope.legislation":   {"разъяснение законодательства", "explaining legislation"},
	"scope.third_parties": {"оценка действий третьих лиц", "judging the actions of third parties"},
	"scope.user_duties":   {"работа за пользователя", "doing the user's own work"},

	"channel.email": {"почта", "e-mail"},
	"channel.phone": {"телефон", "phone"},
	"channel.web":   {"веб-консоль", "web console"},

	"metric.first_response": {"первый ответ", "first response"},
	"metric.resolution":     {"решение", "resolution"},

	"event.command_refused":            {"команда не выполнена", "command refused"},
	"event.security_no_token":          {"нет подписанного адреса ответа", "no signed reply address"},
	"event.security_bad_token":         {"неверный адрес ответа", "invalid reply address"},
	"event.security_wrong_desk":        {"адрес ответа другой службы", "reply address of another desk"},
	"event.security_agent_disabled":    {"учётная запись сотрудника отключена", "staff account disabled"},
	"event.security_forged_sender":     {"чужой адрес ответа", "reply address of another agent"},
	"event.security_not_agent":         {"роль без права отвечать", "role may not answer"},
	"event.security_replayed_token":    {"адрес ответа другого обращения", "reply address of another ticket"},
	"event.security_revoked_token":     {"отозванный адрес ответа", "revoked reply address"},
	"event.security_auth_failed":       {"нет подтверждения DKIM/DMARC", "no DKIM/DMARC pass"},
	"event.security_forged_contractor": {"письмо подрядчику не с его адреса", "contractor mail from a foreign address"},

	"drop.too_large":      {"превышен допустимый размер", "exceeds the size limit"},
	"drop.forbidden_type": {"файлы этого типа не принимаются", "files of this type are not accepted"},
	"drop.too_many":       {"слишком много вложений в одном письме", "too many attachments in one message"},

	"drop.message_too_large": {"не получено: письмо превышает допустимый размер", "not received: the message exceeds the size limit"},
}

// Details is what the identify notice asks the sender to write: Missing
// without org_domain, which is not a detail but a request to write from a
// work address (NeedsWorkAddress).
func (d NoticeData) Details() []string {
	var out []string
	for _, m := range d.Missing {
		if m != missingOrgDomain {
			out = append(out, m)
		}
	}
	return out
}

// NeedsWorkAddress reports whether the sender must write from an address on
// their organisation's domain (Missing holds org_domain).
func (d NoticeData) NeedsWorkAddress() bool {
	for _, m := range d.Missing {
		if m == missingOrgDomain {
			return true
		}
	}
	return false
}

// missingOrgDomain is rules.MissingOrgDomain (mailout does not import rules).
const missingOrgDomain = "org_domain"

// Remarks are the Problems to list under «Обратите внимание»: when
// NeedsAuthority is set the template asks for the authority document in a
// paragraph of its own, so the form reader's problems about that document
// are left out rather than said twice.
func (d RegistrationData) Remarks() []string {
	if !d.NeedsAuthority {
		return d.Problems
	}
	var out []string
	for _, p := range d.Problems {
		if !strings.Contains(strings.ToLower(p), "полномочи") {
			out = append(out, p)
		}
	}
	return out
}

// sentence is the template function that makes a free text written by
// staff (a maintenance note) a sentence: first letter capital, a full stop
// at the end unless it ends with one of .!?…
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	if !strings.ContainsRune(".!?…", r[len(r)-1]) {
		r = append(r, '.')
	}
	return string(r)
}
