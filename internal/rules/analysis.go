package rules

import (
	"maps"
	"slices"
	"strings"

	"github.com/otvet/otvet/internal/mailmsg"
)

// Analysis is what the rules work out from a message alone (and the
// configuration's word lists): the body split from quoted and forwarded
// text, the cleaned subject, the words, the identity the message states,
// the offensive words, the unclear and quality verdicts, the out-of-scope
// categories, the incident phrase and the question test. It is the costly
// half of Decide; DecideWith adds what depends on the sender, the desk's
// state and the time.
//
// An Analysis is immutable once Analyze returns it: it may be made on one
// goroutine and read by DecideWith on others, any number of times. The
// message it was made from must not be modified afterwards.
type Analysis struct {
	msg *mailmsg.Message // as passed to Analyze (nil allowed), for For
	m   *mailmsg.Message // msg, or an empty message
	// lists are the configuration's word lists the analysis was made with
	// (copies when shared, so that a later change of cfg is noticed).
	lists  wordLists
	shared bool // made by Analyze: DecideWith copies what it hands out

	sp       split
	subject  string
	tw       *textWords // never modified after analyze; DecideWith works on a copy
	nSubj    int        // tw.ws[:nSubj] are the subject's words
	id       Identity
	question bool

	done       part // the parts worked out below; DecideWith works out the others itself
	offensive  []string
	offDetail  string
	unclear    bool
	unclearWhy string
	quality    []string
	qualDetail string
	scope      []string
	scopeDet   string
	incident   string
	incidentOK bool
}

// part is one rule's text work in an Analysis.
type part uint8

const (
	partOffensive part = 1 << iota
	partUnclear
	partQuality
	partScope
	partIncident
)

// wordLists are the parts of Config that the text work reads.
type wordLists struct {
	offExtra, offExcept, incident []string
	scope                         map[string][]string
}

func listsOf(cfg Config) wordLists {
	return wordLists{cfg.OffensiveExtraWords, cfg.OffensiveExceptions, cfg.IncidentPhrases, cfg.OutOfScopePhrases}
}

func (l wordLists) clone() wordLists {
	c := wordLists{offExtra: slices.Clone(l.offExtra), offExcept: slices.Clone(l.offExcept), incident: slices.Clone(l.incident)}
	if l.scope != nil {
		c.scope = maps.Clone(l.scope)
		for k, v := range c.scope {
			c.scope[k] = slices.Clone(v)
		}
	}
	return c
}

func (l wordLists) equal(o wordLists) bool {
	if !slices.Equal(l.offExtra, o.offExtra) || !slices.Equal(l.offExcept, o.offExcept) ||
		!slices.Equal(l.incident, o.incident) || len(l.scope) != len(o.scope) {
		return false
	}
	for k, v := range l.scope {
		if w, ok := o.scope[k]; !ok || !slices.Equal(v, w) {
			return false
		}
	}
	return true
}

// Analyze works out the message's half of Decide: everything that depends
// only on m and cfg's word lists (OffensiveExtraWords, OffensiveExceptions,
// OutOfScopePhrases, IncidentPhrases). A rule switched off in cfg is not
// analysed; DecideWith analyses it itself if its own cfg switches it on, so
// the switches may differ between the two calls (a desk that disables
// identification, say). Analyze is pure and safe to call on any goroutine;
// a nil m is an empty message, as in Decide.
func Analyze(m *mailmsg.Message, cfg Config) *Analysis {
	var ps part
	if !cfg.Offensive.Disabled {
		ps |= partOffensive
	}
	if !cfg.Unclear.Disabled {
		ps |= partUnclear
	}
	if !cfg.Quality.Disabled {
		ps |= partQuality
	}
	if !cfg.OutOfScope.Disabled {
		ps |= partScope
	}
	if !cfg.Incident.Disabled {
		ps |= partIncident
	}
	a := &Analysis{}
	a.fill(m, cfg, ps)
	a.lists, a.shared = a.lists.clone(), true
	return a
}

