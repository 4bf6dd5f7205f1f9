// Package mailmsg turns a raw RFC 5322 message into a Message: decoded
// headers, text and HTML bodies, attachments, threading ids, auto-reply and
// bounce signals and Authentication-Results. Parsing is defensive: every
// anomaly short of a missing header becomes a human-readable Problem instead
// of an error, and limits bound the work done on hostile input.
package mailmsg

import (
	"errors"
	"time"
)

// Sentinel errors returned by Parse.
var (
	// ErrHeaderTooLarge: the header section exceeds Options.MaxHeaderBytes.
	ErrHeaderTooLarge = errors.New("mailmsg: header section too large")
	// ErrNoHeader: the input has no usable header field.
	ErrNoHeader = errors.New("mailmsg: no header")
	// ErrInternal: a bug in the parser was caught (a recovered panic).
	ErrInternal = errors.New("mailmsg: internal error")
)

// Default limits, used when the corresponding Options field is zero.
const (
	DefaultMaxHeaderBytes          = 256 << 10
	DefaultMaxParts                = 500
	DefaultMaxDepth                = 20
	DefaultMaxAttachmentBytes      = 10 << 20
	DefaultMaxTotalAttachmentBytes = 25 << 20
	DefaultMaxTextBytes            = 1 << 20
)

// Options bound the work Parse does. The zero value means the defaults.
type Options struct {
	MaxHeaderBytes          int    // header section larger than this -> ErrHeaderTooLarge
	MaxParts                int    // MIME parts beyond this are not descended (Problem)
	MaxDepth                int    // nesting levels beyond this are not descended (Problem)
	MaxAttachmentBytes      int64  // larger attachments are Dropped ("too_large")
	MaxTotalAttachmentBytes int64  // attachments past this total are Dropped ("total_too_large")
	MaxTextBytes            int    // Text and HTML are each truncated to this many bytes (Problem)
	LoopHeader              string // e.g. "X-Otvet-Loop": when present, OwnLoop and LoopValue are set
	// SpamHeaders are "Header: value-prefix" verdicts of the MX that mark a
	// message as spam (nil: DefaultSpamHeaders; empty, not nil: none).
	SpamHeaders []string
	// RiskyExtensions are the extensions (lower case, with or without the
	// dot) that make an attachment Risky; nil means
	// DefaultRiskyExtensions(), an empty non-nil list flags by content only.
	RiskyExtensions []string

	// panicHook, when set, is called at the start of parsing; tests use it to
	// prove that a panic is turned into ErrInternal.
	panicHook func()
	// inMemory and headerWindow are ParseReader's partInMemory and
	// headerWindow (tests make them small).
	inMemory, headerWindow int64
}

