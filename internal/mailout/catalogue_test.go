package mailout

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
	"testing"
)

// verbs reads the fmt verbs of a catalogue text: argument index (1-based)
// → the kind of value it takes ('d' a number, 's' a text).
func verbs(t *testing.T, s string) map[int]byte {
	t.Helper()
	out := map[int]byte{}
	next := 1
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			continue
		}
		i++
		if i < len(s) && s[i] == '%' {
			continue
		}
		n := next
		if i < len(s) && s[i] == '[' {
			end := strings.IndexByte(s[i:], ']')
			if end < 0 {
				t.Fatalf("%q: unclosed argument index", s)
			}
			v, err := strconv.Atoi(s[i+1 : i+end])
			if err != nil {
				t.Fatalf("%q: bad argument index: %v", s, err)
			}
			n, i = v, i+end+1
		}
		if i >= len(s) {
			t.Fatalf("%q: a verb is cut off", s)
		}
		kind := s[i]
		switch kind {
		case 'd':
		case 's', 'q', 'v':
			kind = 's'
		default:
			t.Fatalf("%q: verb %%%c: use %%s, %%q, %%v or %%d", s, s[i])
		}
		if k, seen := out[n]; seen && k != kind {
			t.Fatalf("%q: argument %d used as a number and a text", s, n)
		}
		out[n] = kind
		next = n + 1
	}
	return out
}

// TestCatalogueComplete: every key has both languages, no empty text, and
// both languages take the same arguments.
func TestCatalogueComplete(t *testing.T) {
	for key, tx := range catalogue {
		if strings.TrimSpace(tx.ru) == "" || strings.TrimSpace(tx.en) == "" {
			t.Errorf("%s: empty text (ru %q, en %q)", key, tx.ru, tx.en)
			continue
		}
		ru, en := verbs(t, tx.ru), verbs(t, tx.en)
		if len(ru) != len(en) {
			t.Errorf("%s: %d arguments in Russian, %d in English", key, len(ru), len(en))
		}
		for n, k := range en {
			if ru[n] != k {
				t.Errorf("%s: argument %d is %c in English but %c in Russian", key, n, k, ru[n])
			}
			if n < 1 || n > len(en) {
				t.Errorf("%s: argument index %d out of range", key, n)
			}
		}
		if strings.Contains(tx.ru, "|") != strings.Contains(tx.en, "|") {
			t.Errorf("%s: plural forms in one language only", key)
		}
	}
}

// TestCatalogueKeysDeclared: every Key constant declared in the package has
// a text, so a key cannot be added without its words.
func TestCatalogueKeysDeclared(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "catalogue.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, sp := range g.Specs {
			vs := sp.(*ast.ValueSpec)
			if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Key" {
				continue
			}
			for i, name := range vs.Names {
				lit, ok := vs.Values[i].(*ast.BasicLit)
				if !ok {
					t.Errorf("%s: not a string literal", name.Name)
					continue
				}
				v, _ := strconv.Unquote(lit.Value)
				if _, ok := catalogue[Key(v)]; !ok {
					t.Errorf("key %s (%q) has no text in the catalogue", name.Name, v)
				}
				n++
			}
		}
	}
	if n < 50 {
		t.Errorf("found only %d keys: is the scan broken?", n)
	}
}

