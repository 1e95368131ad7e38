package credential_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"

	"peerpath/courses"
	"peerpath/worker/credential"
)

// mustPEM returns keys as PKCS #8 "PRIVATE KEY" blocks, in order.
func mustPEM(tb testing.TB, keys ...any) []byte {
	tb.Helper()
	var b bytes.Buffer
	for _, k := range keys {
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			tb.Fatal(err)
		}
		if err := pem.Encode(&b, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
			tb.Fatal(err)
		}
	}
	return b.Bytes()
}

// mustEd25519 returns a new Ed25519 private key.
func mustEd25519(tb testing.TB) ed25519.PrivateKey {
	tb.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	return priv
}

// mustFile writes data to a new file and returns its path.
func mustFile(tb testing.TB, name string, data []byte) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

// MustKey returns a new signing key as LoadKeys reads it.
func MustKey(tb testing.TB) credential.Key {
	tb.Helper()
	keys, err := credential.LoadKeys(mustFile(tb, "key.pem", mustPEM(tb, mustEd25519(tb))))
	if err != nil {
		tb.Fatal(err)
	}
	return keys[0]
}

// publicKey decodes a public JWK as a verifier that knows nothing of go-jose would: "x" is the
// raw Ed25519 public key in base64url.
func publicKey(tb testing.TB, jwk []byte) (ed25519.PublicKey, map[string]string) {
	tb.Helper()
	var fields map[string]string
	if err := json.Unmarshal(jwk, &fields); err != nil {
		tb.Fatalf("JWK %s: %v", jwk, err)
	}
	x, err := base64.RawURLEncoding.DecodeString(fields["x"])
	if err != nil || len(x) != ed25519.PublicKeySize {
		tb.Fatalf("JWK x %q: got %d bytes, %v; want %d bytes", fields["x"], len(x), err, ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(x), fields
}

// verify checks token with golang-jwt against pub at now and returns its claims.
func verify(token string, pub ed25519.PublicKey, now time.Time) (jwt.MapClaims, *jwt.Token, error) {
	claims := jwt.MapClaims{}
	tok, err := jwt.ParseWithClaims(token, claims, func(*jwt.Token) (any, error) { return pub, nil },
		jwt.WithValidMethods([]string{"EdDSA"}), jwt.WithTimeFunc(func() time.Time { return now }), jwt.WithIssuedAt())
	return claims, tok, err
}

func TestLoadKeys(t *testing.T) {
	t.Parallel()
	first, second := mustEd25519(t), mustEd25519(t)

	t.Run("TwoKeysFirstSigns", func(t *testing.T) {
		path := mustFile(t, "keys.pem", mustPEM(t, first, second))
		keys, err := credential.LoadKeys(path)
		if err != nil {
			t.Fatal(err)
		}
		if len(keys) != 2 {
			t.Fatalf("got %d keys, want 2", len(keys))
		}
		if !keys[0].Private.Equal(first) || !keys[1].Private.Equal(second) {
			t.Error("keys: got them out of order, want the file's order (the first signs)")
		}
		if keys[0].ID == "" || keys[0].ID == keys[1].ID {
			t.Errorf("ids: got %q and %q, want two distinct ids", keys[0].ID, keys[1].ID)
		}
		// The id follows the key, not its place in the file: a rotated file names keys the same.
		again, err := credential.LoadKeys(mustFile(t, "rotated.pem", mustPEM(t, second, first)))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := []string{again[0].ID, again[1].ID}, []string{keys[1].ID, keys[0].ID}; !cmp.Equal(got, want) {
			t.Errorf("ids after rotation: got %v, want %v", got, want)
		}
		s, err := credential.NewSigner(keys[0])
		if err != nil {
			t.Fatal(err)
		}
		if s.KeyID() != keys[0].ID {
			t.Errorf("signer key id: got %q, want the first key's %q", s.KeyID(), keys[0].ID)
		}
	})
	t.Run("OtherBlocksIgnored", func(t *testing.T) {
		data := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("x")}), mustPEM(t, first)...)
		keys, err := credential.LoadKeys(mustFile(t, "mixed.pem", data))
		if err != nil || len(keys) != 1 || !keys[0].Private.Equal(first) {
			t.Errorf("got %d keys, %v; want the one Ed25519 key", len(keys), err)
		}
	})

	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		data []byte
		want string // in the message besides the file's path
	}{
		{"ErrECDSA", mustPEM(t, ec), "only Ed25519"},
		{"ErrECDSASecond", mustPEM(t, first, ec), "only Ed25519"},
		{"ErrEmpty", nil, "no PRIVATE KEY"},
		{"ErrNotPEM", []byte("not a key\n"), "no PRIVATE KEY"},
		{"ErrGarbledBlock", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte("garbage")}), ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := mustFile(t, "bad.pem", tt.data)
			keys, err := credential.LoadKeys(path)
			if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %d keys, error %v; want an error naming %s and saying %q", len(keys), err, path, tt.want)
			}
		})
	}
	t.Run("ErrMissing", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "missing.pem")
		if _, err := credential.LoadKeys(path); err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("got %v, want an error naming %s", err, path)
		}
	})
}

