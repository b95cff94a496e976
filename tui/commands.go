package tui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/shipdeck/shipdeck/store"

	"github.com/shipdeck/shipdeck/tui/common"
)

// commandTimeout bounds one engine command.
const commandTimeout = 30 * time.Second

// retryAllCountedMsg carries the real total a retry-all would touch, for
// its confirmation.
type retryAllCountedMsg struct {
	filter store.Filter
	desc   string
	n      int
	err    error
}

// call runs fn off the update loop with a context that ends with the
// session or after commandTimeout, and delivers its message.
func (m *Model) call(fn func(ctx context.Context) tea.Msg) tea.Cmd {
	base := m.c.Ctx
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(base, commandTimeout)
		defer cancel()
		return fn(ctx)
	}
}

// engineCmd runs fn against the engine off the update loop and reports
// the outcome as an ActionDoneMsg.
func (m *Model) engineCmd(action, okText string, ids []string, fn func(ctx context.Context) error) tea.Cmd {
	return m.call(func(ctx context.Context) tea.Msg {
		if err := fn(ctx); err != nil {
			return common.ActionDoneMsg{Action: action, Err: err, Text: action + " failed: " + err.Error()}
		}
		return common.ActionDoneMsg{Action: action, Text: okText, Done: ids}
	})
}

// bulkCmd runs one command per order id and reports how many succeeded
// and the first failure.
func (m *Model) bulkCmd(action, verb string, ids []string, fn func(ctx context.Context, id string) error) tea.Cmd {
	return m.call(func(ctx context.Context) tea.Msg {
		var done []string
		var errs []error
		for _, id := range ids {
			if err := fn(ctx, id); err != nil {
				errs = append(errs, err)
				continue
			}
			done = append(done, id)
		}
		text := fmt.Sprintf("%s %d of %d orders", verb, len(done), len(ids))
		if len(errs) > 0 {
			text += fmt.Sprintf("; %d failed: %v", len(errs), errs[0])
		}
		return common.ActionDoneMsg{Action: action, Text: text, Err: errors.Join(errs...), Done: done}
	})
}

// countMatching counts what a retry-all would touch, in the store.
func (m *Model) countMatching(f store.Filter, desc string) tea.Cmd {
	eng := m.eng
	return m.call(func(ctx context.Context) tea.Msg {
		n, err := eng.CountMatching(ctx, f)
		return retryAllCountedMsg{filter: f, desc: desc, n: n, err: err}
	})
}

// exportCmd writes a view as CSV to a new file in the export directory.
func (m *Model) exportCmd(view string) tea.Cmd {
	eng, actor, dir := m.eng, m.c.Actor, m.exportDir
	name := fmt.Sprintf("shipdeck-%s-%s.csv", safeName(view), m.c.Now().UTC().Format("20060102-150405"))
	return m.call(func(ctx context.Context) tea.Msg {
		path, err := filepath.Abs(filepath.Join(dir, name))
		if err != nil {
			return common.ActionDoneMsg{Action: "export", Err: err, Text: "export failed: " + err.Error()}
		}
		n, err := writeExport(ctx, eng, actor, view, path)
		if err != nil {
			return common.ActionDoneMsg{Action: "export", Err: err, Text: "export failed: " + err.Error()}
		}
		return common.ActionDoneMsg{Action: "export", Text: fmt.Sprintf("exported %d %s orders to %s", n, view, path)}
	})
}

// writeExport creates path (never overwriting a file) and exports into it;
// a failed export leaves no partial file behind.
func writeExport(ctx context.Context, eng Engine, actor store.Actor, view, path string) (int, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return 0, fmt.Errorf("export %s: %w", view, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return 0, fmt.Errorf("export %s: %w", view, err)
	}
	n, err := eng.Export(ctx, actor, view, f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(path)
		return 0, fmt.Errorf("export %s to %s: %w", view, path, err)
	}
	return n, nil
}

// safeName keeps a view name usable in a file name.
func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, s)
}
