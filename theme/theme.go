// Package theme holds every style the shipdeck console draws with, in one
// place, so light and dark terminals, NO_COLOR and a high-contrast mode are
// decided once and every pane follows.
package theme

import (
	"image/color"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
)

// Options chooses a theme variant.
type Options struct {
	// Dark is true on a dark terminal background (the default when the
	// terminal does not answer the background-colour query).
	Dark bool
	// NoColor drops every colour but keeps bold, underline and reverse, as
	// https://no-color.org asks.
	NoColor bool
	// HighContrast uses the terminal's own bright colours and never faint
	// text, for low-quality displays and low vision.
	HighContrast bool
}

// Theme is the console's complete set of styles and glyphs. A Theme is
// immutable after New; switching light/dark builds a new one.
type Theme struct {
	opts Options

	// Text.
	Text   lipgloss.Style
	Muted  lipgloss.Style
	Strong lipgloss.Style
	Accent lipgloss.Style
	Good   lipgloss.Style
	Warn   lipgloss.Style
	Bad    lipgloss.Style

	// Header.
	AppName   lipgloss.Style
	Shop      lipgloss.Style
	DemoBadge lipgloss.Style
	Clock     lipgloss.Style

	// Pane frames and tabs.
	Border        lipgloss.Style
	BorderFocused lipgloss.Style
	Title         lipgloss.Style
	TitleFocused  lipgloss.Style
	Tab           lipgloss.Style
	TabActive     lipgloss.Style

	// Lists.
	ColumnHeader lipgloss.Style
	CursorRow    lipgloss.Style
	Marked       lipgloss.Style
	ChipActive   lipgloss.Style

	// Footer key hints.
	Key         lipgloss.Style
	KeyHelp     lipgloss.Style
	KeyDisabled lipgloss.Style

	// Overlays.
	OverlayBorder lipgloss.Style
	OverlayTitle  lipgloss.Style
	Match         lipgloss.Style
	Selected      lipgloss.Style

	// Gauges and sparklines.
	GaugeOK    lipgloss.Style
	GaugeWarn  lipgloss.Style
	GaugeCrit  lipgloss.Style
	GaugeEmpty lipgloss.Style
	Spark      lipgloss.Style

	// Toasts by kind.
	ToastInfo  lipgloss.Style
	ToastOK    lipgloss.Style
	ToastWarn  lipgloss.Style
	ToastError lipgloss.Style

	// Urgency of a ship-by deadline.
	Late      lipgloss.Style
	Within4h  lipgloss.Style
	Within24h lipgloss.Style
	Later     lipgloss.Style

	states   map[string]lipgloss.Style
	workers  map[string]lipgloss.Style
	circuits map[string]lipgloss.Style

	// Glyphs used by gauges, sparklines and lists.
	Glyphs Glyphs
}

// Glyphs are the characters the console draws with.
type Glyphs struct {
	// Spark holds the sparkline levels, lowest first.
	Spark []rune
	// GaugeFull and GaugeEmpty fill a gauge; GaugeParts are the partial
	// eighths of one cell, smallest first.
	GaugeFull  rune
	GaugeEmpty rune
	GaugeParts []rune
	// Mark flags a multi-selected row; Cursor flags the highlighted row.
	Mark   string
	Cursor string
	// Sep separates items on one line.
	Sep string
}