func TestEnsureDevelopmentKey(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "data", "nested")
	path, err := credential.EnsureDevelopmentKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(path) != dir {
		t.Errorf("path: got %s, want a file in %s", path, dir)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("file mode: got %o, want 600 (a private key)", perm)
	}
	keys, err := credential.LoadKeys(path)
	if err != nil || len(keys) != 1 {
		t.Fatalf("load the created key: got %d keys, %v; want 1", len(keys), err)
	}
	before, _ := os.ReadFile(path)

	again, err := credential.EnsureDevelopmentKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(again)
	if again != path || !bytes.Equal(before, after) {
		t.Fatalf("second call: got %s (changed %v), want %s unchanged", again, !bytes.Equal(before, after), path)
	}
	keys2, err := credential.LoadKeys(again)
	if err != nil || keys2[0].ID != keys[0].ID || !keys2[0].Private.Equal(keys[0].Private) {
		t.Errorf("second call: got key %v (%v), want the same key %s", keys2, err, keys[0].ID)
	}

	other, err := credential.EnsureDevelopmentKey(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	keys3, err := credential.LoadKeys(other)
	if err != nil || keys3[0].ID == keys[0].ID {
		t.Errorf("another folder: got key %v (%v), want a new key", keys3, err)
	}
}

// certificateOf is a certificate as the worker signs it.
func certificateOf(expires bool) *courses.Certificate {
	issued := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	c := &courses.Certificate{ID: "6f1c8a52-2c1e-4d0a-9a57-2a2f0a4b8e11", OrgID: "1d4a0b3e-7a55-4c1b-8f3a-58b9b0f6a001",
		PersonID: "9a3f2d10-0c4b-4f6e-b1a2-3c4d5e6f7a80", Cycle: 1, Number: "PP-7K3M-9Q2D", VerifyCode: "abcdefgh23456789",
		PersonName: "Eleni Papadopoulos", CourseSlug: "storytelling-with-purpose", CourseTitle: "Storytelling with purpose",
		CourseVersion: 3, OrgName: "Harbour Health", IssuedAt: issued, CourseSummary: "Share your story on purpose.",
		Criteria: "Read all 5 modules, passed all 5 quizzes graded on the server (pass mark up to 80%)."}
	if expires {
		exp := issued.AddDate(0, 12, 0)
		c.ExpiresAt = &exp
	}
	return c
}

// Only the public JWK and a JWT library that shares no code with the signer are used to verify.
func TestSignVerifiesIndependently(t *testing.T) {
	t.Parallel()
	key := MustKey(t)
	s, err := credential.NewSigner(key)
	if err != nil {
		t.Fatal(err)
	}
	jwk, err := key.PublicJWK()
	if err != nil {
		t.Fatal(err)
	}
	pub, fields := publicKey(t, jwk)
	if diff := cmp.Diff(map[string]string{"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig", "kid": key.ID, "x": fields["x"]}, fields); diff != "" {
		t.Errorf("public JWK (-want +got):\n%s", diff)
	}
	if strings.Contains(string(jwk), `"d"`) {
		t.Fatalf("public JWK %s holds the private key", jwk)
	}
	c := certificateOf(true)
	token, err := s.Sign(credential.OpenBadge(c, "https://peerpath.example.org/"))
	if err != nil {
		t.Fatal(err)
	}
	now := c.IssuedAt.Add(time.Hour)

	t.Run("OK", func(t *testing.T) {
		claims, tok, err := verify(token, pub, now)
		if err != nil {
			t.Fatalf("verify: %v", err)
		}
		if tok.Header["alg"] != "EdDSA" || tok.Header["kid"] != key.ID {
			t.Errorf("header: got %v, want alg EdDSA and kid %s", tok.Header, key.ID)
		}
		if claims["jti"] != "urn:uuid:"+c.ID {
			t.Errorf("jti: got %v, want urn:uuid:%s", claims["jti"], c.ID)
		}
	})
	t.Run("ErrTampered", func(t *testing.T) {
		parts := strings.Split(token, ".")
		payload, err := base64.RawURLEncoding.DecodeString(parts[1])
		if err != nil {
			t.Fatal(err)
		}
		forged := strings.Replace(string(payload), "Eleni Papadopoulos", "Someone Else", 1)
		if forged == string(payload) {
			t.Fatal("the holder's name is not in the payload")
		}
		parts[1] = base64.RawURLEncoding.EncodeToString([]byte(forged))
		if _, _, err := verify(strings.Join(parts, "."), pub, now); err == nil {
			t.Error("a forged payload verified")
		}
	})
	t.Run("ErrOtherKey", func(t *testing.T) {
		otherJWK, err := MustKey(t).PublicJWK()
		if err != nil {
			t.Fatal(err)
		}
		other, _ := publicKey(t, otherJWK)
		if _, _, err := verify(token, other, now); err == nil {
			t.Error("verified with another key")
		}
	})
	t.Run("ErrAfterExpiry", func(t *testing.T) {
		if _, _, err := verify(token, pub, c.ExpiresAt.Add(time.Minute)); err == nil {
			t.Error("verified after the certificate expired")
		}
	})
}

