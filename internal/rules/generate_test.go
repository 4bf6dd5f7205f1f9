package rules

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"

	"github.com/otvet/otvet/internal/mailmsg"
)

// The generator of the rich messages whose answers golden_test.go pins:
// built from the rules' own word and phrase lists, disguised forms of them
// (look-alike letters, masks, spaced and glued letters, capitals), ordinary
// Russian support text, mail decoded from windows-1251 and KOI8-R, and text
// rendered from HTML. Deterministic: map-held lists are taken sorted.

// richWords are the rules' own words, each as it might be written (the
// tests read them frozen in testdata/rulewords.txt: frozenWords).
func richWords() (words, clean []string) {
	var ws []string
	add := func(l ...string) { ws = append(ws, l...) }
	defer func() {
		for i, w := range ws {
			ws[i] = strings.TrimSuffix(w, "=")
		}
		words = ws
		for _, w := range ws {
			if len(offensiveWords(w, nil, nil)) == 0 {
				clean = append(clean, w)
			}
		}
	}()
	add(ruAnywhere...)
	add(ruPrefixed...)
	add(ruStart...)
	add(ruNotStart...)
	add(enAnywhere...)
	add(enPrefixed...)
	add(slices.Sorted(maps.Keys(ruExact))...)
	add(slices.Sorted(maps.Keys(ruExcept))...)
	add(slices.Sorted(maps.Keys(enWords))...)
	for _, w := range slices.Sorted(maps.Keys(ebObjects)) {
		ws = append(ws, "еб "+w)
	}
	for _, p := range slices.Sorted(maps.Keys(matPrefixes)) {
		ws = append(ws, p+"хуй", p+"хуе", p+"хуя", p+"ху", p+"пидор", p+"говно")
	}
	for _, p := range slices.Sorted(maps.Keys(ebPrefixes)) {
		ws = append(ws, p+"ебал", p+"ёб", p+"еб", p+"ебс")
	}
	for _, c := range slices.Sorted(maps.Keys(outOfScope)) {
		ps := outOfScope[c]
		add(ps...)
	}
	add(incidentPhrases...)
	add(problemWords...)
	add(problemLeads...)
	add(fillers...)
	add(stepWords...)
	add(stepLeads...)
	add(forwardMarkers...)
	add(replyMarkers...)
	add(signOffs...)
	add(thanksOnly...)
	add(orgWords...)
	add(positionWords...)
	add(slices.Sorted(maps.Keys(orgAcronyms))...)
	add("ФИО:", "Организация:", "Телефон:", "Должность:", "Фамилия:", "Имя:", "Отчество:", "Name:", "Company:",
		"Phone:", "тел.", "доб. 12", "ИНН 6615001234", "№ 12", "+7 912 345-67-89", "8 (34341) 2-11-05", "2-44-90",
		"Иванова Мария Петровна", "Петров И. С.", "А.В. Лебедев", "John Smith", "ivan@example.org",
		"https://сайт.рф/х.у.й", "www.example.org", "10шт", "16гб", "употреблять", "корабль", "застраховать",
		"команда", "Олеговна", "психую", "плохую", "Екатеринбург", "ебург", "ЕБС", "подсистеме", "тебе", "требуется")
	return
}

// disguise writes w as people disguise or mistype it.
func disguise(r *rand.Rand, w string) string {
	switch r.IntN(12) {
	case 0:
		return strings.ToUpper(w)
	case 1:
		rs := []rune(w)
		if len(rs) > 0 {
			rs[0] = []rune(strings.ToUpper(string(rs[0])))[0]
		}
		return string(rs)
	case 2: // Latin look-alikes and digits
		return strings.NewReplacer("а", "a", "е", "e", "о", "o", "р", "p", "с", "c", "х", "x", "у", "y", "з", "3", "б", "6", "и", "u", "п", "n").Replace(w)
	case 3: // masks
		rs := []rune(w)
		if len(rs) > 2 {
			rs[1+r.IntN(len(rs)-2)] = []rune("*@#%$")[r.IntN(5)]
		}
		return string(rs)
	case 4: // spaced or dotted letters
		sep := []string{" ", ".", "-", "_"}[r.IntN(4)]
		return strings.Join(strings.Split(w, ""), sep)
	case 5: // repeated letters
		rs := []rune(w)
		if len(rs) > 1 {
			k := r.IntN(len(rs))
			return string(rs[:k+1]) + strings.Repeat(string(rs[k]), 1+r.IntN(3)) + string(rs[k+1:])
		}
	case 6: // glued pieces
		rs := []rune(w)
		if len(rs) > 3 {
			k := 1 + r.IntN(len(rs)-2)
			return string(rs[:k]) + []string{".", "-", "'", "`"}[r.IntN(4)] + string(rs[k:])
		}
	case 7: // ё
		return strings.ReplaceAll(w, "е", "ё")
	case 8: // inside a longer word
		return []string{"по", "за", "не", "пере", "тр", "x"}[r.IntN(6)] + w + []string{"ать", "ый", "ом", "", "ка"}[r.IntN(5)]
	}
	return w
}

