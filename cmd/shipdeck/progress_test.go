package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/creack/pty"
)

func TestProgressDrawsFramesOnlyOnATerminal(t *testing.T) {
	var buf bytes.Buffer
	p := newProgress(&runEnv{err: &buf})
	p.show("push")
	p.clear()
	if buf.Len() != 0 {
		t.Fatalf("progress wrote %q to a non-terminal", buf.String())
	}

	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatalf("open a pty: %v", err)
	}
	defer ptmx.Close()
	defer tty.Close()
	p = newProgress(&runEnv{err: tty})
	p.show("push")
	p.clear()
	got := make([]byte, 64)
	n, err := ptmx.Read(got)
	if err != nil {
		t.Fatal(err)
	}
	if s := string(got[:n]); !strings.Contains(s, "\r\x1b[Kpush…") {
		t.Fatalf("terminal got %q, want a redrawn step line", s)
	}
}
