package regform

import "strings"

// openChannels are words naming an open channel, folded (lower case, ё as
// е): the access key is never handed over by one of them.
var openChannels = []string{"почт", "e-mail", "email", "mail", "смс", "sms", "телефон", "звонк", "мессенджер",
	"telegram", "телеграм", "whatsapp", "ватсап", "viber", "вайбер", "факс", "fax"}

// OpenKeyChannel reports whether text, a way of handing over the access key
// (the protocol's «Передача ключа доступа»), names an open channel — e-mail,
// SMS, the phone, a messenger, fax — and which word said so. The protocol's
// §2 allows a secure channel or handing it over in person only, so such a
// channel contradicts the protocol itself.
func OpenKeyChannel(text string) (word string, open bool) {
	f := strings.ReplaceAll(strings.ToLower(text), "ё", "е") + " "
	for _, w := range openChannels {
		if strings.Contains(f, w) {
			return strings.TrimSpace(w), true
		}
	}
	return "", false
}
