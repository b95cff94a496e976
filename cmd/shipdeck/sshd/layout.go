package sshd

import (
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// layout is where things sit in the operators file's text. The TOML
// decoder does not report lines per array element, so the text is scanned
// for [[operator]] headers and the keys under each.
type layout struct {
	lines []string
	// entries holds, per [[operator]], its header line and key lines
	// (1-based).
	entries []entryLayout
	// top holds keys outside any table, and other tables' header lines.
	top map[string]int
}

type entryLayout struct {
	header int
	keys   map[string]int
}

func scanLayout(src string) layout {
	l := layout{lines: strings.Split(src, "\n"), top: map[string]int{}}
	cur := -2 // -2: top level; -1: some other table; >= 0: an operator
	for i, raw := range l.lines {
		line := strings.TrimSpace(raw)
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
			continue
		case strings.HasPrefix(line, "["):
			name := tableName(line)
			if name == "operator" && strings.HasPrefix(line, "[[") {
				l.entries = append(l.entries, entryLayout{header: i + 1, keys: map[string]int{}})
				cur = len(l.entries) - 1
				continue
			}
			cur = -1
			if _, seen := l.top[name]; !seen {
				l.top[name] = i + 1
			}
		default:
			key, _, ok := strings.Cut(line, "=")
			if !ok {
				continue
			}
			key = unquoteKey(strings.TrimSpace(key))
			switch {
			case cur >= 0:
				if _, seen := l.entries[cur].keys[key]; !seen {
					l.entries[cur].keys[key] = i + 1
				}
			case cur == -2:
				if _, seen := l.top[key]; !seen {
					l.top[key] = i + 1
				}
			}
		}
	}
	return l
}

// tableName reads "[name]" or "[[name]] # comment".
func tableName(line string) string {
	name := strings.TrimLeft(line, "[")
	if j := strings.Index(name, "]"); j >= 0 {
		name = name[:j]
	}
	return unquoteKey(strings.TrimSpace(name))
}

func unquoteKey(k string) string {
	if u, err := strconv.Unquote(k); err == nil {
		return u
	}
	return strings.Trim(k, "'")
}

// header is the line of the n-th [[operator]], or 0.
func (l layout) header(n int) int {
	if n < 0 || n >= len(l.entries) {
		return 0
	}
	return l.entries[n].header
}

// lineIn is the line of key in the n-th [[operator]], falling back to its
// header (a missing key is reported at the table it is missing from).
func (l layout) lineIn(n int, key string) int {
	if n < 0 || n >= len(l.entries) {
		return 0
	}
	if line, ok := l.entries[n].keys[key]; ok {
		return line
	}
	return l.entries[n].header
}

// lineOfKey locates a key the decoder did not use: the first operator that
// has it, or a top-level key or table.
func (l layout) lineOfKey(k toml.Key) int {
	if len(k) == 0 {
		return 0
	}
	if k[0] == "operator" && len(k) > 1 {
		for _, e := range l.entries {
			if line, ok := e.keys[k[len(k)-1]]; ok {
				return line
			}
		}
		return l.header(0)
	}
	return l.top[k[0]]
}

// block is the 0-based half-open line range [from, to) of the n-th
// [[operator]]: from the comment lines glued to its header down to its last
// key, leaving blank lines and the comments of the next table alone.
func (l layout) block(n int) (from, to int) {
	h := l.header(n) - 1
	from = h
	for from > 0 && strings.HasPrefix(strings.TrimSpace(l.lines[from-1]), "#") {
		from--
	}
	to = len(l.lines)
	for i := h + 1; i < len(l.lines); i++ {
		if strings.HasPrefix(strings.TrimSpace(l.lines[i]), "[") {
			to = i
			break
		}
	}
	for to > h+1 {
		t := strings.TrimSpace(l.lines[to-1])
		if t != "" && !strings.HasPrefix(t, "#") {
			break
		}
		to--
	}
	return from, to
}
