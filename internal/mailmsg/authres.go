package mailmsg

import "strings"

// parseAuthResults parses one Authentication-Results value (RFC 8601):
//
//	mx.example.org 1; dkim=pass (good) header.d=example.org; spf=none
//
// It is lenient: comments are skipped anywhere, values may be quoted, the
// authserv-id may be missing (Exchange Online omits it), unknown syntax is
// skipped up to the next ';'. ok is false when nothing could be parsed.
func parseAuthResults(v string) (AuthResult, bool) {
	toks := authTokens(v)
	var r AuthResult
	i := 0
	// authserv-id, unless the value starts directly with "method=".
	if i < len(toks) && toks[i].kind == tokWord && !(i+1 < len(toks) && toks[i+1].kind == tokEq) {
		r.AuthServID = toks[i].text
		i++
		// optional version
		if i < len(toks) && toks[i].kind == tokWord && isDigits(toks[i].text) {
			i++
		}
	} else if i < len(toks) && toks[i].kind == tokQuoted {
		r.AuthServID = toks[i].text
		i++
	}
	for i < len(toks) {
		// Collect one resinfo up to ';'.
		j := i
		for j < len(toks) && toks[j].kind != tokSemi {
			j++
		}
		if m, ok := parseResinfo(toks[i:j]); ok {
			r.Methods = append(r.Methods, m)
		}
		i = j + 1
		if len(r.Methods) >= 100 {
			break
		}
	}
	return r, r.AuthServID != "" || len(r.Methods) > 0
}

func parseResinfo(toks []authToken) (AuthMethod, bool) {
	var m AuthMethod
	// Pairs: word '=' value.
	for k := 0; k+2 < len(toks); {
		key, eq, val := toks[k], toks[k+1], toks[k+2]
		if key.kind != tokWord || eq.kind != tokEq || val.kind == tokEq || val.kind == tokSemi {
			k++
			continue
		}
		name := strings.ToLower(key.text)
		if m.Method == "" {
			if s := strings.IndexByte(name, '/'); s >= 0 {
				name = name[:s] // method version
			}
			m.Method, m.Result = name, strings.ToLower(val.text)
		} else if name == "reason" {
			m.Reason = val.text
		} else {
			if m.Props == nil {
				m.Props = make(map[string]string, 2)
			}
			if _, dup := m.Props[name]; !dup {
				m.Props[name] = val.text
			}
		}
		k += 3
	}
	return m, m.Method != ""
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

type tokKind int

const (
	tokWord tokKind = iota
	tokQuoted
	tokEq
	tokSemi
)

type authToken struct {
	kind tokKind
	text string
}

// authTokens splits v into words, quoted strings, '=' and ';', dropping
// whitespace and (nested) comments.
func authTokens(v string) []authToken {
	var toks []authToken
	for i := 0; i < len(v); {
		c := v[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			i++
		case c == '(':
			depth := 0
			for i < len(v) {
				switch v[i] {
				case '\\':
					i++
				case '(':
					depth++
				case ')':
					depth--
				}
				i++
				if depth == 0 {
					break
				}
			}
		case c == '"':
			var b strings.Builder
			i++
			for i < len(v) && v[i] != '"' {
				if v[i] == '\\' && i+1 < len(v) {
					i++
				}
				b.WriteByte(v[i])
				i++
			}
			i++ // closing quote
			toks = append(toks, authToken{tokQuoted, b.String()})
		case c == '=':
			toks = append(toks, authToken{tokEq, "="})
			i++
		case c == ';':
			toks = append(toks, authToken{tokSemi, ";"})
			i++
		default:
			j := i
			for j < len(v) && !strings.ContainsRune(" \t\r\n()\"=;", rune(v[j])) {
				j++
			}
			toks = append(toks, authToken{tokWord, v[i:j]})
			i = j
		}
		if len(toks) > 2000 {
			break
		}
	}
	return toks
}
