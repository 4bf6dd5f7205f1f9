package staffcmd

import "strings"

// Name is a canonical command name.
type Name string

// The commands. See docs/replies.md for what each one does.
const (
	Note     Name = "note"
	Wait     Name = "wait"
	Defer    Name = "defer"
	Reject   Name = "reject"
	Resolve  Name = "resolve"
	Close    Name = "close"
	Reopen   Name = "reopen"
	Assign   Name = "assign"
	Take     Name = "take"
	Level    Name = "level"
	Priority Name = "priority"
	Plan     Name = "plan"
	Merge    Name = "merge"
	// Approve accepts a connection request (a registration ticket).
	Approve Name = "approve"
	// SendFiles lets the risky files of the reply (programs, macro
	// documents, archives holding them) go to the customer; without it
	// they are held back.
	SendFiles Name = "send-files"
	// Article sends a knowledge-base article to the customer as the answer
	// (#статья N); Canned inserts a canned answer (#шаблон NAME), or lists
	// them without a name (docs/kb.md).
	Article Name = "article"
	Canned  Name = "canned"
	// System sets the ticket's information system (МИС, СЭД, 1С …); "-" clears it.
	System Name = "system"
	// Queue asks for the agent's queue: their tickets by due time, then the
	// unassigned ones.
	Queue Name = "queue"
	// Search asks for the tickets matching the words (docs/search.md).
	Search Name = "search"
	// Morning switches the agent's own morning mail: #утро вкл|выкл,
	// #morning on|off (docs/digest.md); Args[0] is "on" or "off".
	Morning Name = "morning"
	// Escalate passes the ticket to a contractor (§4.7): #escalate NAME
	// [--tell-answer] [text]; the text and the lines below go to the
	// contractor, never to the customer.
	Escalate Name = "escalate"
	// ReplyContractor writes to the contractor the ticket is with: the text
	// and the lines below go to the contractor, never to the customer.
	ReplyContractor Name = "reply-contractor"
	// Recall ends the ticket's involvement of a contractor: #recall [NAME].
	Recall Name = "recall"
)

// ChangesState reports whether the command moves the ticket to another
// state; a reply may hold only one such command.
func (n Name) ChangesState() bool {
	switch n {
	case Wait, Defer, Reject, Resolve, Close, Reopen, Plan, Merge, Approve:
		return true
	}
	return false
}

// group names the commands that may not appear together: one state change,
// one owner; any other command at most once.
func (n Name) group() string {
	switch {
	case n.ChangesState():
		return "state"
	case n == Assign || n == Take:
		return "owner"
	}
	return string(n)
}

// lookupCommand finds the command spelled w (folded: lower case, ё as е).
func lookupCommand(w string) (Name, bool) {
	switch w {
	case "note", "заметка", "примечание":
		return Note, true
	case "wait", "ждать", "запрос", "уточнить":
		return Wait, true
	case "defer", "отложить":
		return Defer, true
	case "reject", "отклонить", "отказать":
		return Reject, true
	case "resolve", "решено", "решить", "выполнено":
		return Resolve, true
	case "close", "закрыть":
		return Close, true
	case "reopen", "открыть", "переоткрыть":
		return Reopen, true
	case "assign", "назначить":
		return Assign, true
	case "take", "взять", "беру":
		return Take, true
	case "level", "уровень":
		return Level, true
	case "priority", "приоритет":
		return Priority, true
	case "plan", "план", "запланировать":
		return Plan, true
	case "merge", "объединить":
		return Merge, true
	case "approve", "одобрить", "утвердить", "подключить":
		return Approve, true
	case "escalate", "передать", "подрядчику":
		return Escalate, true
	case "reply-contractor", "reply_contractor", "ответ-подрядчику", "ответ_подрядчику":
		return ReplyContractor, true
	case "recall", "отозвать":
		return Recall, true
	case "system", "система", "ис":
		return System, true
	case "queue", "очередь":
		return Queue, true
	case "search", "поиск", "найти":
		return Search, true
	case "morning", "утро":
		return Morning, true
	case "article", "статья", "инструкция":
		return Article, true
	case "canned", "шаблон", "шаблоны":
		return Canned, true
	case "send-files", "send_files", "sendfiles", "отправить-файлы", "отправить_файлы", "отправить-файл", "отправить_файл":
		return SendFiles, true
	}
	return "", false
}

// Reason codes (docs/architecture.md), shared with the rules and the templates.
const (
	ReasonUnidentified     = "unidentified"
	ReasonUnclear          = "unclear"
	ReasonInsufficientInfo = "insufficient_info"
	ReasonOffensive        = "offensive"
	ReasonLicense          = "license_violation"
	ReasonOutOfScope       = "out_of_scope"
	ReasonExternalCause    = "external_cause"
	ReasonMaintenance      = "maintenance"
	ReasonBlocked          = "blocked"
)

// Reasons lists the reason codes in the order of the regulations.
func Reasons() []string {
	return []string{
		ReasonUnidentified, ReasonUnclear, ReasonInsufficientInfo, ReasonOffensive, ReasonLicense,
		ReasonOutOfScope, ReasonExternalCause, ReasonMaintenance, ReasonBlocked,
	}
}

// lookupReason finds the reason code spelled w (folded, '-' written '_').
// Every code is also its own alias.
func lookupReason(w string) (string, bool) {
	switch w {
	case ReasonUnidentified, "неопознан", "аноним", "не_идентифицирован":
		return ReasonUnidentified, true
	case ReasonUnclear, "неясно", "непонятно":
		return ReasonUnclear, true
	case ReasonInsufficientInfo, "недостаточно", "мало_данных", "нет_данных":
		return ReasonInsufficientInfo, true
	case ReasonOffensive, "оскорбление", "нецензурно":
		return ReasonOffensive, true
	case ReasonLicense, "лицензия", "нарушение_лицензии":
		return ReasonLicense, true
	case ReasonOutOfScope, "некомпетенция", "вне_компетенции":
		return ReasonOutOfScope, true
	case ReasonExternalCause, "внешняя_причина", "не_зависит":
		return ReasonExternalCause, true
	case ReasonMaintenance, "обслуживание", "профилактика", "тех_работы":
		return ReasonMaintenance, true
	case ReasonBlocked, "заблокировано", "блокировка":
		return ReasonBlocked, true
	}
	return "", false
}

// Priorities, with their accepted spellings.
const (
	PriorityLow      = "low"
	PriorityNormal   = "normal"
	PriorityHigh     = "high"
	PriorityIncident = "incident"
)

// lookupPriority finds the priority spelled w (folded).
func lookupPriority(w string) (string, bool) {
	switch w {
	case PriorityLow, "низкий":
		return PriorityLow, true
	case PriorityNormal, "обычный", "нормальный", "средний":
		return PriorityNormal, true
	case PriorityHigh, "высокий", "срочно":
		return PriorityHigh, true
	case PriorityIncident, "инцидент", "авария":
		return PriorityIncident, true
	}
	return "", false
}

// levelAlias translates the Russian names of the default support levels;
// any other name is returned as it is, for the lead to check against the
// configured levels.
func levelAlias(w string) string {
	switch w {
	case "базовый":
		return "basic"
	case "стандартный":
		return "standard"
	case "приоритетный":
		return "priority"
	}
	return w
}

// fold lower-cases s and writes ё as е, the way aliases are stored.
func fold(s string) string {
	return strings.ReplaceAll(strings.ToLower(s), "ё", "е")
}
