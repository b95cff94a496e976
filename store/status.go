package store

import "time"

// WorkerState says what the sync worker is doing, for the console header.
type WorkerState string

// Worker states.
const (
	WorkerPolling  WorkerState = "polling"
	WorkerSleeping WorkerState = "sleeping"
	WorkerPaused   WorkerState = "paused"
	WorkerDegraded WorkerState = "degraded"
	WorkerStopped  WorkerState = "stopped"
)

// WorkerStatus is the worker's state for the header.
type WorkerStatus struct {
	State    WorkerState `json:"state"`
	NextPoll time.Time   `json:"next_poll,omitzero"`
	// Reason explains a degraded or paused state.
	Reason   string    `json:"reason,omitempty"`
	LastPoll time.Time `json:"last_poll,omitzero"`
	// Warning is shown in the header whatever the state: something the
	// operator must act on soon (the TikTok authorization expiring).
	Warning string `json:"warning,omitempty"`
}

// QuotaStatus is what the quota pane shows about today's TikTok budget.
type QuotaStatus struct {
	Day       string           `json:"day"`
	Limit     int              `json:"limit"`
	Used      int              `json:"used"`
	Remaining int              `json:"remaining"`
	Reserve   int              `json:"reserve"`
	ByKind    map[CallKind]int `json:"by_kind"`
	ResetAt   time.Time        `json:"reset_at"`
	NextPoll  time.Time        `json:"next_poll,omitzero"`
	// ExhaustAt is the projected time the budget runs out at the current
	// spend rate (zero when it lasts the day).
	ExhaustAt    time.Time `json:"exhaust_at,omitzero"`
	RateLimited  int       `json:"rate_limited"`
	LastLimited  time.Time `json:"last_limited,omitzero"`
	PerSecond    int       `json:"per_second"`
	InSlowWindow bool      `json:"in_slow_window,omitempty"`
}

// CircuitState is a carrier circuit breaker's state.
type CircuitState string

// Circuit breaker states.
const (
	CircuitClosed   CircuitState = "closed"
	CircuitOpen     CircuitState = "open"
	CircuitHalfOpen CircuitState = "half-open"
)

// CarrierStats is one row of the carriers pane.
type CarrierStats struct {
	Name      string        `json:"name"`
	Kind      string        `json:"kind"`
	P50       time.Duration `json:"p50"`
	P95       time.Duration `json:"p95"`
	P99       time.Duration `json:"p99"`
	Calls     int           `json:"calls"`
	ErrorRate float64       `json:"error_rate"`
	InFlight  int           `json:"in_flight"`
	Circuit   CircuitState  `json:"circuit"`
	// Spark is the last hour's median latency per minute slot, oldest
	// first, in milliseconds (0 where there were no calls).
	Spark []float64 `json:"spark,omitempty"`
}

// Snapshot is the coalesced view of the engine that every console session
// renders. Order lists are not in it: panes ask for their visible page.
type Snapshot struct {
	At       time.Time      `json:"at"`
	Shop     string         `json:"shop"`
	Demo     bool           `json:"demo"`
	Worker   WorkerStatus   `json:"worker"`
	Counts   Counts         `json:"counts"`
	Quota    QuotaStatus    `json:"quota"`
	Carriers []CarrierStats `json:"carriers"`
	// Health is the latest account-health estimate and Reconcile the
	// latest reconciliation (zero until the first has run).
	Health    AccountHealth   `json:"health,omitzero"`
	Reconcile ReconcileReport `json:"reconcile,omitzero"`
	// Costs is the latest 3PL-versus-FBT comparison over the last 30 days,
	// without its per-order list.
	Costs CostReport `json:"costs,omitzero"`
	// Alerts are the firing alerts, critical first.
	Alerts []Alert `json:"alerts,omitempty"`
	// Seq increases with every snapshot, so sessions can skip stale ones.
	Seq uint64 `json:"seq"`
}
