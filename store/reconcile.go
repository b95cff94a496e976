package store

import "time"

// FindingKind names a disagreement between TikTok, a 3PL and the store.
type FindingKind string

// Reconciliation findings.
const (
	// FindingShippedNotWrittenBack: the 3PL shipped the order with tracking
	// that TikTok does not have yet.
	FindingShippedNotWrittenBack FindingKind = "shipped_not_written_back"
	// FindingCancelledButLive: TikTok cancelled the order, a 3PL still
	// holds it live.
	FindingCancelledButLive FindingKind = "cancelled_but_live"
	// FindingShippedElsewhere: TikTok shows the order shipped with tracking
	// shipdeck did not send, while shipdeck still tries to fulfil it.
	FindingShippedElsewhere FindingKind = "shipped_elsewhere"
	// FindingAtTwo3PLs: the order is live at two 3PLs.
	FindingAtTwo3PLs FindingKind = "at_two_3pls"
	// FindingHandKeyed: a 3PL holds an order for it that shipdeck never
	// created (keyed in by hand).
	FindingHandKeyed FindingKind = "hand_keyed"
	// FindingTrackingMismatch: the 3PL's tracking differs from TikTok's.
	FindingTrackingMismatch FindingKind = "tracking_mismatch"
)

// FindingAction is what fixes a finding, run through the same commands and
// audit trail as every operator action.
type FindingAction string

// Finding actions.
const (
	ActionWriteBack   FindingAction = "write_back"    // send the 3PL's tracking to TikTok
	ActionCancelAt3PL FindingAction = "cancel_at_3pl" // cancel the 3PL's copy
	ActionAdopt       FindingAction = "adopt"         // take the 3PL's order as the order's push
	ActionResolve     FindingAction = "resolve"       // mark handled outside shipdeck
)

// Finding is one disagreement, explained, with the action that fits it.
type Finding struct {
	Kind    FindingKind `json:"kind"`
	OrderID string      `json:"order_id"`
	Carrier string      `json:"carrier,omitempty"`
	// RemoteID is the 3PL's order the finding is about.
	RemoteID string `json:"remote_id,omitempty"`
	// Explain says, in an operator's words, what each side holds.
	Explain string        `json:"explain"`
	Action  FindingAction `json:"action"`
	// Tracking is the tracking number the action would use.
	Tracking    string `json:"tracking,omitempty"`
	CarrierCode string `json:"carrier_code,omitempty"`
}

// ReconcileReport is one cross-check of TikTok, the 3PLs and the store.
type ReconcileReport struct {
	At       time.Time `json:"at"`
	Since    time.Time `json:"since"`
	Checked  int       `json:"orders_checked"`
	Lookups  int       `json:"lookups"`
	Findings []Finding `json:"findings"`
	// Problems are 3PL lookups that failed; those orders were not checked
	// at that 3PL.
	Problems []string `json:"problems,omitempty"`
}
