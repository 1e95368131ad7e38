package credential

import (
	"strconv"
	"strings"
	"time"

	"peerpath/courses"
)

// OpenBadge returns the claims of a certificate's credential: an Open Badges 3.0
// OpenBadgeCredential with the JWT registered claims that VC-JWT expects beside it.
func OpenBadge(c *courses.Certificate, baseURL string) map[string]any {
	base := strings.TrimRight(baseURL, "/")
	id := "urn:uuid:" + c.ID
	issuer := map[string]any{
		"id":   base + "/organisations/" + c.OrgID,
		"type": []string{"Profile"},
		"name": c.OrgName,
		"url":  base,
	}
	vc := map[string]any{
		"@context":  []string{"https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"},
		"id":        id,
		"type":      []string{"VerifiableCredential", "OpenBadgeCredential"},
		"issuer":    issuer,
		"name":      c.CourseTitle,
		"validFrom": c.IssuedAt.UTC().Format(time.RFC3339),
		"credentialSubject": map[string]any{
			"type": []string{"AchievementSubject"},
			"name": c.PersonName,
			"achievement": map[string]any{
				"id":              base + "/courses/" + c.CourseSlug + "/versions/" + strconv.Itoa(c.CourseVersion),
				"type":            []string{"Achievement"},
				"achievementType": "Certificate",
				"name":            c.CourseTitle,
				"description":     c.CourseSummary,
				"criteria":        map[string]any{"narrative": c.Criteria},
				"version":         strconv.Itoa(c.CourseVersion),
			},
		},
		"evidence": []map[string]any{{
			"id":   base + "/verify/" + c.VerifyCode,
			"type": []string{"Evidence"},
			"name": "Certificate " + c.Number,
		}},
	}
	claims := map[string]any{
		"iss": issuer["id"],
		"jti": id,
		"sub": "urn:uuid:" + c.PersonID,
		"nbf": c.IssuedAt.Unix(),
		"iat": c.IssuedAt.Unix(),
	}
	if c.ExpiresAt != nil {
		vc["validUntil"] = c.ExpiresAt.UTC().Format(time.RFC3339)
		claims["exp"] = c.ExpiresAt.Unix()
	}
	for k, v := range vc {
		claims[k] = v
	}
	return claims
}
