package mailin

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"syscall"
)

// hinted adds to a connection error the setting that most likely fixes it
// (in the configuration's words: desks[].imap.…).
func hinted(err error) error {
	if h := hint(err); h != "" {
		return fmt.Errorf("%w (%s)", err, h)
	}
	return err
}

func hint(err error) string {
	var unknown x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var record tls.RecordHeaderError
	switch {
	case errors.As(err, &unknown):
		return "the server's certificate is signed by a CA this machine does not trust: set the desk's imap.ca_file to that CA's PEM"
	case errors.As(err, &hostname):
		return "the certificate does not name this host: set the desk's imap.host to a name it lists"
	case errors.As(err, &record) || strings.Contains(err.Error(), "first record does not look like a TLS handshake"):
		return "the port does not speak TLS at once: set the desk's imap.security to starttls (port 143), or plain to a loopback host"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "nothing listens there: check the desk's imap.host and imap.port"
	case strings.Contains(err.Error(), "no such host"):
		return "the name does not resolve: check the desk's imap.host"
	}
	return ""
}
