package app_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/app"
	"github.com/otvet/otvet/internal/backup"
	"github.com/otvet/otvet/internal/outbox"
	"github.com/otvet/otvet/internal/testenv"
)

// TestBackupRestoreLosesAndDoublesNothing: on real Dovecot, three requests are
// taken in, the database backed up, two more taken in, the backup restored and
// the mailbox polled again. Every request is there exactly once, with and
// without a processed folder (with one, restore --rescan-processed moves the
// processed mail back to be read again). Restore refuses while a poller holds
// the mailbox.
func TestBackupRestoreLosesAndDoublesNothing(t *testing.T) {
	env := testenv.Get(t)
	for _, tc := range []struct{ name, extra string }{
		{"inbox only", ""},
		{"processed folder", ", processed_folder: Processed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			support := env.NewMailbox(t, "support")
			dbPath := filepath.Join(t.TempDir(), "otvet.db")
			c := realConfig(t, env, support, fmt.Sprintf("{driver: sqlite, path: %q}", dbPath), tc.extra)
			log := testLogger(t)
			open := func(migrate bool) *app.App {
				a, err := app.New(ctx, c, log, app.Options{Migrate: migrate, Senders: map[string]outbox.Sender{}})
				if err != nil {
					t.Fatal(err)
				}
				return a
			}
			request := func(n int) []byte {
				return fmt.Appendf(nil, "From: client%d@example.test\r\nTo: %s\r\nSubject: request %d\r\n"+
					"Message-ID: <backup-%d-%d@example.test>\r\nDate: %s\r\n\r\nThe printer on floor %d is broken.\r\n",
					n, support, n, n, time.Now().UnixNano(), time.Now().Format(time.RFC1123Z), n)
			}
			poll := func(a *app.App) {
				if _, err := a.PollOnceNoSend(ctx); err != nil {
					t.Fatal(err)
				}
			}

			a := open(true)
			env.Append(t, support, request(1), request(2), request(3))
			poll(a)
			bk := filepath.Join(t.TempDir(), "backup.db")
			if err := backup.Backup(ctx, a.DB, bk); err != nil {
				t.Fatal(err)
			}
			env.Append(t, support, request(4), request(5))
			poll(a)

			// A running poller holds the mailbox: restore refuses.
			release, ok, err := a.DB.MailboxLocker().TryLock(ctx, "sd")
			if err != nil || !ok {
				t.Fatalf("lock: %v %v", ok, err)
			}
			if _, err := app.Restore(ctx, c, bk, log); !errors.Is(err, backup.ErrRunning) {
				t.Fatalf("restore while polled: %v, want ErrRunning", err)
			}
			release()
			a.Close()

			r, err := app.Restore(ctx, c, bk, log)
			if err != nil {
				t.Fatal(err)
			}
			if r.Previous == "" {
				t.Error("the database before the restore was not kept")
			}
			a = open(false)
			defer a.Close()
			if n := len(tickets(t, a)); n != 3 {
				t.Fatalf("the backup holds %d tickets, want 3", n)
			}
			if tc.extra != "" {
				moved, err := a.RescanProcessed(ctx, "", time.Now().AddDate(0, 0, -1))
				if err != nil {
					t.Fatal(err)
				}
				if moved["sd"] != 5 {
					t.Errorf("moved back %d messages, want all 5 of the last day", moved["sd"])
				}
			}
			poll(a)
			poll(a) // a second pass changes nothing
			got := tickets(t, a)
			if len(got) != 5 {
				t.Fatalf("after restore and poll: %d tickets %v, want 5", len(got), got)
			}
			for i := 1; i <= 5; i++ {
				if got[fmt.Sprintf("request %d", i)] != 1 {
					t.Errorf("request %d: %d tickets, want 1 (%v)", i, got[fmt.Sprintf("request %d", i)], got)
				}
			}
			for _, tk := range mustList(t, a) {
				msgs, err := a.DB.Messages(ctx, tk)
				if err != nil {
					t.Fatal(err)
				}
				in := 0
				for _, m := range msgs {
					if m.Direction == "in" {
						in++
					}
				}
				if in != 1 {
					t.Errorf("ticket %d has %d incoming messages, want 1", tk, in)
				}
			}
		})
	}
}

// tickets counts the tickets by subject.
func tickets(t *testing.T, a *app.App) map[string]int {
	t.Helper()
	l, err := a.DB.ListTickets(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]int{}
	for _, tk := range l {
		m[tk.Subject]++
	}
	return m
}

func mustList(t *testing.T, a *app.App) []int64 {
	t.Helper()
	l, err := a.DB.ListTickets(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, tk := range l {
		ids = append(ids, tk.ID)
	}
	return ids
}
