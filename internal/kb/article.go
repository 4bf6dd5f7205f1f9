// Package kb is Otvet's knowledge base and canned answers: articles
// (Markdown with a front matter of title, systems and keywords) ranked
// against a new request so that the acknowledgement can point at the
// instruction that already answers it (§4.3), and named answers staff insert
// with #шаблон. Ranking is pure (Index); Library keeps the articles of the
// configured directory and of the database in memory. See docs/kb.md.
package kb

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Article is one instruction of the knowledge base.
type Article struct {
	ID       int64    // the database's id, the N of #статья N (0 until stored)
	Slug     string   // the file name without .md, unique
	Title    string   // «Не печатает принтер в МИС»
	Systems  []string // the systems it is about (МИС, 1С …); empty: any
	Keywords []string // other words people use for the problem
	Body     string   // Markdown
	// Public articles may be suggested and sent to users; internal ones
	// are for staff only.
	Public bool
	URL    string // where users read it (front matter url, or kb.base_url + slug)
	Source string // "file" (kb.dir) or "cli" (otvet kb add)
}

// frontMatter is the YAML head of an article file.
type frontMatter struct {
	Title    string  `yaml:"title"`
	Systems  listish `yaml:"systems"`
	Keywords listish `yaml:"keywords"`
	Public   *bool   `yaml:"public"`
	Internal bool    `yaml:"internal"`
	URL      string  `yaml:"url"`
}

// listish accepts a YAML list or a comma-separated string.
type listish []string

func (l *listish) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		*l = splitList(n.Value)
		return nil
	case yaml.SequenceNode:
		var s []string
		if err := n.Decode(&s); err != nil {
			return err
		}
		*l = cleanList(s)
		return nil
	}
	return errors.New("a list or a comma-separated string")
}

func splitList(s string) []string {
	return cleanList(strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' }))
}

func cleanList(s []string) []string {
	var out []string
	for _, v := range s {
		if v = strings.TrimSpace(v); v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// SplitList reads a comma- or semicolon-separated list (users' systems, --systems).
func SplitList(s string) []string { return splitList(s) }

// MaxArticleBytes bounds one article file.
const MaxArticleBytes = 256 << 10

// ParseArticle reads an article: an optional front matter between "---"
// lines, then the Markdown body. Without a title in the front matter the
// first "# heading" is the title. Articles are public unless the front
// matter says public: false or internal: true.
func ParseArticle(slug string, data []byte) (Article, error) {
	if len(data) > MaxArticleBytes {
		return Article{}, fmt.Errorf("article %s: larger than %d bytes", slug, MaxArticleBytes)
	}
	if !utf8.Valid(data) {
		return Article{}, fmt.Errorf("article %s: not UTF-8", slug)
	}
	head, body, err := splitFrontMatter(data)
	if err != nil {
		return Article{}, fmt.Errorf("article %s: %w", slug, err)
	}
	var fm frontMatter
	if len(head) > 0 {
		if err := yaml.Unmarshal(head, &fm); err != nil {
			return Article{}, fmt.Errorf("article %s: front matter: %w", slug, err)
		}
	}
	a := Article{Slug: slug, Title: strings.TrimSpace(fm.Title), Systems: fm.Systems, Keywords: fm.Keywords,
		Body: strings.TrimSpace(string(body)), Public: !fm.Internal && (fm.Public == nil || *fm.Public), URL: strings.TrimSpace(fm.URL)}
	if a.Title == "" {
		a.Title, a.Body = titleFromBody(a.Body)
	}
	if a.Title == "" {
		return Article{}, fmt.Errorf("article %s: no title (front matter title, or a first line \"# Title\")", slug)
	}
	return a, nil
}

func splitFrontMatter(data []byte) (head, body []byte, err error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	rest, ok := bytes.CutPrefix(data, []byte("---\n"))
	if !ok {
		return nil, data, nil
	}
	if h, b, found := bytes.Cut(rest, []byte("\n---\n")); found {
		return h, b, nil
	}
	if h, found := bytes.CutSuffix(bytes.TrimRight(rest, "\n"), []byte("\n---")); found {
		return h, nil, nil
	}
	return nil, nil, errors.New("the front matter has no closing ---")
}

// titleFromBody takes a leading "# Title" line off body.
func titleFromBody(body string) (title, rest string) {
	first, after, _ := strings.Cut(body, "\n")
	if t, ok := strings.CutPrefix(strings.TrimSpace(first), "# "); ok {
		return strings.TrimSpace(t), strings.TrimSpace(after)
	}
	return "", body
}

// Render writes an article as a file ParseArticle reads back.
func (a Article) Render() []byte {
	var b bytes.Buffer
	b.WriteString("---\n")
	fm := map[string]any{"title": a.Title}
	if len(a.Systems) > 0 {
		fm["systems"] = a.Systems
	}
	if len(a.Keywords) > 0 {
		fm["keywords"] = a.Keywords
	}
	if !a.Public {
		fm["public"] = false
	}
	if a.URL != "" {
		fm["url"] = a.URL
	}
	y, _ := yaml.Marshal(fm)
	b.Write(y)
	b.WriteString("---\n")
	b.WriteString(a.Body)
	b.WriteString("\n")
	return b.Bytes()
}

// LoadDir reads every *.md file of dir (not below it) as an article, in
// name order. A file that cannot be read is reported in errs; the others load.
func LoadDir(dir string) (arts []Article, errs []error) {
	return loadMarkdown(dir, "kb.dir", func(name string, data []byte) (Article, error) {
		a, err := ParseArticle(name, data)
		a.Source = "file"
		return a, err
	})
}

// loadMarkdown reads every *.md file of dir (not below it, not a dot file)
// in file-name order with parse, which is given the name without .md. key
// is the setting naming dir, for errors. A file that cannot be read or
// parsed is reported in errs; the others load.
func loadMarkdown[T any](dir, key string, parse func(name string, data []byte) (T, error)) (out []T, errs []error) {
	if dir == "" {
		return nil, nil
	}
	ents, err := os.ReadDir(dir) // sorted by file name
	if errors.Is(err, fs.ErrNotExist) {
		return nil, []error{fmt.Errorf("%s %s: %w", key, dir, err)}
	} else if err != nil {
		return nil, []error{fmt.Errorf("%s: %w", key, err)}
	}
	for _, e := range ents {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".md") || strings.HasPrefix(name, ".") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		v, err := parse(strings.TrimSuffix(name, ".md"), data)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, v)
	}
	return out, errs
}

// ValidSlug checks an article's or a canned answer's name: letters, digits,
// '-' and '_', up to 64 characters.
func ValidSlug(s string) bool {
	if s == "" || utf8.RuneCountInString(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= 'а' && r <= 'я' || r >= 'А' && r <= 'Я' || r == 'ё' || r == 'Ё') {
			return false
		}
	}
	return true
}
