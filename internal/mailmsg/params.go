package mailmsg

import (
	"sort"
	"strconv"
	"strings"
)

// parseMediaType parses a Content-Type or Content-Disposition value
// leniently: unquoted values with spaces, missing semicolons, duplicate
// parameters (first wins) and RFC 2231 extended and continued parameters in
// any charset. Parameter names are lower-cased; the media type too.
func parseMediaType(v string, p *problems) (string, map[string]string) {
	v = strings.TrimSpace(v)
	mt := v
	rest := ""
	if i := strings.IndexByte(v, ';'); i >= 0 {
		mt, rest = v[:i], v[i+1:]
	} else if i := strings.IndexAny(v, " \t"); i >= 0 {
		mt, rest = v[:i], v[i+1:]
	}
	mt = strings.ToLower(strings.TrimSpace(mt))
	if rest == "" {
		return mt, nil
	}
	params := make(map[string]string, 2)
	type seg struct {
		idx     int
		encoded bool
		val     string
	}
	var ext map[string][]seg
	s := rest
	for {
		s = strings.TrimLeft(s, " \t;")
		if s == "" {
			break
		}
		eq := strings.IndexByte(s, '=')
		semi := strings.IndexByte(s, ';')
		if eq < 0 || (semi >= 0 && semi < eq) {
			// A parameter without a value: skip it.
			if semi < 0 {
				break
			}
			s = s[semi+1:]
			continue
		}
		name := strings.ToLower(strings.TrimSpace(s[:eq]))
		s = strings.TrimLeft(s[eq+1:], " \t")
		var val string
		if strings.HasPrefix(s, `"`) {
			val, s = unquote(s)
		} else {
			end := strings.IndexByte(s, ';')
			if end < 0 {
				end = len(s)
			}
			raw := s[:end]
			// "charset=utf-8 format=flowed": a missing semicolon.
			if k := nextParamStart(raw); k > 0 {
				raw, end = raw[:k], k
			}
			val, s = strings.TrimSpace(raw), s[end:]
		}
		if name == "" {
			continue
		}
		base, idx, encoded, isExt := splitExtName(name)
		if !isExt {
			if _, dup := params[name]; !dup {
				params[name] = val
			}
			continue
		}
		if ext == nil {
			ext = make(map[string][]seg)
		}
		if len(ext[base]) < 100 {
			ext[base] = append(ext[base], seg{idx, encoded, val})
		}
	}
	for base, segs := range ext {
		sort.SliceStable(segs, func(i, j int) bool { return segs[i].idx < segs[j].idx })
		cs := ""
		var buf []byte
		for i, sg := range segs {
			val := sg.val
			if sg.encoded {
				if i == 0 {
					// charset'language'value
					if a := strings.IndexByte(val, '\''); a >= 0 {
						if b := strings.IndexByte(val[a+1:], '\''); b >= 0 {
							cs = val[:a]
							val = val[a+1+b+1:]
						}
					}
				}
				buf = append(buf, pctDecode(val)...)
			} else {
				buf = append(buf, val...)
			}
		}
		if cs == "" {
			cs = csUTF8
		}
		params[base], _ = toUTF8(buf, cs, "parameter "+base, p)
	}
	return mt, params
}

// splitExtName splits "filename*1*" into ("filename", 1, true, true).
func splitExtName(name string) (base string, idx int, encoded, isExt bool) {
	star := strings.IndexByte(name, '*')
	if star < 0 {
		return name, 0, false, false
	}
	base, rest := name[:star], name[star+1:]
	if rest == "" {
		return base, 0, true, true
	}
	encoded = strings.HasSuffix(rest, "*")
	rest = strings.TrimSuffix(rest, "*")
	n, err := strconv.Atoi(rest)
	if err != nil || n < 0 || n > 999 {
		return name, 0, false, false
	}
	return base, n, encoded, true
}

// nextParamStart finds " name=" inside an unquoted value, i.e. a following
// parameter whose semicolon is missing. It returns its offset or -1.
func nextParamStart(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] != ' ' && s[i] != '\t' {
			continue
		}
		j := i + 1
		for j < len(s) && (isTokenChar(s[j]) && s[j] != '=') {
			j++
		}
		if j > i+1 && j < len(s) && s[j] == '=' {
			return i
		}
	}
	return -1
}

func isTokenChar(c byte) bool {
	if c <= ' ' || c >= 0x7f {
		return false
	}
	return !strings.ContainsRune(`()<>@,;:\"/[]?=`, rune(c)) || c == '*'
}

// unquote reads a quoted string at the start of s (which starts with '"')
// and returns its content and the rest after the closing quote. A missing
// closing quote takes the rest of the value up to a semicolon.
func unquote(s string) (string, string) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\':
			// An escape only before a quote or backslash; elsewhere it is
			// a literal (Windows paths in filenames).
			if i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\') {
				i++
			}
			b.WriteByte(s[i])
		case '"':
			return b.String(), s[i+1:]
		default:
			b.WriteByte(c)
		}
	}
	// No closing quote: the value runs to the next semicolon.
	if k := strings.IndexByte(s, ';'); k >= 0 {
		return s[1:k], s[k:]
	}
	return s[1:], ""
}

func pctDecode(s string) []byte {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			out = append(out, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		out = append(out, s[i])
	}
	return out
}
