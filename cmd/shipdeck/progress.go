package main

import (
	"fmt"
	"io"
)

// progress draws a live "working on" line on the command's error stream
// when it is a terminal, redrawn in place; on anything else (a pipe, a
// file, cron's mail) it draws nothing, so logs never fill with frames.
type progress struct {
	w     io.Writer
	on    bool
	drawn bool
}

// newProgress returns the progress line of a command run in env.
func newProgress(env *runEnv) *progress {
	return &progress{w: env.err, on: onTerminal(env)}
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
