package rules

import (
	"bufio"
	"os"
	"strings"
	"testing"
	"unicode"
)

// offensiveCase is one line of testdata/offensive.txt.
type offensiveCase struct {
	text string
	want bool
	line int
}

func loadOffensiveCases(t testing.TB) []offensiveCase {
	t.Helper()
	f, err := os.Open("testdata/offensive.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []offensiveCase
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		l := sc.Text()
		switch {
		case strings.HasPrefix(l, "+ "):
			cases = append(cases, offensiveCase{l[2:], true, n})
		case strings.HasPrefix(l, "- "):
			cases = append(cases, offensiveCase{l[2:], false, n})
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cases
}

func TestOffensiveCorpus(t *testing.T) {
	cases := loadOffensiveCases(t)
	pos, neg := 0, 0
	for _, c := range cases {
		got, words := Offensive(c.text, nil)
		if got != c.want {
			t.Errorf("line %d: Offensive(%q) = %v %q, want %v", c.line, c.text, got, words, c.want)
		}
		if got != (len(words) > 0) {
			t.Errorf("line %d: result %v but words %q", c.line, got, words)
		}
		if c.want {
			pos++
		} else {
			neg++
		}
	}
	if pos < 100 || neg < 100 {
		t.Errorf("corpus has %d positives and %d negatives, want at least 100 of each", pos, neg)
	}
}

func TestOffensiveWords(t *testing.T) {
	tests := []struct {
		name, text string
		extra      []string
		want       []string
	}{
		{"normalised and deduplicated", "Хуйня! ХУЙНЯ, xyйня", nil, []string{"хуйня"}},
		{"order of appearance", "сука, блядь", nil, []string{"сука", "блядь"}},
		{"spaced letters", "х у й", nil, []string{"хуй"}},
		{"repeated letters", "сууукааа", nil, []string{"сука"}},
		{"operator stem", "Вы бездари", []string{"бездар"}, []string{"бездари"}},
		{"operator stem anywhere", "суперотстой", []string{"*отстой"}, []string{"суперотстой"}},
		{"operator stem in Latin look-alikes", "6EЗДАРЬ", []string{"бездар"}, []string{"бездарь"}},
		{"digit for a letter", "п1здец", nil, []string{"пиздец"}},
		{"at sign for а", "бл@дь", nil, []string{"бладь"}},
		{"4 for ч in transliteration", "su4ka", nil, []string{"suchka"}},
		{"bare root before its object", "Ёб твою мать", nil, []string{"еб твою"}},
		{"prefix before the root", "схуяли, нихуя", nil, []string{"схуяли", "нихуя"}},
		{"an ordinary -хую ending", "очень плохую печать, тихую мышь, психую", nil, nil},
		{"nothing", "Добрый день, не работает принтер", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, words := Offensive(tt.text, tt.extra)
			if got != (len(tt.want) > 0) || strings.Join(words, "|") != strings.Join(tt.want, "|") {
				t.Errorf("Offensive(%q) = %v %q, want %q", tt.text, got, words, tt.want)
			}
		})
	}
}

func TestOffensiveExceptions(t *testing.T) {
	if ws := offensiveWords("Лохов Иван, лох", nil, []string{"Лохов"}); len(ws) != 1 || ws[0] != "лох" {
		t.Errorf("got %q, want only лох", ws)
	}
	if ws := offensiveWords("сука", nil, []string{"сука"}); len(ws) != 0 {
		t.Errorf("exception ignored: %q", ws)
	}
}

func TestDigitsAsLetters(t *testing.T) {
	tests := []struct{ in, cyr, lat string }{
		{"п1здец", "пиздец", "п1здец"},
		{"3аебал", "заебал", "3аебал"},
		{"16гб", "16гб", "16гб"}, // a number, not letters
		{"10шт", "10шт", "10шт"},
		{"1с", "ис", "1с"},
		{"sh1t", "sнит", "shit"},
		{"win10", "win10", "win10"},
	}
	for _, tt := range tests {
		if got := cyrForm(tt.in, false); got != tt.cyr {
			t.Errorf("cyrForm(%q) = %q, want %q", tt.in, got, tt.cyr)
		}
		if got := latinForm(tt.in, false); tt.lat != tt.in && got != tt.lat {
			t.Errorf("latinForm(%q) = %q, want %q", tt.in, got, tt.lat)
		}
	}
	if got := latinForm("su4ka", true); got != "suchka" {
		t.Errorf("latinForm(su4ka, ch) = %q", got)
	}
	if ws := offensiveWords("ёб твою мать", nil, []string{"еб твою"}); len(ws) != 0 {
		t.Errorf("exception ignored: %q", ws)
	}
}

// The word lists must be written in the form words are compared in.
func TestWordListsNormalised(t *testing.T) {
	check := func(list string, w string) {
		t.Helper()
		if w != collapse(cyrForm(w, true)) && w != collapse(latinForm(w, false)) {
			t.Errorf("%s: %q is not normalised", list, w)
		}
		for _, r := range w {
			if unicode.IsUpper(r) || r == 'ё' {
				t.Errorf("%s: %q is not lower case", list, w)
			}
		}
	}
	for w := range ruExcept {
		check("ruExcept", w)
	}
	for w := range matPrefixes {
		if w != "" {
			check("matPrefixes", w)
		}
	}
	for w := range ruExact {
		check("ruExact", w)
	}
	for _, w := range append(append(append(append([]string{}, ruAnywhere...), ruStart...), ruPrefixed...), ruNotStart...) {
		check("ru roots", w)
	}
	for w := range enWords {
		check("enWords", w)
	}
	for _, w := range append(append([]string{}, enAnywhere...), enPrefixed...) {
		check("enAnywhere", w)
	}
	for _, list := range [][]string{incidentPhrases, outOfScope[ScopeLegislation], outOfScope[ScopeThirdParties], outOfScope[ScopeUserDuties]} {
		for _, p := range list {
			if normPhrase(p) != p {
				t.Errorf("phrase %q is not normalised (%q)", p, normPhrase(p))
			}
		}
	}
}
