// Package demo runs Otvet's whole intake flow in-process, with no setup: an
// in-memory IMAP server (go-imap's imapmemserver), an SMTP sink (go-smtp), a
// temporary SQLite database and realistic Russian sample mail.
package demo

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-smtp"
)

// imapServer is an in-memory IMAP server on 127.0.0.1 with one mailbox.
type imapServer struct {
	addr string
	user *imapmemserver.User
	srv  *imapserver.Server
	done chan struct{}
}

func startIMAP(username, password string) (*imapServer, error) {
	mem := imapmemserver.New()
	u := imapmemserver.NewUser(username, password)
	if err := u.Create("INBOX", nil); err != nil {
		return nil, err
	}
	mem.AddUser(u)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		InsecureAuth: true,
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &imapServer{addr: ln.Addr().String(), user: u, srv: srv, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		_ = srv.Serve(ln)
	}()
	return s, nil
}

// deliver appends a message to the INBOX, as an MTA would.
func (s *imapServer) deliver(raw []byte) error {
	_, err := s.user.Append("INBOX", bytes.NewReader(raw), &imap.AppendOptions{})
	return err
}

func (s *imapServer) close() {
	s.srv.Close()
	<-s.done
}

// sent is one message the SMTP sink accepted.
type sent struct {
	From string
	To   []string
	Raw  []byte
}

// smtpSink is an SMTP server on 127.0.0.1 that keeps what it is given.
type smtpSink struct {
	addr string
	srv  *smtp.Server
	mu   sync.Mutex
	msgs []sent
	done chan struct{}
}

func startSMTP() (*smtpSink, error) {
	s := &smtpSink{done: make(chan struct{})}
	s.srv = smtp.NewServer(s)
	s.srv.Domain = "sink.localhost"
	s.srv.AllowInsecureAuth = true
	s.srv.MaxMessageBytes = 50 << 20
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.addr = ln.Addr().String()
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
			fmt.Println("smtp sink:", err)
		}
	}()
	return s, nil
}

func (s *smtpSink) close() {
	s.srv.Close()
	<-s.done
}

func (s *smtpSink) taken() []sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]sent(nil), s.msgs...)
}

// NewSession implements smtp.Backend.
func (s *smtpSink) NewSession(*smtp.Conn) (smtp.Session, error) { return &sinkSession{sink: s}, nil }

type sinkSession struct {
	sink *smtpSink
	cur  sent
}

func (ss *sinkSession) Reset()        { ss.cur = sent{} }
func (ss *sinkSession) Logout() error { return nil }
func (ss *sinkSession) Mail(from string, _ *smtp.MailOptions) error {
	ss.cur.From = from
	return nil
}
func (ss *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.cur.To = append(ss.cur.To, to)
	return nil
}
func (ss *sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.cur.Raw = b
	ss.sink.mu.Lock()
	ss.sink.msgs = append(ss.sink.msgs, ss.cur)
	ss.sink.mu.Unlock()
	ss.cur = sent{}
	return nil
}
