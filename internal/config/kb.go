package config

import (
	"fmt"
	"os"
	"time"
)

// validateKB checks the knowledge base, canned answers and announcement pacing.
func (c *Config) validateKB() []error {
	var errs []error
	dir := func(field, d string) {
		if d == "" {
			return
		}
		if fi, err := os.Stat(d); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", field, err))
		} else if !fi.IsDir() {
			errs = append(errs, fmt.Errorf("%s: %s is not a directory", field, d))
		}
	}
	dir("kb.dir", c.KB.Dir)
	dir("replies.dir", c.Replies.Dir)
	if c.KB.Threshold < 0 {
		errs = append(errs, fmt.Errorf("kb.threshold: must not be negative"))
	}
	if iv := c.Outbox.AnnounceInterval.D(); iv < 0 || iv > time.Hour {
		errs = append(errs, fmt.Errorf("outbox.announce_interval: must be between 0 and 1h, not %s", iv))
	}
	return errs
}
