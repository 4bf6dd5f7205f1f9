package rules

import (
	"math/rand/v2"
	"testing"
)

// TestCompiledWordSameAsWordMatch: a phrase word compiled once matches the
// words wordMatch accepts, no more, no fewer.
func TestCompiledWordSameAsWordMatch(t *testing.T) {
	tests := []struct {
		p, w string
		want bool
	}{
		{"*", "что", true},
		{"#", "123", true},
		{"#", "12а", false},
		{"как=", "как", true},
		{"как=", "каким", false},
		{"не", "не", true},
		{"не", "нет", false},        // three letters or fewer: the whole word
		{"фз", "фз", true},          // four bytes, two letters: the whole word
		{"вирус", "вирусы", true},   // a stem
		{"взлом", "взломали", true}, // a stem
		{"error", "errors", true},   // more than three letters: a stem
		{"how=", "how", true},
		{"abcd", "abcdef", true},
		{"abc", "abcdef", false},
		{"abcdefg", "abcdefgh", true},
		{"", "", true},
		{"", "а", false},
	}
	for _, tt := range tests {
		want := wordMatch(tt.w, tt.p)
		c := compileWord(tt.p)
		if got := c.match(tt.w); got != want {
			t.Errorf("compileWord(%q).match(%q) = %v, wordMatch says %v", tt.p, tt.w, got, want)
		}
		if want != tt.want {
			t.Errorf("wordMatch(%q, %q) = %v, the table says %v", tt.w, tt.p, want, tt.want)
		}
	}
}

func FuzzCompiledWord(f *testing.F) {
	for _, s := range [][2]string{{"как=", "как"}, {"вирус", "вирусы"}, {"#", "12"}, {"не", "нет"}, {"ab", "abc"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, p, w string) {
		if w == "" {
			return // never a word of a text
		}
		c := compileWord(p)
		if got, want := c.match(w), wordMatch(w, p); got != want {
			t.Fatalf("compileWord(%q).match(%q) = %v, wordMatch says %v", p, w, got, want)
		}
	})
}

// TestStemIndexCandidates: every entry of a list that matches a word is
// among the candidates the index gives for it (or tried on every word).
func TestStemIndexCandidates(t *testing.T) {
	for _, list := range [][]string{stepWords, problemWords, problemLeads, failureWords, failureLeads, questionWords} {
		l := newWordList(list)
		for _, w := range append(append([]string{}, list...), "нажимаю", "ошибками", "как", "каким", "не", "прошу", "clicked", "a", "ab") {
			w = trimEq(w)
			want := false
			for _, p := range list {
				want = want || wordMatch(w, p)
			}
			if got := l.match(w); got != want {
				t.Errorf("match(%q) = %v, want %v", w, got, want)
			}
		}
	}
}

func trimEq(w string) string {
	if n := len(w); n > 0 && w[n-1] == '=' {
		return w[:n-1]
	}
	return w
}

// TestPrefixSetIndex: the prefixes a set's index gives for a first rune
// are those that start with it, for every set the rules use.
func TestPrefixSetIndex(t *testing.T) {
	sets := []*prefixSet{nameLabelsSet, firstNameLabelsSet, lastNameLabelsSet, orgLabelsSet, positionLabelsSet,
		phoneLineLabelsSet, surnameLabelSet, firstLabelSet, patronymicLabelSet, signOffsSet, thanksOnlySet,
		orgWordsSet, positionWordsSet, forwardMarkersSet, replyMarkersSet}
	indexed := 0
	for _, set := range sets {
		if set.byFirst != nil {
			indexed++
		}
		for r := rune(-1); r < 0x600; r++ {
			m, ok := set.starting(r)
			if !ok {
				continue
			}
			for k, f := range set.first {
				if got, want := m&(1<<k) != 0, f == r; got != want {
					t.Fatalf("%q: prefix %q starts with %q: index says %v", set.ps, set.ps[k], r, got)
				}
			}
		}
	}
	if indexed < len(sets)/2 {
		t.Errorf("only %d of %d sets are indexed", indexed, len(sets))
	}
}

// TestNextPhoneStart: the word-at-a-time skip finds the byte a plain loop finds.
func TestNextPhoneStart(t *testing.T) {
	alphabet := []byte("aZ ,.-()+*/09:;\x27\x28\x29\x2a\x2b\x2f\x3a\x39\x30\x7f\x80\xa8\xb9\xd0\xd1\xff")
	r := rand.New(rand.NewPCG(4, 4))
	for n := 0; n < 20000; n++ {
		b := make([]byte, r.IntN(40))
		for i := range b {
			if r.IntN(4) == 0 {
				b[i] = byte(r.IntN(256))
			} else {
				b[i] = alphabet[r.IntN(len(alphabet))]
			}
		}
		s := string(b)
		for from := 0; from <= len(s); from++ {
			want := from
			for want < len(s) && !phoneStartByte[s[want]] {
				want++
			}
			if got := nextPhoneStart(s, from); got != want {
				t.Fatalf("nextPhoneStart(%q, %d) = %d, want %d", s, from, got, want)
			}
		}
	}
}

func FuzzNextPhoneStart(f *testing.F) {
	f.Add("Телефон: +7 (912) 345-67-89", 0)
	f.Fuzz(func(t *testing.T, s string, from int) {
		if from < 0 || from > len(s) {
			return
		}
		want := from
		for want < len(s) && !phoneStartByte[s[want]] {
			want++
		}
		if got := nextPhoneStart(s, from); got != want {
			t.Fatalf("nextPhoneStart(%q, %d) = %d, want %d", s, from, got, want)
		}
	})
}
