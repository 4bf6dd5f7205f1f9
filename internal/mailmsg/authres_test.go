package mailmsg

import (
	"reflect"
	"testing"
)

func TestParseAuthResults(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want AuthResult
		ok   bool
	}{
		{
			name: "RFC 8601 example",
			in:   "example.com; spf=pass smtp.mailfrom=example.net",
			want: AuthResult{AuthServID: "example.com", Methods: []AuthMethod{{Method: "spf", Result: "pass", Props: map[string]string{"smtp.mailfrom": "example.net"}}}},
			ok:   true,
		},
		{
			name: "none",
			in:   "example.org 1; none",
			want: AuthResult{AuthServID: "example.org"},
			ok:   true,
		},
		{
			name: "comments everywhere and quoted values",
			in: `mx.otvet.example (Postfix) 1; dkim=pass (2048-bit key; unprotected) header.d=Example.org header.i="@example.org" header.b="abc"; ` +
				`spf=softfail (domain of transitioning a@b does not designate) smtp.mailfrom=a@b; dmarc=FAIL reason="policy (strict)" header.from=example.org`,
			want: AuthResult{AuthServID: "mx.otvet.example", Methods: []AuthMethod{
				{Method: "dkim", Result: "pass", Props: map[string]string{"header.d": "Example.org", "header.i": "@example.org", "header.b": "abc"}},
				{Method: "spf", Result: "softfail", Props: map[string]string{"smtp.mailfrom": "a@b"}},
				{Method: "dmarc", Result: "fail", Reason: "policy (strict)", Props: map[string]string{"header.from": "example.org"}},
			}},
			ok: true,
		},
		{
			name: "Exchange Online without authserv-id",
			in:   "spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=example.com; dkim=none (message not signed) header.d=none;dmarc=none action=none header.from=example.com;compauth=pass reason=100",
			want: AuthResult{Methods: []AuthMethod{
				{Method: "spf", Result: "pass", Props: map[string]string{"smtp.mailfrom": "example.com"}},
				{Method: "dkim", Result: "none", Props: map[string]string{"header.d": "none"}},
				{Method: "dmarc", Result: "none", Props: map[string]string{"action": "none", "header.from": "example.com"}},
				{Method: "compauth", Result: "pass", Reason: "100"},
			}},
			ok: true,
		},
		{
			name: "method version and nested comment",
			in:   "mx.example; dkim/1=pass (a (nested) comment) header.d=x.example",
			want: AuthResult{AuthServID: "mx.example", Methods: []AuthMethod{{Method: "dkim", Result: "pass", Props: map[string]string{"header.d": "x.example"}}}},
			ok:   true,
		},
		{
			name: "junk resinfo skipped",
			in:   "mx.example; ???; spf=pass",
			want: AuthResult{AuthServID: "mx.example", Methods: []AuthMethod{{Method: "spf", Result: "pass"}}},
			ok:   true,
		},
		{name: "empty", in: "  (only a comment) ", ok: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := parseAuthResults(tc.in)
			if ok != tc.ok {
				t.Fatalf("ok = %v", ok)
			}
			if tc.ok && !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestAuthResultsInMessage(t *testing.T) {
	m := mustParse(t, eml("From: a@b.c",
		"Authentication-Results: mx.otvet.example; dkim=pass header.d=b.c",
		"Authentication-Results: relay.example; spf=fail smtp.mailfrom=b.c",
		"Authentication-Results: (nothing)",
		"", "x"), Options{})
	if len(m.AuthResults) != 2 || m.AuthResults[0].AuthServID != "mx.otvet.example" || m.AuthResults[1].Methods[0].Result != "fail" {
		t.Errorf("AuthResults = %+v", m.AuthResults)
	}
	wantProblem(t, m, "unparseable Authentication-Results")
}
