package rooms

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"testing"
)

// decodeFresh is decodeStrict with a new decoder every time: what the pooled one must match.
func decodeFresh(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("unexpected data after the JSON value")
	}
	return nil
}

// FuzzDecodeStrict decodes lines one after another through the pooled decoders, so each input
// meets decoders that earlier ones used, and checks every result against a fresh decoder's.
func FuzzDecodeStrict(f *testing.F) {
	for _, s := range []string{
		`{"type":"chat","req_id":"1","data":{"text":"hi"}}` + "\n" + `{"text":"hi"} {"text":"again"}` + "\n" + `{"text":"x"}`,
		`{"text":"hi","extra":1}` + "\n" + `{"text":"hi"}`,
		`{"type":"chat","data":{"text":"` + string(bytes.Repeat([]byte("long "), 400)) + `"}}` + "\n" + `{"text":"short"}`,
		`{"type":"chat"` + "\n" + `{"type":"hand.raise"}` + "\n" + `  {"text":"spaced"}  `,
		`{"scores":{"R1":1},"comment":"ok"}` + "\n" + `[1,2]` + "\n" + `null` + "\n" + `{"text":1}`,
	} {
		f.Add([]byte(s))
	}
	targets := []func() any{
		func() any { return &rawIntent{} },
		func() any { return &ChatData{} },
		func() any { return &FeedbackSubmitData{} },
		func() any { return &GroupsAssignData{} },
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for i, line := range bytes.Split(data, []byte("\n")) {
			for _, newTarget := range targets {
				got, want := newTarget(), newTarget()
				gotErr, wantErr := decodeStrict(line, got), decodeFresh(line, want)
				if (gotErr == nil) != (wantErr == nil) || gotErr != nil && gotErr.Error() != wantErr.Error() {
					t.Fatalf("line %d %q into %T: got error %v, want %v", i, line, got, gotErr, wantErr)
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("line %d %q: got %+v, want %+v", i, line, got, want)
				}
			}
		}
	})
}
