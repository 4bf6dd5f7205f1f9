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

// OpenSession keeps the wrapped sender's connection between messages
// (outbox.NewSession), still counting each send.
func (c countedSender) OpenSession() outbox.Session {
	return countedSession{c: c, s: outbox.NewSession(c.next)}
}

type countedSession struct {
	c countedSender
	s outbox.Session
}

func (cs countedSession) Send(ctx context.Context, from string, to []string, raw []byte) error {
	err := cs.s.Send(ctx, from, to, raw)
	cs.c.m.Sent(cs.c.desk, err)
	return err
}

func (cs countedSession) Close() error { return cs.s.Close() }

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
