package mailin

import (
	"context"
	"strings"
	"testing"
	"time"
)

type nopSink struct{}

func (nopSink) Cursor(context.Context, string) (Cursor, error)         { return Cursor{}, nil }
func (nopSink) SetCursor(context.Context, string, Cursor) error        { return nil }
func (nopSink) Deliver(context.Context, string, uint32, Fetched) error { return nil }

func validOptions() Options {
	return Options{
		Name: "support", Addr: "imap.example.test:993", Username: "support@example.test", Password: "hunter2-secret",
	}
}

func TestNewValidation(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*Options)
		sink   Sink
		want   []string // substrings that must all appear; nil means valid
	}{
		{"valid defaults", func(*Options) {}, nopSink{}, nil},
		{"plain on loopback IPv4", func(o *Options) { o.Security, o.Addr = "plain", "127.0.0.1:143" }, nopSink{}, nil},
		{"plain on loopback IPv6", func(o *Options) { o.Security, o.Addr = "plain", "[::1]:143" }, nopSink{}, nil},
		{"plain on localhost", func(o *Options) { o.Security, o.Addr = "PLAIN", "localhost:143" }, nopSink{}, nil},
		{"starttls", func(o *Options) { o.Security = "starttls" }, nopSink{}, nil},
		{"plain on a remote host", func(o *Options) { o.Security = "plain" },
			nopSink{}, []string{`Security: "plain" is allowed only for loopback hosts, not "imap.example.test"`}},
		{"plain on a name resolving to loopback elsewhere", func(o *Options) { o.Security, o.Addr = "plain", "localhost.example.test:143" },
			nopSink{}, []string{"Security"}},
		{"unknown security", func(o *Options) { o.Security = "ssl" }, nopSink{}, []string{`Security: "ssl" is not one of`}},
		{"address without port", func(o *Options) { o.Addr = "imap.example.test" }, nopSink{}, []string{"Addr: "}},
		{"address without host", func(o *Options) { o.Addr = ":993" }, nopSink{}, []string{"Addr: "}},
		{"processed equals folder", func(o *Options) { o.ProcessedFolder = "inbox" }, nopSink{}, []string{"ProcessedFolder: must differ"}},
		{"backoff inverted", func(o *Options) { o.BackoffMin, o.BackoffMax = time.Minute, time.Second }, nopSink{}, []string{"BackoffMin: 1m0s is greater"}},
		{"negatives", func(o *Options) {
			o.PollInterval, o.IdleRestart, o.MaxMessageBytes, o.FetchBatch, o.BatchMessages = -1, -1, -1, -1, -1
		}, nopSink{}, []string{"PollInterval", "IdleRestart", "MaxMessageBytes", "FetchBatch", "BatchMessages"}},
		{"everything missing at once", func(o *Options) { *o = Options{} }, nil,
			[]string{"Name: required", "Addr: required", "Username: required", "Password: required", "sink: required"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := validOptions()
			tt.modify(&o)
			p, err := New(o, tt.sink)
			if tt.want == nil {
				if err != nil || p == nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("New accepted invalid options")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if o.Password != "" && strings.Contains(err.Error(), o.Password) {
				t.Errorf("error leaks the password: %v", err)
			}
		})
	}
}

func TestDefaults(t *testing.T) {
	p, err := New(validOptions(), nopSink{})
	if err != nil {
		t.Fatal(err)
	}
	o := p.opts
	if o.Security != SecurityTLS || o.Folder != "INBOX" || o.PollInterval != time.Minute ||
		o.IdleRestart != 25*time.Minute || o.MaxMessageBytes != 25<<20 || o.FetchBatch != 512 || o.BatchMessages != 256 ||
		o.BackoffMin != time.Second || o.BackoffMax != 5*time.Minute || o.ShutdownGrace != 30*time.Second ||
		o.Logger == nil || o.Dial == nil {
		t.Errorf("defaults not applied: %+v", o)
	}
}

func TestTLSConfigServerName(t *testing.T) {
	p, err := New(validOptions(), nopSink{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := p.tlsConfig()
	if cfg.ServerName != "imap.example.test" || cfg.InsecureSkipVerify {
		t.Errorf("tls config: server name %q, insecure %v", cfg.ServerName, cfg.InsecureSkipVerify)
	}
}
