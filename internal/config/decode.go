package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Decode parses YAML into c strictly: unknown keys and values of the wrong
// type are errors, so typos do not pass silently. It reports every such
// problem at once, each naming the field and its line, and still decodes
// everything else into c. Only a YAML syntax error stops it early.
func Decode(r io.Reader, c *Config) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("read YAML: %w", err)
	}
	problems, err := decode(b, c)
	if err != nil {
		return err
	}
	return errors.Join(problems...)
}

// quoted matches what yaml quotes from the file in its error messages.
var quoted = regexp.MustCompile("'[^']*'|\"[^\"]*\"|`[^`]*`")

// decode returns the problems found in b (non-fatal) or a syntax error (fatal).
func decode(b []byte, c *Config) ([]error, error) {
	var root yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(b)).Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil // an empty file: all defaults
		}
		// A syntax error may quote a fragment of the file, and that
		// fragment may be a secret (an unquoted password starting with * is
		// an alias): keep the line, drop what is quoted.
		return nil, fmt.Errorf("parse YAML: %s", quoted.ReplaceAllString(err.Error(), "'…'"))
	}
	doc := &root
	if doc.Kind == yaml.DocumentNode {
		if len(doc.Content) == 0 {
			return nil, nil
		}
		doc = doc.Content[0]
	}
	if doc.Kind == yaml.ScalarNode && doc.Tag == "!!null" {
		return nil, nil
	}
	w := &walker{reported: map[int]bool{}, paths: map[int]string{}}
	w.check(doc, reflect.TypeOf(c).Elem(), "")
	if w.reported[doc.Line] && doc.Kind != yaml.MappingNode {
		return w.problems, nil // not a mapping at all: nothing to decode
	}
	// The walker has reported what is wrong; decode leniently so that every
	// good value still lands in c. yaml's own type errors are a safety net
	// for anything the walker does not know.
	err := doc.Decode(c)
	var te *yaml.TypeError
	switch {
	case errors.As(err, &te):
		for _, msg := range te.Errors {
			w.yamlError(msg)
		}
	case err != nil:
		// Not tied to a line or field: it might quote a secret.
		w.problems = append(w.problems, errors.New(quoted.ReplaceAllString(err.Error(), "'…'")))
	}
	return w.problems, nil
}

// walker checks a YAML node tree against the Go type it is decoded into.
type walker struct {
	problems []error
	reported map[int]bool   // lines that already have a problem
	paths    map[int]string // the field path of a key on each line, for yaml's own errors
}

func (w *walker) add(n *yaml.Node, path, format string, a ...any) {
	if path == "" {
		path = "(top level)"
	}
	w.problems = append(w.problems, fmt.Errorf("%s (line %d): %s", path, n.Line, fmt.Sprintf(format, a...)))
	w.reported[n.Line] = true
}

var unmarshalerType = reflect.TypeOf((*yaml.Unmarshaler)(nil)).Elem()

