package regform

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/otvet/otvet/internal/mailmsg"
)

func loadEML(t testing.TB, name string) *mailmsg.Message {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	m, err := mailmsg.Parse(raw, mailmsg.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestCorpus parses every form of testdata/ and checks the people, the
// organisation, the source, the authority document and the problems.
// People are compared as "action | name | position | department | e-mail |
// phone | systems | rights[ | account | key channel]". Forms 14 and 15 are
// windows-1251 (an HTML body and a text body).
func TestCorpus(t *testing.T) {
	tests := []struct {
		file             string
		detect, wantErr  bool
		source           string
		authority        bool
		org              Organisation
		people, problems []string
	}{
		{file: "01-outlook-html.eml", detect: true, wantErr: false, source: "html", authority: true,
			org: Organisation{Name: "Муниципальное автономное общеобразовательное учреждение «Средняя общеобразовательная школа № 3»", INN: "6615001232", OGRN: "1026601234560", KPP: "661501001", Address: "624350, Свердловская обл., г. Качканар, ул. Гикалова, д. 5", Head: "Н.В. Соколова"},
			people: []string{
				"add | Смирнова Ольга Викторовна | Заместитель директора по УВР |  | o.smirnova@school3.kgo66.ru | 8 (34341) 6-12-34 | АИС «Сетевой город. Образование»; СЭД «Дело» | ",
				"add | Кузьмина Анна Петровна | Секретарь-делопроизводитель |  | a.kuzmina@school3.kgo66.ru | 8 (34341) 6-12-30, доб. 2 | СЭД «Дело» | ",
				"add | Белова Татьяна Игоревна | Главный бухгалтер |  | t.belova@school3.kgo66.ru | +7 912 600-11-22 | 1С: Бухгалтерия государственного учреждения | ",
			},
			problems: []string{}},
		{file: "02-tab-text.eml", detect: true, wantErr: false, source: "text", authority: true,
			org: Organisation{Name: "МКУ «Управление образования КГО»", INN: "6615004561", OGRN: "", KPP: "661501001", Address: "", Head: "Е.А. Лебедева"},
			people: []string{
				"add | Петрова Мария Сергеевна | Ведущий специалист |  | petrova@kgo66.ru | 8 (34341) 6-20-21 | СЭД «Дело»; АЦК-Финансы | ",
				"add | Орлов Денис Олегович | Специалист 1 категории |  | orlov@kgo66.ru | 6-20-25 | СЭД «Дело» | ",
				"add | Зайцева Ирина Николаевна | Экономист |  |  | +7 (922) 100-20-30 | АЦК-Финансы | ",
			},
			problems: []string{
				"строка 3 (Зайцева Ирина Николаевна): не указан адрес электронной почты",
			}},
		{file: "03-pipe-text.eml", detect: true, wantErr: false, source: "text", authority: false,
			org: Organisation{Name: "МБДОУ «Детский сад № 12 «Солнышко»»", INN: "6615007770", OGRN: "", KPP: "", Address: "", Head: "Григорьева С.Ю."},
			people: []string{
				"add | Григорьева Светлана Юрьевна | Заведующий | Администрация | Grigorieva.SU@mail.ru | 8-912-345-67-89 |  | полный доступ, подписание",
				"add | Носова Алёна Викторовна | Делопроизводитель | Канцелярия | nosova.av@mail.ru | 6-33-44 |  | просмотр, регистрация документов",
				"add | Тихонов Павел Андреевич | Завхоз | АХЧ | tihonov@ya.ru |  |  | только просмотр",
			},
			problems: []string{
				"не приложен документ, подтверждающий полномочия подписавшего заявку (приказ, распоряжение, доверенность или устав)",
			}},
		{file: "04-csv-cp1251.eml", detect: true, wantErr: false, source: "csv", authority: true,
			org: Organisation{Name: "Комитет по управлению муниципальным имуществом КГО", INN: "6615019991", OGRN: "1036607654324", KPP: "", Address: "", Head: ""},
			people: []string{
				"add | Кузнецов Игорь Валентинович | Начальник отдела | Отдел архитектуры | i.kuznetsov@kgo66.ru | (34341) 6-97-30 | ИСОГД; ГИС «Градостроительство» | ",
				"add | Фёдорова Нина Ивановна | Главный специалист | Отдел архитектуры | n.fedorova@kgo66.ru | (34341) 6-97-31 | ИСОГД | ",
				"add | Яковлев Артём Сергеевич | Инженер | Отдел ЖКХ |  | (34341) 6-97-40 | ГИС ЖКХ | ",
			},
			problems: []string{
				"строка 3 (Яковлев Артём Сергеевич): некорректный адрес электронной почты «yakovlev@kgo66»",
			}},
		{file: "05-csv-utf8.eml", detect: true, wantErr: false, source: "csv", authority: true,
			org: Organisation{Name: "ГАУЗ СО «Качканарская ЦГБ»", INN: "6615008887", OGRN: "", KPP: "668101001", Address: "", Head: ""},
			people: []string{
				"add | Морозова Елена Павловна | Главный врач |  | morozova@crb-kch.ru | +7 (34341) 2-11-00 | МИС «qMS», модуль «Ранняя помощь» | Руководитель",
				"add | Волков Сергей Анатольевич | Врач-педиатр |  | volkov@crb-kch.ru | +7 (34341) 2-11-05, доб. 105 | МИС «qMS» | Врач",
				"add | Соловьёва Дарья | Медицинская сестра |  | soloveva@crb-kch.ru |  | МИС «qMS» | Средний медперсонал",
			},
			problems: []string{}},
		{file: "06-xlsx.eml", detect: true, wantErr: false, source: "xlsx", authority: true,
			org: Organisation{Name: "МБУ «Качканарский центр культуры и досуга»", INN: "6615001232", OGRN: "", KPP: "", Address: "", Head: "Андреева Людмила Фёдоровна"},
			people: []string{
				"add | Андреева Людмила Фёдоровна | Директор | Администрация | andreeva@kcd-kgo.ru | 79126001122 | СЭД «Дело» | подписание",
				"add | Киселёв Роман Игоревич | Художественный руководитель | Творческий отдел | kiselev@kcd-kgo.ru | 8 (34341) 6-55-10 | СЭД «Дело» | просмотр",
				"add | Павлова Ксения Андреевна | Бухгалтер | Бухгалтерия | PAVLOVA@kcd-kgo.ru | 8 (34341) 6-55-12 | 1С: Бухгалтерия | ввод документов",
			},
			problems: []string{}},
		{file: "07-missing-columns.eml", detect: true, wantErr: false, source: "html", authority: true,
			org: Organisation{Name: "МКУ «Централизованная бухгалтерия»", INN: "6615001234", OGRN: "", KPP: "", Address: "", Head: ""},
			people: []string{
				"add | Егорова Вера Михайловна | Главный бухгалтер |  |  | 6-41-00 |  | ",
				"add | Романов Илья Петрович | Бухгалтер |  |  | 6-41-02 |  | ",
			},
			problems: []string{
				"в таблице нет столбца с адресом электронной почты",
				"в таблице нет столбца «Наименования информационных систем»: не указано, к каким системам нужен доступ",
				"строка 1 (Егорова Вера Михайловна): не указан адрес электронной почты",
				"строка 2 (Романов Илья Петрович): не указан адрес электронной почты",
				"ИНН 6615001234 не проходит проверку контрольного числа",
			}},
		{file: "08-empty-rows.eml", detect: true, wantErr: false, source: "html", authority: true,
			org: Organisation{Name: "МАУ ДО «Детская школа искусств»", INN: "3811002220", OGRN: "", KPP: "", Address: "", Head: ""},
			people: []string{
				"add | Мельникова Юлия Романовна | Директор |  | melnikova@dshi-kgo.ru |  | СЭД «Дело» | ",
				"add | Лазарев Николай Ильич | Заместитель директора |  | lazarev@dshi-kgo.ru |  | СЭД «Дело» | ",
				"add | Сергеева Полина Олеговна | Методист |  | sergeeva@dshi-kgo.ru |  | АИС «Сетевой город»; СЭД «Дело» | ",
			},
			problems: []string{}},
		{file: "09-change-action.eml", detect: true, wantErr: false, source: "html", authority: true,
			org: Organisation{Name: "МБОУ «Средняя общеобразовательная школа № 7»", INN: "6615001232", OGRN: "", KPP: "661501001", Address: "", Head: "Ковалёва О.В."},
			people: []string{
				"add | Никитина Алла Борисовна | Секретарь |  | nikitina@school7.kgo66.ru |  | СЭД «Дело» | ",
				"remove | Шестаков Виктор Ильич | Секретарь |  | shestakov@school7.kgo66.ru |  | СЭД «Дело» | ",
				"update | Абрамова Инна Сергеевна | Заместитель директора |  | abramova@school7.kgo66.ru |  | СЭД «Дело», АИС «Сетевой город» | ",
				"update | Жукова Ольга Петровна | Учитель |  | zhukova@school7.kgo66.ru |  | АИС «Сетевой город» | ",
				"add | Сафонов Игорь Ильич | Учитель |  | safonov@school7.kgo66.ru |  | АИС «Сетевой город» | ",
			},
			problems: []string{
				"строка 5 (Сафонов Игорь Ильич): непонятное действие «???», принято «добавить»",
			}},
		{file: "10-removal-intent.eml", detect: true, wantErr: false, source: "html", authority: true,
			org: Organisation{Name: "МКУ «Архив КГО»", INN: "6615001232", OGRN: "", KPP: "", Address: "", Head: ""},
			people: []string{
				"remove | Голубев Степан Ильич | Архивист |  | golubev@archive.kgo66.ru |  |  | ",
				"add | Виноградова Мария Олеговна | Архивист |  | vinogradova@archive.kgo66.ru |  |  | ",
				"remove | Карпов Лев Андреевич | Архивист |  | karpov@archive.kgo66.ru |  |  | ",
			},
			problems: []string{
				"в таблице нет столбца «Наименования информационных систем»: не указано, к каким системам нужен доступ",
			}},
		{file: "11-no-authority.eml", detect: true, wantErr: false, source: "text", authority: false,
			org: Organisation{Name: "МАДОУ «Детский сад № 5»", INN: "6615001233", OGRN: "", KPP: "", Address: "", Head: ""},
			people: []string{
				"add | Сидоров Олег Иванович | Заведующий |  |  |  | СЭД «Дело» | ",
				"add | Львова Анна Игоревна | Воспитатель |  |  |  | АИС «Сетевой город» | ",
				"add | Осипова Зоя Петровна | Методист |  |  |  | АИС «Сетевой город» | ",
				"add | Осипова Зоя Петровна | Методист |  | osipova@ds5.ru |  | СЭД «Дело» | ",
			},
			problems: []string{
				"строка 1 (Сидоров Олег Иванович): некорректный адрес электронной почты «sidorov@mail»",
				"строка 3 (Осипова Зоя Петровна): некорректный адрес электронной почты «осипова@почта.рф»",
				"строка 4 (Осипова Зоя Петровна): указано несколько адресов электронной почты, взят первый (osipova@ds5.ru)",
				"строка 2 (Львова Анна Игоревна): не указан адрес электронной почты",
				"ИНН 6615001233 не проходит проверку контрольного числа",
				"не приложен документ, подтверждающий полномочия подписавшего заявку (приказ, распоряжение, доверенность или устав)",
			}},
		{file: "12-docx.eml", detect: true, wantErr: false, source: "docx", authority: true,
			org: Organisation{Name: "ОГБУЗ «Качканарская районная больница»", INN: "6615019991", OGRN: "1166612345679", KPP: "", Address: "624350, Свердловская обл., г. Качканар, ул. Мира, д. 2", Head: "Кузнецова Сергея Петровича"},
			people: []string{
				"add | Антонова Галина Степановна | Врач-невролог |  | antonova@krb.ru |  | Карта ребёнка; дата рождения, пол | ",
				"add | Фролов Аркадий Ильич | Медицинский психолог |  | frolov@krb.ru |  | Карта ребёнка; дата рождения, пол | ",
				"remove | Блинова Раиса Ивановна | Логопед |  | blinova@krb.ru |  | Карта ребёнка | ",
			},
			problems: []string{}},
		{file: "14-html-cp1251.eml", detect: true, wantErr: false, source: "html", authority: true,
			org: Organisation{Name: "МКОУ «Основная общеобразовательная школа № 9»", INN: "6615009993", OGRN: "1026601234560", KPP: "", Address: "", Head: "Л.Г. Шубина"},
			people: []string{
				"add | Шубина Лариса Геннадьевна | Директор |  | shubina@oosh9.kgo66.ru | 6-77-01 | СЭД «Дело» |  | shubina | лично в руки",
				"add | Ёлкина Валерия Сергеевна | Секретарь |  | elkina@oosh9.kgo66.ru | 6-77-02 | СЭД «Дело» | ",
			},
			problems: []string{}},
		{file: "15-text-cp1251.eml", detect: true, wantErr: false, source: "text", authority: true,
			org: Organisation{Name: "МБДОУ «Детский сад № 21»", INN: "6615002211", OGRN: "", KPP: "661501001", Address: "", Head: "И.А. Котова"},
			people: []string{
				"add | Котова Ирина Александровна | Заведующий |  | kotova@ds21.kgo66.ru | 6-21-00 | АИС «Сетевой город» | ",
				"update | Щукина Ольга Юрьевна | Воспитатель |  | schukina@ds21.kgo66.ru | 6-21-01 | АИС «Сетевой город» | ",
				"remove | Эйдельман Борис Львович | Завхоз |  | eidelman@ds21.kgo66.ru |  | АИС «Сетевой город» | ",
			},
			problems: []string{}},
		{file: "16-xlsx-application.eml", detect: true, wantErr: false, source: "xlsx", authority: true,
			org: Organisation{Name: "МКУК «Качканарская централизованная библиотечная система»", INN: "6615001232", OGRN: "", KPP: "661501001", Address: "624350, Свердловская обл., г. Качканар, 5 мкр., д. 3", Head: "В.А. Горбунова"},
			people: []string{
				"add | Горбунова Вера Алексеевна | Директор |  | gorbunova@cbs-kgo.ru | 8 (34341) 6-30-01 | СЭД «Дело» | ",
				"add | Михеева Дарья Олеговна | Библиотекарь |  | mikheeva@cbs-kgo.ru | 6-30-05 | СЭД «Дело»; АИС «Библиотека» | ",
				"add | Тарасова Инна Юрьевна | Бухгалтер |  | tarasova@cbs-kgo.ru |  | 1С: Бухгалтерия | ",
			},
			problems: []string{}},
		{file: "13-not-a-request.eml", detect: false, wantErr: true, source: "", authority: false,
			org:    Organisation{Name: "", INN: "", OGRN: "", KPP: "", Address: "", Head: ""},
			people: []string{},
			problems: []string{
				"не указано наименование организации",
				"не указан ИНН организации",
				"не приложен документ, подтверждающий полномочия подписавшего заявку (приказ, распоряжение, доверенность или устав)",
				"в письме не найдена таблица сотрудников (столбцы «ФИО», «Должность», «E-mail»…)",
			}},
	}
	files, _ := filepath.Glob("testdata/*.eml")
	if len(files) != len(tests) {
		t.Errorf("%d .eml files in testdata, %d cases: every form needs a case", len(files), len(tests))
	}
	for _, tt := range tests {
		t.Run(strings.TrimSuffix(tt.file, ".eml"), func(t *testing.T) {
			m := loadEML(t, tt.file)
			if got := Detect(m); got != tt.detect {
				t.Errorf("Detect = %v, want %v", got, tt.detect)
			}
			r, err := Parse(m)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Parse error = %v, want error %v", err, tt.wantErr)
			}
			if err != nil && !errors.Is(err, ErrNoTable) {
				t.Errorf("error %v is not ErrNoTable", err)
			}
			if r == nil {
				t.Fatal("nil Request")
			}
			if r.Source != tt.source {
				t.Errorf("Source = %q, want %q", r.Source, tt.source)
			}
			if r.HasAuthorityDocument != tt.authority {
				t.Errorf("HasAuthorityDocument = %v, want %v", r.HasAuthorityDocument, tt.authority)
			}
			if r.Organisation != tt.org {
				t.Errorf("Organisation =\n%#v\nwant\n%#v", r.Organisation, tt.org)
			}
			var got []string
			for i, p := range r.People {
				if p.Row != i+1 {
					t.Errorf("person %d has Row %d", i, p.Row)
				}
				got = append(got, personLine(p))
			}
			if !slices.Equal(got, tt.people) {
				t.Errorf("People:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.people, "\n"))
			}
			if !slices.Equal(r.Problems, tt.problems) && (len(r.Problems) > 0 || len(tt.problems) > 0) {
				t.Errorf("Problems:\n%s\nwant\n%s", strings.Join(r.Problems, "\n"), strings.Join(tt.problems, "\n"))
			}
		})
	}
}

// personLine is a person as the corpus cases write them; the account and
// the key channel are appended only when the form has them.
func personLine(p Person) string {
	f := []string{p.Action, p.FullName, p.Position, p.Department, p.Email, p.Phone, p.Systems, p.Rights}
	if p.Account != "" || p.KeyChannel != "" {
		f = append(f, p.Account, p.KeyChannel)
	}
	return strings.Join(f, " | ")
}