var richPunct = []string{" ", " ", " ", ", ", ". ", "! ", "? ", "\n", "\n\n", " — ", " (", ") ", ": ", "; ", "«", "» ", "\t", " > "}

// richText is text of about size bytes mixing support sentences and the
// rules' words.
func richText(r *rand.Rand, words []string, size int) string {
	var b strings.Builder
	for b.Len() < size {
		switch r.IntN(6) {
		case 0, 1:
			b.WriteString(genProblems[r.IntN(len(genProblems))])
		case 2:
			b.WriteString(genFiller[r.IntN(len(genFiller))])
		case 3:
			b.WriteString(genSignatures[r.IntN(len(genSignatures))])
		default:
			b.WriteString(disguise(r, words[r.IntN(len(words))]))
		}
		b.WriteString(richPunct[r.IntN(len(richPunct))])
		if r.IntN(15) == 0 {
			b.WriteString("\n" + genQuotes[r.IntN(len(genQuotes))])
		}
	}
	return b.String()
}

// richMessage is a generated message; some arrive as raw MIME (windows-1251,
// KOI8-R, HTML only) and are parsed as intake parses them.
func richMessage(t testing.TB, r *rand.Rand, words []string) *mailmsg.Message {
	subject := genSubjects[r.IntN(len(genSubjects))]
	if r.IntN(3) == 0 {
		subject = disguise(r, words[r.IntN(len(words))]) + " " + subject
	}
	text := richText(r, words, 50+r.IntN(4000))
	var m *mailmsg.Message
	switch r.IntN(5) {
	case 0, 1:
		m = &mailmsg.Message{Subject: subject, Text: text}
	case 2, 3: // windows-1251 or KOI8-R
		cm, name := charmap.Windows1251, "windows-1251"
		if r.IntN(2) == 0 {
			cm, name = charmap.KOI8R, "koi8-r"
		}
		enc, err := cm.NewEncoder().String(strings.Map(func(c rune) rune {
			if _, ok := cm.EncodeRune(c); ok || c < 0x80 {
				return c
			}
			return '?'
		}, text))
		if err != nil {
			t.Fatal(err)
		}
		m = parseRaw(t, "text/plain; charset="+name, "8bit", subject, enc)
	default: // HTML only: the text is rendered from it
		var h strings.Builder
		h.WriteString("<html><body>")
		for _, l := range strings.Split(text, "\n") {
			h.WriteString("<p>" + htmlEscape(l) + "</p>")
			if r.IntN(10) == 0 {
				h.WriteString("<blockquote>" + htmlEscape(genFiller[r.IntN(len(genFiller))]) + "</blockquote>")
			}
		}
		h.WriteString("</body></html>")
		m = parseRaw(t, "text/html; charset=utf-8", "8bit", subject, h.String())
	}
	names := []string{"", "Иванова Мария", "Petrov Ivan", "Сидоров Пётр Иванович", "Петров С. А."}
	m.From = &mailmsg.Address{Email: fmt.Sprintf("user%d@school.example.org", r.IntN(100)), Name: names[r.IntN(len(names))]}
	switch r.IntN(4) {
	case 0:
		m.Attachments = []mailmsg.Attachment{screenshot}
	case 1:
		m.Attachments = []mailmsg.Attachment{logo}
	}
	return m
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

func parseRaw(t testing.TB, ctype, cte, subject, body string) *mailmsg.Message {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: x@example.org\r\nTo: sd@example.org\r\nSubject: =?utf-8?B?%s?=\r\nMIME-Version: 1.0\r\nContent-Type: %s\r\nContent-Transfer-Encoding: %s\r\n\r\n",
		base64.StdEncoding.EncodeToString([]byte(subject)), ctype, cte)
	b.WriteString(strings.ReplaceAll(body, "\n", "\r\n"))
	m, err := mailmsg.Parse(b.Bytes(), mailmsg.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// richInput wraps a generated message as genInput does, with operator
// additions built from the same words.
func richInput(t testing.TB, r *rand.Rand, words, clean []string) (Input, Config) {
	in, cfg := genInput(r, 100)
	if r.IntN(2) == 0 {
		words = clean // no offensive word, so that the later rules decide
	}
	in.Msg = richMessage(t, r, words)
	if r.IntN(4) == 0 {
		pick := func() string { return words[r.IntN(len(words))] }
		cfg.OffensiveExtraWords = []string{pick(), "*" + pick(), "бездар"}
		cfg.OffensiveExceptions = []string{pick(), "идиот"}
		cfg.IncidentPhrases = []string{pick(), "утечка данных"}
		cfg.OutOfScopePhrases = map[string][]string{"purchase": {pick(), "купить ноутбук"}, ScopeLegislation: {pick()}}
		in.Maintenance = []Window{{ID: 2, System: pick(), Keywords: []string{pick(), "журнал"}, From: monday10.Add(-1), To: monday10.Add(1 << 50)}}
	}
	return in, cfg
}
