// Package content holds Peerpath's shipped curriculum as files (Markdown and YAML, embedded in
// the binary) and the loader that validates course folders, reporting every problem with its file
// and line. The format is described in docs/content-format.md.
package content

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"peerpath/courses"
)

// Shipped is the curriculum that comes with Peerpath.
//
//go:embed storytelling-with-purpose boundaries-in-peer-work roleplay
var Shipped embed.FS

// Problem is one thing wrong with a content file.
type Problem struct {
	File    string
	Line    int
	Message string
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Message)
	}
	return p.File + ": " + p.Message
}

// Problems is every problem found; as an error it lists them one per line.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Library is a validated folder of content: courses, and the role-play kit when present.
type Library struct {
	Courses  []*courses.Course
	Criteria []courses.Criterion
	Cards    []courses.Card
}

// loader collects problems while reading one folder tree.
type loader struct {
	fsys     fs.FS
	problems Problems
}

func (l *loader) add(file string, line int, format string, args ...any) {
	l.problems = append(l.problems, Problem{File: file, Line: line, Message: fmt.Sprintf(format, args...)})
}

// Load reads every course folder (a folder with a course.yaml) and the role-play kit (a folder
// named roleplay) directly under root, or root itself when it is a course folder. It returns
// Problems when anything is wrong; nothing partial is returned then.
func Load(fsys fs.FS) (*Library, error) {
	l := &loader{fsys: fsys}
	lib := &Library{}
	if exists(fsys, "course.yaml") {
		if c := l.course("."); c != nil {
			lib.Courses = append(lib.Courses, c)
		}
	} else {
		entries, err := fs.ReadDir(fsys, ".")
		if err != nil {
			return nil, Problems{{File: ".", Message: err.Error()}}
		}
		for _, e := range entries {
			switch {
			case !e.IsDir():
			case e.Name() == "roleplay":
				lib.Criteria, lib.Cards = l.roleplay("roleplay")
			case exists(fsys, path.Join(e.Name(), "course.yaml")):
				if c := l.course(e.Name()); c != nil {
					lib.Courses = append(lib.Courses, c)
				}
			}
		}
		if len(lib.Courses) == 0 && lib.Cards == nil && len(l.problems) == 0 {
			l.add(".", 0, "no course folders (a folder with a course.yaml) and no roleplay folder found")
		}
	}
	seen := map[string]bool{}
	for _, c := range lib.Courses {
		if seen[c.Slug] {
			l.add(c.Slug, 0, "two courses have the slug %q", c.Slug)
		}
		seen[c.Slug] = true
	}
	if len(l.problems) > 0 {
		sort.SliceStable(l.problems, func(i, j int) bool {
			a, b := l.problems[i], l.problems[j]
			if a.File != b.File {
				return a.File < b.File
			}
			return a.Line < b.Line
		})
		return nil, l.problems
	}
	return lib, nil
}

func exists(fsys fs.FS, name string) bool {
	st, err := fs.Stat(fsys, name)
	return err == nil && !st.IsDir()
}

