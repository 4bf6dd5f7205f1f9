package mailmsg

import (
	"errors"
	"fmt"
	"strings"
)

// Parse parses raw into a Message. It returns an error only when there is
// no usable header (ErrNoHeader, ErrHeaderTooLarge) or, should the parser
// have a bug, ErrInternal; everything else is best effort and noted in
// Message.Problems. It never panics and never returns (nil, nil).
func Parse(raw []byte, opts Options) (msg *Message, err error) {
	defer func() {
		if r := recover(); r != nil {
			msg, err = nil, fmt.Errorf("%w: panic: %v", ErrInternal, r)
		}
	}()
	opts = opts.withDefaults()
	if opts.panicHook != nil {
		opts.panicHook()
	}
	return parse(raw, opts)
}

func parse(raw []byte, opts Options) (*Message, error) {
	hr, err := splitHeader(raw, opts.MaxHeaderBytes)
	if err != nil {
		if errors.Is(err, ErrHeaderTooLarge) {
			return nil, fmt.Errorf("%w (limit %d bytes)", err, opts.MaxHeaderBytes)
		}
		return nil, err
	}
	return finish(&hr, entity{hdr: &hr.hdr, body: hr.body}, len(raw), &walker{opts: opts})
}

// finish parses a message whose header section is hr and whose body is
// body (in memory, or read by ParseReader), of size bytes in all.
func finish(hr *headerResult, body entity, size int, w *walker) (*Message, error) {
	opts := w.opts
	p := &problems{}
	m := &Message{Size: size, hdr: &hr.hdr}
	if hr.noBlank {
		p.addf("no blank line between header and body")
	}
	if hr.badLines > 0 {
		p.addf("%d malformed header lines skipped", hr.badLines)
	}
	dec := &decoder{p: p}
	m.dec = dec
	h := &hr.hdr
	dec.hint = headerCharsetHint(h, hr.body)

	parseEnvelope(m, h, dec, p)

	w.p, w.dec = p, dec
	c := w.walk(body, 0, "", false)
	m.Attachments = w.atts
	m.Text = joinTexts(c.plain, "\n\n")
	m.HTML = joinTexts(c.html, "\n")
	if len(m.Text) > opts.MaxTextBytes {
		m.Text = truncateUTF8(m.Text, opts.MaxTextBytes)
		p.cutf("text parts together truncated to %d bytes", opts.MaxTextBytes)
	}
	if len(m.HTML) > opts.MaxTextBytes {
		m.HTML = truncateUTF8(m.HTML, opts.MaxTextBytes)
		p.cutf("HTML parts together truncated to %d bytes", opts.MaxTextBytes)
	}
	if m.Text == "" && m.HTML != "" {
		var cuts []string
		m.Text, cuts = htmlToText(m.HTML, opts.MaxTextBytes)
		m.TextFromHTML = true
		for _, c := range cuts {
			p.cutf("%s", c)
		}
	}
	m.Bounce = w.bounce(m, h)
	autoSignals(m, h, opts.LoopHeader)
	spamSignals(m, h, opts.SpamHeaders)

	for _, v := range h.all("Authentication-Results") {
		if len(m.AuthResults) >= 50 {
			break
		}
		if ar, ok := parseAuthResults(v); ok {
			m.AuthResults = append(m.AuthResults, ar)
		} else {
			p.addf("unparseable Authentication-Results header")
		}
	}
	m.Problems = p.result()
	m.Cuts = p.cuts
	return m, nil
}

func joinTexts(parts []string, sep string) string {
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	nonEmpty := parts[:0:0]
	for _, s := range parts {
		if strings.TrimSpace(s) != "" {
			nonEmpty = append(nonEmpty, s)
		}
	}
	return strings.Join(nonEmpty, sep)
}

// headerCharsetHint picks the charset for raw 8-bit header bytes: the
// top-level charset parameter when it is a single-byte or UTF-8 charset,
// else detection over all the raw 8-bit header bytes together (more text
// gives a surer guess than one field alone).
func headerCharsetHint(h *header, body []byte) string {
	var raw []byte
	for _, f := range h.fields {
		if !isASCIIString(f.value) {
			raw = append(raw, f.value...)
			raw = append(raw, ' ')
		}
	}
	if raw == nil {
		return ""
	}
	if ct, ok := h.get("Content-Type"); ok {
		_, params := parseMediaType(ct, &problems{})
		if cs := canonicalCharset(params["charset"]); cs != "" && cs != "us-ascii" {
			if cs == csUTF8 || charmapFor(cs) != nil {
				return cs
			}
		}
	}
	return detect(raw)
}

// parseEnvelope fills the header-derived fields.
func parseEnvelope(m *Message, h *header, dec *decoder, p *problems) {
	if v, ok := h.get("Message-Id"); ok {
		if ids := parseIDs(v); len(ids) > 0 {
			m.MessageID = ids[0]
		}
	}
	if v, ok := h.get("In-Reply-To"); ok {
		m.InReplyTo = parseIDs(v)
	}
	if v, ok := h.get("References"); ok {
		m.References = parseIDs(v)
	}
	if v, ok := h.get("Subject"); ok {
		m.Subject = singleLine(dec.words(v))
	}
	if v, ok := h.get("Date"); ok {
		if t, good := parseDate(v); good {
			m.Date = t
		} else {
			p.addf("unparseable Date %q", truncateUTF8(singleLine(dec.words8bit(v)), 80))
		}
	}
	if v, ok := h.get("From"); ok {
		m.FromRaw = singleLine(dec.words8bit(v))
		list, clean := dec.parseAddressList(v)
		switch {
		case len(list) > 0 && clean:
			m.From = &list[0]
		case len(list) > 0:
			m.From = &list[0]
			p.addf("malformed From %q; address salvaged as %s", truncateUTF8(m.FromRaw, 120), list[0].Email)
		default:
			p.addf("unparseable From %q", truncateUTF8(m.FromRaw, 120))
		}
	} else {
		p.addf("no From header")
	}
	if v, ok := h.get("Sender"); ok {
		if list, _ := dec.parseAddressList(v); len(list) > 0 {
			m.Sender = &list[0]
		}
	}
	m.ReplyTo = addressHeader(h, "Reply-To", dec, p)
	m.To = addressHeader(h, "To", dec, p)
	m.Cc = addressHeader(h, "Cc", dec, p)
	for _, v := range h.all("Delivered-To") {
		if a, ok := normalizeAddr(strings.Trim(strings.TrimSpace(v), "<>")); ok {
			m.DeliveredTo = append(m.DeliveredTo, singleLine(a))
		}
	}
	if v, ok := h.get("Return-Path"); ok {
		rp := strings.TrimSpace(v)
		if i := strings.IndexByte(rp, '('); i >= 0 { // trailing comment
			rp = strings.TrimSpace(rp[:i])
		}
		rp = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(rp, "<"), ">"))
		if rp == "" {
			m.NullSender = true
		} else if a, ok := normalizeAddr(rp); ok {
			m.ReturnPath = singleLine(a)
		} else {
			m.ReturnPath = singleLine(dec.words8bit(rp))
		}
	}
}

func addressHeader(h *header, name string, dec *decoder, p *problems) []Address {
	var out []Address
	for _, v := range h.all(name) {
		list, clean := dec.parseAddressList(v)
		if !clean {
			p.addf("malformed %s header; %d addresses salvaged", name, len(list))
		}
		out = append(out, list...)
		if len(out) > 1000 {
			break
		}
	}
	return out
}
