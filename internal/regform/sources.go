package regform

import (
	"fmt"
	"path"
	"strings"

	"github.com/otvet/otvet/internal/mailmsg"
)

// collectSources lists every place a table may be in: the HTML body, the
// text body (when it is not just a rendering of the HTML) and readable
// attachments.
func collectSources(m *mailmsg.Message) []source {
	var out []source
	if strings.TrimSpace(m.HTML) != "" {
		out = append(out, htmlSource(m.HTML))
	}
	if m.Text != "" && !m.TextFromHTML {
		out = append(out, textSource(m.Text))
	}
	for _, a := range m.Attachments {
		name := a.Filename
		lname := strings.ToLower(name)
		ext := path.Ext(lname)
		ct := strings.ToLower(a.ContentType)
		var s source
		switch {
		case ext == ".csv" || ct == "text/csv":
			s = source{name: SourceCSV}
		case ext == ".xlsx" || strings.Contains(ct, "spreadsheetml"):
			s = source{name: SourceXLSX}
		case ext == ".docx" || strings.Contains(ct, "wordprocessingml"):
			s = source{name: SourceDOCX}
		case ext == ".txt":
			s = source{name: SourceText}
		case ext == ".xls" || ext == ".ods":
			out = append(out, source{attachment: name, problems: []string{
				fmt.Sprintf("вложение «%s» не прочитано: сохраните таблицу в формате XLSX или CSV", name)}})
			continue
		case ext == ".doc" || ext == ".odt" || ext == ".rtf":
			if looksLikeForm(lname) {
				out = append(out, source{attachment: name, problems: []string{
					fmt.Sprintf("вложение «%s» не прочитано: сохраните заявку в формате DOCX или вставьте таблицу в текст письма", name)}})
			}
			continue
		default:
			continue
		}
		s.attachment = name
		if a.Data == nil {
			s.problems = []string{fmt.Sprintf("вложение «%s» не принято (%s) и не прочитано", name, a.DropReason)}
			out = append(out, s)
			continue
		}
		var err error
		switch s.name {
		case SourceCSV:
			s.grids, s.text = csvGrids(a.Data)
		case SourceXLSX:
			s.grids, err = xlsxGrids(a.Data)
		case SourceDOCX:
			s.grids, s.text, err = docxGrids(a.Data)
		case SourceText:
			t := decodeText(a.Data)
			s.grids, s.text = textGrids(t), t
		}
		if err != nil {
			s.problems = []string{fmt.Sprintf("вложение «%s» не прочитано: файл повреждён или это не %s", name, strings.ToUpper(s.name))}
		}
		out = append(out, s)
	}
	return out
}

func htmlSource(h string) source {
	grids, text := htmlGrids(h)
	return source{name: SourceHTML, grids: grids, text: text}
}

func textSource(t string) source {
	return source{name: SourceText, grids: textGrids(t), text: t}
}

// looksLikeForm: a file name that suggests the request itself.
func looksLikeForm(lname string) bool {
	for _, w := range []string{"заявк", "заявлен", "подключ", "список", "zayav", "spisok"} {
		if strings.Contains(lname, w) {
			return true
		}
	}
	return false
}
