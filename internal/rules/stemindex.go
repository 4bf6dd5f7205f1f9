package rules

import (
	"strings"
	"unicode/utf8"
)

// The word and phrase lists are matched in one pass over a text's words:
// each list is compiled once into a stemIndex, which gives for a word of
// the text only the list entries whose first word can match it (wordMatch)
// instead of trying every entry on every word.

// stemIndex holds entries (phraseIn words, or phrases by their first word)
// by a hash of the first six bytes of their stem (three Cyrillic letters),
// of its first four bytes when shorter, or its first two bytes when shorter
// still; "*", "#" and stems of one byte are tried on every word. Built with
// add, then finish lays the buckets out flat (small and cache-friendly:
// most words of a text land in an empty bucket).
type stemIndex struct {
	tmp6   map[int][]int32
	tmp4   map[int][]int32
	tmp2   map[int][]int32
	at6    [key6Size + 1]uint16 // bucket k of by6 is ids6[at6[k]:at6[k+1]]
	at4    [key4Size + 1]uint16
	at2    [256 + 1]uint16
	ids6   []int32
	ids4   []int32
	ids2   []int32
	always []int32
}

const key6Size = 4096

// key6 hashes the first six bytes of w (len(w) >= 6).
func key6(w string) int {
	v := uint64(w[0])<<40 | uint64(w[1])<<32 | uint64(w[2])<<24 | uint64(w[3])<<16 | uint64(w[4])<<8 | uint64(w[5])
	return int(v * 0x9E3779B97F4A7C15 >> (64 - 12))
}

func (x *stemIndex) add(first string, id int32) {
	if x.tmp4 == nil {
		x.tmp6, x.tmp4, x.tmp2 = map[int][]int32{}, map[int][]int32{}, map[int][]int32{}
	}
	stem := strings.TrimSuffix(first, "=")
	switch {
	case first == "*" || first == "#" || len(stem) < 2:
		x.always = append(x.always, id)
	case len(stem) >= 6:
		// wordMatch: a word that matches starts with the stem.
		k := key6(stem)
		x.tmp6[k] = append(x.tmp6[k], id)
	case len(stem) >= 4:
		// wordMatch: a word that matches starts with the stem.
		k := key4(stem)
		x.tmp4[k] = append(x.tmp4[k], id)
	default:
		k := int(startKey(stem))
		x.tmp2[k] = append(x.tmp2[k], id)
	}
}

func (x *stemIndex) finish() {
	for k := 0; k < key6Size; k++ {
		x.ids6 = append(x.ids6, x.tmp6[k]...)
		x.at6[k+1] = uint16(len(x.ids6))
	}
	for k := 0; k < key4Size; k++ {
		x.ids4 = append(x.ids4, x.tmp4[k]...)
		x.at4[k+1] = uint16(len(x.ids4))
	}
	for k := 0; k < 256; k++ {
		x.ids2 = append(x.ids2, x.tmp2[k]...)
		x.at2[k+1] = uint16(len(x.ids2))
	}
	if len(x.ids6) >= 1<<16 || len(x.ids4) >= 1<<16 || len(x.ids2) >= 1<<16 {
		panic("rules: too many entries for a stemIndex")
	}
	x.tmp6, x.tmp4, x.tmp2 = nil, nil, nil
}

// pword is a word of a phrase compiled for matching: wordMatch(w, p) is
// pword(p).match(w).
type pword struct {
	s    string // the word without a trailing "="
	kind uint8
}

// The kinds of pword.
const (
	pwExact  = iota // w == s
	pwPrefix        // w starts with s
	pwAny           // "*"
	pwDigits        // "#"
)

func compileWord(p string) pword {
	switch p {
	case "*":
		return pword{kind: pwAny}
	case "#":
		return pword{kind: pwDigits}
	}
	if exact, ok := strings.CutSuffix(p, "="); ok {
		return pword{s: exact, kind: pwExact}
	}
	// A short word must match the whole word (see wordMatch).
	if len(p) > 6 || utf8.RuneCountInString(p) > 3 {
		return pword{s: p, kind: pwPrefix}
	}
	return pword{s: p, kind: pwExact}
}

func compileWords(phrase string) []pword {
	if phrase == "" {
		return nil
	}
	var out []pword
	for _, p := range strings.Split(phrase, " ") {
		out = append(out, compileWord(p))
	}
	return out
}

