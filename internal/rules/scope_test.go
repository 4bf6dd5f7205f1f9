package rules

import (
	"reflect"
	"testing"
)

func TestMatchOutOfScope(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		extra map[string][]string
		want  []string
	}{
		{"explain a law", "Разъясните, пожалуйста, закон о персональных данных", nil, []string{ScopeLegislation}},
		{"by law", "А по закону мы обязаны хранить эти письма?", nil, []string{ScopeLegislation}},
		{"lawful", "Правомерно ли требование бухгалтерии?", nil, []string{ScopeLegislation}},
		{"resolution number", "Как применять постановление № 123 от 01.02.2024", nil, []string{ScopeLegislation}},
		{"federal law", "Что требует 152-ФЗ для нашей школы", nil, []string{ScopeLegislation}},
		{"assess actions", "Оцените действия подрядчика, он нам всё сломал", nil, []string{ScopeThirdParties}},
		{"did the contractor act right", "Правильно ли поступил подрядчик, отключив сервер?", nil, []string{ScopeThirdParties}},
		{"fill in for me", "Заполните за меня отчёт в «Барсе», я в отпуске", nil, []string{ScopeUserDuties}},
		{"make a report", "Сделайте отчёт по посещаемости", nil, []string{ScopeUserDuties}},
		{"enter data instead of me", "Внесите данные вместо меня в ГИС", nil, []string{ScopeUserDuties}},
		{"two categories", "Разъясните закон и заполните за меня форму", nil, []string{ScopeLegislation, ScopeUserDuties}},
		{"in scope: cannot make a report", "Не могу сформировать отчёт, программа выдаёт ошибку", nil, nil},
		{"in scope: form fill question", "Правильно ли я заполнил настройки прокси?", nil, nil},
		{"in scope: law firm's software", "Не запускается КонсультантПлюс", nil, nil},
		{"operator phrase", "Посоветуйте, какой ноутбук купить домой", map[string][]string{"personal": {"купить домой"}}, []string{"personal"}},
		{"operator phrase adds to a built-in category", "Подскажите по трудовому кодексу", map[string][]string{ScopeLegislation: {"трудов кодекс"}}, []string{ScopeLegislation}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := MatchOutOfScope(tt.text, tt.extra); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("MatchOutOfScope(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestIsIncident(t *testing.T) {
	tests := []struct {
		text  string
		extra []string
		want  bool
	}{
		{"Зафиксирован несанкционированный доступ к базе", nil, true},
		{"Нас взломали! На сайте чужая картинка", nil, true},
		{"Кажется, утечка персональных данных учеников", nil, true},
		{"Пароль от почты у меня украли", nil, true},
		{"Мой пароль стал известен коллегам", nil, true},
		{"Антивирус нашёл вирус на флешке", nil, true},
		{"Все файлы зашифрованы, требуют выкуп — шифровальщик", nil, true},
		{"Кто-то зашёл под моей учётной записью в СЭД", nil, true},
		{"Сменили мой пароль, я ничего не меняла", nil, true},
		{"Мышь сама двигается по экрану", nil, true},
		{"С моей почты рассылается спам", nil, true},
		{"Пришло подозрительное письмо со ссылкой", nil, true},
		{"Не обновляется антивирус", nil, false},
		{"Забыла пароль, прошу сбросить", nil, false},
		{"Не работает принтер", nil, false},
		{"Утечка воды в серверной", nil, false},
		{"С уважением, Троянова А. А.", nil, false},
		{"Госуслуги пишут, что вход с нового устройства", []string{"вход с нового устройства"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			if got := IsIncident(tt.text, tt.extra); got != tt.want {
				t.Errorf("IsIncident(%q) = %v, want %v", tt.text, got, tt.want)
			}
		})
	}
}
