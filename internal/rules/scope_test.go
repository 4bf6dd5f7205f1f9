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
		// English.
		{"explain the law", "Could you explain the law on personal data retention?", nil, []string{ScopeLegislation}},
		{"is it legal", "Is it legal to keep CCTV recordings for a year?", nil, []string{ScopeLegislation}},
		{"legal advice", "We need legal advice about the new data protection act", nil, []string{ScopeLegislation}},
		{"according to the law", "According to the law, must we store these emails?", nil, []string{ScopeLegislation}},
		{"assess the contractor's actions", "Please assess the actions of our contractor, he broke the network", nil, []string{ScopeThirdParties}},
		{"did they act correctly", "Did the vendor act correctly when they disconnected us?", nil, []string{ScopeThirdParties}},
		{"who is to blame", "Who is to blame for the outage, the provider or the landlord?", nil, []string{ScopeThirdParties}},
		{"fill in for me", "Could you fill in the report for me? I am on leave.", nil, []string{ScopeUserDuties}},
		{"instead of me", "Please enter the grades into the system instead of me", nil, []string{ScopeUserDuties}},
		{"write a letter for me", "Write this letter for me, please", nil, []string{ScopeUserDuties}},
		{"in scope: cannot prepare a report", "I cannot prepare the report, the program shows an error", nil, nil},
		{"in scope: the right printer", "Is the right printer selected by default?", nil, nil},
		{"in scope: law firm's software", "Westlaw does not start after the update", nil, nil},
		{"in scope: remote help", "Can someone access my computer remotely to fix Outlook?", nil, nil},
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
		// English.
		{"My password was leaked on a forum", nil, true},
		{"I think my password has been leaked", nil, true},
		{"Someone logged in as me yesterday evening", nil, true},
		{"Somebody logged into my account and deleted mail", nil, true},
		{"Someone is using my account to send spam", nil, true},
		{"There is a virus on my PC", nil, true},
		{"Unauthorised access to the accounting database", nil, true},
		{"We noticed unauthorized access to the file server", nil, true},
		{"Possible data leak: pupils' records are on a public site", nil, true},
		{"All my files were encrypted and there is a ransom note", nil, true},
		{"Our website was hacked last night", nil, true},
		{"My password was stolen", nil, true},
		{"Personal data was disclosed to a third party", nil, true},
		{"Antivirus update failed", nil, false},
		{"I forgot my password, please reset it", nil, false},
		{"Water leak in the server room", nil, false},
		{"Can someone access my computer remotely to fix Outlook?", nil, false},
		{"Error 401 Unauthorized. Login failed", nil, false},
		{"I encrypted my laptop with BitLocker, how do I find the key?", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			if got := IsIncident(tt.text, tt.extra); got != tt.want {
				t.Errorf("IsIncident(%q) = %v, want %v", tt.text, got, tt.want)
			}
		})
	}
}
