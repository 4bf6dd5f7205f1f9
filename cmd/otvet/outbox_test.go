package main

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/store"
)

func TestOutboxList(t *testing.T) {
	cfg, dbPath := staffCLIConfig(t)
	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{Dialect: store.SQLite, Path: dbPath})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	var ids []int64
	err = db.Tx(ctx, func(tx *store.Tx) error {
		for _, to := range []string{"ok@kgo66.ru", "failing@kgo66.ru"} {
			o := &store.Outgoing{Desk: "east", Kind: "ack", MessageID: "<" + to + ">", EnvelopeFrom: "sd@kgo66.ru",
				Recipients: to, RcptKey: to, Subject: "s", Raw: []byte("x"), NextAttemptAt: now, CreatedAt: now}
			if err := tx.InsertOutgoing(ctx, o); err != nil {
				return err
			}
			ids = append(ids, o.ID)
		}
		return nil
	})
	if err == nil {
		err = db.MarkAttemptFailed(ctx, ids[1], "451 try later", false)
	}
	db.Close()
	if err != nil {
		t.Fatal(err)
	}

	out := must(t, "outbox", "list", "--json", "--config", cfg)
	var rows []map[string]any
	if err := json.Unmarshal([]byte(out), &rows); err != nil || len(rows) != 2 {
		t.Fatalf("outbox list --json: %v\n%s", err, out)
	}
	for _, r := range rows {
		want := ""
		if r["to"] == "failing@kgo66.ru" {
			want = "451 try later"
		}
		if got, ok := r["last_error"]; !ok || got != want {
			t.Errorf("%v: last_error = %v (present %v), want %q", r["to"], got, ok, want)
		}
		for _, k := range []string{"id", "kind", "to", "state", "attempts", "next_attempt_at", "created_at"} {
			if _, ok := r[k]; !ok {
				t.Errorf("row lacks %q", k)
			}
		}
	}

	for _, args := range [][]string{
		{"outbox", "list", "extra"},
		{"outbox", "list", "--json", "extra", "--config", cfg},
		{"outbox", "list", "--limit", "0"},
		{"outbox", "show"},
	} {
		_, _, err := otvet(t, append(args, "--config", cfg)...)
		var ue usageError
		if !errors.As(err, &ue) {
			t.Errorf("%v: err = %v, want a usage error (exit status 2)", args, err)
		}
	}
	_, _, err = otvet(t, "outbox", "list", "extra", "--config", cfg)
	if err == nil || !strings.Contains(err.Error(), `unexpected argument "extra"`) {
		t.Errorf("err = %v", err)
	}
}

func TestOutboxRetry(t *testing.T) {
	cfg, dbPath := staffCLIConfig(t)
	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{Dialect: store.SQLite, Path: dbPath})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	ids := map[string]int64{}
	err = db.Tx(ctx, func(tx *store.Tx) error {
		for _, to := range []string{"sent@kgo66.ru", "rejected@kgo66.ru", "old@kgo66.ru"} {
			o := &store.Outgoing{Desk: "east", Kind: "ack", MessageID: "<" + to + ">", EnvelopeFrom: "sd@kgo66.ru",
				Recipients: to, RcptKey: to, Subject: "s", Raw: []byte("x"), NextAttemptAt: now, CreatedAt: now}
			if err := tx.InsertOutgoing(ctx, o); err != nil {
				return err
			}
			ids[to] = o.ID
		}
		return nil
	})
	for _, step := range []func() error{
		func() error { return err },
		func() error { return db.MarkSent(ctx, ids["sent@kgo66.ru"], now) },
		func() error { return db.MarkAttemptFailed(ctx, ids["rejected@kgo66.ru"], "550 no such user", true) },
		func() error {
			return db.MarkAttemptFailed(ctx, ids["old@kgo66.ru"], "giving up: connection refused", true)
		},
	} {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	id := func(to string) string { return strconv.FormatInt(ids[to], 10) }

	out := must(t, "outbox", "retry", id("rejected@kgo66.ru"), "--config", cfg)
	if !strings.Contains(out, "requeued outbox #"+id("rejected@kgo66.ru")+" to rejected@kgo66.ru") {
		t.Errorf("retry ID: %q", out)
	}
	out = must(t, "outbox", "retry", "--failed", "--config", cfg)
	if !strings.Contains(out, "requeued 1 failed message") {
		t.Errorf("retry --failed: %q", out)
	}
	out = must(t, "outbox", "list", "--json", "--config", cfg)
	var rows []outboxJSON
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		want := "pending"
		if r.To == "sent@kgo66.ru" {
			want = "sent"
		}
		if r.State != want {
			t.Errorf("%s: %s, want %s", r.To, r.State, want)
		}
	}

	// A sent message is never sent again; an unknown row is an error, not a usage error.
	for _, c := range []struct{ id, want string }{
		{id("sent@kgo66.ru"), "already sent"},
		{"999", "no outbox row #999"},
	} {
		_, _, err := otvet(t, "outbox", "retry", c.id, "--config", cfg)
		var ue usageError
		if err == nil || errors.As(err, &ue) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("retry %s: err = %v, want %q (exit status 1)", c.id, err, c.want)
		}
	}
	for _, args := range [][]string{
		{"outbox", "retry"},
		{"outbox", "retry", "abc"},
		{"outbox", "retry", "0"},
		{"outbox", "retry", "1", "--failed"},
		{"outbox", "retry", "1", "2"},
		{"outbox", "retry", "--bogus"},
	} {
		_, _, err := otvet(t, append(args, "--config", cfg)...)
		var ue usageError
		if !errors.As(err, &ue) {
			t.Errorf("%v: err = %v, want a usage error (exit status 2)", args, err)
		}
	}
}
