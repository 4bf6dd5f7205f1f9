package directory

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/directory/match"
	"github.com/otvet/otvet/internal/store"
)

// newService opens a migrated SQLite database in a temporary directory.
func newService(t *testing.T) *Service {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{Dialect: store.SQLite, Path: filepath.Join(t.TempDir(), "otvet.db"),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 1, 9, 10, 0, 0, 0, time.UTC)
	return &Service{DB: db, Actor: "test", Levels: []string{"basic"}, Now: func() time.Time { return at }}
}

// Bug 3: the import matched organisations by exact name while approval
// folded names, so a file naming «МБДОУ Детский сад №7» created a second
// organisation next to the stored «МБДОУ «Детский сад № 7»».
func TestImportMatchesFoldedNames(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	stored := &store.Org{Name: "МБДОУ «Детский сад № 7»"}
	if err := s.AddOrg(ctx, stored); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"МБДОУ Детский сад №7", "мбдоу детский сад N 7"} {
		file := "organisations:\n  - name: " + name + "\n    domains: [sad7.kgo66.ru]\n    users:\n" +
			"      - {email: sokolova@sad7.kgo66.ru, full_name: Соколова Елена Павловна}\n"
		sum, err := s.Import(ctx, "sad7.yaml", []byte(file), false)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if sum.OrgsCreated != 0 {
			t.Errorf("%s: %s", name, sum)
		}
		orgs, err := s.DB.ListOrgs(ctx)
		if err != nil || len(orgs) != 1 || orgs[0].ID != stored.ID || !slices.Contains(orgs[0].Domains, "sad7.kgo66.ru") {
			t.Fatalf("%s: organisations %+v, %v", name, orgs, err)
		}
		u, err := s.DB.UserByEmail(ctx, "sokolova@sad7.kgo66.ru")
		if err != nil || u.OrgID.Int64 != stored.ID {
			t.Errorf("%s: user %+v, %v", name, u, err)
		}
	}
}

func TestMatchOrg(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	add := func(name, inn string) int64 {
		o := &store.Org{Name: name, INN: inn}
		if err := s.AddOrg(ctx, o); err != nil {
			t.Fatal(err)
		}
		return o.ID
	}
	sad := add("МБДОУ «Детский сад № 7»", "")
	school := add("МАОУ СОШ № 3", "6670000001")
	add("ООО «Ромашка»", "")
	add("ООО Ромашка", "")
	cases := []struct {
		name, inn, org string
		want           int64
		ambiguous      bool
	}{
		{"folded name", "", "МБДОУ Детский сад №7", sad, false},
		{"INN wins over the name", "6670000001", "Другое название", school, false},
		{"name with an INN: organisations without one", "6670000009", "мбдоу детский сад № 7", sad, false},
		{"name of an organisation with another INN", "6670000009", "МАОУ СОШ №3", 0, false},
		{"name without INN matches one with an INN", "", "маоу сош N3", school, false},
		{"nothing", "", "Детский сад № 8", 0, false},
		{"two alike", "", "ооо ромашка", 0, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got *store.Org
			err := s.DB.Tx(ctx, func(tx *store.Tx) error {
				var err error
				got, err = MatchOrg(ctx, tx, c.inn, c.org)
				return err
			})
			var amb *AmbiguousError
			if errors.As(err, &amb) != c.ambiguous {
				t.Fatalf("err %v, want ambiguous=%v", err, c.ambiguous)
			}
			if c.ambiguous {
				if amb.Count != 2 {
					t.Errorf("count %d", amb.Count)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (got == nil && c.want != 0) || (got != nil && got.ID != c.want) {
				t.Errorf("got %+v, want #%d", got, c.want)
			}
		})
	}
}

func TestParseDirectory(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"empty", "", "the file is empty"},
		{"not yaml", "organisations: [", "not valid YAML"},
		{"not a mapping", "- a\n- b\n", "expected a mapping"},
		{"no organisations", "orgs: []\n", "unknown field"},
		{"organisations not a list", "organisations: x\n", "expected a list of organisations"},
		{"empty list", "organisations: []\n", "the list is empty"},
		{"users not a list", "organisations:\n  - name: A\n    users: x\n", "expected a list of users"},
		{"user not a mapping", "organisations:\n  - name: A\n    users: [x]\n", "expected a user"},
		{"name not text", "organisations:\n  - name: [a]\n", "expected text"},
		{"key twice", "organisations:\n  - name: A\n    name: B\n", "given twice"},
		{"same name twice without INN", "organisations:\n  - name: A\n  - name: A\n", "give each an inn"},
		{"alias to a list", "organisations:\n  - name: A\n    domains: &d [a.ru]\n  - name: B\n    users: *d\n", "expected a list of users"},
		{"ok", "organisations:\n  - name: A\n    inn: 0012345678\n    domains: a.ru\n", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			orgs, problems := parseFile([]byte(c.in), []string{"basic"})
			var all []string
			for _, p := range problems {
				all = append(all, p.String())
			}
			got := strings.Join(all, "\n")
			if c.want == "" {
				if got != "" || len(orgs) != 1 || orgs[0].inn != "0012345678" || !slices.Equal(orgs[0].domains, []string{"a.ru"}) {
					t.Errorf("problems %q, orgs %+v", got, orgs)
				}
				return
			}
			if !strings.Contains(got, c.want) || orgs != nil {
				t.Errorf("problems %q, want %q (orgs %v)", got, c.want, orgs)
			}
		})
	}
}

func FuzzImport(f *testing.F) {
	if b, err := os.ReadFile(filepath.Join("..", "..", "docs", "directory.example.yaml")); err == nil {
		f.Add(b)
	}
	for _, s := range []string{
		"", "organisations: []", "organisations:\n  - name: A\n    users: [{email: a@b.ru, full_name: X}]\n",
		"a: &a [*a]", "organisations: [{name: *x}]", "organisations:\n  - {name: A, domains: [школа.рф, xn--]}\n",
		"%YAML 1.1\n---\n!!binary organisations", "organisations:\n  - ? [a]\n    : b\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		orgs, problems := parseFile(data, []string{"basic", "standard"})
		if len(problems) > 0 && orgs != nil {
			t.Fatal("organisations returned along with problems")
		}
		if len(problems) == 0 && len(orgs) == 0 {
			t.Fatal("neither organisations nor problems")
		}
		for _, o := range orgs {
			if o.name == "" {
				t.Fatal("an organisation without a name passed")
			}
			for _, u := range o.users {
				if _, err := match.NormalizeEmail(u.email); err != nil || u.fullName == "" {
					t.Fatalf("a bad user passed: %+v", u)
				}
			}
		}
	})
}