func (o Options) withDefaults() Options {
	if o.MaxHeaderBytes <= 0 {
		o.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	if o.MaxParts <= 0 {
		o.MaxParts = DefaultMaxParts
	}
	if o.MaxDepth <= 0 {
		o.MaxDepth = DefaultMaxDepth
	}
	if o.MaxAttachmentBytes <= 0 {
		o.MaxAttachmentBytes = DefaultMaxAttachmentBytes
	}
	if o.MaxTotalAttachmentBytes <= 0 {
		o.MaxTotalAttachmentBytes = DefaultMaxTotalAttachmentBytes
	}
	if o.MaxTextBytes <= 0 {
		o.MaxTextBytes = DefaultMaxTextBytes
	}
	if o.inMemory <= 0 {
		o.inMemory = partInMemory
	}
	if o.headerWindow <= 0 {
		o.headerWindow = headerWindow
	}
	return o
}

// Address is a mailbox. Email keeps the local part as given and lower-cases
// the domain; Name is decoded (RFC 2047, raw 8-bit charsets).
type Address struct{ Name, Email string }

// Attachment is a non-body part. Data is nil when Dropped.
type Attachment struct {
	Filename, ContentType, ContentID string
	Inline                           bool
	Size                             int64 // decoded size, known even when dropped
	Data                             []byte
	Dropped                          bool
	DropReason                       string // "too_large", "total_too_large", "too_deep", "undecodable"
	// Risky: agents should be warned before opening it (a program, a
	// macro document, an archive holding one, a name disguised with bidi
	// controls). RiskReason is "<kind>: <detail>" with kind one of the
	// Risk constants (see RiskyAttachment); "" when not risky.
	Risky      bool
	RiskReason string
}

// Drop reasons.
const (
	DropTooLarge      = "too_large"
	DropTotalTooLarge = "total_too_large"
	DropTooDeep       = "too_deep"
	DropUndecodable   = "undecodable"
)

// Bounce is a delivery status notification (RFC 3464) or a recognised
// non-standard bounce.
type Bounce struct {
	OriginalMessageID string // without angle brackets
	Recipients        []BounceRecipient
	Permanent         bool // any recipient with Action failed and Status 5.x.x
}

// BounceRecipient is one per-recipient block of a DSN.
type BounceRecipient struct{ Email, Action, Status, Diagnostic string }

// AuthResult is one Authentication-Results header (RFC 8601). Only structure
// is kept; whether to trust it is the caller's decision.
type AuthResult struct {
	AuthServID string
	Methods    []AuthMethod
}

// AuthMethod is one resinfo: "dkim=pass header.d=example.org".
type AuthMethod struct {
	Method string            // lower-cased: "dkim", "spf", "dmarc", ...
	Result string            // lower-cased: "pass", "fail", "none", ...
	Reason string            // reason= value, if any
	Props  map[string]string // "header.d" -> "example.org"; keys lower-cased
}

// Message is the parsed form of a raw message.
type Message struct {
	MessageID   string   // without angle brackets; "" when absent
	InReplyTo   []string // ids without brackets
	References  []string
	From        *Address // nil when absent or unparseable
	FromRaw     string   // the From header as found (unfolded, valid UTF-8)
	Sender      *Address
	ReplyTo     []Address
	To          []Address
	Cc          []Address
	DeliveredTo []string
	ReturnPath  string // "" also for the null sender <>
	NullSender  bool   // Return-Path: <>
	Subject     string // decoded, single line, no control characters
	Date        time.Time

	Text         string // text body: valid UTF-8, NUL-free, "\n" line ends
	TextFromHTML bool   // Text was rendered from HTML
	HTML         string // the HTML body decoded to UTF-8, not sanitized
	Attachments  []Attachment

	AutoSubmitted string // lower-cased Auto-Submitted value
	Precedence    string // lower-cased Precedence value
	ListID        string
	Auto          bool   // never auto-reply to this message
	AutoReason    string // why Auto is true
	// Spam: the MX marked the message as spam (Options.SpamHeaders).
	Spam       bool
	SpamReason string
	OwnLoop    bool // Options.LoopHeader was present
	LoopValue  string

	Bounce      *Bounce
	AuthResults []AuthResult
	Problems    []string // non-fatal anomalies, in English
	// Cuts lists, in English, what the work budgets cut from this message
	// (a text part truncated, MIME parts or nesting not descended, HTML
	// rendering cut); each is also a Problem. Empty when nothing was cut.
	Cuts []string
	Size int // len(raw)

	hdr *header
	dec *decoder
}

// Header returns the first value of the named header field, decoded (RFC
// 2047 and raw 8-bit charsets) and made single-line; "" when absent.
func (m *Message) Header(name string) string {
	if m == nil || m.hdr == nil {
		return ""
	}
	v, ok := m.hdr.get(name)
	if !ok {
		return ""
	}
	return singleLine(m.dec.words(v))
}

// HeaderValues returns every value of the named header field, decoded.
func (m *Message) HeaderValues(name string) []string {
	if m == nil || m.hdr == nil {
		return nil
	}
	var out []string
	for _, v := range m.hdr.all(name) {
		out = append(out, singleLine(m.dec.words(v)))
	}
	return out
}
