package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// Alert is one firing alert, stored so that a restart neither fires it again
// nor forgets to resolve it.
type Alert struct {
	// Key identifies the alert: its rule and subject ("dead/ORD1",
	// "circuit/swift").
	Key      string `json:"key"`
	Rule     string `json:"rule"`
	Subject  string `json:"subject,omitempty"`
	Severity string `json:"severity"`
	// Summary is one line an operator reads first.
	Summary string    `json:"summary"`
	FiredAt time.Time `json:"fired_at"`
	// ResolvedAt is set on the copy carried by a resolve notice.
	ResolvedAt time.Time `json:"resolved_at,omitzero"`
}

// Notice is a group of alert transitions waiting to go out on one channel.
// It is written in the same transaction as the transitions, and deleted
// once the channel accepted it, so a crash re-sends at most the notice in
// flight, never a new fire.
type Notice struct {
	ID      uint64    `json:"id"`
	Channel string    `json:"channel"`
	Created time.Time `json:"created"`
	// Fired and Resolved are the transitions of one evaluation pass.
	Fired    []Alert `json:"fired,omitempty"`
	Resolved []Alert `json:"resolved,omitempty"`
	// Summary is the daily summary's text, when this notice is one.
	Summary  string    `json:"summary,omitempty"`
	Attempts int       `json:"attempts"`
	NextAt   time.Time `json:"next_at,omitzero"`
	LastErr  string    `json:"last_error,omitempty"`
}

func alertKey(k string) []byte     { return key(prefixAlert, k) }
func noticeKey(id uint64) []byte   { return key(prefixNotice, string(u64(id))) }
func markKey(name string) []byte   { return key(prefixMark, name) }
func validAlertKey(k string) error { return checkID("alert key", k) }

// Alert reads one firing alert; ok is false when it is not firing.
func (t *Tx) Alert(k string) (a Alert, ok bool, err error) {
	if err := t.usable(); err != nil {
		return Alert{}, false, err
	}
	ok, err = t.getJSON(alertKey(k), &a)
	if err != nil {
		return Alert{}, false, fmt.Errorf("alert %s: %w", k, err)
	}
	return a, ok, nil
}

// PutAlert stores a firing alert.
func (t *Tx) PutAlert(a Alert) error {
	if err := t.usable(); err != nil {
		return err
	}
	if err := validAlertKey(a.Key); err != nil {
		return fmt.Errorf("put alert: %w", err)
	}
	if err := t.putJSON(alertKey(a.Key), a); err != nil {
		return fmt.Errorf("put alert %s: %w", a.Key, err)
	}
	t.topics |= TopicAlerts
	return nil
}

// DeleteAlert forgets a resolved alert.
func (t *Tx) DeleteAlert(k string) error {
	if err := t.usable(); err != nil {
		return err
	}
	t.del(alertKey(k))
	t.topics |= TopicAlerts
	return nil
}

// AddNotice queues a notice for delivery and returns its id.
func (t *Tx) AddNotice(n Notice) (uint64, error) {
	if err := t.usable(); err != nil {
		return 0, err
	}
	id, err := t.nextSeq("notice")
	if err != nil {
		return 0, fmt.Errorf("add notice: %w", err)
	}
	n.ID = id
	if err := t.putJSON(noticeKey(id), n); err != nil {
		return 0, fmt.Errorf("add notice: %w", err)
	}
	return id, nil
}

// PutNotice updates a queued notice (its attempts and next try).
func (t *Tx) PutNotice(n Notice) error {
	if err := t.usable(); err != nil {
		return err
	}
	return t.putJSON(noticeKey(n.ID), n)
}

// DeleteNotice removes a delivered (or abandoned) notice.
func (t *Tx) DeleteNotice(id uint64) error {
	if err := t.usable(); err != nil {
		return err
	}
	t.del(noticeKey(id))
	return nil
}

// SetMark stores a small named value (e.g. the day of the last summary).
func (t *Tx) SetMark(name, value string) error {
	if err := t.usable(); err != nil {
		return err
	}
	t.put(markKey(name), []byte(value))
	return nil
}

// Mark returns a named value set by SetMark ("" when unset).
func (s *Store) Mark(ctx context.Context, name string) (string, error) {
	var v string
	err := s.view(ctx, func(txn *badger.Txn) error {
		raw, err := getValue(txn, markKey(name))
		v = string(raw)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("mark %s: %w", name, err)
	}
	return v, nil
}

// Alerts returns every firing alert, in key order.
func (s *Store) Alerts(ctx context.Context) ([]Alert, error) {
	var out []Alert
	err := s.view(ctx, func(txn *badger.Txn) error {
		return eachValue(txn, []byte(prefixAlert), func(_, v []byte) error {
			var a Alert
			if err := json.Unmarshal(v, &a); err != nil {
				return err
			}
			out = append(out, a)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("alerts: %w", err)
	}
	return out, nil
}

// Notices returns up to limit queued notices, oldest first.
func (s *Store) Notices(ctx context.Context, limit int) ([]Notice, error) {
	var out []Notice
	err := s.view(ctx, func(txn *badger.Txn) error {
		return eachValueFrom(txn, []byte(prefixNotice), []byte(prefixNotice), false, func(_, v []byte) (bool, error) {
			var n Notice
			if err := json.Unmarshal(v, &n); err != nil {
				return false, err
			}
			out = append(out, n)
			return limit <= 0 || len(out) < limit, nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("notices: %w", err)
	}
	return out, nil
}
