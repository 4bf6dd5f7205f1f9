package rules

import (
	"math/bits"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ExtractIdentity reads what a message body says about its sender: labelled
// form lines ("ФИО: …", "Организация: …", "Телефон: …", "Должность: …")
// anywhere in the sender's own text, then the signature (the lines after the
// last sign-off such as «С уважением», or the last six lines). Quoted and
// forwarded material is ignored. A full name is a surname with initials
// («Петров С. А.», «С.А. Петров») or surname, first name and patronymic in
// either order; a bare «Мария Иванова» is not a full name. English details
// are read too: "Name:", "Full name:", "Organisation:", "Company:",
// "Phone:", "Position:" lines, where a Latin first name and surname («John
// Smith») is a full name, and a signature after an English sign-off.
func ExtractIdentity(text string) Identity {
	return extractIdentity(splitBody(text).own)
}

// extractIdentity reads the identity from the sender's own text.
func extractIdentity(own string) Identity {
	lines := nonEmptyLines(own)
	var id Identity
	labelled(lines, &id)
	region, signed := signatureRegion(lines)
	fromSignature(region, signed, &id)
	if id.Phone == "" {
		for _, l := range lines {
			if ps := findPhones(l); len(ps) > 0 {
				id.Phone = trimPhone(l[ps[0].start:ps[0].end])
				break
			}
		}
	}
	if id.FullName == "" {
		// A full name with a nominative patronymic anywhere in the text
		// ("Меня зовут Иванова Мария Петровна"): strong enough on its own.
		for _, l := range lines {
			if n := findName(l, false, true); n != "" {
				id.FullName = n
				break
			}
		}
	}
	return id
}

func nonEmptyLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// Labels of form lines, longest first within each group.
var (
	nameLabels = []string{"фамилия, имя, отчество", "фамилия имя отчество", "ф. и. о.", "ф.и.о.", "ф.и.о", "фио",
		"контактное лицо", "отправитель", "исполнитель", "ответственный", "сотрудник", "пользователь",
		"full name", "your name", "contact person", "contact name", "name"}
	orgLabels = []string{"наименование организации", "наименование учреждения", "организация/учреждение",
		"организация", "учреждение", "место работы", "предприятие", "компания", "оу",
		"organisation name", "organization name", "company name", "organisation", "organization", "company",
		"institution", "employer"}
	phoneLineLabels = []string{"контактный телефон", "рабочий телефон", "мобильный телефон", "телефон", "конт. тел",
		"раб. тел", "моб. тел", "мобильный", "сотовый", "моб", "тел", "phone number", "telephone", "phone",
		"mobile", "cell", "tel", "т"}
	positionLabels = []string{"должность", "position", "job title"}
	// English name parts on separate lines.
	firstNameLabels = []string{"first name", "given name"}
	lastNameLabels  = []string{"last name", "surname", "family name"}
)

// The label lists as prefix sets.
var (
	nameLabelsSet, firstNameLabelsSet, lastNameLabelsSet = newPrefixSet(nameLabels), newPrefixSet(firstNameLabels), newPrefixSet(lastNameLabels)
	orgLabelsSet, positionLabelsSet, phoneLineLabelsSet  = newPrefixSet(orgLabels), newPrefixSet(positionLabels), newPrefixSet(phoneLineLabels)
	surnameLabelSet, firstLabelSet, patronymicLabelSet   = newPrefixSet([]string{"фамилия"}), newPrefixSet([]string{"имя"}), newPrefixSet([]string{"отчество"})
	signOffsSet, thanksOnlySet                           = newPrefixSet(signOffs), newPrefixSet(thanksOnly)
	orgWordsSet, positionWordsSet                        = newPrefixSet(orgWords), newPrefixSet(positionWords)
)

// labelFirst: a label of labelled starts with the rune (folded; runes
// from U+0500 on are not in the table and always checked).
var labelFirst = func() (t [0x500]bool) {
	for _, set := range []*prefixSet{nameLabelsSet, firstNameLabelsSet, lastNameLabelsSet, orgLabelsSet,
		positionLabelsSet, phoneLineLabelsSet, surnameLabelSet, firstLabelSet, patronymicLabelSet} {
		for _, f := range set.first {
			if f >= 0 && f < rune(len(t)) {
				t[f] = true
			}
		}
	}
	return t
}()

// labelValueAt returns the value after one of labels and a ":" (or a
// dash), when line starts with such a label; f0 is firstFold(line).
func labelValueAt(line string, f0 rune, labels *prefixSet) (string, bool) {
	// The labels that start with f0, in order: from the set's index, or
	// by comparing each label's first rune (prefixFold fails on it).
	m, indexed := labels.starting(f0)
	for k := 0; k < len(labels.ps); k++ {
		if indexed {
			if m == 0 {
				break
			}
			k = bits.TrailingZeros64(m)
			m &= m - 1
		} else if labels.first[k] != f0 {
			continue
		}
		l := labels.ps[k]
		n, ok := prefixFold(line, l)
		if !ok {
			continue
		}
		rest := strings.TrimLeft(line[n:], " .")
		if v, ok := strings.CutPrefix(rest, ":"); ok {
			return strings.TrimSpace(v), true
		}
		for _, d := range []string{"–", "—", "- "} {
			if v, ok := strings.CutPrefix(rest, d); ok && l != "т" {
				return strings.TrimSpace(v), true
			}
		}
	}
	return "", false
}

// labelled fills id from form lines.
func labelled(lines []string, id *Identity) {
	var sur, first, patr, enFirst, enLast string
	for _, l := range lines {
		f0 := firstFold(l)
		if f0 >= 0 && f0 < rune(len(labelFirst)) && !labelFirst[f0] {
			continue // no label starts so: nothing below applies
		}
		if v, ok := labelValueAt(l, f0, nameLabelsSet); ok && id.FullName == "" {
			if n := findName(v, true, false); n != "" {
				id.FullName = n
			} else if n := latinName(v, true); n != "" {
				id.FullName = n
			}
			continue
		}
		if v, ok := labelValueAt(l, f0, firstNameLabelsSet); ok {
			enFirst = latinWord(firstWord(v))
			continue
		}
		if v, ok := labelValueAt(l, f0, lastNameLabelsSet); ok {
			if enLast = latinWord(firstWord(v)); enLast == "" {
				sur = firstWord(v) // "Surname: Орлова"
			}
			continue
		}
		if v, ok := labelValueAt(l, f0, surnameLabelSet); ok {
			sur = firstWord(v)
		} else if v, ok := labelValueAt(l, f0, firstLabelSet); ok {
			first = firstWord(v)
		} else if v, ok := labelValueAt(l, f0, patronymicLabelSet); ok {
			patr = firstWord(v)
		}
		if v, ok := labelValueAt(l, f0, orgLabelsSet); ok && id.Organisation == "" && v != "" {
			id.Organisation = cutAtPhone(v)
			continue
		}
		if v, ok := labelValueAt(l, f0, positionLabelsSet); ok && id.Position == "" && v != "" {
			id.Position = cutAtPhone(v)
			continue
		}
		if _, ok := labelValueAt(l, f0, phoneLineLabelsSet); ok && id.Phone == "" {
			if ps := findPhones(l); len(ps) > 0 {
				id.Phone = trimPhone(l[ps[0].start:ps[0].end])
			}
		}
	}
	if id.FullName == "" && sur != "" && first != "" && patr != "" {
		id.FullName = sur + " " + first + " " + patr
	}
	if id.FullName == "" && enFirst != "" && enLast != "" {
		id.FullName = enFirst + " " + enLast
	}
}

// latinName returns the Latin personal name that v starts with (up to the
// first comma, semicolon or bracket): two to four words of Latin letters
// (with ' and -), at least two of them longer than an initial («John
// Smith», «Mary-Jane O'Neil», «John A. Smith», «JOHN SMITH»). None may be a
// common word of signatures («IT Manager», «Support Team», «Windows
// Update»), and a word is capitalised, all lower case or, when the whole
// name is, all upper case. Unless relaxed (a labelled form value), every
// word must start with a capital.
func latinName(v string, relaxed bool) string {
	if i := strings.IndexAny(v, ",;(<|"); i >= 0 {
		v = v[:i]
	}
	v = strings.TrimSpace(v)
	fs := strings.Fields(v)
	if len(fs) < 2 || len(fs) > 4 {
		return ""
	}
	allCaps := strings.ToUpper(v) == v
	long := 0
	for _, f := range fs {
		if len(f) == 2 && f[1] == '.' && isLatinLetter(rune(f[0])) && unicode.IsUpper(rune(f[0])) {
			continue // an initial
		}
		for i, r := range f {
			if !isLatinLetter(r) && !(i > 0 && (r == '-' || r == '\'' || r == '’')) {
				return ""
			}
		}
		if len(f) < 2 || notNamesEn[strings.ToLower(f)] || !nameCase(f, allCaps) || !relaxed && !unicode.IsUpper(rune(f[0])) {
			return ""
		}
		long++
	}
	if long < 2 {
		return ""
	}
	return v
}

// latinWord returns f when it is one Latin name word (a form value).
func latinWord(f string) string {
	if latinName(f+" "+f, true) == "" {
		return ""
	}
	return f
}

// nameCase: after the first letter (and after - or '), a name word is in
// lower case (upper case when the whole name is); Mc/Mac names excepted.
func nameCase(f string, allCaps bool) bool {
	if allCaps {
		return true
	}
	f = strings.TrimPrefix(strings.TrimPrefix(f, "Mac"), "Mc")
	prev := ' '
	for i, r := range f {
		if i > 0 && unicode.IsUpper(r) && prev != '-' && prev != '\'' && prev != '’' {
			return false
		}
		prev = r
	}
	return true
}

// isLetter is unicode.IsLetter with the ASCII and Cyrillic answers first.
func isLetter(r rune) bool {
	switch {
	case r < utf8.RuneSelf:
		return 'a' <= r|0x20 && r|0x20 <= 'z'
	case r >= 0x400 && r <= 0x481:
		return true
	}
	return unicode.IsLetter(r)
}

// isCyrillic is unicode.Is(unicode.Cyrillic, r) with U+0400–U+0484 first.
func isCyrillic(r rune) bool {
	if r >= 0x400 && r <= 0x484 {
		return true
	}
	return r >= 0x400 && unicode.Is(unicode.Cyrillic, r)
}

// isUpper is unicode.IsUpper with ASCII and А..я, Ё..Џ, ё..џ first.
func isUpper(r rune) bool {
	switch {
	case r < utf8.RuneSelf:
		return 'A' <= r && r <= 'Z'
	case r >= 0x400 && r <= 0x42F:
		return true
	case r >= 0x430 && r <= 0x45F:
		return false
	}
	return unicode.IsUpper(r)
}

func isLatinLetter(r rune) bool { return r < utf8.RuneSelf && unicode.IsLetter(r) }

// notNamesEn are capitalised words of English signatures that are not names.
var notNamesEn = map[string]bool{
	"team": true, "support": true, "department": true, "office": true, "manager": true, "service": true,
	"desk": true, "group": true, "company": true, "corp": true, "ltd": true, "inc": true, "school": true,
	"city": true, "council": true, "university": true, "hospital": true, "center": true, "centre": true,
	"bank": true, "the": true, "of": true, "and": true, "for": true, "sent": true, "from": true, "my": true,
	"best": true, "kind": true, "regards": true, "thanks": true, "thank": true, "you": true, "head": true,
	"director": true, "teacher": true, "engineer": true, "administrator": true, "accountant": true,
	"please": true, "help": true, "printer": true, "error": true, "windows": true, "microsoft": true,
}

func firstWord(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return ""
	}
	return strings.Trim(f[0], ",;.")
}

