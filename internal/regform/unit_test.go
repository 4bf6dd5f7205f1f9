package regform

import (
	"archive/zip"
	"bytes"
	"fmt"
	"html"
	"slices"
	"strings"
	"testing"

	"github.com/otvet/otvet/internal/mailmsg"
	"golang.org/x/text/encoding/charmap"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		heading string
		want    kind
	}{
		{"№ п/п", kNum},
		{"N п/п", kNum},
		{"№", kNum},
		{"Должность", kPosition},
		{"Занимаемая должность", kPosition},
		{"Фамилия Имя Отчество", kFullName},
		{"Фамилия,\nимя, отчество", kFullName},
		{"Ф.И.О.", kFullName},
		{"ФИО сотрудника", kFullName},
		{"Фамилия И.О.", kFullName},
		{"Сотрудник", kFullName},
		{"Фамилия", kSurname},
		{"Имя", kFirstName},
		{"Отчество", kPatronymic},
		{"Наименования информационных систем", kSystems},
		{"Наименование ИС", kSystems},
		{"Перечень информационных систем", kSystems},
		{"Перечень данных, документов, информации, функций для доступа, в т.ч. дата рождения, пол", kSystems},
		{"Права доступа", kRights},
		{"Права доступа к данным", kRights},
		{"Роль", kRights},
		{"Контакты тел., e-mail", kContacts},
		{"Контакты", kContacts},
		{"Контактный телефон", kPhone},
		{"Телефон", kPhone},
		{"тел.", kPhone},
		{"E-mail", kEmail},
		{"e-mail", kEmail},
		{"Эл. почта", kEmail},
		{"Адрес электронной почты", kEmail},
		{"Email", kEmail},
		{"Подразделение", kDepartment},
		{"Структурное подразделение", kDepartment},
		{"Отдел", kDepartment},
		{"Действие", kAction},
		{"Изменение", kAction},
		{"Примечание", kNote},
		{"Учётная запись в системе", kAccount},
		{"Логин", kAccount},
		{"Способ передачи ключа", kKeyChannel},
		{"Передача ключа доступа", kKeyChannel},
		{"Дата рождения", kUnknown},
		{"СНИЛС", kUnknown},
		{"  ", kEmpty},
		{"ivanov@mail.ru", kUnknown},
	}
	for _, tt := range tests {
		if got := classify(tt.heading); got != tt.want {
			t.Errorf("classify(%q) = %d, want %d", tt.heading, got, tt.want)
		}
	}
}

func TestExtractEmails(t *testing.T) {
	tests := []struct {
		in        string
		good, bad []string
	}{
		{"Ivanov@Mail.RU", []string{"Ivanov@mail.ru"}, nil},
		{"mailto:a.b@kgo66.ru.", []string{"a.b@kgo66.ru"}, nil},
		{"тел. 6-12-34, e-mail: petrov @ kgo66.ru", []string{"petrov@kgo66.ru"}, nil},
		{"<x@y.ru>; z@w.ru", []string{"x@y.ru", "z@w.ru"}, nil},
		{"ivanov@mail", nil, []string{"ivanov@mail"}},
		{"ivanov@@mail.ru", nil, []string{"ivanov@@mail.ru"}},
		{"a..b@mail.ru", nil, []string{"a..b@mail.ru"}},
		{"user@почта.рф", []string{"user@почта.рф"}, nil},
		{"нет", nil, nil},
	}
	for _, tt := range tests {
		good, bad := extractEmails(tt.in)
		if !slices.Equal(good, tt.good) || !slices.Equal(bad, tt.bad) {
			t.Errorf("extractEmails(%q) = %q, %q; want %q, %q", tt.in, good, bad, tt.good, tt.bad)
		}
	}
}

