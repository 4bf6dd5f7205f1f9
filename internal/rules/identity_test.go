package rules

import "testing"

func TestExtractIdentity(t *testing.T) {
	tests := []struct {
		name string
		text string
		want Identity
	}{
		{"one-line signature", "Не работает принтер.\n\nИванова Мария Петровна, учитель, МАОУ СОШ № 3, тел. 8 (34341) 2-11-05",
			Identity{"Иванова Мария Петровна", "МАОУ СОШ № 3", "8 (34341) 2-11-05", "учитель"}},
		{"sign-off line with initials", "Прошу сбросить пароль.\nС уважением, Петров С. А., ведущий специалист УСЗН",
			Identity{"Петров С. А.", "УСЗН", "", "ведущий специалист"}},
		{"multi-line signature", "Добрый день!\nНе открывается СУФД.\n\nС уважением,\nСидорова Анна Викторовна\nглавный бухгалтер\nМКУ «Централизованная бухгалтерия»\nтел. 2-44-90 доб. 91",
			Identity{"Сидорова Анна Викторовна", "МКУ «Централизованная бухгалтерия»", "2-44-90 доб. 91", "главный бухгалтер"}},
		{"form lines", "ФИО: Кузнецов Игорь Олегович\nОрганизация: Администрация Качканарского городского округа\nДолжность: специалист 1 категории\nТелефон: +7 (912) 345-67-89\n\nНе работает почта.",
			Identity{"Кузнецов Игорь Олегович", "Администрация Качканарского городского округа", "+7 (912) 345-67-89", "специалист 1 категории"}},
		{"form lines lower case", "фио: кузнецов игорь олегович\nорганизация: мбоу сош 2\nтел.: 89123456789",
			Identity{"кузнецов игорь олегович", "мбоу сош 2", "89123456789", ""}},
		{"Ф.И.О. label", "Ф.И.О.: Смирнова Е.В.\nУчреждение: ГАУЗ СО «Качканарская ЦГБ»\nКонтактный телефон: 8-912-345-67-89",
			Identity{"Смирнова Е.В.", "ГАУЗ СО «Качканарская ЦГБ»", "8-912-345-67-89", ""}},
		{"separate surname, name, patronymic lines", "Фамилия: Орлова\nИмя: Наталья\nОтчество: Сергеевна\nОрганизация: МАДОУ детский сад № 5",
			Identity{"Орлова Наталья Сергеевна", "МАДОУ детский сад № 5", "", ""}},
		{"initials first", "Спасибо.\nА.В. Лебедев\nначальник отдела информатизации\n2-44-90",
			Identity{"А.В. Лебедев", "отдела информатизации", "2-44-90", "начальник"}},
		{"initials first with spaces", "С уважением,\nИ. П. Соколова, заведующая МБДОУ № 8\n+79123456789",
			Identity{"И. П. Соколова", "МБДОУ № 8", "+79123456789", "заведующая"}},
		{"name patronymic surname", "С уважением,\nОльга Николаевна Волкова\nсекретарь\nУправление образования КГО",
			Identity{"Ольга Николаевна Волкова", "Управление образования КГО", "", "секретарь"}},
		{"caps name", "ИВАНОВ ПЁТР СЕМЁНОВИЧ\nООО «Ромашка»\n8 912 345 67 89",
			Identity{"ИВАНОВ ПЁТР СЕМЁНОВИЧ", "ООО «Ромашка»", "8 912 345 67 89", ""}},
		{"double surname", "С уважением, Петрова-Водкина М. С., методист ЦДО, тел. 2-11-05",
			Identity{"Петрова-Водкина М. С.", "ЦДО", "2-11-05", "методист"}},
		{"оглы", "С уважением,\nАлиев Руслан Магомед оглы\nинженер ГБУ «Центр»",
			Identity{"", "ГБУ «Центр»", "", "инженер"}},
		{"оглы full", "С уважением,\nАлиев Руслан Тофикович\nинженер ГБУ «Центр»",
			Identity{"Алиев Руслан Тофикович", "ГБУ «Центр»", "", "инженер"}},
		{"introduction in the text", "Здравствуйте! Меня зовут Ковалёва Ирина Андреевна, я работаю в школе №1. У меня не работает интернет.",
			Identity{"Ковалёва Ирина Андреевна", "", "", ""}},
		{"dative mention is not the sender", "Прошу выдать доступ к 1С Сидорову Ивану Петровичу.",
			Identity{}},
		{"single initial with surname-like word", "С уважением, Морозова Т.\nГБУЗ СО «Качканарская ЦГБ»",
			Identity{"Морозова Т.", "ГБУЗ СО «Качканарская ЦГБ»", "", ""}},
		{"first name and surname only is not a full name", "С уважением,\nМария Иванова\nМАОУ СОШ № 7\n8 (34341) 6-12-34",
			Identity{"", "МАОУ СОШ № 7", "8 (34341) 6-12-34", ""}},
		{"no identity", "Не работает принтер в 12 кабинете.", Identity{}},
		{"quoted signature ignored", "Спасибо, всё работает.\n\n> С уважением, Петров С. А., специалист техподдержки\n> тел. 2-44-90",
			Identity{}},
		{"reply header cuts the support signature", "Принтер снова не печатает.\nКозлова Н.В.\n\n-----Original Message-----\nFrom: sd@kgo66.ru\nSent: Monday\nSubject: Re: [#12]\n\nС уважением, Петров С. А., тел. 2-44-90",
			Identity{"Козлова Н.В.", "", "", ""}},
		{"phone with extension in parens", "С уважением, Белова О. И.\nтел. 8 (34341) 2-44-90 (доб.90)",
			Identity{"Белова О. И.", "", "8 (34341) 2-44-90 (доб.90)", ""}},
		{"mobile in brackets", "Егоров Д. Н., инспектор, ОМВД России по г. Качканару, моб. 8(922)1234567",
			Identity{"Егоров Д. Н.", "ОМВД России по г. Качканару", "8(922)1234567", "инспектор"}},
		{"INN is not a phone", "С уважением, Фролова А. А.\nООО «Вектор», ИНН 6615012345",
			Identity{"Фролова А. А.", "ООО «Вектор»", "", ""}},
		{"date is not a phone", "Ошибка с 12-03-2024.\nС уважением, Гусев В. В.",
			Identity{"Гусев В. В.", "", "", ""}},
		{"school in words", "--\nЗайцева Людмила Борисовна\nзаместитель директора по УВР\nСредняя общеобразовательная школа № 5",
			Identity{"Зайцева Людмила Борисовна", "Средняя общеобразовательная школа № 5", "", "заместитель директора по УВР"}},
		{"hospital", "С уважением,\nНикитина Е. Г., медсестра\nПоликлиника ЦРБ\n8-343-41-2-33-44",
			Identity{"Никитина Е. Г.", "Поликлиника ЦРБ", "8-343-41-2-33-44", "медсестра"}},
		{"kindergarten", "С уважением, Павлова Ю.А.\nвоспитатель, детский сад № 12 «Солнышко»\nт. 6-05-11",
			Identity{"Павлова Ю.А.", "детский сад № 12 «Солнышко»", "6-05-11", "воспитатель"}},
		{"committee", "Лаптев Г. Р.\nпредседатель Комитета по управлению имуществом\n+7 343 412 44 90",
			Identity{"Лаптев Г. Р.", "Комитета по управлению имуществом", "+7 343 412 44 90", "председатель"}},
		{"sent from iPhone after signature", "Не грузится Госуслуги.\nВасильева О.П., ГКУ СЗН\n89001234567\n\nОтправлено с iPhone",
			Identity{"Васильева О.П.", "ГКУ СЗН", "89001234567", ""}},
		{"phone label without colon", "С уважением, Тихонов А. А.\nТел 24490",
			Identity{"Тихонов А. А.", "", "24490", ""}},
		{"phone in the text", "Перезвоните мне по номеру 8-922-111-22-33, не могу войти в СЭД.",
			Identity{"", "", "8-922-111-22-33", ""}},
		{"IP address is not a phone", "Не пингуется 192.168.1.15, сервер 10.0.0.1.", Identity{}},
		{"money is not a phone", "Счёт на 1 500 000 рублей не проводится.", Identity{}},
		{"application is not a name", "См. Приложение А. Не работает.", Identity{}},

		// English.
		{"English form lines", "The printer does not work.\n\nName: John Smith\nOrganisation: Springfield Elementary School\nPhone: +1 (555) 123-4567",
			Identity{"John Smith", "Springfield Elementary School", "+1 (555) 123-4567", ""}},
		{"Full name, Organization, Tel.", "Full name: Mary-Jane O'Neil\nOrganization: City Council\nTel.: +44 20 7946 0958\nPosition: Senior accountant",
			Identity{"Mary-Jane O'Neil", "City Council", "+44 20 7946 0958", "Senior accountant"}},
		{"Company label, lower-case name", "name: john smith\ncompany: Acme Ltd\nphone: 555-123-4567",
			Identity{"john smith", "Acme Ltd", "555-123-4567", ""}},
		{"first and last name lines", "First name: John\nLast name: MCDONALD\nCompany: Globex LLC\nPhone number: 8 (34341) 2-11-05",
			Identity{"John MCDONALD", "Globex LLC", "8 (34341) 2-11-05", ""}},
		{"Mc name", "Name: Ronald McDonald\nTel: 555-123-4567", Identity{"Ronald McDonald", "", "555-123-4567", ""}},
		{"name with a middle initial and a trailing position", "Name: John A. Smith, IT manager\nOrganisation: Acme Ltd",
			Identity{"John A. Smith", "Acme Ltd", "", "IT manager"}},
		{"English signature", "The scanner shows error 5.\n\nBest regards,\nJohn Smith\nIT manager, Acme Ltd\nPhone: +44 20 7946 0958",
			Identity{"John Smith", "Acme Ltd", "+44 20 7946 0958", "IT manager"}},
		{"English signature on the sign-off line", "Cannot log in.\nKind regards, Jane Doe, Head of IT Department, Springfield Hospital",
			Identity{"Jane Doe", "Springfield Hospital", "", "Head of"}},
		{"Russian name under an English label", "Name: Иванова Мария Петровна\nCompany: МАОУ СОШ № 3",
			Identity{"Иванова Мария Петровна", "МАОУ СОШ № 3", "", ""}},
		{"a team is not a name", "Thanks,\nIT Support Team", Identity{}},
		{"a product is not a name", "Name: Windows Update\nName: HP LaserJet", Identity{}},
		{"a Latin name without a sign-off is not taken", "Printer error again\nJohn Smith", Identity{}},
		{"a name label needs a colon", "Name of the file report.docx\nThe company: is fine", Identity{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ExtractIdentity(tt.text); got != tt.want {
				t.Errorf("ExtractIdentity()\n got %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestFindPhones(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"+7 (912) 345-67-89", []string{"+7 (912) 345-67-89"}},
		{"8-912-345-67-89", []string{"8-912-345-67-89"}},
		{"89123456789", []string{"89123456789"}},
		{"тел. 2-44-90 доб. 91", []string{"2-44-90 доб. 91"}},
		{"8 (34341) 2-44-90 (доб.90), 2-44-90 (доб.91)", []string{"8 (34341) 2-44-90 (доб.90)", "2-44-90 (доб.91)"}},
		{"(34341) 2-11-05", []string{"(34341) 2-11-05"}},
		{"№ 2-44-90", nil},
		{"версия 1.2-11-05", nil},
		{"12.03.2024", nil},
		{"2024-03-15", nil},
		{"ИНН 661500123456", nil},
		{"СНИЛС 812-345-678 90", nil},
		{"в 9:00-17:00", nil},
		{"5-10 минут", nil},
		{"100500", nil},
		{"телефон 24490", []string{"24490"}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			var got []string
			for _, s := range findPhones(tt.text) {
				got = append(got, tt.text[s.start:s.end])
			}
			if len(got) != len(tt.want) {
				t.Fatalf("findPhones(%q) = %q, want %q", tt.text, got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("findPhones(%q) = %q, want %q", tt.text, got, tt.want)
				}
			}
		})
	}
}