// signOffs start a signature.
var signOffs = []string{"с уважением", "с наилучшими пожеланиями", "всего доброго", "всего хорошего",
	"best regards", "kind regards", "warm regards", "regards", "best wishes", "yours sincerely",
	"yours faithfully", "yours truly", "sincerely", "--", "—"}

// thanksOnly are sign-offs when they make up a short line of their own.
var thanksOnly = []string{"спасибо", "заранее спасибо", "заранее благодарю", "благодарю", "спасибо заранее",
	"thanks", "thank you", "many thanks", "cheers"}

// signatureRegion returns the lines after the last sign-off (the text after
// the sign-off phrase on its own line included) and true, or the last six
// lines and false.
func signatureRegion(lines []string) ([]string, bool) {
	for i := len(lines) - 1; i >= 0; i-- {
		if rest, ok := signOff(lines[i]); ok {
			out := []string{}
			if rest != "" {
				out = append(out, rest)
			}
			return append(out, lines[i+1:]...), true
		}
	}
	if len(lines) > 6 {
		return lines[len(lines)-6:], false
	}
	return lines, false
}

// signOff reports whether line starts a signature, and the text after the phrase.
func signOff(line string) (string, bool) {
	f0 := firstFold(line)
	if n, ok := signOffsSet.match(line, f0); ok {
		return strings.TrimLeft(line[n:], " ,.!:;-–—"), true
	}
	if thanksOnlySet.mayMatch(f0) && len(strings.Fields(line)) <= 4 {
		if n, ok := thanksOnlySet.match(line, f0); ok {
			return strings.TrimLeft(line[n:], " ,.!:;-–—"), true
		}
	}
	return "", false
}

