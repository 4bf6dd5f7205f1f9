package app

import (
	"bytes"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/config"
	"github.com/otvet/otvet/internal/testenv"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// WatchMX probes only the desks requiring Authentication-Results, in the
// background, and logs an ERROR when the MX (the test Postfix) keeps the
// forged header.
func TestWatchMXLogsAnErrorWhenNotStripped(t *testing.T) {
	e := testenv.Get(t)
	t.Parallel()
	desk := func(name, support string, require bool) config.Desk {
		ih, ip, _ := strings.Cut(e.IMAPAddr, ":")
		sh, sp, _ := strings.Cut(e.SMTPAddr, ":")
		iport, _ := strconv.Atoi(ip)
		sport, _ := strconv.Atoi(sp)
		return config.Desk{Name: name, SupportAddress: support, RequireAuthenticationResults: require,
			TrustedAuthServID: "mail.example.test",
			IMAP: config.IMAP{Host: ih, Port: iport, Security: "plain", Username: support,
				Password: config.Secret(e.Password), Folder: "INBOX"},
			SMTP: config.SMTP{Host: sh, Port: sport, Security: "none"}}
	}
	c := &config.Config{Desks: []config.Desk{
		desk("checked", e.NewMailbox(t, "watch"), true),
		desk("unchecked", e.NewMailbox(t, "nowatch"), false),
	}}
	var logs syncBuffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	WatchMX(t.Context(), c, log)
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(logs.String(), "level=ERROR") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	out := logs.String()
	if !strings.Contains(out, "level=ERROR msg=\"mx probe: the MX does not strip forged Authentication-Results") ||
		!strings.Contains(out, "desk=checked") || strings.Contains(out, "desk=unchecked") {
		t.Errorf("logs:\n%s", out)
	}
}
