package helpdesk

// freemail lists public mail providers whose users share a domain without
// sharing an organisation: two unknown senders at mail.ru are strangers.
var freemail = map[string]bool{
	"mail.ru": true, "bk.ru": true, "list.ru": true, "inbox.ru": true, "internet.ru": true,
	"yandex.ru": true, "ya.ru": true, "yandex.com": true, "yandex.by": true, "yandex.kz": true, "narod.ru": true,
	"rambler.ru": true, "lenta.ru": true, "autorambler.ru": true, "ro.ru": true, "myrambler.ru": true,
	"gmail.com": true, "googlemail.com": true, "outlook.com": true, "hotmail.com": true, "live.com": true,
	"msn.com": true, "yahoo.com": true, "icloud.com": true, "me.com": true, "mac.com": true, "aol.com": true,
	"proton.me": true, "protonmail.com": true, "gmx.com": true, "gmx.net": true, "zoho.com": true,
	"mail.com": true, "qip.ru": true, "pochta.ru": true, "hotbox.ru": true, "vk.com": true,
}
