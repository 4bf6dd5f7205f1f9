package rules

import "strings"

// The word lists below are read-only. Every entry is in normalised form
// (lower case, е for ё, repeated letters collapsed); a test checks that.

// ruExcept are ordinary words that a root would otherwise catch.
var ruExcept = map[string]bool{
	"ебург": true, "ебурга": true, "ебурге": true, "ебургу": true, "ебургом": true, // Екатеринбург
	"сучок": true, // a knot in wood
	"хуан":  true, "хуанхе": true,
}

// ruAnywhere are roots that are offensive wherever they occur in a word.
var ruAnywhere = []string{"пизд", "бляд", "залуп", "гандон", "гондон", "шлюх", "шалав", "мудак", "мудач",
	"мудил", "мудозвон", "пидор", "пидар", "пидр", "педераст", "ублюд", "сволоч", "дроч", "говн", "дерьм", "жоп",
	"мраз", "долбоящ", "хуй", "хуе", "хуя", "хую", "хуи"}

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
	for _, p := range ruStart {
		if strings.HasPrefix(w, p) {
			return true
		}
	}
	for _, r := range ruAnywhere {
		if rootIn(w, r) {
			return true
		}
	}
	return ebRoot(w)
}

// rootIn finds root in w; the ху- roots are skipped after "стра"
// (застрахуй, страхуется).
func rootIn(w, root string) bool {
	from := 0
	for {
		i := strings.Index(w[from:], root)
		if i < 0 {
			return false
		}
		i += from
		if !(strings.HasPrefix(root, "ху") && strings.HasSuffix(w[:i], "стра")) {
			return true
		}
		from = i + len(root)
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
}

// enAnywhere are Latin roots offensive anywhere in a word.
var enAnywhere = []string{"fuck", "pizd", "blyad", "blyat", "bliat", "bljad", "gandon", "pidor", "pidar",
	"mudak", "ebanu", "ebany", "ebanat", "huesos"}

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
	return false
}
