package mailmsg

import "bytes"

// splitMultipart cuts body at the delimiter lines of boundary. It returns
// the parts (subslices of body, without the line break that belongs to the
// following delimiter), whether the closing delimiter was seen and whether
// any delimiter was found at all. At most limit parts are returned; more is
// reported by truncated.
func splitMultipart(body []byte, boundary string, limit int) (parts [][]byte, closed, found, truncated bool) {
	delim := make([]byte, 0, len(boundary)+2)
	delim = append(delim, "--"...)
	delim = append(delim, boundary...)
	partStart := -1 // start of the current part's content, -1 before the first delimiter
	from := 0
	for from <= len(body) {
		i := bytes.Index(body[from:], delim)
		if i < 0 {
			break
		}
		at := from + i
		from = at + len(delim)
		if at > 0 && body[at-1] != '\n' {
			continue // not at the start of a line
		}
		// What follows the boundary: "--" (close), blanks, then EOL or EOF.
		j := at + len(delim)
		isClose := false
		if j+1 < len(body) && body[j] == '-' && body[j+1] == '-' {
			isClose = true
			j += 2
		}
		for j < len(body) && (body[j] == ' ' || body[j] == '\t') {
			j++
		}
		lineEnd := -1
		switch {
		case j == len(body):
			lineEnd = j
		case body[j] == '\n':
			lineEnd = j + 1
		case body[j] == '\r' && j+1 < len(body) && body[j+1] == '\n':
			lineEnd = j + 2
		case body[j] == '\r' && j+1 == len(body):
			lineEnd = j + 1
		case isClose:
			// "--boundary--junk": accept as the closing delimiter.
			lineEnd = j
		default:
			continue // a longer boundary that starts with ours
		}
		found = true
		if partStart >= 0 {
			end := at
			if end > partStart && body[end-1] == '\n' {
				end--
				if end > partStart && body[end-1] == '\r' {
					end--
				}
			}
			if len(parts) >= limit {
				truncated = true
				return parts, closed, found, truncated
			}
			parts = append(parts, body[partStart:end])
		}
		if isClose {
			closed = true
			return parts, closed, found, truncated
		}
		partStart = lineEnd
		from = lineEnd
	}
	if partStart >= 0 && partStart <= len(body) {
		if len(parts) >= limit {
			return parts, false, found, true
		}
		parts = append(parts, body[partStart:])
	}
	return parts, false, found, truncated
}
