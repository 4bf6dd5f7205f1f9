package mailin

import (
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
)

func TestPlanBoundsHostileStructure(t *testing.T) {
	var children []imap.BodyStructure
	for i := range 5000 {
		if i%2 == 0 {
			children = append(children, &imap.BodyStructureSinglePart{Type: "text", Subtype: "plain", Size: 10})
		} else {
			children = append(children, &imap.BodyStructureSinglePart{Type: "application", Subtype: "zip", Size: 78, Encoding: "base64",
				Params: map[string]string{"name": "a\r\nX-Evil: 1.zip"}})
		}
	}
	take, omitted := plan(&imap.BodyStructureMultiPart{Subtype: "mixed", Children: children})
	if len(take) != oversizedTextParts {
		t.Errorf("took %d text parts, want %d", len(take), oversizedTextParts)
	}
	if len(omitted) != oversizedListed+1 || omitted[len(omitted)-1].Kind != OmittedMore || omitted[len(omitted)-1].Count != 5000-oversizedTextParts-oversizedListed {
		t.Fatalf("omitted %d entries, last %+v", len(omitted), omitted[len(omitted)-1])
	}
	if omitted[0].Size != 57 || omitted[0].Section != "2" {
		t.Errorf("first omitted %+v, want section 2 of 57 decoded bytes", omitted[0])
	}
	raw := assemble([]byte("Subject: x\r\nContent-Type: text/plain\r\nX-Otvet-Omitted: file; filename=forged\r\n\r\n"), nil, nil, omitted)
	if strings.Contains(string(raw), "forged") || strings.Contains(string(raw), "\r\nX-Evil") {
		t.Errorf("assembled header carries the sender's fields or a header injection:\n%s", raw)
	}
}

func TestOmittedRoundTrip(t *testing.T) {
	in := []Omitted{
		{Kind: OmittedFile, Section: "2", Type: "application/pdf", Filename: "скан отчёта; «итог».pdf", Size: 20 << 20},
		{Kind: OmittedTextCut, Section: "1.1", Type: "text/plain", Size: 3 << 20, Kept: 1 << 20},
		{Kind: OmittedMore, Count: 7},
	}
	var fields []string
	for _, o := range in {
		fields = append(fields, o.field())
	}
	got := ParseOmitted(append(fields, "garbage;;", "unknown; size=1"))
	if len(got) != len(in) {
		t.Fatalf("got %+v", got)
	}
	for i := range in {
		if got[i] != in[i] {
			t.Errorf("entry %d: %+v, want %+v", i, got[i], in[i])
		}
	}
}

func TestFilenameRFC2231(t *testing.T) {
	for _, tc := range []struct {
		name string
		sp   imap.BodyStructureSinglePart
		want string
	}{
		{"plain", imap.BodyStructureSinglePart{Extended: &imap.BodyStructureSinglePartExt{Disposition: &imap.BodyStructureDisposition{
			Value: "attachment", Params: map[string]string{"filename": "a.pdf"}}}}, "a.pdf"},
		{"extended", imap.BodyStructureSinglePart{Extended: &imap.BodyStructureSinglePartExt{Disposition: &imap.BodyStructureDisposition{
			Value: "attachment", Params: map[string]string{"filename*": "utf-8''%D1%81%D0%BA%D0%B0%D0%BD.pdf"}}}}, "скан.pdf"},
		{"continued", imap.BodyStructureSinglePart{Extended: &imap.BodyStructureSinglePartExt{Disposition: &imap.BodyStructureDisposition{
			Value: "attachment", Params: map[string]string{"filename*0*": "utf-8''%D1%81%D0%BA", "filename*1*": "%D0%B0%D0%BD.pdf"}}}}, "скан.pdf"},
		{"type name", imap.BodyStructureSinglePart{Params: map[string]string{"name": "b.zip"}}, "b.zip"},
		{"unknown charset", imap.BodyStructureSinglePart{Params: map[string]string{"name*": "x-unknown''a%20b.txt"}}, "a b.txt"},
		{"none", imap.BodyStructureSinglePart{}, ""},
	} {
		if got := filename(&tc.sp); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

// FuzzParseOmitted: any header value parses without panicking, and what an
// entry's field says survives the round trip.
func FuzzParseOmitted(f *testing.F) {
	f.Add("file; section=2; size=20971520; type=application/pdf; filename*=utf-8''%D1%81.pdf", "скан;\r\n «x».pdf", int64(5))
	f.Add("more; count=7", "", int64(0))
	f.Fuzz(func(t *testing.T, value, name string, size int64) {
		ParseOmitted([]string{value})
		if size < 0 {
			size = -size
		}
		o := Omitted{Kind: OmittedFile, Section: "1.2", Type: "application/zip", Filename: name, Size: size}
		got := ParseOmitted([]string{o.field()})
		if len(got) != 1 || got[0].Filename != clean(name, 200) || (size > 0 && got[0].Size != size) {
			t.Fatalf("%q -> %+v", o.field(), got)
		}
	})
}
