package mailout

import (
	"bytes"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"maps"
	"os"
	"path"
	"regexp"
	"slices"
	"strings"
	texttemplate "text/template"

	"github.com/otvet/otvet/mailtemplates"
)

// supportedLanguages are the languages every template must exist in; the
// first is the default.
func supportedLanguages() []string { return []string{"ru", "en"} }

// templateKinds are the files of a template: the subject and text use
// text/template, html uses html/template.
func templateKinds() []string { return []string{"subject", "txt", "html"} }

// Rendered is a rendered mail: a one-line subject, the plain text and the
// HTML version.
type Rendered struct{ Subject, Text, HTML string }

// page is one template in one language.
type page struct {
	subject, text *texttemplate.Template
	html          *htmltemplate.Template
}

// Templates holds all mail templates, parsed once. Safe for concurrent use.
type Templates struct {
	pages map[string]map[string]*page // lang -> name -> page
}

var fileRE = regexp.MustCompile(`^(_?[a-z][a-z0-9_]*)\.(subject|txt|html)\.tmpl$`)

// LoadTemplates parses the embedded templates, with files in the override
// directory (same layout) replacing embedded files of the same path. An
// empty override means embedded only; a missing override directory is an
// error. Every template is parsed and executed once with zero data so that
// mistakes surface at startup, and every template must exist in every
// language.
func LoadTemplates(override string) (*Templates, error) {
	files, err := readTree(mailtemplates.FS(), "embedded")
	if err != nil {
		return nil, err
	}
	if override != "" {
		st, err := os.Stat(override)
		if err != nil {
			return nil, fmt.Errorf("mailout: template override directory: %w", err)
		}
		if !st.IsDir() {
			return nil, fmt.Errorf("mailout: template override %q is not a directory", override)
		}
		over, err := readTree(os.DirFS(override), override)
		if err != nil {
			return nil, err
		}
		for lang, m := range over {
			for name, src := range m {
				files[lang][name] = src
			}
		}
	}
	return buildTemplates(files)
}

// readTree reads <lang>/<file>.tmpl for the known languages. Other top-level
// entries and files not ending in .tmpl are ignored; a .tmpl file with a bad
// name is an error (it would otherwise be silently unused).
func readTree(fsys fs.FS, label string) (map[string]map[string]string, error) {
	files := make(map[string]map[string]string)
	for _, lang := range supportedLanguages() {
		files[lang] = make(map[string]string)
		entries, err := fs.ReadDir(fsys, lang)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("mailout: templates %s: %w", label, err)
		}
		for _, e := range entries {
			if e.IsDir() || !strings.HasSuffix(e.Name(), ".tmpl") {
				continue
			}
			if !fileRE.MatchString(e.Name()) {
				return nil, fmt.Errorf("mailout: templates %s: bad file name %s/%s (want NAME.subject|txt|html.tmpl)", label, lang, e.Name())
			}
			b, err := fs.ReadFile(fsys, path.Join(lang, e.Name()))
			if err != nil {
				return nil, fmt.Errorf("mailout: templates %s: %w", label, err)
			}
			files[lang][e.Name()] = string(b)
		}
	}
	return files, nil
}

// templateFuncs are the functions of the templates of one language: lang
// is the templates' own, so {{word "level" .Level}} and {{plural .N …}} need
// no language argument.
func templateFuncs(lang string) map[string]any {
	return map[string]any{
		"ticketToken": TicketToken,
		"size":        FormatSize,
		// word KIND CODE: the words for a code (Word); unknown codes as they are.
		"word": func(kind, code string) string { return Word(lang, kind, code) },
		// words KIND CODES SEP: word for each code, joined.
		"words": func(kind string, codes []string, sep string) string { return Words(lang, kind, codes, sep) },
		// plural N ONE FEW MANY: the form of a word that goes with N.
		"plural": pluralForm(lang),
		// count N KEY: N and the catalogue word in its form («3 рабочих дня»).
		"count": func(n int, key string) string { return Count(lang, Key(key), int64(n)) },
		// text KEY ARGS…: a catalogue text.
		"text": func(key string, args ...any) string { return Text(lang, Key(key), args...) },
		// sentence TEXT: staff's free text as a sentence (capital, full stop).
		"sentence": sentence,
	}
}

