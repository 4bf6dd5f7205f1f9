package rules

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/otvet/otvet/internal/mailmsg"
)

// consultationRef is Consultation as it was before it shared Decide's
// words (its own tokenising and a first-letter index): the reference.
func consultationRef(m *mailmsg.Message) bool {
	if m == nil {
		return false
	}
	own, subj := splitBody(m.Text).own, cleanSubject(m.Subject)
	asks := hasQuestionMark(own) || hasQuestionMark(subj)
	ws := normWords(own)
	ws = append(ws[:len(ws):len(ws)], normWords(subj)...)
	for i, w := range ws {
		r, _ := utf8.DecodeRuneInString(w)
		for _, p := range consultIndexRef[r] {
			if p.lead && i+1 >= len(ws) || !wordMatch(w, p.word) {
				continue
			}
			if p.question {
				asks = true
			} else {
				return false
			}
		}
	}
	return asks
}

type consultPatternRef struct {
	word           string
	lead, question bool
}

var consultIndexRef = func() map[rune][]consultPatternRef {
	m := map[rune][]consultPatternRef{}
	add := func(ws []string, lead, question bool) {
		for _, w := range ws {
			r, _ := utf8.DecodeRuneInString(w)
			m[r] = append(m[r], consultPatternRef{w, lead, question})
		}
	}
	add(failureWords, false, false)
	add(failureLeads, true, false)
	add(questionWords, false, true)
	return m
}()

// TestConsultationSameAsReference: Consultation and Decide's Question give
// the reference's answer on the generated corpus and on hand-made edges
// (a failure lead as the last word of the text or of the subject).
func TestConsultationSameAsReference(t *testing.T) {
	tests := []struct{ subject, text string }{
		{"", ""},
		{"Вопрос", "Как настроить принтер"},
		{"не", ""},
		{"", "не"},
		{"не", "не"},
		{"печатает", "Принтер не"},
		{"Как?", "не\n> не работает"},
		{"Re: [#12] почему", "Добрый день!\nНе могу войти"},
		{"how", "doesn"},
		{"", "Когда будет готово?\n\n-----Original Message-----\nошибка"},
	}
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 1500; i++ {
		in, _ := genInput(r, 200+r.IntN(6000))
		if in.Msg != nil {
			tests = append(tests, struct{ subject, text string }{in.Msg.Subject, in.Msg.Text})
		}
	}
	words := append(append(append([]string{}, failureWords...), failureLeads...), questionWords...)
	for i := 0; i < 3000; i++ {
		var b strings.Builder
		for j := r.IntN(6); j >= 0; j-- {
			w := strings.TrimSuffix(words[r.IntN(len(words))], "=")
			b.WriteString([]string{w, strings.ToUpper(w), w + "ет", "слово", "?", "\n> " + w}[r.IntN(6)] + " ")
		}
		tests = append(tests, struct{ subject, text string }{[]string{"", "Вопрос", "не", "как"}[r.IntN(4)], b.String()})
	}
	// The rich messages of answers.golden.gz, with their configurations.
	yes := 0
	generated(t, 3000, func(i int, in Input, cfg Config) {
		want := consultationRef(in.Msg)
		if got := Consultation(in.Msg); got != want {
			t.Fatalf("rich message %d: Consultation = %v, want %v", i, got, want)
		}
		if got := Decide(in, cfg).Question; got != want {
			t.Fatalf("rich message %d: Decide(…).Question = %v, want %v", i, got, want)
		}
		if want {
			yes++
		}
	})
	if yes == 0 {
		t.Error("no rich message asks a question")
	}
	for _, tc := range tests {
		m := &mailmsg.Message{Subject: tc.subject, Text: tc.text}
		want := consultationRef(m)
		if got := Consultation(m); got != want {
			t.Fatalf("Consultation(%q, %q) = %v, want %v", tc.subject, tc.text, got, want)
		}
		if got := Decide(Input{Msg: m, Now: monday10}, Config{}).Question; got != want {
			t.Fatalf("Decide(%q, %q).Question = %v, want %v", tc.subject, tc.text, got, want)
		}
	}
	if consultationRef(nil) || Consultation(nil) || Decide(Input{}, Config{}).Question {
		t.Fatal("a nil message asks a question")
	}
}
