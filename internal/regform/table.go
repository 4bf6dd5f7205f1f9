package regform

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// cell is one cell of a grid. span marks a copy of the cell to its left
// made for a merged (colspan) cell: it names the column in a header row but
// holds no data in a data row. Copies made for rowspan are plain cells.
type cell struct {
	text string
	span bool
}

// grid is one table found in a source, with the last line of text before
// it (which may say what to do with the people: «Прошу исключить:»).
type grid struct {
	rows   [][]cell
	before string
}

// source is one place a table may come from: the HTML body, the text body
// or an attachment.
type source struct {
	name       string // SourceHTML…
	attachment string // file name; "" for the body
	grids      []grid
	text       string   // free text of the source, searched for the organisation's details
	problems   []string // e.g. an unreadable attachment
}

// tableResult is what the tables of one source gave.
type tableResult struct {
	source, attachment string
	people             []Person
	problems           []string
	preamble           string // text of the rows above the header and of the rows below the table that are not people
}

// Limits on what is read from one source.
const (
	maxRows    = 5000
	maxCols    = 60
	maxPeople  = 2000
	maxCellLen = 4000
)

// readPeople reads the people from every table of s that has a recognised
// header; nil when none has.
func readPeople(s source) *tableResult {
	var res *tableResult
	for _, g := range s.grids {
		r := &tableReader{}
		if res != nil {
			r.base = len(res.people)
		}
		if !r.read(g) {
			continue
		}
		if res == nil {
			res = &tableResult{source: s.name, attachment: s.attachment}
		}
		res.preamble += r.preamble
		res.problems = append(res.problems, r.problems...)
		for _, p := range r.people {
			if len(res.people) >= maxPeople {
				res.problems = append(res.problems, fmt.Sprintf("в заявке больше %d строк, остальные не прочитаны", maxPeople))
				break
			}
			p.Row = len(res.people) + 1
			res.people = append(res.people, p)
		}
	}
	if res == nil {
		return nil
	}
	res.problems = append(res.problems, personProblems(res.people, res.problems)...)
	return res
}

// tableReader reads one grid.
type tableReader struct {
	kinds    []kind
	headings []string
	people   []Person
	problems []string
	preamble string
	base     int // people before this table, for row numbers
}

// findHeader returns the index of the first row that names at least two
// known columns, one of them the name or the e-mail.
func findHeader(rows [][]cell) int {
	for i, row := range rows {
		if i > 40 {
			break
		}
		if isHeader(row) {
			return i
		}
	}
	return -1
}

func isHeader(row []cell) bool {
	known := map[kind]bool{}
	unknown := 0
	for _, c := range row {
		switch k := classify(c.text); k {
		case kEmpty, kNum:
		case kUnknown:
			if !c.span {
				unknown++
			}
		default:
			known[k] = true
		}
	}
	if len(known) < 2 || unknown > len(known) {
		return false
	}
	return known[kFullName] || known[kSurname] || known[kEmail] || known[kContacts]
}

// isSubHeader: the row under a header refines it («Контакты» over «тел.» and
// «e-mail»): every cell is a heading, a column number or empty.
func isSubHeader(row []cell) bool {
	n := 0
	for _, c := range row {
		switch k := classify(c.text); k {
		case kEmpty, kNum:
		case kUnknown:
			if !isInt(c.text) {
				return false
			}
		default:
			n++
		}
	}
	return n > 0
}

func (r *tableReader) read(g grid) bool {
	rows := g.rows
	if len(rows) > maxRows {
		rows = rows[:maxRows]
	}
	hi := findHeader(rows)
	if hi < 0 {
		return false
	}
	for _, row := range rows[:hi] {
		if t := rowText(row); t != "" {
			r.preamble += t + "\n"
		}
	}
	width := 0
	for _, row := range rows {
		width = max(width, len(row))
	}
	width = min(width, maxCols)
	r.kinds = make([]kind, width)
	r.headings = make([]string, width)
	for j := 0; j < width && j < len(rows[hi]); j++ {
		r.kinds[j] = classify(rows[hi][j].text)
		r.headings[j] = collapse(rows[hi][j].text)
	}
	start := hi + 1
	if start < len(rows) && isSubHeader(rows[start]) {
		for j := 0; j < width && j < len(rows[start]); j++ {
			c := rows[start][j]
			if k := classify(c.text); k != kEmpty && k != kUnknown && (k != kNum || r.kinds[j] == kEmpty) {
				r.kinds[j] = k
				r.headings[j] = collapse(c.text)
			}
		}
		start++
	}
	r.checkColumns()
	defaultAction := intent(g.before)
	department := ""
	used := make([]bool, width)
	for _, row := range rows[start:] {
		switch {
		case r.isEmpty(row), isNumbering(row), isHeader(row):
			continue
		case len(r.people) > 0 && r.isText(row):
			// The form's text under the table (a spreadsheet has no end
			// of table): the signature, the date, the enclosures.
			r.preamble += rowText(row) + "\n"
			continue
		}
		if text, ok := sectionRow(row); ok {
			if a := intent(text); a != "" {
				defaultAction = a
			} else if !r.has(kDepartment) {
				department = collapse(strings.TrimRight(text, ":"))
			}
			continue
		}
		r.addRow(row, defaultAction, department, used)
	}
	for j, k := range r.kinds {
		if k == kUnknown && used[j] {
			r.problems = append(r.problems, fmt.Sprintf("столбец «%s» не распознан и не учтён", r.headings[j]))
		}
	}
	return true
}

