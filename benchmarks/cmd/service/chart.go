package main

import (
	"bytes"
	"fmt"
	"html"
	"math"

	"github.com/sentrytask/sentrytask/benchmarks/service"
)

// chart draws the ratios to no Sentry as horizontal bars: per measure, the
// hand-written code's and sentrytask's, one bar per CPU count, with a
// dashed line at 1× (no Sentry).
func (t table) chart() []byte {
	const (
		labelWidth = 260
		plotWidth  = 420
		barHeight  = 10
		top        = 44
	)
	xmax := 2.0
	for _, s := range t.sections {
		for _, m := range s.metrics {
			for _, v := range []service.Variant{service.Hand, service.SentryTask} {
				for _, c := range t.cfg.cpus {
					xmax = math.Max(xmax, s.ratio(m, v, c).median*1.1)
				}
			}
		}
	}
	xmax = math.Ceil(xmax*2) / 2
	x := func(v float64) float64 { return labelWidth + math.Min(v, xmax)/xmax*plotWidth }
	colors := map[service.Variant][]string{service.Hand: {"#f2b27f", "#c9671c"}, service.SentryTask: {"#7fb3e0", "#1f5f9e"}}

	var body bytes.Buffer
	p := func(format string, a ...any) { fmt.Fprintf(&body, format, a...) }
	y := float64(top)
	for _, s := range t.sections {
		p(`<text x="4" y="%.0f" font-size="12" font-weight="bold">%s</text>`+"\n", y+10, html.EscapeString(s.title))
		y += 18
		for _, m := range s.metrics {
			p(`<text x="4" y="%.0f" font-weight="bold">%s</text>`+"\n", y+10, html.EscapeString(m.name))
			y += 16
			for _, v := range []service.Variant{service.Hand, service.SentryTask} {
				p(`<text x="14" y="%.0f">%s</text>`+"\n", y+float64(barHeight*len(t.cfg.cpus))/2+4, html.EscapeString(string(v)))
				for i, c := range t.cfg.cpus {
					r := s.ratio(m, v, c).median
					p(`<rect x="%d" y="%.0f" width="%.1f" height="%d" fill="%s"/>`+"\n", labelWidth, y, x(r)-labelWidth, barHeight-1, colors[v][i%2])
					p(`<text x="%.1f" y="%.0f" font-size="9">%.2f× (%s CPU)</text>`+"\n", x(r)+3, y+barHeight-1, r, c)
					y += barHeight
				}
				y += 4
			}
			y += 6
		}
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%.0f" font-family="sans-serif" font-size="11">`+"\n", labelWidth+plotWidth+90, y+24)
	b.WriteString(`<rect width="100%" height="100%" fill="white"/>` + "\n")
	b.WriteString(`<text x="4" y="16" font-size="13" font-weight="bold">A service under load: each measure as a ratio to no Sentry</text>` + "\n")
	fmt.Fprintf(&b, `<text x="4" y="34">bars: the first CPU count lighter, the second darker; dashed line: no Sentry</text>`+"\n")
	for v := 0.0; v <= xmax+1e-9; v += 0.5 {
		style := ` stroke="#e4e4e4"`
		if v == 1 {
			style = ` stroke-dasharray="4 3" stroke="#444"`
		}
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%d" y2="%.0f"%s/>`+"\n", x(v), x(v), top, y, style)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" text-anchor="middle">%.1f×</text>`+"\n", x(v), y+14, v)
	}
	b.Write(body.Bytes())
	b.WriteString("</svg>\n")
	return b.Bytes()
}
