package mailmsg

import (
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
)

var russian = []string{
	"Здравствуйте! У нас не работает принтер в кабинете 305, помогите пожалуйста.",
	"Добрый день. Прошу восстановить доступ к электронной почте, пароль истёк вчера.",
	"Ошибка при входе в систему",
	"Спасибо, всё заработало.",
	"ПРИНТЕР НЕ ПЕЧАТАЕТ",
}

func encode(t testing.TB, cs, s string) []byte {
	t.Helper()
	if cs == csUTF8 {
		return []byte(s)
	}
	b, err := charmapFor(cs).NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encode %s: %v", cs, err)
	}
	return b
}

func TestDetectRussian(t *testing.T) {
	for _, cs := range []string{csUTF8, csCP1251, csKOI8R, csCP866, csISO5} {
		for _, s := range russian {
			t.Run(cs+"/"+s[:12], func(t *testing.T) {
				b := encode(t, cs, s)
				if got := detect(b); got != cs {
					t.Errorf("detect = %s, want %s (scores: 1251 %.1f koi8 %.1f 866 %.1f iso5 %.1f)", got, cs,
						score(b, charmap.Windows1251), score(b, charmap.KOI8R), score(b, charmap.CodePage866), score(b, charmap.ISO8859_5))
				}
			})
		}
	}
}

func TestDetectLatinFallsBackToCP1252(t *testing.T) {
	b, _ := charmap.Windows1252.NewEncoder().Bytes([]byte("Grüße aus München, à bientôt, señor"))
	if got := detect(b); got != csCP1252 {
		t.Errorf("detect = %s, want windows-1252", got)
	}
}

func TestToUTF8(t *testing.T) {
	const text = "Добрый день. Прошу восстановить доступ к электронной почте, пароль истёк вчера."
	tests := []struct {
		name     string
		data     []byte
		label    string
		wantCS   string
		problem  string // substring expected in Problems, "" for none
		wantText string
	}{
		{"utf-8 declared", []byte(text), "utf-8", csUTF8, "", text},
		{"us-ascii plain", []byte("hello"), "us-ascii", "us-ascii", "", "hello"},
		{"koi8-r declared", encode(t, csKOI8R, text), "KOI8-R", csKOI8R, "", text},
		{"cp1251 declared as alias", encode(t, csCP1251, text), "cp1251", csCP1251, "", text},
		{"cp866 declared", encode(t, csCP866, text), "cp866", csCP866, "", text},
		{"iso-8859-5 declared", encode(t, csISO5, text), "ISO-8859-5", csISO5, "", text},
		{"unknown charset", encode(t, csKOI8R, text), "x-foo", csKOI8R, `unknown charset "x-foo"`, text},
		{"unlabelled 8-bit", encode(t, csCP1251, text), "", csCP1251, "without a charset", text},
		{"koi8-r labelled windows-1251", encode(t, csKOI8R, text), "windows-1251", csKOI8R, "looks like koi8-r", text},
		{"cp1251 labelled koi8-r", encode(t, csCP1251, text), "koi8-r", csCP1251, "looks like windows-1251", text},
		{"cp1251 labelled utf-8", encode(t, csCP1251, text), "utf-8", csCP1251, "invalid utf-8", text},
		{"utf-8 labelled windows-1251", []byte(text), "windows-1251", csUTF8, "is utf-8", text},
		{"cp1251 labelled iso-8859-1", encode(t, csCP1251, text), "iso-8859-1", csCP1251, "looks like windows-1251", text},
		{"real latin-1 kept", []byte("Gr\xfc\xdfe aus M\xfcnchen"), "iso-8859-1", "iso-8859-1", "", "Grüße aus München"},
		{"utf-16 via charset package", []byte{0xff, 0xfe, 'h', 0, 'i', 0}, "utf-16", "utf-16", "", "hi"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var p problems
			got, cs := toUTF8(tc.data, tc.label, "part 1", &p)
			if got != tc.wantText {
				t.Errorf("text = %q, want %q", got, tc.wantText)
			}
			if cs != tc.wantCS {
				t.Errorf("charset = %q, want %q", cs, tc.wantCS)
			}
			joined := strings.Join(p.list, "; ")
			if tc.problem == "" && joined != "" {
				t.Errorf("unexpected problems: %s", joined)
			}
			if tc.problem != "" && !strings.Contains(joined, tc.problem) {
				t.Errorf("problems %q do not mention %q", joined, tc.problem)
			}
		})
	}
}
