package mailin

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/emersion/go-imap/v2"
)

// MoveBack moves the messages the processed folder received since the given
// day (their INTERNALDATE, the server's day) back into the polled folder,
// where the next pass reads them like new mail: intake keeps what it does
// not have and drops what it has (SHA-256, Message-ID + content), then moves
// them to the processed folder again. otvet restore --rescan-processed uses
// it for the mail a restored database never saw. It takes the mailbox lock
// (ErrLocked while another process polls it) and returns how many it moved.
func (p *Poller) MoveBack(ctx context.Context, since time.Time) (int, error) {
	o := p.opts
	if o.ProcessedFolder == "" {
		return 0, errors.New("mailin: no processed folder: nothing to move back")
	}
	release, err := p.lock(ctx)
	if err != nil {
		return 0, err
	}
	defer release()
	s, err := p.open(ctx)
	if err != nil {
		return 0, err
	}
	defer s.close()
	if _, err := s.c.Select(o.ProcessedFolder, nil).Wait(); err != nil {
		return 0, fmt.Errorf("mailin: select %q: %w", o.ProcessedFolder, err)
	}
	res, err := s.c.UIDSearch(&imap.SearchCriteria{Since: since}, nil).Wait()
	if err != nil {
		return 0, fmt.Errorf("mailin: search %q since %s: %w", o.ProcessedFolder, since.Format(time.DateOnly), err)
	}
	uids := res.AllUIDs()
	if len(uids) == 0 {
		return 0, nil
	}
	if _, err := s.c.Move(imap.UIDSetNum(uids...), o.Folder).Wait(); err != nil {
		return 0, fmt.Errorf("mailin: move %d messages from %q to %q: %w", len(uids), o.ProcessedFolder, o.Folder, err)
	}
	s.log.Info("moved processed mail back to be read again", "from", o.ProcessedFolder, "to", o.Folder,
		"since", since.Format(time.DateOnly), "messages", len(uids))
	return len(uids), nil
}
