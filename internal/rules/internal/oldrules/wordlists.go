package oldrules

import (
	"strings"
	"unicode/utf8"
)

// The word lists below are read-only. Every entry is in normalised form
// (lower case, е for ё, repeated letters collapsed); a test checks that.

// ruExcept are ordinary words that a root would otherwise catch.
var ruExcept = map[string]bool{
	"ебург": true, "ебурга": true, "ебурге": true, "ебургу": true, "ебургом": true, // Екатеринбург
	"сучок": true, // a knot in wood
	"хуан":  true, "хуанхе": true,
	"дрочена": true, "дрочены": true, "дрочене": true, "дрочену": true, "дроченой": true, "дроченою": true, // a dish
}

// ruNotStart are ordinary words that start like a ruStart root.
var ruNotStart = []string{"сучков", "сучкорез", "сучкоруб"}

// ruAnywhere are roots that are offensive wherever they occur in a word.
var ruAnywhere = []string{"пизд", "бляд", "залуп", "гандон", "гондон", "шлюх", "шалав", "мудак", "мудач",
	"мудил", "мудозвон", "педераст", "ублюд", "сволоч", "дерьм", "жоп", "долбоящ"}

// ruPrefixed are roots that must begin the word or follow one of
// matPrefixes: their letters also occur inside ordinary words (Олеговна,
// саговник, гидро(о)чистка, лапидарный, скипидар, Минэкономразвития).
var ruPrefixed = []string{"говн", "дроч", "пидор", "пидар", "пидр", "мраз"}

// ruStart are roots that must begin the word.
var ruStart = []string{"блят", "идиот", "дебил", "кретин", "имбецил", "выродок", "выродк", "придур", "засранец", "засранц",
	"засран", "обосра", "насрат", "насрал", "срань", "сучар", "сучк", "сучон", "сучье", "сукин", "чмош", "мудл",
	"херн", "нахер", "похер", "херов", "быдл", "падлюк"}

// ruExact are offensive only as whole words (their letters occur in
// ordinary words: процедура, утварь, команда, педикюр, барсук).
var ruExact = map[string]bool{
	"бля": true, "сука": true, "суки": true, "суке": true, "суку": true, "сукой": true, "сукою": true,
	"дура": true, "дуры": true, "дурой": true, "дуре": true, "дуру": true, "дурак": true, "дурака": true,
	"дураку": true, "дураком": true, "дураки": true, "дураков": true, "дуракам": true, "дураками": true,
	"дурачок": true, "дурачье": true, "урод": true, "урода": true, "уроду": true, "уродом": true, "уроды": true,
	"уродов": true, "уродам": true, "уродами": true, "уродина": true, "уродины": true, "уродище": true,
	"тварь": true, "твари": true, "тварью": true, "тварей": true, "тварям": true, "тварина": true,
	"скотина": true, "скотины": true, "скотине": true, "скотину": true, "скотиной": true, "скоты": true,
	"гнида": true, "гниды": true, "гниде": true, "гниду": true, "гнидой": true, "гнидам": true,
	"падла": true, "падлы": true, "падле": true, "падлу": true, "падлой": true, "лох": true, "лоха": true,
	"лоху": true, "лохом": true, "лохи": true, "лохов": true, "лохам": true, "чмо": true, "козел": true,
	"козлина": true, "курва": true, "курвы": true, "курву": true, "манда": true, "манды": true, "манде": true,
	"манду": true, "мандой": true, "педик": true, "педика": true, "педики": true, "педиков": true,
	"педику": true, "педиком": true, "дегенерат": true, "дегенерата": true, "дегенераты": true,
	"дегенератов": true, "дегенератам": true, "дегенератами": true, "отсоси": true, "отсосите": true,
	"епт": true, "епта": true, "ептыть": true, "епть": true, "хер": true, "хера": true,
	"херу": true, "шваль": true, "швали": true, "мразь": true, "блать": true,
	"бладь": true, "блади": true, // бл@дь: "@" stands for "а"
}

// ebPrefixes may stand before the root еб/ёб (заебал, уебок, разъебай).
var ebPrefixes = map[string]bool{
	"": true, "за": true, "у": true, "вы": true, "от": true, "отъ": true, "оть": true, "на": true, "раз": true,
	"разъ": true, "разь": true, "по": true, "при": true, "про": true, "до": true, "съ": true, "сь": true,
	"объ": true, "обь": true, "подъ": true, "подь": true, "пере": true, "недо": true, "изъ": true, "изь": true,
	"въ": true, "вь": true, "взъ": true, "взь": true, "долбо": true, "мудо": true, "осто": true,
}

// matchRu reports whether the normalised Cyrillic word is offensive.
func matchRu(w string) bool {
	if ruExcept[w] {
		return false
	}
	if ruExact[w] {
		return true
	}
	if startsWithRoot(w) {
		return true
	}
	for _, r := range ruAnywhere {
		if strings.Contains(w, r) {
			return true
		}
	}
	for _, r := range ruPrefixed {
		if prefixedRoot(w, r) {
			return true
		}
	}
	return huRoot(w) || ebRoot(w)
}

