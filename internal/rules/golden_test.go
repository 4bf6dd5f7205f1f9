package rules

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/otvet/otvet/internal/mailmsg"
)

// The rules' answers on generated input are pinned in golden files under
// testdata: the decisions of the corpus (decisions.golden), the full
// decision and every detector's answer on the rich messages
// (answers.golden.gz), and the offensive words of every rule word disguised
// twelve ways (words.golden.gz). The answers were recorded from the rules as
// they were before the one-pass rewrite; the rich messages are built from
// the rule words frozen in rulewords.txt, so that removing a word from the
// rules changes answers, not inputs.
//
// -update rewrites all of them (and rulewords.txt) from the CURRENT rules:
// only when a decision is meant to change. Read the diff (zcat) before
// committing it.
var update = flag.Bool("update", false, "rewrite testdata/*.golden* and rulewords.txt from the CURRENT rules (only when a decision is meant to change)")

// golden compares lines with the golden file at path (gzip-compressed when
// the name ends in .gz), or with -update writes them to it. It returns the
// index of the first line that differs, or -1. A shorter lines (-short) is
// compared with the start of the file.
func golden(t testing.TB, path string, lines []string) int {
	t.Helper()
	if *update {
		if testing.Short() {
			t.Fatalf("-update needs the full run: drop -short")
		}
		var b bytes.Buffer
		var w io.Writer = &b
		var zw *gzip.Writer
		if strings.HasSuffix(path, ".gz") {
			zw, _ = gzip.NewWriterLevel(&b, gzip.BestCompression)
			w = zw
		}
		for _, l := range lines {
			io.WriteString(w, l+"\n")
		}
		if zw != nil {
			if err := zw.Close(); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return -1
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rd io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		rd = zr
	}
	sc := bufio.NewScanner(rd)
	sc.Buffer(nil, 1<<20)
	i := 0
	for ; i < len(lines) && sc.Scan(); i++ {
		if sc.Text() != lines[i] {
			return i
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if i < len(lines) {
		return i // the golden file is shorter
	}
	if !testing.Short() && sc.Scan() {
		t.Fatalf("%s has more than %d lines", path, len(lines))
	}
	return -1
}

// goldenLine is line i of the golden file at path, for messages.
func goldenLine(t testing.TB, path string, i int) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(zr)
	sc.Buffer(nil, 1<<20)
	for j := 0; sc.Scan(); j++ {
		if j == i {
			return sc.Text()
		}
	}
	return "(none: the golden file is shorter)"
}

const ruleWordsPath = "testdata/rulewords.txt"

// frozenWords are richWords as recorded in testdata/rulewords.txt (each
// line "clean" or "rude", a tab, the word); -update records them afresh.
func frozenWords(t testing.TB) (words, clean []string) {
	t.Helper()
	if *update && !testing.Short() {
		words, clean := richWords()
		isClean := map[string]bool{}
		for _, w := range clean {
			isClean[w] = true
		}
		var b strings.Builder
		for _, w := range words {
			if strings.ContainsAny(w, "\t\n") {
				t.Fatalf("rule word %q has a tab or a newline", w)
			}
			kind := "rude"
			if isClean[w] {
				kind = "clean"
			}
			b.WriteString(kind + "\t" + w + "\n")
		}
		if err := os.WriteFile(ruleWordsPath, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return words, clean
	}
	data, err := os.ReadFile(ruleWordsPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		kind, w, ok := strings.Cut(l, "\t")
		if !ok {
			t.Fatalf("%s: bad line %q", ruleWordsPath, l)
		}
		words = append(words, w)
		if kind == "clean" {
			clean = append(clean, w)
		}
	}
	return words, clean
}

// answers is one line of answers.golden.gz: what Decide and every exported
// detector answer on one generated input.
type answers struct {
	I          int             `json:"i"`
	Input      string          `json:"input"` // a fingerprint of the input: a change means the generator changed, not the rules
	Decision   json.RawMessage `json:"decision"`
	Offensive  []any           `json:"offensive"` // ok, words
	Identity   json.RawMessage `json:"identity"`
	OutOfScope []string        `json:"out_of_scope"`
	Incident   bool            `json:"incident"`
	Unclear    []any           `json:"unclear"` // unclear, why
	Quality    []string        `json:"quality"`
	Gratitude  bool            `json:"gratitude"`
	Mentions   *bool           `json:"mentions,omitempty"` // of the first maintenance window's words, if any
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	j, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// inputPrint fingerprints an input and its configuration.
func inputPrint(t testing.TB, in Input, cfg Config) string {
	h := sha256.New()
	h.Write(mustJSON(t, in))
	h.Write(mustJSON(t, cfg))
	return hex.EncodeToString(h.Sum(nil)[:6])
}

func answersOf(t testing.TB, i int, in Input, cfg Config) string {
	text := in.Msg.Subject + "\n" + in.Msg.Text
	a := answers{I: i, Input: inputPrint(t, in, cfg), Decision: mustJSON(t, Decide(in, cfg)),
		Identity: mustJSON(t, ExtractIdentity(in.Msg.Text)), OutOfScope: MatchOutOfScope(text, cfg.OutOfScopePhrases),
		Incident: IsIncident(text, cfg.IncidentPhrases), Quality: Quality(in.Msg), Gratitude: Gratitude(in.Msg.Text)}
	ok, ws := Offensive(text, cfg.OffensiveExtraWords)
	a.Offensive = []any{ok, ws}
	u, why := Unclear(in.Msg)
	a.Unclear = []any{u, why}
	if len(in.Maintenance) > 0 {
		w := in.Maintenance[0]
		m := Mentions(text, append([]string{w.System}, w.Keywords...)...)
		a.Mentions = &m
	}
	return string(mustJSON(t, a))
}

// generated yields the inputs of answers.golden.gz in order: n rich
// messages, then n/10 of the corpus generator's long ones (not with -short).
func generated(t testing.TB, n int, yield func(i int, in Input, cfg Config)) {
	words, clean := frozenWords(t)
	r := rand.New(rand.NewPCG(17, 18))
	i := 0
	for ; i < n; i++ {
		in, cfg := richInput(t, r, words, clean)
		yield(i, in, cfg)
	}
	if testing.Short() {
		return // the long ones are in the corpus test too
	}
	r = rand.New(rand.NewPCG(1, 2))
	for k := 0; k < n/10; k++ {
		in, cfg := genInput(r, 500+r.IntN(20000))
		yield(i+k, in, cfg)
	}
}

// TestAnswersGolden: Decide (the whole decision, trail included) and every
// exported detector on 3,300 generated messages answer as recorded.
func TestAnswersGolden(t *testing.T) {
	n := 3000
	if testing.Short() {
		n = 500
	}
	const path = "testdata/answers.golden.gz"
	var lines []string
	var ins []Input
	var cfgs []Config
	outcomes := map[string]int{}
	generated(t, n, func(i int, in Input, cfg Config) {
		lines = append(lines, answersOf(t, i, in, cfg))
		ins, cfgs = append(ins, in), append(cfgs, cfg)
		outcomes[string(Decide(in, cfg).Outcome)]++
	})
	if i := golden(t, path, lines); i >= 0 {
		t.Fatalf("input %d: the answers differ from %s\nsubject %q\ntext %q\ncfg %+v\ngot  %s\nwant %s",
			i, path, ins[i].Msg.Subject, ins[i].Msg.Text, cfgs[i], lines[i], goldenLine(t, path, i))
	}
	if len(outcomes) < 4 {
		t.Errorf("the generated messages exercise too few outcomes: %v", outcomes)
	}
	t.Logf("outcomes: %v", outcomes)
}

// TestOffensiveWordsGolden: every rule word, disguised twelve ways, gets
// the offensive words recorded (through Decide, with operator additions).
func TestOffensiveWordsGolden(t *testing.T) {
	words, _ := frozenWords(t)
	r := rand.New(rand.NewPCG(19, 20))
	extra, except := []string{"бездар", "*тупиц", "кошмар"}, []string{"идиот", "дура"}
	var lines []string
	for _, w := range words {
		for k := 0; k < 12; k++ {
			s := disguise(r, w)
			d := Decide(Input{Msg: &mailmsg.Message{Text: s}}, Config{OffensiveExtraWords: extra, OffensiveExceptions: except})
			if got := offensiveWords(s, extra, except); fmt.Sprint(got) != fmt.Sprint(d.Offensive) {
				t.Fatalf("offensive words of %q: %q, but Decide found %q", s, got, d.Offensive)
			}
			lines = append(lines, string(mustJSON(t, []any{s, d.Offensive})))
		}
	}
	const path = "testdata/words.golden.gz"
	if i := golden(t, path, lines); i >= 0 {
		t.Fatalf("line %d: the offensive words differ from %s\ngot  %s\nwant %s", i, path, lines[i], goldenLine(t, path, i))
	}
}
