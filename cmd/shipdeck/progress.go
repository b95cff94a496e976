package main

import (
	"fmt"
	"io"
	"os"

	"github.com/charmbracelet/x/term"
)

// progress draws a live "working on" line on a terminal, redrawn in place
// with carriage returns; on anything else (a pipe, a file, cron's mail) it
// draws nothing, so logs never fill with frames.
type progress struct {
	w     io.Writer
	on    bool
	drawn bool
}

// newProgress returns a progress line on w, live only when w is a
// terminal.
func newProgress(w io.Writer) *progress {
	f, ok := w.(*os.File)
	return &progress{w: w, on: ok && term.IsTerminal(f.Fd())}
}

// show says which step is running.
func (p *progress) show(step string) {
	if !p.on {
		return
	}
	fmt.Fprintf(p.w, "\r\x1b[K%s…", step)
	p.drawn = true
}

// clear removes the line, before a summary line takes its place.
func (p *progress) clear() {
	if p.on && p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.drawn = false
	}
}
