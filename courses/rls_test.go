package courses_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"peerpath/courses"
	"peerpath/migrations/testdb"
)

// Every table that holds an organisation's rows is behind row-level security that even its owner
// obeys, and the application's role owns nothing and cannot bypass it.
func TestRowLevelSecurityCatalogue(t *testing.T) {
	t.Parallel()
	store, _ := MustStore(t)
	owner := testdb.Owner(store.DB())
	var unguarded []string
	if err := owner.Select(&unguarded, `
		SELECT c.relname FROM pg_class c
		WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
		  AND c.relname NOT IN ('schema_migrations', 'mail_deliveries', 'signing_keys')
		  AND NOT (c.relrowsecurity AND c.relforcerowsecurity
		       AND EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid AND p.polname = 'tenant'
		                   AND p.polroles = ARRAY['peerpath_app'::regrole::oid] AND p.polwithcheck IS NOT NULL))
		ORDER BY 1`); err != nil {
		t.Fatal(err)
	}
	if len(unguarded) > 0 {
		t.Errorf("tables without FORCE row-level security and a tenant policy for peerpath_app: %v", unguarded)
	}
	var role struct {
		Super  bool `db:"rolsuper"`
		Bypass bool `db:"rolbypassrls"`
		Owns   int  `db:"owns"`
	}
	if err := owner.Get(&role, `
		SELECT r.rolsuper, r.rolbypassrls,
			(SELECT count(*) FROM pg_class c WHERE c.relowner = r.oid AND c.relnamespace = 'public'::regnamespace) AS owns
		FROM pg_roles r WHERE r.rolname = $1`, courses.AppRole); err != nil {
		t.Fatal(err)
	}
	if role.Super || role.Bypass || role.Owns != 0 {
		t.Errorf("role %s: got superuser %v, bypassrls %v, owns %d relations; want none of them", courses.AppRole,
			role.Super, role.Bypass, role.Owns)
	}
	var who string
	if err := store.DB().Get(&who, `SELECT current_user`); err != nil || who != courses.AppRole {
		t.Errorf("the store's connections work as %q (%v), want %q", who, err, courses.AppRole)
	}

	// With no organisation set, the application sees nothing, and cannot write either.
	org := MustOrg(t, store, "riverside")
	MustPerson(t, store, org.ID, "amy@riverside.example", "trainee")
	for _, set := range []string{"", "SELECT set_config('app.org_id', '', true)"} {
		tx := store.DB().MustBegin()
		if set != "" {
			tx.MustExec(set)
		}
		var n int
		if err := tx.Get(&n, `SELECT (SELECT count(*) FROM people) + (SELECT count(*) FROM organisations)`); err != nil || n != 0 {
			t.Errorf("%q: got %d rows (%v), want 0", set, n, err)
		}
		if _, err := tx.Exec(`INSERT INTO teams (org_id, name) VALUES ($1, 'Sneaky')`, org.ID); err == nil {
			t.Errorf("%q: a team was written with no organisation set", set)
		}
		tx.Rollback()
	}
}

// rlsLab is one organisation with something in every table, and a second one to be scoped to.
type rlsLab struct {
	*roleplayLab
	harbour     string
	course      string
	attempt     string
	certificate *courses.Certificate
	session     string
	trainingTyp string
	record      string
	apiToken    string
	invitation  string
	second      []*courses.Course // another course to import
	markers     []string          // strings that only riverside's rows hold
}

