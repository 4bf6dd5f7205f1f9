package rules

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// plainClean reports whether raw is an ordinary word in Cyrillic letters
// (А..я, Ё, ё) that matchRu certainly rejects; false means "check it".
func (c *cyrRoots) plainClean(raw string) bool {
	if raw == "" || len(raw)%2 != 0 {
		return false
	}
	next := c.next
	st := 0
	h := uint64(exactHashInit)
	prev := byte(0)
	for ; len(raw) >= 2; raw = raw[2:] {
		b := raw[0]
		if b&^1 != 0xD0 {
			return false
		}
		k := plainClass[b&1][raw[1]]
		if k == 0 {
			return false
		}
		if k == prev {
			continue // collapsed
		}
		prev = k
		h = exactHash(h, k)
		t := next[st+int(k)]
		if t&rootEnd != 0 {
			return false
		}
		st = int(t) * cyrClasses
	}
	return c.exact[h%exactBits/64]&(1<<(h%64)) == 0 // not one of ruExact
}

// TestCleanTokens: a token offTokens marks clean is one plainClean accepts
// and matchRu rejects, and a token plainClean accepts is marked clean
// unless it is cut short by a character that is not a Cyrillic letter.
func TestCleanTokens(t *testing.T) {
	texts := []string{"", "слово", "Слово, СЛОВО! сЛоВо.", "ёлка Ёжик", "сука", "сууука", "блядь", "хуй", "дура", "дурак",
		"бля", "ебург", "сучок", "слово\xd0", "слово\xd0A", "сло\xd0\x41во", "слово1", "слово@mail.ru", "слово-слово",
		"х*й", "xуй", "їжак", "укр\u0456нський", "ПРОЦЕДУРА", "команда", "застраховать", "оскорбление"}
	r := rand.New(rand.NewPCG(9, 9))
	for i := 0; i < 300; i++ {
		in, _ := genInput(r, 200+r.IntN(4000))
		if in.Msg != nil {
			texts = append(texts, in.Msg.Subject+"\n"+in.Msg.Text)
		}
	}
	letters := []rune("абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБЕЁХУЙСКЛ іa1 *.\n")
	for i := 0; i < 5000; i++ {
		var b strings.Builder
		for j := r.IntN(16); j >= 0; j-- {
			b.WriteRune(letters[r.IntN(len(letters))])
		}
		texts = append(texts, b.String())
	}
	for _, w := range ruWordsForTest() {
		texts = append(texts, w, strings.ToUpper(w), "x "+w+" y")
	}
	for _, text := range texts {
		for _, tok := range offTokens(text) {
			raw := text[tok.start:tok.end]
			plain := cyrRootsOnce.plainClean(raw)
			if tok.clean && !plain {
				t.Fatalf("%q in %q: clean, but plainClean says no", raw, text)
			}
			if tok.clean && matchRu(collapse(cyrForm(raw, true))) {
				t.Fatalf("%q in %q: clean, but matchRu fires", raw, text)
			}
			if plain && !tok.clean {
				t.Fatalf("%q in %q: plainClean, but not marked clean", raw, text)
			}
		}
	}
}

// ruWordsForTest are the roots and whole words of matchRu.
func ruWordsForTest() []string {
	ws := append(append(append(append([]string{}, ruStart...), ruAnywhere...), ruPrefixed...), ruNotStart...)
	for w := range ruExact {
		ws = append(ws, w)
	}
	for w := range ruExcept {
		ws = append(ws, w)
	}
	return append(ws, "ху", "еб", "хуе", "заеб")
}

func FuzzCleanTokens(f *testing.F) {
	for _, s := range []string{"слово", "Сука", "сло\xd0во", "х у й", "ёб твою"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, tok := range offTokens(text) {
			raw := text[tok.start:tok.end]
			if plain := cyrRootsOnce.plainClean(raw); tok.clean != plain {
				t.Fatalf("%q in %q: clean %v, plainClean %v", raw, text, tok.clean, plain)
			}
		}
	})
}
