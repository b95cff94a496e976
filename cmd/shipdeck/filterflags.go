package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/shipdeck/shipdeck/store"
)

// filterFlags are the order filters the read and bulk commands share with
// the console: --state failed,dead --carrier NAME --class CLASS.
type filterFlags struct {
	states, carrier, class string
}

// add registers the flags on c; what says which orders they narrow.
func (ff *filterFlags) add(c *cobra.Command, what string) {
	c.Flags().StringVar(&ff.states, "state", "", what+": only these local states, comma-separated (default failed,dead; any of "+
		fmt.Sprint(store.States())+")")
	c.Flags().StringVar(&ff.carrier, "carrier", "", what+": only this carrier's orders")
	c.Flags().StringVar(&ff.class, "class", "", what+": only orders whose last error has this class (retryable, permanent, unknown…)")
}

// filter reads the flags; a state that does not exist is a usage error.
func (ff *filterFlags) filter() (store.Filter, error) {
	states, err := store.ParseStates(ff.states)
	if err != nil {
		return store.Filter{}, usageError{fmt.Errorf("--state: %w", err)}
	}
	return store.Filter{States: states, Carrier: ff.carrier, ErrorClass: ff.class}, nil
}
