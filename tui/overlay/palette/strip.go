package palette

import "github.com/charmbracelet/x/ansi"

// stripped drops styling so the selected row is drawn in one style.
func stripped(s string) string { return ansi.Strip(s) }
