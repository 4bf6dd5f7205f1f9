package mailmsg

import (
	"io"
	"strconv"
	"strings"
)

// walker descends the MIME tree of one message, collecting body text,
// attachments and the parts a bounce is made of.
type walker struct {
	opts      Options
	p         *problems
	dec       *decoder
	parts     int
	attBytes  int64
	textBytes int // body text decoded so far (all text parts)
	atts      []Attachment
	deepSeen  bool
	manySeen  bool

	// Delivery status report pieces, found under multipart/report or, for
	// non-standard bounces, anywhere.
	report      bool
	dsn         [][]byte // message/delivery-status bodies, transfer-decoded
	origHeaders []byte   // header section of the returned message

	readErr error // ParseReader: the first failure to read the message
}

// content is the body text a subtree contributes.
type content struct {
	plain []string
	html  []string
}

func (c *content) add(o content) {
	c.plain = append(c.plain, o.plain...)
	c.html = append(c.html, o.html...)
}

// entity is one MIME entity: its header and undecoded body, in memory or,
// for a large part of a message parsed by ParseReader, in sec.
type entity struct {
	hdr  *header
	body []byte
	sec  *io.SectionReader
}

func childPath(path string, i int) string {
	if path == "" {
		return strconv.Itoa(i + 1)
	}
	return path + "." + strconv.Itoa(i+1)
}

func partName(path string) string {
	if path == "" {
		return "the body"
	}
	return "part " + path
}

// walk handles one entity and returns the body text it contributes.
// inRelated marks non-root children of multipart/related.
func (w *walker) walk(e entity, depth int, path string, inRelated bool) content {
	if w.parts >= w.opts.MaxParts {
		if !w.manySeen {
			w.p.cutf("more than %d MIME parts; the rest not descended", w.opts.MaxParts)
			w.manySeen = true
		}
		return content{}
	}
	w.parts++
	ctRaw, hasCT := e.hdr.get("Content-Type")
	ct, params := parseMediaType(ctRaw, w.p)
	if !hasCT || ct == "" {
		ct = "text/plain"
	} else if !strings.Contains(ct, "/") {
		w.p.addf("malformed Content-Type %q in %s; treated as text/plain", singleLine(ctRaw), partName(path))
		ct = "text/plain"
	}
	cteRaw, _ := e.hdr.get("Content-Transfer-Encoding")
	cte := normalizeCTE(cteRaw)
	switch cte {
	case "", "7bit", "8bit", "binary", "base64", "quoted-printable":
	default:
		w.p.addf("unknown Content-Transfer-Encoding %q in %s; treated as 8bit", singleLine(cteRaw), partName(path))
		cte = "8bit"
	}
	dispRaw, _ := e.hdr.get("Content-Disposition")
	disp, dparams := parseMediaType(dispRaw, w.p)

	if strings.HasPrefix(ct, "multipart/") {
		return w.multipart(e, ct, params, depth, path)
	}
	filename := dparams["filename"]
	if filename == "" {
		filename = params["name"]
	}
	rawName := w.dec.words(filename)
	filename, bidi := cleanFilename(rawName)
	if stripped, _ := stripInvisible(rawName, false); stripped != rawName {
		w.p.addf("invisible or bidi control characters removed from the name of %s: %q", partName(path), singleLine(rawName))
	}

	switch ct {
	case "message/delivery-status", "message/global-delivery-status", "text/rfc822-headers", "message/global-headers", "message/rfc822", "message/global":
		e = w.inMemory(e) // read whole, as Parse has it
	}
	switch ct {
	case "message/delivery-status", "message/global-delivery-status":
		data, _, _ := decodeTransfer(e.body, cte, false)
		w.dsn = append(w.dsn, data)
		return content{}
	case "text/rfc822-headers", "message/global-headers":
		if w.report && w.origHeaders == nil {
			data, _, _ := decodeTransfer(e.body, cte, false)
			w.origHeaders = data
		}
		return content{}
	case "message/rfc822", "message/global":
		if w.origHeaders == nil {
			data, _, _ := decodeTransfer(e.body, cte, false)
			if hr, err := splitHeader(data, w.opts.MaxHeaderBytes); err == nil {
				if id, ok := hr.hdr.get("Message-Id"); ok {
					w.origHeaders = []byte("Message-Id: " + id + "\r\n")
				}
				if filename == "" {
					if subj, ok := hr.hdr.get("Subject"); ok {
						filename, _ = cleanFilename(singleLine(w.dec.words(subj)))
					}
				}
			}
		}
		if filename == "" {
			filename = "message"
		}
		if !strings.HasSuffix(strings.ToLower(filename), ".eml") {
			filename += ".eml"
		}
		w.attach(e, ct, cte, filename, disp, inRelated, path, false)
		return content{}
	}
	isBodyText := (ct == "text/plain" || ct == "text/html") && disp != "attachment" && filename == "" && !inRelated
	if !isBodyText {
		w.attach(e, ct, cte, filename, disp, inRelated, path, bidi)
		return content{}
	}
	text := w.text(w.textPrefix(e), cte, ct, params, path)
	if ct == "text/html" {
		return content{html: []string{text}}
	}
	return content{plain: []string{text}}
}

