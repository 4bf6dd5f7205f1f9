package mailout

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/textproto"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// countingRelay accepts everything, counts connections and messages per
// connection, and refuses MAIL FROM with 421 after perConn messages on one
// connection (a relay that limits them), when perConn is set.
type countingRelay struct {
	perConn int
	mu      sync.Mutex
	conns   int
	msgs    int
	resets  int
}

func (r *countingRelay) NewSession(*smtp.Conn) (smtp.Session, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.conns++
	return &countingSession{r: r}, nil
}

type countingSession struct {
	r *countingRelay
	n int
}

func (s *countingSession) Reset() {
	s.r.mu.Lock()
	s.r.resets++
	s.r.mu.Unlock()
}
func (s *countingSession) Logout() error { return nil }
func (s *countingSession) Mail(string, *smtp.MailOptions) error {
	if s.r.perConn > 0 && s.n >= s.r.perConn {
		return &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 7, 0}, Message: "too many messages"}
	}
	return nil
}
func (s *countingSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *countingSession) Data(r io.Reader) error {
	if _, err := io.Copy(io.Discard, r); err != nil {
		return err
	}
	s.n++
	s.r.mu.Lock()
	s.r.msgs++
	s.r.mu.Unlock()
	return nil
}

func (r *countingRelay) counts() (conns, msgs int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.conns, r.msgs
}

// startCounting starts r on loopback; idle connections are dropped by the
// server after readTimeout.
func startCounting(t *testing.T, r *countingRelay, readTimeout time.Duration) *SMTPSender {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := smtp.NewServer(r)
	s.Domain = "mx.test"
	s.ErrorLog = log.New(io.Discard, "", 0)
	s.ReadTimeout, s.WriteTimeout = readTimeout, 10*time.Second
	go func() { _ = s.Serve(l) }()
	t.Cleanup(func() { _ = s.Close() })
	host, port, _ := net.SplitHostPort(l.Addr().String())
	p, _ := strconv.Atoi(port)
	return newSender(t, &testServer{Host: host, Port: p}, SMTPOptions{})
}

func TestSMTPSessionReusesConnection(t *testing.T) {
	cases := []struct {
		name      string
		perConn   int
		idle      time.Duration // the server drops a connection idle this long
		pause     time.Duration // between messages
		n         int
		wantConns int
	}{
		{"one connection", 0, 10 * time.Second, 0, 10, 1},
		{"relay takes 3 per connection", 3, 10 * time.Second, 0, 10, 4},
		{"relay closed the idle connection", 0, 100 * time.Millisecond, 250 * time.Millisecond, 3, 3},
	}
	raw := composedSample(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := &countingRelay{perConn: c.perConn}
			ss := startCounting(t, r, c.idle).Session()
			defer ss.Close()
			for i := range c.n {
				if i > 0 {
					time.Sleep(c.pause)
				}
				if err := ss.Send(context.Background(), "sd@otvet.test", []string{"u@example.org"}, raw); err != nil {
					t.Fatalf("message %d: %v", i, err)
				}
			}
			if err := ss.Close(); err != nil {
				t.Fatal(err)
			}
			if conns, msgs := r.counts(); conns != c.wantConns || msgs != c.n {
				t.Errorf("%d connections, %d messages; want %d, %d", conns, msgs, c.wantConns, c.n)
			}
		})
	}
}

