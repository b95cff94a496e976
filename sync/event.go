package sync

import (
	"errors"
	"time"

	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/sync/tiktok"
)

// EventKind says what an Event reports.
type EventKind string

// Event kinds.
const (
	// EventPoll is one completed (or failed) incremental poll.
	EventPoll EventKind = "poll"
	// EventPush is one push outcome (pushed, failed, dead or unknown).
	EventPush EventKind = "push"
	// EventWriteBack is one tracking write-back outcome.
	EventWriteBack EventKind = "write_back"
	// EventCircuit is a carrier's circuit breaker opening or closing.
	EventCircuit EventKind = "circuit"
	// EventWorker is a change of the worker's state or reason.
	EventWorker EventKind = "worker"
	// EventOperator is an operator action, as written to the audit trail.
	EventOperator EventKind = "operator"
	// EventDetected is a new order stored for the first time.
	EventDetected EventKind = "detected"
)

// Event is something the engine did that logs, metrics and alerts care
// about. Only the fields of its Kind are set. Text fields hold text from
// outside (3PL reasons, TikTok messages) as received: each output cleans it.
type Event struct {
	Kind EventKind
	At   time.Time

	// Poll: what the poll saw, the TikTok calls it spent, the next poll.
	Poll     PollResult
	Calls    int
	NextPoll time.Time
	Err      error

	// Push and write-back.
	Order   string
	Carrier string
	// Outcome is the order's state after a push (pushed, failed, dead,
	// unknown) or a write-back (shipped, failed, dead).
	Outcome    string
	Class      string
	Reason     string
	RequestID  string
	HTTPStatus int
	Attempts   int
	Latency    time.Duration

	// Circuit: the breaker's new state (Carrier names it).
	Circuit store.CircuitState

	// Worker: the new status and the state it left.
	Worker   store.WorkerStatus
	Previous store.WorkerState

	// Operator: the audit entry of the action.
	Audit store.AuditEntry

	// Detected: how long after its creation on TikTok the order was stored.
	Delay time.Duration
}

// Observer receives the engine's events. It is called synchronously on the
// engine's goroutines after the change committed, so it must return
// quickly and never call back into the engine.
type Observer func(Event)

// emit hands ev to every observer.
func (e *Engine) emit(ev Event) {
	if ev.At.IsZero() {
		ev.At = e.now()
	}
	for _, o := range e.observers {
		o(ev)
	}
}

// requestID returns TikTok's request id carried by err, if any: the id
// TikTok support asks for.
func requestID(err error) string {
	var ae *tiktok.APIError
	if errors.As(err, &ae) {
		return ae.RequestID
	}
	return ""
}
