package replytext

import "testing"

func TestIsQuoteLine(t *testing.T) {
	for _, tc := range []struct {
		line string
		want bool
	}{
		{">", true},
		{"> text", true},
		{">> nested", true},
		{">Mail.ru style", true},
		{">5 минут", false},
		{">=2", false},
		{">-", false},
		{" > indented", false},
		{"Пуск > Параметры", false},
		{"", false},
	} {
		if got := isQuoteLine(tc.line); got != tc.want {
			t.Errorf("isQuoteLine(%q) = %v, want %v", tc.line, got, tc.want)
		}
	}
}

func TestIsAttribution(t *testing.T) {
	for _, tc := range []struct {
		name      string
		line      string
		ok, dated bool
	}{
		{"thunderbird ru", "27.12.2024 10:00, Иван Петров пишет:", true, true},
		{"thunderbird en", "On 27/12/2024 10:00, Ivan wrote:", true, true},
		{"gmail ru", "пн, 2 дек. 2024 г. в 10:00, Иван <ivan@x.ru>:", true, true},
		{"gmail en", "On Mon, Dec 2, 2024 at 10:00 AM Ivan <ivan@x.ru> wrote:", true, true},
		{"gmail en narrow nbsp", "On Mon, Dec 2, 2024 at 10:00\u202fAM Ivan <ivan@x.ru> wrote:", true, true},
		{"apple ru", "2 дек. 2024 г., в 10:00, Иван <ivan@x.ru> написал(а):", true, true},
		{"yandex", `02.12.2024, 10:00, "Иван" <ivan@yandex.ru>:`, true, true},
		{"yandex bare address", "02.12.2024, 10:00, ivan@yandex.ru:", true, true},
		{"mailru", "Понедельник, 2 декабря 2024, 10:00 +05:00 от Иван <ivan@mail.ru>:", true, true},
		{"mailru no address", "Понедельник, 2 декабря 2024, 10:00 +05:00 от Иван:", true, true},
		{"undated verb", "Иван Петров пишет:", true, false},
		{"time only is text", "Сегодня в 10:00 пользователь написал:", true, false},
		{"list intro", "Сделайте следующее 02.12.2024:", false, false},
		{"no colon", "On Mon, Dec 2, 2024 Ivan wrote", false, false},
		{"address without date", "Пишите на ivan@x.ru:", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ok, dated := isAttribution(tc.line)
			if ok != tc.ok || dated != tc.dated {
				t.Errorf("isAttribution(%q) = %v, %v; want %v, %v", tc.line, ok, dated, tc.ok, tc.dated)
			}
		})
	}
}

func TestHeaderBlock(t *testing.T) {
	for _, tc := range []struct {
		name  string
		lines []string
		want  bool
	}{
		{"outlook ru", []string{"От: A", "Отправлено: B", "Кому: C", "Тема: D"}, true},
		{"outlook en with cc", []string{"From: A", "Sent: B", "To: C", "Cc: E", "Subject: D"}, true},
		{"date instead of sent", []string{"From: A", "Date: B", "Subject: D"}, true},
		{"bold keys", []string{"*From:* A", "*Sent:* B", "*To:* C"}, true},
		{"lone From line", []string{"От: бухгалтерии пришла заявка", "текст", "Кому: звонить"}, false},
		{"no sent", []string{"From: A", "To: C", "Subject: D"}, false},
		{"not starting with From", []string{"Sent: B", "From: A", "To: C"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := headerBlock(tc.lines, 0); got != tc.want {
				t.Errorf("headerBlock(%q) = %v, want %v", tc.lines, got, tc.want)
			}
		})
	}
}

func TestSigMarker(t *testing.T) {
	for _, tc := range []struct {
		line string
		want int
	}{
		{"-- ", tailDelimiter},
		{"--", tailLooseDelimiter},
		{"С уважением,", tailClosing},
		{"С уважением", tailClosing},
		{"с уважением, Иван Петров", tailClosing},
		{"Best regards,", tailClosing},
		{"Kind regards, John", tailClosing},
		{"С уважением к вашему времени, прошу…", 0},
		{"Regardless of the error, it works", 0},
		{"Отправлено с iPhone", tailMobile},
		{"Отправлено из мобильной Почты Mail.ru", tailMobile},
		{"Sent from my iPhone", tailMobile},
		{"Get Outlook for Android", tailMobile},
		{"Отправлено с опозданием, извините", 0},
		{"", 0},
	} {
		if got := sigMarker(tc.line); got != tc.want {
			t.Errorf("sigMarker(%q) = %d, want %d", tc.line, got, tc.want)
		}
	}
}

func TestExtractParts(t *testing.T) {
	for _, tc := range []struct {
		name                 string
		in                   string
		reply, quoted, sigly string
	}{
		{"blank", "  \n\n", "", "", ""},
		{"plain", "Привет", "Привет", "", ""},
		{"signature would empty reply", "С уважением,\nИван", "С уважением,\nИван", "", ""},
		{"quoted block then signature", "> q\nОтвет\n-- \nИван", "Ответ", "> q", "--\nИван"},
		{"long tail after closing is text", "a\nBest regards\n1\n2\n3\n4\n5\n6\n7\n8\n9", "a\nBest regards\n1\n2\n3\n4\n5\n6\n7\n8\n9", "", ""},
		{"interleaved gets a blank line", "a\n> q\nb", "a\n\nb", "> q", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Extract(tc.in)
			want := Result{tc.reply, tc.quoted, tc.sigly}
			if got != want {
				t.Errorf("Extract(%q) = %+v, want %+v", tc.in, got, want)
			}
		})
	}
}
