package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/demo"
	"github.com/otvet/otvet/internal/store"
)

// quarantineFixture is the demo's database with two quarantined messages.
func quarantineFixture(t *testing.T) (cfg string, ids []int64) {
	t.Helper()
	res, err := demo.Run(context.Background(), demo.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{Dialect: store.SQLite, Path: res.DBPath})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Tx(ctx, func(tx *store.Tx) error {
		for i, subj := range []string{"Не печатает принтер", "=?utf-8?B?0KHQutCw0L3QtdGA?="} {
			raw := "From: Петров <petrov@uszn.kgo66.ru>\r\nTo: sd@kgo66.ru\r\nSubject: " + subj +
				"\r\nMessage-ID: <q" + strconv.Itoa(i) + "@uszn>\r\n\r\nПринтер в кабинете 12 не печатает.\r\n"
			sum := sha256.Sum256([]byte(raw))
			r := &store.RawMessage{Desk: "sd", UIDValidity: 1, UID: uint32(900 + i), MessageID: "q" + strconv.Itoa(i) + "@uszn",
				SHA256: hex.EncodeToString(sum[:]), Size: int64(len(raw)), Disposition: store.DispQuarantine,
				Note: "processing this message stopped the service (attempt 2)", Data: []byte(raw), ReceivedAt: time.Now()}
			if _, _, err := tx.InsertRaw(ctx, r); err != nil {
				return err
			}
			ids = append(ids, r.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return res.ConfigPath, ids
}

func TestQuarantineCommands(t *testing.T) {
	cfg, ids := quarantineFixture(t)
	id0, id1 := strconv.FormatInt(ids[0], 10), strconv.FormatInt(ids[1], 10)

	var rows []quarantineJSON
	if err := json.Unmarshal([]byte(must(t, "quarantine", "list", "--json", "--config", cfg)), &rows); err != nil || len(rows) != 2 {
		t.Fatalf("list --json: %v, %d rows", err, len(rows))
	}
	if r := rows[1]; r.ID != ids[1] || r.Desk != "sd" || r.UID != 901 || r.Subject != "Сканер" ||
		r.From != "Петров <petrov@uszn.kgo66.ru>" || !strings.Contains(r.Reason, "stopped the service") {
		t.Errorf("row %+v", r)
	}
	if out := must(t, "quarantine", "list", "--config", cfg); !strings.Contains(out, "Не печатает принтер") || !strings.Contains(out, "SUBJECT") {
		t.Errorf("list:\n%s", out)
	}
	out := must(t, "quarantine", "show", id0, "--config", cfg)
	for _, want := range []string{"Reason:   processing this message stopped the service (attempt 2)", "Message-ID: <q0@uszn>", "Size:"} {
		if !strings.Contains(out, want) {
			t.Errorf("show lacks %q:\n%s", want, out)
		}
	}
	var one quarantineJSON
	if err := json.Unmarshal([]byte(must(t, "quarantine", "show", "--json", id1, "--config", cfg)), &one); err != nil ||
		one.Disposition != store.DispQuarantine || !strings.HasPrefix(one.Header, "From: ") {
		t.Errorf("show --json: %v %+v", err, one)
	}

	// retry makes the ticket once; a second retry says it is done.
	if out := must(t, "quarantine", "retry", id0, "--config", cfg); !strings.Contains(out, "ticket #") {
		t.Errorf("retry: %s", out)
	}
	if out := must(t, "quarantine", "retry", id0, "--config", cfg); !strings.Contains(out, "already processed") {
		t.Errorf("second retry: %s", out)
	}
	// release drops the other one, once.
	if out := must(t, "quarantine", "release", id1, "--config", cfg); !strings.Contains(out, "released") {
		t.Errorf("release: %s", out)
	}
	if out := must(t, "quarantine", "release", id1, "--config", cfg); !strings.Contains(out, "not in quarantine") {
		t.Errorf("second release: %s", out)
	}
	if out := must(t, "quarantine", "list", "--config", cfg); !strings.Contains(out, "quarantine is empty") {
		t.Errorf("list after: %s", out)
	}
	if out := must(t, "audit", "--json", "--config", cfg); !strings.Contains(out, "quarantine_released") {
		t.Errorf("no audit event for the release:\n%s", out)
	}

	if _, _, err := otvet(t, "quarantine", "show", "99999", "--config", cfg); err == nil || !strings.Contains(err.Error(), "no stored message") {
		t.Errorf("show of a missing message: %v", err)
	}
	for _, args := range [][]string{
		{"quarantine", "show"},
		{"quarantine", "show", "x"},
		{"quarantine", "show", "1", "2"},
		{"quarantine", "retry", "-3"},
		{"quarantine", "release"},
		{"quarantine", "list", "extra"},
		{"quarantine", "purge", "1"},
	} {
		_, _, err := otvet(t, append(args, "--config", cfg)...)
		var ue usageError
		if !errors.As(err, &ue) {
			t.Errorf("%v: err = %v, want a usage error (exit status 2)", args, err)
		}
	}
}

// quarantine list and show print the time received in the desk's zone (the
// demo's desk is in Asia/Yekaterinburg, +05), or in --tz; JSON in UTC.
func TestQuarantineTimesAreLocal(t *testing.T) {
	cfg, ids := quarantineFixture(t)
	id := strconv.FormatInt(ids[0], 10)
	var rows []quarantineJSON
	if err := json.Unmarshal([]byte(must(t, "quarantine", "list", "--json", "--config", cfg)), &rows); err != nil || len(rows) != 2 {
		t.Fatalf("list --json: %v", err)
	}
	at, err := time.Parse(time.RFC3339, rows[0].ReceivedAt)
	if err != nil || !strings.HasSuffix(rows[0].ReceivedAt, "Z") {
		t.Fatalf("received_at %q: %v", rows[0].ReceivedAt, err)
	}
	yekt := at.In(time.FixedZone("+05", 5*3600)).Format("2006-01-02 15:04") + " +05"
	msk := at.In(time.FixedZone("MSK", 3*3600)).Format("2006-01-02 15:04") + " MSK"
	if out := must(t, "quarantine", "list", "--config", cfg); !strings.Contains(out, yekt) {
		t.Errorf("list does not print %s:\n%s", yekt, out)
	}
	if out := must(t, "quarantine", "show", id, "--config", cfg); !strings.Contains(out, "Received: "+yekt) {
		t.Errorf("show does not print %s:\n%s", yekt, out)
	}
	if out := must(t, "quarantine", "list", "--tz", "Europe/Moscow", "--config", cfg); !strings.Contains(out, msk) {
		t.Errorf("list --tz Europe/Moscow does not print %s:\n%s", msk, out)
	}
	if out := must(t, "quarantine", "show", id, "--tz", "Europe/Moscow", "--config", cfg); !strings.Contains(out, "Received: "+msk) {
		t.Errorf("show --tz does not print %s:\n%s", msk, out)
	}
	var ue usageError
	if _, _, err := otvet(t, "quarantine", "list", "--tz", "Mars/Olympus", "--config", cfg); !errors.As(err, &ue) {
		t.Errorf("a bad --tz: %v, want a usage error", err)
	}
}
