package rules

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"unicode"
)

// normWordsRef is normWords as it was before its fast paths: the reference.
func normWordsRef(s string) []string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(foldRune(r))
		} else {
			b.WriteByte(' ')
		}
	}
	return strings.Fields(b.String())
}

func TestNormWordsSameAsReference(t *testing.T) {
	tests := []string{"", " ", "Ёжик в ТУМАНЕ", "a1 b2,c3", "\xd0", "\xd0\x20x", "x\xff\xfey", "ѿ҂Ѐ", "١٢٣ ٤", "ǅungla", "ｘｙ", "\u00a0word\u2028"}
	r := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 20000; i++ {
		var b []byte
		for j := r.IntN(12); j > 0; j-- {
			switch r.IntN(4) {
			case 0:
				b = append(b, byte(r.IntN(256)))
			case 1:
				b = append(b, string(rune(0x3F0+r.IntN(0xA0)))...)
			case 2:
				b = append(b, string(rune(r.IntN(0x3000)))...)
			default:
				b = append(b, " .-\n"[r.IntN(4)])
			}
		}
		tests = append(tests, string(b))
	}
	for _, s := range tests {
		if got, want := normWords(s), normWordsRef(s); !reflect.DeepEqual(got, want) {
			t.Fatalf("normWords(%q) = %q, want %q", s, got, want)
		}
	}
}

func TestFastClassesSameAsUnicode(t *testing.T) {
	for r := rune(0); r < 0x3000; r++ {
		if got, want := isSpace(r), unicode.IsSpace(r); got != want {
			t.Errorf("isSpace(%U) = %v", r, got)
		}
		if got, want := isLetter(r), unicode.IsLetter(r); got != want {
			t.Errorf("isLetter(%U) = %v", r, got)
		}
		if got, want := isCyrillic(r), unicode.Is(unicode.Cyrillic, r); got != want {
			t.Errorf("isCyrillic(%U) = %v", r, got)
		}
		if got, want := isUpper(r), unicode.IsUpper(r); got != want {
			t.Errorf("isUpper(%U) = %v", r, got)
		}
		want := unicode.IsLetter(r) || unicode.IsDigit(r) || r == '*' || r == '@' || r == '$' || r == '#' || r == '%'
		if got := isOffRune(r); got != want {
			t.Errorf("isOffRune(%U) = %v", r, got)
		}
	}
}