func mustRLSLab(tb testing.TB) *rlsLab {
	tb.Helper()
	ctx := context.Background()
	l := &rlsLab{roleplayLab: mustRoleplayLab(tb), course: "river-course"}
	store, owner := l.store, testdb.Owner(l.store.DB())
	if err := owner.Get(&l.harbour, `SELECT id FROM organisations WHERE slug = 'harbour'`); err != nil {
		tb.Fatal(err)
	}
	MustImport(tb, store, l.org.ID, tinyFS(l.course, nil))
	l.second = MustLoad(tb, tinyFS("river-second", nil))
	MustAssign(tb, store, l.amy, l.course, l.clock.Now().Add(14*24*time.Hour))
	MustComplete(tb, store, l.ben, l.course, "one")
	if _, err := store.SaveReflection(ctx, l.ben, l.course, "one", map[string]string{"r1": "riverside-private-story"}); err != nil {
		tb.Fatal(err)
	}
	l.certificate = MustIssue(tb, store, MustFinish(tb, store, l.amy, l.course))
	attempts, err := store.FindAttempts(ctx, l.amy, l.course+".one")
	if err != nil || len(attempts) == 0 {
		tb.Fatalf("attempts: %v, %v", attempts, err)
	}
	l.attempt = attempts[0].ID
	l.session = mustSchedule(tb, l.roleplayLab, l.trainer, l.input(l.amy, l.ben, l.cal)).ID
	if err := store.AppendRoleplayCommand(ctx, l.org.ID, l.session, courses.RoleplayCommand{N: 1, At: l.clock.Now(),
		Kind: "join", Person: l.amy.Person.ID}); err != nil {
		tb.Fatal(err)
	}
	l.trainingTyp = MustTrainingType(tb, store, l.admin, "Riverside first aid", nil)
	MustTrainingRecord(tb, store, l.admin, l.amy.Person.ID, l.trainingTyp, "2026-01-10")
	if err := owner.Get(&l.record, `SELECT id FROM training_records WHERE org_id = $1`, l.org.ID); err != nil {
		tb.Fatal(err)
	}
	tok, _, err := store.CreateAPIToken(ctx, l.admin, "Riverside HR sync", courses.ScopeRead)
	if err != nil {
		tb.Fatal(err)
	}
	l.apiToken = tok.ID
	inv, _ := MustInvite(tb, store, l.org.ID, "newcomer@riverside.example")
	l.invitation = inv.ID
	if _, err := store.ScanReminders(ctx, courses.ScanOptions{Force: true}); err != nil {
		tb.Fatal(err)
	}
	// Everything that names riverside's rows: ids, names, emails, titles, words.
	if err := owner.Select(&l.markers, `
		SELECT v FROM (
			SELECT id::text AS v FROM people WHERE org_id = $1 UNION SELECT email FROM people WHERE org_id = $1
			UNION SELECT name FROM people WHERE org_id = $1
			UNION SELECT id::text FROM teams WHERE org_id = $1 UNION SELECT name FROM teams WHERE org_id = $1
			UNION SELECT id::text FROM courses WHERE org_id = $1 UNION SELECT slug FROM courses WHERE org_id = $1
			UNION SELECT id::text FROM enrolments WHERE org_id = $1 UNION SELECT id::text FROM quiz_attempts WHERE org_id = $1
			UNION SELECT id::text FROM completions WHERE org_id = $1 UNION SELECT id::text FROM certificates WHERE org_id = $1
			UNION SELECT number FROM certificates WHERE org_id = $1
			UNION SELECT id::text FROM roleplay_sessions WHERE org_id = $1 UNION SELECT title FROM roleplay_sessions WHERE org_id = $1
			UNION SELECT id::text FROM training_types WHERE org_id = $1 UNION SELECT name FROM training_types WHERE org_id = $1
			UNION SELECT id::text FROM training_records WHERE org_id = $1
			UNION SELECT id::text FROM api_tokens WHERE org_id = $1 UNION SELECT name FROM api_tokens WHERE org_id = $1
			UNION SELECT id::text FROM invitations WHERE org_id = $1 UNION SELECT email FROM invitations WHERE org_id = $1
			UNION SELECT id::text FROM notifications WHERE org_id = $1
			UNION SELECT 'riverside-private-story') m`, l.org.ID); err != nil {
		tb.Fatal(err)
	}
	return l
}

