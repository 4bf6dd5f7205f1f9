// Package search turns text into the terms of the full-text index and a
// query into the terms to look up: words are lower-cased, ё is written е,
// and each word is reduced to its stem with the Snowball stemmer of its
// script (Russian for Cyrillic words, English for Latin ones), so that
// «принтера», «принтеру» and «принтер» are one term. It is pure: the store
// keeps the terms (SQLite FTS5) or hands the text to PostgreSQL's own
// `russian` configuration, which stems the same way. See docs/search.md.
package search

import (
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
	"github.com/kljensen/snowball/russian"
)

// MaxText bounds the text of one document that is indexed, in bytes: a
// pasted log of megabytes is found by its first part, and intake's cost
// stays bounded.
const MaxText = 64 << 10

// maxWord is the longest word kept, in bytes; longer ones (base64, hashes)
// are noise.
const maxWord = 64

// MaxQueryTerms bounds the terms of one query.
const MaxQueryTerms = 16

// Terms returns the stemmed terms of text separated by single spaces, in
// order, repeats kept: the document as the SQLite index stores it. Text
// beyond MaxText is ignored.
func Terms(text string) string { return (*Stemmer)(nil).Terms(text) }

// Stemmer is Terms with a cache of the stems it has made: a desk's mail
// uses a few tens of thousands of word forms, and stemming each anew costs
// most of the indexing. It is safe for concurrent use; a nil *Stemmer
// stems without a cache.
type Stemmer struct {
	mu    sync.RWMutex // read-locked for each lookup, so that intake's goroutines stem side by side
	cache map[string]string
}

// cacheSize bounds the cache; when full it starts afresh.
const cacheSize = 1 << 16

// NewStemmer makes a Stemmer with an empty cache.
func NewStemmer() *Stemmer { return &Stemmer{cache: make(map[string]string, 1024)} }

// Terms is the package's Terms with the cache.
func (s *Stemmer) Terms(text string) string {
	text = bound(text)
	var b strings.Builder
	b.Grow(len(text))
	eachWordBytes(text, func(w []byte) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s.stem(w))
	})
	return b.String()
}

// TermList is Terms as a list (strings.Fields of Terms): the stems in the
// order written, without joining them into a text to be split again.
func (s *Stemmer) TermList(text string) []string {
	text = bound(text)
	out := make([]string, 0, len(text)/8)
	eachWordBytes(text, func(w []byte) {
		if st := s.stem(w); st != "" {
			out = append(out, st)
		}
	})
	return out
}

// stem stems w through the cache: a word seen before under a read lock,
// a new one stemmed outside the lock.
func (s *Stemmer) stem(w []byte) string {
	if s == nil {
		return Stem(string(w))
	}
	s.mu.RLock()
	st, ok := s.cache[string(w)]
	s.mu.RUnlock()
	if ok {
		return st
	}
	word := string(w)
	st = Stem(word)
	s.mu.Lock()
	if len(s.cache) >= cacheSize {
		clear(s.cache)
	}
	s.cache[word] = st
	s.mu.Unlock()
	return st
}

// QueryTerms returns the distinct stemmed terms of a query, at most
// MaxQueryTerms, in the order written, without stop words («не», «и»,
// "the") unless the query is nothing else. A ticket matches when it holds
// every term (in any of its messages, its subject, its requester or its
// organisation).
func QueryTerms(q string) []string {
	var out []string
	for _, w := range QueryWords(q) {
		if s := Stem(w); !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// QueryWords is QueryTerms before stemming: the distinct folded words of
// the query without stop words (for PostgreSQL, which stems them itself).
func QueryWords(q string) []string {
	var all, kept []string
	seen := map[string]bool{}
	eachWord(q, func(w string) {
		if seen[w] {
			return
		}
		seen[w] = true
		all = append(all, w)
		if !stopWord(w) {
			kept = append(kept, w)
		}
	})
	if len(kept) == 0 {
		kept = all
	}
	if len(kept) > MaxQueryTerms {
		kept = kept[:MaxQueryTerms]
	}
	return kept
}

// stopWord reports a word too common to look for.
func stopWord(w string) bool {
	switch script(w) {
	case cyrillic:
		return russian.IsStopWord(w)
	case latin:
		return english.IsStopWord(w)
	}
	return false
}

// Words returns the words of text as the index sees them before stemming
// (lower case, ё as е), for PostgreSQL, which stems them itself.
func Words(text string) string {
	text = bound(text)
	var b strings.Builder
	b.Grow(len(text))
	eachWord(text, func(w string) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	})
	return b.String()
}

// bound cuts text to MaxText bytes at a character boundary.
func bound(text string) string {
	if len(text) <= MaxText {
		return text
	}
	n := MaxText
	for n > 0 && !utf8.RuneStart(text[n]) {
		n--
	}
	return text[:n]
}

// Stem reduces one folded word (lower case, ё as е) to its stem: Cyrillic
// words with the Russian stemmer, Latin ones with the English stemmer,
// anything else (numbers, mixed words) as it is.
func Stem(w string) string {
	switch script(w) {
	case cyrillic:
		return russian.Stem(w, true)
	case latin:
		if len(w) <= 2 {
			return w
		}
		return english.Stem(w, true)
	}
	return w
}

const (
	other = iota
	cyrillic
	latin
)

// script says whether w is all Cyrillic or all Latin letters.
func script(w string) int {
	s := other
	for _, r := range w {
		var k int
		switch {
		case r >= 'а' && r <= 'я':
			k = cyrillic
		case r >= 'a' && r <= 'z':
			k = latin
		default:
			return other
		}
		if s != other && s != k {
			return other
		}
		s = k
	}
	return s
}

// eachWord calls fn with every word of text: runs of letters and digits,
// lower-cased, ё folded to е, at most maxWord bytes (longer runs are
// skipped). Digits keep a word together ("school3", "1с").
func eachWord(text string, fn func(string)) {
	eachWordBytes(text, func(w []byte) { fn(string(w)) })
}

// eachWordBytes is eachWord with the word in a buffer fn must not keep.
func eachWordBytes(text string, fn func([]byte)) {
	var buf []byte
	flush := func() {
		if len(buf) > 0 && len(buf) <= maxWord {
			fn(buf)
		}
		buf = buf[:0]
	}
	for _, r := range text {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			flush()
			continue
		}
		if len(buf) > maxWord {
			continue
		}
		buf = utf8.AppendRune(buf, fold(r))
	}
	flush()
}

// fold lower-cases r and writes ё as е.
func fold(r rune) rune {
	switch {
	case r < utf8.RuneSelf:
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	case r >= 'а' && r <= 'я':
		return r
	case r >= 'А' && r <= 'Я':
		return r + 'а' - 'А'
	case r == 'ё' || r == 'Ё':
		return 'е'
	}
	return unicode.ToLower(r)
}