// For reports whether a was made from m (the same pointer) with cfg's word
// lists (equal contents; the rule switches may differ): then
// DecideWith(a, in, cfg) with in.Msg == m is exactly Decide(in, cfg). It
// costs a comparison of the word lists, nothing when they are empty. A zero
// Analysis is for no message.
func (a *Analysis) For(m *mailmsg.Message, cfg Config) bool {
	return a != nil && a.m != nil && a.msg == m && a.lists.equal(listsOf(cfg)) // a.m: not a zero Analysis
}

// fill does the text work every decision needs (the split, the subject,
// the words, the identity, the question test) and the parts ps into a
// zero Analysis.
func (a *Analysis) fill(msg *mailmsg.Message, cfg Config, ps part) {
	m := msg
	if m == nil {
		m = &mailmsg.Message{}
	}
	a.msg, a.m, a.lists = msg, m, listsOf(cfg)
	a.sp = splitBody(m.Text)
	a.subject = cleanSubject(m.Subject)
	// The subject and the sender's own text are tokenised once; every rule
	// that matches words or phrases reads tw: the words of the subject, a
	// newline and the own text (the own text's words follow the subject's,
	// as the newline always separates words).
	ws := appendNormWords(make([]string, 0, (len(a.subject)+len(a.sp.own))/12+4), a.subject)
	a.nSubj = len(ws)
	a.tw = newTextWords(appendNormWords(ws, a.sp.own))

	a.id = extractIdentity(a.sp.ownAgain())
	if a.id.FullName == "" && m.From != nil && m.From.Name != "" {
		a.id.FullName = findName(m.From.Name, false, false)
	}
	a.question = consultation(a.subject, a.subjWords(), a.sp.own, a.ownWords())

	if ps&partOffensive != 0 {
		a.offensive, a.offDetail = a.offensiveOf()
	}
	if ps&partUnclear != 0 {
		a.unclear, a.unclearWhy = unclear(m, &a.sp)
	}
	if ps&partQuality != 0 {
		a.quality, a.qualDetail = a.qualityOf()
	}
	// matchOutOfScope and incidentPhrase may fill tw's caches (the phrase
	// lists' first matches, the word index): here, before a is shared.
	if ps&partScope != 0 {
		a.scope, a.scopeDet = scopeOf(a.tw, a.lists.scope)
	}
	if ps&partIncident != 0 {
		a.incident, a.incidentOK = incidentPhrase(a.tw, a.lists.incident)
	}
	a.done = ps
}

func (a *Analysis) subjWords() []string { return a.tw.ws[:a.nSubj:a.nSubj] }
func (a *Analysis) ownWords() []string  { return a.tw.ws[a.nSubj:] }

// words returns a copy of a's words that the caller may use (has and
// builtin fill caches in it), leaving a untouched.
func (a *Analysis) words() *textWords {
	c := *a.tw
	return &c
}

func (a *Analysis) offensiveOf() ([]string, string) {
	ws := offensiveIn(a.lists.offExtra, a.lists.offExcept, a.subject, a.sp.own)
	if len(ws) == 0 {
		return nil, ""
	}
	return ws, "offensive words: " + strings.Join(ws, ", ")
}

func (a *Analysis) qualityOf() ([]string, string) {
	q := quality(a.m, a.subject, a.subjWords(), a.sp.own, a.ownWords())
	if len(q) == 0 {
		return nil, ""
	}
	return q, "missing: " + strings.Join(q, ", ")
}

func scopeOf(tw *textWords, extra map[string][]string) ([]string, string) {
	cats := matchOutOfScope(tw, extra)
	if len(cats) == 0 {
		return nil, ""
	}
	return cats, "possibly out of scope: " + strings.Join(cats, ", ")
}

// own returns s, or a copy of it when a is shared, so that no decision
// holds a slice of a shared analysis.
func (a *Analysis) own(s []string) []string {
	if a.shared {
		return slices.Clone(s)
	}
	return s
}
