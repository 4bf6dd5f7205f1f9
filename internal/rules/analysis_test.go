package rules

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/mailmsg"
)

// variant is one way of deciding on an analysed message: what the database
// and the clock say, and the desk's switches.
type variant struct {
	name string
	edit func(in *Input, cfg *Config)
}

var (
	blockedUser = &User{Email: "bad@school3.example.org", Blocked: true}
	blockedOrg  = &Org{ID: 9, Name: "Заблокированная", Blocked: true}
	saturday    = time.Date(2024, 4, 27, 12, 0, 0, 0, time.UTC)
	evening     = monday10.Add(9 * time.Hour)
)

var variants = []variant{
	{"as generated", func(*Input, *Config) {}},
	{"unknown sender", func(in *Input, _ *Config) { in.Sender, in.SenderOrg = nil, nil }},
	{"unknown sender of a known organisation", func(in *Input, _ *Config) { in.Sender, in.SenderOrg = nil, school }},
	{"registered sender", func(in *Input, _ *Config) { in.Sender, in.SenderOrg = ivanova, school }},
	{"blocked sender", func(in *Input, _ *Config) { in.Sender, in.SenderOrg = blockedUser, school }},
	{"blocked organisation", func(in *Input, _ *Config) { in.Sender, in.SenderOrg = nil, blockedOrg }},
	{"all blocked", func(in *Input, _ *Config) { in.AllBlocked = true }},
	{"reply", func(in *Input, _ *Config) { in.IsReply = true }},
	{"new request", func(in *Input, _ *Config) { in.IsReply = false }},
	{"desk-wide window", func(in *Input, _ *Config) {
		in.Maintenance = []Window{{ID: 5, Note: "переезд", From: monday10.Add(-time.Hour)}}
	}},
	{"windows by keyword", func(in *Input, _ *Config) {
		in.Maintenance = []Window{
			{ID: 6, System: "ЕИС", Keywords: []string{"отчёт", "СБИС", "журнал*"}, From: monday10.Add(-time.Hour), To: monday10.Add(time.Hour)},
			{ID: 7, System: "Дело", Keywords: []string{"почта", "#", "вход= в"}},
			{ID: 8, System: "СЭД", From: monday10.Add(time.Hour)}, // not yet
		}
	}},
	{"no windows", func(in *Input, _ *Config) { in.Maintenance = nil }},
	{"in working hours", func(in *Input, _ *Config) { in.Now = monday10 }},
	{"in the evening", func(in *Input, _ *Config) { in.Now = evening }},
	{"on Saturday", func(in *Input, _ *Config) { in.Now = saturday }},
	{"no calendar", func(in *Input, _ *Config) { in.Calendar = nil }},
	{"identification disabled", func(_ *Input, cfg *Config) { cfg.Identification.Disabled = true }},
	{"maintenance and blocked disabled", func(_ *Input, cfg *Config) { cfg.Maintenance.Disabled, cfg.Blocked.Disabled = true, true }},
	{"text rules disabled", func(_ *Input, cfg *Config) {
		cfg.Offensive.Disabled, cfg.Unclear.Disabled, cfg.Quality.Disabled = true, true, true
		cfg.OutOfScope.Disabled, cfg.Incident.Disabled = true, true
	}},
	{"text rules enabled", func(_ *Input, cfg *Config) {
		cfg.Offensive.Disabled, cfg.Unclear.Disabled, cfg.Quality.Disabled = false, false, false
		cfg.OutOfScope.Disabled, cfg.Incident.Disabled = false, false
	}},
}

// analysisSwitches are the switches Analyze is given: the decision's own,
// or others (a rule analysed but switched off for the desk, or left out of
// the analysis and worked out by DecideWith).
var analysisSwitches = []func(*Config){
	func(*Config) {},
	func(c *Config) {
		*c = Config{OffensiveExtraWords: c.OffensiveExtraWords, OffensiveExceptions: c.OffensiveExceptions, OutOfScopePhrases: c.OutOfScopePhrases, IncidentPhrases: c.IncidentPhrases}
	},
	func(c *Config) { c.Offensive.Disabled, c.Quality.Disabled, c.Incident.Disabled = true, true, true },
	func(c *Config) { c.Unclear.Disabled, c.OutOfScope.Disabled = true, true },
}

// checkSplit decides on in with one analysis of its message under several
// variants and compares each with Decide and with decideRef, the
// unsplit Decide.
func checkSplit(t *testing.T, r *rand.Rand, i int, in Input, cfg Config) {
	t.Helper()
	acfg := cfg
	analysisSwitches[r.IntN(len(analysisSwitches))](&acfg)
	a := Analyze(in.Msg, acfg)
	for _, k := range r.Perm(len(variants))[:6] {
		v := variants[k]
		in2, cfg2 := in, cfg
		v.edit(&in2, &cfg2)
		if !a.For(in2.Msg, cfg2) {
			t.Fatalf("input %d, %s: For is false for the analysed message and config", i, v.name)
		}
		want := decideRef(in2, cfg2)
		for name, got := range map[string]Decision{"DecideWith": DecideWith(a, in2, cfg2), "Decide": Decide(in2, cfg2)} {
			if !reflect.DeepEqual(got, want) {
				g, _ := json.MarshalIndent(got, "", " ")
				w, _ := json.MarshalIndent(want, "", " ")
				t.Fatalf("input %d, %s: %s differs from the unsplit Decide\nsubject %q\ntext %q\ngot  %s\nwant %s",
					i, v.name, name, in.Msg.Subject, in.Msg.Text, g, w)
			}
		}
	}
}

