package main

import (
	"context"
	"fmt"

	"peerpath/courses"
	"peerpath/worker/certificate"
	"peerpath/worker/credential"
)

// signer loads the signing keys (generating a development key under the data folder when none is
// configured), publishes every key's public half, and returns a signer for the first key.
func signer(ctx context.Context, c config, s *courses.Store) (*credential.Signer, error) {
	path := c.SigningKey
	if path == "" {
		if c.Env == "production" {
			return nil, fmt.Errorf("PEERPATH_SIGNING_KEY: required in production")
		}
		var err error
		if path, err = credential.EnsureDevelopmentKey(c.DataDir); err != nil {
			return nil, fmt.Errorf("PEERPATH_DATA_DIR: development signing key: %v", err)
		}
	}
	keys, err := credential.LoadKeys(path)
	if err != nil {
		return nil, fmt.Errorf("PEERPATH_SIGNING_KEY: %v", err)
	}
	for _, k := range keys {
		jwk, err := k.PublicJWK()
		if err != nil {
			return nil, fmt.Errorf("PEERPATH_SIGNING_KEY: key %s: %v", k.ID, err)
		}
		if err := s.RegisterSigningKey(ctx, k.ID, jwk); err != nil {
			return nil, fmt.Errorf("publish signing key %s: %w", k.ID, err)
		}
	}
	return credential.NewSigner(keys[0])
}

// certificatePDF draws a stored certificate.
func certificatePDF(c *courses.Certificate, verifyURL string) ([]byte, error) {
	return certificate.PDF(certificate.Data{Name: c.PersonName, CourseTitle: c.CourseTitle, CourseVersion: c.CourseVersion,
		Organisation: c.OrgName, IssuedAt: c.IssuedAt, ExpiresAt: c.ExpiresAt, Number: c.Number, VerifyURL: verifyURL,
		Revoked: c.RevokedAt != nil})
}