// prefixedRoot: root at the start of w or right after one of matPrefixes.
func prefixedRoot(w, root string) bool {
	from := 0
	for {
		i := strings.Index(w[from:], root)
		if i < 0 {
			return false
		}
		if matPrefixes[w[:from+i]] {
			return true
		}
		from += i + len(root)
	}
}

func startsWithRoot(w string) bool {
	for _, p := range ruNotStart {
		if strings.HasPrefix(w, p) {
			return false
		}
	}
	for _, p := range ruStart {
		if strings.HasPrefix(w, p) {
			return true
		}
	}
	return false
}

// matPrefixes may stand before a ruPrefixed root or the root
// хуй/хуе/хуё/хуя/хую/хуи inside a word (нихуя, охуеть, похуист, схуяли,
// понахуярили, задрочили, отпидорасить). Anything else before "ху" is an
// ordinary stem with an ordinary ending: плохую, тихую, сухую, глухую
// (-ую), психую, психуешь, страхуйте (-овать verbs).
var matPrefixes = map[string]bool{
	"": true, "а": true, "о": true, "об": true, "по": true, "на": true, "за": true, "от": true, "ни": true,
	"не": true, "до": true, "вы": true, "у": true, "с": true, "в": true, "вз": true, "из": true, "ис": true,
	"раз": true, "рас": true, "под": true, "пере": true, "при": true, "про": true, "недо": true, "пона": true,
}

// huRoot: "ху" followed by й, е, я, ю or и, at the start of the word or
// after one of huPrefixes.
func huRoot(w string) bool {
	from := 0
	for {
		i := strings.Index(w[from:], "ху")
		if i < 0 {
			return false
		}
		i += from
		from = i + len("ху")
		next, _ := utf8.DecodeRuneInString(w[from:])
		if strings.ContainsRune("йеяюи", next) && matPrefixes[w[:i]] {
			return true
		}
	}
}

// ebRoot: еб/ёб after one of ebPrefixes. At the start of a word it must be
// followed by a letter that continues the root, so that acronyms such as
// ЕБС (Единая биометрическая система) do not fire.
func ebRoot(w string) bool {
	from := 0
	for {
		i := strings.Index(w[from:], "еб")
		if i < 0 {
			return false
		}
		i += from
		from = i + len("еб")
		rest := w[from:]
		if !ebPrefixes[w[:i]] {
			continue
		}
		if i == 0 {
			if rest == "" {
				continue // a bare "еб"
			}
			next := []rune(rest)[0]
			if !strings.ContainsRune("аеиоуыяюлншьъткцч", next) {
				continue
			}
		}
		return true
	}
}

// enWords are English swear words and insults (whole words, collapsed).
var enWords = map[string]bool{
	"shit": true, "shits": true, "shity": true, "bulshit": true, "shithead": true, "idiot": true,
	"idiots": true, "idiotic": true, "ashole": true, "asholes": true, "bitch": true, "bitches": true,
	"bastard": true, "bastards": true, "moron": true, "morons": true, "cunt": true, "cunts": true,
	"wtf": true, "stfu": true, "dumbas": true, "retard": true, "retards": true,
	// Russian mat in Latin transliteration.
	"suka": true, "suki": true, "cyka": true, "blya": true, "huy": true, "khuy": true,
	"xuy": true, "nahuy": true, "nahui": true, "nahuj": true, "pohuy": true, "pohui": true,
	"huinya": true, "huynya": true, "hujnja": true, "mraz": true, "eblan": true, "uebok": true,
	"yebat": true, "ebat": true, "ebal": true, "zaebal": true, "zaebali": true, "zaebis": true,
	"suchka": true, "suchki": true, "suchku": true, "suchara": true, "chmo": true,
}

// enAnywhere are Latin roots offensive anywhere in a word.
var enAnywhere = []string{"fuck", "pizd", "blyad", "blyat", "bliat", "bljad", "gandon", "mudak", "ebanu",
	"ebany", "ebanat", "huesos"}

// enPrefixed are Latin roots that must begin the word or follow a
// transliterated prefix (cuspidor and lapidary are English words).
var enPrefixed = []string{"pidor", "pidar", "pidr"}

var enPrefixes = map[string]bool{"": true, "ot": true, "ras": true, "raz": true, "za": true, "na": true, "po": true}

// matchEn reports whether the normalised Latin word is offensive.
func matchEn(w string) bool {
	if enWords[w] {
		return true
	}
	for _, r := range enAnywhere {
		if strings.Contains(w, r) {
			return true
		}
	}
	for _, r := range enPrefixed {
		if i := strings.Index(w, r); i >= 0 && enPrefixes[w[:i]] {
			return true
		}
	}
	return false
}