// leaks returns the markers found in v, leaving out the caller's own identity, which a result may
// repeat from the principal the caller passed in rather than from the database.
func (l *rlsLab) leaks(v any, caller *courses.Principal) []string {
	b, err := json.Marshal(v)
	if err != nil {
		return []string{fmt.Sprintf("(unmarshalable result: %v)", err)}
	}
	own := map[string]bool{}
	if caller != nil {
		own[caller.Person.ID], own[caller.Person.Email], own[caller.Person.Name] = true, true, true
	}
	var out []string
	for _, m := range l.markers {
		if !own[m] && strings.Contains(string(b), m) {
			out = append(out, m)
		}
	}
	return out
}

// snapshot fingerprints every table's rows, to show that a call wrote nothing.
func snapshot(tb testing.TB, owner *sqlx.DB) map[string]string {
	tb.Helper()
	var tables []string
	if err := owner.Select(&tables, `SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'`); err != nil {
		tb.Fatal(err)
	}
	out := map[string]string{}
	for _, t := range tables {
		var sum string
		if err := owner.Get(&sum, `SELECT COALESCE(md5(string_agg(t::text, ',' ORDER BY t::text)), '') FROM `+t+` t`); err != nil {
			tb.Fatal(err)
		}
		out[t] = sum
	}
	return out
}

// rlsCall is one store method called by one of riverside's people. reads says the call, scoped
// rightly, returns some of riverside's rows: the fixture is not empty, so seeing nothing when
// scoped wrongly is the policies' doing.
type rlsCall struct {
	method string
	caller func(l *rlsLab) *courses.Principal
	call   func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error)
	reads  bool
}

