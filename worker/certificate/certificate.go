// Package certificate renders Peerpath's completion certificates as PDF.
package certificate

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"time"

	"codeberg.org/go-pdf/fpdf"
	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/qr"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goitalic"
	"golang.org/x/image/font/gofont/goregular"
)

// Data is what a certificate shows.
type Data struct {
	Name          string // the person's name, any Latin, Greek or Cyrillic script
	CourseTitle   string
	CourseVersion int
	Organisation  string
	IssuedAt      time.Time
	ExpiresAt     *time.Time // nil: does not expire
	Number        string     // e.g. "PP-7K3M-9Q2D"
	VerifyURL     string     // public verification page; encoded in the QR code and printed
	Revoked       bool       // when true, a clear "REVOKED" band is drawn
}

// Page geometry in millimetres (A4 landscape).
const (
	pageW = 297.0
	pageH = 210.0

	// contentL and contentR bound every line of text, well inside the border.
	contentL = 30.0
	contentR = pageW - 30.0

	qrSize = 35.0
	// The QR column is wider than the code so the printed URL has room.
	qrColW = 90.0
)

// The family name under which the embedded Go fonts are registered.
const family = "go"

// Colours as RGB. Muted teal and charcoal rather than gold and black: the
// certificate marks training in a helping profession, not a prize.
type rgb struct{ r, g, b int }

var (
	ink    = rgb{38, 46, 52}
	muted  = rgb{96, 106, 112}
	accent = rgb{31, 94, 99}
	revoke = rgb{176, 32, 40}
	white  = rgb{255, 255, 255}
)

// PDF renders d as a one-page A4 landscape PDF with its fonts embedded.
func PDF(d Data) ([]byte, error) {
	if d.VerifyURL == "" {
		return nil, errors.New("certificate: empty verify URL")
	}
	code, err := qr.Encode(d.VerifyURL, qr.M, qr.Auto)
	if err != nil {
		return nil, fmt.Errorf("encode qr code: %w", err)
	}

	pdf := fpdf.New("L", "mm", "A4", "")
	pdf.AddUTF8FontFromBytes(family, "", goregular.TTF)
	pdf.AddUTF8FontFromBytes(family, "B", gobold.TTF)
	pdf.AddUTF8FontFromBytes(family, "I", goitalic.TTF)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetMargins(0, 0, 0)
	// Fixing the dates and sorting the catalogues makes the output a pure
	// function of d, so a re-render of the same certificate is byte-identical.
	pdf.SetCatalogSort(true)
	pdf.SetCreationDate(d.IssuedAt)
	pdf.SetModificationDate(d.IssuedAt)
	pdf.SetTitle("Certificate of completion: "+d.CourseTitle+" — "+d.Name, true)
	pdf.SetSubject("Certificate "+d.Number+" for "+d.CourseTitle+", version "+strconv.Itoa(d.CourseVersion), true)
	pdf.SetAuthor("Peerpath", true)
	pdf.SetCreator("Peerpath", true)
	pdf.SetLang("en")
	pdf.AddPage()

	c := canvas{pdf}
	c.border()

	c.centred(29, "B", 15, accent, "Peerpath")
	c.centred(45, "", 30, ink, "Certificate of completion")
	pdf.SetDrawColor(accent.r, accent.g, accent.b)
	pdf.SetLineWidth(0.3)
	pdf.Line(pageW/2-20, 51, pageW/2+20, 51)

	c.centred(63, "I", 13, muted, "This certifies that")
	c.centredFit(78, "B", 32, ink, d.Name)
	c.centred(89, "I", 13, muted, "has completed")
	c.centredFit(101, "B", 20, ink, d.CourseTitle)
	c.centred(108.5, "", 12, muted, "version "+strconv.Itoa(d.CourseVersion))
	c.centredFit(120, "", 13, ink, "Issued for "+d.Organisation)

	expires := "Does not expire"
	if d.ExpiresAt != nil {
		expires = formatDate(*d.ExpiresAt)
	}
	c.detail(154, "Issued", formatDate(d.IssuedAt))
	c.detail(167, "Expires", expires)
	c.detail(180, "Certificate number", d.Number)

	qrX := contentR - qrColW/2 - qrSize/2
	c.qr(code, qrX, 144, qrSize)
	c.fitAt(contentR-qrColW, contentR, 185, "", 7.5, muted, d.VerifyURL)
	c.fitAt(contentR-qrColW, contentR, 190, "I", 8.5, muted, "Scan or visit to check this certificate is valid")

	if d.Revoked {
		c.revokedBand(125)
	}

	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("render certificate %s: %w", d.Number, err)
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("write certificate %s: %w", d.Number, err)
	}
	return buf.Bytes(), nil
}

