package mailmsg

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
)

// TestBidiFilename: the name that shows as «invoiceexe.pdf» to agents is
// cleaned to its real order and flagged.
func TestBidiFilename(t *testing.T) {
	tests := []struct {
		name, filename, want, reason string
	}{
		{"RLO hides .exe", "invoice\u202Efdp.exe", "invoicefdp.exe", "executable: .exe"},
		{"RLO on a harmless name", "\u202Eпрограмма.pdf", "программа.pdf", "hidden_name: bidi control characters in the name"},
		{"isolates", "a\u2066b\u2069.txt", "ab.txt", "hidden_name: bidi control characters in the name"},
		{"marks and zero-width", "отчёт\u200f\u200b\u200d\u2060\ufeff\u061c\u200e.pdf", "отчёт.pdf", ""},
		{"soft hyphen (Cf)", "до\u00adговор.docx", "договор.docx", ""},
		{"tab becomes a blank", "a\tb.pdf", "a b.pdf", ""},
		{"2047-encoded RLO", "=?utf-8?B?" + base64.StdEncoding.EncodeToString([]byte("invoice\u202Efdp.exe")) + "?=", "invoicefdp.exe", "executable: .exe"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := mustParse(t, eml("From: a@b.c", "Content-Type: multipart/mixed; boundary=B", "", "--B",
				"Content-Type: application/octet-stream", `Content-Disposition: attachment; filename="`+tc.filename+`"`, "", "data", "--B--"), Options{})
			if len(m.Attachments) != 1 {
				t.Fatalf("attachments %+v", m.Attachments)
			}
			a := m.Attachments[0]
			if a.Filename != tc.want {
				t.Errorf("Filename = %q, want %q", a.Filename, tc.want)
			}
			if a.RiskReason != tc.reason || a.Risky != (tc.reason != "") {
				t.Errorf("Risky %v %q, want %q", a.Risky, a.RiskReason, tc.reason)
			}
			if tc.want != tc.filename && !strings.Contains(tc.filename, "\t") {
				wantProblem(t, m, "invisible or bidi control characters removed from the name of part 1")
			}
		})
	}
}

func zipWith(t *testing.T, names ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("x"))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestRiskyAttachment(t *testing.T) {
	ole := append([]byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"), make([]byte, 600)...)
	vba := append(append([]byte{}, ole...), []byte("_\x00V\x00B\x00A\x00_\x00P\x00R\x00O\x00J\x00E\x00C\x00T\x00")...)
	many := make([]string, 300)
	for i := range many {
		many[i] = "doc" + strings.Repeat("x", i%7) + ".pdf"
	}
	prepended := append([]byte("self-extractor stub "), zipWith(t, "a.txt", "run.bat")...)
	tests := []struct {
		name, file, ct string
		data           []byte
		exts           []string
		want           string
	}{
		{"pdf", "отчёт.pdf", "application/pdf", []byte("%PDF-1.4"), nil, ""},
		{"exe", "setup.exe", "application/octet-stream", nil, nil, "executable: .exe"},
		{"upper case, trailing dot and blank", "SETUP.EXE. ", "", nil, nil, "executable: .exe"},
		{"double extension", "счёт.pdf.scr", "", nil, nil, "executable: .scr"},
		{"script", "a.ps1", "", nil, nil, "executable: .ps1"},
		{"macro document", "Заявка.docm", "", nil, nil, "macro: .docm"},
		{"macro content type", "a.bin", "application/vnd.ms-excel.sheet.macroEnabled.12", nil, nil, "macro: content type application/vnd.ms-excel.sheet.macroenabled.12"},
		{"exe content type", "a", "application/x-msdownload", nil, nil, "executable: content type application/x-msdownload"},
		{"MZ named pdf", "a.pdf", "application/pdf", []byte("MZ\x90\x00"), nil, "executable: content is a Windows program"},
		{"ELF", "a", "", []byte("\x7fELF\x02"), nil, "executable: content is an ELF program"},
		{"OLE doc without macros", "a.doc", "application/msword", ole, nil, ""},
		{"OLE doc with VBA", "a.doc", "application/msword", vba, nil, "macro: VBA project inside the document"},
		{"docx with vbaProject.bin", "a.docx", "", zipWith(t, "word/document.xml", "word/vbaProject.bin"), nil, "macro: VBA project inside the document"},
		{"plain docx", "a.docx", "", zipWith(t, "word/document.xml", "[Content_Types].xml"), nil, ""},
		{"zip with exe", "docs.zip", "application/zip", zipWith(t, "readme.txt", "папка/счёт.pdf.exe"), nil, "archive: contains счёт.pdf.exe"},
		{"zip with bidi exe", "docs.zip", "application/zip", zipWith(t, "invoice\u202Efdp.js"), nil, "archive: contains invoicefdp.js"},
		{"zip of documents", "docs.zip", "application/zip", zipWith(t, many...), nil, ""},
		{"self-extractor with prepended data", "a.zip", "", prepended, nil, "archive: contains run.bat"},
		{"broken zip", "a.zip", "", []byte("PK\x03\x04garbage PK\x05\x06\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"), nil, ""},
		{"configured list", "a.iso", "", nil, []string{".ISO"}, "executable: .iso"},
		{"configured list replaces the default", "a.exe", "", nil, []string{"iso"}, ""},
		{"empty list: content only", "a.exe", "", []byte("MZ"), []string{}, "executable: content is a Windows program"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			risky, why := RiskyAttachment(tc.file, tc.ct, tc.data, tc.exts)
			if why != tc.want || risky != (tc.want != "") {
				t.Errorf("RiskyAttachment = %v %q, want %q", risky, why, tc.want)
			}
		})
	}
}

// TestRiskyInMessage: Parse fills Risky from Options.RiskyExtensions, also
// for a dropped attachment (by name).
func TestRiskyInMessage(t *testing.T) {
	raw := eml("From: a@b.c", "Content-Type: multipart/mixed; boundary=B", "", "--B",
		"Content-Type: application/octet-stream", `Content-Disposition: attachment; filename="big.exe"`, "", strings.Repeat("x", 200), "--B",
		"Content-Type: application/octet-stream", `Content-Disposition: attachment; filename="a.iso"`, "", "x", "--B--")
	m := mustParse(t, raw, Options{MaxAttachmentBytes: 100})
	if a := m.Attachments[0]; !a.Dropped || !a.Risky || a.RiskReason != "executable: .exe" {
		t.Errorf("dropped exe: %+v", a)
	}
	if m.Attachments[1].Risky {
		t.Errorf("iso flagged by default")
	}
	m = mustParse(t, raw, Options{RiskyExtensions: []string{"iso"}})
	if m.Attachments[0].Risky || !m.Attachments[1].Risky {
		t.Errorf("configured list not used: %+v", m.Attachments)
	}
}

func FuzzRiskyAttachment(f *testing.F) {
	f.Add("a.zip", []byte("PK\x05\x06"+strings.Repeat("\xff", 18)))
	f.Add("a.doc", []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1_\x00V\x00B\x00A"))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		n := allocated(func() { RiskyAttachment(name, "", data, nil) })
		if limit := uint64(64<<10 + 4*len(name) + len(data)/4); n > limit {
			t.Fatalf("allocated %d bytes (bound %d)", n, limit)
		}
	})
}
