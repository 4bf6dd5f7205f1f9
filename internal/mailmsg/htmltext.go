package mailmsg

import (
	"fmt"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// htmlToText renders HTML as readable plain text: script, style and head are
// dropped; block elements start new lines (paragraph-like ones leave a blank
// line); <br> is a line break; list items start with "- "; a link whose text
// differs from its URL keeps the URL as "text (url)"; entities are decoded;
// whitespace is collapsed except inside <pre>.
//
// The work is bounded: at most maxOut bytes are rendered (the rest of the
// document is not read), and list items deeper than maxListIndent levels
// are indented as at that level, so that deeply nested lists cost linear,
// not quadratic, output. What was cut is returned in English, for the
// message's Problems and Cuts.
func htmlToText(src string, maxOut int) (string, []string) {
	if maxOut <= 0 {
		maxOut = DefaultMaxTextBytes
	}
	r := htmlRenderer{}
	z := html.NewTokenizer(strings.NewReader(src))
	for {
		if r.b.Len() > maxOut {
			r.cuts = append(r.cuts, fmt.Sprintf("text rendered from HTML cut at %d bytes", maxOut))
			out := r.finish()
			return truncateUTF8(out, maxOut), r.cutNotes()
		}
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return r.finish(), r.cutNotes()
		case html.TextToken:
			if r.skip == 0 {
				r.text(string(z.Text()))
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			a := atom.Lookup(name)
			var href string
			if a == atom.A && hasAttr {
				for {
					k, v, more := z.TagAttr()
					if string(k) == "href" {
						href = strings.TrimSpace(string(v))
					}
					if !more {
						break
					}
				}
			}
			r.start(a, href, tt == html.SelfClosingTagToken)
		case html.EndTagToken:
			name, _ := z.TagName()
			r.end(atom.Lookup(name))
		}
	}
}

type htmlRenderer struct {
	b         strings.Builder
	skip      int  // inside script/style/head/...
	inHead    bool // head content is skipped until </head> or <body>
	pre       int
	nl        int  // newlines requested before the next text
	space     bool // a space requested before the next text
	lists     int
	prefix    string // list item marker waiting for its text
	cellCount int
	linkHref  string
	linkStart int
	inLink    bool
	maxLists  int // deepest list nesting seen
	cuts      []string
}

// maxListIndent is the deepest list level that is indented further.
const maxListIndent = 8

// cutNotes adds the list nesting cut, if any, to the cuts.
func (r *htmlRenderer) cutNotes() []string {
	if r.maxLists > maxListIndent {
		return append([]string{fmt.Sprintf("HTML list nesting cut at depth %d (the message nests %d levels)", maxListIndent, r.maxLists)}, r.cuts...)
	}
	return r.cuts
}

func skipped(a atom.Atom) bool {
	switch a {
	case atom.Script, atom.Style, atom.Title, atom.Noscript, atom.Template, atom.Object, atom.Svg, atom.Math:
		return true
	}
	return false
}

func blockLevel(a atom.Atom) int {
	switch a {
	case atom.P, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Blockquote,
		atom.Table, atom.Pre, atom.Hr, atom.Ul, atom.Ol, atom.Dl, atom.Figure:
		return 2
	case atom.Div, atom.Tr, atom.Li, atom.Dt, atom.Dd, atom.Section, atom.Article, atom.Header,
		atom.Footer, atom.Address, atom.Form, atom.Fieldset, atom.Center, atom.Caption, atom.Main,
		atom.Nav, atom.Aside, atom.Tbody, atom.Thead, atom.Tfoot, atom.Details, atom.Summary, atom.Body:
		return 1
	}
	return 0
}

func (r *htmlRenderer) requestNL(n int) {
	if r.b.Len() > 0 && n > r.nl {
		r.nl = n
	}
	r.space = false
}

func (r *htmlRenderer) start(a atom.Atom, href string, selfClosing bool) {
	switch {
	case a == atom.Head:
		if !selfClosing {
			r.inHead = true
			r.skip++
		}
		return
	case a == atom.Body && r.inHead:
		r.inHead = false
		r.skip--
	case skipped(a):
		if !selfClosing {
			r.skip++
		}
		return
	}
	if r.skip > 0 {
		return
	}
	switch a {
	case atom.Br:
		r.flushBreaks()
		r.b.WriteByte('\n')
		r.nl, r.space = 0, false
		return
	case atom.Ul, atom.Ol:
		r.lists++
		r.maxLists = max(r.maxLists, r.lists)
		if r.lists > 1 { // a nested list continues its item
			r.requestNL(1)
			return
		}
	case atom.Li:
		r.requestNL(1)
		depth := min(max(r.lists, 1), maxListIndent)
		r.prefix = strings.Repeat("  ", depth-1) + "- "
		return
	case atom.Pre:
		r.pre++
	case atom.Tr:
		r.cellCount = 0
	case atom.Td, atom.Th:
		if r.cellCount > 0 {
			r.space = true
		}
		r.cellCount++
	case atom.A:
		r.inLink, r.linkHref, r.linkStart = true, href, r.b.Len()
	case atom.Img:
		r.space = true
	}
	if n := blockLevel(a); n > 0 {
		r.requestNL(n)
	}
}

func (r *htmlRenderer) end(a atom.Atom) {
	switch {
	case a == atom.Head:
		if r.inHead {
			r.inHead = false
			r.skip--
		}
		return
	case skipped(a):
		if r.skip > 0 {
			r.skip--
		}
		return
	}
	if r.skip > 0 {
		return
	}
	switch a {
	case atom.Ul, atom.Ol:
		if r.lists > 0 {
			r.lists--
		}
		if r.lists > 0 {
			r.requestNL(1)
			return
		}
	case atom.Pre:
		if r.pre > 0 {
			r.pre--
		}
	case atom.A:
		if r.inLink {
			r.inLink = false
			r.closeLink()
		}
	}
	if n := blockLevel(a); n > 0 {
		r.requestNL(n)
	}
}

func (r *htmlRenderer) closeLink() {
	href := r.linkHref
	if href == "" || strings.HasPrefix(href, "#") || strings.HasPrefix(strings.ToLower(href), "javascript:") {
		return
	}
	if r.linkStart > r.b.Len() {
		return
	}
	text := strings.TrimSpace(r.b.String()[r.linkStart:])
	bare := strings.TrimPrefix(strings.TrimPrefix(href, "mailto:"), "tel:")
	if text == href || text == bare || strings.TrimSuffix(text, "/") == strings.TrimSuffix(bare, "/") ||
		strings.TrimPrefix(strings.TrimPrefix(href, "https://"), "http://") == strings.TrimSuffix(text, "/") {
		return
	}
	if text == "" {
		r.text(href)
		return
	}
	r.b.WriteString(" (")
	r.b.WriteString(singleLine(href))
	r.b.WriteByte(')')
}

func (r *htmlRenderer) text(t string) {
	if r.pre > 0 {
		r.flushBreaks()
		r.b.WriteString(strings.ReplaceAll(t, "\r\n", "\n"))
		return
	}
	for _, field := range splitSpace(t) {
		if field == "" {
			r.space = true
			continue
		}
		r.flushBreaks()
		if r.space && !r.atLineStart() {
			r.b.WriteByte(' ')
		}
		r.space = false
		r.b.WriteString(field)
	}
}

// splitSpace splits t into words, with "" standing for each whitespace run.
func splitSpace(t string) []string {
	var out []string
	start := -1
	for i, c := range t {
		ws := c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\u00a0'
		if ws {
			if start >= 0 {
				out = append(out, t[start:i])
				start = -1
			}
			if len(out) == 0 || out[len(out)-1] != "" {
				out = append(out, "")
			}
			continue
		}
		if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		out = append(out, t[start:])
	}
	return out
}

func (r *htmlRenderer) atLineStart() bool {
	s := r.b.String()
	return len(s) == 0 || s[len(s)-1] == '\n'
}

func (r *htmlRenderer) flushBreaks() {
	if r.nl > 0 && r.b.Len() > 0 {
		s := r.b.String()
		have := len(s) - len(strings.TrimRight(s, "\n"))
		for i := have; i < r.nl; i++ {
			r.b.WriteByte('\n')
		}
		r.space = false
	}
	r.nl = 0
	if r.prefix != "" {
		if !r.atLineStart() {
			r.b.WriteByte('\n')
		}
		r.b.WriteString(r.prefix)
		r.prefix = ""
		r.space = false
	}
}

// finish trims line ends and collapses runs of blank lines.
func (r *htmlRenderer) finish() string {
	lines := strings.Split(r.b.String(), "\n")
	var out strings.Builder
	out.Grow(r.b.Len())
	blank := 0
	for _, l := range lines {
		l = strings.TrimRight(l, " \t\u00a0")
		if strings.TrimSpace(l) == "" {
			blank++
			continue
		}
		if out.Len() > 0 {
			if blank > 0 {
				out.WriteString("\n\n")
			} else {
				out.WriteByte('\n')
			}
		}
		blank = 0
		out.WriteString(l)
	}
	return out.String()
}
