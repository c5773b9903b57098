package main

import (
	"bytes"
	"fmt"
	"html"
	"math"
)

// chart renders the ratios as horizontal bars, one per CPU count, with each
// row's target marked and a dashed line at 1× (as fast as the baseline).
func chart(rows []row, cpus []string) []byte {
	const (
		labelWidth = 470
		plotWidth  = 400
		barHeight  = 9
		rowGap     = 8
		top        = 40
		sectionGap = 26
	)
	xmax := 2.5
	for _, r := range rows {
		for _, c := range r.cells {
			xmax = math.Max(xmax, math.Min(c.ratio*1.1, 4))
		}
	}
	x := func(v float64) float64 { return labelWidth + math.Min(v, xmax)/xmax*plotWidth }
	colors := []string{"#7fb3e0", "#1f5f9e", "#0b2f52"}

	var body bytes.Buffer
	p := func(format string, a ...any) { fmt.Fprintf(&body, format, a...) }
	y := float64(top)
	for _, r := range rows {
		if r.section != "" {
			y += sectionGap - rowGap
			p(`<text x="4" y="%.0f" font-weight="bold">%s</text>`+"\n", y-4, html.EscapeString(r.section))
		}
		h := float64(barHeight * len(r.cells))
		fill := "#333"
		if r.target == 0 {
			fill = "#777"
		}
		p(`<text x="%d" y="%.0f" fill="%s">%s</text>`+"\n", 12, y+h/2+4, fill, html.EscapeString(r.label))
		for i, c := range r.cells {
			if c.missing {
				continue
			}
			color := colors[i%len(colors)]
			if r.target == 0 {
				color = []string{"#c8c8c8", "#9a9a9a", "#6e6e6e"}[i%3]
			}
			by := y + float64(i*barHeight)
			p(`<rect x="%d" y="%.0f" width="%.1f" height="%d" fill="%s"/>`+"\n", labelWidth, by, x(c.ratio)-labelWidth, barHeight-1, color)
			mark := ""
			if !c.met() {
				mark = " ✗"
			}
			p(`<text x="%.1f" y="%.0f" font-size="9">%.2f×%s</text>`+"\n", x(c.ratio)+3, by+barHeight-1, c.ratio, mark)
		}
		if r.target != 0 {
			p(`<line x1="%.1f" x2="%.1f" y1="%.0f" y2="%.0f" stroke="#d33" stroke-width="2"/>`+"\n", x(r.target), x(r.target), y-2, y+h+1)
		}
		y += h + rowGap
	}

	var b bytes.Buffer
	width, height := labelWidth+plotWidth+60, int(y)+30
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="11">`+"\n", width, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(&b, `<text x="4" y="16" font-size="13" font-weight="bold">sentrytask: time as a ratio to the baseline (lower is better)</text>`+"\n")
	lx := 4
	for i, c := range cpus {
		fmt.Fprintf(&b, `<rect x="%d" y="24" width="10" height="9" fill="%s"/><text x="%d" y="32">%s CPU</text>`+"\n", lx, colors[i%len(colors)], lx+14, c)
		lx += 70
	}
	fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="24" y2="33" stroke="#d33" stroke-width="2"/><text x="%d" y="32">target</text>`+"\n", lx, lx, lx+6)
	for v := 0.0; v <= xmax+1e-9; v += 0.5 {
		dash := ""
		if v == 1 {
			dash = ` stroke-dasharray="4 3" stroke="#444"`
		} else {
			dash = ` stroke="#e4e4e4"`
		}
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%d" y2="%.0f"%s/>`+"\n", x(v), x(v), top-6, y, dash)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" text-anchor="middle">%.1f×</text>`+"\n", x(v), y+14, v)
	}
	b.Write(body.Bytes())
	b.WriteString("</svg>\n")
	return b.Bytes()
}
