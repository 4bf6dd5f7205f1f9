package helpdesk_test

import (
	"fmt"
	"testing"
)

// BenchmarkIngest measures one new request end to end on SQLite: parse, store
// (raw, ticket, participant, message, events, cursor), render and compose the
// acknowledgement and queue it — one transaction per message.
func BenchmarkIngest(b *testing.B) {
	h := newHarness(b)
	raws := make([]string, b.N)
	for i := range raws {
		raws[i] = mail{from: fmt.Sprintf("Пользователь <user%d@client%d.ru>", i, i%50), subject: fmt.Sprintf("Не работает система %d", i),
			id: fmt.Sprintf("bench-%d@client.ru", i), body: "Здравствуйте! После обновления не открывается журнал. Тел. 2-11-05\r\n" +
				"Иванова М. П., МАОУ СОШ 3"}.String()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		h.ingest(raws[i])
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
