package config

import (
	"strings"
	"testing"
	"time"
)

func TestOutboxSection(t *testing.T) {
	for _, c := range []struct {
		yaml             string
		giveUp, retryMax time.Duration
		senders          int
		problem          string // "" = valid as far as the outbox is concerned
	}{
		{"", 7 * 24 * time.Hour, 5 * time.Minute, 4, ""},
		{"outbox: {give_up_after: 72h, retry_max: 10m}", 72 * time.Hour, 10 * time.Minute, 4, ""},
		// An old file with max_attempts still loads; the key has no effect.
		{"outbox: {max_attempts: 20, retry_max: 2h}", 7 * 24 * time.Hour, 2 * time.Hour, 4, ""},
		{"outbox: {give_up_after: 10m}", 10 * time.Minute, 5 * time.Minute, 4, "outbox.give_up_after"},
		{"outbox: {retry_min: 10m, retry_max: 5m}", 7 * 24 * time.Hour, 5 * time.Minute, 4, "outbox.retry_max"},
		{"outbox: {senders: 1}", 7 * 24 * time.Hour, 5 * time.Minute, 1, ""},
		{"outbox: {senders: 32}", 7 * 24 * time.Hour, 5 * time.Minute, 32, ""},
		{"outbox: {senders: 33}", 7 * 24 * time.Hour, 5 * time.Minute, 33, "outbox.senders"},
		{"outbox: {senders: -1}", 7 * 24 * time.Hour, 5 * time.Minute, -1, "outbox.senders"},
	} {
		t.Run(c.yaml, func(t *testing.T) {
			p := writeFile(t, t.TempDir(), "c.yaml", c.yaml+"\n")
			cfg, err := Load(p, func(string) string { return "" })
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Outbox.GiveUpAfter.D() != c.giveUp || cfg.Outbox.RetryMax.D() != c.retryMax || cfg.Outbox.Senders != c.senders {
				t.Errorf("give_up_after %v, retry_max %v, senders %d; want %v, %v, %d", cfg.Outbox.GiveUpAfter.D(), cfg.Outbox.RetryMax.D(),
					cfg.Outbox.Senders, c.giveUp, c.retryMax, c.senders)
			}
			err = cfg.Validate()
			var got string
			if err != nil {
				for _, f := range []string{"outbox.give_up_after", "outbox.retry_max", "outbox.max_attempts", "outbox.senders"} {
					if strings.Contains(err.Error(), f) {
						got = f
					}
				}
			}
			if got != c.problem {
				t.Errorf("outbox problem %q, want %q (%v)", got, c.problem, err)
			}
		})
	}
}
