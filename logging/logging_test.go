package logging

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestLimiterDropsAFloodAndReportsTheCount(t *testing.T) {
	cases := []struct {
		name        string
		burst       int
		flood       int
		wantPassed  int
		wantDropped int
	}{
		{"bad signatures flood", 5, 4000, 5, 3995},
		{"under the burst", 5, 3, 3, 0},
		{"exactly the burst", 5, 5, 5, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			clk := &clock{t: time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)}
			log, lim, err := New(&buf, Options{Burst: tc.burst, Window: time.Minute, Now: clk.now})
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < tc.flood; i++ {
				log.Warn("webhook: bad signature", "remote", fmt.Sprintf("10.0.0.%d:4000", i%250))
			}
			log.Info("poll", "seen", 3) // another message is not held back by the flood
			if got := strings.Count(buf.String(), "bad signature"); got != tc.wantPassed {
				t.Fatalf("bad signature lines = %d, want %d", got, tc.wantPassed)
			}
			if !strings.Contains(buf.String(), "msg=poll seen=3") {
				t.Fatalf("other message missing:\n%s", buf.String())
			}
			// The window ends: the next line brings the count of what was dropped.
			clk.t = clk.t.Add(61 * time.Second)
			log.Info("poll", "seen", 4)
			report := fmt.Sprintf(`msg="log lines dropped" message="webhook: bad signature" dropped=%d`, tc.wantDropped)
			if has := strings.Contains(buf.String(), report); has != (tc.wantDropped > 0) {
				t.Fatalf("drop report present = %v, want %v (%q):\n%s", has, tc.wantDropped > 0, report, tail(buf.String()))
			}
			// A new window lets the message through again.
			log.Warn("webhook: bad signature", "remote", "10.0.0.1:1")
			if got := strings.Count(buf.String(), `msg="webhook: bad signature"`); got != tc.wantPassed+1 {
				t.Fatalf("after the window: %d lines, want %d", got, tc.wantPassed+1)
			}
			lim.Flush(context.Background())
		})
	}
}

func TestLimiterSharesCountsWithDerivedLoggersAndFlushes(t *testing.T) {
	var buf bytes.Buffer
	clk := &clock{t: time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)}
	log, lim, err := New(&buf, Options{Burst: 2, Now: clk.now, Format: "json"})
	if err != nil {
		t.Fatal(err)
	}
	a, b := log.With("component", "a"), log.WithGroup("g")
	for i := 0; i < 5; i++ {
		a.Warn("store: value-log GC")
		b.Warn("store: value-log GC")
	}
	if got := strings.Count(buf.String(), "value-log GC"); got != 2 {
		t.Fatalf("lines = %d, want 2 (the burst, across derived loggers)", got)
	}
	lim.Flush(context.Background())
	if !strings.Contains(buf.String(), `"msg":"log lines dropped","message":"store: value-log GC","dropped":8`) {
		t.Fatalf("flush did not report 8 dropped lines:\n%s", buf.String())
	}
}

func TestLogCleansOutsideText(t *testing.T) {
	var buf bytes.Buffer
	// JSON, because slog's text handler escapes control bytes by itself;
	// the JSON handler passes bidi overrides and 8-bit CSI through as they
	// are, so only shipdeck's cleaning keeps them out.
	log, _, err := New(&buf, Options{Format: "json"})
	if err != nil {
		t.Fatal(err)
	}
	log.Warn("push dead", "reason", "bad address \x1b]52;c;ZXZpbA==\x07\x1b[2J \u202eevil\u202c \u009b31m",
		"err", fmt.Errorf("3pl said \x1b[31mno\x1b[0m \u202e"))
	out := buf.String()
	if strings.ContainsAny(out, "\x1b\x07\u202e\u009b") || strings.Contains(out, `\u001b`) || strings.Contains(out, `\u202e`) {
		t.Fatalf("escape sequence reached the log: %q", out)
	}
	if !strings.Contains(out, "bad address") || !strings.Contains(out, "3pl said") {
		t.Fatalf("text lost: %q", out)
	}
}

func TestConfigValuesAreChecked(t *testing.T) {
	for _, tc := range []struct {
		level, format string
		ok            bool
	}{
		{"", "", true}, {"debug", "json", true}, {"WARN", "text", true},
		{"loud", "text", false}, {"info", "xml", false},
	} {
		_, _, err := New(&bytes.Buffer{}, Options{Level: tc.level, Format: tc.format})
		if (err == nil) != tc.ok {
			t.Errorf("level %q format %q: err = %v, want ok %v", tc.level, tc.format, err, tc.ok)
		}
	}
}

func TestRotatingFileCapsTheLog(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "shipdeck.log")
	f, err := OpenRotating(path, 1000, 2)
	if err != nil {
		t.Fatal(err)
	}
	line := strings.Repeat("x", 99) + "\n" // 100 bytes
	for i := 0; i < 100; i++ {
		if _, err := f.Write([]byte(line)); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	var total int64
	for _, e := range entries {
		fi, _ := e.Info()
		names = append(names, e.Name())
		total += fi.Size()
		if fi.Size() > 1000 {
			t.Errorf("%s is %d bytes, over the 1000-byte cap", e.Name(), fi.Size())
		}
	}
	want := []string{"shipdeck.log", "shipdeck.log.1", "shipdeck.log.2"}
	if strings.Join(names, ",") != strings.Join(want, ",") {
		t.Fatalf("files = %v, want %v", names, want)
	}
	if total != 3000 {
		t.Fatalf("kept %d bytes, want 3000 (current + 2 rotated, 10 lines each)", total)
	}
	// Reopening appends to the current file and keeps rotating.
	f, err = OpenRotating(path, 1000, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write([]byte(line)); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Size() != 100 {
		t.Fatalf("after reopen the full log rotated: size %d, want 100", fi.Size())
	}
}

func tail(s string) string {
	if len(s) > 600 {
		return s[len(s)-600:]
	}
	return s
}