func TestPhoneFrom(t *testing.T) {
	tests := []struct{ in, want string }{
		{"8 (34341) 6-12-34", "8 (34341) 6-12-34"},
		{"тел. 8 (34341) 6-12-34, e-mail: a@b.ru", "8 (34341) 6-12-34"},
		{"a@b.ru; тел.: +7 912 000-00-00", "+7 912 000-00-00"},
		{"8-912-000-00-00\n6-12-34 (раб.)", "8-912-000-00-00, 6-12-34 (раб.)"},
		{"эл. почта a@b.ru", ""},
		{"нет", ""},
	}
	for _, tt := range tests {
		if got := phoneFrom(tt.in); got != tt.want {
			t.Errorf("phoneFrom(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestActionOf(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Добавить", ActionAdd}, {"новый", ActionAdd}, {"+", ActionAdd},
		{"Исключить", ActionRemove}, {"удалить (уволен)", ActionRemove}, {"-", ActionRemove}, {"Заблокировать", ActionRemove},
		{"Изменить права", ActionUpdate}, {"замена", ActionUpdate},
		{"???", ""}, {"", ""},
	}
	for _, tt := range tests {
		if got := actionOf(tt.in); got != tt.want {
			t.Errorf("actionOf(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if hasRemoveWord([]string{"удалённый доступ"}) {
		t.Error("«удалённый доступ» read as a removal")
	}
	if !hasRemoveWord([]string{"Уволена 10.01.2025"}) {
		t.Error("«Уволена» not read as a removal")
	}
}

func TestChecksums(t *testing.T) {
	for _, s := range []string{"6615001232", "3812009394", "661500123409"} {
		if !validINN(s) {
			t.Errorf("validINN(%s) = false", s)
		}
	}
	for _, s := range []string{"6615001234", "661500123408", "12345", "66150012ab"} {
		if validINN(s) {
			t.Errorf("validINN(%s) = true", s)
		}
	}
	if !validOGRN("1026601234560") || validOGRN("1026601234561") || validOGRN("12") {
		t.Error("validOGRN")
	}
}

func TestOrganisation(t *testing.T) {
	tests := []struct {
		name, text string
		want       Organisation
	}{
		{"labels", "Наименование организации: МАОУ «СОШ № 3»\nИНН/КПП 6615001232/661501001\nОГРН: 1026601234560\nАдрес: 624350, г. Качканар, ул. Мира, 1\nРуководитель: Петров Иван Иванович",
			Organisation{Name: "МАОУ «СОШ № 3»", INN: "6615001232", KPP: "661501001", OGRN: "1026601234560", Address: "624350, г. Качканар, ул. Мира, 1", Head: "Петров Иван Иванович"}},
		{"table cells", "Наименование | МБУ «Центр» | \nИНН | 6615001232\nКПП | 661501001\nПочтовый адрес | 624351, а/я 5\nЮридический адрес | 624350, ул. Свердлова, 8",
			Organisation{Name: "МБУ «Центр»", INN: "6615001232", KPP: "661501001", Address: "624350, ул. Свердлова, 8"}},
		{"placeholders of the blank form", "Клиент: _____\nИНН _____ ОГРН _____\nМесто нахождения: _____",
			Organisation{}},
		{"signature", "Заведующая МБДОУ № 5 __________ Смирнова О.П.",
			Organisation{Name: "МБДОУ № 5", Head: "Смирнова О.П."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := findOrganisation([]string{tt.text}, nil)
			if got != tt.want {
				t.Errorf("got  %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

// TestLegalForms: an organisation named by any legal form of the family
// (level, type, kind, «ДО») is found in a line of the form's text.
func TestLegalForms(t *testing.T) {
	forms := []string{"МКУК", "МБУК", "МАУК", "МКОУ", "МБОУ", "МАОУ", "МКДОУ", "МБДОУ", "МАДОУ", "МКУ", "МБУ", "МАУ",
		"МБУДО", "МАУДО", "МУП", "ГБУ", "ГКУ", "ГАУ", "ГБОУ", "ГАПОУ", "ГБПОУ", "ГБУЗ", "ГАУЗ", "ГБУК", "ГАУСО",
		"ОГБУ", "ОГБУЗ", "ОГБУСО", "ОГКУ", "ОГАУ", "ФГБУ", "ФГБОУ", "ФГАОУ", "ФГУП", "ООО", "АО", "ПАО", "АНО"}
	for _, f := range forms {
		name := f + " «Дворец культуры «Горняк»»"
		got, _ := findOrganisation([]string{"Прошу подключить сотрудников\n" + name + "\nтел. 2-11-05"}, nil)
		if got.Name != name {
			t.Errorf("%s: name %q, want %q", f, got.Name, name)
		}
	}
	for _, line := range []string{"МОСКВА ул. Ленина", "ГБОУЩ «Школа»", "Прошу подключить АРМ к МИС"} {
		if got, _ := findOrganisation([]string{line}, nil); got.Name != "" {
			t.Errorf("%q: name %q, want none", line, got.Name)
		}
	}
}

func TestDecodeText(t *testing.T) {
	const s = "Фамилия;Должность\nИванов Иван;инженер\n"
	cp, _ := charmap.Windows1251.NewEncoder().String(s)
	koi, _ := charmap.KOI8R.NewEncoder().String(s)
	for name, in := range map[string]string{"utf-8": s, "bom": "\ufeff" + s, "cp1251": cp, "koi8-r": koi} {
		if got := decodeText([]byte(in)); got != s {
			t.Errorf("%s: decodeText = %q", name, got)
		}
	}
}

func TestCSVSeparators(t *testing.T) {
	for name, in := range map[string]string{
		"semicolon": "ФИО;E-mail;Должность\nИванов Иван Иванович;i@x.ru;инженер\n",
		"comma":     "ФИО,E-mail,Должность\n\"Иванов Иван Иванович\",i@x.ru,\"инженер, 1 кат.\"\n",
		"tab":       "ФИО\tE-mail\tДолжность\nИванов Иван Иванович\ti@x.ru\tинженер\n",
		"sep line":  "sep=,\nФИО,E-mail,Должность\nИванов Иван Иванович,i@x.ru,инженер\n",
	} {
		grids, _ := csvGrids([]byte(in), newBudget(), "t")
		r := readPeople(source{name: SourceCSV, grids: grids})
		if r == nil || len(r.people) != 1 || r.people[0].Email != "i@x.ru" || !strings.HasPrefix(r.people[0].Position, "инженер") {
			t.Errorf("%s: %+v", name, r)
		}
	}
}

// makeXLSX builds a minimal XLSX workbook with inline strings, numbers and
// merged cells; enough for the reader, as Excel and LibreOffice write it
// in the parts that matter.
func makeXLSX(t testing.TB, rows [][]any, merges ...string) []byte {
	t.Helper()
	var sheet strings.Builder
	sheet.WriteString(`<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	for i, row := range rows {
		fmt.Fprintf(&sheet, `<row r="%d">`, i+1)
		for j, v := range row {
			ref := fmt.Sprintf("%c%d", 'A'+j, i+1)
			switch v := v.(type) {
			case nil:
			case string:
				fmt.Fprintf(&sheet, `<c r="%s" t="inlineStr"><is><t>%s</t></is></c>`, ref, html.EscapeString(v))
			default:
				fmt.Fprintf(&sheet, `<c r="%s"><v>%v</v></c>`, ref, v)
			}
		}
		sheet.WriteString(`</row>`)
	}
	sheet.WriteString(`</sheetData>`)
	if len(merges) > 0 {
		sheet.WriteString(`<mergeCells>`)
		for _, m := range merges {
			fmt.Fprintf(&sheet, `<mergeCell ref="%s"/>`, m)
		}
		sheet.WriteString(`</mergeCells>`)
	}
	sheet.WriteString(`</worksheet>`)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, part := range [][2]string{ // in a fixed order: the same bytes every time
		{"xl/workbook.xml", `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Лист1" sheetId="1" r:id="rId7"/></sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId7" Target="/xl/worksheets/data.xml"/></Relationships>`},
		{"xl/worksheets/data.xml", sheet.String()},
	} {
		name, body := part[0], part[1]
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestXLSX(t *testing.T) {
	data := makeXLSX(t, [][]any{
		{"Список сотрудников"},
		{"Ф.И.О.", "Контакты", nil, "Наименование ИС"},
		{nil, "тел.", "e-mail", nil},
		{"Иванов Иван Иванович", 7.9123456789e10, "ivanov@x.ru", "СЭД"},
		{"Петров Пётр Петрович", "6-12-34", "petrov@x.ru", nil},
	}, "A1:D1", "B2:C2", "A2:A3", "D2:D3", "D4:D5")
	grids, err := xlsxGrids(data, newBudget(), "t")
	if err != nil {
		t.Fatal(err)
	}
	r := readPeople(source{name: SourceXLSX, grids: grids})
	if r == nil {
		t.Fatal("no table")
	}
	var got []string
	for _, p := range r.people {
		got = append(got, personLine(p))
	}
	want := []string{
		"add | Иванов Иван Иванович |  |  | ivanov@x.ru | 79123456789 | СЭД | ",
		"add | Петров Пётр Петрович |  |  | petrov@x.ru | 6-12-34 | СЭД | ",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if _, err := xlsxGrids([]byte("not a zip"), newBudget(), "t"); err == nil {
		t.Error("garbage accepted as XLSX")
	}
}

func TestHTMLMergedCells(t *testing.T) {
	const h = `<table>
<tr><th rowspan=2>ФИО</th><th colspan=2>Контакты</th><th rowspan=2>Система</th></tr>
<tr><th>Телефон</th><th>E-mail</th></tr>
<tr><td colspan=4>Отдел кадров</td></tr>
<tr><td>Иванов Иван Иванович</td><td>1-11</td><td>i@x.ru</td><td rowspan=2>1С: ЗУП</td></tr>
<tr><td>Петров Пётр Петрович</td><td>2-22</td><td>p@x.ru</td></tr>
<tr><td colspan=4>Исключить:</td></tr>
<tr><td>Сидоров Сидор Сидорович</td><td></td><td>s@x.ru</td><td>1С: ЗУП</td></tr>
</table>`
	grids, _ := htmlGrids(h, newBudget(), "t")
	r := readPeople(source{name: SourceHTML, grids: grids})
	if r == nil {
		t.Fatal("no table")
	}
	var got []string
	for _, p := range r.people {
		got = append(got, personLine(p))
	}
	want := []string{
		"add | Иванов Иван Иванович |  | Отдел кадров | i@x.ru | 1-11 | 1С: ЗУП | ",
		"add | Петров Пётр Петрович |  | Отдел кадров | p@x.ru | 2-22 | 1С: ЗУП | ",
		"remove | Сидоров Сидор Сидорович |  | Отдел кадров | s@x.ru |  | 1С: ЗУП | ",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestDetectNegative(t *testing.T) {
	tests := []struct{ subject, text string }{
		{"Не печатает принтер", "Добрый день! Принтер в каб. 305 не печатает. Иванов, тел. 6-12-34"},
		{"Проблема с подключением к системе", "Не могу подключиться к СЭД, пишет ошибку соединения."},
		{"Вопрос по ЕИС", "Подскажите, как выгрузить отчёт.\nКод\tОписание\nE-05\tЗамятие"},
	}
	for _, tt := range tests {
		m := &mailmsg.Message{Subject: tt.subject, Text: tt.text}
		if Detect(m) {
			t.Errorf("Detect(%q) = true", tt.subject)
		}
	}
	if Detect(nil) {
		t.Error("Detect(nil) = true")
	}
	if r, err := Parse(nil); err == nil || r == nil {
		t.Errorf("Parse(nil) = %v, %v", r, err)
	}
	pos := &mailmsg.Message{Subject: "Доступ", Text: "Просим произвести подключение сотрудников к информационной системе «Дело»."}
	if !Detect(pos) {
		t.Error("«просим … подключение … к системе» not detected")
	}
}

func TestAuthorityDocumentLater(t *testing.T) {
	for _, c := range []struct {
		name string
		m    *mailmsg.Message
		want bool
	}{
		{"nil", nil, false},
		{"named scan", &mailmsg.Message{Text: "Добрый день", Attachments: []mailmsg.Attachment{{Filename: "Приказ №12.pdf", ContentType: "application/pdf"}}}, true},
		{"claimed scan", &mailmsg.Message{Text: "Направляем доверенность во вложении.", Attachments: []mailmsg.Attachment{{Filename: "scan001.jpg", ContentType: "image/jpeg"}}}, true},
		{"claim without a file", &mailmsg.Message{Text: "Доверенность прилагается."}, false},
		{"a logo", &mailmsg.Message{Text: "Приказ прилагается", Attachments: []mailmsg.Attachment{{Filename: "logo.png", ContentType: "image/png", Inline: true, ContentID: "x"}}}, false},
		{"a spreadsheet", &mailmsg.Message{Text: "Спасибо", Attachments: []mailmsg.Attachment{{Filename: "prikaz.xlsx"}}}, false},
	} {
		if got := AuthorityDocument(c.m); got != c.want {
			t.Errorf("%s: AuthorityDocument = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestOpenKeyChannel(t *testing.T) {
	for _, tt := range []struct {
		text string
		open bool
	}{
		{"защищённый канал связи VipNet", false},
		{"лично в руки на материальном носителе", false},
		{"Лично, на флешке", false},
		{"электронная почта", true},
		{"по E-mail", true},
		{"СМС на мобильный", true},
		{"в Telegram", true},
		{"по телефону", true},
		{"", false},
	} {
		if _, open := OpenKeyChannel(tt.text); open != tt.open {
			t.Errorf("OpenKeyChannel(%q) = %v, want %v", tt.text, open, tt.open)
		}
	}
}
