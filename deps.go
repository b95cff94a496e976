//go:build tools

package shipdeck

import (
	_ "charm.land/bubbles/v2/table"
	_ "charm.land/bubbletea/v2"
	_ "charm.land/lipgloss/v2"
	_ "charm.land/ssh"
	_ "charm.land/wish/v2"
	_ "github.com/BurntSushi/toml"
	_ "github.com/charmbracelet/x/exp/teatest/v2"
	_ "github.com/charmbracelet/x/vt"
	_ "github.com/dgraph-io/badger/v4"
	_ "github.com/sahilm/fuzzy"
	_ "github.com/spf13/cobra"
	_ "golang.org/x/crypto/ssh"
	_ "pgregory.net/rapid"
)
