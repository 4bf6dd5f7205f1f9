package rules

import "strings"

// The word and phrase lists are matched in one pass over a text's words:
// each list is compiled once into a stemIndex, which gives for a word of
// the text only the list entries whose first word can match it (wordMatch)
// instead of trying every entry on every word.

// stemIndex holds entries (phraseIn words, or phrases by their first word)
// by a hash of the first four bytes of their stem, or its first two bytes
// when shorter; "*", "#" and stems of one byte are tried on every word.
// Built with add, then finish lays the buckets out flat (small and
// cache-friendly: most words of a text land in an empty bucket).
type stemIndex struct {
	tmp4   map[int][]int32
	tmp2   map[int][]int32
	at4    [key4Size + 1]uint16 // bucket k of by4 is ids4[at4[k]:at4[k+1]]
	at2    [256 + 1]uint16
	ids4   []int32
	ids2   []int32
	always []int32
}

func (x *stemIndex) add(first string, id int32) {
	if x.tmp4 == nil {
		x.tmp4, x.tmp2 = map[int][]int32{}, map[int][]int32{}
	}
	stem := strings.TrimSuffix(first, "=")
	switch {
	case first == "*" || first == "#" || len(stem) < 2:
		x.always = append(x.always, id)
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
	for k := 0; k < key4Size; k++ {
		x.ids4 = append(x.ids4, x.tmp4[k]...)
		x.at4[k+1] = uint16(len(x.ids4))
	}
	for k := 0; k < 256; k++ {
		x.ids2 = append(x.ids2, x.tmp2[k]...)
		x.at2[k+1] = uint16(len(x.ids2))
	}
	if len(x.ids4) >= 1<<16 || len(x.ids2) >= 1<<16 {
		panic("rules: too many entries for a stemIndex")
	}
	x.tmp4, x.tmp2 = nil, nil
}

// cands returns the entries that can match w (besides x.always).
func (x *stemIndex) cands(w string) (by4, by2 []int32) {
	if len(w) < 2 {
		return nil, nil
	}
	if len(w) >= 4 {
		k := key4(w)
		by4 = x.ids4[x.at4[k]:x.at4[k+1]]
	}
	k := startKey(w)
	return by4, x.ids2[x.at2[k]:x.at2[int(k)+1]]
}

// wordList is a list of phraseIn words, one of which a word may match.
type wordList struct {
	words []string
	idx   stemIndex
}

func newWordList(ws []string) *wordList {
	l := &wordList{words: ws}
	for i, w := range ws {
		l.idx.add(w, int32(i))
	}
	l.idx.finish()
	return l
}

// match reports whether w matches one of the list's words (wordMatch).
func (l *wordList) match(w string) bool {
	a, b := l.idx.cands(w)
	for _, id := range a {
		if wordMatch(w, l.words[id]) {
			return true
		}
	}
	for _, id := range b {
		if wordMatch(w, l.words[id]) {
			return true
		}
	}
	for _, id := range l.idx.always {
		if wordMatch(w, l.words[id]) {
			return true
		}
	}
	return false
}

// phraseLists are lists of phrases (phraseIn syntax) matched together in
// one pass over a text's words.
type phraseLists struct {
	phrases     []string
	first, rest []string // each phrase's first word and the words after it
	list, at    []int32  // each phrase's list and its index there
	n           int      // the number of lists
	idx         stemIndex
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
			l.phrases, l.first, l.rest = append(l.phrases, p), append(l.first, first), append(l.rest, rest)
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
	for i, w := range ws {
		a, b := l.idx.cands(w)
		for _, id := range a {
			if try(id) && wordMatch(w, l.first[id]) && phraseFrom(ws, i+1, l.rest[id]) {
				best[l.list[id]] = int(l.at[id])
			}
		}
		for _, id := range b {
			if try(id) && wordMatch(w, l.first[id]) && phraseFrom(ws, i+1, l.rest[id]) {
				best[l.list[id]] = int(l.at[id])
			}
		}
	}
	for _, id := range l.idx.always {
		if try(id) && phraseIn(ws, l.phrases[id]) {
			best[l.list[id]] = int(l.at[id])
		}
	}
	return best
}
