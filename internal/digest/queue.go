package digest

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/otvet/otvet/internal/store"
)

// Txer runs a function in one store transaction (*store.DB).
type Txer interface {
	Tx(ctx context.Context, fn func(tx *store.Tx) error) error
}

// ErrNoSender: no desk is configured to send digests from.
var ErrNoSender = errors.New("digest: no desk configured to send from")

// QueueNow queues d for rc in its own transaction, from the desk the setup
// sends digests from (`otvet digest --to`): the outbox sends it. Unlike a
// scheduled digest it is not recorded as the period's digest, so the
// scheduler still sends that one.
func QueueNow(ctx context.Context, db Txer, setup *Setup, d *Digest, rc Recipient, now time.Time) (*store.Outgoing, error) {
	if setup.Desk.Name == "" || setup.Desk.From.Email == "" {
		return nil, ErrNoSender
	}
	var o *store.Outgoing
	err := db.Tx(ctx, func(tx *store.Tx) (err error) {
		o, err = Queue(ctx, tx, d, setup.Desk.Name, setup.Desk.From, rc, now)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("digest: queue for %s: %w", rc.Email, err)
	}
	return o, nil
}
