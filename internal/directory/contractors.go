package directory

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"

	"github.com/otvet/otvet/internal/store"
	"gopkg.in/yaml.v3"
)

// Contractors: third parties that answer on tickets by mail (§4.7,
// docs/contractors.md).

// ContractorInput is a contractor as the command line or the import file gives it.
type ContractorInput struct {
	Name        string   `yaml:"name"`
	DisplayName string   `yaml:"display_name"`
	HideName    bool     `yaml:"hide_name"`
	Addresses   []string `yaml:"addresses"` // addresses and domains ("@vendor.example")
	Systems     []string `yaml:"systems"`
	Hours       string   `yaml:"hours"`            // "09:00-18:00"; empty: the desk's
	Response    int64    `yaml:"response_minutes"` // business minutes; 0: the desk's first-response target
	TellAnswer  bool     `yaml:"tell_answer"`
}

// CheckContractor says what is wrong with a contractor (nil: nothing).
func CheckContractor(c ContractorInput) error {
	var errs []error
	name := strings.TrimSpace(c.Name)
	if name == "" || strings.ContainsAny(name, " \t@#") {
		errs = append(errs, badInput("contractor name %q: one word, no spaces, @ or #", c.Name))
	}
	mailbox := false
	for _, a := range splitAll(c.Addresses) {
		if d, ok := strings.CutPrefix(a, "@"); ok {
			if d == "" || !strings.Contains(d, ".") || strings.ContainsAny(d, " @") {
				errs = append(errs, badInput("contractor %s: %q is not a domain", name, a))
			}
			continue
		}
		if p, err := mail.ParseAddress(a); err != nil || p.Address != a {
			errs = append(errs, badInput("contractor %s: %q is not an e-mail address", name, a))
			continue
		}
		mailbox = true
	}
	if !mailbox {
		errs = append(errs, badInput("contractor %s needs at least one e-mail address (requests are sent to the first)", name))
	}
	if c.Hours != "" && !validHours(c.Hours) {
		errs = append(errs, badInput("contractor %s: hours %q: write HH:MM-HH:MM", name, c.Hours))
	}
	if c.Response < 0 {
		errs = append(errs, badInput("contractor %s: the response target cannot be negative", name))
	}
	return errors.Join(errs...)
}

func validHours(h string) bool {
	a, b, ok := strings.Cut(strings.ReplaceAll(h, "–", "-"), "-")
	var h1, m1, h2, m2 int
	if !ok {
		return false
	}
	if n, _ := fmt.Sscanf(strings.TrimSpace(a), "%d:%d", &h1, &m1); n != 2 {
		return false
	}
	if n, _ := fmt.Sscanf(strings.TrimSpace(b), "%d:%d", &h2, &m2); n != 2 {
		return false
	}
	return h1 >= 0 && m1 >= 0 && m1 < 60 && m2 >= 0 && m2 < 60 && h1*60+m1 < h2*60+m2 && h2*60+m2 <= 24*60
}

