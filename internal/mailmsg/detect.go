package mailmsg

import (
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// Charset detection for Russian mail. Each candidate single-byte charset is
// scored on the text it would produce: frequent Russian letters and
// bigrams score, while case flips inside words, Cyrillic glued to Latin
// letters and pseudo-graphics (what a wrong Cyrillic table produces) cost.
// The score is per high byte, so it does not grow with the text length.

const (
	scoreSample = 16 << 10 // bytes of text scored; more does not change the verdict
	plausible   = 4.0      // per-high-byte score of real Russian text is ~7-10
	labelMargin = 1.2      // how much better another charset must score to override a label
)

// letterWeight is the rounded frequency, in percent, of а..я in Russian prose.
var letterWeight = [32]int8{
	8, 2, 5, 2, 3, 8, 1, 2, 7, 1, 3, 4, 3, 7, 11, 3, // а б в г д е ж з и й к л м н о п
	5, 5, 6, 3, 0, 1, 0, 1, 1, 0, 0, 2, 2, 0, 1, 2, // р с т у ф х ц ч ш щ ъ ы ь э ю я
}

// commonBigrams lists frequent Russian letter pairs, two letters each.
const commonBigrams = "стноентонаовнираворекопрпороорерот" +
	"аталолливаанетосльказелеоннеесомелтьиеитинриго" +
	"даделомаогскевемиакойыйийаяяссяыхуюыеемейамас" +
	"евегедимтртвчачтчебыбодудикумомумыпепирусл" +
	"спситатетитуцияевюттжнжижездзнзавивлвнвсвывргл" +
	"грдодндрезизилисичмнныняободокоеозопочплпу" +
	"саседесниссотнтьужукулумусучхахошещащещиью" +
	"язвоебвзнщаэтчнкиктлянянкнтрнувуоусьесаз"

var bigramTable = sync.OnceValue(func() *[32]uint32 {
	var t [32]uint32
	rs := []rune(commonBigrams)
	for i := 0; i+1 < len(rs); i += 2 {
		a, b := cyrIndex(rs[i]), cyrIndex(rs[i+1])
		if a >= 0 && b >= 0 {
			t[a] |= 1 << uint(b)
		}
	}
	return &t
})

// cyrIndex returns 0..31 for а..я / А..Я (ё and Ё count as е), else -1.
func cyrIndex(r rune) int {
	switch {
	case r >= 'а' && r <= 'я':
		return int(r - 'а')
	case r >= 'А' && r <= 'Я':
		return int(r - 'А')
	case r == 'ё' || r == 'Ё':
		return 5
	}
	return -1
}

func isCyrUpper(r rune) bool { return (r >= 'А' && r <= 'Я') || r == 'Ё' }

// harmlessHigh are non-letters that real Russian text in a single-byte
// charset commonly contains.
func harmlessHigh(r rune) bool {
	switch r {
	case '\u00a0', '«', '»', '—', '–', '№', '…', '„', '“', '”', '‘', '’', '•', '©', '°', '®', '™', '€', '·':
		return true
	}
	return false
}

func isASCIILetter(r rune) bool { return (r|0x20) >= 'a' && (r|0x20) <= 'z' }

// score rates b decoded with cm as Russian text (see the package comment).
func score(b []byte, cm *charmap.Charmap) float64 {
	if len(b) > scoreSample {
		b = b[:scoreSample]
	}
	bt := bigramTable()
	total, high := 0, 0
	prevIdx := -1
	prevUpper, prevLatin := false, false
	for _, c := range b {
		var r rune
		if c < 0x80 {
			r = rune(c)
		} else {
			r = cm.DecodeByte(c)
			high++
		}
		idx := cyrIndex(r)
		if c >= 0x80 && idx < 0 {
			switch {
			case harmlessHigh(r):
			case unicode.IsLetter(r):
				total -= 4
			default:
				total -= 3
			}
		}
		if idx >= 0 {
			upper := isCyrUpper(r)
			total += int(letterWeight[idx])
			if prevIdx >= 0 {
				if bt[prevIdx]&(1<<uint(idx)) != 0 {
					total += 3
				} else {
					total--
				}
				if upper && !prevUpper {
					total -= 5
				} else if upper {
					total--
				}
			}
			if prevLatin {
				total -= 4
			}
			prevIdx, prevUpper, prevLatin = idx, upper, false
			continue
		}
		latin := isASCIILetter(r)
		if latin && prevIdx >= 0 {
			total -= 4
		}
		prevIdx, prevUpper, prevLatin = -1, false, latin
	}
	if high == 0 {
		return 0
	}
	return float64(total) / float64(high)
}

var cyrCandidates = [...]string{csCP1251, csKOI8R, csCP866, csISO5}

// bestCyrillic returns the best-scoring Cyrillic single-byte charset.
func bestCyrillic(b []byte) (string, float64) {
	best, bestScore := csCP1251, -1e9
	for _, cs := range cyrCandidates {
		if s := score(b, charmapFor(cs)); s > bestScore {
			best, bestScore = cs, s
		}
	}
	return best, bestScore
}

// detect guesses the charset of b among utf-8, windows-1251, koi8-r, cp866
// and iso-8859-5, falling back to windows-1252 for text that is plainly not
// Cyrillic (isolated high bytes inside Latin words).
func detect(b []byte) string {
	if utf8.Valid(b) {
		return csUTF8
	}
	best, s := bestCyrillic(b)
	if s < plausible && runRatio(b) < 0.5 {
		return csCP1252
	}
	return best
}
