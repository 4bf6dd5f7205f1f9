package mailout

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// latinCode is what a code left untranslated looks like: a run of four or
// more lowercase Latin letters or underscores («standard», «first_response»).
var latinCodeRE = regexp.MustCompile(`[a-z_]{4,}`)

// notCodes are the parts of a rendered mail where Latin letters belong: HTML
// markup, a header name at the start of a line, e-mail addresses, URLs,
// accounts (school3\o.smirnova), file names, commands (#note, otvet outbox
// retry 812, --authority-document). They are cut out before the scan.
func notCodes() []*regexp.Regexp {
	return []*regexp.Regexp{
		regexp.MustCompile(`<[^<>]*>`),                      // HTML tags (after the text's own <…> were escaped or are addresses)
		regexp.MustCompile(`&[a-z]+;|&#[0-9]+;`),            // HTML entities
		regexp.MustCompile(`(?m)^[A-Z][A-Za-z-]*:`),         // header names
		regexp.MustCompile(`https?://\S+|mailto:\S+`),       // URLs
		regexp.MustCompile(`[\w.+-]+@[\w.-]+`),              // e-mail addresses
		regexp.MustCompile(`\S+\\\S+`),                      // accounts: domain\user
		regexp.MustCompile(`[\w.-]+\.[a-z][a-z0-9]{1,3}\b`), // file names
		regexp.MustCompile(`#[\p{L}\p{N}_-]+`),              // commands and tokens: #note, #отправить-файлы
		regexp.MustCompile(`\botvet( [a-z0-9-]+)+`),         // command lines: otvet outbox retry 812
		regexp.MustCompile(`--[a-z-]+`),                     // options
	}
}

// verbatim are texts the golden fixtures quote from outside Otvet, shown
// as they came on purpose: a mail server's answers, a contractor's handle,
// intake's record of why a message was quarantined, an agent's command.
func verbatim() []string {
	return []string{
		"user unknown", "mailbox full", "connection refused", "dial tcp", "554 rejected",
		"(irtech)", "(telecom)", "irtech <", "irtech &lt;", "TWAIN",
		"photo <1>.jpg", "photo &lt;1&gt;.jpg", // a file name with a space
		"#level gold", // the agent's command, echoed
		"processing this message stopped the service (attempt 2)",
	}
}

// TestRussianGoldensHaveNoCodes: no Russian mail, customer's or staff's,
// shows a code where words belong (Уровень: standard, Не хватает:
// screenshot, command_refused). Every Russian golden of the templates and
// of the digest is scanned.
func TestRussianGoldensHaveNoCodes(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "golden", "ru_*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	digest, err := filepath.Glob(filepath.Join("..", "digest", "testdata", "*_ru*.golden"))
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, digest...)
	if len(files) < 40 || len(digest) == 0 {
		t.Fatalf("found %d goldens (%d of the digest): the scan would prove nothing", len(files), len(digest))
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for n, line := range strings.Split(string(b), "\n") {
			if codes := latinCodes(line); len(codes) > 0 {
				t.Errorf("%s:%d: codes %q in %q", f, n+1, codes, line)
			}
		}
	}
}

// latinCodes are the Latin codes left in a line of a rendered mail.
func latinCodes(line string) []string {
	for _, v := range verbatim() {
		line = strings.ReplaceAll(line, v, " ")
	}
	for _, re := range notCodes() {
		line = re.ReplaceAllString(line, " ")
	}
	return latinCodeRE.FindAllString(line, -1)
}

func TestLatinCodes(t *testing.T) {
	for _, c := range []struct {
		line string
		want int
	}{
		{"Уровень:     standard", 1},
		{"Не хватает:  screenshot, steps", 2},
		{"05.12.2024 10:00 command_refused #1 agent-x@sd.example: #close", 1},
		{"Уровень:     стандартный", 0},
		{"Subject: [#140] Новое обращение", 0},
		{`<p style="margin:0 0 12px;">Тема: <a href="mailto:sd@kgo66.ru">sd@kgo66.ru</a></p>`, 0},
		{"Отправить письмо снова может администратор: otvet outbox retry 812.", 0},
		{"Вложения: oshibka.png (69 Б), tickets-month-2024-12-01.csv", 0},
		{"#заметка (#note) — внутренняя заметка; #отправить-файлы (#send-files)", 0},
		{"Статья целиком: https://help.kgo66.ru/kb/printer", 0},
	} {
		if got := latinCodes(c.line); len(got) != c.want {
			t.Errorf("latinCodes(%q) = %q, want %d codes", c.line, got, c.want)
		}
	}
}
