package regform

import (
	"strings"
	"unicode"
)

// kind is what a column holds.
type kind int

const (
	kEmpty kind = iota
	kUnknown
	kNum
	kAction
	kFullName
	kSurname
	kFirstName
	kPatronymic
	kPosition
	kDepartment
	kSystems
	kRights
	kPhone
	kEmail
	kContacts
	kNote
	kAccount
	kKeyChannel
)

// normHeading lower-cases s, folds ё to е and turns everything but letters,
// digits and "№" into single spaces: "Ф.И.О." -> "ф и о", "E-mail" -> "e mail".
func normHeading(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case r == 'ё' || r == 'Ё':
			r = 'е'
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '№':
			r = unicode.ToLower(r)
		default:
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// classify tells which column a heading names. Headings are matched by word
// prefixes, so inflections and abbreviations («Наименование ИС»,
// «Перечень информационных систем», «Контактный телефон») are recognised.
func classify(heading string) kind {
	if len(heading) > 300 || strings.Contains(heading, "@") {
		return kUnknown
	}
	n := normHeading(heading)
	if n == "" {
		return kEmpty
	}
	w := strings.Fields(n)
	if len(w) > 16 {
		return kUnknown
	}
	pre := func(prefixes ...string) bool {
		for _, x := range w {
			for _, p := range prefixes {
				if strings.HasPrefix(x, p) {
					return true
				}
			}
		}
		return false
	}
	word := func(words ...string) bool {
		for _, x := range w {
			for _, p := range words {
				if x == p {
					return true
				}
			}
		}
		return false
	}
	email := strings.Contains(n, "e mail") || strings.Contains(n, "е mail") || pre("email", "mail", "е-mail", "почт", "электронн")
	phone := pre("телефон", "мобильн", "сотов") || word("тел", "моб", "phone")
	switch {
	case strings.HasPrefix(n, "№") && !phone, n == "n" || n == "no" || n == "nn" || n == "n п п" || n == "п п",
		n == "номер" || n == "номер п п" || n == "порядковый номер" || n == "#":
		return kNum
	case pre("действи", "изменени", "операци") || strings.Contains(n, "добавить удалить"):
		return kAction
	case pre("ключ") && pre("передач", "способ", "канал", "выдач"):
		return kKeyChannel
	case pre("учетн") && pre("запис") || word("логин", "login", "аккаунт"):
		return kAccount
	case email && phone, pre("контакт", "связ") && !email && !phone:
		return kContacts
	case email:
		return kEmail
	case phone:
		return kPhone
	case word("фио", "ф и о") || strings.Contains(n, "ф и о") || (pre("фамили") && (pre("им", "инициал") || word("и"))):
		return kFullName
	case pre("фамили"):
		return kSurname
	case word("имя"):
		return kFirstName
	case pre("отчеств"):
		return kPatronymic
	case pre("должност"):
		return kPosition
	case pre("подразделени", "отдел", "управлени", "структурн", "служб"):
		return kDepartment
	case pre("сотрудник", "работник", "пользовател", "специалист") && len(w) <= 3:
		return kFullName
	case pre("прав", "рол", "полномочи") || strings.Contains(n, "уровень доступа"):
		return kRights
	case pre("систем", "подсистем", "ресурс", "сервис", "программ", "модул", "функционал") ||
		word("ис", "аис", "гис", "мис", "сэд", "по") || strings.Contains(n, "перечень данн"):
		return kSystems
	case pre("доступ"):
		return kRights
	case pre("примечани", "комментари", "основани"):
		return kNote
	}
	return kUnknown
}
