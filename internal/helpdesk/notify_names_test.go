package helpdesk

import "testing"

func TestRenamePerson(t *testing.T) {
	dir := map[string]string{"petrov@uszn.example": "Petrov Pyotr"}
	known := func(email string) string { return dir[email] }
	tests := []struct{ line, want string }{
		{"<petrov@uszn.example>", "Petrov Pyotr <petrov@uszn.example>"},
		{" <petrov@uszn.example>", "Petrov Pyotr <petrov@uszn.example>"},
		{"P. <petrov@uszn.example>", "Petrov Pyotr <petrov@uszn.example>"},
		{" <petrov@uszn.example> (from outside)", "Petrov Pyotr <petrov@uszn.example> (from outside)"},
		{" <stranger@mail.example>", "<stranger@mail.example>"},
		{"Anna <anna@mail.example>", "Anna <anna@mail.example>"},
		{"irtech <support@irtech.example>", "irtech <support@irtech.example>"},
		{"Anna", "Anna"},
		{"", ""},
		{" <>", ""},
		{"Anna <>", "Anna"},
		{"broken > <", "broken > <"},
	}
	for _, tt := range tests {
		if got := renamePerson(tt.line, known); got != tt.want {
			t.Errorf("renamePerson(%q) = %q, want %q", tt.line, got, tt.want)
		}
	}
}
