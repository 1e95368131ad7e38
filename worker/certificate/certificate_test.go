package certificate_test

import (
	"bytes"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"peerpath/worker/certificate"
)

// The rendered PDF is checked with poppler's command-line tools, so the test
// sees what a reader's PDF viewer sees rather than what the library meant to
// write.
const popplerHint = "install Debian's poppler-utils: apt-get update && apt-get install -y poppler-utils"

var (
	issued  = time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)
	expires = time.Date(2028, 11, 23, 9, 30, 0, 0, time.UTC)
)

func TestPDF(t *testing.T) {
	tests := []struct {
		name string
		data certificate.Data
	}{
		{
			name: "LatinDiacritics",
			data: certificate.Data{
				Name:          "Zoë Ngāti-Müller",
				CourseTitle:   "Trauma-informed peer support",
				CourseVersion: 3,
				Organisation:  "Northside Community Health",
				IssuedAt:      issued,
				ExpiresAt:     &expires,
				Number:        "PP-7K3M-9Q2D",
				VerifyURL:     "https://peerpath.example/verify/PP-7K3M-9Q2D",
			},
		},
		{
			name: "Greek",
			data: certificate.Data{
				Name:          "Ελένη Παπαδοπούλου",
				CourseTitle:   "Supporting families after violence",
				CourseVersion: 3,
				Organisation:  "Αθηνά Community Services",
				IssuedAt:      issued,
				ExpiresAt:     &expires,
				Number:        "PP-4HX2-R8TW",
				VerifyURL:     "https://peerpath.example/verify/PP-4HX2-R8TW",
			},
		},
		{
			name: "CyrillicRevoked",
			data: certificate.Data{
				Name:          "Анастасия Кузнецова",
				CourseTitle:   "Boundaries and self-care in peer work",
				CourseVersion: 3,
				Organisation:  "Łukasz Żółć Foundation",
				IssuedAt:      issued,
				ExpiresAt:     &expires,
				Number:        "PP-Z9C4-1MBQ",
				VerifyURL:     "https://peerpath.example/verify/PP-Z9C4-1MBQ",
				Revoked:       true,
			},
		},
		{
			name: "LongNameAndTitleNoExpiry",
			data: certificate.Data{
				Name:          "Aurelia Konstantinopoulou-Wetherington-Smythe de la Fontaine-Ngāti-Müller Żółć",
				CourseTitle:   "Working alongside people who use alcohol and other drugs: harm reduction, safety planning and self-care in peer roles",
				CourseVersion: 3,
				Organisation:  "Eastern Metropolitan Alcohol and Other Drugs Peer Workforce Consortium",
				IssuedAt:      issued,
				Number:        "PP-QQ7D-3N5V",
				VerifyURL:     "https://peerpath.example/verify/PP-QQ7D-3N5V",
			},
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := MustRender(t, tt.data)

			t.Run("Text", func(t *testing.T) {
				text := MustRun(t, "pdftotext", "-layout", file, "-")
				want := []string{
					"Peerpath",
					"Certificate of completion",
					tt.data.Name,
					tt.data.CourseTitle,
					"version 3",
					"Issued for " + tt.data.Organisation,
					"23 November 2026",
					tt.data.Number,
					tt.data.VerifyURL,
					"Scan or visit to check this certificate is valid",
				}
				if tt.data.ExpiresAt != nil {
					want = append(want, "23 November 2028")
				} else {
					want = append(want, "Does not expire")
				}
				for _, w := range want {
					if !strings.Contains(text, w) {
						t.Errorf("got text without %q, want it in:\n%s", w, text)
					}
				}
				if got := strings.Contains(text, "Does not expire"); got != (tt.data.ExpiresAt == nil) {
					t.Errorf("got %q shown %v, want %v", "Does not expire", got, tt.data.ExpiresAt == nil)
				}
				if got := strings.Contains(text, "REVOKED"); got != tt.data.Revoked {
					t.Errorf("got REVOKED shown %v, want %v", got, tt.data.Revoked)
				}
			})

			t.Run("FontsEmbedded", func(t *testing.T) {
				out := MustRun(t, "pdffonts", file)
				fonts := parseFonts(t, out)
				if len(fonts) == 0 {
					t.Fatalf("got no fonts, want the embedded Go fonts in:\n%s", out)
				}
				for _, f := range fonts {
					if f.emb != "yes" {
						t.Errorf("got font %s emb %q, want %q", f.name, f.emb, "yes")
					}
				}
			})

			t.Run("A4Landscape", func(t *testing.T) {
				out := MustRun(t, "pdfinfo", file)
				m := regexp.MustCompile(`Page size:\s+([\d.]+) x ([\d.]+) pts`).FindStringSubmatch(out)
				if m == nil {
					t.Fatalf("got no page size in pdfinfo output:\n%s", out)
				}
				w, _ := strconv.ParseFloat(m[1], 64)
				h, _ := strconv.ParseFloat(m[2], 64)
				if !near(w, 841.89) || !near(h, 595.28) {
					t.Errorf("got page %.2f x %.2f pt, want 841.89 x 595.28 (A4 landscape)", w, h)
				}
				if m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)$`).FindStringSubmatch(out); m == nil || m[1] != "1" {
					t.Errorf("got pdfinfo:\n%s\nwant one page", out)
				}
			})

			t.Run("TextInsideBorder", func(t *testing.T) {
				// Long names and titles shrink rather than run past the border,
				// which sits 13 mm in from each edge.
				const inset = 13 / 25.4 * 72
				out := MustRun(t, "pdftotext", "-bbox", file, "-")
				words := regexp.MustCompile(`<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>`).FindAllStringSubmatch(out, -1)
				if len(words) == 0 {
					t.Fatalf("got no words in pdftotext -bbox output:\n%s", out)
				}
				for _, w := range words {
					xMin, _ := strconv.ParseFloat(w[1], 64)
					xMax, _ := strconv.ParseFloat(w[2], 64)
					if xMin < inset || xMax > 841.89-inset {
						t.Errorf("got word %q from x=%.1f to %.1f pt, want it within %.1f to %.1f", w[3], xMin, xMax, inset, 841.89-inset)
					}
				}
			})

			t.Run("QRCode", func(t *testing.T) {
				if got, want := decodeQR(t, file), tt.data.VerifyURL; got != want {
					t.Errorf("got QR code %q, want %q", got, want)
				}
			})
		})
	}
}

func TestPDFDeterministic(t *testing.T) {
	d := certificate.Data{
		Name:          "Zoë Ngāti-Müller",
		CourseTitle:   "Trauma-informed peer support",
		CourseVersion: 3,
		Organisation:  "Northside Community Health",
		IssuedAt:      issued,
		Number:        "PP-7K3M-9Q2D",
		VerifyURL:     "https://peerpath.example/verify/PP-7K3M-9Q2D",
	}
	a, err := certificate.PDF(d)
	if err != nil {
		t.Fatalf("got error %v, want nil", err)
	}
	b, err := certificate.PDF(d)
	if err != nil {
		t.Fatalf("got error %v, want nil", err)
	}
	if !bytes.Equal(a, b) {
		t.Errorf("got two different PDFs (%d and %d bytes) for the same data, want identical bytes", len(a), len(b))
	}
}

func TestPDFErrEmptyVerifyURL(t *testing.T) {
	_, err := certificate.PDF(certificate.Data{Name: "Zoë", IssuedAt: issued, Number: "PP-7K3M-9Q2D"})
	if err == nil {
		t.Errorf("got nil error, want one for an empty verify URL")
	}
}

// MustRender renders d into a file in a temporary directory and returns its path.
func MustRender(tb testing.TB, d certificate.Data) string {
	tb.Helper()
	b, err := certificate.PDF(d)
	if err != nil {
		tb.Fatalf("render: got error %v, want nil", err)
	}
	file := filepath.Join(tb.TempDir(), "certificate.pdf")
	if err := os.WriteFile(file, b, 0o600); err != nil {
		tb.Fatal(err)
	}
	return file
}

// MustRun runs a poppler tool and returns its standard output. A missing tool
// fails the test: skipping would let a broken certificate pass unnoticed.
func MustRun(tb testing.TB, tool string, args ...string) string {
	tb.Helper()
	path, err := exec.LookPath(tool)
	if err != nil {
		tb.Fatalf("%s not found: %s", tool, popplerHint)
	}
	var stderr bytes.Buffer
	cmd := exec.Command(path, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("%s %s: %v\n%s", tool, strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

type font struct{ name, emb string }

// parseFonts reads pdffonts' table. Columns are found from the dashed rule
// under the header, since font names and types may contain spaces.
func parseFonts(tb testing.TB, out string) []font {
	tb.Helper()
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) < 2 {
		return nil
	}
	header, rule := lines[0], lines[1]
	col := strings.Index(header, "emb")
	if col < 0 || !strings.HasPrefix(rule, "---") {
		tb.Fatalf("got unexpected pdffonts output:\n%s", out)
	}
	var fonts []font
	for _, l := range lines[2:] {
		if len(l) < col+3 {
			tb.Fatalf("got short pdffonts line %q", l)
		}
		fonts = append(fonts, font{
			name: strings.TrimSpace(l[:strings.Index(rule, " ")]),
			emb:  strings.TrimSpace(l[col : col+3]),
		})
	}
	return fonts
}

// decodeQR rasterises the whole page, as a phone camera would see it, and
// reads the QR code from it.
func decodeQR(tb testing.TB, file string) string {
	tb.Helper()
	base := filepath.Join(tb.TempDir(), "page")
	MustRun(tb, "pdftoppm", "-png", "-r", "150", "-singlefile", file, base)
	f, err := os.Open(base + ".png")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		tb.Fatalf("decode page png: %v", err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		tb.Fatalf("binarise page: %v", err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		tb.Fatalf("read qr code from page: %v", err)
	}
	return res.GetText()
}

func near(a, b float64) bool {
	d := a - b
	return d < 0.5 && d > -0.5
}
