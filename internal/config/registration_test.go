package config

import (
	"strings"
	"testing"
)

// TestRegistrationKeyChannel: registration.key_channel may be empty or a
// secure way; an open channel contradicts the protocol's §2 and is refused.
func TestRegistrationKeyChannel(t *testing.T) {
	for _, c := range []struct {
		yaml string
		bad  bool
	}{
		{"", false},
		{"registration: {key_channel: \"\"}", false},
		{"registration: {key_channel: защищённый канал связи VipNet}", false},
		{"registration: {key_channel: лично в руки на материальном носителе}", false},
		{"registration: {key_channel: электронная почта}", true},
		{"registration: {key_channel: e-mail}", true},
		{"registration: {key_channel: " + strings.Repeat("лично ", 40) + "}", true},
	} {
		t.Run(c.yaml, func(t *testing.T) {
			p := writeFile(t, t.TempDir(), "c.yaml", c.yaml+"\n")
			cfg, err := Load(p, func(string) string { return "" })
			if err != nil {
				t.Fatal(err)
			}
			err = cfg.Validate()
			got := err != nil && strings.Contains(err.Error(), "registration.key_channel")
			if got != c.bad {
				t.Errorf("error %v, want one naming registration.key_channel: %v", err, c.bad)
			}
		})
	}
}
