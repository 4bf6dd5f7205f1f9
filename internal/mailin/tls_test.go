package mailin_test

import (
	"context"
	"strings"
	"testing"

	"github.com/otvet/otvet/internal/mailin"
	"github.com/otvet/otvet/internal/mailin/mailintest"
)

func TestSecurityModes(t *testing.T) {
	serverTLS, clientTLS := mailintest.SelfSignedTLS(t)
	tests := []struct {
		name     string
		server   mailintest.MemServerOptions
		security string
		trust    bool
		wantErr  string
	}{
		{"starttls", mailintest.MemServerOptions{TLSConfig: serverTLS}, mailin.SecurityStartTLS, true, ""},
		{"implicit tls", mailintest.MemServerOptions{TLSConfig: serverTLS, ImplicitTLS: true}, mailin.SecurityTLS, true, ""},
		{"untrusted certificate", mailintest.MemServerOptions{TLSConfig: serverTLS, ImplicitTLS: true}, mailin.SecurityTLS, false, "certificate"},
		{"starttls not offered", mailintest.MemServerOptions{}, mailin.SecurityStartTLS, true, "STARTTLS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := mailintest.StartMemServerWith(t, tt.server)
			acct := srv.Account
			if tt.server.TLSConfig != nil {
				acct.Security, acct.TLSConfig = mailin.SecurityStartTLS, clientTLS
				if tt.server.ImplicitTLS {
					acct.Security = mailin.SecurityTLS
				}
			}
			env := mailintest.NewEnv(t, acct, nil)
			mailintest.Append(t, env.Account.Client(t), env.Folder, mailintest.NewMessage(1, 100))
			opts := env.Options()
			opts.Security = tt.security
			opts.TLSConfig = nil
			if tt.trust {
				opts.TLSConfig = clientTLS
			}
			sink := mailintest.NewSink()
			p, err := mailin.New(opts, sink)
			if err != nil {
				t.Fatal(err)
			}
			st, err := p.PollOnce(context.Background())
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("PollOnce error = %v, want one mentioning %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || st.Delivered != 1 {
				t.Fatalf("PollOnce = %+v, %v; want 1 delivered", st, err)
			}
		})
	}
}