func buildTemplates(files map[string]map[string]string) (*Templates, error) {
	t := &Templates{pages: make(map[string]map[string]*page)}
	var errs []error
	languages, kinds := supportedLanguages(), templateKinds()
	names := make(map[string][]string) // page name -> languages having it
	for _, lang := range languages {
		t.pages[lang] = make(map[string]*page)
		partials := map[string][]string{} // kind -> file names
		pageFiles := map[string]map[string]bool{}
		for fname := range files[lang] {
			m := fileRE.FindStringSubmatch(fname)
			if strings.HasPrefix(m[1], "_") {
				partials[m[2]] = append(partials[m[2]], fname)
				continue
			}
			if pageFiles[m[1]] == nil {
				pageFiles[m[1]] = map[string]bool{}
			}
			pageFiles[m[1]][m[2]] = true
		}
		for _, k := range kinds {
			slices.Sort(partials[k])
		}
		for _, name := range slices.Sorted(maps.Keys(pageFiles)) {
			have := pageFiles[name]
			names[name] = append(names[name], lang)
			for _, k := range kinds {
				if !have[k] {
					errs = append(errs, fmt.Errorf("mailout: template %s/%s: missing %s.%s.tmpl", lang, name, name, k))
				}
			}
			if len(have) != len(kinds) {
				continue
			}
			p, err := parsePage(lang, name, files[lang], partials)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			t.pages[lang][name] = p
		}
	}
	for _, name := range slices.Sorted(maps.Keys(names)) {
		if langs := names[name]; len(langs) != len(languages) {
			errs = append(errs, fmt.Errorf("mailout: template %q exists only in %v; every template needs all of %v", name, langs, languages))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	for _, lang := range languages {
		for _, name := range slices.Sorted(maps.Keys(t.pages[lang])) {
			if data, ok := zeroData(name); ok {
				if _, err := t.Render(lang, name, data); err != nil {
					errs = append(errs, err)
				}
			}
		}
	}
	return t, errors.Join(errs...)
}

func parsePage(lang, name string, files map[string]string, partials map[string][]string) (*page, error) {
	parseText := func(kind string) (*texttemplate.Template, error) {
		root := texttemplate.New(name + "." + kind).Funcs(templateFuncs(lang)).Option("missingkey=error")
		for _, pf := range partials[kind] {
			if _, err := root.New(pf).Parse(files[pf]); err != nil {
				return nil, fmt.Errorf("mailout: template %s/%s: %w", lang, pf, err)
			}
		}
		if _, err := root.Parse(files[name+"."+kind+".tmpl"]); err != nil {
			return nil, fmt.Errorf("mailout: template %s/%s.%s.tmpl: %w", lang, name, kind, err)
		}
		return root, nil
	}
	p := &page{}
	var err error
	if p.subject, err = parseText("subject"); err != nil {
		return nil, err
	}
	if p.text, err = parseText("txt"); err != nil {
		return nil, err
	}
	p.html = htmltemplate.New(name + ".html").Funcs(templateFuncs(lang)).Option("missingkey=error")
	for _, pf := range partials["html"] {
		if _, err := p.html.New(pf).Parse(files[pf]); err != nil {
			return nil, fmt.Errorf("mailout: template %s/%s: %w", lang, pf, err)
		}
	}
	if _, err := p.html.Parse(files[name+".html.tmpl"]); err != nil {
		return nil, fmt.Errorf("mailout: template %s/%s.html.tmpl: %w", lang, name, err)
	}
	return p, nil
}

// Languages returns the supported languages, the default first.
func (t *Templates) Languages() []string { return supportedLanguages() }

// Names returns the template names, sorted.
func (t *Templates) Names() []string {
	var names []string
	for name := range t.pages[supportedLanguages()[0]] {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// Render renders template name in lang ("ru" or "en") with data. The
// subject is collapsed to one line; the text has trailing spaces removed and
// at most one blank line in a row.
func (t *Templates) Render(lang, name string, data any) (Rendered, error) {
	pages, ok := t.pages[lang]
	if !ok {
		return Rendered{}, fmt.Errorf("mailout: unknown template language %q", lang)
	}
	p, ok := pages[name]
	if !ok {
		return Rendered{}, fmt.Errorf("mailout: unknown template %q", name)
	}
	var b bytes.Buffer
	if err := p.subject.Execute(&b, data); err != nil {
		return Rendered{}, fmt.Errorf("mailout: render %s/%s subject: %w", lang, name, err)
	}
	var r Rendered
	r.Subject = sanitize(b.String())
	b.Reset()
	if err := p.text.Execute(&b, data); err != nil {
		return Rendered{}, fmt.Errorf("mailout: render %s/%s text: %w", lang, name, err)
	}
	r.Text = tidyText(b.String())
	b.Reset()
	if err := p.html.Execute(&b, data); err != nil {
		return Rendered{}, fmt.Errorf("mailout: render %s/%s html: %w", lang, name, err)
	}
	r.HTML = strings.TrimSpace(b.String()) + "\n"
	return r, nil
}

// tidyText trims trailing spaces on every line, collapses runs of blank lines
// to one (keeping the "-- " signature delimiter), trims leading and trailing blank lines and ends with a newline.
// Templates can then be written for readability rather than exact spacing.
func tidyText(s string) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	out := make([]string, 0, len(lines))
	blank := true // drop leading blank lines
	for _, l := range lines {
		if l != "-- " { // keep the signature delimiter
			l = strings.TrimRight(l, " \t")
		}
		if l == "" {
			if blank {
				continue
			}
			blank = true
		} else {
			blank = false
		}
		out = append(out, l)
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	if len(out) == 0 {
		return ""
	}
	return strings.Join(out, "\n") + "\n"
}
