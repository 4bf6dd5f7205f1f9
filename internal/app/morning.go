package app

import (
	"github.com/otvet/otvet/internal/digest"
	"github.com/otvet/otvet/internal/mailout"
)

// MorningMail builds the agents' morning mail (docs/digest.md#morning-mail)
// from the first desk: its calendar and zone, language, address and the
// console's links; nil when no desk is configured. otvet serve runs it.
func (a *App) MorningMail() (*digest.Morning, error) {
	d, ok := a.Settings.Desk("")
	if !ok {
		return nil, nil
	}
	cal := a.Settings.Calendars[d.Name]
	if cal == nil {
		cal = a.Settings.Default
	}
	from := d.From
	if from.Email == "" {
		from = mailout.Address{Name: d.DisplayName, Email: d.SupportAddress}
	}
	base := ""
	if h := a.Config.HTTP; h.Listen != "" {
		if base = h.BaseURL; base == "" {
			base = "http://" + h.Listen
		}
	}
	var signer digest.AddressSigner
	if a.signer != nil {
		signer = a.signer
	}
	return digest.NewMorning(digest.MorningOptions{
		DB: a.DB, Calendar: cal, Templates: a.tmpl, Lang: d.Language, Desk: d.Name, From: from,
		DeskName: d.DisplayName, SupportAddress: d.SupportAddress, Signer: signer, BaseURL: base,
		Queued: a.Outbox.Wake, Now: a.now, Logger: a.log.With("component", "morning"),
	})
}