// fromSignature fills what is still empty in id from the signature lines.
// signed: the region follows a sign-off; then the first segment of one of
// its first two lines may also be a Latin name («Best regards,\nJohn Smith»).
func fromSignature(region []string, signed bool, id *Identity) {
	org, orgAtStart := "", false
	for k, l := range region {
		if signed && k < 2 && id.FullName == "" {
			if seg := segments(l)[0]; orgMarker(seg) < 0 && !isPosition(seg) {
				if n := latinName(seg, false); n == strings.TrimSpace(seg) {
					id.FullName = n
				}
			}
		}
		if id.Phone == "" {
			if ps := findPhones(l); len(ps) > 0 {
				id.Phone = trimPhone(l[ps[0].start:ps[0].end])
			}
		}
		for _, seg := range segments(l) {
			if id.FullName == "" {
				if n := findName(seg, false, false); n != "" {
					id.FullName = n
					seg = strings.TrimSpace(seg[strings.Index(seg, n)+len(n):])
				}
			}
			i := orgMarker(seg)
			if i < 0 && companySuffix(seg) {
				i = 0 // "Acme Ltd"
			}
			if i >= 0 && hasProblemMarker(normWords(seg)) {
				i = -1 // a sentence about the problem, not a signature
			}
			if i >= 0 && !orgAtStart {
				o := cutAtPhone(seg[i:])
				if o != "" && len(words(o)) <= 12 && (org == "" || i == 0) {
					org, orgAtStart = o, i == 0
				}
			}
			head := seg
			if i >= 0 {
				head = seg[:i]
			}
			if id.Position == "" && isPosition(head) {
				id.Position = strings.Trim(cutAtPhone(head), " ,;.-–")
			}
		}
	}
	if id.Organisation == "" {
		id.Organisation = org
	}
}