func (w *walker) multipart(e entity, ct string, params map[string]string, depth int, path string) content {
	if depth >= w.opts.MaxDepth {
		if !w.deepSeen {
			w.p.cutf("MIME nesting deeper than %d levels at %s; not descended", w.opts.MaxDepth, partName(path))
			w.deepSeen = true
		}
		w.atts = append(w.atts, Attachment{ContentType: ct, Size: e.bodySize(), Dropped: true, DropReason: DropTooDeep})
		return content{}
	}
	boundary := params["boundary"]
	if boundary == "" {
		w.p.addf("%s in %s has no boundary; body treated as text", ct, partName(path))
		return content{plain: []string{w.text(w.textPrefix(e), "8bit", "text/plain", nil, path)}}
	}
	limit := w.opts.MaxParts - w.parts
	if limit < 0 {
		limit = 0
	}
	var (
		raws                     [][]byte
		secs                     []*io.SectionReader // ParseReader's large body
		closed, found, truncated bool
	)
	if e.sec != nil {
		secs, closed, found, truncated = w.splitMultipartAt(e.sec, boundary, limit)
	} else {
		raws, closed, found, truncated = splitMultipart(e.body, boundary, limit)
	}
	if !found {
		w.p.addf("boundary of %s in %s never found; body treated as text", ct, partName(path))
		return content{plain: []string{w.text(w.textPrefix(e), "8bit", "text/plain", nil, path)}}
	}
	if !closed && !truncated {
		w.p.addf("missing closing boundary in %s", partName(path))
	}
	if truncated && !w.manySeen {
		w.p.cutf("more than %d MIME parts; the rest not descended", w.opts.MaxParts)
		w.manySeen = true
	}
	if ct == "multipart/report" && strings.EqualFold(params["report-type"], "delivery-status") {
		w.report = true
	}
	children := make([]entity, 0, len(raws)+len(secs))
	for _, raw := range raws {
		children = append(children, w.childEntity(raw))
	}
	for _, sec := range secs {
		children = append(children, w.childEntityAt(sec))
	}
	var out content
	switch ct {
	case "multipart/alternative":
		// The last alternative of each kind is the best one.
		for i, c := range children {
			got := w.walk(c, depth+1, childPath(path, i), false)
			if len(got.plain) > 0 {
				out.plain = got.plain
			}
			if len(got.html) > 0 {
				out.html = got.html
			}
		}
	case "multipart/related":
		root := 0
		if start := strings.Trim(params["start"], "<> "); start != "" {
			for i, c := range children {
				if id, _ := c.hdr.get("Content-Id"); strings.Trim(id, "<> ") == start {
					root = i
					break
				}
			}
		}
		for i, c := range children {
			got := w.walk(c, depth+1, childPath(path, i), i != root)
			out.add(got)
		}
	default: // mixed, report, signed, digest, unknown: everything in order
		for i, c := range children {
			out.add(w.walk(c, depth+1, childPath(path, i), false))
		}
	}
	return out
}

