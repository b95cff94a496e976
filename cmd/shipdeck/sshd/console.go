package sshd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	bm "charm.land/wish/v2/bubbletea"
)

// runConsole runs one Bubble Tea program for the session and returns the
// exit status. wish's MakeOptions wires the session's I/O, TERM and window
// size; the program is quit (so the client's terminal is restored) when
// ctx ends, and resizes are forwarded while it runs.
func (s *Server) runConsole(ctx context.Context, live *liveSession, sess ssh.Session) int {
	in := &inputActivity{Session: sess, touch: func() { live.touch(s.cfg.Now()) }}
	// The Handler's context ends only once the program has exited, so what
	// it releases then (the model's subscriptions) is never in use.
	consoleCtx, endConsole := context.WithCancel(context.WithoutCancel(ctx))
	defer endConsole()
	model, opts, err := s.h.Console(consoleCtx, live.op, in)
	if err != nil || model == nil {
		s.cfg.Logger.Error("console did not start", "operator", live.op.Name, "err", err)
		s.tell(sess, true, msgNoConsole)
		return 1
	}
	opts = append(append(append([]tea.ProgramOption(nil), opts...), bm.MakeOptions(in)...),
		// Signals to the serve process are serve's to handle.
		tea.WithoutSignalHandler())
	p := tea.NewProgram(model, opts...)
	winch := s.windowSizes(sess, fmt.Sprintf("%p", live))

	done := make(chan struct{})
	supervised := make(chan struct{})
	go func() {
		defer close(supervised)
		s.superviseConsole(ctx, live, p, winch, done)
	}()
	_, runErr := p.Run()
	p.Kill() // restores the terminal if Run left early; a no-op otherwise
	close(done)
	<-supervised

	switch {
	case runErr == nil:
		return 0
	case errors.Is(runErr, tea.ErrProgramPanic):
		// Bubble Tea caught it and wrote the trace to the server's
		// stderr; the client only hears that something went wrong.
		s.cfg.Logger.Error("console panicked", "operator", live.op.Name, "err", runErr)
		s.tell(sess, false, msgInternal)
		return 1
	case ctx.Err() != nil || errors.Is(runErr, io.EOF):
		// The client left, or the server ended the session (serveSession
		// tells the client why).
		s.cfg.Logger.Debug("console ended with its session", "operator", live.op.Name, "err", runErr)
		return 0
	default:
		s.cfg.Logger.Warn("console stopped with an error", "operator", live.op.Name, "err", runErr)
		return 1
	}
}

// superviseConsole forwards window changes, enforces the input idle
// timeout and ends the program when ctx ends. It returns once done is
// closed (the program has exited).
func (s *Server) superviseConsole(ctx context.Context, live *liveSession, p *tea.Program, winch <-chan ssh.Window, done <-chan struct{}) {
	// Resizes go to the program through a one-slot mailbox that keeps the
	// latest size, so a slow program never stops the session from taking
	// the client's requests.
	resized := make(chan tea.WindowSizeMsg, 1)
	go func() {
		for {
			select {
			case <-done:
				return
			case m := <-resized:
				p.Send(m) // returns when the program has exited, too
			}
		}
	}()
	d := s.cfg.IdleTimeout
	var idle <-chan time.Time // nil (never fires) without an idle timeout
	var t *time.Timer
	if d > 0 {
		// Re-armed from the last input rather than ticking, so a busy
		// console costs one timer event per idle period.
		t = time.NewTimer(d)
		defer t.Stop()
		idle = t.C
	}
	for {
		select {
		case <-done:
			return
		case <-ctx.Done():
			s.endConsole(live, p, done)
			return
		case w, ok := <-winch:
			if !ok { // the session's request stream is gone
				s.endConsole(live, p, done)
				return
			}
			latest(resized, tea.WindowSizeMsg{Width: w.Width, Height: w.Height})
		case <-idle:
			if since := live.idleFor(s.cfg.Now()); since < d {
				t.Reset(d - since)
				continue
			}
			idle = nil
			live.stop(&endReason{"shipdeck: no keyboard input for " + d.String() + "; session closed"})
		}
	}
}

// latest puts m in the one-slot mailbox, replacing what is waiting there.
// Only one goroutine puts, so this never blocks.
func latest(box chan tea.WindowSizeMsg, m tea.WindowSizeMsg) {
	select {
	case <-box:
	default:
	}
	box <- m
}

// endConsole asks the program to quit (restoring the client's terminal)
// and, if it has not within quitGrace, kills it. A program stuck writing
// to a client that reads nothing is freed by serveSession closing the
// connection. It returns once done is closed.
func (s *Server) endConsole(live *liveSession, p *tea.Program, done <-chan struct{}) {
	go p.Quit() // Quit waits for the program to take it
	t := time.NewTimer(quitGrace)
	defer t.Stop()
	select {
	case <-done:
		return
	case <-t.C:
	}
	s.cfg.Logger.Warn("ssh console did not quit in time; killing it", "operator", live.op.Name,
		"remote", live.remote, "grace", quitGrace.String())
	p.Kill()
	<-done
}

// inputActivity is the session as the console sees it: every read of
// client input marks keyboard activity for the idle timeout. Output does
// not, so the console's own redraws never keep a session alive.
type inputActivity struct {
	ssh.Session
	touch func()
}

func (a *inputActivity) Read(p []byte) (int, error) {
	n, err := a.Session.Read(p)
	if n > 0 {
		a.touch()
	}
	return n, err
}