// segments splits a signature line at commas, semicolons and bars, but not
// inside quotes («…», "…").
func segments(line string) []string {
	var out []string
	depth, start := 0, 0
	// The runes looked for are read from the bytes: « and » are C2 AB and
	// C2 BB, “ and ” E2 80 9C and E2 80 9D, and no other rune's encoding
	// holds a lead byte of theirs (nor an ASCII byte).
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case 0xC2:
			if i+1 < len(line) && line[i+1] == 0xAB {
				depth++
			} else if i+1 < len(line) && line[i+1] == 0xBB && depth > 0 {
				depth--
			}
		case 0xE2:
			if i+2 < len(line) && line[i+1] == 0x80 && line[i+2] == 0x9C {
				depth++
			} else if i+2 < len(line) && line[i+1] == 0x80 && line[i+2] == 0x9D && depth > 0 {
				depth--
			}
		case ',', ';', '|':
			if depth == 0 {
				out = append(out, strings.TrimSpace(line[start:i]))
				start = i + 1
			}
		}
	}
	return append(out, strings.TrimSpace(line[start:]))
}

// cutAtPhone cuts a value before a phone label or e-mail and trims it.
func cutAtPhone(s string) string {
	low := lower(s)
	cut := len(s)
	for _, l := range []string{" тел.", " тел ", " тел:", " телефон", " моб.", " e-mail", " email", " эл. почта", " т.",
		" phone", " tel.", " tel:", " tel ", " mobile", " mob:"} {
		if i := strings.Index(low, l); i >= 0 && i < cut && len(low) == len(s) {
			cut = i
		}
	}
	return strings.Trim(s[:cut], " ,;:-–—")
}

func trimPhone(s string) string { return strings.Trim(s, " -–(") }

