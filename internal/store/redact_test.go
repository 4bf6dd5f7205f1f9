package store

import (
	"errors"
	"strings"
	"testing"
)

func TestRedactDSN(t *testing.T) {
	for _, c := range []struct{ dsn, msg, secret string }{
		{"postgres://otvet:Hunter2Pass@127.0.0.1/otvet", "connect: password authentication failed (Hunter2Pass)", "Hunter2Pass"},
		{"host=127.0.0.1 user=otvet password = Hunter2Pass sslmode=bogus", "cannot parse `host=127.0.0.1 user=otvet password = Hunter2Pass sslmode=bogus`: invalid sslmode", "Hunter2Pass"},
		{"host=127.0.0.1 password='Hunter2 Pass", "cannot parse `host=127.0.0.1 password=xxxxx Pass`: unterminated quoted string", "Pass"},
		{"host=127.0.0.1 password='Hunter2 Pass'", "failed: password='Hunter2 Pass'", "Hunter2"},
		{"host=127.0.0.1 PASSWORD=s3cr3t", "dial: s3cr3t", "s3cr3t"},
	} {
		got := redactDSN(errors.New(c.msg), c.dsn).Error()
		if strings.Contains(got, c.secret) {
			t.Errorf("%q: %q still shows the password", c.dsn, got)
		}
	}
	if err := redactDSN(errors.New("connection refused"), "host=127.0.0.1 password=x"); err.Error() != "connection refused" {
		t.Errorf("an error without the password changed: %v", err)
	}
}
