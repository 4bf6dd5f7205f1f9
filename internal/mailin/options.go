package mailin

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"
)

// Security modes of Options.Security.
const (
	SecurityTLS      = "tls"      // implicit TLS (port 993)
	SecurityStartTLS = "starttls" // STARTTLS upgrade (port 143); refuses to continue without it
	SecurityPlain    = "plain"    // no encryption: loopback hosts only
)

// Defaults applied by New to zero-valued options.
const (
	DefaultFolder          = "INBOX"
	DefaultPollInterval    = 60 * time.Second
	DefaultIdleRestart     = 25 * time.Minute
	DefaultMaxMessageBytes = 25 << 20
	DefaultFetchBatch      = 512
	DefaultBatchMessages   = 256
	DefaultBackoffMin      = time.Second
	DefaultBackoffMax      = 5 * time.Minute
	DefaultShutdownGrace   = 30 * time.Second
)

// Options configure a Poller. The zero value of every field but the connection
// and credentials means "use the default".
type Options struct {
	Name            string // mailbox (desk) name used as the cursor key and in logs
	Addr            string // host:port
	Security        string // "tls" (default), "starttls", "plain" (loopback hosts only)
	TLSConfig       *tls.Config
	Username        string
	Password        string // never logged
	Folder          string // default "INBOX"
	ProcessedFolder string // optional: move there after commit (created if missing)
	MarkSeen        bool   // set \Seen after commit

	// PollInterval is the pause between passes when the server has no IDLE
	// (or DisableIdle is set). In IDLE mode it is also the safety net: IDLE
	// is interrupted and a pass run at least this often, which catches a
	// missed notification and detects a silently dead connection.
	PollInterval time.Duration
	DisableIdle  bool
	// IdleRestart re-issues IDLE this often (default 25 min, below the
	// 30 min inactivity timeout of RFC 2177). It only matters when it is
	// shorter than PollInterval.
	IdleRestart time.Duration
	// IdleCheck, when set, interrupts IDLE this often to ask the server
	// directly (NOOP) whether mail arrived, and starts a pass only if it did.
	// Servers that hold back IDLE announcements (Dovecot 2.3 waits 0.5 s
	// after a delivery) then answer within about IdleCheck/2. Zero: off.
	IdleCheck time.Duration

	MaxMessageBytes int64 // larger messages: only BODY.PEEK[HEADER] is fetched, Truncated=true
	FetchBatch      int   // UIDs per FETCH command
	// BatchMessages is the most messages handed to a BatchSink at once
	// (one transaction; DefaultBatchMessages). Fewer, shorter transactions
	// suit several instances writing one database; more write fewer bytes.
	BatchMessages int
	// SpoolBytes: a message larger than this is read into a temporary
	// file in SpoolDir (Fetched.Body) instead of memory (default
	// DefaultSpoolBytes; negative: never).
	SpoolBytes int64
	SpoolDir   string // default: the system's temporary directory

	BackoffMin, BackoffMax time.Duration // full-jitter exponential reconnect backoff
	// ShutdownGrace is how long an in-flight Deliver and the LOGOUT may
	// still run after the context passed to Run or PollOnce is cancelled.
	ShutdownGrace time.Duration

	Logger *slog.Logger
	Locker Locker                                                            // optional
	Dial   func(ctx context.Context, network, addr string) (net.Conn, error) // optional, for tests
}

// withDefaults returns a copy of o with defaults filled in.
func (o Options) withDefaults() Options {
	if o.Security == "" {
		o.Security = SecurityTLS
	}
	if o.SpoolBytes == 0 {
		o.SpoolBytes = DefaultSpoolBytes
	}
	o.Security = strings.ToLower(o.Security)
	if o.Folder == "" {
		o.Folder = DefaultFolder
	}
	if o.PollInterval == 0 {
		o.PollInterval = DefaultPollInterval
	}
	if o.IdleRestart == 0 {
		o.IdleRestart = DefaultIdleRestart
	}
	if o.MaxMessageBytes == 0 {
		o.MaxMessageBytes = DefaultMaxMessageBytes
	}
	if o.FetchBatch == 0 {
		o.FetchBatch = DefaultFetchBatch
	}
	if o.BatchMessages == 0 {
		o.BatchMessages = DefaultBatchMessages
	}
	if o.BackoffMin == 0 {
		o.BackoffMin = DefaultBackoffMin
	}
	if o.BackoffMax == 0 {
		o.BackoffMax = DefaultBackoffMax
	}
	if o.ShutdownGrace == 0 {
		o.ShutdownGrace = DefaultShutdownGrace
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Dial == nil {
		d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
		o.Dial = d.DialContext
	}
	return o
}

// validate reports every problem of defaulted options at once. Messages
// name the field and never contain the password.
func (o Options) validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("mailin: %s: %s", field, fmt.Sprintf(format, args...)))
	}
	if strings.TrimSpace(o.Name) == "" {
		bad("Name", "required")
	}
	host, port, err := net.SplitHostPort(o.Addr)
	switch {
	case o.Addr == "":
		bad("Addr", "required (host:port)")
	case err != nil:
		bad("Addr", "%q is not host:port", o.Addr)
	case host == "" || port == "":
		bad("Addr", "%q needs both a host and a port", o.Addr)
	}
	switch o.Security {
	case SecurityTLS, SecurityStartTLS:
	case SecurityPlain:
		if err == nil && host != "" && !isLoopback(host) {
			bad("Security", "%q is allowed only for loopback hosts, not %q", o.Security, host)
		}
	default:
		bad("Security", "%q is not one of tls, starttls, plain", o.Security)
	}
	if o.Username == "" {
		bad("Username", "required")
	}
	if o.Password == "" {
		bad("Password", "required")
	}
	if o.ProcessedFolder != "" && strings.EqualFold(o.ProcessedFolder, o.Folder) {
		bad("ProcessedFolder", "must differ from Folder %q", o.Folder)
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"PollInterval", o.PollInterval}, {"IdleRestart", o.IdleRestart}, {"IdleCheck", o.IdleCheck},
		{"BackoffMin", o.BackoffMin}, {"BackoffMax", o.BackoffMax},
		{"ShutdownGrace", o.ShutdownGrace},
	} {
		if d.v < 0 {
			bad(d.name, "must not be negative (%v)", d.v)
		}
	}
	if o.BackoffMin > o.BackoffMax {
		bad("BackoffMin", "%v is greater than BackoffMax %v", o.BackoffMin, o.BackoffMax)
	}
	if o.MaxMessageBytes < 0 {
		bad("MaxMessageBytes", "must not be negative (%d)", o.MaxMessageBytes)
	}
	if o.FetchBatch < 0 {
		bad("FetchBatch", "must not be negative (%d)", o.FetchBatch)
	}
	if o.BatchMessages < 0 {
		bad("BatchMessages", "must not be negative (%d)", o.BatchMessages)
	}
	return errors.Join(errs...)
}

// isLoopback reports whether host names the local machine without
// resolving it: "localhost" or a loopback IP literal.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
