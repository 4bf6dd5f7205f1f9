package mailin_test

import (
	"context"
	"testing"

	"github.com/otvet/otvet/internal/mailin"
	"github.com/otvet/otvet/internal/mailin/mailintest"
)

// BenchmarkPollOnce measures a whole session (connect, login, select, the
// size FETCH, body FETCHes, deliveries, STORE \Seen, logout) over 1000
// small messages from the in-process server into a no-op sink.
func BenchmarkPollOnce(b *testing.B) {
	const n = 1000
	env := mailintest.MemEnv(b)
	raws := make([][]byte, n)
	for i := range raws {
		raws[i] = mailintest.NewMessage(i, 2000)
	}
	mailintest.Append(b, env.Account.Client(b), env.Folder, raws...)
	opts := env.Options()
	opts.Logger = nil // the test log would dominate
	sink := &mailintest.NopSink{}
	p, err := mailin.New(opts, sink)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		_ = sink.SetCursor(ctx, opts.Name, mailin.Cursor{}) // fetch everything again
		b.StartTimer()
		st, err := p.PollOnce(ctx)
		if err != nil || st.Delivered != n {
			b.Fatalf("PollOnce = %+v, %v", st, err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "msgs/s")
}
