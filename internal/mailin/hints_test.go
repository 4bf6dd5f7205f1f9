package mailin

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
)

func TestConnectionErrorsNameTheSetting(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"unknown CA", fmt.Errorf("tls handshake: %w", &tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}), "imap.ca_file"},
		{"plain port", fmt.Errorf("tls handshake: %w", tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}), "security to starttls"},
		{"refused", &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}, "imap.host and imap.port"},
		{"no host", &net.DNSError{Err: "no such host", Name: "imap.kgo66.ru"}, "check the desk's imap.host"},
		{"other", errors.New("EOF"), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := hinted(tc.err).Error()
			if tc.want == "" {
				if got != tc.err.Error() {
					t.Errorf("hinted %q, want it unchanged", got)
				}
				return
			}
			if !strings.Contains(got, tc.want) || !errors.Is(hinted(tc.err), tc.err) {
				t.Errorf("hinted %q, want %q in it and the error wrapped", got, tc.want)
			}
		})
	}
}