// word is a run of letters (with inner hyphens) in a segment.
type word struct {
	s          string
	start, end int
	dot        bool // immediately followed by "."
}

func words(s string) []word {
	var out []word
	start := -1
	for i, n := 0, 0; i < len(s); i += n {
		// The rune at i, with ASCII and Cyrillic read in place
		// (decodeRune, inlined by hand: the common case, a letter).
		var r rune
		var letter bool
		switch c := s[i]; {
		case c < utf8.RuneSelf:
			r, n = rune(c), 1
			letter = 'a' <= c|0x20 && c|0x20 <= 'z'
		case c&^1 == 0xD0 && i+1 < len(s) && s[i+1]&0xC0 == 0x80:
			r, n = rune(c&0x1F)<<6|rune(s[i+1]&0x3F), 2
			letter = true // U+0400–U+047F
		default:
			r, n = utf8.DecodeRuneInString(s[i:])
			letter = isLetter(r)
		}
		if letter && start < 0 {
			start = i
		}
		if !letter && start >= 0 {
			if r == '-' && i+1 < len(s) {
				if n, _ := utf8.DecodeRuneInString(s[i+1:]); isLetter(n) {
					continue // Петрова-Водкина
				}
			}
			out = append(out, word{s: s[start:i], start: start, end: i, dot: r == '.'})
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, word{s: s[start:], start: start, end: len(s)})
	}
	return out
}

func isCyrillicWord(s string) bool {
	for _, r := range s {
		if r != '-' && !isCyrillic(r) {
			return false
		}
	}
	return s != ""
}

func capitalised(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return isUpper(r)
}

// isInitial: one upper-case Cyrillic letter.
func isInitial(w word) bool {
	r, n := utf8.DecodeRuneInString(w.s)
	return n == len(w.s) && isUpper(r) && isCyrillic(r)
}

// nameWord: a capitalised (or, relaxed, any) Cyrillic word of two letters or
// more that is not a common capitalised non-name.
func nameWord(w word, relaxed bool) bool {
	if utf8.RuneCountInString(w.s) < 2 || !isCyrillicWord(w.s) || (!relaxed && !capitalised(w.s)) {
		return false
	}
	low := lower(w.s)
	return !notNames[low] && !isOrgAcronym(w.s)
}

func isPatronymic(w string) bool {
	low := lower(w)
	n := utf8.RuneCountInString(low)
	return n >= 5 && strings.HasSuffix(low, "ич") ||
		n >= 6 && (strings.HasSuffix(low, "вна") || strings.HasSuffix(low, "чна"))
}

func surnameLike(w string) bool {
	low := lower(w)
	for _, e := range surnameEndings {
		if strings.HasSuffix(low, e) && len(low) > len(e) {
			return true
		}
	}
	return false
}

var surnameEndings = []string{"ов", "ова", "ев", "ева", "ёв", "ёва", "ин", "ина", "ын", "ына", "ский", "ская", "цкий",
	"цкая", "ской", "ой", "ых", "их", "ко", "ук", "юк", "ян", "дзе", "швили", "ец", "ман", "ий", "ая"}

var notNames = map[string]bool{
	"с": true, "уважением": true, "спасибо": true, "здравствуйте": true, "добрый": true, "день": true,
	"приложение": true, "тел": true, "телефон": true, "организация": true, "фио": true, "должность": true,
	"учитель": true, "специалист": true, "отдел": true, "управление": true, "администрация": true,
	"школа": true, "начальник": true, "директор": true, "ул": true, "улица": true, "каб": true,
	"кабинет": true, "пункт": true, "раздел": true, "статья": true, "глава": true, "уважаемые": true,
	"главный": true, "ведущий": true, "рисунок": true, "таблица": true, "версия": true, "город": true,
	"прошу": true, "помогите": true, "заранее": true, "благодарю": true, "коллеги": true, "уважаемый": true,
	"уважаемая": true, "отправлено": true, "пользователь": true, "договор": true, "приказ": true,
	"постановление": true, "заведующий": true, "заведующая": true, "бухгалтер": true, "заместитель": true,
	"секретарь": true, "инженер": true, "программист": true, "методист": true, "врач": true,
}

// findName returns the first full name in s. relaxed accepts lower-case
// words (form values); patronymicOnly accepts only the three-word form.
func findName(s string, relaxed, patronymicOnly bool) string {
	ws := words(s)
	for k := range ws {
		if n := nameAt(s, ws, k, relaxed, patronymicOnly); n != "" {
			return n
		}
	}
	return ""
}