func rlsCalls() []rlsCall {
	admin := func(l *rlsLab) *courses.Principal { return l.admin }
	trainer := func(l *rlsLab) *courses.Principal { return l.trainer }
	amy := func(l *rlsLab) *courses.Principal { return l.amy }
	ben := func(l *rlsLab) *courses.Principal { return l.ben }
	none := func(*rlsLab) *courses.Principal { return nil }
	page := courses.Page{Limit: 50}
	two := func(a, b any, err error) (any, error) { return []any{a, b}, err }
	return []rlsCall{
		{"AcceptInvitation", none, nil, false},
		{"AppendRoleplayCommand", none, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return nil, st.AppendRoleplayCommand(ctx, l.org.ID, l.session, courses.RoleplayCommand{N: 2, At: l.clock.Now(), Kind: "join", Person: l.ben.Person.ID})
		}, false},
		{"AppendRoleplayCommands", none, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return st.AppendRoleplayCommands(ctx, l.org.ID, []courses.SessionCommand{{Session: l.session,
				RoleplayCommand: courses.RoleplayCommand{N: 3, At: l.clock.Now(), Kind: "join", Person: l.cal.Person.ID}}})
		}, false},
		{"AuditCompletionExport", admin, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return nil, st.AuditCompletionExport(ctx, l.admin, courses.CompletionFilter{})
		}, false},
		{"CancelRoleplaySession", trainer, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return st.CancelRoleplaySession(ctx, l.trainer, l.session)
		}, false},
		{"ChooseInScenario", amy, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return st.ChooseInScenario(ctx, l.amy, l.course+".s", "start", "a")
		}, false},
		{"CompleteModule", ben, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return st.CompleteModule(ctx, l.ben, l.course, "one")
		}, false},
		{"CountActivePeople", none, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			n, err := st.CountActivePeople(ctx, l.org.ID)
			if n != 0 {
				// Reported as a leak: the email is one of riverside's markers.
				return fmt.Sprintf("counted %d people, such as %s", n, l.amy.Person.Email), err
			}
			return n, err
		}, false},
		{"CreateAPIToken", admin, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return two(st.CreateAPIToken(ctx, l.admin, "Another", courses.ScopeRead))
		}, false},
		{"CreateAssignments", admin, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return st.CreateAssignments(ctx, l.admin, courses.AssignmentInput{CourseSlug: l.course, PersonIDs: []string{l.cal.Person.ID}})
		}, false},
		{"CreateCertificate", none, nil, false},
		{"CreateInvitation", none, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return two(st.CreateInvitation(ctx, l.org.ID, l.admin.Person.ID, courses.InvitationInput{Email: "x@riverside.example", Roles: []string{"trainee"}}))
		}, false},
		{"CreateRoleplaySession", trainer, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return st.CreateRoleplaySession(ctx, l.trainer, l.input(l.amy))
		}, false},
		{"CreateTeam", admin, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return st.CreateTeam(ctx, l.admin, "Night crew")
		}, false},
		{"CreateTrainingRecord", admin, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return st.CreateTrainingRecord(ctx, l.admin, courses.TrainingRecordInput{PersonID: l.ben.Person.ID,
				TrainingTypeID: l.trainingTyp, CompletedOn: "2026-02-01"})
		}, false},
		{"CreateTrainingType", admin, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return st.CreateTrainingType(ctx, l.admin, "Manual handling", nil)
		}, false},
		{"DeleteAssignment", admin, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			as, _, err := l.store.FindAssignments(ctx, l.admin, courses.AssignmentFilter{}, page)
			if err != nil || len(as) == 0 {
				return nil, fmt.Errorf("fixture: no assignment (%v)", err)
			}
			return nil, st.DeleteAssignment(ctx, l.admin, as[0].ID)
		}, false},
		{"DeleteAssignmentRule", admin, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return nil, st.DeleteAssignmentRule(ctx, l.admin, l.team)
		}, false},
		{"DeleteReflection", ben, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return nil, st.DeleteReflection(ctx, l.ben, l.course, "one")
		}, false},
		{"DeleteTeam", admin, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return nil, st.DeleteTeam(ctx, l.admin, l.team)
		}, false},
		{"DeleteTeamMember", admin, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return nil, st.DeleteTeamMember(ctx, l.admin, l.team, l.ben.Person.ID)
		}, false},
		{"DeleteTrainingRecord", admin, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return nil, st.DeleteTrainingRecord(ctx, l.admin, l.record)
		}, false},
		{"DeleteTrainingType", admin, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return nil, st.DeleteTrainingType(ctx, l.admin, l.trainingTyp)
		}, false},
		{"EachCompletion", admin, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			var rows []*courses.MatrixRow
			err := st.EachCompletion(ctx, l.admin, courses.CompletionFilter{}, func(r *courses.MatrixRow) error {
				rows = append(rows, r)
				return nil
			})
			return rows, err
		}, true},
		{"ExportMyData", ben, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return st.ExportMyData(ctx, l.ben)
		}, true},
		{"FindAPITokens", admin, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return st.FindAPITokens(ctx, l.admin)
		}, true},
		{"FindAssignments", admin, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return two(st.FindAssignments(ctx, l.admin, courses.AssignmentFilter{}, page))
		}, true},
		{"FindAttempt", amy, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return st.FindAttempt(ctx, l.amy, l.attempt)
		}, true},
		{"FindAttempts", amy, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return st.FindAttempts(ctx, l.amy, l.course+".one")
		}, true},
		{"FindAuditLog", admin, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return two(st.FindAuditLog(ctx, l.admin, courses.AuditFilter{}, page))
		}, true},
		{"FindCertificate", amy, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return st.FindCertificate(ctx, l.amy, l.certificate.ID)
		}, true},
		{"FindCharts", admin, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return st.FindCharts(ctx, l.admin)
		}, true},
		{"FindCompletion", admin, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return st.FindCompletion(ctx, l.admin, courses.CompletionFilter{}, page)
		}, true},
		{"FindCourseDetail", amy, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return st.FindCourseDetail(ctx, l.amy, l.course)
		}, true},
		{"FindCourseReport", admin, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return st.FindCourseReport(ctx, l.admin, l.course)
		}, true},
		{"FindCourses", amy, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			a, c, err := st.FindCourses(ctx, l.amy)
			return []any{a, c}, err
		}, true},
		{"FindInvitations", none, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return two(st.FindInvitations(ctx, l.org.ID, page))
		}, true},
		{"FindModuleView", amy, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return st.FindModuleView(ctx, l.amy, l.course, "one")
		}, true},
		{"FindMyCertificates", amy, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return st.FindMyCertificates(ctx, l.amy)
		}, true},
		{"FindMyTrainingRecords", amy, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return two(st.FindMyTrainingRecords(ctx, l.amy, page))
		}, true},
		{"FindNotificationPreferences", amy, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return st.FindNotificationPreferences(ctx, l.amy)
		}, false},
		{"FindNotifications", amy, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			items, next, unread, err := st.FindNotifications(ctx, l.amy, page)
			return []any{items, next, unread}, err
		}, false},
		{"FindOrgPerson", admin, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return st.FindOrgPerson(ctx, l.admin, l.amy.Person.ID)
		}, true},
		{"FindOrgSettings", admin, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return st.FindOrgSettings(ctx, l.admin)
		}, true},
		{"FindPeople", admin, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return two(st.FindPeople(ctx, l.admin, courses.PeopleFilter{}, page))
		}, true},
		{"FindPersonRecord", admin, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return st.FindPersonRecord(ctx, l.admin, l.amy.Person.ID)
		}, true},
		{"FindReflection", ben, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return st.FindReflection(ctx, l.ben, l.course, "one")
		}, true},
		{"FindRoleplayCandidates", trainer, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return st.FindRoleplayCandidates(ctx, l.trainer)
		}, true},
		{"FindRoleplayFeedback", trainer, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return st.FindRoleplayFeedback(ctx, l.trainer, l.session)
		}, true},
		{"FindRoleplayPortfolio", amy, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return two(st.FindRoleplayPortfolio(ctx, l.amy, page))
		}, false},
		{"FindRoleplaySession", none, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return st.FindRoleplaySession(ctx, l.org.ID, l.session)
		}, true},
		{"FindRoleplaySessionDetail", trainer, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return st.FindRoleplaySessionDetail(ctx, l.trainer, l.session)
		}, true},
		{"FindRoleplaySessions", trainer, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return two(st.FindRoleplaySessions(ctx, l.trainer, courses.RoleplaySessionFilter{}, page))
		}, true},
		{"FindRoleplayTranscript", trainer, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return two(st.FindRoleplayTranscript(ctx, l.trainer, l.session, page))
		}, false},
		{"FindScenario", amy, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return st.FindScenario(ctx, l.amy, l.course+".s")
		}, false},
		{"FindScenarios", amy, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return st.FindScenarios(ctx, l.amy, l.course)
		}, false},
		{"FindTeam", admin, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return st.FindTeam(ctx, l.admin, l.team)
		}, true},
		{"FindTeams", admin, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return two(st.FindTeams(ctx, l.admin, page))
		}, true},
		{"FindTrainingEvidence", admin, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return st.FindTrainingEvidence(ctx, l.admin, l.record)
		}, false},
		{"FindTrainingRecords", admin, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return two(st.FindTrainingRecords(ctx, l.admin, courses.TrainingRecordFilter{}, page))
		}, true},
		{"FindTrainingTypes", admin, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return st.FindTrainingTypes(ctx, l.admin)
		}, true},
		{"ImportCourses", none, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return st.ImportCourses(ctx, l.org.ID, l.second)
		}, false},
		{"ImportPeople", admin, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return st.ImportPeople(ctx, l.admin, []byte("email,name,roles\nnew@riverside.example,New Person,trainee\n"), false)
		}, false},
		{"MarkNotificationsRead", amy, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return st.MarkNotificationsRead(ctx, l.amy, nil, true)
		}, false},
		{"PutTeamMember", admin, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return st.PutTeamMember(ctx, l.admin, l.team, l.amy.Person.ID, true)
		}, false},
		{"RecordRoleplayFacts", none, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			at := l.clock.Now()
			return nil, st.RecordRoleplayFacts(ctx, l.org.ID, l.session, courses.RoleplayFacts{EndedAt: &at})
		}, false},
		{"RenameTeam", admin, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return st.RenameTeam(ctx, l.admin, l.team, "Renamed crew")
		}, false},
		{"RequestDeletion", ben, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return nil, st.RequestDeletion(ctx, l.ben, testPassword)
		}, false},
		{"RevokeAPIToken", admin, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return st.RevokeAPIToken(ctx, l.admin, l.apiToken)
		}, false},
		{"RevokeCertificate", admin, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return st.RevokeCertificate(ctx, l.admin, l.certificate.ID, "Issued in error")
		}, false},
		{"RoleplayCommands", none, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return st.RoleplayCommands(ctx, l.org.ID, l.session, 0)
		}, true},
		{"RoleplayLogHeads", none, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return st.RoleplayLogHeads(ctx, l.org.ID, []string{l.session})
		}, true},
		{"RoleplayInvite", trainer, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return st.RoleplayInvite(ctx, l.trainer, l.session)
		}, true},
		{"SaveAnswers", amy, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return st.SaveAnswers(ctx, l.amy, l.attempt, courses.Answers{"q1": {"a"}})
		}, false},
		{"SaveReflection", ben, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return st.SaveReflection(ctx, l.ben, l.course, "one", map[string]string{"r1": "changed"})
		}, false},
		{"SetCourseValidity", admin, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return nil, st.SetCourseValidity(ctx, l.admin, l.course, intp(6))
		}, false},
		{"SetExtraTime", admin, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return nil, st.SetExtraTime(ctx, l.admin, l.amy.Person.ID, 50)
		}, false},
		{"SetPersonActive", admin, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return st.SetPersonActive(ctx, l.admin, l.amy.Person.ID, false)
		}, false},
		{"SetTimeZone", none, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return nil, st.SetTimeZone(ctx, l.org.ID, "Pacific/Auckland")
		}, false},
		{"StartAttempt", ben, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			a, _, err := st.StartAttempt(ctx, l.ben, l.course+".one")
			return a, err
		}, false},
		{"SubmitAttempt", amy, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return st.SubmitAttempt(ctx, l.amy, l.attempt, courses.Answers{"q1": {"a"}})
		}, false},
		{"UpdateNotificationPreferences", amy, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return st.UpdateNotificationPreferences(ctx, l.amy, map[string]bool{"overdue": false})
		}, false},
		{"UpdatePersonRoles", admin, func(ctx context.Context, st *courses.Store, l *rlsLab) (any, error) {
			return st.UpdatePersonRoles(ctx, l.admin, l.amy.Person.ID, []string{"trainee", "trainer"})
		}, false},
	}
}