// TestSMTPSessionErrors: a refusal of the message is returned, not retried
// on a new connection, and the session carries on after it.
func TestSMTPSessionErrors(t *testing.T) {
	srv := startServer(t, &testServer{rcptErr: map[string]error{
		"bad@example.org":  smtpErr(550, smtp.EnhancedCode{5, 1, 1}, "no such user"),
		"full@example.org": smtpErr(452, smtp.EnhancedCode{4, 2, 2}, "mailbox full"),
	}}, nil)
	ss := newSender(t, srv, SMTPOptions{}).Session()
	defer ss.Close()
	raw := composedSample(t)
	ctx := context.Background()
	if err := ss.Send(ctx, "sd@otvet.test", []string{"u@example.org"}, raw); err != nil {
		t.Fatal(err)
	}
	err := ss.Send(ctx, "sd@otvet.test", []string{"bad@example.org"}, raw)
	if !IsPermanent(err) {
		t.Fatalf("refused recipient: %v, want a permanent error", err)
	}
	if err := ss.Send(ctx, "sd@otvet.test", []string{"u2@example.org"}, raw); err != nil {
		t.Fatal(err)
	}
	if got := len(srv.messages()); got != 2 {
		t.Errorf("%d messages received, want 2", got)
	}
	// On the used connection (pipelined): one refused for good, one taken.
	var se *SendError
	err = ss.Send(ctx, "sd@otvet.test", []string{"bad@example.org", "u3@example.org"}, raw)
	if !errors.As(err, &se) || !se.Permanent || !slices.Equal(se.Delivered, []string{"u3@example.org"}) {
		t.Fatalf("one of two refused: %v, want permanent, delivered to u3", err)
	}
	if err := ss.Send(ctx, "sd@otvet.test", []string{"u4@example.org"}, raw); err != nil {
		t.Fatal(err)
	}
	// One refused for now: nobody gets it.
	err = ss.Send(ctx, "sd@otvet.test", []string{"u5@example.org", "full@example.org"}, raw)
	if !errors.As(err, &se) || se.Permanent || se.Code != 452 {
		t.Fatalf("one of two refused for now: %v, want a temporary 452", err)
	}
	msgs := srv.messages()
	if len(msgs) != 4 || !slices.Equal(msgs[2].to, []string{"u3@example.org"}) || !slices.Equal(msgs[3].to, []string{"u4@example.org"}) {
		t.Errorf("received %+v", msgs)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := ss.Send(cctx, "sd@otvet.test", []string{"u@example.org"}, raw); err == nil || IsPermanent(err) {
		t.Errorf("cancelled: %v, want a temporary error", err)
	}
}

// TestWriteDotted: the same bytes on the wire as textproto's DotWriter.
func TestWriteDotted(t *testing.T) {
	for _, in := range []string{
		"Subject: x\r\n\r\nbody\r\n",
		".starts with a dot\r\n",
		"a\r\n.\r\n..b\r\n",
		"bare\nline feeds\n.dot\n",
		"mixed\r\nbare\nlast without",
		"no newline at all",
		"cr\rinside\r\n",
		"ends with cr\r",
		".",
		"\n\n.\n",
	} {
		var want, got bytes.Buffer
		ww := textproto.NewWriter(bufio.NewWriter(&want))
		dw := ww.DotWriter()
		_, _ = dw.Write([]byte(in))
		_ = dw.Close()
		if err := writeDotted(bufio.NewWriter(&got), []byte(in)); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("writeDotted(%q) = %q, want %q", in, got.String(), want.String())
		}
	}
}

// FuzzWriteDotted: the same bytes as textproto's DotWriter, except that a
// CR just before a line's CRLF stays one CR (DotWriter adds another).
func FuzzWriteDotted(f *testing.F) {
	for _, s := range []string{"Subject: x\r\n\r\nbody\r\n", ".a\n..b\r\n", "x\ry", "end\r", "."} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) == 0 || bytes.Contains(in, []byte("\r\r")) {
			return
		}
		var want, got bytes.Buffer
		dw := textproto.NewWriter(bufio.NewWriter(&want)).DotWriter()
		_, _ = dw.Write(in)
		_ = dw.Close()
		if err := writeDotted(bufio.NewWriter(&got), in); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Errorf("writeDotted(%q) = %q, want %q", in, got.Bytes(), want.Bytes())
		}
	})
}

