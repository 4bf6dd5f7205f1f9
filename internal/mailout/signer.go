// Package mailout builds and sends Otvet's outgoing mail: signed reply
// addresses, templates, RFC 5322 composition and SMTP submission with errors
// classified as temporary or permanent.
package mailout

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// Token format, version 1 ("1" followed by lowercase unpadded base32):
//
//	"1" || base32( uvarint(ticketID) || uvarint(participantID) || mac[:8] )
//	mac = HMAC-SHA256(key, "otvet-reply-v1" || 0x00 || uvarint(ticketID) || uvarint(participantID))
//
// The base32 alphabet is a-z and 2-7, so a token survives case-folding of
// the local part. The leading version digit cannot be a base32 character,
// which keeps future formats distinguishable.
const (
	tokenVersion1 = '1'
	macLen        = 8 // 64 bits
	minKeyLen     = 16
	macContext    = "otvet-reply-v1\x00"
	// maxTokenLen bounds the work Verify does on hostile input: two
	// 10-byte varints plus the MAC, base32-encoded, plus the version.
	maxTokenLen = 1 + (8*(2*binary.MaxVarintLen64+macLen)+4)/5
)

var b32 = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// Signer makes and checks reply tokens that bind a ticket and a participant.
// It is safe for concurrent use.
type Signer struct {
	keys [][]byte // keys[0] signs; all verify
}

// NewSigner returns a Signer that signs with key. Previous keys, if any, are
// still accepted by Verify so that replies to mail sent before a key rotation
// keep working. Every key must be at least 16 bytes.
func NewSigner(key []byte, previous ...[]byte) (*Signer, error) {
	all := append([][]byte{key}, previous...)
	s := &Signer{keys: make([][]byte, 0, len(all))}
	for i, k := range all {
		if len(k) < minKeyLen {
			return nil, fmt.Errorf("mailout: signing key %d is %d bytes, need at least %d", i, len(k), minKeyLen)
		}
		s.keys = append(s.keys, append([]byte(nil), k...))
	}
	return s, nil
}

func tokenPayload(ticketID, participantID int64) []byte {
	buf := make([]byte, 0, 2*binary.MaxVarintLen64+macLen)
	buf = binary.AppendUvarint(buf, uint64(ticketID))
	buf = binary.AppendUvarint(buf, uint64(participantID))
	return buf
}

func tokenMAC(key, payload []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(macContext))
	m.Write(payload)
	return m.Sum(nil)[:macLen]
}

// Token returns the reply token for a ticket and participant: lowercase
// [a-z0-9], 17 to 24 characters for ids below 2^21.
func (s *Signer) Token(ticketID, participantID int64) string {
	p := tokenPayload(ticketID, participantID)
	p = append(p, tokenMAC(s.keys[0], p)...)
	return string(tokenVersion1) + b32.EncodeToString(p)
}

// Verify checks a token (case-insensitively, in constant time with respect
// to the MAC) and returns the ticket and participant it was made for.
func (s *Signer) Verify(token string) (ticketID, participantID int64, ok bool) {
	if len(token) < 2 || len(token) > maxTokenLen || token[0] != tokenVersion1 {
		return 0, 0, false
	}
	body := strings.ToLower(token[1:])
	raw, err := b32.DecodeString(body)
	if err != nil || len(raw) <= macLen || b32.EncodeToString(raw) != body {
		// The re-encoding check rejects tokens whose last character differs
		// only in the unused low bits: one token, one spelling.
		return 0, 0, false
	}
	payload, mac := raw[:len(raw)-macLen], raw[len(raw)-macLen:]
	t, n1 := binary.Uvarint(payload)
	if n1 <= 0 {
		return 0, 0, false
	}
	p, n2 := binary.Uvarint(payload[n1:])
	if n2 <= 0 || n1+n2 != len(payload) {
		return 0, 0, false
	}
	if !bytes.Equal(tokenPayload(int64(t), int64(p)), payload) {
		return 0, 0, false // non-canonical varint
	}
	match := 0
	for _, k := range s.keys {
		if hmac.Equal(tokenMAC(k, payload), mac) {
			match = 1
		}
	}
	if match == 0 {
		return 0, 0, false
	}
	return int64(t), int64(p), true
}

// ReplyAddress returns support with the token added as a plus suffix:
// "sd@kgo66.ru" -> "sd+<token>@kgo66.ru".
func (s *Signer) ReplyAddress(support string, ticketID, participantID int64) (string, error) {
	local, domain, err := splitAddr(support)
	if err != nil {
		return "", err
	}
	return local + "+" + s.Token(ticketID, participantID) + "@" + domain, nil
}

var errBadAddress = errors.New("mailout: malformed address")

// splitAddr splits a bare address at its last "@". It rejects empty parts and
// characters that never belong in an address we generate.
func splitAddr(addr string) (local, domain string, err error) {
	i := strings.LastIndexByte(addr, '@')
	if i <= 0 || i == len(addr)-1 || strings.ContainsAny(addr, " \t\r\n\x00<>,;\"") {
		return "", "", fmt.Errorf("%w: %q", errBadAddress, addr)
	}
	return addr[:i], addr[i+1:], nil
}

// TokenFromAddress extracts the plus-suffix token from addr when addr is the
// support address with a suffix. Local parts and domains are compared
// case-insensitively; the token is returned in lowercase. Surrounding angle
// brackets and spaces are ignored.
func TokenFromAddress(addr, support string) (token string, ok bool) {
	addr = strings.TrimSpace(addr)
	addr = strings.TrimSuffix(strings.TrimPrefix(addr, "<"), ">")
	local, domain, err := splitAddr(addr)
	if err != nil {
		return "", false
	}
	sLocal, sDomain, err := splitAddr(strings.TrimSpace(support))
	if err != nil || !strings.EqualFold(domain, sDomain) {
		return "", false
	}
	n := len(sLocal)
	if len(local) <= n+1 || local[n] != '+' || !strings.EqualFold(local[:n], sLocal) {
		return "", false
	}
	return strings.ToLower(local[n+1:]), true
}