var (
	slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)
	idRE   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$`)
)

// parse decodes YAML into v, reporting syntax errors and keys v does not know, with lines.
func (l *loader) parse(file string, data []byte, lineOffset int, v any) bool {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		l.add(file, lineOffset+yamlErrorLine(err), "YAML: %s", cleanYAMLError(err))
		return false
	}
	if len(doc.Content) == 0 {
		l.add(file, lineOffset+1, "the file is empty")
		return false
	}
	if err := doc.Decode(v); err != nil {
		var te *yaml.TypeError
		if ok := asTypeError(err, &te); ok {
			for _, m := range te.Errors {
				l.add(file, lineOffset+lineOf(m), "%s", cleanYAMLError(fmt.Errorf("%s", m)))
			}
			return false
		}
		l.add(file, lineOffset+yamlErrorLine(err), "YAML: %s", cleanYAMLError(err))
		return false
	}
	l.unknownKeys(file, lineOffset, doc.Content[0], v)
	return true
}

// course reads and checks one course folder.
func (l *loader) course(dir string) *courses.Course {
	file := path.Join(dir, "course.yaml")
	data, err := fs.ReadFile(l.fsys, file)
	if err != nil {
		l.add(file, 0, "%v", err)
		return nil
	}
	var rc rawCourse
	if !l.parse(file, data, 0, &rc) {
		return nil
	}
	c := &courses.Course{Slug: rc.Slug, Title: strings.TrimSpace(rc.Title), Summary: strings.TrimSpace(rc.Summary),
		Audience: strings.TrimSpace(rc.Audience), Version: rc.Version, EstimatedHours: rc.EstimatedHours,
		RecertificationMonths: rc.RecertificationMonths, Competencies: rc.Competencies,
		Completion: courses.CompletionRule{Modules: rc.Completion.Modules, Quizzes: rc.Completion.Quizzes, Roleplay: rc.Completion.Roleplay}}
	line := func(key string) int { return rc.lines[key] }
	if !slugRE.MatchString(c.Slug) {
		l.add(file, line("slug"), "slug %q: use lower-case letters, digits and hyphens", c.Slug)
	}
	if c.Title == "" {
		l.add(file, line("title"), "title is required")
	}
	if c.Summary == "" {
		l.add(file, line("summary"), "summary is required")
	}
	if c.Version < 1 {
		l.add(file, line("version"), "version must be a whole number of at least 1")
	}
	if c.EstimatedHours <= 0 || c.EstimatedHours > 200 {
		l.add(file, line("estimated_hours"), "estimated_hours must be more than 0 and at most 200")
	}
	if c.RecertificationMonths < 0 || c.RecertificationMonths > 120 {
		l.add(file, line("recertification_months"), "recertification_months must be from 0 (never expires) to 120")
	}
	if c.Completion.Modules == "" {
		c.Completion.Modules = "all"
	}
	if c.Completion.Quizzes == "" {
		c.Completion.Quizzes = "all"
	}
	if c.Completion.Modules != "all" {
		l.add(file, line("completion"), "completion.modules must be all")
	}
	if c.Completion.Quizzes != "all" && c.Completion.Quizzes != "none" {
		l.add(file, line("completion"), "completion.quizzes must be all or none")
	}

	for _, name := range l.files(dir, "quizzes", ".yaml") {
		if q := l.quiz(name); q != nil {
			c.Quizzes = append(c.Quizzes, *q)
		}
	}
	quizIDs := map[string]string{}
	for _, q := range c.Quizzes {
		if prev, dup := quizIDs[q.ID]; dup {
			l.add(path.Join(dir, "quizzes"), 0, "quiz id %q is used by %s and another file", q.ID, prev)
		}
		quizIDs[q.ID] = q.ID
	}
	modules := l.files(dir, "modules", ".md")
	if len(modules) == 0 {
		l.add(path.Join(dir, "modules"), 0, "a course needs at least one module (modules/NN-slug.md)")
	}
	moduleSlugs := map[string]bool{}
	for _, name := range modules {
		m := l.module(name, quizIDs)
		if m == nil {
			continue
		}
		if moduleSlugs[m.Slug] {
			l.add(name, 2, "module slug %q is used twice in this course", m.Slug)
		}
		moduleSlugs[m.Slug] = true
		c.Modules = append(c.Modules, *m)
	}
	for _, name := range l.files(dir, "scenarios", ".yaml") {
		if s := l.scenario(name, moduleSlugs); s != nil {
			c.Scenarios = append(c.Scenarios, *s)
		}
	}
	return c
}

// files lists dir/sub/*ext in name order; a missing folder is an empty list.
func (l *loader) files(dir, sub, ext string) []string {
	entries, err := fs.ReadDir(l.fsys, path.Join(dir, sub))
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ext) {
			out = append(out, path.Join(dir, sub, e.Name()))
		}
	}
	return out
}

// module reads a Markdown file with YAML front matter.
func (l *loader) module(file string, quizIDs map[string]string) *courses.Module {
	data, err := fs.ReadFile(l.fsys, file)
	if err != nil {
		l.add(file, 0, "%v", err)
		return nil
	}
	data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	if !bytes.HasPrefix(data, []byte("---\n")) {
		l.add(file, 1, "front matter missing: the file must start with a line of three dashes (---)")
		return nil
	}
	rest := data[4:]
	end := bytes.Index(rest, []byte("\n---\n"))
	if end < 0 {
		if bytes.HasSuffix(rest, []byte("\n---")) {
			end = len(rest) - 4
		} else {
			l.add(file, 1, "front matter is not closed: add a line of three dashes (---) after it")
			return nil
		}
	}
	front := rest[:end+1]
	body := ""
	if end+5 <= len(rest) {
		body = string(rest[end+5:])
	}
	var rm rawModule
	if !l.parse(file, front, 1, &rm) {
		return nil
	}
	line := func(key string) int { return 1 + rm.lines[key] }
	m := &courses.Module{Slug: rm.Slug, Title: strings.TrimSpace(rm.Title), Minutes: rm.Minutes, Objectives: rm.Objectives,
		Tags: rm.Tags, ContentWarning: strings.TrimSpace(rm.ContentWarning), Quiz: rm.Quiz, Body: body}
	if !slugRE.MatchString(m.Slug) {
		l.add(file, line("slug"), "slug %q: use lower-case letters, digits and hyphens", m.Slug)
	}
	if m.Title == "" {
		l.add(file, line("title"), "title is required")
	}
	if m.Minutes < 1 || m.Minutes > 240 {
		l.add(file, line("minutes"), "minutes must be from 1 to 240")
	}
	if len(m.Objectives) == 0 {
		l.add(file, line("objectives"), "at least one objective is required")
	}
	if m.Quiz != "" {
		if _, ok := quizIDs[m.Quiz]; !ok {
			l.add(file, line("quiz"), "quiz %q does not exist in this course's quizzes folder", m.Quiz)
		}
	}
	ids := map[string]bool{}
	for _, p := range rm.Reflection {
		switch {
		case !idRE.MatchString(p.ID):
			l.add(file, 1+p.Line, "reflection prompt id %q is not valid", p.ID)
		case ids[p.ID]:
			l.add(file, 1+p.Line, "reflection prompt id %q is used twice", p.ID)
		}
		ids[p.ID] = true
		if strings.TrimSpace(p.Prompt) == "" {
			l.add(file, 1+p.Line, "reflection prompt %q has no text", p.ID)
		}
		m.Reflection = append(m.Reflection, courses.Prompt{ID: p.ID, Prompt: strings.TrimSpace(p.Prompt)})
	}
	if strings.TrimSpace(body) == "" {
		l.add(file, line("slug"), "the module has no text after its front matter")
	}
	return m
}
