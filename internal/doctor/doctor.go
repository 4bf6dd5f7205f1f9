// Package doctor checks an installation from the outside: the
// configuration, the database, the production calendar's years, the DNS of
// each desk's support domain, each desk's IMAP and SMTP accounts, and
// whether the MX strips forged Authentication-Results headers before staff
// mail is trusted on their word (otvet doctor, and otvet serve at start).
package doctor

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
)

// Status is the outcome of one check.
type Status string

// The statuses, from best to worst.
const (
	OK      Status = "ok"
	Warning Status = "warning"
	Error   Status = "error"
)

// Result is what one check found.
type Result struct {
	Check   string `json:"check"`          // "config", "database", "calendar", "dns", "imap", "smtp", "mx_strips_auth_results"
	Desk    string `json:"desk,omitempty"` // "" for installation-wide checks
	Status  Status `json:"status"`
	Message string `json:"message"`       // what was found
	Fix     string `json:"fix,omitempty"` // what to do about it, in words
	// Verdict is the MX probe's finding: stripped, not_stripped or inconclusive.
	Verdict Verdict `json:"verdict,omitempty"`
}

// Check is one named check, run by Run.
type Check struct {
	Name string
	Desk string
	Run  func(ctx context.Context) Result
}

// Run runs the checks in order and returns their results; each result
// carries its check's name and desk.
func Run(ctx context.Context, checks []Check, log *slog.Logger) []Result {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	out := make([]Result, 0, len(checks))
	for _, c := range checks {
		r := c.Run(ctx)
		r.Check, r.Desk = c.Name, c.Desk
		log.Debug("doctor check", "check", r.Check, "desk", r.Desk, "status", r.Status)
		out = append(out, r)
	}
	return out
}

// Failed reports whether any result is an error.
func Failed(rs []Result) bool {
	for _, r := range rs {
		if r.Status == Error {
			return true
		}
	}
	return false
}

// Print writes one line per result — status, check, desk, message — with
// the fix on an indented line below, or the results as a JSON array.
func Print(w io.Writer, rs []Result, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if rs == nil {
			rs = []Result{}
		}
		if err := enc.Encode(rs); err != nil {
			return fmt.Errorf("doctor: %w", err)
		}
		return nil
	}
	for _, r := range rs {
		name := r.Check
		if r.Desk != "" {
			name += " [" + r.Desk + "]"
		}
		if _, err := fmt.Fprintf(w, "%-7s %s: %s\n", r.Status, name, r.Message); err != nil {
			return fmt.Errorf("doctor: %w", err)
		}
		if r.Fix != "" {
			if _, err := fmt.Fprintf(w, "        fix: %s\n", r.Fix); err != nil {
				return fmt.Errorf("doctor: %w", err)
			}
		}
	}
	return nil
}

func okf(format string, a ...any) Result {
	return Result{Status: OK, Message: fmt.Sprintf(format, a...)}
}

func bad(s Status, fix, format string, a ...any) Result {
	return Result{Status: s, Message: fmt.Sprintf(format, a...), Fix: fix}
}
