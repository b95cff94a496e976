// Package sshd serves the shipdeck console and the operator commands over
// SSH for `shipdeck serve`: one process runs the sync worker, and every
// operator who connects gets their own Bubble Tea program (or runs one
// command) against that same engine.
//
// Who may connect is decided by the operators file (TOML, one [[operator]]
// per person, see LoadOperators). An operator's identity is the SHA256
// fingerprint of the public key they actually authenticated with; the SSH
// user name is ignored. Only public-key authentication is offered.
//
// The package knows nothing about the console or the engine: the caller
// passes a Handler that builds a console model for an operator, or runs a
// command, and this package enforces the transport rules around it
// (timeouts, session caps, rate limits, no forwarding).
package sshd