// childEntity parses the header of one body part. A part without header
// fields (it should start with a blank line) gets an empty header.
func (w *walker) childEntity(raw []byte) entity {
	hr, err := splitHeader(raw, w.opts.MaxHeaderBytes)
	if err != nil {
		body := raw
		if len(body) > 0 && body[0] == '\n' {
			body = body[1:]
		} else if len(body) > 1 && body[0] == '\r' && body[1] == '\n' {
			body = body[2:]
		}
		if err == ErrHeaderTooLarge {
			w.p.addf("oversized part header skipped")
		}
		return entity{hdr: &header{}, body: body}
	}
	return entity{hdr: &hr.hdr, body: hr.body}
}

// attach records a non-body part, enforcing the size limits without keeping
// the data of parts that are dropped.
//
// Every attachment is classified with RiskyAttachment (with
// Options.RiskyExtensions); bidi marks a name that had bidi controls
// removed, which is risky in itself.
func (w *walker) attach(e entity, ct, cte, filename, disp string, inRelated bool, path string, bidi bool) {
	cid, _ := e.hdr.get("Content-Id")
	cid = strings.TrimSpace(strings.Trim(strings.TrimSpace(cid), "<>"))
	a := Attachment{
		Filename:    filename,
		ContentType: ct,
		ContentID:   singleLine(cid),
		Inline:      disp == "inline" || (inRelated && disp != "attachment"),
	}
	var (
		n    int64
		bad  int
		head []byte
	)
	if e.sec != nil {
		n, bad = w.countAt(e.sec, cte)
		head = w.read(e.sec, 64)
	} else {
		_, n, bad = decodeTransfer(e.body, cte, true)
		head = e.body[:min(len(e.body), 64)]
	}
	a.Size = n
	switch {
	case n == 0 && cte == "base64" && len(strings.TrimSpace(string(head))) > 0:
		a.Dropped, a.DropReason = true, DropUndecodable
		w.p.addf("undecodable base64 in %s", partName(path))
	case n > w.opts.MaxAttachmentBytes:
		a.Dropped, a.DropReason = true, DropTooLarge
	case w.attBytes+n > w.opts.MaxTotalAttachmentBytes:
		a.Dropped, a.DropReason = true, DropTotalTooLarge
	case e.sec != nil:
		a.Data = w.decodeAt(e.sec, cte)
		w.attBytes += n
	default:
		data, _, _ := decodeTransfer(e.body, cte, false)
		if cte != "base64" && cte != "quoted-printable" {
			data = append([]byte(nil), data...) // do not alias the raw message
		}
		a.Data = data
		w.attBytes += n
	}
	a.Risky, a.RiskReason = RiskyAttachment(filename, ct, a.Data, w.opts.RiskyExtensions)
	if !a.Risky && bidi {
		a.Risky, a.RiskReason = true, RiskHiddenName+": bidi control characters in the name"
	}
	if bad > 0 && !a.Dropped {
		w.p.addf("%d invalid bytes skipped while decoding %s (%s)", bad, partName(path), cte)
	}
	w.atts = append(w.atts, a)
}

// cleanFilename keeps the last path element, removes invisible format
// characters (bidi controls, zero-width characters: see cleanName) and
// turns control characters into blanks. bidi tells whether characters that
// reorder the text were removed.
func cleanFilename(s string) (name string, bidi bool) {
	s, bidi = stripInvisible(s, false)
	return cleanPath(singleLine(s)), bidi
}

func cleanPath(s string) string {
	if i := strings.LastIndexAny(s, `/\`); i >= 0 {
		s = s[i+1:]
	}
	s = strings.TrimSpace(s)
	if s == "." || s == ".." {
		return ""
	}
	return s
}
