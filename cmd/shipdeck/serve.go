package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// serveCmd and keysCmd are wired to the SSH server in serve.go once it
// lands; until then they say so.
func serveCmd(env *runEnv) *cobra.Command {
	return &cobra.Command{Use: "serve", Short: "Run the worker and serve the console over SSH", RunE: func(*cobra.Command, []string) error {
		return errors.New("serve: not available in this build")
	}}
}

func keysCmd(env *runEnv) *cobra.Command {
	return &cobra.Command{Use: "keys", Short: "Manage the SSH operators file", RunE: func(*cobra.Command, []string) error {
		return errors.New("keys: not available in this build")
	}}
}
