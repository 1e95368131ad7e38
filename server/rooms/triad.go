package rooms

import "peerpath/courses"

// AssignTriads splits trainees, in the order given, into practice groups of three. One left over
// joins the last group as a second observer; two left over form a pair whose third seat the
// trainer plays. Fewer than three trainees make one group with the trainer.
func AssignTriads(trainees []ParticipantID) [][]ParticipantID {
	n := len(trainees)
	if n == 0 {
		return nil
	}
	if n < 3 {
		return [][]ParticipantID{append([]ParticipantID(nil), trainees...)}
	}
	var groups [][]ParticipantID
	for i := 0; i+3 <= n; i += 3 {
		groups = append(groups, append([]ParticipantID(nil), trainees[i:i+3]...))
	}
	switch n % 3 {
	case 1:
		last := len(groups) - 1
		groups[last] = append(groups[last], trainees[n-1])
	case 2:
		groups = append(groups, append([]ParticipantID(nil), trainees[n-2:]...))
	}
	return groups
}

// seatAt is the seat of the member at index in a group of size after rotation rotations. Seats
// are slots in a ring (speaker, peer worker, then observers) that every member moves along by
// one per rotation, so after as many rotations as there are slots less one, each member has sat
// in every slot. A group smaller than three keeps three slots: the trainer sits in the slot after
// the last member.
func seatAt(size, index, rotation int) courses.Seat {
	slots := max(size, 3)
	switch (index + rotation) % slots {
	case 0:
		return courses.SeatSpeaker
	case 1:
		return courses.SeatPeerWorker
	}
	return courses.SeatObserver
}
