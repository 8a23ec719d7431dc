package admin

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strings"
	"time"
)

// chart is one server-rendered SVG picture: lines or stacked bars over
// equal time buckets. It needs no script and no style sheet of its own,
// so the page's Content-Security-Policy stays closed.
type chart struct {
	Title string
	// Unit follows the y-axis figures ("/min", "%").
	Unit string
	// Start is the first bucket's start; bucket i covers Start+i·Step.
	Start time.Time
	Step  time.Duration
	// Series all have one value per bucket.
	Series []series
	// Stacked draws stacked bars; otherwise one line per series.
	Stacked bool
	// Max fixes the y-axis top (100 for a share); 0 takes it from the data.
	Max float64
	// Marks are dashed horizontal reference lines (a configured share).
	Marks []mark
	// Axis labels the x-axis at its start, middle and end.
	Axis [3]string
	// Empty is said in place of the picture when every value is zero.
	Empty string
}

type series struct {
	Name   string
	Color  string
	Values []float64
	// Total is shown in the legend (the sum, or the peak for a share).
	Total string
}

type mark struct {
	Label string
	Value float64
}

const (
	svgW, svgH                     = 560, 180
	padL, padR, padT, padB float64 = 44, 10, 10, 22
)

// HasData says whether any value is above zero.
func (c chart) HasData() bool {
	for _, s := range c.Series {
		for _, v := range s.Values {
			if v > 0 {
				return true
			}
		}
	}
	return false
}

func (c chart) buckets() int {
	n := 0
	for _, s := range c.Series {
		n = max(n, len(s.Values))
	}
	return n
}

// top is the y-axis maximum: Max, or the data's peak rounded up to a
// readable figure.
func (c chart) top() float64 {
	if c.Max > 0 {
		return c.Max
	}
	peak := 0.0
	for i := range c.buckets() {
		sum := 0.0
		for _, s := range c.Series {
			if i < len(s.Values) {
				if c.Stacked {
					sum += s.Values[i]
				} else {
					sum = max(sum, s.Values[i])
				}
			}
		}
		peak = max(peak, sum)
	}
	for _, m := range c.Marks {
		peak = max(peak, m.Value)
	}
	return niceCeil(peak)
}

// niceCeil rounds up to 1, 2 or 5 times a power of ten.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

func figure(v float64) string {
	switch {
	case v == math.Trunc(v):
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.0f", v)
	case v >= 1:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

// SVG renders the chart. Every text in it is escaped.
func (c chart) SVG() template.HTML {
	n := c.buckets()
	if n == 0 {
		return ""
	}
	top := c.top()
	plotW, plotH := svgW-padL-padR, svgH-padT-padB
	x := func(i float64) float64 { return padL + i*plotW/float64(n) }
	y := func(v float64) float64 { return padT + plotH - min(v, top)/top*plotH }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" width="100%%" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`,
		svgW, svgH, html.EscapeString(c.Title))
	fmt.Fprintf(&b, `<rect x="%.0f" y="%.0f" width="%.0f" height="%.0f" fill="#fafbfc"/>`, padL, padT, plotW, plotH)
	for _, f := range []float64{0, 0.5, 1} {
		yy := y(top * f)
		fmt.Fprintf(&b, `<line x1="%.0f" x2="%.0f" y1="%.1f" y2="%.1f" stroke="#e3e6ec"/>`, padL, padL+plotW, yy, yy)
		fmt.Fprintf(&b, `<text x="%.0f" y="%.1f" font-size="10" fill="#6b7385" text-anchor="end">%s%s</text>`,
			padL-4, yy+3, figure(top*f), html.EscapeString(c.Unit))
	}
	for i, l := range c.Axis {
		anchor := []string{"start", "middle", "end"}[i]
		fmt.Fprintf(&b, `<text x="%.0f" y="%d" font-size="10" fill="#6b7385" text-anchor="%s">%s</text>`,
			padL+float64(i)*plotW/2, svgH-6, anchor, html.EscapeString(l))
	}
	when := func(i int) string {
		return c.Start.Add(time.Duration(i) * c.Step).UTC().Format("15:04")
	}
	if c.Stacked {
		w := plotW / float64(n)
		for i := range n {
			base := 0.0
			for _, s := range c.Series {
				if i >= len(s.Values) || s.Values[i] <= 0 {
					continue
				}
				v := s.Values[i]
				y0, y1 := y(base), y(base+v)
				fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s %s: %s</title></rect>`,
					x(float64(i))+0.5, y1, max(w-1, 1), max(y0-y1, 0.5), s.Color, when(i), html.EscapeString(s.Name), figure(v))
				base += v
			}
		}
	} else {
		for _, s := range c.Series {
			pts := make([]string, 0, len(s.Values))
			for i, v := range s.Values {
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(float64(i)+0.5), y(v)))
			}
			fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2" stroke-linejoin="round" points="%s"><title>%s</title></polyline>`,
				s.Color, strings.Join(pts, " "), html.EscapeString(s.Name))
			for i, v := range s.Values {
				if v > 0 {
					fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="2" fill="%s"><title>%s %s: %s%s</title></circle>`,
						x(float64(i)+0.5), y(v), s.Color, when(i), html.EscapeString(s.Name), figure(v), html.EscapeString(c.Unit))
				}
			}
		}
	}
	for _, m := range c.Marks {
		yy := y(m.Value)
		fmt.Fprintf(&b, `<line x1="%.0f" x2="%.0f" y1="%.1f" y2="%.1f" stroke="#c53030" stroke-dasharray="4 3"><title>%s</title></line>`,
			padL, padL+plotW, yy, yy, html.EscapeString(m.Label))
		fmt.Fprintf(&b, `<text x="%.0f" y="%.1f" font-size="10" fill="#c53030" text-anchor="end">%s</text>`,
			padL+plotW-2, yy-3, html.EscapeString(m.Label))
	}
	b.WriteString(`</svg>`)
	// Every text above went through html.EscapeString; colours and
	// numbers are the code's own.
	return template.HTML(b.String()) //nolint:gosec // built from escaped parts
}
