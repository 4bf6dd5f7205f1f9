package mailmsg

import "testing"

func TestSpamHeaders(t *testing.T) {
	for _, c := range []struct {
		name, header string
		rules        []string
		spam         bool
	}{
		{"spamassassin flag", "X-Spam-Flag: YES\r\n", nil, true},
		{"spamassassin status", "X-Spam-Status: Yes, score=9.1 required=5.0\r\n", nil, true},
		{"status no", "X-Spam-Status: No, score=0.1\r\n", nil, false},
		{"no header", "", nil, false},
		{"configured", "X-Yandex-Spam: 4\r\n", []string{"X-Yandex-Spam: 4"}, true},
		{"switched off", "X-Spam-Flag: YES\r\n", []string{}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			raw := "From: a@b.ru\r\nTo: sd@kgo66.ru\r\nSubject: x\r\n" + c.header + "\r\nbody\r\n"
			m, err := Parse([]byte(raw), Options{SpamHeaders: c.rules})
			if err != nil {
				t.Fatal(err)
			}
			if m.Spam != c.spam {
				t.Errorf("spam %v (%q), want %v", m.Spam, m.SpamReason, c.spam)
			}
		})
	}
}
