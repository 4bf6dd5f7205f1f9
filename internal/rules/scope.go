package rules

import "sort"

// Built-in phrases are written normalised (lower case, е for ё, words
// separated by single spaces) in the phraseIn syntax: words of up to three
// letters (or ending in "=") match exactly, longer ones are stems, "*" is
// any word, "#" any number, and up to two other words may come between.

// outOfScope are the §2.2 categories.
var outOfScope = map[string][]string{
	ScopeLegislation: {
		"разъясн закон", "разъясн законодательств", "разъясн норм", "разъясн положени", "разъясн постановлени",
		"разъясн приказ", "разъясн статью", "разъясн требовани закон", "по закону", "согласно закону",
		"правомерн", "законно ли", "законны ли", "законен ли", "имеют ли право", "имеет ли право",
		"имеем ли право", "имею ли я право", "обязан ли", "обязаны ли", "постановлени #", "фз", "федеральн закон",
		"как трактовать", "как толковать", "толковани", "как понимать пункт", "как понимать статью",
		"юридическ консультац", "оцени закон", "прокомментир закон", "что говорит закон", "нарушает ли закон",
		// English.
		"explain law", "explain legislat", "explain regulation", "explain statute", "explain act=",
		"interpret law", "interpret legislat", "interpret regulation", "legal advice", "legal opinion",
		"legal consult", "legal right", "is it legal", "is this legal", "is that legal", "is it lawful",
		"is this lawful", "lawful", "according to law", "under law", "by law", "what law say", "does law say",
		"required by law", "obliged by law", "breach law", "break law",
	},
	ScopeThirdParties: {
		"оцени действи", "оценк действи", "оцените работу", "правильно ли поступил", "правильно ли поступила",
		"правильно ли поступили", "правильно ли сделал", "правильно ли сделали", "прав= ли", "права= ли",
		"правы= ли", "законны ли действи", "правомерны ли действи", "виноват ли", "кто виноват",
		"действи подрядчик правильн", "добросовестн ли",
		// English.
		"assess action", "evaluat action", "assess conduct", "assess work of", "evaluat work of",
		"act correctly", "acted correctly", "acted properly", "acted lawfully", "was he right", "was she right",
		"were they right", "is he right", "is she right", "are they right", "who is to blame", "who is at fault",
	},
	ScopeUserDuties: {
		"заполн за меня", "заполн вместо меня", "сдела за меня", "сделайт за меня", "сделайт отчет",
		"составьт отчет", "подготовьт отчет", "сформируйт отчет", "сделайт вместо меня", "внес данн вместо меня",
		"внесит данн вместо", "внесит за меня", "внес за меня", "вместо меня", "за меня заполн",
		"напишит за меня", "подготовьт документ", "заполнит форм за", "наберит текст", "наберит документ",
		"составьт письм", "отправьт отчет за", "сдайт отчет за",
		// English.
		"fill for me", "fill form for me", "fill report for me", "do it for me", "do this for me", "do my job", "do my work",
		"instead of me", "make report for me", "write report for me", "prepar report for me",
		"submit report for me", "send report for me", "enter data for me", "type document for me",
		"write letter for me", "draft letter for me",
	},
}

// The built-in phrases compiled for one pass: the out-of-scope categories
// (in outOfScopeCats' order), then the incident phrases.
var outOfScopeCats, builtinPhrases = func() ([]string, *phraseLists) {
	cats := make([]string, 0, len(outOfScope))
	for cat := range outOfScope {
		cats = append(cats, cat)
	}
	sort.Strings(cats)
	var lists [][]string
	for _, cat := range cats {
		lists = append(lists, outOfScope[cat])
	}
	return cats, newPhraseLists(append(lists, incidentPhrases)...)
}()

// MatchOutOfScope returns the §2.2 categories (legislation, third_parties,
// user_duties, and any category added in extra) whose phrases occur in
// text, sorted. It is a hint for staff, never a rejection. extra adds
// phrases per category; they are normalised here.
func MatchOutOfScope(text string, extra map[string][]string) []string {
	return matchOutOfScope(newTextWords(normWords(text)), extra)
}

