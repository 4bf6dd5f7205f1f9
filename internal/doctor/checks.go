package doctor

import (
	"context"
	"errors"
	"strings"

	"github.com/otvet/otvet/internal/config"
	"github.com/otvet/otvet/internal/store"
)

// Config turns the outcome of config.Check into a result: every problem on
// one line each after the first.
func Config(path string, c *config.Config, err error) Result {
	if err == nil {
		return okf("%s is valid: %d desk(s), database %s", path, len(c.Desks), c.Database.Driver)
	}
	var p *config.Problems
	if errors.As(err, &p) {
		lines := make([]string, 0, len(p.List))
		for _, e := range p.List {
			lines = append(lines, e.Error())
		}
		return bad(Error, "correct the configuration (otvet config check lists the same problems)",
			"%s has %d problem(s): %s", path, len(lines), strings.Join(lines, "; "))
	}
	return bad(Error, "pass --config FILE or set OTVET_CONFIG", "%v", err)
}

// Database opens the database and checks that its schema is current.
func Database(ctx context.Context, open func(context.Context) (*store.DB, error)) Result {
	db, err := open(ctx)
	if err != nil {
		return bad(Error, "check database.driver, path or dsn, and that the server is running", "cannot open: %v", err)
	}
	defer db.Close()
	if err := db.CheckSchema(ctx); err != nil {
		return bad(Error, "run otvet migrate", "%v", err)
	}
	return okf("reachable, schema up to date")
}

// SMTPChecker opens a session with the relay and closes it without
// sending; *mailout.SMTPSender is one.
type SMTPChecker interface {
	Check(ctx context.Context) error
}

// SMTPConnect connects to the desk's relay: EHLO, TLS and AUTH as configured.
func SMTPConnect(ctx context.Context, c SMTPChecker, addr string) Result {
	if err := c.Check(ctx); err != nil {
		return bad(Error, "check smtp host, port, security, username and password (or password_file) of the desk",
			"%s: %v", addr, err)
	}
	return okf("%s accepts a session (EHLO, TLS and AUTH as configured)", addr)
}
