package digest

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/workcal"
)

// QueueNow (otvet digest --to) puts the digest in the outbox from the
// setup's sending desk in one transaction, and refuses without a desk.
func TestQueueNow(t *testing.T) {
	ctx := context.Background()
	db := openSQLite(t)
	setup := testSetup(t)
	fixture(t, db, setup.Default)
	r, err := NewReporter(db, setup)
	if err != nil {
		t.Fatal(err)
	}
	p, err := testPlan(t, setup).Of(Monthly, workcal.Date{Year: 2024, Month: 12, Day: 15})
	if err != nil {
		t.Fatal(err)
	}
	now := at(t, "2025-01-09 09:00")
	rc := Recipient{Email: "Boss@KGO66.ru", Lang: "ru"}
	d, err := r.Build(ctx, templates(t), p, rc, now)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name    string
		desk    Sender
		wantErr error
	}{
		{"no desk", Sender{}, ErrNoSender},
		{"no sender address", Sender{Name: "sd"}, ErrNoSender},
		{"first desk", Sender{Name: "sd", DisplayName: "Служба поддержки", SupportAddress: "sd@kgo66.ru",
			From: mailout.Address{Name: "Служба поддержки", Email: "noreply@kgo66.ru"}}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := *setup
			s.Desk = c.desk
			o, err := QueueNow(ctx, db, &s, d, rc, now)
			if !errors.Is(err, c.wantErr) {
				t.Fatalf("err %v, want %v", err, c.wantErr)
			}
			if c.wantErr != nil {
				return
			}
			got, err := db.Outgoing(ctx, o.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Kind != "digest" || got.Desk != "sd" || got.EnvelopeFrom != "noreply@kgo66.ru" || got.Recipients != "boss@kgo66.ru" ||
				!strings.Contains(string(got.Raw), "noreply@kgo66.ru") {
				t.Errorf("outbox row %+v", got)
			}
		})
	}
	if out, err := db.ListOutgoing(ctx, 10); err != nil || len(out) != 1 {
		t.Errorf("%d outbox rows (%v), want 1", len(out), err)
	}
}
