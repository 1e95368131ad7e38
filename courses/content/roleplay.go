package content

import (
	"io/fs"
	"path"
	"strings"

	"peerpath/courses"
)

var seats = []courses.Seat{courses.SeatSpeaker, courses.SeatPeerWorker, courses.SeatObserver}

// roleplay reads the rubric library and the scenario cards.
func (l *loader) roleplay(dir string) ([]courses.Criterion, []courses.Card) {
	file := path.Join(dir, "rubrics.yaml")
	data, err := fs.ReadFile(l.fsys, file)
	if err != nil {
		l.add(file, 0, "the role-play kit needs a rubric library: %v", err)
		return nil, nil
	}
	var rr rawRubric
	if !l.parse(file, data, 0, &rr) {
		return nil, nil
	}
	var criteria []courses.Criterion
	known := map[string]bool{}
	for _, rc := range rr.Criteria {
		if known[rc.ID] || !idRE.MatchString(rc.ID) {
			l.add(file, rc.Line, "criterion id %q is missing, not valid or used twice", rc.ID)
		}
		known[rc.ID] = true
		c := courses.Criterion{ID: rc.ID, Title: strings.TrimSpace(rc.Title), Description: strings.TrimSpace(rc.Description)}
		if c.Title == "" {
			l.add(file, rc.Line, "criterion %q: title is required", rc.ID)
		}
		for lvl := 1; lvl <= 4; lvl++ {
			text := strings.TrimSpace(rc.Levels[lvl])
			if text == "" {
				l.add(file, rc.Line, "criterion %q: level %d needs a behavioural anchor", rc.ID, lvl)
			}
			c.Levels[lvl-1] = text
		}
		if len(rc.Levels) != 4 {
			l.add(file, rc.Line, "criterion %q: levels must be exactly 1, 2, 3 and 4", rc.ID)
		}
		criteria = append(criteria, c)
	}
	var cards []courses.Card
	ids := map[string]bool{}
	for _, name := range l.files(dir, "cards", ".yaml") {
		c := l.card(name, known)
		if c == nil {
			continue
		}
		if ids[c.ID] {
			l.add(name, 1, "card id %q is used twice", c.ID)
		}
		ids[c.ID] = true
		cards = append(cards, *c)
	}
	if cards == nil {
		cards = []courses.Card{}
	}
	return criteria, cards
}

func (l *loader) card(file string, criteria map[string]bool) *courses.Card {
	data, err := fs.ReadFile(l.fsys, file)
	if err != nil {
		l.add(file, 0, "%v", err)
		return nil
	}
	var rc rawCard
	if !l.parse(file, data, 0, &rc) {
		return nil
	}
	line := func(k string) int { return rc.lines[k] }
	c := &courses.Card{ID: rc.ID, Title: strings.TrimSpace(rc.Title), Setting: strings.TrimSpace(rc.Setting),
		ContentWarning: strings.TrimSpace(rc.ContentWarning), Shared: strings.TrimSpace(rc.Shared), Rubric: rc.Rubric,
		Roles: map[courses.Seat]string{}, Briefs: map[courses.Seat]string{}, Anchors: rc.Anchors}
	if !idRE.MatchString(c.ID) {
		l.add(file, line("id"), "card id %q is not valid", c.ID)
	}
	if c.Title == "" {
		l.add(file, line("title"), "title is required")
	}
	if c.Shared == "" {
		l.add(file, line("shared"), "shared (what the whole group sees) is required")
	}
	for k := range rc.Briefs {
		if !isSeat(k) {
			l.add(file, line("briefs"), "briefs: unknown role %q (use speaker, peer_worker, observer)", k)
		}
	}
	for k := range rc.Roles {
		if !isSeat(k) {
			l.add(file, line("roles"), "roles: unknown role %q (use speaker, peer_worker, observer)", k)
		}
	}
	for _, s := range seats {
		brief := strings.TrimSpace(rc.Briefs[string(s)])
		if brief == "" {
			l.add(file, line("briefs"), "briefs.%s is required", s)
		}
		c.Briefs[s] = brief
		label := strings.TrimSpace(rc.Roles[string(s)])
		if label == "" {
			label = defaultLabel(s)
		}
		c.Roles[s] = label
	}
	if len(c.Rubric) < 1 || len(c.Rubric) > 6 {
		l.add(file, line("rubric"), "rubric lists 1 to 6 criteria ids")
	}
	in := map[string]bool{}
	for _, id := range c.Rubric {
		if !criteria[id] {
			l.add(file, line("rubric"), "rubric: %q is not in rubrics.yaml", id)
		}
		in[id] = true
	}
	for k := range c.Anchors {
		if !in[k] {
			l.add(file, line("anchors"), "anchors: %q is not in this card's rubric", k)
		}
	}
	return c
}

func isSeat(s string) bool {
	for _, x := range seats {
		if string(x) == s {
			return true
		}
	}
	return false
}

func defaultLabel(s courses.Seat) string {
	return map[courses.Seat]string{courses.SeatSpeaker: "Speaker", courses.SeatPeerWorker: "Peer worker", courses.SeatObserver: "Observer"}[s]
}
