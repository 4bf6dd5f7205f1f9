package kb

import (
	"strings"
	"testing"
)

func TestParseArticle(t *testing.T) {
	tests := []struct {
		name, in string
		want     Article
		ok       bool
	}{
		{"front matter", "---\ntitle: Принтер\nsystems: МИС, 1С\nkeywords: [печать]\n---\nТекст.\n",
			Article{Slug: "a", Title: "Принтер", Systems: []string{"МИС", "1С"}, Keywords: []string{"печать"}, Body: "Текст.", Public: true}, true},
		{"heading title", "# Принтер\n\nТекст.", Article{Slug: "a", Title: "Принтер", Body: "Текст.", Public: true}, true},
		{"internal", "---\ntitle: T\ninternal: true\n---\nx", Article{Slug: "a", Title: "T", Body: "x"}, true},
		{"public false", "---\ntitle: T\npublic: false\n---\nx", Article{Slug: "a", Title: "T", Body: "x"}, true},
		{"no title", "Текст.", Article{}, false},
		{"unclosed", "---\ntitle: T\nx", Article{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseArticle("a", []byte(tt.in))
			if (err == nil) != tt.ok {
				t.Fatalf("err %v", err)
			}
			if tt.ok && (got.Title != tt.want.Title || got.Body != tt.want.Body || got.Public != tt.want.Public ||
				strings.Join(got.Systems, "|") != strings.Join(tt.want.Systems, "|") || strings.Join(got.Keywords, "|") != strings.Join(tt.want.Keywords, "|")) {
				t.Fatalf("got %+v", got)
			}
			if tt.ok {
				back, err := ParseArticle("a", got.Render())
				if err != nil || back.Title != got.Title || back.Body != got.Body || back.Public != got.Public {
					t.Fatalf("render does not read back: %+v %v", back, err)
				}
			}
		})
	}
}

func TestCannedFill(t *testing.T) {
	c, err := ParseCanned("restart", []byte("{имя}, по обращению #{номер} ответим до {срок}. {name} {ticket} {due} {другое}"))
	if err != nil {
		t.Fatal(err)
	}
	got := c.Fill(Fields{Name: "Мария", Ticket: 7, Due: "27.12.2024 16:00 (Иркутск)"})
	want := "Мария, по обращению #7 ответим до 27.12.2024 16:00 (Иркутск). Мария 7 27.12.2024 16:00 (Иркутск) {другое}"
	if got != want {
		t.Fatalf("Fill = %q", got)
	}
}

func TestFuzzyEdits(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"пароль", "пороль", true}, {"принтер", "пирнтер", true}, {"принтер", "принтер", false}, {"абвг", "вгаб", false},
	}
	for _, tt := range tests {
		if got := oneEdit(tt.a, tt.b); got != tt.want {
			t.Errorf("oneEdit(%q, %q) = %v", tt.a, tt.b, got)
		}
	}
}