func (w *walker) check(n *yaml.Node, t reflect.Type, path string) {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return // yaml leaves the zero value: the default
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		if err := n.Decode(reflect.New(t).Interface()); err != nil {
			if t == reflect.TypeFor[Secret]() {
				w.add(n, path, "should be text (the value is not shown: it is a secret; quote it)")
			} else {
				w.add(n, path, "%s", stripLine(err))
			}
		}
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		w.check(n, t.Elem(), path)
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			w.add(n, path, "should be a mapping of keys (key: value), not %s", describe(n))
			return
		}
		fields := structFields(t)
		seen := map[string]int{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Value == "<<" {
				continue // a merge key: yaml merges it
			}
			p := joinPath(path, k.Value)
			if _, ok := w.paths[k.Line]; !ok {
				w.paths[k.Line] = p
			}
			f, ok := fields[k.Value]
			if !ok {
				w.add(k, p, "unknown key: %s", suggest(k.Value, fields))
				continue
			}
			if line, dup := seen[k.Value]; dup {
				w.add(k, p, "set twice (first on line %d): keep one", line)
				w.reported[v.Line] = true
				continue
			}
			seen[k.Value] = k.Line
			w.check(v, f, p)
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			w.add(n, path, "should be a list, not %s", describe(n))
			return
		}
		for i, e := range n.Content {
			w.check(e, t.Elem(), fmt.Sprintf("%s[%d]", path, i))
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			w.add(n, path, "should be a mapping (name: value), not %s", describe(n))
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode {
				w.add(k, path, "a key should be a plain name, not %s", describe(k))
				continue
			}
			w.check(v, t.Elem(), joinPath(path, k.Value))
		}
	default:
		if n.Kind != yaml.ScalarNode {
			w.add(n, path, "should be %s, not %s", expected(t), describe(n))
			return
		}
		want := expected(t)
		// yaml would truncate 1.5 into an int: only integers are whole numbers.
		if err := n.Decode(reflect.New(t).Interface()); err != nil || (want == "a whole number" && n.ShortTag() != "!!int") {
			if t == reflect.TypeFor[Secret]() {
				w.add(n, path, "should be %s (the value is not shown: it is a secret)", want)
			} else {
				w.add(n, path, "%q is not %s", n.Value, want)
			}
		}
	}
}

// structFields maps the YAML keys of struct type t to their types, with the
// fields of ",inline" structs merged in, the way yaml.v3 decodes them.
func structFields(t reflect.Type) map[string]reflect.Type {
	m := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" {
			continue
		}
		if strings.Contains(","+opts+",", ",inline,") && f.Type.Kind() == reflect.Struct {
			for k, v := range structFields(f.Type) {
				m[k] = v
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		m[name] = f.Type
	}
	return m
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// describe says what a node is, for "should be X, not Y".
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	default:
		return fmt.Sprintf("%q", n.Value)
	}
}

// expected names the kind of value a scalar type takes.
func expected(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.String:
		return "text"
	}
	return "a " + t.String()
}

// suggest names the known key closest to an unknown one, or lists them all.
func suggest(key string, fields map[string]reflect.Type) string {
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	sort.Strings(names)
	low := strings.ToLower(key)
	best, bestD := "", 3
	for _, k := range names {
		// A key shorter than the distance shares nothing with k ("x" is no typo of "kb").
		if d := EditDistance(low, k); d < bestD && d < len(low) {
			best, bestD = k, d
		}
	}
	if best == "" && len(low) >= 3 {
		for _, k := range names {
			if strings.HasPrefix(k, low) || strings.HasPrefix(low, k) {
				best = k
				break
			}
		}
	}
	if best != "" {
		return fmt.Sprintf("did you mean %s?", best)
	}
	return "remove it or use one of " + strings.Join(names, ", ")
}

// EditDistance is the Levenshtein distance of a and b (in runes): the
// suggestions for a mistyped key here and a mistyped command in cmd/otvet.
func EditDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

var yamlLine = regexp.MustCompile(`^line (\d+): (.*)$`)

// yamlError adds one of yaml.v3's own type errors that the walker did not
// already report, naming the field on that line where it is known.
func (w *walker) yamlError(msg string) {
	m := yamlLine.FindStringSubmatch(msg)
	if m == nil {
		// No line to tie it to a field: it might quote a secret.
		w.problems = append(w.problems, errors.New(quoted.ReplaceAllString(msg, "'…'")))
		return
	}
	line, _ := strconv.Atoi(m[1]) // the pattern has only digits there
	if w.reported[line] {
		return
	}
	w.reported[line] = true
	path := w.paths[line]
	if path == "" {
		path = "(unknown field)"
	}
	w.problems = append(w.problems, fmt.Errorf("%s (line %d): %s", path, line, m[2]))
}

// stripLine removes yaml's "line N: " prefixes from a decode error.
func stripLine(err error) string {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs := make([]string, len(te.Errors))
		for i, m := range te.Errors {
			if s := yamlLine.FindStringSubmatch(m); s != nil {
				m = s[2]
			}
			msgs[i] = m
		}
		return strings.Join(msgs, "; ")
	}
	return err.Error()
}
