package config

import (
	"os"
	"strings"
	"testing"
)

func TestWarnings(t *testing.T) {
	desk := func(addr, from string) Desk {
		return Desk{Name: "sd", SupportAddress: addr, IMAP: IMAP{Host: "imap.kgo66.ru", Username: addr},
			SMTP: SMTP{Host: "smtp.kgo66.ru", From: from}}
	}
	for _, tc := range []struct {
		name string
		c    Config
		want []string // substrings, one per warning, in order
	}{
		{"clean", Config{Desks: []Desk{desk("sd@kgo66.ru", "")},
			Staff:   []StaffMember{{Email: "a@KGO66.ru"}},
			Digests: Digests{Recipients: []DigestRecipient{{Email: "boss@kgo66.ru"}}}}, nil},
		{"smtp.from is a desk domain", Config{Desks: []Desk{desk("sd@kgo66.ru", "Поддержка <noreply@otvet.kgo66.ru>")},
			Staff: []StaffMember{{Email: "a@otvet.kgo66.ru"}}}, nil},
		{"foreign staff and manager", Config{Desks: []Desk{desk("sd@kgo66.ru", "")},
			Staff:   []StaffMember{{Email: "a@kgo66.ru"}, {Email: "b@gmail.com"}},
			Digests: Digests{Recipients: []DigestRecipient{{Email: "boss@kgo66.rru"}, {Email: "head@school.ru", OrganisationID: 3}}}},
			[]string{"staff[1].email: b@gmail.com is not on a desk's domain (kgo66.ru)", "digests.recipients[0].email: boss@kgo66.rru"}},
		{"placeholders", Config{Desks: []Desk{{Name: "sd", SupportAddress: "sd@example.test",
			IMAP: IMAP{Host: "imap.example.test", Username: "CHANGE-ME"}, SMTP: SMTP{Host: "smtp.kgo66.ru"}}},
			Staff: []StaffMember{{Email: "agent1@example.test"}}},
			[]string{`desks[0].support_address: "sd@example.test" is a placeholder`, "desks[0].imap.host", `desks[0].imap.username: "CHANGE-ME"`,
				"staff[0].email"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.c.Warnings()
			if len(got) != len(tc.want) {
				t.Fatalf("warnings %q, want %d like %q", got, len(tc.want), tc.want)
			}
			for i := range got {
				if !strings.Contains(got[i], tc.want[i]) {
					t.Errorf("warning %d = %q, want it to contain %q", i, got[i], tc.want[i])
				}
			}
		})
	}
}

// TestExampleWarnsOfPlaceholders: the example configuration is valid but every
// address in it is a placeholder, and config check says so.
func TestExampleWarnsOfPlaceholders(t *testing.T) {
	b, err := os.ReadFile("../../config.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c := &Config{}
	if _, err := decode(b, c); err != nil {
		t.Fatal(err)
	}
	c.setDefaults()
	w := strings.Join(c.Warnings(), "\n")
	for _, f := range []string{"desks[0].support_address", "staff[0].email", "digests.recipients[0].email"} {
		if !strings.Contains(w, f) {
			t.Errorf("no placeholder warning for %s in\n%s", f, w)
		}
	}
	filled := strings.ReplaceAll(string(b), "example.test", "kgo66.ru")
	c = &Config{}
	if _, err := decode([]byte(filled), c); err != nil {
		t.Fatal(err)
	}
	if w := c.Warnings(); len(w) != 0 {
		t.Errorf("filled example still warns: %q", w)
	}
}
