package mailout

import (
	"regexp"
	"strings"
	"testing"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

func mustSigner(t testing.TB, key []byte, prev ...[]byte) *Signer {
	t.Helper()
	s, err := NewSigner(key, prev...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestNewSignerKeyLength(t *testing.T) {
	tests := []struct {
		name string
		key  []byte
		prev [][]byte
		ok   bool
	}{
		{"nil", nil, nil, false},
		{"15 bytes", make([]byte, 15), nil, false},
		{"16 bytes", make([]byte, 16), nil, true},
		{"short previous", make([]byte, 32), [][]byte{make([]byte, 3)}, false},
		{"good previous", make([]byte, 32), [][]byte{make([]byte, 16)}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewSigner(tt.key, tt.prev...)
			if (err == nil) != tt.ok {
				t.Fatalf("NewSigner err = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

var tokenRE = regexp.MustCompile(`^[a-z0-9]+$`)

func TestTokenRoundTrip(t *testing.T) {
	s := mustSigner(t, testKey)
	tests := []struct {
		name         string
		ticket, part int64
		maxLen       int
	}{
		{"small", 1, 1, 17},
		{"typical", 12345, 678, 21},
		{"large", 2_000_000, 1_500_000, 24},
		{"zero", 0, 0, 17},
		{"max", 1<<63 - 1, 1<<63 - 1, 46},
		{"negative", -5, -7, 46},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := s.Token(tt.ticket, tt.part)
			if !tokenRE.MatchString(tok) {
				t.Fatalf("token %q not [a-z0-9]", tok)
			}
			if len(tok) < 16 || len(tok) > tt.maxLen {
				t.Fatalf("token %q has length %d, want 16..%d", tok, len(tok), tt.maxLen)
			}
			gt, gp, ok := s.Verify(tok)
			if !ok || gt != tt.ticket || gp != tt.part {
				t.Fatalf("Verify(%q) = %d, %d, %v", tok, gt, gp, ok)
			}
			gt, gp, ok = s.Verify(strings.ToUpper(tok))
			if !ok || gt != tt.ticket || gp != tt.part {
				t.Fatalf("Verify(upper %q) = %d, %d, %v", tok, gt, gp, ok)
			}
		})
	}
}

func TestTokenTampering(t *testing.T) {
	s := mustSigner(t, testKey)
	tok := s.Token(12345, 678)
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	for i := range len(tok) {
		for _, c := range alphabet {
			if byte(c) == tok[i] {
				continue
			}
			bad := tok[:i] + string(c) + tok[i+1:]
			if _, _, ok := s.Verify(bad); ok {
				t.Errorf("tampered token %q (pos %d) verified", bad, i)
			}
		}
		if _, _, ok := s.Verify(tok[:i] + tok[i+1:]); ok {
			t.Errorf("token with char %d deleted verified", i)
		}
		if _, _, ok := s.Verify(tok[:i] + "a" + tok[i:]); ok {
			t.Errorf("token with char inserted at %d verified", i)
		}
	}
	for _, bad := range []string{"", "1", "2" + tok[1:], tok + "a", tok[:len(tok)-1], " " + tok} {
		if _, _, ok := s.Verify(bad); ok {
			t.Errorf("Verify(%q) ok", bad)
		}
	}
}

func TestTokenKeys(t *testing.T) {
	oldKey := []byte("old-key-old-key-old-key!")
	old := mustSigner(t, oldKey)
	cur := mustSigner(t, testKey)
	rotated := mustSigner(t, testKey, oldKey)

	oldTok := old.Token(7, 9)
	if _, _, ok := cur.Verify(oldTok); ok {
		t.Fatal("token signed with another key verified")
	}
	if tk, p, ok := rotated.Verify(oldTok); !ok || tk != 7 || p != 9 {
		t.Fatalf("rotated signer rejected token signed with previous key: %d %d %v", tk, p, ok)
	}
	if rotated.Token(7, 9) != cur.Token(7, 9) {
		t.Fatal("rotated signer does not sign with the current key")
	}
	if cur.Token(7, 9) == cur.Token(7, 10) || cur.Token(7, 9) == cur.Token(8, 9) {
		t.Fatal("tokens for different ticket/participant collide")
	}
	if cur.Token(1, 23) == cur.Token(12, 3) {
		t.Fatal("token encoding is ambiguous")
	}
}

func TestReplyAddress(t *testing.T) {
	s := mustSigner(t, testKey)
	addr, err := s.ReplyAddress("sd@kgo66.ru", 123, 4)
	if err != nil {
		t.Fatal(err)
	}
	want := "sd+" + s.Token(123, 4) + "@kgo66.ru"
	if addr != want {
		t.Fatalf("ReplyAddress = %q, want %q", addr, want)
	}
	tok, ok := TokenFromAddress(strings.ToUpper(addr), "sd@kgo66.ru")
	if !ok {
		t.Fatal("TokenFromAddress failed on upper-cased reply address")
	}
	if tk, p, ok := s.Verify(tok); !ok || tk != 123 || p != 4 {
		t.Fatalf("Verify(from address) = %d %d %v", tk, p, ok)
	}
	for _, bad := range []string{"", "sd", "@kgo66.ru", "sd@", "a b@c", "sd@kgo66.ru\r\nBcc: x@y"} {
		if _, err := s.ReplyAddress(bad, 1, 1); err == nil {
			t.Errorf("ReplyAddress(%q) succeeded", bad)
		}
	}
}

func TestTokenFromAddress(t *testing.T) {
	tests := []struct {
		name, addr, support, want string
		ok                        bool
	}{
		{"basic", "sd+abc@kgo66.ru", "sd@kgo66.ru", "abc", true},
		{"domain case", "sd+abc@KGO66.ru", "sd@kgo66.ru", "abc", true},
		{"local case", "SD+ABC@kgo66.ru", "sd@kgo66.ru", "abc", true},
		{"brackets", " <sd+abc@kgo66.ru> ", "sd@kgo66.ru", "abc", true},
		{"plus in token", "sd+a+b@kgo66.ru", "sd@kgo66.ru", "a+b", true},
		{"support has plus", "sd+x+tok@kgo66.ru", "sd+x@kgo66.ru", "tok", true},
		{"no token", "sd@kgo66.ru", "sd@kgo66.ru", "", false},
		{"empty token", "sd+@kgo66.ru", "sd@kgo66.ru", "", false},
		{"other domain", "sd+abc@evil.ru", "sd@kgo66.ru", "", false},
		{"other local", "sdx+abc@kgo66.ru", "sd@kgo66.ru", "", false},
		{"prefix local", "s+abc@kgo66.ru", "sd@kgo66.ru", "", false},
		{"subdomain", "sd+abc@mail.kgo66.ru", "sd@kgo66.ru", "", false},
		{"garbage", "not an address", "sd@kgo66.ru", "", false},
		{"bad support", "sd+abc@kgo66.ru", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := TokenFromAddress(tt.addr, tt.support)
			if got != tt.want || ok != tt.ok {
				t.Fatalf("TokenFromAddress(%q, %q) = %q, %v; want %q, %v", tt.addr, tt.support, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func FuzzVerify(f *testing.F) {
	s := mustSigner(f, testKey)
	for _, seed := range []string{s.Token(1, 2), s.Token(123456, 789), strings.ToUpper(s.Token(5, 5)), "", "1", "1aaaaaaaaaaaaaaaa", "1" + strings.Repeat("7", 45), "2abc"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		tk, p, ok := s.Verify(tok)
		if !ok {
			return
		}
		// One token, one spelling (up to case).
		if got := s.Token(tk, p); got != strings.ToLower(tok) {
			t.Fatalf("Verify(%q) ok for (%d, %d) whose token is %q", tok, tk, p, got)
		}
	})
}

func FuzzTokenFromAddress(f *testing.F) {
	f.Add("sd+abc@kgo66.ru", "sd@kgo66.ru")
	f.Add("SD+ABC@KGO66.RU", "sd@kgo66.ru")
	f.Add("<sd+@x>", "sd@x")
	f.Add("+@", "@")
	f.Add("sd+a@b@c", "sd@b@c")
	f.Fuzz(func(t *testing.T, addr, support string) {
		tok, ok := TokenFromAddress(addr, support)
		if !ok {
			if tok != "" {
				t.Fatalf("not ok but token %q", tok)
			}
			return
		}
		if tok == "" || tok != strings.ToLower(tok) {
			t.Fatalf("bad token %q", tok)
		}
		if !strings.Contains(strings.ToLower(addr), "+"+tok+"@") {
			t.Fatalf("token %q not in address %q", tok, addr)
		}
	})
}
