package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// The activity log lives under ev/<seq 8B>. It keeps the last MaxActivity
// entries: each append deletes the entry MaxActivity places back, so the
// log never grows and a reader holds at most the page it asked for.
const (
	prefixActivity = "ev/"
	seqActivity    = "activity"
	// MaxActivity is how many activity entries the store keeps.
	MaxActivity = 5000
)

// ActivityKind says what an activity entry records.
type ActivityKind string

// Activity kinds.
const (
	ActivityPoll     ActivityKind = "poll"
	ActivityPush     ActivityKind = "push"
	ActivityCircuit  ActivityKind = "circuit"
	ActivityOperator ActivityKind = "operator"
	ActivityAlert    ActivityKind = "alert"
	ActivityWorker   ActivityKind = "worker"
)

// Activity is one line of the activity log the console streams: what the
// engine and the operators did, newest first. Text may hold text from
// outside (a 3PL's reason); every output cleans it.
type Activity struct {
	Seq     uint64       `json:"seq"`
	At      time.Time    `json:"at"`
	Kind    ActivityKind `json:"kind"`
	Who     string       `json:"who,omitempty"`
	Carrier string       `json:"carrier,omitempty"`
	OrderID string       `json:"order_id,omitempty"`
	// Level is "info", "warn" or "error", for colour and filtering.
	Level string `json:"level"`
	Text  string `json:"text"`
}

func activityKey(seq uint64) []byte { return key(prefixActivity, string(u64(seq))) }

// AddActivity appends an entry to the activity log (Seq and, if zero, At
// are assigned) and drops the entry that falls out of the kept window.
func (t *Tx) AddActivity(a Activity) error {
	if err := t.usable(); err != nil {
		return err
	}
	seq, err := t.nextSeq(seqActivity)
	if err != nil {
		return fmt.Errorf("add activity: %w", err)
	}
	a.Seq = seq
	if a.At.IsZero() {
		a.At = t.s.now().UTC()
	}
	if a.Level == "" {
		a.Level = "info"
	}
	if err := t.putJSON(activityKey(seq), a); err != nil {
		return fmt.Errorf("add activity: %w", err)
	}
	if seq > MaxActivity {
		t.del(activityKey(seq - MaxActivity))
	}
	t.topics |= TopicAudit
	return nil
}

// Activity returns at most n activity entries older than before (0: the
// newest), newest first, that keep selects (nil keeps all). It reads at
// most the kept window, so a selective filter still returns promptly.
func (s *Store) Activity(ctx context.Context, before uint64, n int, keep func(*Activity) bool) ([]Activity, error) {
	if n <= 0 {
		return nil, nil
	}
	p := []byte(prefixActivity)
	seek := reverseSeekKey(p, 8)
	if before > 0 {
		seek = activityKey(before - 1)
	}
	var out []Activity
	err := s.view(ctx, func(txn *badger.Txn) error {
		return eachValueFrom(txn, p, seek, true, func(_, v []byte) (bool, error) {
			var a Activity
			if err := json.Unmarshal(v, &a); err != nil {
				return false, fmt.Errorf("decode: %w", err)
			}
			if keep == nil || keep(&a) {
				out = append(out, a)
			}
			return len(out) < n, nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("activity: %w", err)
	}
	return out, nil
}

// CarrierHistory is what the console's carrier drill-down shows beside the
// carrier's orders: its recent calls and its circuit changes, newest first.
type CarrierHistory struct {
	Calls   []LatencySample `json:"calls"`
	Circuit []Activity      `json:"circuit"`
}
