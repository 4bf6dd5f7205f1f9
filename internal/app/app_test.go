package app_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/app"
	"github.com/otvet/otvet/internal/config"
	"github.com/otvet/otvet/internal/outbox"
)

// TestDigestsAreScheduledFromConfig: with a recipient configured, the digest
// scheduler that otvet serve runs queues the digests that are due.
func TestDigestsAreScheduledFromConfig(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "c.yaml")
	body := `database: {driver: sqlite, path: ` + filepath.Join(dir, "o.db") + `}
secret_key: "0123456789abcdef0123456789abcdef"
digests:
  recipients: [{email: manager@kgo66.ru, name: Руководитель}]
desks:
  - name: sd
    support_address: sd@kgo66.ru
    timezone: Asia/Yekaterinburg
    imap: {host: 127.0.0.1, port: 1, security: plain, username: sd, password: x}
    smtp: {host: 127.0.0.1, port: 1, security: none}
`
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(p, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 1, 9, 19, 0, 0, 0, time.UTC) // after closing on the first working day of 2025
	a, err := app.New(context.Background(), c, testLogger(t), app.Options{Migrate: true, Now: func() time.Time { return now },
		Senders: map[string]outbox.Sender{}})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
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