// systemMethods work across organisations by design, through the system role, or are not
// queries at all; every other method is in rlsCalls.
var systemMethods = map[string]string{
	"AcceptInvitation":           "a token from an email link, before the organisation is known",
	"Authenticate":               "sign-in by email",
	"CompletePasswordReset":      "a token from an email link",
	"CreateCertificate":          "the worker's certificate issue",
	"CreateOrganisation":         "operators onboard organisations",
	"CreateSession":              "sign-in",
	"CreditRoleplayPractice":     "runs in its caller's transaction, which sets the organisation",
	"DB":                         "not a query",
	"DeleteExpiredSessions":      "housekeeping over every organisation",
	"DeleteRelayedOutbox":        "the outbox relay",
	"DeleteSession":              "sign-out by token",
	"DeliverMail":                "the worker's mail; mail_deliveries holds no organisation",
	"DraftCertificate":           "the worker's certificate issue",
	"FindAPIToken":               "an integration's secret, before the organisation is known",
	"FindInvitationByToken":      "a token from an email link",
	"FindOrganisationBySlug":     "operators' commands",
	"FindPasswordResetEmail":     "a token from an email link",
	"FindPrincipal":              "the person a session or token names",
	"FindSession":                "every request's session cookie",
	"FindSigningKeys":            "public keys; no organisation",
	"FindUnsubscribe":            "a token from an email link",
	"MailDelivered":              "the worker's mail",
	"Now":                        "not a query",
	"OutboxBacklog":              "the outbox relay",
	"Ping":                       "not a query",
	"RecordMailDelivery":         "the worker's mail",
	"RegisterSigningKey":         "public keys; no organisation",
	"RelayOutbox":                "the outbox relay",
	"RequestPasswordReset":       "by email, before the organisation is known",
	"RequeueMissingCertificates": "the worker's sweep over every organisation",
	"RoleplayCards":              "not a query",
	"ScanReminders":              "lists organisations, then scans each in its own scope",
	"ScopeTenantsTo":             "the test hook",
	"SeedDemo":                   "operators' demo data",
	"Unsubscribe":                "a token from an email link",
	"VerifyCertificate":          "the public verification page",
}

