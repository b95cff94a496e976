package store

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"
)

// Key layout. Every record lives under a short prefix so that each pane reads
// one contiguous key range and nothing on a per-frame path scans all orders.
//
//	o/<id>                              order JSON
//	is/<state>/<shipBy 8B>/<id>         queue index (empty value)
//	im/<status>/<shipBy 8B>/<id>        marketplace status index
//	if/<next attempt 8B, 0 = dead>/<id> failed pane index (failed and dead)
//	id/<next attempt 8B>/<id>           due index (failed, and new with a wake-up time)
//	c/s/<state>, c/m/<status>, c/total  counters (int64 big-endian)
//	h/<yyyymmddhh>                      orders created per UTC hour
//	a/<order id> 0x00 <seq 8B>          attempts
//	u/<seq 8B>                          audit entries
//	uo/<order id> 0x00 <seq 8B>         audit entries by order (empty value)
//	l/<carrier> 0x00 <at 8B><seq 8B>    latency samples
//	q/<day>                             quota ledger JSON
//	k/cursor, k/worker, k/schema        singletons
//	k/shop                              the shop, its cipher and authorization (shop.go)
//	k/seq/<name>                        sequences
//	k/bulk                              set while a bulk write is in progress
//	n/<notification id>                 webhook dedup (value: seen-at 8B)
//	nt/<seen-at 8B><notification id>    webhook dedup expiry index
//	al/<rule>/<subject>                 firing alerts (layout 3)
//	ao/<seq 8B>                         alert notices waiting for delivery (layout 3)
//	k/mark/<name>                       small named values (layout 3)
//
// Variable-length ids that are followed by more key bytes end with 0x00, so
// that order "A" never matches the prefix of order "A/B"; ids containing
// 0x00 are rejected.
const (
	prefixOrder        = "o/"
	prefixQueue        = "is/"
	prefixStatus       = "im/"
	prefixFailed       = "if/"
	prefixDue          = "id/"
	prefixCreated      = "ic/"
	prefixCounter      = "c/"
	prefixStateCount   = "c/s/"
	prefixStatusCount  = "c/m/"
	keyTotal           = "c/total"
	prefixHour         = "h/"
	prefixAttempt      = "a/"
	prefixAudit        = "u/"
	prefixAuditByOrder = "uo/"
	prefixSample       = "l/"
	prefixQuota        = "q/"
	keyCursor          = "k/cursor"
	keyWorker          = "k/worker"
	keySchema          = "k/schema"
	keyBulkMarker      = "k/bulk"
	prefixSeq          = "k/seq/"
	prefixSeen         = "n/"
	prefixSeenByTime   = "nt/"
	prefixAlert        = "al/"
	prefixNotice       = "ao/"
	prefixMark         = "k/mark/"
)

// schemaVersion is the key layout version written at first open; a store
// written by an older layout is migrated at open (see migrations): layout 2
// added the by-creation index (ic/), layout 3 the alert state.
const schemaVersion = "3"

// idEnd terminates a variable-length id inside a longer key.
const idEnd = 0x00

// Sort keys for times. A real time maps to [2, MaxUint64-1]; 0 and 1 are
// reserved for dead orders and "retry as soon as possible".
const (
	sortDead        uint64 = 0
	sortRetryNow    uint64 = 1
	sortNoDeadline  uint64 = math.MaxUint64
	hourLabelLayout        = "2006010215"
)

var (
	minKeyTime = time.Unix(0, math.MinInt64+2)
	maxKeyTime = time.Unix(0, math.MaxInt64-1)
)

// timeSortKey maps t to an unsigned integer that sorts like t, clamping
// times outside what int64 nanoseconds can hold (years 1678..2262).
func timeSortKey(t time.Time) uint64 {
	if t.Before(minKeyTime) {
		t = minKeyTime
	}
	if t.After(maxKeyTime) {
		t = maxKeyTime
	}
	return uint64(t.UnixNano()) ^ (1 << 63)
}

// shipBySortKey sorts orders by dispatch deadline; orders without any
// deadline sort last, since nothing says they are urgent.
func shipBySortKey(o *Order) uint64 {
	t := o.ShipBy()
	if t.IsZero() {
		return sortNoDeadline
	}
	return timeSortKey(t)
}

