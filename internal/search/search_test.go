package search

import (
	"slices"
	"strings"
	"testing"
)

func TestStemsAgree(t *testing.T) {
	tests := []struct {
		name  string
		forms []string
	}{
		{"printer", []string{"принтер", "принтера", "принтеру", "Принтером", "ПРИНТЕРЫ"}},
		{"print", []string{"печатает", "печатают"}},
		{"school", []string{"школа", "школы", "школе", "школу"}},
		{"yo", []string{"отчёт", "отчет", "отчёта"}},
		{"english", []string{"printer", "printers", "Printer"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := Terms(tt.forms[0])
			for _, f := range tt.forms[1:] {
				if got := Terms(f); got != want {
					t.Errorf("Terms(%q) = %q, want %q (as %q)", f, got, want, tt.forms[0])
				}
			}
		})
	}
}

func TestTerms(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"Не печатает принтер!", "не печата принтер"},
		{"school3@example.ru", "school3 exampl ru"},
		{"1С: Бухгалтерия", "1с бухгалтер"},
		{"МИС, СЭД", "мис сэд"},
		{"договор №3 от 01.02", "договор 3 от 01 02"},
		{strings.Repeat("a", 100) + " принтер", "принтер"},
	}
	for _, tt := range tests {
		if got := Terms(tt.in); got != tt.want {
			t.Errorf("Terms(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestQueryTerms(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"  ,.; ", nil},
		{"принтер принтера школа", []string{"принтер", "школ"}},
		{"печатает", []string{"печата"}},
		{"не печатает", []string{"печата"}},
		{"принтер школа принтера", []string{"принтер", "школ"}},
		{"не и", []string{"не", "и"}},
		{"the printer", []string{"printer"}},
		{strings.Repeat("w", 10) + " " + strings.Repeat("слово ", 3), []string{"wwwwwwwwww", "слов"}},
	}
	for _, tt := range tests {
		if got := QueryTerms(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("QueryTerms(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	var many []string
	for i := range 40 {
		many = append(many, strings.Repeat("я", i%20+1)+strings.Repeat("x", i))
	}
	if n := len(QueryTerms(strings.Join(many, " "))); n != MaxQueryTerms {
		t.Errorf("%d terms kept, want %d", n, MaxQueryTerms)
	}
}

func TestBound(t *testing.T) {
	s := strings.Repeat("ж", MaxText) // two bytes each
	got := bound("a" + s)
	if len(got) > MaxText || !strings.HasPrefix("a"+s, got) {
		t.Fatalf("bound: %d bytes", len(got))
	}
	for _, r := range got {
		if r == '\uFFFD' {
			t.Fatal("bound split a character")
		}
	}
	if w := Words("Ёлка ПРИНТЕР"); w != "елка принтер" {
		t.Errorf("Words = %q", w)
	}
}

func FuzzTerms(f *testing.F) {
	f.Add("Не печатает принтер в школе № 3")
	f.Fuzz(func(t *testing.T, s string) {
		terms := Terms(s)
		for _, w := range strings.Fields(terms) {
			if len(w) > 4*maxWord {
				t.Fatalf("term too long: %q", w)
			}
		}
		if list := NewStemmer().TermList(s); !slices.Equal(list, strings.Fields(terms)) {
			t.Fatalf("TermList %q, Terms %q", list, terms)
		}
		_ = QueryTerms(s)
	})
}

var sink string

func BenchmarkTerms(b *testing.B) {
	text := strings.Repeat("Добрый день! У нас в школе № 3 не печатает принтер HP LaserJet, пишет ошибку бумаги. ", 20)
	b.Run("uncached", func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		for b.Loop() {
			sink = Terms(text)
		}
	})
	b.Run("cached", func(b *testing.B) {
		s := NewStemmer()
		b.SetBytes(int64(len(text)))
		for b.Loop() {
			sink = s.Terms(text)
		}
	})
	// Intake stems on several goroutines at once with one Stemmer.
	b.Run("cached-parallel", func(b *testing.B) {
		s := NewStemmer()
		b.SetBytes(int64(len(text)))
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				_ = s.Terms(text)
			}
		})
	})
}

func TestStemmerCache(t *testing.T) {
	s := NewStemmer()
	for range 2 {
		if got, want := s.Terms("Принтер не печатает"), Terms("Принтер не печатает"); got != want {
			t.Fatalf("cached %q, uncached %q", got, want)
		}
	}
	for i := range cacheSize + 10 {
		s.Terms(strings.Repeat("ж", i%50+1) + string(rune('a'+i%26)) + strings.Repeat("z", i/1000))
	}
	if len(s.cache) > cacheSize {
		t.Fatalf("cache grew to %d", len(s.cache))
	}
}
