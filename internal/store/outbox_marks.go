package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// errSomeLost rolls back the one-statement fast path of FinishSent.
var errSomeLost = errors.New("some claims lost")

// FinishSent records in one transaction that the relay accepted each of
// rows (as ClaimOutgoing returned them): for each, what FinishAttempt
// records for a success. The outbox worker batches its sent marks this way.
// A row no longer claimed by its attempt (its claim expired and another
// sender took it, or it was requeued) is not recorded and is returned in
// lost, as FinishAttempt's ErrClaimLost. The rows of each desk that wait
// after a failure of the relay are woken once, as after FinishAttempt's
// success; woken counts them.
//
// Until this commits, a row sent stays pending and claimed: a crash before
// it sends the row again when the claim expires, with the same bytes and
// Message-ID (at least once; never lost).
func (db *DB) FinishSent(ctx context.Context, rows []*Outgoing, now time.Time) (woken int, lost []int64, err error) {
	if len(rows) == 0 {
		return 0, nil, nil
	}
	err = db.Tx(ctx, func(tx *Tx) error {
		woken, lost = 0, nil
		// Fast path: every claim still held, one statement.
		var q strings.Builder
		args := make([]any, 0, 3+3*len(rows))
		q.WriteString(`UPDATE outbox SET state = ?, sent_at = ?, last_error = '', claimed_until = NULL, relay_down = ?
			WHERE state = ? AND id IN (`)
		args = append(args, OutSent, now, false, OutPending)
		for i, o := range rows {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("?")
			args = append(args, o.ID)
		}
		q.WriteString(`) AND attempts = CASE id`)
		for _, o := range rows {
			q.WriteString(` WHEN ? THEN CAST(? AS INTEGER)`)
			args = append(args, o.ID, o.Attempts)
		}
		q.WriteString(` END`)
		res, err := tx.exec(ctx, q.String(), args...)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if int(n) != len(rows) {
			return errSomeLost
		}
		return tx.wakeRelayDown(ctx, rows, now, &woken)
	})
	if errors.Is(err, errSomeLost) {
		// Some claims were lost: row by row, to know which.
		err = db.Tx(ctx, func(tx *Tx) error {
			woken, lost = 0, nil
			var kept []*Outgoing
			for _, o := range rows {
				res, err := tx.exec(ctx, `UPDATE outbox SET state = ?, sent_at = ?, last_error = '', claimed_until = NULL,
					relay_down = ? WHERE id = ? AND state = ? AND attempts = ?`, OutSent, now, false, o.ID, OutPending, o.Attempts)
				if err != nil {
					return err
				}
				n, err := res.RowsAffected()
				if err != nil {
					return err
				}
				if n == 1 {
					kept = append(kept, o)
				} else {
					lost = append(lost, o.ID)
				}
			}
			return tx.wakeRelayDown(ctx, kept, now, &woken)
		})
	}
	if err != nil {
		return 0, nil, fmt.Errorf("record %d outbox rows sent: %w", len(rows), err)
	}
	return woken, lost, nil
}

// wakeRelayDown makes due now the rows of the desks of sent that wait after
// a failure of the relay and are not being sent.
func (t *Tx) wakeRelayDown(ctx context.Context, sent []*Outgoing, now time.Time, woken *int) error {
	done := map[string]bool{}
	for _, o := range sent {
		if done[o.Desk] {
			continue
		}
		done[o.Desk] = true
		res, err := t.exec(ctx, `UPDATE outbox SET next_attempt_at = ? WHERE desk = ? AND state = ? AND relay_down = ?
			AND next_attempt_at > ? AND (claimed_until IS NULL OR claimed_until <= ?)`, now, o.Desk, OutPending, true, now, now)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		*woken += int(n)
	}
	return nil
}

// ReleaseClaims gives back rows claimed by ClaimOutgoing that were not
// attempted (a sender that claimed several rows ran out of the claim's time
// before their turn): each becomes due at now, unclaimed, with the attempt
// count it had before the claim. A row whose claim was lost meanwhile is
// left as it is.
func (db *DB) ReleaseClaims(ctx context.Context, rows []*Outgoing, now time.Time) error {
	if len(rows) == 0 {
		return nil
	}
	err := db.Tx(ctx, func(tx *Tx) error {
		for _, o := range rows {
			if _, err := tx.exec(ctx, `UPDATE outbox SET attempts = ?, next_attempt_at = ?, claimed_until = NULL
				WHERE id = ? AND state = ? AND attempts = ?`, o.Attempts-1, now, o.ID, OutPending, o.Attempts); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("release %d outbox claims: %w", len(rows), err)
	}
	return nil
}