// TestDecideWithIsDecide: one Analysis of each generated message (the
// corpus and the rich messages of the golden answers) decides as the
// unsplit Decide under varied senders, organisations, windows, replies,
// times and switches.
func TestDecideWithIsDecide(t *testing.T) {
	n, rich := 600, 600
	if testing.Short() {
		n, rich = 300, 200
	}
	r := rand.New(rand.NewPCG(1, 2))
	pick := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < n; i++ {
		in, cfg := genInput(r, 500+r.IntN(20000))
		checkSplit(t, pick, i, in, cfg)
	}
	words, clean := frozenWords(t)
	r = rand.New(rand.NewPCG(17, 18))
	for i := 0; i < rich; i++ {
		in, cfg := richInput(t, r, words, clean)
		checkSplit(t, pick, n+i, in, cfg)
	}
	checkSplit(t, pick, -1, Input{Now: monday10}, Config{}) // no message
}

func TestAnalysisFor(t *testing.T) {
	m := msg("Ошибка", goodBody)
	cfg := Config{OffensiveExtraWords: []string{"кошмар"}, IncidentPhrases: []string{"утечка данных"},
		OutOfScopePhrases: map[string][]string{"purchase": {"купить ноутбук"}}}
	a := Analyze(m, cfg)
	same := Config{OffensiveExtraWords: []string{"кошмар"}, IncidentPhrases: []string{"утечка данных"},
		OutOfScopePhrases: map[string][]string{"purchase": {"купить ноутбук"}}}
	switched := cfg
	switched.Identification.Disabled, switched.Offensive.Disabled = true, true
	otherList := cfg
	otherList.OffensiveExceptions = []string{"идиот"}
	otherMap := cfg
	otherMap.OutOfScopePhrases = map[string][]string{"purchase": {"купить принтер"}}
	moreMap := cfg
	moreMap.OutOfScopePhrases = map[string][]string{"purchase": {"купить ноутбук"}, "website": nil}
	copyOfM := *m
	for _, c := range []struct {
		name string
		a    *Analysis
		m    *mailmsg.Message
		cfg  Config
		want bool
	}{
		{"the same message and config", a, m, cfg, true},
		{"equal word lists", a, m, same, true},
		{"other switches", a, m, switched, true},
		{"another message", a, msg("Ошибка", goodBody), cfg, false},
		{"a copy of the message", a, &copyOfM, cfg, false},
		{"no message", a, nil, cfg, false},
		{"another exception list", a, m, otherList, false},
		{"other out-of-scope phrases", a, m, otherMap, false},
		{"another out-of-scope category", a, m, moreMap, false},
		{"empty config", a, m, Config{}, false},
		{"nil analysis", nil, m, cfg, false},
		{"zero analysis", &Analysis{}, nil, Config{}, false},
		{"analysis of no message", Analyze(nil, Config{}), nil, Config{}, true},
		{"analysis of no message, a message", Analyze(nil, Config{}), m, Config{}, false},
	} {
		if got := c.a.For(c.m, c.cfg); got != c.want {
			t.Errorf("%s: For = %v, want %v", c.name, got, c.want)
		}
	}
}

// TestAnalysisNoticesChangedConfig: the word lists are copied, so a config
// changed in place after Analyze no longer matches.
func TestAnalysisNoticesChangedConfig(t *testing.T) {
	m := msg("Ошибка", goodBody)
	cfg := Config{OffensiveExtraWords: []string{"кошмар"}, OutOfScopePhrases: map[string][]string{"purchase": {"купить ноутбук"}}}
	a := Analyze(m, cfg)
	cfg.OffensiveExtraWords[0] = "ошибк"
	if a.For(m, cfg) {
		t.Errorf("For is true after a word list changed in place")
	}
	cfg.OffensiveExtraWords[0] = "кошмар"
	cfg.OutOfScopePhrases["purchase"][0] = "ошибка"
	if a.For(m, cfg) {
		t.Errorf("For is true after an out-of-scope phrase changed in place")
	}
}

// TestDecideWithOtherAnalysis: an analysis of another message or other word
// lists is not used: DecideWith still answers as Decide.
func TestDecideWithOtherAnalysis(t *testing.T) {
	rude := msg("Ошибка", "Почините уже, блять, третий день не работает!")
	good := msg("Ошибка в СЭД", goodBody, screenshot)
	cfg := Config{IncidentPhrases: []string{"ошибка"}}
	for _, c := range []struct {
		name string
		a    *Analysis
		in   Input
		cfg  Config
	}{
		{"nil analysis", nil, Input{Msg: good, Now: monday10, SenderOrg: school}, Config{}},
		{"zero analysis", &Analysis{}, Input{Now: monday10}, Config{}},
		{"another message", Analyze(rude, Config{}), Input{Msg: good, Now: monday10, SenderOrg: school}, Config{}},
		{"other word lists", Analyze(good, Config{}), Input{Msg: good, Now: monday10, SenderOrg: school}, cfg},
		{"no message", Analyze(good, Config{}), Input{Now: monday10}, Config{}},
	} {
		got, want := DecideWith(c.a, c.in, c.cfg), decideRef(c.in, c.cfg)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: DecideWith = %+v, want %+v", c.name, got, want)
		}
	}
}

