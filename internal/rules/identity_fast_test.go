package rules

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// wordsRef and segmentsRef are words and segments as they were, ranging
// over the runes: the references of the byte-reading versions.
func wordsRef(s string) []word {
	var out []word
	start := -1
	for i, r := range s {
		letter := isLetter(r)
		if letter && start < 0 {
			start = i
		}
		if !letter && start >= 0 {
			if r == '-' && i+1 < len(s) {
				if n, _ := utf8.DecodeRuneInString(s[i+1:]); isLetter(n) {
					continue
				}
			}
			out = append(out, word{s: s[start:i], start: start, end: i, dot: r == '.'})
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, word{s: s[start:], start: start, end: len(s)})
	}
	return out
}

func segmentsRef(line string) []string {
	var out []string
	depth, start := 0, 0
	for i, r := range line {
		switch r {
		case '«', '“':
			depth++
		case '»', '”':
			if depth > 0 {
				depth--
			}
		case ',', ';', '|':
			if depth == 0 {
				out = append(out, strings.TrimSpace(line[start:i]))
				start = i + 1
			}
		}
	}
	return append(out, strings.TrimSpace(line[start:]))
}

func randomLine(r *rand.Rand) string {
	parts := []string{"Иванов", "ПЕТРОВ", "Ёлкин", "ёж", "ABC", "Ѐ", "Ђ", "ß", "İ", "И.", "А.", "ООО «Ромашка, и К»", "“a, b”", "»", "«", ",", ";", "|", " ", "-", "Петрова-Водкина",
		"John", "ǅ", "\xd0", "\xc2", "\xe2\x80", "\xab", "\xbb", "\x9c", "ё", "Ѐ", "ѿ", "Ҋ", ".", "tel. 2-11-05"}
	var b strings.Builder
	for j := r.IntN(10); j >= 0; j-- {
		if r.IntN(5) == 0 {
			b.WriteByte(byte(r.IntN(256)))
		} else {
			b.WriteString(parts[r.IntN(len(parts))])
		}
	}
	return b.String()
}

func TestWordsAndSegmentsSameAsReference(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 8))
	for n := 0; n < 30000; n++ {
		s := randomLine(r)
		if got, want := words(s), wordsRef(s); !reflect.DeepEqual(got, want) {
			t.Fatalf("words(%q) = %v, want %v", s, got, want)
		}
		if got, want := segments(s), segmentsRef(s); !reflect.DeepEqual(got, want) {
			t.Fatalf("segments(%q) = %q, want %q", s, got, want)
		}
		if got, want := lower(s), strings.Map(foldRune, s); got != want {
			t.Fatalf("lower(%q) = %q, want %q", s, got, want)
		}
		for i := 0; i < len(s); i++ {
			gr, gn := decodeRune(s, i)
			wr, wn := utf8.DecodeRuneInString(s[i:])
			if gr != wr || gn != wn {
				t.Fatalf("decodeRune(%q, %d) = %q %d, want %q %d", s, i, gr, gn, wr, wn)
			}
		}
	}
}

func FuzzWordsAndSegments(f *testing.F) {
	f.Add("С уважением, Иванова М.П., «Школа, №3» | тел. 2-11-05")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := words(s), wordsRef(s); !reflect.DeepEqual(got, want) {
			t.Fatalf("words(%q) = %v, want %v", s, got, want)
		}
		if got, want := segments(s), segmentsRef(s); !reflect.DeepEqual(got, want) {
			t.Fatalf("segments(%q) = %q, want %q", s, got, want)
		}
		if got, want := lower(s), strings.Map(foldRune, s); got != want {
			t.Fatalf("lower(%q) = %q, want %q", s, got, want)
		}
	})
}
