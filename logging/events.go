package logging

import (
	"log/slog"

	"github.com/shipdeck/shipdeck/store"
	shipsync "github.com/shipdeck/shipdeck/sync"
)

// Events returns an engine observer that writes what an operator greps
// for: each poll, each push and write-back outcome other than plain
// success, circuit changes, worker state changes and operator actions.
// Text from outside is cleaned by the logger's handler.
func Events(log *slog.Logger) shipsync.Observer {
	return func(ev shipsync.Event) {
		switch ev.Kind {
		case shipsync.EventPoll:
			args := []any{"seen", ev.Poll.Seen, "changed", ev.Poll.Changed, "pages", ev.Poll.Pages, "calls", ev.Calls}
			if !ev.NextPoll.IsZero() {
				args = append(args, "next_poll", ev.NextPoll.UTC().Format("2006-01-02T15:04:05Z"))
			}
			if ev.Err != nil {
				log.Warn("poll failed", append(args, "err", ev.Err)...)
				return
			}
			log.Info("poll", args...)
		case shipsync.EventPush:
			if ev.Outcome == string(store.StatePushed) {
				return
			}
			args := []any{"order", ev.Order, "carrier", ev.Carrier, "class", ev.Class, "reason", ev.Reason,
				"attempts", ev.Attempts, "key", ev.RequestID}
			if ev.HTTPStatus != 0 {
				args = append(args, "http_status", ev.HTTPStatus)
			}
			switch ev.Outcome {
			case string(store.StateDead):
				log.Error("push dead", args...)
			case string(store.StateUnknown):
				log.Warn("push unknown", args...)
			default:
				log.Warn("push failed", append(args, "outcome", ev.Outcome)...)
			}
		case shipsync.EventWriteBack:
			if ev.Outcome == string(store.StateShipped) {
				return
			}
			args := []any{"order", ev.Order, "carrier", ev.Carrier, "class", ev.Class, "reason", ev.Reason,
				"attempts", ev.Attempts, "request_id", ev.RequestID}
			if ev.Outcome == string(store.StateDead) {
				log.Error("write-back dead", args...)
				return
			}
			log.Warn("write-back failed", args...)
		case shipsync.EventCircuit:
			if ev.Circuit == store.CircuitOpen {
				log.Warn("circuit open", "carrier", ev.Carrier)
				return
			}
			log.Info("circuit closed", "carrier", ev.Carrier)
		case shipsync.EventWorker:
			args := []any{"state", string(ev.Worker.State), "previous", string(ev.Previous)}
			if ev.Worker.Reason != "" {
				args = append(args, "reason", ev.Worker.Reason)
			}
			if ev.Worker.State == store.WorkerDegraded {
				log.Warn("worker degraded", args...)
				return
			}
			if ev.Worker.State == store.WorkerPolling || ev.Worker.State == store.WorkerSleeping {
				// The poll cycle flips between these every poll: the poll
				// line already says so.
				if ev.Previous == store.WorkerPolling || ev.Previous == store.WorkerSleeping {
					return
				}
			}
			log.Info("worker state", args...)
		case shipsync.EventOperator:
			a := ev.Audit
			args := []any{"who", a.Who, "role", a.Role, "action", a.Action}
			if a.OrderID != "" {
				args = append(args, "order", a.OrderID, "before", a.Before, "after", a.After)
			}
			if a.Detail != "" {
				args = append(args, "detail", a.Detail)
			}
			log.Info("operator action", args...)
		}
	}
}