func TestOpenBadge(t *testing.T) {
	t.Parallel()
	key := MustKey(t)
	s, err := credential.NewSigner(key)
	if err != nil {
		t.Fatal(err)
	}
	jwk, err := key.PublicJWK()
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := publicKey(t, jwk)

	// claimsOf signs c's credential and returns the claims golang-jwt reads from it, as JSON
	// decodes them.
	claimsOf := func(t *testing.T, c *courses.Certificate) map[string]any {
		t.Helper()
		token, err := s.Sign(credential.OpenBadge(c, "https://peerpath.example.org/"))
		if err != nil {
			t.Fatal(err)
		}
		claims, _, err := verify(token, pub, c.IssuedAt.Add(time.Hour))
		if err != nil {
			t.Fatalf("verify: %v", err)
		}
		return claims
	}

	t.Run("Expiring", func(t *testing.T) {
		c := certificateOf(true)
		claims := claimsOf(t, c)
		issuer := map[string]any{"id": "https://peerpath.example.org/organisations/" + c.OrgID, "type": []any{"Profile"},
			"name": "Harbour Health", "url": "https://peerpath.example.org"}
		if diff := cmp.Diff(issuer, claims["issuer"]); diff != "" {
			t.Errorf("issuer (-want +got):\n%s", diff)
		}
		want := map[string]any{
			"type":       []any{"VerifiableCredential", "OpenBadgeCredential"},
			"id":         "urn:uuid:" + c.ID,
			"jti":        "urn:uuid:" + c.ID,
			"iss":        issuer["id"],
			"sub":        "urn:uuid:" + c.PersonID,
			"name":       "Storytelling with purpose",
			"validFrom":  "2026-03-02T09:00:00Z",
			"validUntil": "2027-03-02T09:00:00Z",
			"iat":        float64(c.IssuedAt.Unix()),
			"nbf":        float64(c.IssuedAt.Unix()),
			"exp":        float64(c.ExpiresAt.Unix()),
		}
		for k, v := range want {
			if diff := cmp.Diff(v, claims[k]); diff != "" {
				t.Errorf("claim %s (-want +got):\n%s", k, diff)
			}
		}
		ctx, _ := claims["@context"].([]any)
		if len(ctx) != 2 || ctx[0] != "https://www.w3.org/ns/credentials/v2" || !strings.Contains(ctx[1].(string), "ob/v3p0") {
			t.Errorf("@context: got %v, want the VC 2.0 and Open Badges 3.0 contexts", claims["@context"])
		}
		subject, _ := claims["credentialSubject"].(map[string]any)
		if subject["name"] != "Eleni Papadopoulos" || !cmp.Equal(subject["type"], []any{"AchievementSubject"}) {
			t.Errorf("credentialSubject: got %v, want the holder as AchievementSubject", subject)
		}
		ach, _ := subject["achievement"].(map[string]any)
		wantAch := map[string]any{
			"id":              "https://peerpath.example.org/courses/storytelling-with-purpose/versions/3",
			"type":            []any{"Achievement"},
			"achievementType": "Certificate",
			"name":            "Storytelling with purpose",
			"description":     "Share your story on purpose.",
			"criteria":        map[string]any{"narrative": c.Criteria},
			"version":         "3",
		}
		if diff := cmp.Diff(wantAch, ach); diff != "" {
			t.Errorf("achievement (-want +got):\n%s", diff)
		}
		evidence, _ := claims["evidence"].([]any)
		if len(evidence) != 1 || evidence[0].(map[string]any)["id"] != "https://peerpath.example.org/verify/"+c.VerifyCode {
			t.Errorf("evidence: got %v, want the verification page", claims["evidence"])
		}
	})
	t.Run("NotExpiring", func(t *testing.T) {
		c := certificateOf(false)
		claims := claimsOf(t, c)
		for _, k := range []string{"exp", "validUntil"} {
			if v, ok := claims[k]; ok {
				t.Errorf("claim %s: got %v, want none for a certificate that does not expire", k, v)
			}
		}
		if claims["validFrom"] != "2026-03-02T09:00:00Z" {
			t.Errorf("validFrom: got %v, want 2026-03-02T09:00:00Z", claims["validFrom"])
		}
		// Without exp the credential verifies years later.
		token, err := s.Sign(credential.OpenBadge(c, "https://peerpath.example.org"))
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := verify(token, pub, c.IssuedAt.AddDate(30, 0, 0)); err != nil {
			t.Errorf("verify 30 years on: %v", err)
		}
	})
}
