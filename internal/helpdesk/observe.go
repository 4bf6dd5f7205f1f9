package helpdesk

import (
	"bytes"
	"net/mail"
	"strings"
	"time"

	"github.com/otvet/otvet/internal/mailin"
	"github.com/otvet/otvet/internal/mailmsg"
)

// Observer is told what intake and the scheduler did, after their
// transaction committed (the web console's /metrics counts it). Every method
// must be cheap and safe for concurrent use. A Service without one tells
// nobody.
type Observer interface {
	// Ingested: one message of desk stored with its disposition (store.Disp*,
	// or "duplicate" for a message stored before). latency is the time from
	// the message's arrival (its IMAP internal date, else its topmost
	// Received header) to the commit; known is false when neither date
	// exists.
	Ingested(desk, disposition string, latency time.Duration, known bool)
	// SLAAlert: the scheduler recorded a warning or a breach (kind
	// "warning" or "breach") of a clock (metric "first_response" or
	// "resolution").
	SLAAlert(desk, kind, metric string)
}

// SetObserver sets the Service's observer (nil: none). Call it before the
// Service is used.
func (s *Service) SetObserver(o Observer) { s.obs = o }

// DispDuplicate is the disposition an Observer is told for a message
// already stored (a second delivery of the same bytes).
const DispDuplicate = "duplicate"

// observeIngest tells the observer of a committed batch.
func (s *Service) observeIngest(d *Desk, ps []prepared, outs []Outcome) {
	if s.obs == nil {
		return
	}
	now := s.now()
	for i, p := range ps {
		disp := outs[i].Disposition
		if outs[i].Duplicate {
			s.obs.Ingested(d.Name, DispDuplicate, 0, false)
			continue
		}
		at, ok := arrivedAt(p.f)
		lat := time.Duration(0)
		if ok {
			lat = max(now.Sub(at), 0)
		}
		s.obs.Ingested(d.Name, disp, lat, ok)
	}
}

// slaAlert is a warning or breach the scheduler recorded in its transaction,
// told to the observer after the commit; kind is mailout.NotifyWarning or
// mailout.NotifyBreach.
type slaAlert struct{ desk, kind, metric string }

// observeSLA tells the observer of the alerts a committed Tick recorded.
func (s *Service) observeSLA(alerts []slaAlert) {
	if s.obs == nil {
		return
	}
	for _, a := range alerts {
		s.obs.SLAAlert(a.desk, strings.TrimPrefix(a.kind, "sla_"), a.metric)
	}
}

// arrivedAt is when a fetched message reached the mail server: its IMAP
// internal date, else the date of its topmost Received header.
func arrivedAt(f mailin.Fetched) (time.Time, bool) {
	if !f.InternalDate.IsZero() {
		return f.InternalDate, true
	}
	return receivedDate(fetchedHead(f, mailmsg.Options{})) // raw_stream.go
}

// receivedDate is the date after the last ";" of a message's topmost
// Received header.
func receivedDate(raw []byte) (time.Time, bool) {
	// Only the header: net/mail stops at the blank line.
	if i := bytes.Index(raw, []byte("\r\n\r\n")); i >= 0 {
		raw = raw[:i+4]
	} else if i := bytes.Index(raw, []byte("\n\n")); i >= 0 {
		raw = raw[:i+2]
	} else {
		raw = append(raw[:len(raw):len(raw)], "\r\n\r\n"...) // a header alone
	}
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return time.Time{}, false
	}
	rs := m.Header["Received"]
	if len(rs) == 0 {
		return time.Time{}, false
	}
	r := rs[0]
	i := strings.LastIndexByte(r, ';')
	if i < 0 {
		return time.Time{}, false
	}
	t, err := mail.ParseDate(strings.TrimSpace(r[i+1:]))
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}
