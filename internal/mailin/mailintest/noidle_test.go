package mailintest

import "testing"

func TestHideIdle(t *testing.T) {
	tests := []struct{ in, want string }{
		{"* CAPABILITY IMAP4rev1 IDLE MOVE\r\n", "* CAPABILITY IMAP4rev1 MOVE\r\n"},
		{"* OK [CAPABILITY IMAP4rev1 SASL-IR idle AUTH=PLAIN] Dovecot ready.\r\n", "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] Dovecot ready.\r\n"},
		{"T2 OK [CAPABILITY IMAP4rev1 IDLE] Logged in\r\n", "T2 OK [CAPABILITY IMAP4rev1] Logged in\r\n"},
		{"* CAPABILITY IMAP4rev1 IDLEX\r\n", "* CAPABILITY IMAP4rev1 IDLEX\r\n"},
		{"* 3 FETCH (FLAGS (IDLE))\r\n", "* 3 FETCH (FLAGS (IDLE))\r\n"},
		{"T3 OK IDLE terminated\r\n", "T3 OK IDLE terminated\r\n"},
	}
	for _, tt := range tests {
		if got := string(hideIdle([]byte(tt.in))); got != tt.want {
			t.Errorf("hideIdle(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	out, rest := filterLines([]byte("* CAPABILITY IDLE X\r\n* CAPABILITY ID"), hideIdle)
	if string(out) != "* CAPABILITY X\r\n" || string(rest) != "* CAPABILITY ID" {
		t.Errorf("filterLines = %q, %q", out, rest)
	}
}
