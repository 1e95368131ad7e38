package courses_test

import (
	"strings"
	"testing"

	"peerpath/courses"
)

func TestCheckPassword(t *testing.T) {
	t.Parallel()
	const (
		tooShort = "Use at least 12 characters."
		tooLong  = "Use at most 256 characters."
	)
	tests := []struct {
		name string
		pw   string
		want string
	}{
		{"Empty", "", tooShort},
		{"11Chars", strings.Repeat("a", 11), tooShort},
		{"12Chars", strings.Repeat("a", 12), ""},
		{"128Chars", strings.Repeat("a", 128), ""},
		{"256Chars", strings.Repeat("a", 256), ""},
		{"257Chars", strings.Repeat("a", 257), tooLong},
		{"Spaces", strings.Repeat(" ", 12), ""},
		// Characters, not bytes: 11 two-byte characters are 22 bytes and still too short…
		{"11MultiByteChars", strings.Repeat("é", 11), tooShort},
		{"12MultiByteChars", strings.Repeat("é", 12), ""},
		// …and 256 four-byte characters are 1024 bytes and still allowed.
		{"256FourByteChars", strings.Repeat("🌊", 256), ""},
		{"257FourByteChars", strings.Repeat("🌊", 257), tooLong},
		{"MixedScripts", "パスワード-пароль-كلمة", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := courses.CheckPassword(tt.pw); got != tt.want {
				t.Errorf("CheckPassword(%d bytes): got %q, want %q", len(tt.pw), got, tt.want)
			}
		})
	}
}

func TestHashPassword(t *testing.T) {
	t.Parallel()
	const pw = "a long passphrase, ünïcødé 🌊"
	hash, err := courses.HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("Format", func(t *testing.T) {
		const prefix = "$argon2id$v=19$m=19456,t=2,p=1$"
		if !strings.HasPrefix(hash, prefix) {
			t.Errorf("got %q, want the prefix %q", hash, prefix)
		}
		if strings.Contains(hash, pw) {
			t.Errorf("got %q, which contains the password", hash)
		}
	})
	t.Run("RoundTrip", func(t *testing.T) {
		if !courses.VerifyPassword(hash, pw) {
			t.Error("got false for the right password, want true")
		}
	})
	t.Run("SaltedEachTime", func(t *testing.T) {
		again, err := courses.HashPassword(pw)
		if err != nil {
			t.Fatal(err)
		}
		if again == hash {
			t.Errorf("got the same hash twice (%q), want a fresh salt each time", hash)
		}
		if !courses.VerifyPassword(again, pw) {
			t.Error("second hash: got false for the right password, want true")
		}
	})
	t.Run("WrongPassword", func(t *testing.T) {
		for _, wrong := range []string{"", "a long passphrase, ünïcødé", "A long passphrase, ünïcødé 🌊", pw + " "} {
			if courses.VerifyPassword(hash, wrong) {
				t.Errorf("VerifyPassword(%q): got true, want false", wrong)
			}
		}
	})

	// Every part of the PHC string is checked; none of these may match, or panic.
	parts := strings.Split(hash, "$") // "", "argon2id", "v=19", "m=…,t=…,p=…", salt, key
	join := func(p ...string) string { return strings.Join(p, "$") }
	flipped := []byte(parts[5])
	if flipped[0] == 'A' {
		flipped[0] = 'B'
	} else {
		flipped[0] = 'A'
	}
	malformed := []struct {
		name, hash string
	}{
		{"Empty", ""},
		{"Plain", pw},
		{"TooFewParts", join(parts[:5]...)},
		{"TooManyParts", hash + "$extra"},
		{"Argon2i", join("", "argon2i", parts[2], parts[3], parts[4], parts[5])},
		{"Bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{"OtherVersion", join("", "argon2id", "v=16", parts[3], parts[4], parts[5])},
		{"BadVersion", join("", "argon2id", "v=x", parts[3], parts[4], parts[5])},
		{"BadParams", join("", "argon2id", parts[2], "m=x,t=2,p=1", parts[4], parts[5])},
		{"ZeroTime", join("", "argon2id", parts[2], "m=19456,t=0,p=1", parts[4], parts[5])},
		{"ZeroThreads", join("", "argon2id", parts[2], "m=19456,t=2,p=0", parts[4], parts[5])},
		{"HugeMemory", join("", "argon2id", parts[2], "m=4294967295,t=2,p=1", parts[4], parts[5])},
		{"HugeTime", join("", "argon2id", parts[2], "m=19456,t=4294967295,p=1", parts[4], parts[5])},
		{"BadSalt", join("", "argon2id", parts[2], parts[3], "!!!", parts[5])},
		{"BadKey", join("", "argon2id", parts[2], parts[3], parts[4], "!!!")},
		{"EmptyKey", join("", "argon2id", parts[2], parts[3], parts[4], "")},
		{"OtherKey", join("", "argon2id", parts[2], parts[3], parts[4], string(flipped))},
		{"OtherParams", join("", "argon2id", parts[2], "m=19456,t=3,p=1", parts[4], parts[5])},
	}
	for _, tt := range malformed {
		t.Run("Malformed"+tt.name, func(t *testing.T) {
			if courses.VerifyPassword(tt.hash, pw) {
				t.Errorf("VerifyPassword(%q): got true, want false", tt.hash)
			}
		})
	}
}
