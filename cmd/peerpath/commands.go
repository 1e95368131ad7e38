package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"peerpath/courses"
	"peerpath/courses/content"
)

// store loads the configuration, applies the migrations when asked, and connects to PostgreSQL
// as the application's role, or says which variable is wrong.
func (a *app) store(ctx context.Context, migrated bool) (config, *courses.Store, func(), error) {
	c, err := loadConfig(a.getenv)
	if err != nil {
		return c, nil, nil, err
	}
	if migrated {
		if err := migrate(ctx, c); err != nil {
			return c, nil, nil, err
		}
	}
	db, err := openDB(ctx, c, courses.AppRole)
	if err != nil {
		return c, nil, nil, err
	}
	s := courses.NewStore(db, nil)
	s.BaseURL = c.BaseURL
	return c, s, func() { db.Close() }, nil
}

func runMigrate(ctx context.Context, a *app, _ *flag.FlagSet, _ []string) error {
	c, err := loadConfig(a.getenv)
	if err != nil {
		return err
	}
	if err := migrate(ctx, c); err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, "Migrations applied.")
	return nil
}

func runDemo(ctx context.Context, a *app, _ *flag.FlagSet, _ []string) error {
	c, s, done, err := a.store(ctx, true)
	if err != nil {
		return err
	}
	defer done()
	if err := syncShipped(ctx, s); err != nil {
		return err
	}
	logins, err := s.SeedDemo(ctx, c.DemoPassword)
	if err != nil {
		return err
	}
	printLogins(a, c, logins)
	return nil
}

func printLogins(a *app, c config, logins []courses.DemoLogin) {
	fmt.Fprintf(a.stdout, "Demo data is ready. Sign in at %s with any of these (password: %s):\n\n", c.BaseURL, c.DemoPassword)
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  EMAIL\tNAME\tROLES\tORGANISATION")
	for _, l := range logins {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", l.Email, l.Name, strings.Join(l.Roles, ", "), l.Organisation)
	}
	tw.Flush()
}

func orgFlags(fs *flag.FlagSet) {
	fs.String("name", "", "the organisation's name (required)")
	fs.String("admin-email", "", "email of its first admin, who is sent an invitation (required)")
	fs.String("slug", "", "short id used in URLs and imports (default: made from the name)")
}

// runOrg creates an organisation and invites its first admin: how an operator onboards a
// customer.
func runOrg(ctx context.Context, a *app, fs *flag.FlagSet, _ []string) error {
	name := fs.Lookup("name").Value.String()
	email := fs.Lookup("admin-email").Value.String()
	slug := fs.Lookup("slug").Value.String()
	if name == "" || email == "" {
		return fmt.Errorf("--name and --admin-email are required")
	}
	if slug == "" {
		slug = courses.Slugify(name)
	}
	_, s, done, err := a.store(ctx, true)
	if err != nil {
		return err
	}
	defer done()
	org := &courses.Organisation{Name: name, Slug: slug}
	if err := s.CreateOrganisation(ctx, org); err != nil {
		return describe(err)
	}
	inv, token, err := s.CreateInvitation(ctx, org.ID, "", courses.InvitationInput{Email: email, Roles: []string{string(courses.RoleOrgAdmin)}})
	if err != nil {
		return fmt.Errorf("organisation %s created, but the invitation failed: %w", slug, describe(err))
	}
	fmt.Fprintf(a.stdout, "Created organisation %q (slug %s).\n", org.Name, org.Slug)
	fmt.Fprintf(a.stdout, "Invited %s as its admin; the email is on its way. The link, valid until %s:\n  %s\n",
		inv.Email, inv.ExpiresAt.Format("2 Jan 2006 15:04 MST"), s.BaseURL+"/invite/"+token)
	return nil
}

// describe spells out a domain error's fields for a terminal.
func describe(err error) error {
	var parts []string
	if e, ok := err.(*courses.Error); ok && len(e.Fields) > 0 {
		for k, v := range e.Fields {
			parts = append(parts, k+": "+v)
		}
		return fmt.Errorf("%s", strings.Join(parts, "; "))
	}
	return err
}

func runHealthcheck(ctx context.Context, a *app, _ *flag.FlagSet, _ []string) error {
	c, err := loadConfig(a.getenv)
	if err != nil {
		return err
	}
	host, port, _ := net.SplitHostPort(c.Addr)
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+"/healthz", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("not healthy: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("not healthy: /healthz answered %d", resp.StatusCode)
	}
	return nil
}

// syncShipped imports the curriculum built into the binary: a new version of each course whose
// content changed, nothing otherwise.
func syncShipped(ctx context.Context, s *courses.Store) error {
	lib, err := content.Load(content.Shipped)
	if err != nil {
		return fmt.Errorf("shipped course content:\n%w", err)
	}
	if _, err := s.ImportCourses(ctx, "", lib.Courses); err != nil {
		return fmt.Errorf("import shipped courses: %w", err)
	}
	return nil
}

func coursesFlags(fs *flag.FlagSet) {
	fs.String("org", "", "import: the slug of the organisation the courses belong to (required)")
}

// runCourses checks a folder of content for authors, or imports an organisation's own courses.
// An import with any problem changes nothing.
func runCourses(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("give one folder: peerpath courses %s DIR", a.sub)
	}
	dir := args[0]
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return fmt.Errorf("%s is not a folder", dir)
	}
	lib, err := content.Load(os.DirFS(dir))
	if err != nil {
		var ps content.Problems
		if errors.As(err, &ps) {
			for _, p := range ps {
				fmt.Fprintln(a.stderr, filepath.Join(dir, p.File)+strings.TrimPrefix(p.String(), p.File))
			}
			return fmt.Errorf("%d problems found; nothing was imported", len(ps))
		}
		return err
	}
	if a.sub == "check" {
		for _, c := range lib.Courses {
			fmt.Fprintf(a.stdout, "%s: %d modules, %d quizzes, %d scenarios: OK\n", c.Slug, len(c.Modules), len(c.Quizzes), len(c.Scenarios))
		}
		if lib.Cards != nil {
			fmt.Fprintf(a.stdout, "roleplay: %d rubric criteria, %d cards: OK\n", len(lib.Criteria), len(lib.Cards))
		}
		return nil
	}
	slug := fs.Lookup("org").Value.String()
	if slug == "" {
		return fmt.Errorf("--org SLUG is required: the organisation the courses belong to")
	}
	if len(lib.Courses) == 0 {
		return fmt.Errorf("%s holds no courses to import", dir)
	}
	_, s, done, err := a.store(ctx, true)
	if err != nil {
		return err
	}
	defer done()
	org, err := s.FindOrganisationBySlug(ctx, slug)
	if err != nil {
		return fmt.Errorf("--org %s: no such organisation", slug)
	}
	results, err := s.ImportCourses(ctx, org.ID, lib.Courses)
	if err != nil {
		return fmt.Errorf("%w; nothing was imported", err)
	}
	for _, r := range results {
		if r.Changed {
			fmt.Fprintf(a.stdout, "%s: imported as version %d for %s\n", r.Slug, r.Version, org.Name)
		} else {
			fmt.Fprintf(a.stdout, "%s: unchanged (version %d)\n", r.Slug, r.Version)
		}
	}
	return nil
}