func (p *pword) match(w string) bool {
	switch p.kind {
	case pwExact:
		return w == p.s
	case pwPrefix:
		return len(w) >= len(p.s) && w[:len(p.s)] == p.s
	case pwAny:
		return true
	}
	return isDigits(w)
}

// wordsFrom is phraseFrom with the phrase's words compiled.
func wordsFrom(words []string, from int, ps []pword) bool {
	if len(ps) == 0 {
		return true
	}
	for i := from; i < len(words) && i <= from+maxGap; i++ {
		if ps[0].match(words[i]) && wordsFrom(words, i+1, ps[1:]) {
			return true
		}
	}
	return false
}

// wordList is a list of phraseIn words, one of which a word may match.
type wordList struct {
	words []pword
	idx   stemIndex
}

func newWordList(ws []string) *wordList {
	l := &wordList{}
	for i, w := range ws {
		l.words = append(l.words, compileWord(w))
		l.idx.add(w, int32(i))
	}
	l.idx.finish()
	return l
}

// match reports whether w matches one of the list's words (wordMatch).
func (l *wordList) match(w string) bool {
	x := &l.idx
	if len(w) >= 6 {
		k := key6(w)
		for p := x.at6[k]; p < x.at6[k+1]; p++ {
			if l.words[x.ids6[p]].match(w) {
				return true
			}
		}
	}
	if len(w) >= 4 {
		k := key4(w)
		for p := x.at4[k]; p < x.at4[k+1]; p++ {
			if l.words[x.ids4[p]].match(w) {
				return true
			}
		}
	}
	if len(w) >= 2 {
		k := startKey(w)
		for p := x.at2[k]; p < x.at2[int(k)+1]; p++ {
			if l.words[x.ids2[p]].match(w) {
				return true
			}
		}
	}
	for _, id := range l.idx.always {
		if l.words[id].match(w) {
			return true
		}
	}
	return false
}

// phraseLists are lists of phrases (phraseIn syntax) matched together in
// one pass over a text's words.
type phraseLists struct {
	phrases  []string
	first    []pword   // each phrase's first word
	rest     [][]pword // the words after it
	list, at []int32   // each phrase's list and its index there
	n        int       // the number of lists
	idx      stemIndex
}

func newPhraseLists(lists ...[]string) *phraseLists {
	l := &phraseLists{n: len(lists)}
	for li, ps := range lists {
		for k, p := range ps {
			if p == "" {
				continue // never occurs
			}
			first, rest, _ := strings.Cut(p, " ")
			id := int32(len(l.phrases))
			l.phrases, l.first, l.rest = append(l.phrases, p), append(l.first, compileWord(first)), append(l.rest, compileWords(rest))
			l.list, l.at = append(l.list, int32(li)), append(l.at, int32(k))
			l.idx.add(first, id)
		}
	}
	l.idx.finish()
	return l
}

// firstIn returns, for each list, the index of its first phrase (in the
// list's order) that occurs in ws, as matchPhrases finds it, or -1.
func (l *phraseLists) firstIn(ws []string) []int {
	best := make([]int, l.n)
	for i := range best {
		best[i] = -1
	}
	try := func(id int32) bool {
		b := best[l.list[id]]
		return b < 0 || int(l.at[id]) < b
	}
	// at tries the entries ids[lo:hi] (a bucket of the index, most often
	// empty) on the word at i.
	x := &l.idx
	at := func(ids []int32, lo, hi uint16, i int, w string) {
		for ; lo < hi; lo++ {
			if id := ids[lo]; try(id) && l.first[id].match(w) && wordsFrom(ws, i+1, l.rest[id]) {
				best[l.list[id]] = int(l.at[id])
			}
		}
	}
	for i, w := range ws {
		if len(w) < 2 {
			continue
		}
		if len(w) >= 6 {
			if k := key6(w); x.at6[k] != x.at6[k+1] {
				at(x.ids6, x.at6[k], x.at6[k+1], i, w)
			}
		}
		if len(w) >= 4 {
			if k := key4(w); x.at4[k] != x.at4[k+1] {
				at(x.ids4, x.at4[k], x.at4[k+1], i, w)
			}
		}
		if k := int(startKey(w)); x.at2[k] != x.at2[k+1] {
			at(x.ids2, x.at2[k], x.at2[k+1], i, w)
		}
	}
	for _, id := range l.idx.always {
		if try(id) && phraseIn(ws, l.phrases[id]) {
			best[l.list[id]] = int(l.at[id])
		}
	}
	return best
}
