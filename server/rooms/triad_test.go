package rooms_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"peerpath/courses"
	"peerpath/server/rooms"
)

func TestAssignTriads(t *testing.T) {
	tests := []struct {
		n         int
		wantSizes []int
	}{
		{0, nil},
		{1, []int{1}},
		{2, []int{2}},
		{3, []int{3}},
		{4, []int{4}},
		{5, []int{3, 2}},
		{6, []int{3, 3}},
		{7, []int{3, 4}},
		{8, []int{3, 3, 2}},
		{9, []int{3, 3, 3}},
		{10, []int{3, 3, 4}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.n), func(t *testing.T) {
			in := make([]rooms.ParticipantID, tt.n)
			for i := range in {
				in[i] = rooms.ParticipantID(fmt.Sprintf("p%d", i))
			}
			groups := rooms.AssignTriads(in)
			var sizes []int
			var flat []rooms.ParticipantID
			for _, g := range groups {
				sizes = append(sizes, len(g))
				flat = append(flat, g...)
			}
			if diff := cmp.Diff(tt.wantSizes, sizes); diff != "" {
				t.Errorf("sizes (-want +got):\n%s", diff)
			}
			// Nobody lost or duplicated, and the order is kept.
			if diff := cmp.Diff(in, flat, cmp.Comparer(func(a, b []rooms.ParticipantID) bool { return slices.Equal(a, b) })); diff != "" {
				t.Errorf("members (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAssignAuto(t *testing.T) {
	r, now := MustRoom(t, rooms.SessionLobby)
	r.Leave(now, "k")
	MustApply(t, r, now, trainer, intent(rooms.IntentGroupsAssign, &rooms.GroupsAssignData{Auto: true}))
	var sizes []int
	for _, g := range r.Groups() {
		sizes = append(sizes, len(g.Members))
	}
	// Ten connected trainees: two triads and one with a second observer; k is away.
	if diff := cmp.Diff([]int{3, 3, 4}, sizes); diff != "" {
		t.Errorf("sizes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]rooms.ParticipantID{"k"}, r.Snapshot(trainer).Unassigned); diff != "" {
		t.Errorf("unassigned (-want +got):\n%s", diff)
	}
	g3 := MustGroup(t, r, "g3")
	if got, want := g3.Seats["j"], courses.SeatObserver; got != want {
		t.Errorf("fourth member: got %s, want %s", got, want)
	}
}

func TestRotation(t *testing.T) {
	for size := 1; size <= 4; size++ {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			r, now := MustRoom(t, rooms.SessionRunning)
			members := trainees[:size]
			MustApply(t, r, now, trainer, intent(rooms.IntentGroupsAssign, &rooms.GroupsAssignData{
				Groups: [][]rooms.ParticipantID{members},
			}))
			held := make(map[rooms.ParticipantID]map[courses.Seat]bool)
			// The first assignment and three rotations.
			for rotation := range 4 {
				g := MustGroup(t, r, "g1")
				count := make(map[courses.Seat]int)
				for _, id := range members {
					if held[id] == nil {
						held[id] = make(map[courses.Seat]bool)
					}
					held[id][g.Seats[id]] = true
					count[g.Seats[id]]++
				}
				if g.TrainerSeat != "" {
					count[g.TrainerSeat]++
				}
				if size >= 2 && (count[courses.SeatSpeaker] != 1 || count[courses.SeatPeerWorker] != 1) {
					t.Errorf("rotation %d: got seats %v (trainer %q), want one speaker and one peer worker", rotation, g.Seats, g.TrainerSeat)
				}
				if got, want := g.TrainerSeat != "", size < 3; got != want {
					t.Errorf("rotation %d: got trainer seat %q, want one only when the group is smaller than three", rotation, g.TrainerSeat)
				}
				if rotation < 3 {
					MustApply(t, r, now, trainer, intent(rooms.IntentRolesRotate, &rooms.RoundTargetData{Group: "g1"}))
				}
			}
			for _, id := range members {
				if got := len(held[id]); got != 3 {
					t.Errorf("%s: got seats %v, want all three", id, held[id])
				}
			}
		})
	}
}
