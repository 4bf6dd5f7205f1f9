package mailout

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
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
		name                string
		ticket, part, epoch int64
		version             byte
		maxLen              int
	}{
		{"small", 1, 1, 0, '1', 17},
		{"typical", 12345, 678, 0, '1', 21},
		{"large", 2_000_000, 1_500_000, 0, '1', 24},
		{"zero", 0, 0, 0, '1', 17},
		{"max", 1<<63 - 1, 1<<63 - 1, 0, '1', 46},
		{"negative", -5, -7, 0, '1', 46},
		{"epoch 1", 12345, 678, 1, '2', 23},
		{"epoch 300", 12345, 678, 300, '2', 24},
		{"max epoch", 1<<63 - 1, 1<<63 - 1, 1<<63 - 1, '2', maxTokenLen},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := s.Token(tt.ticket, tt.part, tt.epoch)
			if !tokenRE.MatchString(tok) {
				t.Fatalf("token %q not [a-z0-9]", tok)
			}
			if tok[0] != tt.version {
				t.Fatalf("token %q is not version %c", tok, tt.version)
			}
			if len(tok) < 16 || len(tok) > tt.maxLen {
				t.Fatalf("token %q has length %d, want 16..%d", tok, len(tok), tt.maxLen)
			}
			for _, spelling := range []string{tok, strings.ToUpper(tok)} {
				gt, gp, ge, ok := s.Verify(spelling)
				if !ok || gt != tt.ticket || gp != tt.part || ge != tt.epoch {
					t.Fatalf("Verify(%q) = %d, %d, %d, %v", spelling, gt, gp, ge, ok)
				}
			}
		})
	}
}

// Version 1 is the epoch-0 token: its bytes are exactly what the format had
// before epochs existed, so reply addresses already in mailboxes keep working.
func TestTokenVersion1Unchanged(t *testing.T) {
	s := mustSigner(t, testKey)
	p := binary.AppendUvarint(binary.AppendUvarint(nil, 12345), 678)
	m := hmac.New(sha256.New, testKey)
	m.Write([]byte("otvet-reply-v1\x00"))
	m.Write(p)
	want := "1" + b32.EncodeToString(append(p, m.Sum(nil)[:8]...))
	if got := s.Token(12345, 678, 0); got != want {
		t.Fatalf("Token(12345, 678, 0) = %q, want the version-1 token %q", got, want)
	}
	if s.Token(1, 2, -3) != s.Token(1, 2, 0) {
		t.Error("a negative epoch is not taken as 0")
	}
}

// Each epoch has its own token, and no token verifies as another epoch's.
func TestTokenEpochs(t *testing.T) {
	s := mustSigner(t, testKey)
	seen := map[string]int64{}
	for e := int64(0); e < 5; e++ {
		tok := s.Token(7, 9, e)
		if prev, dup := seen[tok]; dup {
			t.Fatalf("epochs %d and %d share token %q", prev, e, tok)
		}
		seen[tok] = e
		if _, _, ge, ok := s.Verify(tok); !ok || ge != e {
			t.Fatalf("epoch %d token verifies as epoch %d (%v)", e, ge, ok)
		}
	}
	// A version-2 spelling of epoch 0, and a version-1 token with a third
	// varint, never verify, even with a correct MAC.
	for _, c := range []struct {
		name, version, context string
		payload                []byte
	}{
		{"v2 with epoch 0", "2", "otvet-reply-v2\x00", binary.AppendUvarint(tokenPayload(7, 9, 0), 0)},
		{"v2 without epoch", "2", "otvet-reply-v2\x00", tokenPayload(7, 9, 0)},
		{"v1 with an epoch", "1", "otvet-reply-v1\x00", tokenPayload(7, 9, 3)},
		{"v1 payload under the v2 MAC", "1", "otvet-reply-v2\x00", tokenPayload(7, 9, 0)},
		{"v2 payload under the v1 MAC", "2", "otvet-reply-v1\x00", tokenPayload(7, 9, 3)},
	} {
		tok := c.version + b32.EncodeToString(append(c.payload, tokenMAC(testKey, c.context, c.payload)...))
		if _, _, _, ok := s.Verify(tok); ok {
			t.Errorf("%s: %q verified", c.name, tok)
		}
	}
}

func TestTokenTampering(t *testing.T) {
	s := mustSigner(t, testKey)
	for _, epoch := range []int64{0, 2} {
		tok := s.Token(12345, 678, epoch)
		tamper(t, s, tok)
	}
}

