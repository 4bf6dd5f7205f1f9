package regform

import (
	"fmt"
	"strings"
)

// addRow turns a data row into a Person, or continues the previous person
// when the row only adds systems or rights (a merged name cell, or a second
// line of a long list split into its own row).
func (r *tableReader) addRow(row []cell, defaultAction, department string, used []bool) {
	vals := map[kind][]string{}
	for j, c := range row {
		if j >= len(r.kinds) || c.span {
			continue
		}
		t := strings.TrimSpace(c.text)
		if len(t) > maxCellLen {
			t = truncate(t, maxCellLen)
		}
		if strings.TrimFunc(t, isBlankRune) == "" {
			continue
		}
		used[j] = true
		vals[r.kinds[j]] = append(vals[r.kinds[j]], t)
	}
	p := Person{
		FullName:   collapse(strings.Join(vals[kFullName], " ")),
		Position:   collapse(strings.Join(vals[kPosition], ", ")),
		Department: collapse(strings.Join(vals[kDepartment], ", ")),
		Systems:    listJoin(vals[kSystems]),
		Rights:     listJoin(vals[kRights]),
		Account:    collapse(strings.Join(vals[kAccount], " ")),
		KeyChannel: collapse(strings.Join(vals[kKeyChannel], " ")),
	}
	if p.FullName == "" {
		p.FullName = collapse(strings.Join(append(append(vals[kSurname], vals[kFirstName]...), vals[kPatronymic]...), " "))
	}
	if p.Department == "" {
		p.Department = department
	}
	contacts := append(append(append([]string{}, vals[kEmail]...), vals[kContacts]...), vals[kPhone]...)
	good, bad := extractEmails(strings.Join(contacts, " "))
	if len(good) > 0 {
		p.Email = good[0]
	}
	var phones []string
	for _, s := range append(append([]string{}, vals[kPhone]...), vals[kContacts]...) {
		if ph := phoneFrom(s); ph != "" {
			phones = append(phones, ph)
		}
	}
	p.Phone = strings.Join(phones, ", ")

	var actionProblem string
	switch a := strings.Join(vals[kAction], " "); {
	case a != "":
		p.Action = actionOf(a)
		if p.Action == "" {
			actionProblem = fmt.Sprintf("непонятное действие «%s», принято «добавить»", collapse(a))
		}
	case hasRemoveWord(append(append(append([]string{}, vals[kNote]...), vals[kRights]...), vals[kSystems]...)):
		p.Action = ActionRemove
	case len(vals[kNote]) > 0 && actionOf(strings.Join(vals[kNote], " ")) == ActionUpdate:
		p.Action = ActionUpdate
	default:
		p.Action = defaultAction
	}
	if p.Action == "" {
		p.Action = ActionAdd
	}

	if p == (Person{Action: p.Action, Department: department}) && len(vals[kDepartment]) == 0 && len(bad) == 0 {
		return // nothing of a person (words in the number column, a note alone)
	}
	if n := len(r.people); n > 0 && (p.Systems != "" || p.Rights != "") {
		prev := &r.people[n-1]
		cont := p.FullName == "" && p.Email == "" && p.Phone == "" && p.Position == "" && len(bad) == 0
		same := p.FullName != "" && p.FullName == prev.FullName && p.Email == prev.Email && p.Action == prev.Action
		if cont || same {
			prev.Systems = appendList(prev.Systems, p.Systems)
			prev.Rights = appendList(prev.Rights, p.Rights)
			return
		}
	}
	idx := len(r.people)
	r.people = append(r.people, p)
	label := func() string { return rowLabel(r.base+idx+1, p.FullName) }
	if actionProblem != "" {
		r.problems = append(r.problems, label()+": "+actionProblem)
	}
	for _, b := range bad {
		r.problems = append(r.problems, fmt.Sprintf("%s: некорректный адрес электронной почты «%s»", label(), b))
	}
	if len(good) > 1 {
		r.problems = append(r.problems, fmt.Sprintf("%s: указано несколько адресов электронной почты, взят первый (%s)", label(), good[0]))
	}
}

func rowLabel(row int, name string) string {
	if name == "" {
		return fmt.Sprintf("строка %d", row)
	}
	return fmt.Sprintf("строка %d (%s)", row, name)
}

