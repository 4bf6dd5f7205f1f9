package regform

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// scanRef is wordScanner.scan done the plain way: the pieces of s between
// full stops, folded with foldCase, searched for every group's words.
func scanRef(s string, groups ...[]string) ([]piece, uint8) {
	var out []piece
	var found uint8
	start := 0
	for rest := s; ; {
		seg, after, more := strings.Cut(rest, ".")
		f := foldCase(seg)
		var mask uint8
		for gi, g := range groups {
			if containsAny(f, g) {
				mask |= 1 << gi
			}
		}
		if mask != 0 && seg != "" {
			out = append(out, piece{start, start + len(seg), mask})
			found |= mask
		}
		if !more {
			break
		}
		start += len(seg) + 1
		rest = after
	}
	return out, found
}

func checkScan(t *testing.T, s string) {
	t.Helper()
	got, gotFound := detectWords.scan(s, nil)
	want, wantFound := scanRef(s, strongWords, askWords, connectVerbs, connectObjects)
	if gotFound != wantFound || len(got) != len(want) {
		t.Fatalf("scan(%q) = %v %b, want %v %b", s, got, gotFound, want, wantFound)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("scan(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestWordScannerSameAsFold: the one-pass scanner finds exactly the words
// foldCase and strings.Contains find, piece by piece.
func TestWordScannerSameAsFold(t *testing.T) {
	words := []string{"заявка", "ЗАЯВЛЕНИЕ", "присоединении", "Подключение", "прошу", "ПРОСИМ", "подключить",
		"обеспечить", "предоставить", "зарегистрировать", "системе", "ЕИЦ", "ресурс", "сервис", "ГИС", "аис", "мис",
		"ѐиц", "ſ", "K", "ᲀ", "\xd0", "\xd1\x80", "\xff", "ё", "Ё", "ѿ", "ǅ"}
	fill := []string{".", " ", "\n", "..", "а", "ы", "x", "про", "зая", "с", "«", "—", "1"}
	r := rand.New(rand.NewPCG(11, 12))
	for i := 0; i < 20000; i++ {
		var b strings.Builder
		for j := r.IntN(10); j >= 0; j-- {
			if r.IntN(2) == 0 {
				w := words[r.IntN(len(words))]
				if k := r.IntN(len(w) + 1); r.IntN(4) == 0 {
					w = w[:k] // cut, possibly inside a rune
				}
				b.WriteString(w)
			} else {
				b.WriteString(fill[r.IntN(len(fill))])
			}
		}
		checkScan(t, b.String())
	}
}

func FuzzWordScanner(f *testing.F) {
	for _, s := range []string{"", ".", "Прошу подключение к системе. Заявка", "ПРОСИМ\xd0.ѐиц", "заяв.ка"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkScan(t, s) })
}
