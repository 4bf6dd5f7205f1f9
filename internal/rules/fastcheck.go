package rules

// The cheap no for offensive words. Almost every token of a message is an
// ordinary word in Cyrillic letters, and for such a token the normalised
// form that matchRu judges is just its letters lower-cased, ё folded and
// repeated letters collapsed. matchRu can only fire when that form contains
// one of its roots (ruStart, ruAnywhere, ruPrefixed, ху, еб) or is one of
// ruExact, so one pass over the token's letters through an automaton of the
// roots and a hash of the form against a bit set of ruExact rejects it, and
// only the rest goes through the full check.

// cyrRoots finds the roots in a normalised Cyrillic word: an Aho–Corasick
// automaton over the letters а..я (classes 1..32; 0 is anything else).
type cyrRoots struct {
	next []uint16 // state*cyrClasses + class -> state; the high bit: a root ends here
	// step is next with the states multiplied by cyrClasses (the index of
	// the next row) in an array that needs no bounds checks (cleanRun).
	step  *[stepSize]uint16
	exact [exactBits / 64]uint64
}

const (
	cyrClasses = 33
	exactBits  = 1 << 14
	rootEnd    = 1 << 15
	stepSize   = 1 << 13
)

// cyrClass is the class of a lower-case Cyrillic letter а..я, or 0.
func cyrClass(r rune) int {
	if r >= 'а' && r <= 'я' {
		return int(r-'а') + 1
	}
	return 0
}

func newCyrRoots() *cyrRoots {
	var roots []string
	roots = append(roots, ruStart...)
	roots = append(roots, ruAnywhere...)
	roots = append(roots, ruPrefixed...)
	roots = append(roots, "ху", "еб")
	c := &cyrRoots{}
	goTo := [][cyrClasses]uint16{{}}
	var end []bool
	end = append(end, false)
	for _, root := range roots {
		st := 0
		for _, r := range root {
			k := cyrClass(r)
			if k == 0 {
				panic("rules: a root outside а..я: " + root)
			}
			if goTo[st][k] == 0 {
				goTo = append(goTo, [cyrClasses]uint16{})
				end = append(end, false)
				goTo[st][k] = uint16(len(goTo) - 1)
			}
			st = int(goTo[st][k])
		}
		end[st] = true
	}
	if len(goTo) >= rootEnd {
		panic("rules: too many roots")
	}
	c.next = make([]uint16, len(goTo)*cyrClasses)
	fail := make([]uint16, len(goTo))
	var queue []uint16
	for k := 0; k < cyrClasses; k++ {
		if t := goTo[0][k]; t != 0 {
			c.next[k] = t
			queue = append(queue, t)
		}
	}
	for len(queue) > 0 {
		st := queue[0]
		queue = queue[1:]
		end[st] = end[st] || end[fail[st]]
		for k := 0; k < cyrClasses; k++ {
			f := c.next[int(fail[st])*cyrClasses+k] &^ rootEnd
			if t := goTo[st][k]; t != 0 {
				fail[t] = f
				c.next[int(st)*cyrClasses+k] = t
				queue = append(queue, t)
			} else {
				c.next[int(st)*cyrClasses+k] = f
			}
		}
	}
	for i, t := range c.next {
		if end[t] {
			c.next[i] = t | rootEnd
		}
	}
	if len(c.next) > stepSize {
		panic("rules: too many roots for the step table")
	}
	c.step = new([stepSize]uint16)
	for i, t := range c.next {
		c.step[i] = (t&^rootEnd)*cyrClasses | t&rootEnd
	}
	for w := range ruExact {
		h := uint64(exactHashInit)
		prev := rune(-1)
		for _, r := range w {
			if r != prev {
				h = exactHash(h, byte(cyrClass(r)))
			}
			prev = r
		}
		c.exact[h%exactBits/64] |= 1 << (h % 64)
	}
	return c
}

const exactHashInit = 14695981039346656037

// exactHash adds a letter's class to the hash h.
func exactHash(h uint64, class byte) uint64 { return (h ^ uint64(class)) * 1099511628211 }

// plainClass is the class (1..32) of the folded letter a Cyrillic letter
// А..я, Ё or ё is written as, by its second byte: plainClass[0] after a
// first byte 0xD0, plainClass[1] after 0xD1; 0 for anything else.
var plainClass = func() (t [2][256]byte) {
	for r := 'А'; r <= 'я'; r++ {
		t[r>>6&1][0x80|r&0x3F] = byte(cyrClass(foldRune(r)))
	}
	for _, r := range []rune{'Ё', 'ё'} {
		t[r>>6&1][0x80|r&0x3F] = byte(cyrClass('е'))
	}
	return t
}()

// cyrRootsOnce are the built-in roots (read-only once built).
var cyrRootsOnce = newCyrRoots()

// cleanRun reads text from i, a Cyrillic letter, for as long as it is a
// run of the letters А..я, Ё, ё in which no root of matchRu ends, and
// returns where the run ends. ok: the run ends where no Cyrillic letter
// U+0400–U+047F starts, and all of it is plain (as plainClean, in the
// tests, judges text[i:end]).
// A word token that ends there is clean (offTokens).
func (c *cyrRoots) cleanRun(text string, i int) (end int, ok bool) {
	step := c.step
	st := uint16(0)
	h := uint64(exactHashInit)
	prev := byte(0)
	for ; i < len(text)-1; i += 2 {
		b, d := text[i], text[i+1]
		if b&^1 != 0xD0 || d&0xC0 != 0x80 {
			break // not a Cyrillic letter: the token ends here
		}
		k := plainClass[b&1][d]
		if k == 0 {
			return i, false // not plain (or not a letter): offTokens goes on
		}
		if k == prev {
			continue // collapsed
		}
		prev = k
		h = exactHash(h, k)
		t := step[(st+uint16(k))&(stepSize-1)]
		if t&rootEnd != 0 {
			return i + 2, false
		}
		st = t
	}
	return i, c.exact[h%exactBits/64]&(1<<(h%64)) == 0
}