func splitAll(xs []string) []string {
	var out []string
	for _, l := range strings.Split(store.JoinLines(xs, true), "\n") {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

func (c ContractorInput) row() *store.Contractor {
	return &store.Contractor{Name: strings.ToLower(strings.TrimSpace(c.Name)), DisplayName: strings.TrimSpace(c.DisplayName),
		HideName: c.HideName, Addresses: store.JoinLines(c.Addresses, true), Systems: store.JoinLines(c.Systems, false),
		Hours: strings.TrimSpace(c.Hours), ResponseMinutes: c.Response, TellAnswer: c.TellAnswer}
}

func (s *Service) actor() string {
	if s.Actor == "" {
		return "cli"
	}
	return s.Actor
}

// AddContractor adds a contractor.
func (s *Service) AddContractor(ctx context.Context, c ContractorInput) (*store.Contractor, error) {
	if err := CheckContractor(c); err != nil {
		return nil, err
	}
	row := c.row()
	err := s.DB.Tx(ctx, func(tx *store.Tx) error {
		if err := tx.AddContractor(ctx, row, s.now()); err != nil {
			if errors.Is(err, store.ErrContractorExists) {
				return badInput("contractor %s exists (otvet contractor edit)", row.Name)
			}
			return err
		}
		return tx.AddEvent(ctx, 0, s.now(), "contractor_added", s.actor(), row.Name+": "+strings.ReplaceAll(row.Addresses, "\n", ", "))
	})
	return row, err
}

// EditContractor replaces a contractor's settings (not its name).
func (s *Service) EditContractor(ctx context.Context, c ContractorInput) (*store.Contractor, error) {
	if err := CheckContractor(c); err != nil {
		return nil, err
	}
	row := c.row()
	err := s.DB.Tx(ctx, func(tx *store.Tx) error {
		old, err := tx.ContractorByName(ctx, row.Name)
		if errors.Is(err, store.ErrNotFound) {
			return badInput("no contractor %s (otvet contractor list)", row.Name)
		} else if err != nil {
			return err
		}
		row.ID, row.CreatedAt = old.ID, old.CreatedAt
		if err := tx.UpdateContractor(ctx, row, s.now()); err != nil {
			return err
		}
		return tx.AddEvent(ctx, 0, s.now(), "contractor_updated", s.actor(), row.Name+": "+strings.ReplaceAll(row.Addresses, "\n", ", "))
	})
	return row, err
}

// FindContractor reads a contractor by name.
func (s *Service) FindContractor(ctx context.Context, name string) (*store.Contractor, error) {
	var c *store.Contractor
	err := s.DB.Tx(ctx, func(tx *store.Tx) error {
		var err error
		c, err = tx.ContractorByName(ctx, name)
		if errors.Is(err, store.ErrNotFound) {
			return badInput("no contractor %s (otvet contractor list)", name)
		}
		return err
	})
	return c, err
}

// RemoveContractor removes a contractor: one that was never passed a ticket
// is deleted; otherwise its addresses are cleared (its mail is no longer a
// contractor's) and its history stays in reports. kept says which.
func (s *Service) RemoveContractor(ctx context.Context, name string) (kept bool, err error) {
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		c, err := tx.ContractorByName(ctx, name)
		if errors.Is(err, store.ErrNotFound) {
			return badInput("no contractor %s (otvet contractor list)", name)
		} else if err != nil {
			return err
		}
		if kept, err = tx.RemoveContractor(ctx, c.ID, s.now()); err != nil {
			return err
		}
		return tx.AddEvent(ctx, 0, s.now(), "contractor_removed", s.actor(), c.Name)
	})
	return kept, err
}

// importContractors adds or updates the contractors of an import file.
func (s *Service) importContractors(ctx context.Context, tx *store.Tx, cs []ContractorInput) (added, updated int, err error) {
	for _, c := range cs {
		if err := CheckContractor(c); err != nil {
			return added, updated, err
		}
		row := c.row()
		old, err := tx.ContractorByName(ctx, row.Name)
		switch {
		case errors.Is(err, store.ErrNotFound):
			if err := tx.AddContractor(ctx, row, s.now()); err != nil {
				return added, updated, err
			}
			added++
		case err != nil:
			return added, updated, err
		default:
			row.ID, row.CreatedAt = old.ID, old.CreatedAt
			if err := tx.UpdateContractor(ctx, row, s.now()); err != nil {
				return added, updated, err
			}
			updated++
		}
		if err := tx.AddEvent(ctx, 0, s.now(), "contractor_imported", s.actor(), row.Name); err != nil {
			return added, updated, err
		}
	}
	return added, updated, nil
}

// parseContractors reads the import file's contractors: list (each checked).
func parseContractors(data []byte) ([]ContractorInput, error) {
	var f struct {
		Contractors []ContractorInput `yaml:"contractors"`
	}
	if err := yaml.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("contractors: %w", err)
	}
	var errs []error
	for _, c := range f.Contractors {
		if err := CheckContractor(c); err != nil {
			errs = append(errs, err)
		}
	}
	return f.Contractors, errors.Join(errs...)
}