// rowText is the text of a row's cells, " | " between them.
func rowText(row []cell) string {
	var parts []string
	for _, c := range row {
		if !c.span && strings.TrimSpace(c.text) != "" {
			parts = append(parts, strings.TrimSpace(c.text))
		}
	}
	return strings.Join(parts, " | ")
}

// footerRE: the first words of a line of the form's text under the table.
var footerRE = regexp.MustCompile(`^(?i:дата|приложени[ея]|исполнитель|подпись|м\.\s?п\.?$|место\s+печати|инн|кпп|огрн|наименование|юридический\s+адрес|адрес|руководитель:)(?:[^\p{L}]|$)`)

// signatureRE: a cell of a signature block: a line to sign on, a name
// between slashes, the captions under them.
var signatureRE = regexp.MustCompile(`_{3,}|^/[^/]+/$|^\((?i:подпись|должность|расшифровка подписи|ф\.?\s?и\.?\s?о\.?)\)$|^(?i:м\.\s?п\.?)$`)

// isText tells a row under the table that is the form's text, not a
// person: it holds no e-mail address, and a cell is a line to sign on or
// a caption of one, or its first words are a label of the form («Дата:»,
// «Приложение:», «Исполнитель:», «М.П.», «ИНН …»), or its number column
// holds words instead of a number (unless the row is one merged cell: a
// section, «Отдел кадров», «Прошу исключить:»).
func (r *tableReader) isText(row []cell) bool {
	_, section := sectionRow(row)
	first := ""
	for j, c := range row {
		t := strings.TrimSpace(c.text)
		if c.span || t == "" {
			continue
		}
		if strings.Contains(t, "@") {
			return false
		}
		if first == "" {
			first = t
		}
		if signatureRE.MatchString(t) {
			return true
		}
		if !section && j < len(r.kinds) && r.kinds[j] == kNum && !isInt(t) && strings.ContainsFunc(t, unicode.IsLetter) {
			return true
		}
	}
	return first != "" && footerRE.MatchString(first)
}

func (r *tableReader) has(k kind) bool {
	for _, x := range r.kinds {
		if x == k {
			return true
		}
	}
	return false
}

func (r *tableReader) checkColumns() {
	if !r.has(kFullName) && !r.has(kSurname) {
		r.problems = append(r.problems, "в таблице нет столбца «ФИО»")
	}
	if !r.has(kEmail) && !r.has(kContacts) {
		r.problems = append(r.problems, "в таблице нет столбца с адресом электронной почты")
	}
	if !r.has(kSystems) && !r.has(kRights) {
		r.problems = append(r.problems, "в таблице нет столбца «Наименования информационных систем»: не указано, к каким системам нужен доступ")
	}
}

// isEmpty: nothing but the number column is filled.
func (r *tableReader) isEmpty(row []cell) bool {
	for j, c := range row {
		if c.span || j >= len(r.kinds) || (r.kinds[j] == kNum && isInt(c.text)) {
			continue
		}
		if strings.TrimFunc(c.text, isBlankRune) != "" {
			return false
		}
	}
	return true
}

func isBlankRune(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\u00a0' || r == '_' || r == '-' || r == '—' || r == '–' || r == '.'
}

// isNumbering: a row of column numbers «1 2 3 4 5» under the header.
func isNumbering(row []cell) bool {
	n, prev := 0, 0
	for _, c := range row {
		t := strings.TrimSpace(c.text)
		if t == "" || c.span {
			continue
		}
		v, err := strconv.Atoi(strings.TrimSuffix(t, "."))
		if err != nil || (n > 0 && v != prev+1) {
			return false
		}
		prev = v
		n++
	}
	return n >= 3
}

// sectionRow: one merged cell across the row («Отдел образования»,
// «Исключить:»).
func sectionRow(row []cell) (string, bool) {
	text, spans := "", 0
	for _, c := range row {
		if c.span {
			spans++
			continue
		}
		if t := strings.TrimSpace(c.text); t != "" {
			if text != "" {
				return "", false
			}
			text = t
		}
	}
	return text, text != "" && spans > 0
}

func isInt(s string) bool {
	_, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(s), "."))
	return err == nil
}
