package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/store"
	"github.com/otvet/otvet/internal/testenv"
)

// engines runs a test on SQLite and, when the real servers are up, on PostgreSQL.
func engines(t *testing.T, f func(t *testing.T, db *store.DB)) {
	t.Run("sqlite", func(t *testing.T) {
		f(t, OpenSQLite(t))
	})
	t.Run("postgres", func(t *testing.T) {
		f(t, OpenPostgres(t))
	})
}

func OpenSQLite(t *testing.T) *store.DB {
	t.Helper()
	return open(t, store.Options{Dialect: store.SQLite, Path: filepath.Join(t.TempDir(), "otvet.db")})
}

func OpenPostgres(t *testing.T) *store.DB {
	t.Helper()
	env := testenv.Get(t)
	return open(t, store.Options{Dialect: store.Postgres, DSN: env.NewPostgresDB(t)})
}

func open(t *testing.T, o store.Options) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.CheckSchema(ctx); err == nil {
		t.Fatal("CheckSchema accepted an empty database")
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.CheckSchema(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

var t0 = time.Date(2024, 12, 27, 5, 0, 0, 0, time.UTC)

func TestCursorOnlyMovesForward(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		set := func(c store.Cursor) {
			if err := db.Tx(ctx, func(tx *store.Tx) error { return tx.SetCursor(ctx, "sd", c, t0) }); err != nil {
				t.Fatal(err)
			}
		}
		get := func() store.Cursor {
			c, err := db.Cursor(ctx, "sd")
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		if c := get(); c != (store.Cursor{}) {
			t.Fatalf("new cursor = %+v", c)
		}
		set(store.Cursor{UIDValidity: 7, LastUID: 10})
		set(store.Cursor{UIDValidity: 7, LastUID: 5})
		if c := get(); c.LastUID != 10 {
			t.Errorf("cursor moved back: %+v", c)
		}
		set(store.Cursor{UIDValidity: 8, LastUID: 0})
		if c := get(); c != (store.Cursor{UIDValidity: 8}) {
			t.Errorf("UIDVALIDITY change not stored: %+v", c)
		}
	})
}

func TestRawDeduplication(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		insert := func(sha, msgid, desk string) bool {
			var dup bool
			err := db.Tx(ctx, func(tx *store.Tx) error {
				var err error
				_, dup, err = tx.InsertRaw(ctx, &store.RawMessage{
					Desk: desk, SHA256: sha, MessageID: msgid, Size: 3, Disposition: "pending", Data: []byte("abc"), ReceivedAt: t0,
				})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return dup
		}
		cases := []struct {
			name, sha, msgid, desk string
			dup                    bool
		}{
			{"first", "h1", "a@x", "sd", false},
			{"same bytes", "h1", "other@x", "sd", true},
			{"same message-id, other bytes: RawsByMessageID decides", "h2", "a@x", "sd", false},
			{"same message-id other desk", "h3", "a@x", "other", false},
			{"no message-id", "h4", "", "sd", false},
			{"no message-id again, other bytes", "h5", "", "sd", false},
		}
		for _, c := range cases {
			if got := insert(c.sha, c.msgid, c.desk); got != c.dup {
				t.Errorf("%s: dup = %v, want %v", c.name, got, c.dup)
			}
		}
	})
}

func TestTicketsAndThreading(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var id int64
		err := db.Tx(ctx, func(tx *store.Tx) error {
			tk := &store.Ticket{Desk: "sd", Status: store.StatusOpen, Channel: "email", Subject: "Принтер",
				RequesterEmail: "petrov@uszn.ru", CreatedAt: t0, UpdatedAt: t0,
				FirstResponseDue: sql.NullTime{Time: t0.Add(4 * time.Hour), Valid: true}}
			if err := tx.CreateTicket(ctx, tk); err != nil {
				return err
			}
			id = tk.ID
			p1, err := tx.AddParticipant(ctx, id, "Petrov@USZN.ru", "Петров", "requester", t0)
			if err != nil {
				return err
			}
			p2, err := tx.AddParticipant(ctx, id, "petrov@uszn.ru", "", "cc", t0)
			if err != nil {
				return err
			}
			if p1.ID != p2.ID || p2.Role != "requester" {
				t.Errorf("participant duplicated: %+v %+v", p1, p2)
			}
			if err := tx.InsertMessage(ctx, &store.Message{TicketID: id, Direction: store.DirIn, MessageID: "m1@x", CreatedAt: t0}); err != nil {
				return err
			}
			return tx.InsertOutgoing(ctx, &store.Outgoing{Desk: "sd", TicketID: sql.NullInt64{Int64: id, Valid: true}, Kind: "ack",
				MessageID: "ack1@otvet", EnvelopeFrom: "sd@x", Recipients: "petrov@uszn.ru", RcptKey: "petrov@uszn.ru",
				Auto: true, Raw: []byte("x"), NextAttemptAt: t0, CreatedAt: t0})
		})
		if err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name string
			desk string
			refs []string
			want int64
		}{
			{"stored message", "sd", []string{"zzz@y", "m1@x"}, id},
			{"sent message", "sd", []string{"ack1@otvet"}, id},
			{"unknown", "sd", []string{"nope@x"}, 0},
			{"other desk", "other", []string{"m1@x"}, 0},
			{"none", "sd", nil, 0},
		}
		for _, c := range cases {
			var got int64
			err := db.Tx(ctx, func(tx *store.Tx) error {
				var err error
				got, err = tx.TicketByMessageIDs(ctx, c.desk, c.refs)
				return err
			})
			if err != nil || got != c.want {
				t.Errorf("%s: ticket %d, %v; want %d", c.name, got, err, c.want)
			}
		}
		tk, err := db.Ticket(ctx, id)
		if err != nil || tk.Subject != "Принтер" || !tk.FirstResponseDue.Time.Equal(t0.Add(4*time.Hour)) || !tk.CreatedAt.Equal(t0) {
			t.Errorf("ticket round trip: %+v %v", tk, err)
		}
	})
}

