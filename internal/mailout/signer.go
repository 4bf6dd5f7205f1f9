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
// Version 2 adds the participant's token epoch, which `otvet staff revoke`
// raises so that every token issued before it stops verifying against the
// participant row while the row (and everything that refers to it) stays:
//
//	"2" || base32( uvarint(ticketID) || uvarint(participantID) || uvarint(epoch) || mac[:8] )
//	mac = HMAC-SHA256(key, "otvet-reply-v2" || 0x00 || uvarint(ticketID) || uvarint(participantID) || uvarint(epoch))
//
// Epoch 0 is always written as version 1 and epochs 1 and up only as version
// 2: a version-1 token is the epoch-0 token, every address sent before
// version 2 existed keeps its meaning, and each (ticket, participant, epoch)
// has exactly one spelling. The MAC contexts differ per version, so a MAC
// never carries over from one version's payload to the other's.
//
// The base32 alphabet is a-z and 2-7, so a token survives case-folding of
// the local part. The leading version digit cannot be a base32 character,
// which keeps future formats distinguishable.
const (
	tokenVersion1 = '1'
	tokenVersion2 = '2'
	macLen        = 8 // 64 bits
	minKeyLen     = 16
	macContext1   = "otvet-reply-v1\x00"
	macContext2   = "otvet-reply-v2\x00"
	// maxTokenLen bounds the work Verify does on hostile input: three
	// 10-byte varints plus the MAC, base32-encoded, plus the version.
	maxTokenLen = 1 + (8*(3*binary.MaxVarintLen64+macLen)+4)/5
)

var b32 = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// Signer makes and checks reply tokens that bind a ticket, a participant and
// the participant's token epoch. It is safe for concurrent use.
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

func tokenPayload(ticketID, participantID, epoch int64) []byte {
	buf := make([]byte, 0, 3*binary.MaxVarintLen64+macLen)
	buf = binary.AppendUvarint(buf, uint64(ticketID))
	buf = binary.AppendUvarint(buf, uint64(participantID))
	if epoch != 0 {
		buf = binary.AppendUvarint(buf, uint64(epoch))
	}
	return buf
}

func tokenMAC(key []byte, context string, payload []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(context))
	m.Write(payload)
	return m.Sum(nil)[:macLen]
}

// Token returns the reply token for a ticket, a participant and the
// participant's token epoch: lowercase [a-z0-9], 17 to 24 characters for ids
// below 2^21 and epoch 0, two or three more for an epoch below 2^14. A negative epoch is
// taken as 0 (epochs only grow from 0).
func (s *Signer) Token(ticketID, participantID, epoch int64) string {
	version, context := byte(tokenVersion1), macContext1
	if epoch < 0 {
		epoch = 0
	}
	if epoch > 0 {
		version, context = tokenVersion2, macContext2
	}
	p := tokenPayload(ticketID, participantID, epoch)
	p = append(p, tokenMAC(s.keys[0], context, p)...)
	return string(version) + b32.EncodeToString(p)
}

// Verify checks a token (case-insensitively, in constant time with respect
// to the MAC) against every key and returns the ticket, participant and
// epoch it was made for (epoch 0 for a version-1 token). Whether the epoch
// is still the participant's is for the caller to check.
func (s *Signer) Verify(token string) (ticketID, participantID, epoch int64, ok bool) {
	if len(token) < 2 || len(token) > maxTokenLen {
		return 0, 0, 0, false
	}
	var context string
	fields := 2
	switch token[0] {
	case tokenVersion1:
		context = macContext1
	case tokenVersion2:
		context, fields = macContext2, 3
	default:
		return 0, 0, 0, false
	}
	body := strings.ToLower(token[1:])
	raw, err := b32.DecodeString(body)
	if err != nil || len(raw) <= macLen || b32.EncodeToString(raw) != body {
		// The re-encoding check rejects tokens whose last character differs
		// only in the unused low bits: one token, one spelling.
		return 0, 0, 0, false
	}
	payload, mac := raw[:len(raw)-macLen], raw[len(raw)-macLen:]
	var v [3]uint64
	rest := payload
	for i := range fields {
		x, n := binary.Uvarint(rest)
		if n <= 0 {
			return 0, 0, 0, false
		}
		v[i], rest = x, rest[n:]
	}
	if len(rest) != 0 {
		return 0, 0, 0, false
	}
	t, p, e := int64(v[0]), int64(v[1]), int64(v[2])
	if fields == 3 && e <= 0 {
		return 0, 0, 0, false // epoch 0 is spelled as version 1 only
	}
	if !bytes.Equal(tokenPayload(t, p, e), payload) {
		return 0, 0, 0, false // non-canonical varint
	}
	match := 0
	for _, k := range s.keys {
		if hmac.Equal(tokenMAC(k, context, payload), mac) {
			match = 1
		}
	}
	if match == 0 {
		return 0, 0, 0, false
	}
	return t, p, e, true
}

// ReplyAddress returns support with the token for the ticket, participant and
// the participant's token epoch (store.Participant.TokenEpoch) added as a plus
// suffix: "sd@kgo66.ru" -> "sd+<token>@kgo66.ru".
func (s *Signer) ReplyAddress(support string, ticketID, participantID, epoch int64) (string, error) {
	local, domain, err := splitAddr(support)
	if err != nil {
		return "", err
	}
	return local + "+" + s.Token(ticketID, participantID, epoch) + "@" + domain, nil
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
