package oldrules

import (
	"strings"
	"unicode"
)

// Gratitude reports whether a reply only thanks support («Спасибо, всё
// заработало!», "Thanks!"): short, with a word of thanks, and without a
// question or a sign that something is still wrong. A resolved ticket takes
// such a reply without reopening.
func Gratitude(text string) bool {
	if strings.ContainsAny(text, "?") {
		return false
	}
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) })
	if len(words) == 0 || len(words) > 10 {
		return false
	}
	thanks := false
	for _, w := range words {
		w = strings.ReplaceAll(w, "ё", "е")
		for _, s := range []string{"спасибо", "спс", "благодар", "thank", "thanks"} {
			if strings.HasPrefix(w, s) {
				thanks = true
			}
		}
		switch w {
		case "не", "нет", "но", "опять", "снова", "еще", "однако", "not", "but", "again", "still", "no":
			return false
		}
		for _, s := range []string{"проблем", "ошибк", "сломал", "перестал", "problem", "error"} {
			if strings.HasPrefix(w, s) {
				return false
			}
		}
	}
	return thanks
}