func TestText(t *testing.T) {
	cases := []struct {
		lang string
		key  Key
		args []any
		want string
	}{
		{"ru", CmdClosed, nil, "обращение закрыто"},
		{"en", CmdClosed, nil, "ticket closed"},
		{"", CmdClosed, nil, "обращение закрыто"},
		{"de", CmdClosed, nil, "обращение закрыто"},
		{"ru", CmdAssigned, []any{"a@b.ru"}, "назначено: a@b.ru"},
		{"en", CmdNoSuchLevel, []any{"gold"}, `no support level "gold"`},
		{"ru", CmdMerged, []any{int64(7), 2}, "объединено с обращением #7; участники перенесены: 2; пользователь уведомлён"},
		{"ru", RefusedNotNow, []any{M(StatusWaiting)}, "это действие недоступно: обращение ждёт ответа пользователя"},
		{"en", RefusedNotNow, []any{M(StatusWaiting)}, "not possible now: the ticket is waiting for the customer"},
		{"en", ParseArgument, []any{"assign", M(ArgNotEmail, "x")}, `#assign: "x" is not an email address`},
		{"ru", RegNoAuthorityDocument, []any{int64(5)}, "к заявке #5 не приложен документ, подтверждающий полномочия подписавшего: " +
			"дождитесь его или подтвердите, что он получен: otvet registration edit 5 --authority-document"},
		{"en", "no.such.key", nil, "no.such.key"},
		{"ru", ZoneKey("Asia/Irkutsk"), nil, "Иркутск"},
		{"ru", Verbatim, []any{"50%"}, "50%"},
	}
	for _, c := range cases {
		if got := Text(c.lang, c.key, c.args...); got != c.want {
			t.Errorf("Text(%q, %s, %v) = %q, want %q", c.lang, c.key, c.args, got, c.want)
		}
	}
	args := []any{M(StatusOpen)}
	Text("ru", RefusedNotNow, args...)
	if _, ok := args[0].(Msg); !ok {
		t.Error("Text wrote to the caller's arguments")
	}
}

func TestPlural(t *testing.T) {
	cases := []struct {
		lang string
		n    int64
		want string
	}{
		{"ru", 0, "сотрудников"}, {"ru", 1, "сотрудник"}, {"ru", 2, "сотрудника"}, {"ru", 4, "сотрудника"},
		{"ru", 5, "сотрудников"}, {"ru", 11, "сотрудников"}, {"ru", 12, "сотрудников"}, {"ru", 14, "сотрудников"},
		{"ru", 21, "сотрудник"}, {"ru", 22, "сотрудника"}, {"ru", 25, "сотрудников"}, {"ru", 101, "сотрудник"},
		{"ru", 111, "сотрудников"}, {"ru", 112, "сотрудников"}, {"ru", 1001, "сотрудник"}, {"ru", -2, "сотрудника"},
		{"en", 0, "agents"}, {"en", 1, "agent"}, {"en", 2, "agents"}, {"en", 21, "agents"},
	}
	for _, c := range cases {
		var got string
		if c.lang == "en" {
			got = Plural(c.lang, c.n, "agent", "agents?", "agents")
		} else {
			got = Plural(c.lang, c.n, "сотрудник", "сотрудника", "сотрудников")
		}
		if got != c.want {
			t.Errorf("Plural(%s, %d) = %q, want %q", c.lang, c.n, got, c.want)
		}
	}
}

func TestCount(t *testing.T) {
	cases := []struct {
		lang string
		key  Key
		n    int64
		want string
	}{
		{"ru", WordWorkingDays, 1, "1 рабочий день"},
		{"ru", WordWorkingDays, 3, "3 рабочих дня"},
		{"ru", WordWorkingDays, 5, "5 рабочих дней"},
		{"ru", WordWorkingDays, 21, "21 рабочий день"},
		{"ru", WordAgents, 2, "2 сотрудника"},
		{"ru", WordAgents, 5, "5 сотрудников"},
		{"en", WordWorkingDays, 1, "1 working day"},
		{"en", WordWorkingDays, 3, "3 working days"},
		{"en", WordTickets, 0, "0 tickets"},
		{"ru", CmdClosed, 2, "2 обращение закрыто"}, // not a word with forms: as it is
	}
	for _, c := range cases {
		if got := Count(c.lang, c.key, c.n); got != c.want {
			t.Errorf("Count(%s, %s, %d) = %q, want %q", c.lang, c.key, c.n, got, c.want)
		}
	}
}