// Every store method that reads or writes an organisation's rows, run with the wrong organisation
// set for its transactions, sees none of the rows it asked for and changes nothing: the query
// filters still name riverside, and row-level security alone keeps riverside's rows out.
func TestRowLevelSecurityWrongOrganisation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := mustRLSLab(t)
	calls := rlsCalls()

	t.Run("EveryMethodIsCovered", func(t *testing.T) {
		covered := map[string]bool{}
		for _, c := range calls {
			covered[c.method] = true
		}
		var missing []string
		typ := reflect.TypeOf(l.store)
		for i := 0; i < typ.NumMethod(); i++ {
			name := typ.Method(i).Name
			if !covered[name] && systemMethods[name] == "" {
				missing = append(missing, name)
			}
		}
		sort.Strings(missing)
		if len(missing) > 0 {
			t.Errorf("store methods in neither rlsCalls nor systemMethods: %v", missing)
		}
	})

	wrong := courses.NewStore(l.store.DB(), l.clock.Now)
	wrong.RoleplayKit = l.store.RoleplayKit
	wrong.ScopeTenantsTo(l.harbour)
	owner := testdb.Owner(l.store.DB())
	before := snapshot(t, owner)
	for _, c := range calls {
		if c.call == nil {
			continue
		}
		t.Run(c.method, func(t *testing.T) {
			got, err := c.call(ctx, wrong, l)
			if err == nil {
				if leaked := l.leaks(got, c.caller(l)); len(leaked) > 0 {
					t.Errorf("scoped to harbour, got riverside's %q in %+v", leaked, got)
				}
			}
			if err != nil && courses.ErrorCode(err) == "" && strings.Contains(err.Error(), "fixture") {
				t.Fatal(err)
			}
		})
	}
	after := snapshot(t, owner)
	for table, sum := range before {
		if after[table] != sum {
			t.Errorf("table %s changed while every transaction was scoped to harbour", table)
		}
	}

	// The same reads, scoped rightly, do return riverside's rows.
	t.Run("RightScope", func(t *testing.T) {
		for _, c := range calls {
			if !c.reads {
				continue
			}
			got, err := c.call(ctx, l.store, l)
			if err != nil {
				t.Errorf("%s: %v", c.method, err)
			} else if len(l.leaks(got, c.caller(l))) == 0 {
				t.Errorf("%s: scoped to riverside, got none of riverside's rows in %+v", c.method, got)
			}
		}
	})
}

