package theme

import (
	"math"
	"strings"
)

// Gauge draws a horizontal bar width cells wide, filled to frac (0..1) with
// eighth-cell precision, coloured by how full it is (over 75% warns, over
// 90% is critical).
func (t *Theme) Gauge(frac float64, width int) string {
	if width <= 0 {
		return ""
	}
	if math.IsNaN(frac) || frac < 0 {
		frac = 0
	}
	if frac > 1 {
		frac = 1
	}
	eighths := int(math.Round(frac * float64(width*8)))
	full := eighths / 8
	part := eighths % 8
	var b strings.Builder
	b.Grow(width * 3)
	for range full {
		b.WriteRune(t.Glyphs.GaugeFull)
	}
	if part > 0 && full < width {
		b.WriteRune(t.Glyphs.GaugeParts[part-1])
		full++
	}
	fill := b.String()
	empty := strings.Repeat(string(t.Glyphs.GaugeEmpty), width-full)
	style := t.GaugeOK
	switch {
	case frac >= 0.9:
		style = t.GaugeCrit
	case frac >= 0.75:
		style = t.GaugeWarn
	}
	return style.Render(fill) + t.GaugeEmpty.Render(empty)
}

// Sparkline draws values as block glyphs, exactly width cells wide: the
// newest values on the right, scaled to the largest, blank where a value is
// zero (no data) and left-padded when there are fewer values than cells.
// When there are more values than cells, neighbouring values are merged
// by their maximum so a spike never disappears.
func (t *Theme) Sparkline(values []float64, width int) string {
	if width <= 0 {
		return ""
	}
	cells := bucketMax(values, width)
	peak := 0.0
	for _, v := range cells {
		if v > peak {
			peak = v
		}
	}
	levels := t.Glyphs.Spark
	var b strings.Builder
	b.Grow(width * 3)
	for range width - len(cells) {
		b.WriteByte(' ')
	}
	for _, v := range cells {
		if v <= 0 || peak <= 0 || math.IsNaN(v) {
			b.WriteByte(' ')
			continue
		}
		i := int(math.Ceil(v/peak*float64(len(levels)))) - 1
		b.WriteRune(levels[max(0, min(i, len(levels)-1))])
	}
	return t.Spark.Render(b.String())
}

// bucketMax folds values into at most n buckets, keeping each bucket's
// maximum.
func bucketMax(values []float64, n int) []float64 {
	if len(values) <= n {
		return values
	}
	out := make([]float64, n)
	for i, v := range values {
		j := i * n / len(values)
		if v > out[j] {
			out[j] = v
		}
	}
	return out
}
