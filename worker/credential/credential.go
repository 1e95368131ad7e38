// Package credential signs Peerpath's certificates as Open Badges 3.0 credentials (JWTs) and
// manages the signing keys: the first key in PEERPATH_SIGNING_KEY signs, every key's public half
// is published, and a key removed from the file stays published from the database, so
// rotating keys never makes an old certificate unverifiable.
package credential

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/go-jose/go-jose/v4"
)

// Key is one Ed25519 signing key.
type Key struct {
	ID      string
	Private ed25519.PrivateKey
}

// PublicJWK is the key's public half as a JSON Web Key.
func (k Key) PublicJWK() ([]byte, error) {
	return jose.JSONWebKey{Key: k.Private.Public(), KeyID: k.ID, Algorithm: string(jose.EdDSA), Use: "sig"}.MarshalJSON()
}

// keyID names a key by its public half, so the same key always has the same id.
func keyID(pub ed25519.PublicKey) string {
	h := sha256.Sum256(pub)
	return base64.RawURLEncoding.EncodeToString(h[:12])
}

// LoadKeys reads every "PRIVATE KEY" block (PKCS #8, Ed25519) of a PEM file, the signing key
// first.
func LoadKeys(path string) ([]Key, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var keys []Key
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		if block.Type != "PRIVATE KEY" {
			continue
		}
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		priv, ok := k.(ed25519.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("%s: only Ed25519 keys are supported (openssl genpkey -algorithm ed25519)", path)
		}
		keys = append(keys, Key{ID: keyID(priv.Public().(ed25519.PublicKey)), Private: priv})
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("%s: no PRIVATE KEY block found", path)
	}
	return keys, nil
}

// EnsureDevelopmentKey returns the key file under dir, creating a new Ed25519 key there when
// there is none. Only development uses it; production names its key file.
func EnsureDevelopmentKey(dir string) (string, error) {
	path := filepath.Join(dir, "signing-key.pem")
	if _, err := os.Stat(path); err == nil {
		return path, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	b := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return "", err
	}
	return path, nil
}

// Signer signs credentials with one key.
type Signer struct {
	key    Key
	signer jose.Signer
}

// NewSigner returns a signer for k.
func NewSigner(k Key) (*Signer, error) {
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.EdDSA, Key: jose.JSONWebKey{Key: k.Private, KeyID: k.ID}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return nil, err
	}
	return &Signer{key: k, signer: s}, nil
}

// KeyID is the id of the signing key.
func (s *Signer) KeyID() string { return s.key.ID }

// Sign returns claims as a compact JWT.
func (s *Signer) Sign(claims any) (string, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	obj, err := s.signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return obj.CompactSerialize()
}