func nameAt(s string, ws []word, k int, relaxed, patronymicOnly bool) string {
	at := func(i int) (word, bool) {
		if i < len(ws) {
			return ws[i], true
		}
		return word{}, false
	}
	w0 := ws[k]
	w1, ok1 := at(k + 1)
	w2, ok2 := at(k + 2)
	// Surname Name Patronymic / Name Patronymic Surname (+ оглы/кызы).
	if ok2 && nameWord(w0, relaxed) && nameWord(w1, relaxed) && nameWord(w2, relaxed) && !w0.dot && !w1.dot &&
		adjacent(s, w0, w1) && adjacent(s, w1, w2) {
		end := -1
		switch {
		case isPatronymic(w2.s) && !isPatronymic(w1.s):
			end = w2.end
			if w3, ok := at(k + 3); ok && adjacent(s, w2, w3) && (strings.EqualFold(w3.s, "оглы") || strings.EqualFold(w3.s, "кызы")) {
				end = w3.end
			}
		case isPatronymic(w1.s) && !isPatronymic(w0.s):
			end = w2.end
		}
		if end > 0 {
			return s[w0.start:end]
		}
	}
	if patronymicOnly {
		return ""
	}
	// Surname И. О. / Surname И.О / Surname И. (surname-like only).
	if ok1 && nameWord(w0, relaxed) && !w0.dot && isInitial(w1) && w1.dot && adjacent(s, w0, w1) {
		if ok2 && isInitial(w2) && adjacent(s, w1, w2) {
			return s[w0.start : w2.end+dotLen(w2)]
		}
		if surnameLike(w0.s) {
			return s[w0.start : w1.end+1]
		}
	}
	// И. О. Surname / И. Surname (surname-like only).
	if ok1 && isInitial(w0) && w0.dot {
		if ok2 && isInitial(w1) && w1.dot && nameWord(w2, relaxed) && adjacent(s, w0, w1) && adjacent(s, w1, w2) {
			return s[w0.start:w2.end]
		}
		if nameWord(w1, relaxed) && surnameLike(w1.s) && adjacent(s, w0, w1) {
			return s[w0.start:w1.end]
		}
	}
	return ""
}

func dotLen(w word) int {
	if w.dot {
		return 1
	}
	return 0
}

// adjacent: only spaces (and the dot of an initial) between a and b.
func adjacent(s string, a, b word) bool {
	between := s[a.end:b.start]
	return strings.Trim(between, " .\u00a0\t") == "" && strings.Count(between, ".") <= 1
}

// Organisation markers: acronyms (case-sensitive) and words (lower-case
// prefixes).
var orgAcronyms = map[string]bool{
	"МАОУ": true, "МБОУ": true, "МКОУ": true, "МОУ": true, "МАДОУ": true, "МБДОУ": true, "МКДОУ": true,
	"МДОУ": true, "МАУ": true, "МБУ": true, "МКУ": true, "МУП": true, "ГУП": true, "ГБУ": true, "ГАУ": true,
	"ГКУ": true, "ГБУЗ": true, "ГАУЗ": true, "ГБОУ": true, "ГАОУ": true, "ГАПОУ": true, "ГБПОУ": true,
	"ФГБУ": true, "ФГБОУ": true, "ФКУ": true, "ООО": true, "ОАО": true, "ЗАО": true, "ПАО": true, "АО": true,
	"АНО": true, "НКО": true, "ИП": true, "СОШ": true, "ООШ": true, "ДОУ": true, "ЦРБ": true, "ДЮСШ": true,
	"ДШИ": true, "ДК": true, "МФЦ": true, "ЗАГС": true, "УСЗН": true, "ТОИОГВ": true, "КЦСОН": true,
	"ОМВД": true, "ПФР": true, "СФР": true, "ИФНС": true, "УФК": true, "ТИК": true, "ЦБС": true, "ЦДО": true,
	"ДДТ": true, "ЦДТ": true, "УО": true, "УМИ": true, "ОГИБДД": true, "ГИБДД": true,
}

