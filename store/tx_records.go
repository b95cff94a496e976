package store

import (
	"fmt"
	"time"
)

// Sequence names.
const (
	seqAttempt = "attempt"
	seqAudit   = "audit"
	seqSample  = "sample"
)

// AddAttempt appends an attempt to an order's history (Seq is assigned).
func (t *Tx) AddAttempt(a Attempt) error {
	if err := t.usable(); err != nil {
		return err
	}
	if err := checkID("order id", a.OrderID); err != nil {
		return fmt.Errorf("add attempt: %w", err)
	}
	seq, err := t.nextSeq(seqAttempt)
	if err != nil {
		return fmt.Errorf("add attempt for %s: %w", a.OrderID, err)
	}
	a.Seq = seq
	if a.At.IsZero() {
		a.At = t.s.now().UTC()
	}
	if err := t.putJSON(attemptKey(a.OrderID, seq), a); err != nil {
		return fmt.Errorf("add attempt for %s: %w", a.OrderID, err)
	}
	t.topics |= TopicOrders
	return nil
}

// AddAudit appends an audit entry (Seq and, if zero, At are assigned).
func (t *Tx) AddAudit(e AuditEntry) error {
	if err := t.usable(); err != nil {
		return err
	}
	if e.OrderID != "" {
		if err := checkID("order id", e.OrderID); err != nil {
			return fmt.Errorf("add audit: %w", err)
		}
	}
	seq, err := t.nextSeq(seqAudit)
	if err != nil {
		return fmt.Errorf("add audit: %w", err)
	}
	e.Seq = seq
	if e.At.IsZero() {
		e.At = t.s.now().UTC()
	}
	if err := t.putJSON(auditKey(seq), e); err != nil {
		return fmt.Errorf("add audit: %w", err)
	}
	if e.OrderID != "" {
		t.put(auditByOrderKey(e.OrderID, seq), nil)
	}
	t.topics |= TopicAudit
	// Operator actions stream in the activity log too, in the same
	// transaction, so the log and the audit trail never disagree.
	return t.AddActivity(Activity{At: e.At, Kind: ActivityOperator, Who: e.Who, OrderID: e.OrderID,
		Text: auditText(e)})
}

// auditText says an audit entry in one line: "retry: dead → queued (bulk)".
func auditText(e AuditEntry) string {
	text := e.Action
	if e.Before != "" || e.After != "" {
		text += ": " + e.Before + " → " + e.After
	}
	if e.Detail != "" {
		text += " (" + e.Detail + ")"
	}
	return text
}

// AddSample records a carrier latency sample.
func (t *Tx) AddSample(s LatencySample) error {
	if err := t.usable(); err != nil {
		return err
	}
	if err := checkID("carrier", s.Carrier); err != nil {
		return fmt.Errorf("add latency sample: %w", err)
	}
	seq, err := t.nextSeq(seqSample)
	if err != nil {
		return fmt.Errorf("add latency sample for %s: %w", s.Carrier, err)
	}
	if s.At.IsZero() {
		s.At = t.s.now().UTC()
	}
	if err := t.putJSON(sampleKey(s.Carrier, timeSortKey(s.At), seq), s); err != nil {
		return fmt.Errorf("add latency sample for %s: %w", s.Carrier, err)
	}
	t.topics |= TopicLatency
	return nil
}

// ReserveQuota reserves n calls of kind on day against limit. It fails with
// ErrQuotaExhausted, writing nothing, when the day's total would exceed
// allowed (the part of limit the caller may spend; allowed <= limit).
func (t *Tx) ReserveQuota(day string, kind CallKind, n, limit, allowed int) (QuotaDay, error) {
	if err := t.usable(); err != nil {
		return QuotaDay{}, err
	}
	if n < 0 {
		return QuotaDay{}, fmt.Errorf("reserve quota on %s: negative count %d", day, n)
	}
	q, err := t.quotaDay(day)
	if err != nil {
		return QuotaDay{}, err
	}
	q.Limit = limit
	if allowed > limit {
		allowed = limit
	}
	if used := q.Total(); used+n > allowed {
		return q, fmt.Errorf("reserve %d %s call(s) on %s: %d of %d used, %d allowed for this call: %w",
			n, kind, day, used, limit, allowed, ErrQuotaExhausted)
	}
	if n == 0 {
		return q, nil
	}
	q.Used[kind] += n
	if err := t.putJSON(quotaKey(day), q); err != nil {
		return QuotaDay{}, fmt.Errorf("reserve quota on %s: %w", day, err)
	}
	t.topics |= TopicQuota
	return q, nil
}

// NoteRateLimited counts a rate-limit reply on day.
func (t *Tx) NoteRateLimited(day string, at time.Time) error {
	if err := t.usable(); err != nil {
		return err
	}
	q, err := t.quotaDay(day)
	if err != nil {
		return err
	}
	q.RateLimited++
	if at.After(q.LastLimited) {
		q.LastLimited = at
	}
	if err := t.putJSON(quotaKey(day), q); err != nil {
		return fmt.Errorf("note rate limit on %s: %w", day, err)
	}
	t.topics |= TopicQuota
	return nil
}

func (t *Tx) quotaDay(day string) (QuotaDay, error) {
	q := QuotaDay{Day: day}
	if _, err := t.getJSON(quotaKey(day), &q); err != nil {
		return QuotaDay{}, fmt.Errorf("quota ledger %s: %w", day, err)
	}
	if q.Used == nil {
		q.Used = map[CallKind]int{}
	}
	return q, nil
}

// SetCursor stores the poller's cursor.
func (t *Tx) SetCursor(c Cursor) error {
	if err := t.usable(); err != nil {
		return err
	}
	if err := t.putJSON([]byte(keyCursor), c); err != nil {
		return fmt.Errorf("set cursor: %w", err)
	}
	t.topics |= TopicCursor
	return nil
}

// SetWorkerControl stores what an operator set on the worker.
func (t *Tx) SetWorkerControl(c WorkerControl) error {
	if err := t.usable(); err != nil {
		return err
	}
	if err := t.putJSON([]byte(keyWorker), c); err != nil {
		return fmt.Errorf("set worker control: %w", err)
	}
	t.topics |= TopicCursor
	return nil
}

// SeenNotification records a webhook notification id and reports whether
// it had been seen before (for dedup).
func (t *Tx) SeenNotification(id string, at time.Time) (bool, error) {
	if err := t.usable(); err != nil {
		return false, err
	}
	if err := checkID("notification id", id); err != nil {
		return false, fmt.Errorf("seen notification: %w", err)
	}
	old, err := t.get(seenKey(id))
	if err != nil {
		return false, fmt.Errorf("seen notification %s: %w", id, err)
	}
	if old != nil {
		return true, nil
	}
	if at.IsZero() {
		at = t.s.now()
	}
	ts := timeSortKey(at)
	t.put(seenKey(id), u64(ts))
	t.put(seenByTimeKey(ts, id), nil)
	return false, nil
}
