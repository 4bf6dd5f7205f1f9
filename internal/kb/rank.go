package kb

import (
	"math"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/otvet/otvet/internal/search"
)

// Analyzer turns text into index terms: lower-cased, stemmed words in order.
// The default is the full-text search's (internal/search: Snowball stemmers
// for Russian and English), so that the knowledge base and ticket search
// agree on what a word is.
type Analyzer func(text string) []string

// DefaultAnalyzer stems with internal/search.
func DefaultAnalyzer(text string) []string { return (*search.Stemmer)(nil).TermList(text) }

// CachedAnalyzer is DefaultAnalyzer with st's cache of stems: a library
// analyses every request it suggests articles for, and a desk's mail uses
// the same word forms again and again.
func CachedAnalyzer(st *search.Stemmer) Analyzer {
	return st.TermList
}

// Field weights: a word of the title or the keywords says more about what
// an article answers than a word of its body.
const (
	wTitle    = 3.0
	wKeywords = 3.0
	wSystems  = 1.5
	wBody     = 1.0
	wSubject  = 1.5 // a query word from the request's subject
	wFuzzy    = 0.7 // a query word matched only with one letter wrong
	bm25K1    = 1.2
	bm25B     = 0.6
	minFuzzy  = 5 // letters a word needs before it is matched with a typo
)

// DefaultThreshold is the score an article needs before it is suggested
// (kb.threshold), tuned on testdata (TestSuggestionQuality).
const DefaultThreshold = 10.0

// stopWords are words of every request that say nothing about its subject:
// greetings, politeness, pronouns, "problem", "help".
var stopWords = strings.Fields(`
а без более бы был была были было быть в вам вас весь во вот все всего всех вы где да даже для до добрый
день его ее если есть еще же за здесь здравствуйте и из или им их к как ко когда кто ли либо меня мне
может можно мой мы на над надо наш не него нее нет ни них но ну о об однако он она они оно от очень по под
пожалуйста после почему при про проблема проблемы прошу помогите помочь подскажите с сам свой себя со
спасибо так также там те тем то того тоже той только том ты у уже уважаемые уважением хотя чего чей чем
что чтобы чье эта эти это этот я коллеги добрый доброе утро вечер сегодня вчера снова опять всё который
которая которые такой также просим просьба вопрос срочно как-то какой-то нас наши наша нам
the a an and or of to in on is it for with please hello hi thanks help problem
`)

type docTerm struct {
	doc int32
	tf  float32 // weighted term frequency
}

// Index ranks articles against a request with BM25 over weighted fields,
// with a fallback for misspelt words (one letter missing, extra, wrong or
// swapped). It is immutable once built: safe for concurrent use.
type Index struct {
	arts     []Article
	paras    [][]para // each article's paragraphs as plain text, with their terms
	lens     []float64
	avgLen   float64
	postings map[string][]docTerm
	idf      map[string]float64
	deletes  map[string][]string // a term with one letter deleted -> terms
	stop     map[string]bool
	analyze  Analyzer
}

// NewIndex indexes the public and internal articles (Suggest considers the
// public ones only). A nil analyzer is DefaultAnalyzer.
func NewIndex(arts []Article, an Analyzer) *Index {
	if an == nil {
		an = DefaultAnalyzer
	}
	ix := &Index{arts: arts, paras: make([][]para, len(arts)), lens: make([]float64, len(arts)), postings: map[string][]docTerm{},
		idf: map[string]float64{}, deletes: map[string][]string{}, stop: map[string]bool{}, analyze: an}
	for _, w := range stopWords {
		for _, t := range an(w) {
			ix.stop[t] = true
		}
	}
	total := 0.0
	for i, a := range arts {
		tf := map[string]float64{}
		add := func(text string, w float64) {
			for _, t := range an(text) {
				if !ix.stop[t] {
					tf[t] += w
					ix.lens[i] += w
				}
			}
		}
		add(a.Title, wTitle)
		add(strings.Join(a.Keywords, " "), wKeywords)
		add(strings.Join(a.Systems, " "), wSystems)
		for _, p := range paragraphs(a.Body) {
			ts := an(p)
			ix.paras[i] = append(ix.paras[i], para{text: p, terms: ts})
			for _, t := range ts {
				if !ix.stop[t] {
					tf[t] += wBody
					ix.lens[i] += wBody
				}
			}
		}
		total += ix.lens[i]
		for t, f := range tf {
			ix.postings[t] = append(ix.postings[t], docTerm{doc: int32(i), tf: float32(f)})
		}
	}
	if len(arts) > 0 {
		ix.avgLen = total / float64(len(arts))
	}
	n := float64(len(arts))
	for t, ps := range ix.postings {
		df := float64(len(ps))
		ix.idf[t] = math.Log(1 + (n-df+0.5)/(df+0.5))
		if utf8.RuneCountInString(t) >= minFuzzy-1 {
			for _, d := range deletions(t) {
				ix.deletes[d] = append(ix.deletes[d], t)
			}
		}
	}
	return ix
}

