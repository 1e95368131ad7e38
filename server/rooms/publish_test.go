package rooms

import "testing"

func TestAppendCommand(t *testing.T) {
	tests := []struct {
		name, cmd, key string
		arg            []byte
		want           string
	}{
		{"two words", "AUTH", "secret", nil, "*2\r\n$4\r\nAUTH\r\n$6\r\nsecret\r\n"},
		{"three", "PUBLISH", "room", []byte(`{"a":1}`), "*3\r\n$7\r\nPUBLISH\r\n$4\r\nroom\r\n$7\r\n{\"a\":1}\r\n"},
		{"an empty third word", "PUBLISH", "probe", []byte{}, "*3\r\n$7\r\nPUBLISH\r\n$5\r\nprobe\r\n$0\r\n\r\n"},
		{"line breaks inside are only bytes", "PUBLISH", "r", []byte("a\r\nb"), "*3\r\n$7\r\nPUBLISH\r\n$1\r\nr\r\n$4\r\na\r\nb\r\n"},
		{"multibyte lengths in bytes", "PUBLISH", "é", []byte("ü"), "*3\r\n$7\r\nPUBLISH\r\n$2\r\né\r\n$2\r\nü\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(appendCommand([]byte("x"), tt.cmd, tt.key, tt.arg)); got != "x"+tt.want {
				t.Errorf("got %q, want %q", got, "x"+tt.want)
			}
		})
	}
}