func tamper(t *testing.T, s *Signer, tok string) {
	t.Helper()
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	for i := range len(tok) {
		for _, c := range alphabet {
			if byte(c) == tok[i] {
				continue
			}
			bad := tok[:i] + string(c) + tok[i+1:]
			if _, _, _, ok := s.Verify(bad); ok {
				t.Errorf("tampered token %q (pos %d) verified", bad, i)
			}
		}
		if _, _, _, ok := s.Verify(tok[:i] + tok[i+1:]); ok {
			t.Errorf("token with char %d deleted verified", i)
		}
		if _, _, _, ok := s.Verify(tok[:i] + "a" + tok[i:]); ok {
			t.Errorf("token with char inserted at %d verified", i)
		}
	}
	for _, bad := range []string{"", "1", "2", "3" + tok[1:], "2" + tok[1:], "1" + tok[1:], tok + "a", tok[:len(tok)-1], " " + tok} {
		if bad == tok {
			continue
		}
		if _, _, _, ok := s.Verify(bad); ok {
			t.Errorf("Verify(%q) ok", bad)
		}
	}
}

func TestTokenKeys(t *testing.T) {
	oldKey := []byte("old-key-old-key-old-key!")
	old := mustSigner(t, oldKey)
	cur := mustSigner(t, testKey)
	rotated := mustSigner(t, testKey, oldKey)

	third := []byte("third key, retired long ago......")
	for _, epoch := range []int64{0, 4} {
		oldTok := old.Token(7, 9, epoch)
		if _, _, _, ok := cur.Verify(oldTok); ok {
			t.Fatal("token signed with another key verified")
		}
		if tk, p, e, ok := rotated.Verify(oldTok); !ok || tk != 7 || p != 9 || e != epoch {
			t.Fatalf("rotated signer rejected token signed with previous key: %d %d %d %v", tk, p, e, ok)
		}
		// The order of the previous keys does not matter, and a dropped key verifies no more.
		if _, _, _, ok := mustSigner(t, testKey, third, oldKey).Verify(oldTok); !ok {
			t.Fatal("second previous key not accepted")
		}
		if _, _, _, ok := mustSigner(t, testKey, third).Verify(oldTok); ok {
			t.Fatal("token signed with a dropped key verified")
		}
		if rotated.Token(7, 9, epoch) != cur.Token(7, 9, epoch) {
			t.Fatal("rotated signer does not sign with the current key")
		}
	}
	if cur.Token(7, 9, 0) == cur.Token(7, 10, 0) || cur.Token(7, 9, 0) == cur.Token(8, 9, 0) {
		t.Fatal("tokens for different ticket/participant collide")
	}
	if cur.Token(1, 23, 0) == cur.Token(12, 3, 0) || cur.Token(1, 23, 4) == cur.Token(12, 3, 4) || cur.Token(1, 2, 34) == cur.Token(1, 23, 4) {
		t.Fatal("token encoding is ambiguous")
	}
}

func TestReplyAddress(t *testing.T) {
	s := mustSigner(t, testKey)
	addr, err := s.ReplyAddress("sd@kgo66.ru", 123, 4, 2)
	if err != nil {
		t.Fatal(err)
	}
	want := "sd+" + s.Token(123, 4, 2) + "@kgo66.ru"
	if addr != want {
		t.Fatalf("ReplyAddress = %q, want %q", addr, want)
	}
	tok, ok := TokenFromAddress(strings.ToUpper(addr), "sd@kgo66.ru")
	if !ok {
		t.Fatal("TokenFromAddress failed on upper-cased reply address")
	}
	if tk, p, e, ok := s.Verify(tok); !ok || tk != 123 || p != 4 || e != 2 {
		t.Fatalf("Verify(from address) = %d %d %d %v", tk, p, e, ok)
	}
	for _, bad := range []string{"", "sd", "@kgo66.ru", "sd@", "a b@c", "sd@kgo66.ru\r\nBcc: x@y"} {
		if _, err := s.ReplyAddress(bad, 1, 1, 0); err == nil {
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
	for _, seed := range []string{s.Token(1, 2, 0), s.Token(123456, 789, 0), strings.ToUpper(s.Token(5, 5, 0)), s.Token(5, 5, 1), s.Token(123456, 789, 1000),
		"", "1", "1aaaaaaaaaaaaaaaa", "1" + strings.Repeat("7", 45), "2abc", "2" + strings.Repeat("7", 60)} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		tk, p, e, ok := s.Verify(tok)
		if !ok {
			return
		}
		// One token, one spelling (up to case).
		if got := s.Token(tk, p, e); got != strings.ToLower(tok) {
			t.Fatalf("Verify(%q) ok for (%d, %d, %d) whose token is %q", tok, tk, p, e, got)
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