// Len is the number of articles indexed.
func (ix *Index) Len() int { return len(ix.arts) }

// Match is an article found for a request.
type Match struct {
	Article Article
	Score   float64
	Excerpt string   // a sentence or two of the article, about the request where possible
	Terms   []string // the request's terms the article holds
	doc     int32
}

// Rank scores every public article against a request's subject and text,
// best first; articles sharing no word with it are left out.
func (ix *Index) Rank(subject, text string) []Match { return ix.rank(ix.query(subject, text)) }

func (ix *Index) rank(q []queryTerm) []Match {
	if len(q) == 0 || len(ix.arts) == 0 {
		return nil
	}
	scores := make([]float64, len(ix.arts))
	var hit []int32
	for _, qt := range q {
		idf := ix.idf[qt.term]
		for _, p := range ix.postings[qt.term] {
			tf := float64(p.tf)
			norm := tf * (bm25K1 + 1) / (tf + bm25K1*(1-bm25B+bm25B*ix.lens[p.doc]/ix.avgLen))
			if scores[p.doc] == 0 {
				hit = append(hit, p.doc)
			}
			scores[p.doc] += qt.weight * idf * norm
		}
	}
	out := make([]Match, 0, len(hit))
	for _, d := range hit {
		if a := ix.arts[d]; a.Public {
			out = append(out, Match{Article: a, Score: scores[d], doc: d})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].Article.ID < out[j].Article.ID
	})
	return out
}

// Suggest returns at most max public articles scoring at least threshold,
// with their excerpts, best first.
func (ix *Index) Suggest(subject, text string, threshold float64, max int) []Match {
	q := ix.query(subject, text)
	ranked := ix.rank(q)
	var out []Match
	for _, m := range ranked {
		if m.Score < threshold || len(out) >= max {
			break
		}
		m.Terms = ix.matched(m.doc, q)
		m.Excerpt = ix.excerpt(m.doc, m.Terms)
		out = append(out, m)
	}
	return out
}

type queryTerm struct {
	term   string
	weight float64
}

// maxQueryText bounds the part of a request that is ranked: the problem is
// told at the top, and a pasted log must not cost more.
const maxQueryText = 4 << 10

// query is the distinct known terms of a request with their weights: a
// subject word counts more; a word the articles do not have is looked up
// with one letter wrong.
func (ix *Index) query(subject, text string) []queryTerm {
	if len(text) > maxQueryText {
		text = text[:maxQueryText]
	}
	seen := map[string]int{}
	near := map[string]string{} // fuzzy's answer for each unknown term met
	var q []queryTerm
	add := func(t string, w float64) {
		if ix.stop[t] {
			return
		}
		if _, known := ix.postings[t]; !known {
			f, done := near[t]
			if !done {
				f = ix.fuzzy(t)
				near[t] = f
			}
			if t = f; t == "" {
				return
			}
			w *= wFuzzy
		}
		if i, dup := seen[t]; dup {
			q[i].weight = math.Max(q[i].weight, w)
			return
		}
		seen[t] = len(q)
		q = append(q, queryTerm{term: t, weight: w})
	}
	for _, t := range ix.analyze(subject) {
		add(t, wSubject)
	}
	for _, t := range ix.analyze(text) {
		add(t, 1)
	}
	return q
}

