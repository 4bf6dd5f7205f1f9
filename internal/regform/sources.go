package regform

import (
	"fmt"
	"path"
	"strings"

	"github.com/otvet/otvet/internal/mailmsg"
)

// collectSources lists every place a table may be in: the HTML body, the
// text body (when it is not just a rendering of the HTML) and readable
// attachments. All the readers share bud, the budget of the message.
func collectSources(m *mailmsg.Message, bud *budget) []source {
	var out []source
	if strings.TrimSpace(m.HTML) != "" {
		out = append(out, htmlSource(m.HTML, bud))
	}
	if m.Text != "" && !m.TextFromHTML {
		out = append(out, textSource(m.Text, bud))
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
		where := fmt.Sprintf("вложение «%s»", name)
		switch s.name {
		case SourceCSV:
			s.grids, s.text = csvGrids(a.Data, bud, where)
		case SourceXLSX:
			s.grids, err = xlsxGrids(a.Data, bud, where)
			s.text = sheetsText(s.grids)
		case SourceDOCX:
			s.grids, s.text, err = docxGrids(a.Data, bud, where)
		case SourceText:
			t := decodeText(cutAttachment(a.Data, bud, where))
			s.grids, s.text = textGrids(t, bud, where), t
		}
		if err != nil {
			s.problems = []string{fmt.Sprintf("вложение «%s» не прочитано: файл повреждён или это не %s", name, strings.ToUpper(s.name))}
		}
		out = append(out, s)
	}
	return out
}

func htmlSource(h string, bud *budget) source {
	grids, text := htmlGrids(h, bud, "HTML-текст письма")
	return source{name: SourceHTML, grids: grids, text: text}
}

func textSource(t string, bud *budget) source {
	return source{name: SourceText, grids: textGrids(t, bud, "текст письма"), text: t}
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