func queue(t *testing.T, db *store.DB, n int) {
	t.Helper()
	ctx := context.Background()
	err := db.Tx(ctx, func(tx *store.Tx) error {
		for i := 0; i < n; i++ {
			if err := tx.InsertOutgoing(ctx, &store.Outgoing{Desk: "sd", Kind: "ack", MessageID: fmt.Sprintf("m%d@x", i),
				EnvelopeFrom: "sd@x", Recipients: "u@x", RcptKey: "u@x", Auto: true, Raw: []byte("x"),
				NextAttemptAt: t0, CreatedAt: t0}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestOutboxClaimWritesNextAttemptFirst(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		queue(t, db, 3)
		backoff := func(n int) time.Duration { return time.Duration(n) * time.Minute }
		rows, err := db.ClaimOutgoing(ctx, t0, 10, backoff)
		if err != nil || len(rows) != 3 {
			t.Fatalf("claimed %d, %v", len(rows), err)
		}
		// Nothing is due again until the written next attempt, even without any result recorded (a crash).
		again, err := db.ClaimOutgoing(ctx, t0.Add(30*time.Second), 10, backoff)
		if err != nil || len(again) != 0 {
			t.Fatalf("claimed again %d, %v", len(again), err)
		}
		if err := db.MarkSent(ctx, rows[0].ID, t0); err != nil {
			t.Fatal(err)
		}
		if err := db.MarkAttemptFailed(ctx, rows[1].ID, "550 no such user", true); err != nil {
			t.Fatal(err)
		}
		if err := db.MarkAttemptFailed(ctx, rows[2].ID, "451 try later", false); err != nil {
			t.Fatal(err)
		}
		later, err := db.ClaimOutgoing(ctx, t0.Add(time.Minute), 10, backoff)
		if err != nil || len(later) != 1 || later[0].ID != rows[2].ID || later[0].Attempts != 2 {
			t.Fatalf("retry claim = %+v, %v", later, err)
		}
		o, _ := db.Outgoing(ctx, rows[1].ID)
		if o.State != store.OutFailed || o.LastError != "550 no such user" {
			t.Errorf("failed row: %+v", o)
		}
	})
}

func TestPostgresClaimsAreDisjoint(t *testing.T) {
	db := OpenPostgres(t)
	ctx := context.Background()
	queue(t, db, 200)
	var mu sync.Mutex
	seen := map[int64]int{}
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				rows, err := db.ClaimOutgoing(ctx, t0, 7, func(int) time.Duration { return time.Hour })
				if err != nil {
					t.Error(err)
					return
				}
				if len(rows) == 0 {
					return
				}
				mu.Lock()
				for _, r := range rows {
					seen[r.ID]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(seen) != 200 {
		t.Errorf("claimed %d distinct rows, want 200", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("row %d claimed %d times", id, n)
		}
	}
}

func TestMailboxLock(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		testMailboxLock(t, db)
	})
}

func testMailboxLock(t *testing.T, db *store.DB) {
	ctx := context.Background()
	l := db.MailboxLocker()
	release, ok, err := l.TryLock(ctx, "sd")
	if err != nil || !ok {
		t.Fatalf("first lock: %v %v", ok, err)
	}
	if _, ok, err := l.TryLock(ctx, "sd"); err != nil || ok {
		t.Fatalf("second lock taken: %v %v", ok, err)
	}
	if r, ok, err := l.TryLock(ctx, "other"); err != nil || !ok {
		t.Fatalf("other mailbox: %v %v", ok, err)
	} else {
		r()
	}
	release()
	if r, ok, err := l.TryLock(ctx, "sd"); err != nil || !ok {
		t.Fatalf("lock after release: %v %v", ok, err)
	} else {
		r()
	}
}

// A PostgreSQL advisory lock dies with its connection: Held notices, so the
// poller stops before another instance takes the mailbox over.
func TestMailboxLockLostWithItsConnection(t *testing.T) {
	db := OpenPostgres(t)
	ctx := context.Background()
	l := db.MailboxLocker()
	release, ok, err := l.TryLock(ctx, "sd")
	if err != nil || !ok {
		t.Fatalf("lock: %v %v", ok, err)
	}
	defer release()
	if err := l.Held(ctx, "sd"); err != nil {
		t.Fatalf("Held right after locking: %v", err)
	}
	var n int
	err = db.Tx(ctx, func(tx *store.Tx) error {
		return tx.QueryRowForTest(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_locks
			WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
			AND pid <> pg_backend_pid()`).Scan(&n)
	})
	if err != nil || n != 1 {
		t.Fatalf("terminated %d backends: %v", n, err)
	}
	if err := l.Held(ctx, "sd"); err == nil {
		t.Fatal("Held after the lock's connection was terminated")
	}
	if r, ok, err := l.TryLock(ctx, "sd"); err != nil || !ok {
		t.Fatalf("the lock is free again: %v %v", ok, err)
	} else {
		r()
	}
	if err := l.Held(ctx, "other"); err == nil {
		t.Error("Held for a mailbox never locked")
	}
}

// Instants written with any offset compare correctly: the store keeps UTC.
func TestInstantsAreStoredInUTC(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		msk := time.FixedZone("MSK", 3*3600)
		start := time.Date(2024, 12, 27, 9, 0, 0, 0, msk) // 06:00 UTC
		err := db.Tx(ctx, func(tx *store.Tx) error {
			return tx.AddMaintenance(ctx, &store.MaintenanceWindow{System: "МИС", StartsAt: start, EndsAt: start.Add(2 * time.Hour),
				CreatedAt: start, CreatedBy: "test"})
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			at   time.Time
			want int
		}{
			{start.Add(-time.Minute).UTC(), 0},
			{start.Add(time.Minute).UTC(), 1},
			{start.Add(time.Minute).In(time.FixedZone("+08", 8*3600)), 1},
			{start.Add(2 * time.Hour).UTC(), 0},
		} {
			var n int
			err := db.Tx(ctx, func(tx *store.Tx) error {
				ws, err := tx.MaintenanceAt(ctx, c.at)
				n = len(ws)
				return err
			})
			if err != nil || n != c.want {
				t.Errorf("at %v: %d windows, %v; want %d", c.at, n, err, c.want)
			}
		}
	})
}

func TestPurgeAfterRetention(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var attID, rawID int64
		err := db.Tx(ctx, func(tx *store.Tx) error {
			tk := &store.Ticket{Desk: "sd", Status: store.StatusOpen, Channel: "email", Subject: "old", RequesterEmail: "u@x.ru", CreatedAt: t0, UpdatedAt: t0}
			if err := tx.CreateTicket(ctx, tk); err != nil {
				return err
			}
			id, _, err := tx.InsertRaw(ctx, &store.RawMessage{Desk: "sd", SHA256: "p1", Size: 3, Disposition: "ticket", Data: []byte("raw"), ReceivedAt: t0})
			if err != nil {
				return err
			}
			rawID = id
			if err := tx.SetRawDisposition(ctx, id, store.DispTicket, "", tk.ID); err != nil {
				return err
			}
			m := &store.Message{TicketID: tk.ID, Direction: store.DirIn, BodyText: "text stays", CreatedAt: t0}
			if err := tx.InsertMessage(ctx, m); err != nil {
				return err
			}
			a := &store.Attachment{MessageID: m.ID, Filename: "scan.pdf", Size: 4, Data: []byte("file")}
			if err := tx.InsertAttachment(ctx, a); err != nil {
				return err
			}
			attID = a.ID
			return tx.UpdateTicketState(ctx, tk.ID, store.StatusClosed, "", sql.NullTime{}, t0)
		})
		if err != nil {
			t.Fatal(err)
		}
		purge := func(before time.Time) int64 {
			var n int64
			if err := db.Tx(ctx, func(tx *store.Tx) error {
				var err error
				n, err = tx.PurgeBefore(ctx, before)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := purge(t0.Add(-time.Hour)); n != 0 {
			t.Fatalf("purged %d rows of a ticket closed after the limit", n)
		}
		if n := purge(t0.Add(time.Hour)); n != 2 {
			t.Fatalf("purged %d rows, want the raw message and the file", n)
		}
		atts, _ := db.Attachments(ctx, 1)
		for _, as := range atts {
			for _, a := range as {
				if a.ID == attID && a.Filename != "scan.pdf" {
					t.Errorf("attachment metadata lost: %+v", a)
				}
			}
		}
		ms, _ := db.Messages(ctx, 1)
		if len(ms) != 1 || ms[0].BodyText != "text stays" {
			t.Errorf("ticket text lost: %+v", ms)
		}
		_ = rawID
	})
}
