// Package logging builds shipdeck's program log: log/slog in text or JSON,
// every line through a rate limiter (so a flood of one message, such as
// bad webhook signatures, costs a few lines and a count of what was
// dropped), outside text cleaned of escape sequences, and, when the console
// owns the terminal, a size-capped rotating file in the data directory.
package logging

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/shipdeck/shipdeck/sanitize"
)

// Options configure a logger. Zero values take the defaults noted.
type Options struct {
	// Level is debug, info (default), warn or error.
	Level string
	// Format is text (default) or json.
	Format string
	// Burst is how many lines of one message pass per Window (default 10
	// per minute); the rest are counted and reported as dropped.
	Burst  int
	Window time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// ParseLevel reads a level name as the [log] level key accepts it.
func ParseLevel(s string) (slog.Level, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "info":
		return slog.LevelInfo, nil
	case "debug":
		return slog.LevelDebug, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, fmt.Errorf("unknown log level %q (use debug, info, warn or error)", s)
}

// CheckFormat checks a format name as the [log] format key accepts it.
func CheckFormat(s string) error {
	switch s {
	case "", "text", "json":
		return nil
	}
	return fmt.Errorf("unknown log format %q (use text or json)", s)
}

// New returns a logger writing to w through the rate limiter.
func New(w io.Writer, o Options) (*slog.Logger, *Limiter, error) {
	level, err := ParseLevel(o.Level)
	if err != nil {
		return nil, nil, err
	}
	if err := CheckFormat(o.Format); err != nil {
		return nil, nil, err
	}
	ho := &slog.HandlerOptions{Level: level, ReplaceAttr: cleanAttr}
	var h slog.Handler
	if o.Format == "json" {
		h = slog.NewJSONHandler(w, ho)
	} else {
		h = slog.NewTextHandler(w, ho)
	}
	lim := NewLimiter(h, o.Burst, o.Window, o.Now)
	return slog.New(lim), lim, nil
}

// cleanAttr strips control and escape sequences from every string value, so
// a buyer name or a 3PL message cannot drive the terminal of whoever reads
// the log (journalctl, tail -f).
func cleanAttr(_ []string, a slog.Attr) slog.Attr {
	switch a.Value.Kind() {
	case slog.KindString:
		return slog.String(a.Key, sanitize.Line(a.Value.String()))
	case slog.KindAny:
		if err, ok := a.Value.Any().(error); ok {
			return slog.String(a.Key, sanitize.Line(err.Error()))
		}
	}
	return a
}
