package testenv

import (
	"context"
	"net/url"
	"testing"

	"github.com/jackc/pgx/v5"
)

// NewPostgresDB creates an empty database otvet_test_<random> owned by the test role and
// returns its DSN. The database is dropped when the test ends, even with connections still
// open (DROP DATABASE ... WITH (FORCE) terminates them first).
func (e *Env) NewPostgresDB(t testing.TB) string {
	t.Helper()
	name := "otvet_test_" + randomHex(6)
	if err := e.pgExec(t.Context(), "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("testenv: create database %s: %v%s", name, err, e.logHint())
	}
	t.Cleanup(func() {
		// t.Context() is already cancelled when cleanups run.
		ctx, cancel := context.WithTimeout(context.Background(), ioTimeout)
		defer cancel()
		if err := e.pgExec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Errorf("testenv: drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(e.PGDSN)
	if err != nil {
		t.Fatalf("testenv: OTVET_TEST_PG_DSN: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

// pgExec runs one statement on the maintenance database.
func (e *Env) pgExec(ctx context.Context, sql string) error {
	ctx, cancel := context.WithTimeout(ctx, ioTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, e.PGDSN)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, sql)
	return err
}
