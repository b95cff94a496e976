// Package draw holds the console's text and layout helpers: cleaning
// outside text, measuring and cutting it to cells, padding lines into exact
// rectangles, boxes and overlays placed over the screen, columns that drop
// when narrow, and the short spellings of durations and latencies. It
// knows nothing of the console's state.
package draw
