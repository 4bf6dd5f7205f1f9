package mailmsg

import "testing"

func dsn(status, action string, extra ...string) []byte {
	lines := []string{
		"From: MAILER-DAEMON@mx.example", "Return-Path: <>", "Subject: Delivery Status Notification (Delay)",
		"In-Reply-To: <irt@otvet.example>",
		"Content-Type: multipart/report; report-type=delivery-status; boundary=R", "",
		"--R", "Content-Type: text/plain", "", "Delivery delayed.",
		"--R", "Content-Type: message/delivery-status", "",
		"Reporting-MTA: dns; mx.example", "Original-Envelope-Id: env-42@otvet.example", "",
		"Original-Recipient: rfc822; first@x.example", "Final-Recipient: RFC822; <First@X.Example>",
		"Action: " + action, "Status: " + status + " (greylisted)", "",
		"Final-Recipient: rfc822; second@x.example", "Action: delivered", "Status: 2.0.0", "",
	}
	lines = append(lines, extra...)
	return eml(append(lines, "--R--", "")...)
}

func TestDSNVariants(t *testing.T) {
	t.Run("delayed is not permanent; envelope id used", func(t *testing.T) {
		m := mustParse(t, dsn("4.2.0", "Delayed"), Options{})
		b := m.Bounce
		if b == nil {
			t.Fatal("no bounce")
		}
		if b.Permanent || b.OriginalMessageID != "env-42@otvet.example" || len(b.Recipients) != 2 {
			t.Fatalf("bounce = %+v", b)
		}
		r := b.Recipients[0]
		if r.Email != "First@x.example" || r.Action != "delayed" || r.Status != "4.2.0" {
			t.Errorf("recipient = %+v", r)
		}
		if !m.Auto || m.AutoReason != "null sender" {
			t.Errorf("Auto %v %q", m.Auto, m.AutoReason)
		}
	})
	t.Run("failed is permanent; original headers win", func(t *testing.T) {
		m := mustParse(t, dsn("5.7.1", "failed", "--R", "Content-Type: text/rfc822-headers", "", "Message-ID: <orig@otvet.example>", ""), Options{})
		if m.Bounce == nil || !m.Bounce.Permanent || m.Bounce.OriginalMessageID != "orig@otvet.example" {
			t.Fatalf("bounce = %+v", m.Bounce)
		}
	})
}

func TestNonStandardBounce(t *testing.T) {
	t.Run("russian subject with quoted headers", func(t *testing.T) {
		m := mustParse(t, eml("From: postmaster@mail.example", "Subject: =?utf-8?B?0J3QtdC00L7RgdGC0LDQstC70LXQvdC90L7QtSDRgdC+0L7QsdGJ0LXQvdC40LU=?=", "", // Недоставленное сообщение
			"Сообщение не доставлено.", "", "<ghost@x.example>: 550 5.1.1 no such user", "", "Message-Id: <orig-7@otvet.example>", ""), Options{})
		b := m.Bounce
		if b == nil || b.OriginalMessageID != "orig-7@otvet.example" || len(b.Recipients) != 1 || b.Recipients[0].Status != "5.1.1" || !b.Permanent {
			t.Fatalf("bounce = %+v", b)
		}
	})
	t.Run("no original message: not a bounce, still auto", func(t *testing.T) {
		m := mustParse(t, eml("From: MAILER-DAEMON@mx.example", "Subject: Undelivered Mail", "", "sorry"), Options{})
		if m.Bounce != nil || !m.Auto {
			t.Errorf("bounce %+v auto %v", m.Bounce, m.Auto)
		}
	})
	t.Run("ordinary sender quoting a Message-ID is not a bounce", func(t *testing.T) {
		m := mustParse(t, eml("From: user@x.example", "Subject: Undeliverable", "", "Message-ID: <a@b>"), Options{})
		if m.Bounce != nil {
			t.Errorf("bounce %+v", m.Bounce)
		}
	})
}
