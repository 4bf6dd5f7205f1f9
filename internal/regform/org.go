package regform

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

const (
	nameWord = `\p{Lu}\p{Ll}+(?:-\p{Lu}\p{Ll}+)?`
	// personRE: «Петров И. И.», «И.И. Петров», «Петров Иван Иванович».
	personRE = `(` + nameWord + `\s+\p{Lu}\.\s?\p{Lu}\.|\p{Lu}\.\s?\p{Lu}\.\s?` + nameWord + `|` + nameWord + `\s+` + nameWord + `\s+` + nameWord + `)`
	sep      = `(?:\s*(?:[:|\t–—]|\s-\s)\s*)+`
	num      = `[\s:|№-]*`
	// legalForm is the abbreviation of an institution's legal form, built
	// the way they are: the founder's level (федеральное, областное,
	// государственное, муниципальное), the type (автономное, бюджетное,
	// казённое) and the kind (учреждение; образовательное, дошкольное
	// образовательное, профессиональное образовательное; здравоохранения,
	// культуры, социального обслуживания), with «ДО» (дополнительного
	// образования) written on: МАОУ, МБДОУ, МКУК, МБУДО, ГБУЗ, ОГБУСО,
	// ФГБОУ… Unitary enterprises and companies are listed.
	legalForm = `(?:ФГ|ОГ|Г|М)[АБК]?(?:ДОУ|ПОУ|ОУ|УЗ|УК|УСО|У)(?:ДО)?|(?:ФГ|Г|М)УП|ООО|АО|ПАО|ЗАО|НАО|АНО|ИП`
	heads     = `(?i:руководител[ья]|директор|заведующ(?:ий|ая)|начальник\p{L}*|глава|главный\s+врач|ректор|председатель)`
)

var (
	innRE  = regexp.MustCompile(`(?:^|[^\p{L}])(?i:ИНН)(?:\s*/\s*(?i:КПП))?` + num + `(\d{12}|\d{10})(?:\s*/\s*(\d{4}[0-9A-Z]{2}\d{3}))?(?:\D|$)`)
	kppRE  = regexp.MustCompile(`(?:^|[^\p{L}])(?i:КПП)` + num + `(\d{4}[0-9A-Z]{2}\d{3})(?:\D|$)`)
	ogrnRE = regexp.MustCompile(`(?:^|[^\p{L}])(?i:ОГРН)(?:ИП)?` + num + `(\d{15}|\d{13})(?:\D|$)`)
	nameRE = regexp.MustCompile(`^(?i:(?:полное\s+|сокращенное\s+|сокращённое\s+|краткое\s+)?(?:наименование(?:\s+(?:организации|учреждения|клиента|пользователя|юридического\s+лица|заявителя))?|организация|учреждение|клиент|пользователь|заявитель))` + sep + `(.+)$`)
	addrRE = regexp.MustCompile(`^(?i:(юридический\s+адрес|адрес\s+(?:места\s+)?(?:нахождения|местонахождения)|место\s*нахождения|местонахождение|адрес|фактический\s+адрес|почтовый\s+адрес))` + sep + `(.+)$`)
	headRE = regexp.MustCompile(`^(?i:(?:ф\.?\s*и\.?\s*о\.?\s+)?)` + heads + sep + personRE)
	signRE = regexp.MustCompile(`^` + heads + `(?:\s[^\n]{0,120}?)?[_/\s]` + personRE + `[\s/_.]*$`)
	inFace = regexp.MustCompile(`(?i:в\s+лице|^от)\s+(?i:директора|заведующе(?:го|й)|руководителя|начальника|главного\s+врача|главы|ректора|председателя)[^\n]{0,120}?` + personRE)
	// orgFormRE: a line naming an institution by its legal form (legalForm).
	orgFormRE  = regexp.MustCompile(`(?:^|[\s«"(])((?:` + legalForm + `)\s+[^\n|]{3,150})`)
	orgStartRE = regexp.MustCompile(`^(?:Комитет|Управление|Администрация|Муниципальное|Государственное|Областное|Федеральное|Департамент|Министерство)\s+[^\n|@]{3,150}$`)
)