// fuzzy finds the indexed term one edit away from t (the rarest when there
// are several), or "".
func (ix *Index) fuzzy(t string) string {
	if utf8.RuneCountInString(t) < minFuzzy || !isWord(t) {
		return ""
	}
	best, bestDF := "", math.MaxInt
	consider := func(c string) {
		if c == t || ix.stop[c] {
			return
		}
		if df := len(ix.postings[c]); df < bestDF || df == bestDF && c < best {
			best, bestDF = c, df
		}
	}
	// t with a letter missing: t is in the deletion lists of longer terms.
	for _, c := range ix.deletes[t] {
		consider(c)
	}
	var buf []byte // t with one letter deleted; the map lookups do not copy it
	for i, r := range t {
		buf = append(append(buf[:0], t[:i]...), t[i+utf8.RuneLen(r):]...)
		if _, ok := ix.postings[string(buf)]; ok {
			consider(string(buf)) // an extra letter
		}
		for _, c := range ix.deletes[string(buf)] {
			if oneEdit(t, c) {
				consider(c) // a wrong or swapped letter
			}
		}
	}
	return best
}

func isWord(t string) bool {
	for _, r := range t {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}

// deletions lists t with one letter deleted.
func deletions(t string) []string {
	rs := []rune(t)
	out := make([]string, 0, len(rs))
	for i := range rs {
		out = append(out, string(rs[:i])+string(rs[i+1:]))
	}
	return out
}

// oneEdit reports whether a and b (same length) differ in one letter or in
// two neighbouring letters swapped.
func oneEdit(a, b string) bool {
	ra, rb := []rune(a), []rune(b)
	if len(ra) != len(rb) {
		return false
	}
	var diff []int
	for i := range ra {
		if ra[i] != rb[i] {
			diff = append(diff, i)
			if len(diff) > 2 {
				return false
			}
		}
	}
	switch len(diff) {
	case 1:
		return true
	case 2:
		i, j := diff[0], diff[1]
		return j == i+1 && ra[i] == rb[j] && ra[j] == rb[i]
	}
	return false
}

// maxExcerpt bounds an excerpt, in characters.
const maxExcerpt = 220

// matched lists the request's terms that article doc holds.
func (ix *Index) matched(doc int32, q []queryTerm) []string {
	var out []string
	for _, qt := range q {
		for _, p := range ix.postings[qt.term] {
			if p.doc == doc {
				out = append(out, qt.term)
				break
			}
		}
	}
	return out
}

// para is a paragraph of an article as plain text, with its terms.
type para struct {
	text  string
	terms []string
}

// paragraphs splits Markdown into plain-text paragraphs.
func paragraphs(body string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n\n") {
		if p = plain(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// excerpt picks the paragraph of article doc that holds most of the
// matched terms (the first one when none does), cut at maxExcerpt.
func (ix *Index) excerpt(doc int32, terms []string) string {
	best, bestN := "", -1
	for _, p := range ix.paras[doc] {
		n := 0
		for _, t := range p.terms {
			if slices.Contains(terms, t) {
				n++
			}
		}
		if n > bestN {
			best, bestN = p.text, n
		}
	}
	return Cut(best, maxExcerpt)
}

// plain strips the Markdown marks people would see as noise in a mail.
func plain(p string) string {
	var lines []string
	for _, l := range strings.Split(p, "\n") {
		l = strings.TrimSpace(l)
		l = strings.TrimLeft(l, "#>*-+ ")
		if l == "" || strings.HasPrefix(l, "```") {
			continue
		}
		lines = append(lines, l)
	}
	s := strings.Join(lines, " ")
	return strings.NewReplacer("**", "", "__", "", "`", "").Replace(s)
}

// Cut shortens s to at most n characters at a word boundary, with "…".
func Cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	rs := []rune(s)[:n]
	if i := strings.LastIndexFunc(string(rs), unicode.IsSpace); i > n/2 {
		return strings.TrimRight(string(rs)[:i], " ,.;:") + "…"
	}
	return string(rs) + "…"
}