// retrySortKey sorts failed orders by next attempt; a failed order without a
// scheduled attempt is due at once.
func retrySortKey(t time.Time) uint64 {
	if t.IsZero() {
		return sortRetryNow
	}
	return timeSortKey(t)
}

func u64(v uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], v)
	return b[:]
}

func key(parts ...string) []byte {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	b := make([]byte, 0, n)
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

func orderKey(id string) []byte { return key(prefixOrder, id) }

// createdKey files an order by creation time, so account health reads the
// orders of its window and nothing older.
func createdKey(o *Order) []byte {
	return key(prefixCreated, string(u64(timeSortKey(arrivalTime(o)))), "/", o.ID)
}

func queuePrefix(s State) []byte { return key(prefixQueue, string(s), "/") }

func statusPrefix(m MarketStatus) []byte { return key(prefixStatus, string(m), "/") }

func queueKey(s State, ship uint64, id string) []byte {
	return key(prefixQueue, string(s), "/", string(u64(ship)), "/", id)
}

func statusKey(m MarketStatus, ship uint64, id string) []byte {
	return key(prefixStatus, string(m), "/", string(u64(ship)), "/", id)
}

func failedKey(next uint64, id string) []byte {
	return key(prefixFailed, string(u64(next)), "/", id)
}

func dueKey(next uint64, id string) []byte {
	return key(prefixDue, string(u64(next)), "/", id)
}

// idAfterSortKey returns the id at the end of an index key of the form
// <prefix><8B>/<id>.
func idAfterSortKey(k []byte, prefixLen int) string {
	if len(k) < prefixLen+9 {
		return ""
	}
	return string(k[prefixLen+9:])
}

// sortKeyAt reads the 8-byte sort key right after prefixLen bytes.
func sortKeyAt(k []byte, prefixLen int) uint64 {
	if len(k) < prefixLen+8 {
		return 0
	}
	return binary.BigEndian.Uint64(k[prefixLen : prefixLen+8])
}

func stateCountKey(s State) []byte { return key(prefixStateCount, string(s)) }

func statusCountKey(m MarketStatus) []byte { return key(prefixStatusCount, string(m)) }

func hourKey(t time.Time) []byte { return key(prefixHour, t.UTC().Format(hourLabelLayout)) }

func idPrefix(prefix, id string) []byte { return append(key(prefix, id), idEnd) }

func attemptKey(orderID string, seq uint64) []byte {
	return append(idPrefix(prefixAttempt, orderID), u64(seq)...)
}

func auditKey(seq uint64) []byte { return key(prefixAudit, string(u64(seq))) }

func auditByOrderKey(orderID string, seq uint64) []byte {
	return append(idPrefix(prefixAuditByOrder, orderID), u64(seq)...)
}

func sampleKey(carrier string, at uint64, seq uint64) []byte {
	k := idPrefix(prefixSample, carrier)
	k = append(k, u64(at)...)
	return append(k, u64(seq)...)
}

func quotaKey(day string) []byte { return key(prefixQuota, day) }

func seqKey(name string) []byte { return key(prefixSeq, name) }

func seenKey(id string) []byte { return key(prefixSeen, id) }

func seenByTimeKey(at uint64, id string) []byte {
	return key(prefixSeenByTime, string(u64(at)), id)
}

// validID rejects ids that would break the key layout, or that JSON would
// not store as given (invalid UTF-8 is rewritten on encoding).
func validID(id string) bool {
	return id != "" && !strings.ContainsRune(id, idEnd) && utf8.ValidString(id)
}

// checkID returns an error naming what (such as "order id") when id cannot
// be stored, and nil when it can.
func checkID(what, id string) error {
	if validID(id) {
		return nil
	}
	return fmt.Errorf("%s %q is empty, contains a NUL byte or is not UTF-8", what, id)
}

// reverseSeekKey returns a key after every key that is p followed by at
// most suffixLen bytes, for starting a reverse iteration over p.
func reverseSeekKey(p []byte, suffixLen int) []byte {
	k := append([]byte(nil), p...)
	for range suffixLen + 1 {
		k = append(k, 0xff)
	}
	return k
}

func encodeInt64(v int64) []byte { return u64(uint64(v)) }

func decodeInt64(b []byte) int64 {
	if len(b) != 8 {
		return 0
	}
	return int64(binary.BigEndian.Uint64(b))
}
