package doctor

import (
	"testing"

	"github.com/otvet/otvet/internal/mailmsg"
)

func TestDecide(t *testing.T) {
	const trusted, marker = "mx.example.ru", "otvet-doctor-0011223344556677"
	forged := mailmsg.AuthResult{AuthServID: trusted, Methods: []mailmsg.AuthMethod{
		{Method: "dkim", Result: "pass", Props: map[string]string{"header.d": "example.ru", "header.s": marker}},
		{Method: "dmarc", Result: "pass", Props: map[string]string{"header.from": "example.ru"}},
	}}
	own := mailmsg.AuthResult{AuthServID: trusted, Methods: []mailmsg.AuthMethod{
		{Method: "dkim", Result: "none"}, {Method: "dmarc", Result: "none", Props: map[string]string{"header.from": "example.ru"}},
	}}
	ownPass := mailmsg.AuthResult{AuthServID: "MX.Example.RU", Methods: []mailmsg.AuthMethod{
		{Method: "dkim", Result: "pass", Props: map[string]string{"header.d": "example.ru", "header.s": "mail"}},
	}}
	other := mailmsg.AuthResult{AuthServID: "relay.example.net", Methods: []mailmsg.AuthMethod{{Method: "spf", Result: "pass"}}}
	renamed := forged
	renamed.AuthServID = "mx.example.ru.untrusted"
	otherMarker := mailmsg.AuthResult{AuthServID: trusted, Methods: []mailmsg.AuthMethod{
		{Method: "dkim", Result: "pass", Props: map[string]string{"header.d": "example.ru", "header.s": "otvet-doctor-ffff"}},
	}}
	tests := []struct {
		name    string
		ars     []mailmsg.AuthResult
		want    Verdict
		warning bool // topmostWarning has something to say
	}{
		{"stripped, none added", nil, Stripped, true},
		{"replaced by the MX's own", []mailmsg.AuthResult{own}, Stripped, false},
		{"replaced by the MX's own pass (case-insensitive id)", []mailmsg.AuthResult{ownPass}, Stripped, false},
		{"kept: the forgery is topmost", []mailmsg.AuthResult{forged}, NotStripped, false},
		{"two headers, the MX's own on top", []mailmsg.AuthResult{own, forged}, Stripped, false},
		{"two headers, the forgery on top", []mailmsg.AuthResult{forged, own}, NotStripped, false},
		{"wrong authserv-id on top, forgery below", []mailmsg.AuthResult{other, forged}, Stripped, true},
		{"wrong authserv-id only", []mailmsg.AuthResult{other}, Stripped, true},
		{"the forgery renamed by the MX", []mailmsg.AuthResult{renamed}, Stripped, true},
		{"an older probe's forgery is not ours", []mailmsg.AuthResult{own, otherMarker}, Stripped, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, msg := Decide(tt.ars, trusted, marker)
			if got != tt.want {
				t.Errorf("Decide = %s (%s), want %s", got, msg, tt.want)
			}
			if msg == "" {
				t.Error("empty message")
			}
			if w := topmostWarning(tt.ars, trusted); (w != "") != tt.warning {
				t.Errorf("topmostWarning = %q, want a warning: %v", w, tt.warning)
			}
		})
	}
}

// The forged header of composeProbe parses back to what Decide looks for.
func TestComposeProbeParses(t *testing.T) {
	p := Probe{Desk: "main", SupportAddress: "sd@example.ru", TrustedAuthServID: "mx.example.ru"}
	id, raw := composeProbe(p, "otvet-doctor-abc", testTime)
	if id != "otvet-doctor-abc@example.ru" {
		t.Errorf("Message-ID = %q", id)
	}
	m, err := mailmsg.Parse(raw, mailmsg.Options{LoopHeader: "X-Otvet-Loop"})
	if err != nil {
		t.Fatal(err)
	}
	if !m.OwnLoop || !m.Auto || m.MessageID != id || m.Subject != "otvet-doctor-abc" {
		t.Errorf("loop %v auto %v id %q subject %q", m.OwnLoop, m.Auto, m.MessageID, m.Subject)
	}
	if v, msg := Decide(m.AuthResults, "mx.example.ru", "otvet-doctor-abc"); v != NotStripped {
		t.Errorf("the probe as sent: %s (%s), want not_stripped", v, msg)
	}
}