// TestAnalysisShared: decisions made from one analysis on several
// goroutines agree with Decide, and changing one decision's slices and
// identity changes neither the analysis nor the other decisions (run with
// -race).
func TestAnalysisShared(t *testing.T) {
	m := msg("Вирус, купить ноутбук", "Почините уже, блять, третий день не работает! Кто-то получил доступ к нашей почте. Прошу купить новый ноутбук.\n\nС уважением, Иванова Мария Петровна, учитель, МАОУ СОШ № 3, тел. 8 (34341) 2-11-05")
	plain := msg("Вирус", "Антивирус показывает, что на компьютере вирус-шифровальщик. Прошу купить новый ноутбук.")
	win := []Window{{ID: 1, System: "ЕИС", Keywords: []string{"почта", "ноутбук"}, From: monday10.Add(-time.Hour)}}
	for _, mm := range []*mailmsg.Message{m, plain} {
		a := Analyze(mm, Config{})
		var wg sync.WaitGroup
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := 0; k < 20; k++ {
					in := Input{Msg: mm, Now: monday10.Add(time.Duration(k) * time.Hour), SenderOrg: school, Calendar: nineToFive{}, IsReply: k%5 == 4}
					if k%2 == 0 {
						in.Maintenance = win
					}
					d := DecideWith(a, in, Config{})
					if want := decideRef(in, Config{}); !reflect.DeepEqual(d, want) {
						t.Errorf("goroutine %d, call %d: DecideWith = %+v, want %+v", g, k, d, want)
						return
					}
					for _, s := range [][]string{d.Offensive, d.OutOfScope, d.Missing} {
						for i := range s {
							s[i] = "changed"
						}
					}
					if d.Identity != nil {
						d.Identity.FullName = "changed"
					}
				}
			}()
		}
		wg.Wait()
		in := Input{Msg: mm, Now: monday10, Calendar: nineToFive{}}
		if got, want := DecideWith(a, in, Config{}), decideRef(in, Config{}); !reflect.DeepEqual(got, want) {
			t.Errorf("after the decisions were changed: DecideWith = %+v, want %+v", got, want)
		}
		if strings.Contains(a.id.FullName, "changed") {
			t.Errorf("the analysis' identity was changed through a decision")
		}
	}
}

// bench10KB is BenchmarkDecide10KB's input.
func bench10KB() Input {
	r := rand.New(rand.NewPCG(7, 7))
	m := genMail(r, 10<<10)
	m.Subject = "Ошибка при отправке отчёта в СБИС"
	return Input{Msg: m, Now: monday10, SenderOrg: school, Calendar: nineToFive{},
		Maintenance: []Window{{ID: 1, System: "ЕИС", From: monday10.Add(-1), To: monday10.Add(1)}}}
}

// benchSmall is BenchmarkDecide's input.
func benchSmall() Input {
	return Input{
		Msg:         msg("Ошибка при отправке отчёта в СБИС", goodBody+"\n\n"+strings.Repeat("> Предыдущее письмо службы поддержки, процитированное целиком.\n", 20), screenshot),
		Now:         monday10,
		SenderOrg:   school,
		Maintenance: []Window{{ID: 1, System: "СЭД", From: monday10.Add(-1), To: monday10.Add(1)}},
		Calendar:    nineToFive{},
	}
}

// BenchmarkAnalyze10KB and BenchmarkDecideWith10KB are the two halves of
// BenchmarkDecide10KB: the message's text work (on the parsing goroutines)
// and what the database writer still does.
func BenchmarkAnalyze10KB(b *testing.B) {
	in := bench10KB()
	b.SetBytes(int64(len(in.Msg.Text)))
	b.ReportAllocs()
	for b.Loop() {
		Analyze(in.Msg, Config{})
	}
}

func BenchmarkDecideWith10KB(b *testing.B) {
	in := bench10KB()
	a := Analyze(in.Msg, Config{})
	b.SetBytes(int64(len(in.Msg.Text)))
	b.ReportAllocs()
	for b.Loop() {
		DecideWith(a, in, Config{})
	}
}

// BenchmarkAnalyze and BenchmarkDecideWith are the halves of BenchmarkDecide.
func BenchmarkAnalyze(b *testing.B) {
	in := benchSmall()
	b.ReportAllocs()
	for b.Loop() {
		Analyze(in.Msg, Config{})
	}
}

func BenchmarkDecideWith(b *testing.B) {
	in := benchSmall()
	a := Analyze(in.Msg, Config{})
	b.ReportAllocs()
	for b.Loop() {
		DecideWith(a, in, Config{})
	}
}
