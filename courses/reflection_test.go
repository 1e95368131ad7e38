package courses_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"peerpath/courses"
	"peerpath/migrations/testdb"
)

// answersOf maps prompt ids to answers, leaving out unanswered prompts.
func answersOf(rs []courses.ReflectionAnswer) map[string]string {
	out := map[string]string{}
	for _, r := range rs {
		if r.Answer != "" || r.UpdatedAt != nil {
			out[r.ID] = r.Answer
		}
	}
	return out
}

func TestReflection(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, clock := MustStore(t)
	org := MustOrg(t, store, "riverside")
	sam := MustLearner(t, store, org.ID, "sam@riverside.example")
	MustImport(t, store, "", tinyFS("tiny", nil))

	save := func(t *testing.T, answers map[string]string) []courses.ReflectionAnswer {
		t.Helper()
		got, err := store.SaveReflection(ctx, sam, "tiny", "one", answers)
		if err != nil {
			t.Fatal(err)
		}
		found, err := store.FindReflection(ctx, sam, "tiny", "one")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(got, found); diff != "" {
			t.Errorf("saved and found differ (-saved +found):\n%s", diff)
		}
		return got
	}

	t.Run("Empty", func(t *testing.T) {
		got, err := store.FindReflection(ctx, sam, "tiny", "one")
		if err != nil {
			t.Fatal(err)
		}
		want := []courses.ReflectionAnswer{{ID: "r1", Prompt: "What did you notice?"}, {ID: "r2", Prompt: "What will you try next?"}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("reflection (-want +got):\n%s", diff)
		}
	})
	t.Run("Save", func(t *testing.T) {
		got := save(t, map[string]string{"r1": "I noticed the pause.", "r2": "Asking first."})
		now := clock.Now()
		want := []courses.ReflectionAnswer{
			{ID: "r1", Prompt: "What did you notice?", Answer: "I noticed the pause.", UpdatedAt: &now},
			{ID: "r2", Prompt: "What will you try next?", Answer: "Asking first.", UpdatedAt: &now},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("reflection (-want +got):\n%s", diff)
		}
	})
	t.Run("UpdateOne", func(t *testing.T) {
		clock.Advance(time.Hour)
		got := save(t, map[string]string{"r2": "Asking first, then waiting."})
		if diff := cmp.Diff(map[string]string{"r1": "I noticed the pause.", "r2": "Asking first, then waiting."}, answersOf(got)); diff != "" {
			t.Errorf("answers (-want +got):\n%s", diff)
		}
		if !got[1].UpdatedAt.Equal(clock.Now()) || got[0].UpdatedAt.Equal(clock.Now()) {
			t.Errorf("updated at: got %v and %v, want only r2's moved to %v", got[0].UpdatedAt, got[1].UpdatedAt, clock.Now())
		}
	})
	t.Run("EmptyRemovesOne", func(t *testing.T) {
		got := save(t, map[string]string{"r1": ""})
		if diff := cmp.Diff(map[string]string{"r2": "Asking first, then waiting."}, answersOf(got)); diff != "" {
			t.Errorf("answers (-want +got):\n%s", diff)
		}
		if n := MustCount(t, store, `SELECT count(*) FROM reflections`); n != 1 {
			t.Errorf("rows: got %d, want 1", n)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		tests := []struct {
			name    string
			answers map[string]string
			field   string
		}{
			{"UnknownPrompt", map[string]string{"r9": "x", "r1": "kept out too"}, "answers.r9"},
			{"TooLong", map[string]string{"r1": strings.Repeat("a", courses.MaxReflection+1)}, "answers.r1"},
			{"TooLongInCharacters", map[string]string{"r2": strings.Repeat("é", courses.MaxReflection+1)}, "answers.r2"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := store.SaveReflection(ctx, sam, "tiny", "one", tt.answers)
				wantFields(t, err, tt.field)
				found, err := store.FindReflection(ctx, sam, "tiny", "one")
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(map[string]string{"r2": "Asking first, then waiting."}, answersOf(found)); diff != "" {
					t.Errorf("answers changed (-want +got):\n%s", diff)
				}
			})
		}
	})
	t.Run("LongestAllowed", func(t *testing.T) {
		long := strings.Repeat("é", courses.MaxReflection) // 20,000 characters, 40,000 bytes
		got := save(t, map[string]string{"r1": long})
		if got[0].Answer != long {
			t.Errorf("got %d characters back, want %d", len([]rune(got[0].Answer)), courses.MaxReflection)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		for _, tt := range []struct{ slug, module string }{{"tiny", "nosuch"}, {"nosuch", "one"}} {
			_, err := store.FindReflection(ctx, sam, tt.slug, tt.module)
			wantCode(t, err, courses.NotFound)
			_, err = store.SaveReflection(ctx, sam, tt.slug, tt.module, map[string]string{"r1": "x"})
			wantCode(t, err, courses.NotFound)
			err = store.DeleteReflection(ctx, sam, tt.slug, tt.module)
			wantCode(t, err, courses.NotFound)
		}
	})
	t.Run("DeleteRemovesAll", func(t *testing.T) {
		if err := store.DeleteReflection(ctx, sam, "tiny", "one"); err != nil {
			t.Fatal(err)
		}
		found, err := store.FindReflection(ctx, sam, "tiny", "one")
		if err != nil {
			t.Fatal(err)
		}
		if got := answersOf(found); len(got) != 0 {
			t.Errorf("answers after delete: got %v, want none", got)
		}
		if n := MustCount(t, store, `SELECT count(*) FROM reflections`); n != 0 {
			t.Errorf("rows: got %d, want 0", n)
		}
		// Deleting nothing is fine.
		if err := store.DeleteReflection(ctx, sam, "tiny", "one"); err != nil {
			t.Errorf("delete again: %v", err)
		}
	})
}

// Reflections are private: nobody but their author reads them, an org admin included.
func TestReflectionPrivacy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, _ := MustStore(t)
	MustShipped(t, store)
	if _, err := store.SeedDemo(ctx, courses.DefaultDemoPassword); err != nil {
		t.Fatal(err)
	}
	principal := func(email string) *courses.Principal {
		var id string
		if err := testdb.Owner(store.DB()).Get(&id, `SELECT id FROM people WHERE email = $1`, email); err != nil {
			t.Fatalf("%s: %v", email, err)
		}
		return MustPrincipal(t, store, id)
	}
	trainee := principal("trainee1@riverside.example")
	admin := principal("admin@riverside.example")
	peer := principal("trainee2@riverside.example")
	const slug, module = "storytelling-with-purpose", "why-we-share"
	const secret = "The night in the ward I have never told anyone about."

	if _, err := store.SaveReflection(ctx, trainee, slug, module, map[string]string{"r1": secret, "r2": secret + " Again."}); err != nil {
		t.Fatal(err)
	}
	for name, p := range map[string]*courses.Principal{"OrgAdmin": admin, "OtherTrainee": peer} {
		t.Run(name, func(t *testing.T) {
			got, err := store.FindReflection(ctx, p, slug, module)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 3 {
				t.Errorf("got %d prompts, want 3", len(got))
			}
			if a := answersOf(got); len(a) != 0 {
				t.Errorf("%s sees answers %v, want their own (none)", p.Person.Email, a)
			}
			// Writing their own does not touch the trainee's.
			if _, err := store.SaveReflection(ctx, p, slug, module, map[string]string{"r1": "Mine."}); err != nil {
				t.Fatal(err)
			}
			if err := store.DeleteReflection(ctx, p, slug, module); err != nil {
				t.Fatal(err)
			}
		})
	}
	got, err := store.FindReflection(ctx, trainee, slug, module)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"r1": secret, "r2": secret + " Again."}, answersOf(got)); diff != "" {
		t.Errorf("trainee's answers (-want +got):\n%s", diff)
	}
}
