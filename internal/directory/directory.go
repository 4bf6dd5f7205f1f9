// Package directory is the directory of organisations, their users and the
// support staff: every operation the command line offers on it (a Service
// method taking a context, opening the store transactions, writing the audit
// events through the store) and the matching rule that tells which stored
// organisation a name and an INN mean, shared by the directory import and
// the approval of connection requests. The pure rules (name folding, INN,
// domains) are in the match subpackage.
package directory

import (
	"context"
	"errors"
	"fmt"

	"github.com/otvet/otvet/internal/store"
)

// OrgReader is what MatchOrg reads of a store transaction.
type OrgReader interface {
	OrgByINN(ctx context.Context, inn string) (*store.Org, error)
	OrgIDsByFoldedName(ctx context.Context, name string) ([]int64, error)
	OrgByID(ctx context.Context, id int64) (*store.Org, error)
}

// AmbiguousError is MatchOrg's answer when several stored organisations
// match a name.
type AmbiguousError struct {
	Name  string
	Count int
}

func (a *AmbiguousError) Error() string {
	return fmt.Sprintf("%d stored organisations are called %q: add their inn to the file", a.Count, a.Name)
}

// MatchOrg finds the stored organisation an INN and a name mean — the one
// rule of the directory import and of connection-request approval:
//
//   - by INN, when one is given and an organisation has it;
//   - else by name, compared folded (match.FoldName: case, ё, quotes,
//     spaces and the number sign do not count), among the organisations
//     without an INN — or among all when no INN is given.
//
// It returns nil, nil when nothing matches and an *AmbiguousError when
// several organisations do.
func MatchOrg(ctx context.Context, tx OrgReader, inn, name string) (*store.Org, error) {
	if inn != "" {
		cur, err := tx.OrgByINN(ctx, inn)
		if err == nil {
			return cur, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("organisation by INN %s: %w", inn, err)
		}
	}
	ids, err := tx.OrgIDsByFoldedName(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("organisations called %q: %w", name, err)
	}
	var found []*store.Org
	for _, id := range ids {
		cur, err := tx.OrgByID(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("organisation #%d: %w", id, err)
		}
		if inn == "" || cur.INN == "" || cur.INN == inn {
			found = append(found, cur)
		}
	}
	switch len(found) {
	case 0:
		return nil, nil
	case 1:
		return found[0], nil
	}
	return nil, &AmbiguousError{Name: name, Count: len(found)}
}
