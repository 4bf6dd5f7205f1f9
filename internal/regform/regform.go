// Package regform reads a connection request (заявка на подключение) from a
// parsed mail: the table of staff to be given accounts, the organisation's
// details and whether the document confirming the signatory's authority is
// attached. The table may be an HTML table in the body (as Outlook and Word
// produce it), tab- or "|"-separated text, or a CSV, XLSX or DOCX
// attachment. Columns are recognised by their Russian headings in any order.
//
// Everything here is pure: no I/O, no logging; bad input becomes Problems,
// never a panic.
package regform

import (
	"errors"
	"fmt"

	"github.com/otvet/otvet/internal/mailmsg"
)

// Actions a request may ask for about one person.
const (
	ActionAdd    = "add"
	ActionUpdate = "update"
	ActionRemove = "remove"
)

// Sources of the table.
const (
	SourceHTML = "html"
	SourceText = "text"
	SourceCSV  = "csv"
	SourceXLSX = "xlsx"
	SourceDOCX = "docx"
)

// ErrNoTable is returned by Parse when the mail holds no table of people.
var ErrNoTable = errors.New("regform: no table of people found")

// Person is one row of the request's table, normalised: spaces collapsed,
// the e-mail's domain lower-cased, the phone kept as written.
type Person struct {
	Row        int // 1-based position among the people of the request
	Position   string
	FullName   string
	Systems    string // information systems / data to be given access to
	Rights     string // access rights or role
	Phone      string
	Email      string // "" when missing or invalid (see Problems)
	Department string
	Action     string // ActionAdd (default), ActionUpdate or ActionRemove
	// Account is the account in the system («Учётная запись», «Логин»);
	// KeyChannel is how the access key is handed over («Способ передачи
	// ключа»). Both may be set by the operator (otvet registration edit).
	Account    string `json:",omitempty"`
	KeyChannel string `json:",omitempty"`
}

// Organisation holds the requester's details found in the form's text.
type Organisation struct {
	Name, INN, OGRN, KPP, Address, Head string
}

// Request is a parsed connection request.
type Request struct {
	Organisation Organisation
	People       []Person
	Source       string // SourceHTML, SourceText, SourceCSV, SourceXLSX or SourceDOCX
	// HasAuthorityDocument: an attachment looks like the document confirming
	// the signatory's authority (приказ, распоряжение, доверенность, устав,
	// НПА…), or the text says it is attached and a document is attached.
	HasAuthorityDocument bool
	// Problems are human-readable, in Russian, ready to be quoted to the
	// sender or the operator: rows without e-mail, bad e-mail, unknown
	// columns, bad INN, no authority document…
	Problems []string
	// Cuts says, in Russian, what the budgets of one message cut (a sheet
	// read in part, a table beyond the cell limit…); each is also among
	// Problems. Empty when everything was read.
	Cuts []string `json:",omitempty"`
	// NoHead: the operator declined making the signatory
	// (Organisation.Head, when a person of the table) the organisation's
	// head on approval (otvet registration edit --no-head). Never read from
	// a form.
	NoHead bool `json:",omitempty"`
}

// Parse reads a connection request from m. It returns ErrNoTable when no
// table of people is found; the Request is returned even then, with the
// organisation's details, the authority document and the problems found,
// so that the caller can answer the sender. It never panics.
func Parse(m *mailmsg.Message) (req *Request, err error) {
	if m == nil {
		return &Request{}, ErrNoTable
	}
	defer func() {
		if r := recover(); r != nil {
			req, err = &Request{}, fmt.Errorf("regform: internal error: %v", r)
		}
	}()
	return parse(m)
}

func parse(m *mailmsg.Message) (*Request, error) {
	req := &Request{}
	bud := newBudget()
	srcs := collectSources(m, bud)
	var best *tableResult
	var texts []string
	for _, s := range srcs {
		texts = append(texts, s.text)
		req.Problems = append(req.Problems, s.problems...)
		r := readPeople(s)
		if r == nil {
			continue
		}
		if best == nil || len(r.people) > len(best.people) {
			best = r
		}
	}
	if best != nil {
		req.People = best.people
		req.Source = best.source
		req.Problems = append(req.Problems, best.problems...)
		texts = append(texts, best.preamble)
	}
	texts = append(texts, m.Subject)
	if m.HTML == "" || !m.TextFromHTML {
		texts = append(texts, m.Text)
	}
	req.Organisation, req.Problems = findOrganisation(texts, req.Problems)
	var used string
	if best != nil {
		used = best.attachment
	}
	req.HasAuthorityDocument, req.Problems = findAuthority(m, texts, used, req.Problems)
	req.Cuts = bud.cuts
	req.Problems = dedupe(append(req.Problems, bud.cuts...))
	if best == nil {
		req.Problems = append(req.Problems, "в письме не найдена таблица сотрудников (столбцы «ФИО», «Должность», «E-mail»…)")
		return req, ErrNoTable
	}
	return req, nil
}

func dedupe(list []string) []string {
	seen := make(map[string]bool, len(list))
	out := list[:0]
	for _, s := range list {
		if s == "" || seen[s] {
			continue
		}
		seen[s] = true
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