// findOrganisation reads the requester's details from the texts, first
// match winning. An INN or OGRN failing its check digit is kept and
// reported.
func findOrganisation(texts []string, problems []string) (Organisation, []string) {
	var o Organisation
	bestAddr, headRank := 100, 100
	var fallbackName string
	for _, t := range texts {
		for _, line := range strings.Split(t, "\n") {
			line = collapse(strings.ReplaceAll(line, "\t", " | "))
			if line == "" || isPlaceholder(line) {
				continue
			}
			low := strings.ToLower(line)
			has := func(words ...string) bool {
				for _, w := range words {
					if strings.Contains(low, w) {
						return true
					}
				}
				return false
			}
			if o.INN == "" && has("инн") {
				if m := innRE.FindStringSubmatch(line); m != nil {
					o.INN = m[1]
					if o.KPP == "" && m[2] != "" {
						o.KPP = m[2]
					}
				}
			}
			if o.KPP == "" && has("кпп") {
				if m := kppRE.FindStringSubmatch(line); m != nil {
					o.KPP = m[1]
				}
			}
			if o.OGRN == "" && has("огрн") {
				if m := ogrnRE.FindStringSubmatch(line); m != nil {
					o.OGRN = m[1]
				}
			}
			if o.Name == "" && has("наименовани", "организаци", "учреждени", "клиент", "пользовател", "заявител") {
				if m := nameRE.FindStringSubmatch(line); m != nil {
					o.Name = cleanValue(m[1])
				}
			}
			if fallbackName == "" {
				if m := orgFormRE.FindStringSubmatch(line); m != nil && !strings.Contains(m[1], "@") {
					fallbackName = cutName(m[1])
				} else if orgStartRE.MatchString(line) {
					fallbackName = cutName(line)
				}
			}
			if has("адрес", "нахожд") {
				if m := addrRE.FindStringSubmatch(line); m != nil {
					if r := addrRank(m[1]); r < bestAddr {
						if v := cleanValue(m[2]); v != "" {
							o.Address, bestAddr = v, r
						}
					}
				}
			}
			if headRank > 0 && has("руковод", "директор", "заведующ", "начальник", "глав", "ректор", "председател") {
				for i, re := range []*regexp.Regexp{headRE, signRE, inFace} {
					if i >= headRank {
						break
					}
					if m := re.FindStringSubmatch(line); m != nil {
						o.Head, headRank = collapse(m[1]), i
						break
					}
				}
			}
		}
	}
	if o.Name == "" {
		o.Name = fallbackName
	}
	if o.INN != "" && !validINN(o.INN) {
		problems = append(problems, fmt.Sprintf("ИНН %s не проходит проверку контрольного числа", o.INN))
	}
	if o.OGRN != "" && !validOGRN(o.OGRN) {
		problems = append(problems, fmt.Sprintf("ОГРН %s не проходит проверку контрольного числа", o.OGRN))
	}
	if o.Name == "" {
		problems = append(problems, "не указано наименование организации")
	}
	if o.INN == "" {
		problems = append(problems, "не указан ИНН организации")
	}
	return o, problems
}

func addrRank(label string) int {
	l := strings.ToLower(label)
	switch {
	case strings.HasPrefix(l, "юрид"), strings.Contains(l, "нахожд"):
		return 0
	case l == "адрес":
		return 1
	case strings.HasPrefix(l, "факт"):
		return 2
	}
	return 3
}

// cutName ends a name found by its legal form after its closing quote
// («МКУ «Управление образования» Лебедевой Е. А.» -> «МКУ «Управление
// образования»») or at a comma.
func cutName(s string) string {
	if i := strings.Index(s, "__"); i > 0 {
		s = s[:i]
	}
	if i := strings.Index(s, " /"); i > 0 {
		s = s[:i]
	}
	depth, end := 0, -1
	for i, r := range s {
		switch r {
		case '«':
			depth++
		case '»':
			depth--
			if depth <= 0 {
				end = i + len("»")
				if depth < 0 {
					depth = 0
				}
			}
		case ',', ';':
			if depth == 0 && end < 0 {
				return cleanValue(s[:i])
			}
		}
	}
	if end > 0 {
		// Keep a quote closed right after this one: «Детский сад «Солнышко»».
		for strings.HasPrefix(s[end:], "»") {
			end += len("»")
		}
		return cleanValue(s[:end])
	}
	return cleanValue(s)
}

// cleanValue trims a value read after a label: spaces, trailing
// punctuation, the rest of a table row after " | ".
func cleanValue(s string) string {
	if i := strings.Index(s, " | "); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimRight(strings.TrimLeft(collapse(s), " |:"), " ,;.|:")
	if isPlaceholder(s) {
		return ""
	}
	return s
}

// isPlaceholder: an unfilled blank of the form («_____», «<...>»).
func isPlaceholder(s string) bool {
	t := strings.Trim(s, " _.<>…|")
	return t == ""
}

// validINN checks the control digits of a 10- or 12-digit INN.
func validINN(s string) bool {
	d := digits(s)
	check := func(n int, w []int) bool {
		sum := 0
		for i, c := range w {
			sum += c * d[i]
		}
		return sum%11%10 == d[n]
	}
	switch len(d) {
	case 10:
		return check(9, []int{2, 4, 10, 3, 5, 9, 4, 6, 8})
	case 12:
		return check(10, []int{7, 2, 4, 10, 3, 5, 9, 4, 6, 8}) && check(11, []int{3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8})
	}
	return false
}

// validOGRN checks the control digit of a 13-digit OGRN or 15-digit OGRNIP.
func validOGRN(s string) bool {
	var mod int64
	switch len(s) {
	case 13:
		mod = 11
	case 15:
		mod = 13
	default:
		return false
	}
	n, err := strconv.ParseInt(s[:len(s)-1], 10, 64)
	if err != nil {
		return false
	}
	return int(n%mod%10) == int(s[len(s)-1]-'0')
}

func digits(s string) []int {
	d := make([]int, 0, len(s))
	for _, r := range s {
		if r < '0' || r > '9' {
			return nil
		}
		d = append(d, int(r-'0'))
	}
	return d
}
