package app

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/otvet/otvet/internal/outbox"
	"github.com/otvet/otvet/internal/store"
	"github.com/otvet/otvet/internal/web"
)

type fakeSender struct{ err error }

func (f fakeSender) Send(context.Context, string, []string, []byte) error { return f.err }

func TestOutboxIsCounted(t *testing.T) {
	m := web.NewMetrics()
	s := countSenders(map[string]outbox.Sender{"sd": fakeSender{}, "hr": fakeSender{err: errors.New("421 busy")}}, m)
	ctx := context.Background()
	for range 2 {
		_ = s["sd"].Send(ctx, "a@b", []string{"c@d"}, nil)
	}
	if err := s["hr"].Send(ctx, "a@b", []string{"c@d"}, nil); err == nil {
		t.Error("the failure was swallowed")
	}
	told := 0
	give := countGiveUps(m, func(context.Context, store.Outgoing) error { told++; return nil })
	_ = give(ctx, store.Outgoing{Desk: "hr"})
	if told != 1 {
		t.Errorf("the give-up hook ran %d times", told)
	}
	got := map[string]float64{}
	mfs, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		for _, mm := range mf.GetMetric() {
			if c := mm.GetCounter(); c != nil && strings.HasPrefix(mf.GetName(), "otvet_outbox_") {
				got[mf.GetName()+"/"+mm.GetLabel()[0].GetValue()] = c.GetValue()
			}
		}
	}
	want := map[string]float64{"otvet_outbox_sent_total/sd": 2, "otvet_outbox_send_failures_total/hr": 1, "otvet_outbox_given_up_total/hr": 1}
	if len(got) != len(want) {
		t.Errorf("counters %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
}