// formatDate writes t the way people in Australia and the UK read a date on
// a document, e.g. "23 November 2026", in t's own location so the day
// printed is the day the issuer meant.
func formatDate(t time.Time) string {
	return t.Format("2 January 2006")
}

// canvas wraps the document with the few drawing moves a certificate needs.
type canvas struct{ *fpdf.Fpdf }

func (c canvas) use(style string, size float64, col rgb) {
	c.SetFont(family, style, size)
	c.SetTextColor(col.r, col.g, col.b)
}

// border draws a thin double frame: a firm outer line and a hairline inside.
func (c canvas) border() {
	c.SetDrawColor(accent.r, accent.g, accent.b)
	c.SetLineWidth(0.6)
	c.Rect(10, 10, pageW-20, pageH-20, "D")
	c.SetLineWidth(0.2)
	c.Rect(13, 13, pageW-26, pageH-26, "D")
}

// centred writes s centred on the page with its baseline at y.
func (c canvas) centred(y float64, style string, size float64, col rgb, s string) {
	c.use(style, size, col)
	c.Text((pageW-c.GetStringWidth(s))/2, y, s)
}

// centredFit is centred for text of unknown length: it shrinks the font until
// s fits between the content margins.
func (c canvas) centredFit(y float64, style string, size float64, col rgb, s string) {
	c.fitAt(contentL, contentR, y, style, size, col, s)
}

// fitAt writes s centred between left and right with its baseline at y,
// shrinking the font from size until it fits. There is deliberately no
// smallest size: a name or title printed small is better than one cut short
// or running over the border.
func (c canvas) fitAt(left, right, y float64, style string, size float64, col rgb, s string) {
	c.use(style, size, col)
	avail := right - left
	if w := c.GetStringWidth(s); w > avail {
		// Width scales linearly with size; the small margin absorbs rounding
		// in the font's width tables.
		size = size * avail / w * 0.99
		c.SetFontSize(size)
	}
	c.Text(left+(avail-c.GetStringWidth(s))/2, y, s)
}

// detail writes a small muted label with its value beneath, left-aligned.
func (c canvas) detail(y float64, label, value string) {
	c.use("", 9, muted)
	c.Text(contentL, y, label)
	c.use("B", 12, ink)
	avail := pageW/2 - contentL
	if w := c.GetStringWidth(value); w > avail {
		c.SetFontSize(12 * avail / w * 0.99)
	}
	c.Text(contentL, y+5.5, value)
}

// qr draws the code as vector squares so it stays sharp at any print size.
// All dark modules go into one path filled once: separate rectangles leave
// hairline seams between neighbours in anti-aliased viewers, which can stop
// a phone camera reading the code. The page around it is blank, which gives
// the code its quiet zone.
func (c canvas) qr(code barcode.Barcode, x, y, size float64) {
	b := code.Bounds()
	m := size / float64(b.Dx())
	c.SetFillColor(0, 0, 0)
	for row := b.Min.Y; row < b.Max.Y; row++ {
		// Runs of dark modules along a row become one rectangle each.
		for col := b.Min.X; col < b.Max.X; {
			if !dark(code, col, row) {
				col++
				continue
			}
			start := col
			for col < b.Max.X && dark(code, col, row) {
				col++
			}
			x0 := x + float64(start-b.Min.X)*m
			x1 := x + float64(col-b.Min.X)*m
			y0 := y + float64(row-b.Min.Y)*m
			c.MoveTo(x0, y0)
			c.LineTo(x1, y0)
			c.LineTo(x1, y0+m)
			c.LineTo(x0, y0+m)
			c.ClosePath()
		}
	}
	c.DrawPath("F")
}

func dark(code barcode.Barcode, x, y int) bool {
	r, g, b, _ := code.At(x, y).RGBA()
	return r+g+b < 3*0x8000
}

// revokedBand lays a red band across the full width of the page at y, so a
// revoked certificate cannot be mistaken for a valid one even in a small
// thumbnail or a black-and-white copy.
func (c canvas) revokedBand(y float64) {
	const h = 14.0
	c.SetFillColor(revoke.r, revoke.g, revoke.b)
	c.Rect(0, y, pageW, h, "F")
	word := "REVOKED"
	note := "This certificate has been revoked and is no longer valid."
	c.use("B", 20, white)
	ww := c.GetStringWidth(word)
	c.use("", 11, white)
	nw := c.GetStringWidth(note)
	const gap = 8.0
	x := (pageW - (ww + gap + nw)) / 2
	c.use("B", 20, white)
	c.Text(x, y+h/2+2.6, word)
	c.use("", 11, white)
	c.Text(x+ww+gap, y+h/2+1.4, note)
}
