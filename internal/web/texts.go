package web

import "fmt"

// texts are the console's words, Russian and English (the pages' own
// catalogue; results of actions come from internal/mailout's).
var texts = map[string][2]string{
	"console":          {"Веб-консоль", "Web console"},
	"queue":            {"Очередь", "Queue"},
	"plan":             {"Выезды", "Visits"},
	"dashboard":        {"Сводка", "Dashboard"},
	"maintenance":      {"Плановые работы", "Maintenance"},
	"registrations":    {"Заявки на подключение", "Registrations"},
	"directory":        {"Справочник", "Directory"},
	"signout":          {"Выйти", "Sign out"},
	"signin":           {"Вход", "Sign in"},
	"signin.intro":     {"Введите свой рабочий адрес: на него придёт одноразовая ссылка для входа.", "Enter your work address: a one-time sign-in link will be mailed to it."},
	"signin.address":   {"Адрес электронной почты", "E-mail address"},
	"signin.send":      {"Прислать ссылку", "Send the link"},
	"signin.sent":      {"Если этот адрес принадлежит сотруднику поддержки, на него отправлена ссылка для входа. Она действует %d мин. и открывает вход один раз.", "If the address belongs to a member of the support staff, a sign-in link has been sent to it. It is valid for %d min. and signs in once."},
	"signin.confirm":   {"Нажмите кнопку, чтобы войти в веб-консоль.", "Press the button to sign in to the web console."},
	"signin.go":        {"Войти", "Sign in"},
	"signin.bad":       {"Ссылка недействительна: она уже использована или истекла. Запросите новую.", "The link is not valid: it was used already or has expired. Ask for a new one."},
	"signin.again":     {"Запросить ссылку", "Ask for a link"},
	"csrf":             {"Форма устарела: обновите страницу и повторите.", "The form has expired: reload the page and try again."},
	"notfound":         {"Не найдено.", "Not found."},
	"error":            {"Внутренняя ошибка. Подробности в журнале сервера.", "Internal error. The server's log has the details."},
	"filter":           {"Показать", "Show"},
	"search":           {"Поиск", "Search"},
	"status":           {"Статус", "Status"},
	"status.active":    {"все незакрытые", "all not closed"},
	"status.all":       {"все", "all"},
	"assignee":         {"Исполнитель", "Assignee"},
	"anyone":           {"любой", "anyone"},
	"unassigned":       {"не назначен", "unassigned"},
	"organisation":     {"Организация", "Organisation"},
	"any":              {"любая", "any"},
	"subject":          {"Тема", "Subject"},
	"requester":        {"Заявитель", "Requester"},
	"due":              {"Срок", "Due"},
	"created":          {"Создано", "Created"},
	"none":             {"нет", "none"},
	"empty":            {"Ничего нет.", "Nothing here."},
	"level":            {"Уровень", "Level"},
	"priority":         {"Приоритет", "Priority"},
	"desk":             {"Служба", "Desk"},
	"reason":           {"Причина", "Reason"},
	"clocks":           {"Сроки (SLA)", "SLA clocks"},
	"clock.first":      {"Первый ответ", "First response"},
	"clock.resolution": {"Решение", "Resolution"},
	"clock.left":       {"осталось %s рабочего времени", "%s of business time left"},
	"clock.over":       {"просрочено на %s рабочего времени", "%s of business time overdue"},
	"clock.stopped":    {"остановлен", "stopped"},
	"clock.paused":     {"на паузе", "paused"},
	"clock.due":        {"срок %s", "due %s"},
	"participants":     {"Участники", "Participants"},
	"messages":         {"Переписка", "Messages"},
	"events":           {"События", "Events"},
	"dir.in":           {"входящее", "in"},
	"dir.out":          {"исходящее", "out"},
	"dir.note":         {"заметка", "note"},
	"download":         {"скачать", "download"},
	"dropped":          {"не сохранён", "not kept"},
	"risky":            {"ОСТОРОЖНО", "CAUTION"},
	"reply":            {"Ответить пользователю", "Reply to the customer"},
	"reply.hint":       {"Строки #команд в начале выполняются, как в письме (#wait, #resolve …).", "#command lines at the top act as in mail (#wait, #resolve …)."},
	"files":            {"Файлы", "Files"},
	"send":             {"Отправить", "Send"},
	"note":             {"Внутренняя заметка", "Internal note"},
	"note.save":        {"Сохранить заметку", "Save the note"},
	"action":           {"Действие", "Action"},
	"action.arg":       {"Параметр (адрес, уровень, дата, причина, номер)", "Argument (address, level, date, reason, number)"},
	"action.text":      {"Текст (необязательно)", "Text (optional)"},
	"action.do":        {"Выполнить", "Do it"},
	"results":          {"Результат", "Result"},
	"delivered":        {"Текст ответа отправлен пользователю.", "The reply was sent to the customer."},
	"readonly":         {"Действия доступны агентам и старшим; у вас роль %s.", "Actions are for agents and leads; your role is %s."},
	"date":             {"Дата", "Date"},
	"period":           {"Период", "Period"},
	"period.day":       {"сегодня", "today"},
	"period.week":      {"7 дней", "7 days"},
	"period.month":     {"месяц", "month"},
	"received":         {"Поступило", "Received"},
	"resolved":         {"Решено", "Resolved"},
	"open_at_end":      {"Открыто сейчас", "Open now"},
	"compliance":       {"Соблюдение сроков", "Compliance"},
	"breaches":         {"Нарушения сроков", "Breaches"},
	"at_risk":          {"Под угрозой", "At risk"},
	"agents":           {"Нагрузка", "Workload"},
	"open":             {"Открыто", "Open"},
	"system":           {"Система", "System"},
	"from":             {"С", "From"},
	"to":               {"По", "To"},
	"state":            {"Состояние", "State"},
	"decided_by":       {"Решил", "Decided by"},
	"users":            {"Пользователи", "Users"},
	"staff":            {"Сотрудники", "Staff"},
	"role":             {"Роль", "Role"},
	"phone":            {"Телефон", "Phone"},
	"name":             {"Имя", "Name"},
	"inn":              {"ИНН", "INN"},
	"domains":          {"Домены", "Domains"},
	"blocked":          {"заблокирована", "blocked"},
	"ticket":           {"Обращение", "Ticket"},
	"language":         {"English", "Русский"},
}

// tr is a text in lang ("ru" unless "en"), formatted with args.
func tr(lang, key string, args ...any) string {
	t, ok := texts[key]
	if !ok {
		return key
	}
	s := t[0]
	if lang == "en" {
		s = t[1]
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}
