package helpdesk_test

import (
	"context"

	"fmt"
	"github.com/otvet/otvet/internal/mailin"
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

// BenchmarkIngestBatch is BenchmarkIngest with the poller's batches
// (mailin.DefaultBatchMessages per transaction), as a burst of mail arrives.
func BenchmarkIngestBatch(b *testing.B) {
	h := newHarness(b)
	fs := make([]mailin.Fetched, b.N)
	for i := range fs {
		raw := mail{from: fmt.Sprintf("Пользователь <user%d@client%d.ru>", i, i%50), subject: fmt.Sprintf("Не работает система %d", i),
			id: fmt.Sprintf("bench-%d@client.ru", i), body: "Здравствуйте! После обновления не открывается журнал. Тел. 2-11-05\r\n" +
				"Иванова М. П., МАОУ СОШ 3"}.String()
		fs[i] = mailin.Fetched{UID: uint32(i + 1), Raw: []byte(raw), Size: int64(len(raw))}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i += mailin.DefaultBatchMessages {
		if _, err := h.svc.IngestBatch(context.Background(), "sd", 1, fs[i:min(i+mailin.DefaultBatchMessages, b.N)]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
