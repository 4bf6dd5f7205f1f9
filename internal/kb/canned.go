package kb

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Canned is a named answer staff insert with #шаблон NAME (#canned NAME).
type Canned struct {
	Name  string // the file name without .md, or the name given to otvet reply-template add
	Title string // what #шаблоны lists beside the name (front matter title, else the first line)
	Body  string
}

// ParseCanned reads a canned answer: an optional front matter with a
// title, then the text.
func ParseCanned(name string, data []byte) (Canned, error) {
	if len(data) > MaxArticleBytes || !utf8.Valid(data) {
		return Canned{}, fmt.Errorf("reply %s: not UTF-8 text of at most %d bytes", name, MaxArticleBytes)
	}
	head, body, err := splitFrontMatter(data)
	if err != nil {
		return Canned{}, fmt.Errorf("reply %s: %w", name, err)
	}
	var fm struct {
		Title string `yaml:"title"`
	}
	if len(head) > 0 {
		if err := yaml.Unmarshal(head, &fm); err != nil {
			return Canned{}, fmt.Errorf("reply %s: front matter: %w", name, err)
		}
	}
	c := Canned{Name: name, Title: strings.TrimSpace(fm.Title), Body: strings.TrimSpace(string(body))}
	if c.Body == "" {
		return Canned{}, fmt.Errorf("reply %s: empty", name)
	}
	if c.Title == "" {
		first, _, _ := strings.Cut(c.Body, "\n")
		c.Title = Cut(strings.TrimSpace(first), 60)
	}
	return c, nil
}

// LoadReplies reads every *.md file of dir as a canned answer, by name.
func LoadReplies(dir string) (cs []Canned, errs []error) {
	cs, errs = loadMarkdown(dir, "replies.dir", ParseCanned)
	sort.Slice(cs, func(i, j int) bool { return cs[i].Name < cs[j].Name })
	return cs, errs
}

// Fields fill a canned answer's placeholders.
type Fields struct {
	Name   string // the requester's name
	Ticket int64  // the ticket's number
	Due    string // the resolution due time in the desk's zone, "" when none
}

// Fill puts the fields into the placeholders: {имя} or {name}, {номер} or
// {ticket}, {срок} or {due}. Other braces stay as written.
func (c Canned) Fill(f Fields) string {
	num := ""
	if f.Ticket != 0 {
		num = fmt.Sprintf("%d", f.Ticket)
	}
	return strings.NewReplacer(
		"{имя}", f.Name, "{name}", f.Name,
		"{номер}", num, "{ticket}", num,
		"{срок}", f.Due, "{due}", f.Due,
	).Replace(c.Body)
}

// FoldName is how canned answers are looked up: lower case, ё as е.
func FoldName(s string) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), "ё", "е")
}