// Two organisations' requests sharing two pooled connections, mixed with system work, never see
// each other's rows: the organisation and the system role last exactly one transaction.
func TestRowLevelSecurityPooledConnections(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, _ := MustStore(t)
	store.DB().SetMaxOpenConns(2)
	type tenant struct {
		admin  *courses.Principal
		domain string
		token  string
	}
	var tenants []tenant
	for _, slug := range []string{"riverside", "harbour"} {
		org := MustOrg(t, store, slug)
		admin := MustLearner(t, store, org.ID, "admin@"+slug+".example", "org_admin")
		for i := 0; i < 5; i++ {
			MustPerson(t, store, org.ID, fmt.Sprintf("p%d@%s.example", i, slug), "trainee")
		}
		tenants = append(tenants, tenant{admin: admin, domain: "@" + slug + ".example", token: MustSession(t, store, admin.Person.ID)})
	}
	const workers, rounds = 8, 40
	errs := make(chan error, workers*rounds)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for r := 0; r < rounds; r++ {
				tn := tenants[(w+r)%2]
				switch r % 3 {
				case 0, 1:
					people, _, err := store.FindPeople(ctx, tn.admin, courses.PeopleFilter{}, courses.Page{Limit: 50})
					if err != nil {
						errs <- err
						continue
					}
					if len(people) != 6 {
						errs <- fmt.Errorf("%s: got %d people, want 6", tn.domain, len(people))
					}
					for _, p := range people {
						if !strings.HasSuffix(p.Email, tn.domain) {
							errs <- fmt.Errorf("%s's admin got %s", tn.domain, p.Email)
						}
					}
				case 2:
					// A system-role lookup on the same connections.
					if p, err := store.FindSession(ctx, tn.token); err != nil || p.Person.ID != tn.admin.Person.ID {
						errs <- fmt.Errorf("session of %s: got %v, %v", tn.domain, p, err)
					}
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// Nothing outlives its transaction on a pooled connection.
	for i := 0; i < 4; i++ {
		var got struct {
			Org  string `db:"org"`
			User string `db:"usr"`
		}
		if err := store.DB().Get(&got, `SELECT COALESCE(current_setting('app.org_id', true), '') AS org, current_user AS usr`); err != nil {
			t.Fatal(err)
		}
		if got.Org != "" || got.User != courses.AppRole {
			t.Errorf("a pooled connection outside any transaction: got app.org_id %q as %s, want none as %s", got.Org, got.User, courses.AppRole)
		}
	}
}

// module_progress_of scopes its one statement itself: it sees the learner's progress only for
// the learner's own organisation, and leaves app.org_id as it found it.
func TestModuleProgressOf(t *testing.T) {
	t.Parallel()
	store, _ := MustStore(t)
	river, harbour := MustOrg(t, store, "riverside"), MustOrg(t, store, "harbour")
	MustImport(t, store, river.ID, tinyFS("river-course", nil))
	amy := MustLearner(t, store, river.ID, "amy@riverside.example")
	MustComplete(t, store, amy, "river-course", "one")
	var course string
	if err := testdb.Owner(store.DB()).Get(&course, `SELECT id FROM courses WHERE slug = 'river-course'`); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, org string
		want      int
	}{
		{"OwnOrganisation", river.ID, 1},
		{"OtherOrganisation", harbour.ID, 0},
		{"NoOrganisation", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tx := store.DB().MustBegin()
			defer tx.Rollback()
			tx.MustExec(`SELECT set_config('app.org_id', $1, true)`, harbour.ID)
			var done []bool
			if err := tx.Select(&done, `SELECT done FROM module_progress_of(NULLIF($1, '')::uuid, $2, $3, 'one', '')`,
				tt.org, amy.Person.ID, course); err != nil {
				t.Fatal(err)
			}
			if len(done) != tt.want || (tt.want == 1 && !done[0]) {
				t.Errorf("got %v, want %d row(s) with the module done", done, tt.want)
			}
			var after string
			if err := tx.Get(&after, `SELECT current_setting('app.org_id', true)`); err != nil || after != harbour.ID {
				t.Errorf("app.org_id after the call: got %q (%v), want it put back to %q", after, err, harbour.ID)
			}
		})
	}
}