var orgWords = []string{"администрац", "управлени", "отдел", "департамент", "министерств", "комитет", "школ",
	"гимнази", "лицей", "лицея", "больниц", "поликлиник", "учреждени", "муниципальн", "государственн",
	"бюджетн", "автономн", "казенн", "центр", "библиотек", "музей", "музея", "дворец", "дворца", "колледж",
	"техникум", "университет", "институт", "прокуратур", "фонд", "инспекци", "предприяти", "завод",
	"комбинат", "казначейств", "архив", "диспансер", "госпитал", "амбулатори", "дума", "думы", "детский сад",
	"детского сада", "дом культуры", "д/с", "общество с ограниченной",
	// English.
	"school", "hospital", "department", "university", "college", "council", "ministry", "agency", "library",
	"academy", "clinic", "municipality"}

// companySuffixes end an English company name («Acme Ltd», «Globex LLC»).
var companySuffixes = map[string]bool{"ltd": true, "llc": true, "inc": true, "plc": true, "gmbh": true,
	"jsc": true, "corp": true, "co": true, "limited": true}

// companySuffix: seg is a short Latin company name ending in a company suffix.
func companySuffix(seg string) bool {
	ws := words(seg)
	if len(ws) < 2 || len(ws) > 8 {
		return false
	}
	last := ws[len(ws)-1].s
	return isLatinLetter([]rune(last)[0]) && companySuffixes[strings.ToLower(last)]
}

func isOrgAcronym(s string) bool { return orgAcronyms[s] }

// orgMarker returns the byte index of the first organisation marker in seg,
// extended back over the adjectives before it («Средняя общеобразовательная
// школа»), or -1.
func orgMarker(seg string) int {
	ws := words(seg)
	for k, w := range ws {
		if !isOrgWord(seg, w) {
			continue
		}
		for k > 0 && adjective(ws[k-1].s) && adjacent(seg, ws[k-1], ws[k]) && !isPosition(ws[k-1].s) {
			k--
		}
		// English: the capitalised words before the marker («City Council»,
		// «Springfield Elementary School», «IT Department»).
		for k > 0 && isLatinLetter([]rune(ws[k].s)[0]) && capitalised(ws[k-1].s) &&
			isLatinLetter([]rune(ws[k-1].s)[0]) && adjacent(seg, ws[k-1], ws[k]) && !isPosition(ws[k-1].s) {
			k--
		}
		return ws[k].start
	}
	return -1
}

func isOrgWord(seg string, w word) bool {
	if isOrgAcronym(w.s) {
		return true
	}
	_, ok := orgWordsSet.match(seg[w.start:], firstFold(seg[w.start:]))
	return ok
}

func adjective(w string) bool {
	low := lower(w)
	if utf8.RuneCountInString(low) < 4 {
		return false
	}
	for _, e := range []string{"ая", "яя", "ый", "ий", "ое", "ее", "ого", "его", "ых", "их", "ой"} {
		if strings.HasSuffix(low, e) {
			return true
		}
	}
	return false
}

var positionWords = []string{"учител", "педагог", "воспитател", "специалист", "начальник", "заместител", "зам.",
	"директор", "заведующ", "бухгалтер", "секретар", "инженер", "программист", "врач", "медсестр",
	"медицинская сестра", "фельдшер", "методист", "делопроизводител", "инспектор", "экономист", "юрист",
	"юрисконсульт", "оператор", "администратор", "кассир", "руководител", "глава", "председател", "завуч",
	"библиотекар", "лаборант", "менеджер", "консультант", "советник", "референт", "эксперт", "аналитик",
	"техник", "мастер", "диспетчер", "регистратор", "психолог", "логопед", "социальный работник",
	"документовед", "кадровик", "архивист", "главный", "ведущий",
	// English.
	"manager", "engineer", "teacher", "accountant", "director", "head of", "specialist", "officer",
	"administrator", "secretary", "assistant", "coordinator", "analyst", "developer", "nurse", "doctor",
	"clerk", "librarian", "principal", "deputy", "chief", "senior", "lead "}

// isPosition: s is short and starts with (or contains) a position word.
func isPosition(s string) bool {
	ws := words(s)
	if len(ws) == 0 || len(ws) > 8 {
		return false
	}
	for _, w := range ws {
		if _, ok := positionWordsSet.match(s[w.start:], firstFold(s[w.start:])); ok {
			return true
		}
	}
	return false
}
