package replytext

import (
	"fmt"
	"strings"
	"testing"
)

// thread builds a top-posted reply over a long Outlook/Gmail history of
// about size bytes, with interleaved '>' blocks, the worst case for the scan.
func thread(size int) string {
	var b strings.Builder
	b.WriteString("Спасибо, всё заработало после перезагрузки.\n\nС уважением,\nОльга Сидорова\nБухгалтерия\n\n")
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "%d дек. 2024 г., в 10:%02d, Служба технической поддержки <sd@kgo66.ru> написал(а):\n", i%28+1, i%60)
		b.WriteString("> Здравствуйте! Проверьте, пожалуйста, работает ли принтер в кабинете 12.\n")
		b.WriteString("> От: бухгалтерии пришла заявка, Пуск > Параметры > Принтеры.\n>\n")
		b.WriteString("Ответ внутри цитаты: принтер HP LaserJet, кабинет 12, ошибка 0x0000011b.\n\n")
	}
	return b.String()
}

func BenchmarkExtract(b *testing.B) {
	in := thread(20 << 10)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		Extract(in)
	}
}

func BenchmarkExtractOutlook(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("Готово.\n\nС уважением,\nИван\n\nОт: Служба <sd@kgo66.ru>\nОтправлено: 2 декабря 2024 г. 10:00\nКому: Иван\nТема: [#1] Принтер\n\n")
	for sb.Len() < 20<<10 {
		sb.WriteString("Здравствуйте! Текст предыдущего письма, без цитирования, как пишет Outlook в HTML.\n")
	}
	in := sb.String()
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		Extract(in)
	}
}