// New builds the theme for opts.
func New(opts Options) *Theme {
	p := newPalette(opts)
	t := &Theme{opts: opts, Glyphs: defaultGlyphs()}
	s := lipgloss.NewStyle

	t.Text = s()
	t.Muted = p.fg(s(), p.muted)
	t.Strong = s().Bold(true)
	t.Accent = p.fg(s().Bold(true), p.accent)
	t.Good = p.fg(s(), p.green)
	t.Warn = p.fg(s().Bold(true), p.yellow)
	t.Bad = p.fg(s().Bold(true), p.red)

	t.AppName = p.fg(s().Bold(true), p.accent)
	t.Shop = s().Bold(true)
	t.DemoBadge = p.bg(p.fg(s().Bold(true).Reverse(opts.NoColor), p.onBadge), p.orange).Padding(0, 1)
	t.Clock = p.fg(s(), p.muted)

	t.Border = p.fg(s(), p.border)
	t.BorderFocused = p.fg(s().Bold(true), p.accent)
	t.Title = p.fg(s().Bold(true), p.text)
	t.TitleFocused = p.fg(s().Bold(true).Underline(opts.NoColor), p.accent)
	t.Tab = p.fg(s().Padding(0, 1), p.muted)
	t.TabActive = p.fg(s().Bold(true).Reverse(true).Padding(0, 1), p.accent)

	t.ColumnHeader = p.fg(s().Bold(true), p.muted)
	t.CursorRow = s().Reverse(true)
	t.Marked = p.fg(s().Bold(true), p.magenta)
	t.ChipActive = p.fg(s().Bold(true).Reverse(true), p.accent)

	t.Key = p.fg(s().Bold(true), p.accent)
	t.KeyHelp = p.fg(s(), p.text)
	t.KeyDisabled = p.fg(s().Strikethrough(opts.NoColor), p.dim)

	t.OverlayBorder = p.fg(s(), p.accent)
	t.OverlayTitle = p.fg(s().Bold(true), p.accent)
	t.Match = p.fg(s().Bold(true).Underline(true), p.yellow)
	t.Selected = s().Reverse(true)

	t.GaugeOK = p.fg(s(), p.green)
	t.GaugeWarn = p.fg(s(), p.yellow)
	t.GaugeCrit = p.fg(s().Bold(true), p.red)
	t.GaugeEmpty = p.fg(s(), p.dim)
	t.Spark = p.fg(s(), p.blue)

	t.ToastInfo = p.fg(s().Bold(true).Reverse(opts.NoColor), p.blue)
	t.ToastOK = p.fg(s().Bold(true).Reverse(opts.NoColor), p.green)
	t.ToastWarn = p.fg(s().Bold(true).Reverse(opts.NoColor), p.yellow)
	t.ToastError = p.fg(s().Bold(true).Reverse(true), p.red)

	t.Late = p.fg(s().Bold(true).Reverse(opts.NoColor), p.red)
	t.Within4h = p.fg(s().Bold(true), p.orange)
	t.Within24h = p.fg(s(), p.yellow)
	t.Later = p.fg(s(), p.muted)

	t.states = map[string]lipgloss.Style{
		"new":       p.fg(s(), p.muted),
		"ready":     p.fg(s(), p.text),
		"queued":    p.fg(s(), p.blue),
		"pushing":   p.fg(s().Bold(true), p.cyan),
		"pushed":    p.fg(s(), p.cyan),
		"tracking":  p.fg(s(), p.green),
		"shipped":   p.fg(s(), p.green),
		"failed":    p.fg(s().Bold(true), p.orange),
		"dead":      p.fg(s().Bold(true).Reverse(opts.NoColor), p.red),
		"unknown":   p.fg(s().Bold(true), p.magenta),
		"held":      p.fg(s().Italic(true), p.yellow),
		"cancelled": p.fg(s(), p.dim),
	}
	t.workers = map[string]lipgloss.Style{
		"polling":  p.fg(s().Bold(true), p.green),
		"sleeping": p.fg(s(), p.blue),
		"paused":   p.fg(s().Bold(true), p.yellow),
		"degraded": p.fg(s().Bold(true).Reverse(opts.NoColor), p.red),
		"stopped":  p.fg(s(), p.muted),
	}
	t.circuits = map[string]lipgloss.Style{
		"closed":    p.fg(s(), p.green),
		"half-open": p.fg(s().Bold(true), p.yellow),
		"open":      p.fg(s().Bold(true).Reverse(opts.NoColor), p.red),
	}
	return t
}

// Options returns the options the theme was built with, so a caller can
// rebuild it with one setting changed (the background, typically).
func (t *Theme) Options() Options { return t.opts }

// WithDark returns the same theme for a dark (or light) background.
func (t *Theme) WithDark(dark bool) *Theme {
	if t.opts.Dark == dark {
		return t
	}
	o := t.opts
	o.Dark = dark
	return New(o)
}

// State styles a local fulfillment state by name; unknown names get plain
// text.
func (t *Theme) State(name string) lipgloss.Style {
	if st, ok := t.states[name]; ok {
		return st
	}
	return t.Text
}

// Worker styles a worker state by name (polling, sleeping, paused,
// degraded, stopped).
func (t *Theme) Worker(name string) lipgloss.Style {
	if st, ok := t.workers[name]; ok {
		return st
	}
	return t.Text
}

// Circuit styles a circuit breaker state by name (closed, half-open, open).
func (t *Theme) Circuit(name string) lipgloss.Style {
	if st, ok := t.circuits[name]; ok {
		return st
	}
	return t.Text
}

