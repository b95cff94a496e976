package widget

import (
	"strings"
	"unicode"

	tea "charm.land/bubbletea/v2"

	"github.com/shipdeck/shipdeck/tui/common"
	"github.com/shipdeck/shipdeck/tui/draw"
)

// Input is a one-line text input for the overlays (search, palette, picker,
// reason). It edits runes, never draws a blinking cursor (each blink would
// be a frame over SSH) and cleans pasted text like any outside string.
type Input struct {
	Prompt      string
	Placeholder string
	// Limit caps the length in runes.
	Limit int
	value []rune
	pos   int
}

// NewInput returns an empty input.
func NewInput(prompt, placeholder string) Input {
	return Input{Prompt: prompt, Placeholder: placeholder, Limit: 200}
}

// Value is the text typed so far.
func (in *Input) Value() string { return string(in.value) }

// SetValue replaces the text and puts the cursor at its end.
func (in *Input) SetValue(s string) {
	in.value = []rune(draw.Clean(s))
	if in.Limit > 0 && len(in.value) > in.Limit {
		in.value = in.value[:in.Limit]
	}
	in.pos = len(in.value)
}

// Update edits the text for a key press or a paste, and reports whether the
// text changed.
func (in *Input) Update(msg tea.Msg) bool {
	before := string(in.value)
	switch msg := msg.(type) {
	case tea.PasteMsg:
		in.insert(draw.Clean(msg.Content))
	case tea.KeyPressMsg:
		in.key(msg)
	}
	return string(in.value) != before
}

func (in *Input) key(k tea.KeyPressMsg) {
	switch k.String() {
	case "backspace", "ctrl+h":
		if in.pos > 0 {
			in.value = append(in.value[:in.pos-1], in.value[in.pos:]...)
			in.pos--
		}
	case "delete", "ctrl+d":
		if in.pos < len(in.value) {
			in.value = append(in.value[:in.pos], in.value[in.pos+1:]...)
		}
	case "left", "ctrl+b":
		in.pos = max(0, in.pos-1)
	case "right", "ctrl+f":
		in.pos = min(len(in.value), in.pos+1)
	case "home", "ctrl+a":
		in.pos = 0
	case "end", "ctrl+e":
		in.pos = len(in.value)
	case "ctrl+u":
		in.value = append([]rune(nil), in.value[in.pos:]...)
		in.pos = 0
	case "ctrl+k":
		in.value = in.value[:in.pos]
	case "ctrl+w":
		i := in.pos
		for i > 0 && unicode.IsSpace(in.value[i-1]) {
			i--
		}
		for i > 0 && !unicode.IsSpace(in.value[i-1]) {
			i--
		}
		in.value = append(in.value[:i], in.value[in.pos:]...)
		in.pos = i
	case "space":
		in.insert(" ")
	default:
		if k.Text != "" && k.Mod&(tea.ModCtrl|tea.ModAlt) == 0 {
			in.insert(draw.Clean(k.Text))
		}
	}
}

func (in *Input) insert(s string) {
	rs := []rune(s)
	if in.Limit > 0 && len(in.value)+len(rs) > in.Limit {
		rs = rs[:max(0, in.Limit-len(in.value))]
	}
	if len(rs) == 0 {
		return
	}
	v := make([]rune, 0, len(in.value)+len(rs))
	v = append(v, in.value[:in.pos]...)
	v = append(v, rs...)
	v = append(v, in.value[in.pos:]...)
	in.value = v
	in.pos += len(rs)
}

// View draws the prompt, the text and a reverse-video cursor cell, cut to
// w cells keeping the cursor in sight.
func (in *Input) View(c *common.Common, w int) string {
	th := c.Theme
	prompt := th.Accent.Render(in.Prompt)
	room := w - draw.Width(in.Prompt)
	if room <= 0 {
		return draw.Fit(prompt, w)
	}
	if len(in.value) == 0 {
		return prompt + th.CursorRow.Render(" ") + th.Muted.Render(draw.Cut(in.Placeholder, room-1))
	}
	// Scroll so the cursor stays visible.
	start := 0
	if in.pos >= room {
		start = in.pos - room + 1
	}
	var b strings.Builder
	for i, used := start, 0; i < len(in.value) && used < room; i++ {
		r := string(in.value[i])
		used += draw.Width(r)
		if i == in.pos {
			r = th.CursorRow.Render(r)
		}
		b.WriteString(r)
	}
	if in.pos == len(in.value) {
		b.WriteString(th.CursorRow.Render(" "))
	}
	return prompt + b.String()
}
