// Package widget holds the console's reusable widgets: the one-line text
// input, the fuzzy chooser the palette and pickers embed, the pane drawn
// from one part of the snapshot, and the cursor and scroll rules every
// list shares.
package widget