func matchOutOfScope(ws *textWords, extra map[string][]string) []string {
	var out []string
	seen := map[string]bool{}
	for k, at := range ws.builtin() {
		if at >= 0 && k < len(outOfScopeCats) {
			out = append(out, outOfScopeCats[k])
			seen[outOfScopeCats[k]] = true
		}
	}
	for cat, ps := range extra {
		if seen[cat] {
			continue
		}
		for _, p := range ps {
			if n := normPhrase(p); n != "" && ws.has(n) {
				out = append(out, cat)
				seen[cat] = true
				break
			}
		}
	}
	sort.Strings(out)
	return out
}

// incidentPhrases describe security incidents.
var incidentPhrases = []string{
	"несанкционированн", "взлом", "взломал", "взломан", "хакер", "утечк данн", "утечк информац",
	"утечк персональн", "утечк парол", "утекл", "слив данн", "слил базу", "слили базу", "слили данн",
	"парол украл", "украл парол", "у меня украл", "украли парол", "похитил парол", "парол стал известен", "парол стал известн",
	"парол известен", "узнал мой парол", "узнали мой парол", "узнали парол", "парол скомпрометирован",
	"скомпрометирован", "компрометац", "вирус", "шифровальщик", "зашифровал", "зашифрованы файл",
	"файлы зашифрован", "вымогател", "троян=", "трояна=", "трояны=", "троянск", "фишинг", "вредоносн", "malware", "ransomware", "phishing",
	"кто то зашел", "кто то вошел", "кто то заходил",
	"кто то заходит", "кто то входил", "зашел под мое", "зашел под моей", "зашел под моим", "зашли под мое",
	"зашли под моей", "зашли под моим", "вошел под мое", "вошел под моей", "вошли под моей", "вход под моей",
	"чужой вход", "подозрительн вход", "подозрительн активност", "подозрительн письм",
	"подозрительн ссылк", "не я входил", "входил не я", "не мной", "без моего ведома", "без моего участия",
	"раскрыт персональн", "разглашен", "посторонн доступ", "доступ посторонн", "кто то управля",
	"курсор сам", "мышь сама", "сменили мой парол", "изменили мой парол", "пароль изменен не мной",
	"рассылк от моего имени", "от моего имени рассыла", "с моего ящика рассыла", "с моей почты рассыла",
	"спам с моей почты", "спам с моего",
	// English.
	"unauthori access", "unauthori use", "unauthori entry",
	"hacked", "hacker", "hacking", "data breach", "data leak", "leak of data", "leaked data", "leak personal data",
	"disclos personal data", "personal data disclos", "password leak", "leak password", "leaked my password",
	"password stolen", "stole password", "stolen password", "password compromis", "compromised", "knows my password",
	"know my password", "someone logg", "somebody logg", "someone else logg", "someone accessed my",
	"someone has accessed", "someone using my", "someone used my", "someone is using my", "logged in as me", "logged into my account without",
	"without my knowledge", "without my permission", "without my consent", "it wasn me", "it was not me",
	"virus", "trojan=", "trojans=", "keylogger", "spyware", "files encrypt", "encrypted my files",
	"encrypted all files",
	"ransom", "suspicious login", "suspicious log in", "suspicious activ", "suspicious email", "suspicious link",
	"spam from my", "sending spam", "mouse mov by itself", "cursor mov by itself", "mouse mov on its own",
	"cursor mov on its own",
}

// IsIncident reports whether text describes a security incident:
// unauthorised access, a leaked or stolen password, a compromised
// workstation, a virus or ransomware, someone using the sender's account,
// disclosure of data. extra adds phrases (normalised here).
func IsIncident(text string, extra []string) bool {
	_, ok := incidentPhrase(newTextWords(normWords(text)), extra)
	return ok
}

func incidentPhrase(ws *textWords, extra []string) (string, bool) {
	if k := ws.builtin()[len(outOfScopeCats)]; k >= 0 {
		return incidentPhrases[k], true
	}
	for _, e := range extra {
		if n := normPhrase(e); n != "" && ws.has(n) {
			return n, true
		}
	}
	return "", false
}