// personProblems checks the people of a whole request: missing names and
// e-mails, the same address twice.
func personProblems(people []Person, already []string) []string {
	var out []string
	seen := map[string]int{}
	for _, p := range people {
		label := rowLabel(p.Row, p.FullName)
		if p.FullName == "" {
			out = append(out, label+": не указаны ФИО")
		}
		if p.Email == "" && p.Action != ActionRemove && !mentions(already, label+": некорректный") {
			out = append(out, label+": не указан адрес электронной почты")
		}
		if p.Email == "" {
			continue
		}
		key := strings.ToLower(p.Email) + "/" + p.Action
		if first, ok := seen[key]; ok {
			out = append(out, fmt.Sprintf("адрес %s указан дважды: в строках %d и %d", p.Email, first, p.Row))
			continue
		}
		seen[key] = p.Row
	}
	return out
}

func mentions(list []string, prefix string) bool {
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}

// actionOf reads an «Действие» cell: «добавить», «исключить», «изменить
// права», «+», «−»… "" when not understood.
func actionOf(s string) string {
	t := strings.TrimSpace(strings.ToLower(s))
	switch t {
	case "+":
		return ActionAdd
	case "-", "−", "–", "—":
		return ActionRemove
	}
	n := normHeading(t)
	for _, w := range strings.Fields(n) {
		for _, p := range []string{"исключ", "удал", "отключ", "заблокир", "блокир", "уволен", "уволь", "прекрат", "аннулир", "отозва", "отзыв", "лишить", "delete", "remove"} {
			if strings.HasPrefix(w, p) {
				return ActionRemove
			}
		}
	}
	for _, w := range strings.Fields(n) {
		for _, p := range []string{"измен", "замен", "обнов", "редакт", "перевод", "перевест", "переимен", "смен", "расшир", "update", "change"} {
			if strings.HasPrefix(w, p) {
				return ActionUpdate
			}
		}
	}
	for _, w := range strings.Fields(n) {
		for _, p := range []string{"добав", "нов", "подключ", "предостав", "созд", "регистр", "открыт", "включ", "выда", "add"} {
			if strings.HasPrefix(w, p) {
				return ActionAdd
			}
		}
	}
	return ""
}

// hasRemoveWord: a note or rights cell says the person is to be removed
// («исключить», «удалить», «уволен»). Whole words only: «удалённый доступ»
// is not a removal.
func hasRemoveWord(cells []string) bool {
	for _, c := range cells {
		for _, w := range strings.Fields(normHeading(c)) {
			switch w {
			case "удалить", "исключить", "отключить", "заблокировать", "уволен", "уволена", "уволился", "уволилась",
				"аннулировать", "исключен", "исключена", "удален", "удалена", "отключен", "отключена":
				return true
			}
		}
	}
	return false
}

// intent reads the line before a table or a section row: «Прошу
// исключить:» makes the rows below removals.
func intent(line string) string {
	n := normHeading(line)
	if n == "" {
		return ""
	}
	for _, w := range strings.Fields(n) {
		for _, p := range []string{"исключ", "удалить", "отключить", "заблокир", "аннулир", "лишить", "уволен"} {
			if strings.HasPrefix(w, p) {
				return ActionRemove
			}
		}
	}
	for _, w := range strings.Fields(n) {
		for _, p := range []string{"изменить", "изменени", "замен"} {
			if strings.HasPrefix(w, p) {
				return ActionUpdate
			}
		}
	}
	for _, w := range strings.Fields(n) {
		for _, p := range []string{"подключ", "предостав", "добав", "зарегистр", "создать", "обеспечить"} {
			if strings.HasPrefix(w, p) {
				return ActionAdd
			}
		}
	}
	return ""
}

// collapse trims s and turns every run of white space (line breaks and
// no-break spaces included) into one space.
func collapse(s string) string {
	return strings.Join(strings.Fields(strings.Map(invisible, s)), " ")
}

// invisible drops zero-width characters and soft hyphens Word leaves in text.
func invisible(r rune) rune {
	switch r {
	case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad':
		return -1
	}
	return r
}

// listJoin joins the lines of list cells (one system per paragraph) with
// "; ".
func listJoin(cells []string) string {
	var items []string
	for _, c := range cells {
		for _, line := range strings.Split(c, "\n") {
			line = collapse(line)
			line = strings.TrimLeft(line, "-•·● ")
			line = strings.TrimRight(line, ";, ")
			if line != "" {
				items = append(items, line)
			}
		}
	}
	return strings.Join(items, "; ")
}

func appendList(a, b string) string {
	switch {
	case b == "" || a == b:
		return a
	case a == "":
		return b
	}
	return a + "; " + b
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
