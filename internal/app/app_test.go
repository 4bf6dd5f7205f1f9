package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/app"
	"github.com/otvet/otvet/internal/outbox"
	"github.com/otvet/otvet/internal/store"
)

// TestDigestsAreScheduledFromConfig: with a recipient configured, the digest
// scheduler that otvet serve runs queues the digests that are due.
func TestDigestsAreScheduledFromConfig(t *testing.T) {
	c := testConfig(t, t.TempDir(), `digests:
  recipients: [{email: manager@kgo66.ru, name: Руководитель}]`)
	now := time.Date(2025, 1, 9, 19, 0, 0, 0, time.UTC) // after closing on the first working day of 2025
	a, err := app.New(context.Background(), c, testLogger(t), app.Options{Migrate: true, Now: func() time.Time { return now },
		Senders: map[string]outbox.Sender{}})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	// Digests never cover the time before the installation's first request
	// (a first day without empty digests): it took one in on 9 Jan.
	err = a.DB.Tx(context.Background(), func(tx *store.Tx) error {
		return tx.CreateTicket(context.Background(), &store.Ticket{Desk: "sd", Status: store.StatusOpen, Channel: "email",
			Subject: "Принтер", RequesterEmail: "petrov@uszn.kgo66.ru", CreatedAt: now.Add(-8 * time.Hour), UpdatedAt: now.Add(-8 * time.Hour)})
	})
	if err != nil {
		t.Fatal(err)
	}
	ds, err := a.DigestScheduler()
	if err != nil || ds == nil {
		t.Fatalf("scheduler %v %v", ds, err)
	}
	n, err := ds.RunOnce(context.Background())
	if err != nil || n == 0 {
		t.Fatalf("RunOnce queued %d digests, %v", n, err)
	}
	rows, _ := a.DB.ListOutgoing(context.Background(), 10)
	if len(rows) != n || rows[0].Kind != "digest" || rows[0].Recipients != "manager@kgo66.ru" {
		t.Errorf("outbox: %+v", rows)
	}
	if again, _ := ds.RunOnce(context.Background()); again != 0 {
		t.Errorf("digests sent twice: %d", again)
	}
}
