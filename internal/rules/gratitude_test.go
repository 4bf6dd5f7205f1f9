package rules

import "testing"

func TestGratitude(t *testing.T) {
	for _, c := range []struct {
		text string
		want bool
	}{
		{"Спасибо!", true},
		{"Спасибо, всё заработало!\nПетров С. А.", true},
		{"Большое спасибо за помощь", true},
		{"Благодарю", true},
		{"Thanks a lot!", true},
		{"Спс", true},
		{"Спасибо, но принтер опять не печатает", false},
		{"Спасибо. А когда будет готово?", false},
		{"Спасибо, ошибка осталась", false},
		{"Принтер печатает", false},
		{"", false},
		{"Спасибо за ответ, однако после перезагрузки компьютера программа снова выдаёт то же сообщение и отчёт не формируется", false},
	} {
		if got := Gratitude(c.text); got != c.want {
			t.Errorf("Gratitude(%q) = %v, want %v", c.text, got, c.want)
		}
	}
}
