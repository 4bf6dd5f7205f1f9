package app

import (
	"context"

	"github.com/otvet/otvet/internal/outbox"
	"github.com/otvet/otvet/internal/store"
	"github.com/otvet/otvet/internal/web"
)

// countedSender counts each attempt of a desk's sender in the metrics.
type countedSender struct {
	desk string
	next outbox.Sender
	m    *web.Metrics
}

func (c countedSender) Send(ctx context.Context, from string, to []string, raw []byte) error {
	err := c.next.Send(ctx, from, to, raw)
	c.m.Sent(c.desk, err)
	return err
}

// countSenders wraps every desk's sender so that /metrics counts the
// outbox's sends and failures as they happen.
func countSenders(senders map[string]outbox.Sender, m *web.Metrics) map[string]outbox.Sender {
	out := make(map[string]outbox.Sender, len(senders))
	for d, s := range senders {
		out[d] = countedSender{desk: d, next: s, m: m}
	}
	return out
}

// countGiveUps counts each row given up before handing it on.
func countGiveUps(m *web.Metrics, next func(context.Context, store.Outgoing) error) func(context.Context, store.Outgoing) error {
	return func(ctx context.Context, g store.Outgoing) error {
		m.GaveUp(g.Desk)
		return next(ctx, g)
	}
}
