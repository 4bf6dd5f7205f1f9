package config

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/otvet/otvet/internal/regform"
)

// Registration tunes connection requests and their protocol
// (docs/registration.md).
type Registration struct {
	// KeyChannel is how the access key is handed over («Передача ключа
	// доступа» in the connection protocol) when neither the request's row
	// nor the operator says otherwise. Empty: «защищённый канал связи или
	// лично в руки на материальном носителе» in the desk's language. It
	// must not name an open channel (e-mail, SMS, a messenger…): the
	// protocol's §2 allows a secure channel or in person only.
	KeyChannel string `yaml:"key_channel"`
}

func (c *Config) validateRegistration() []error {
	var errs []error
	kc := strings.TrimSpace(c.Registration.KeyChannel)
	if kc == "" {
		return nil
	}
	if n := utf8.RuneCountInString(kc); n > 200 {
		errs = append(errs, fmt.Errorf("registration.key_channel: %d characters is too long for a cell of the protocol: use at most 200", n))
	}
	if w, open := regform.OpenKeyChannel(kc); open {
		errs = append(errs, fmt.Errorf("registration.key_channel: %q names an open channel (%s); the protocol (§2) hands the key over a secure channel or in person only: e.g. \"защищённый канал связи VipNet\" or \"лично в руки на материальном носителе\" (empty: both)", kc, w))
	}
	return errs
}
