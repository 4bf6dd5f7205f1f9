package main

import (
	"context"
	"encoding/json"
	"errors"
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