// Urgency styles a ship-by countdown: late, under 4 hours, under 24 hours,
// or later.
func (t *Theme) Urgency(left time.Duration) lipgloss.Style {
	switch {
	case left < 0:
		return t.Late
	case left < 4*time.Hour:
		return t.Within4h
	case left < 24*time.Hour:
		return t.Within24h
	}
	return t.Later
}

// Toast styles a toast by kind ("ok", "warn", "error", anything else is
// info).
func (t *Theme) Toast(kind string) lipgloss.Style {
	switch kind {
	case "ok":
		return t.ToastOK
	case "warn":
		return t.ToastWarn
	case "error":
		return t.ToastError
	}
	return t.ToastInfo
}

// NoColorFromEnv reports whether an environment (as os.Environ or an SSH
// session spells it) asks for no colour: NO_COLOR set to anything
// non-empty.
func NoColorFromEnv(env []string) bool {
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "NO_COLOR="); ok && v != "" {
			return true
		}
	}
	return false
}

func defaultGlyphs() Glyphs {
	return Glyphs{
		Spark:      []rune("▁▂▃▄▅▆▇█"),
		GaugeFull:  '█',
		GaugeEmpty: '░',
		GaugeParts: []rune("▏▎▍▌▋▊▉"),
		Mark:       "●",
		Cursor:     "▶",
		Sep:        " · ",
	}
}

// palette is the set of colours one theme variant uses; nil means "leave the
// terminal's default".
type palette struct {
	text, muted, dim, border, accent, onBadge       color.Color
	red, orange, yellow, green, blue, cyan, magenta color.Color
}

func newPalette(o Options) palette {
	if o.NoColor {
		return palette{}
	}
	if o.HighContrast {
		if o.Dark {
			return palette{
				text: lipgloss.BrightWhite, muted: lipgloss.White, dim: lipgloss.White,
				border: lipgloss.BrightWhite, accent: lipgloss.BrightCyan, onBadge: lipgloss.Black,
				red: lipgloss.BrightRed, orange: lipgloss.BrightYellow, yellow: lipgloss.Yellow,
				green: lipgloss.BrightGreen, blue: lipgloss.BrightBlue, cyan: lipgloss.BrightCyan,
				magenta: lipgloss.BrightMagenta,
			}
		}
		return palette{
			text: lipgloss.Black, muted: lipgloss.Black, dim: lipgloss.BrightBlack,
			border: lipgloss.Black, accent: lipgloss.Blue, onBadge: lipgloss.BrightWhite,
			red: lipgloss.Red, orange: lipgloss.Magenta, yellow: lipgloss.Yellow,
			green: lipgloss.Green, blue: lipgloss.Blue, cyan: lipgloss.Cyan,
			magenta: lipgloss.Magenta,
		}
	}
	// Colours are picked from the xterm-256 cube so they survive the
	// ANSI256 downsampling typical of SSH sessions.
	ld := lipgloss.LightDark(o.Dark)
	c := lipgloss.Color
	return palette{
		text:    ld(c("#1c1c1c"), c("#e4e4e4")),
		muted:   ld(c("#6c6c6c"), c("#949494")),
		dim:     ld(c("#a8a8a8"), c("#585858")),
		border:  ld(c("#a8a8a8"), c("#585858")),
		accent:  ld(c("#005faf"), c("#5fafff")),
		onBadge: ld(c("#ffffff"), c("#1c1c1c")),
		red:     ld(c("#d70000"), c("#ff5f5f")),
		orange:  ld(c("#d75f00"), c("#ff8700")),
		yellow:  ld(c("#af8700"), c("#ffd75f")),
		green:   ld(c("#008700"), c("#87d787")),
		blue:    ld(c("#005fd7"), c("#87afff")),
		cyan:    ld(c("#008787"), c("#5fd7d7")),
		magenta: ld(c("#af00af"), c("#d787d7")),
	}
}

// fg sets the foreground when the palette has a colour for it.
func (p palette) fg(s lipgloss.Style, c color.Color) lipgloss.Style {
	if c == nil {
		return s
	}
	return s.Foreground(c)
}

// bg sets the background when the palette has a colour for it.
func (p palette) bg(s lipgloss.Style, c color.Color) lipgloss.Style {
	if c == nil {
		return s
	}
	return s.Background(c)
}
