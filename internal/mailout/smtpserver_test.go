package mailout

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// testServer is an in-process go-smtp server with fault injection.
type testServer struct {
	Host string
	Port int

	mu       sync.Mutex
	received []received
	// Faults, keyed by what they answer.
	greetingTLS bool             // serve implicit TLS
	mailErr     error            // reply to MAIL FROM
	rcptErr     map[string]error // reply to RCPT TO, by address
	dataErr     error            // reply after the message
	user, pass  string           // require AUTH PLAIN with these when set
	authAttempt []string         // "user:ok" / "user:fail"
	dataHold    chan struct{}    // when set, Data blocks until closed
	dataStarted chan struct{}    // closed when Data is entered (with dataHold)
}

type received struct {
	from string
	to   []string
	data []byte
}

func (s *testServer) NewSession(*smtp.Conn) (smtp.Session, error) {
	sess := &testSession{srv: s}
	if s.user != "" {
		return &authSession{sess}, nil
	}
	return sess, nil
}

type testSession struct {
	srv    *testServer
	authed bool
	from   string
	to     []string
}

func (s *testSession) Reset()        { s.from, s.to = "", nil }
func (s *testSession) Logout() error { return nil }

func (s *testSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.srv.user != "" && !s.authed {
		return smtp.ErrAuthRequired
	}
	s.srv.mu.Lock()
	defer s.srv.mu.Unlock()
	if s.srv.mailErr != nil {
		return s.srv.mailErr
	}
	s.from = from
	return nil
}

func (s *testSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.srv.mu.Lock()
	defer s.srv.mu.Unlock()
	if err := s.srv.rcptErr[to]; err != nil {
		return err
	}
	s.to = append(s.to, to)
	return nil
}

func (s *testSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if s.srv.dataHold != nil {
		close(s.srv.dataStarted)
		<-s.srv.dataHold
	}
	s.srv.mu.Lock()
	defer s.srv.mu.Unlock()
	if s.srv.dataErr != nil {
		return s.srv.dataErr
	}
	s.srv.received = append(s.srv.received, received{from: s.from, to: s.to, data: b})
	return nil
}

type authSession struct{ *testSession }

func (s *authSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *authSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		s.srv.mu.Lock()
		defer s.srv.mu.Unlock()
		if user != s.srv.user || pass != s.srv.pass {
			s.srv.authAttempt = append(s.srv.authAttempt, user+":fail")
			return errors.New("invalid credentials")
		}
		s.srv.authAttempt = append(s.srv.authAttempt, user+":ok")
		s.authed = true
		return nil
	}), nil
}

func (s *testServer) messages() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.received...)
}

// startServer starts srv on 127.0.0.1. With cert set it offers STARTTLS (or
// implicit TLS when srv.greetingTLS).
func startServer(t *testing.T, srv *testServer, cert *tls.Certificate) *testServer {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := smtp.NewServer(srv)
	s.Domain = "mx.test"
	s.ErrorLog = log.New(io.Discard, "", 0)
	s.ReadTimeout = 10 * time.Second
	s.WriteTimeout = 10 * time.Second
	if cert != nil {
		conf := &tls.Config{Certificates: []tls.Certificate{*cert}}
		if srv.greetingTLS {
			l = tls.NewListener(l, conf)
		} else {
			s.TLSConfig = conf
		}
	}
	go func() { _ = s.Serve(l) }()
	t.Cleanup(func() { _ = s.Close() })
	host, port, _ := net.SplitHostPort(l.Addr().String())
	srv.Host = host
	srv.Port, _ = strconv.Atoi(port)
	return srv
}

// selfSigned returns a certificate for 127.0.0.1 and a pool trusting it.
func selfSigned(t *testing.T) (*tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "otvet test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

func smtpErr(code int, ec smtp.EnhancedCode, msg string) *smtp.SMTPError {
	return &smtp.SMTPError{Code: code, EnhancedCode: ec, Message: msg}
}