// TestSMTPSessionDotStuffing: a message with leading dots and bare line
// feeds arrives the same through a new connection and a pipelined one.
func TestSMTPSessionDotStuffing(t *testing.T) {
	srv := startServer(t, &testServer{}, nil)
	ss := newSender(t, srv, SMTPOptions{}).Session()
	defer ss.Close()
	raw := []byte("Subject: dots\r\n\r\n.one\r\n..two\n.\nlast")
	for range 2 {
		if err := ss.Send(context.Background(), "sd@otvet.test", []string{"u@example.org"}, raw); err != nil {
			t.Fatal(err)
		}
	}
	msgs := srv.messages()
	if len(msgs) != 2 || !bytes.Equal(msgs[0].data, msgs[1].data) {
		t.Fatalf("received %q", msgs)
	}
	if want := "Subject: dots\r\n\r\n.one\r\n..two\r\n.\r\nlast\r\n"; string(msgs[1].data) != want {
		t.Errorf("received %q, want %q", msgs[1].data, want)
	}
}

// TestSMTPSessionPipelinedRefusals: on a used connection (RSET, MAIL FROM,
// RCPT TO and DATA in one write), who gets the message when recipients are
// refused, and the session goes on afterwards. A recipient refused for now
// means nobody gets it, though the relay answered DATA with 354.
func TestSMTPSessionPipelinedRefusals(t *testing.T) {
	cases := []struct {
		name      string
		to        []string
		wantErr   bool
		permanent bool
		delivered []string // SendError.Delivered
		received  []string // recipients of the message the relay took, nil: none
	}{
		{"one accepted", []string{"a@example.org"}, false, false, nil, []string{"a@example.org"}},
		{"two accepted", []string{"a@example.org", "b@example.org"}, false, false, nil, []string{"a@example.org", "b@example.org"}},
		{"the only one refused for good", []string{"bad@example.org"}, true, true, nil, nil},
		{"the only one refused for now", []string{"full@example.org"}, true, false, nil, nil},
		{"one of two refused for good", []string{"bad@example.org", "a@example.org"}, true, true, []string{"a@example.org"}, []string{"a@example.org"}},
		{"one of two refused for now", []string{"a@example.org", "full@example.org"}, true, false, nil, nil},
		{"both refused for good", []string{"bad@example.org", "bad2@example.org"}, true, true, nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := startServer(t, &testServer{rcptErr: map[string]error{
				"bad@example.org":  smtpErr(550, smtp.EnhancedCode{5, 1, 1}, "no such user"),
				"bad2@example.org": smtpErr(550, smtp.EnhancedCode{5, 1, 1}, "no such user"),
				"full@example.org": smtpErr(452, smtp.EnhancedCode{4, 2, 2}, "mailbox full"),
			}}, nil)
			ss := newSender(t, srv, SMTPOptions{}).Session()
			defer ss.Close()
			raw := composedSample(t)
			ctx := context.Background()
			// The first message opens the connection; the next one is pipelined.
			if err := ss.Send(ctx, "sd@otvet.test", []string{"first@example.org"}, raw); err != nil {
				t.Fatal(err)
			}
			err := ss.Send(ctx, "sd@otvet.test", c.to, raw)
			var se *SendError
			switch {
			case !c.wantErr && err != nil:
				t.Fatalf("error %v", err)
			case c.wantErr && (!errors.As(err, &se) || se.Permanent != c.permanent || !slices.Equal(se.Delivered, c.delivered)):
				t.Fatalf("error %#v, want permanent %v, delivered to %v", err, c.permanent, c.delivered)
			}
			if err := ss.Send(ctx, "sd@otvet.test", []string{"last@example.org"}, raw); err != nil {
				t.Fatalf("the message after: %v", err)
			}
			msgs := srv.messages()
			var got [][]string
			for _, m := range msgs {
				got = append(got, m.to)
			}
			want := [][]string{{"first@example.org"}}
			if c.received != nil {
				want = append(want, c.received)
			}
			want = append(want, []string{"last@example.org"})
			if !slices.EqualFunc(got, want, slices.Equal) {
				t.Errorf("the relay took messages for %v, want %v", got, want)
			}
			for _, m := range msgs {
				if !bytes.Equal(m.data, raw) {
					t.Errorf("message for %v arrived changed", m.to)
				}
			}
		})
	}
}
