package regform

import (
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/otvet/otvet/internal/mailmsg"
)

var (
	authorityName = []string{"приказ", "распоряж", "доверен", "устав", "нпа", "полномоч", "назначен", "постановлен", "решение",
		"prikaz", "rasporyazh", "rasporjazh", "doveren", "ustav", "npa", "polnomoch", "naznachen", "postanovlen"}
	// claimRE: a line of the text saying the document is attached.
	claimWhat = regexp.MustCompile(`(?i)(приказ|распоряжени|доверенност|устав|НПА|полномочи|назначени)`)
	claimHow  = regexp.MustCompile(`(?i)(прилага|приложени|во\s+вложении|вложени|направля|прикрепл|прилож)`)
)

// documentExt are the kinds of file an authority document comes as.
func documentExt(ext string) bool {
	switch ext {
	case ".pdf", ".jpg", ".jpeg", ".png", ".tif", ".tiff", ".gif", ".bmp", ".heic", ".doc", ".docx", ".odt", ".rtf",
		".sig", ".p7s", ".zip", ".rar", ".7z":
		return true
	}
	return false
}

// findAuthority tells whether the document confirming the signatory's
// authority is attached: an attachment named like one (приказ, распоряжение,
// доверенность, устав, НПА…), or a document attached (other than the table
// itself) while the text says the authority document is attached.
func findAuthority(m *mailmsg.Message, texts []string, tableFile string, problems []string) (bool, []string) {
	named, anyDoc := false, false
	for _, a := range m.Attachments {
		if a.Inline && a.ContentID != "" && strings.HasPrefix(strings.ToLower(a.ContentType), "image/") {
			continue // a logo in the signature
		}
		lname := strings.ToLower(strings.ReplaceAll(a.Filename, "ё", "е"))
		ext := path.Ext(lname)
		if ext == "" {
			switch ct := strings.ToLower(a.ContentType); {
			case ct == "application/pdf":
				ext = ".pdf"
			case strings.HasPrefix(ct, "image/"):
				ext = ".jpg"
			}
		}
		if !documentExt(ext) {
			continue
		}
		for _, w := range authorityName {
			if strings.Contains(lname, w) {
				named = true
			}
		}
		if a.Filename != tableFile {
			anyDoc = true
		}
	}
	claim := false
	for _, t := range texts {
		for _, line := range strings.Split(t, "\n") {
			low := strings.ToLower(line)
			if !strings.Contains(low, "прил") && !strings.Contains(low, "влож") && !strings.Contains(low, "направл") && !strings.Contains(low, "прикреп") {
				continue
			}
			if claimWhat.MatchString(line) && claimHow.MatchString(line) {
				claim = true
			}
		}
	}
	switch {
	case named, claim && anyDoc:
		return true, problems
	case claim:
		return false, append(problems, "в письме сказано, что документ, подтверждающий полномочия, приложен, но вложения нет")
	}
	return false, append(problems, fmt.Sprintf("не приложен документ, подтверждающий полномочия подписавшего заявку (%s)", "приказ, распоряжение, доверенность или устав"))
}

// AuthorityDocument tells whether a later message (a reply on the connection
// request's ticket) brings the document confirming the signatory's
// authority: an attachment named like one, or a document attached while the
// text says it is the authority document. It never panics.
func AuthorityDocument(m *mailmsg.Message) (ok bool) {
	if m == nil {
		return false
	}
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	ok, _ = findAuthority(m, []string{m.Subject, m.Text}, "", nil)
	return ok
}
