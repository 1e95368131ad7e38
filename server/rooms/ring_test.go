package rooms

import (
	"fmt"
	"testing"
)

func TestEventRing(t *testing.T) {
	tests := []struct {
		pushed, size int
		want         string // the seqs kept, oldest first
	}{
		{0, 4, "[]"},
		{3, 4, "[1 2 3]"},
		{4, 4, "[1 2 3 4]"},
		{5, 4, "[2 3 4 5]"},
		{11, 4, "[8 9 10 11]"},
		{9, 1, "[9]"},
	}
	for _, tt := range tests {
		var r eventRing
		for n := 1; n <= tt.pushed; n++ {
			e := r.push(ringEntry{out: Out{Event: Envelope{Seq: int64(n)}}}, tt.size)
			if e.out.Event.Seq != int64(n) {
				t.Fatalf("%d into %d: push %d returned the entry of seq %d", tt.pushed, tt.size, n, e.out.Event.Seq)
			}
		}
		var got []int64
		for i := range r.len() {
			got = append(got, r.at(i).out.Event.Seq)
		}
		if fmt.Sprint(got) != tt.want {
			t.Errorf("%d pushed into a ring of %d: got %v, want %s", tt.pushed, tt.size, got, tt.want)
		}
	}
}
