package carrier

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// KindCSV is the kind of the CSV drop-folder adapter.
const KindCSV = "csv"

// Defaults of the CSV adapter.
const (
	// DefaultCSVInterval is how often Run writes a batch.
	DefaultCSVInterval = time.Minute
	// DefaultMaxInboxFile is the largest tracking file read.
	DefaultMaxInboxFile int64 = 16 << 20
)

// CSVConfig configures a drop-folder carrier: pushes collect into batch
// files under Dir/outbox, and the 3PL drops tracking files into Dir/inbox.
// One adapter owns a Dir; two processes must not share one.
type CSVConfig struct {
	// Name is the configured carrier name.
	Name string
	// Dir is the drop folder. Created if missing, with .pending (the
	// durable journal), outbox, inbox and inbox/done inside.
	Dir string
	// Interval is how often Run writes a batch (DefaultCSVInterval).
	Interval time.Duration
	// Now is the clock (time.Now); it names batch files.
	Now func() time.Time
	// MaxInboxFile is the largest tracking file read (DefaultMaxInboxFile);
	// a larger one is reported as bad.
	MaxInboxFile int64
	// OnError receives the errors of Run's periodic flushes and inbox
	// scans (nil drops them; the next tick retries either way).
	OnError func(error)
}

// CSV is a drop-folder carrier for bulk flows. Push is durable when it
// returns: the shipment is in the pending journal, and Flush moves the
// journal into one batch file atomically. It is safe for concurrent use.
type CSV struct {
	name     string
	dir      string
	interval time.Duration
	now      func() time.Time
	maxInbox int64
	onError  func(error)

	mu sync.Mutex
	// pending are the shipments not yet in a batch, in push order.
	pending    []pendingRecord
	pendingIdx map[string]int
	// sent are the keys already in a batch, by key.
	sent map[string]sentRecord
	// keysByExternal indexes pending and sent keys by external id.
	keysByExternal map[string][]string
	// batches are the batch file names committed in the ledger.
	batches map[string]bool
	// tracking is the latest tracking per external id read from the inbox.
	tracking map[string]trackingRow

	// inboxMu serializes inbox scans.
	inboxMu  sync.Mutex
	badFiles map[string]badInboxFile
}

var _ Carrier = (*CSV)(nil)

// pendingRecord is one line of the pending journal.
type pendingRecord struct {
	Key      string    `json:"key"`
	Sum      string    `json:"sum"`
	Shipment Shipment  `json:"shipment"`
	At       time.Time `json:"at"`
}

// batchRecord is one line of the sent ledger: one committed batch file.
type batchRecord struct {
	Batch  string       `json:"batch"`
	At     time.Time    `json:"at"`
	Orders []sentRecord `json:"orders"`
}

// sentRecord is one shipment of a committed batch.
type sentRecord struct {
	Key        string `json:"key"`
	ExternalID string `json:"external_id"`
	Sum        string `json:"sum"`
	Batch      string `json:"-"`
}

// NewCSV creates the folders, then recovers: a batch committed but not yet
// renamed is published, pending shipments already in a batch are dropped,
// and tracking already read back is loaded from inbox/done.
func NewCSV(cfg CSVConfig) (*CSV, error) {
	var errs []error
	if strings.TrimSpace(cfg.Name) == "" {
		errs = append(errs, errors.New("name is required"))
	}
	if strings.TrimSpace(cfg.Dir) == "" {
		errs = append(errs, errors.New("dir is required"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("csv carrier %q: %w", cfg.Name, err)
	}
	c := &CSV{
		name:           cfg.Name,
		dir:            cfg.Dir,
		interval:       cfg.Interval,
		now:            cfg.Now,
		maxInbox:       cfg.MaxInboxFile,
		onError:        cfg.OnError,
		pendingIdx:     map[string]int{},
		sent:           map[string]sentRecord{},
		keysByExternal: map[string][]string{},
		batches:        map[string]bool{},
		tracking:       map[string]trackingRow{},
		badFiles:       map[string]badInboxFile{},
	}
	if c.interval <= 0 {
		c.interval = DefaultCSVInterval
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.maxInbox <= 0 {
		c.maxInbox = DefaultMaxInboxFile
	}
	if err := c.open(); err != nil {
		return nil, fmt.Errorf("csv carrier %q in %s: %w", cfg.Name, cfg.Dir, err)
	}
	return c, nil
}

// Paths inside the drop folder.
func (c *CSV) pendingDir() string  { return filepath.Join(c.dir, ".pending") }
func (c *CSV) journalPath() string { return filepath.Join(c.pendingDir(), "pending.jsonl") }
func (c *CSV) ledgerPath() string  { return filepath.Join(c.pendingDir(), "sent.jsonl") }
func (c *CSV) outboxDir() string   { return filepath.Join(c.dir, "outbox") }
func (c *CSV) inboxDir() string    { return filepath.Join(c.dir, "inbox") }
func (c *CSV) doneDir() string     { return filepath.Join(c.inboxDir(), "done") }

// open creates the folders and loads the durable state.
func (c *CSV) open() error {
	for _, d := range []string{c.pendingDir(), c.outboxDir(), c.doneDir()} {
		if err := os.MkdirAll(d, 0o750); err != nil {
			return err
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.loadLedger(); err != nil {
		return err
	}
	if err := c.recoverOutbox(); err != nil {
		return err
	}
	if err := c.loadJournal(); err != nil {
		return err
	}
	return c.loadDone()
}

// Name is the configured carrier name.
func (c *CSV) Name() string { return c.name }

// Kind is "csv".
func (c *CSV) Kind() string { return KindCSV }

// Capabilities: pushes are batched and idempotent by key; status and
// lookup come from the journal and the tracking inbox; no cancel.
func (c *CSV) Capabilities() Capabilities {
	return Capabilities{Lookup: true, Status: true, IdempotentPush: true, Batch: true}
}

// Push adds the shipment to the pending batch and fsyncs the journal
// before returning. The ID is the idempotency key; the same key again is a
// replay (one row), and with a different order body a permanent mismatch.
func (c *CSV) Push(ctx context.Context, s Shipment) (PushResult, error) {
	if err := validateShipment(c.name, s); err != nil {
		return PushResult{}, err
	}
	if err := ctx.Err(); err != nil {
		return PushResult{}, &Error{Carrier: c.name, Op: "push", Class: Retryable, Reason: "not written: " + err.Error(), Err: err}
	}
	sum, err := shipmentSum(s)
	if err != nil {
		return PushResult{}, &Error{Carrier: c.name, Op: "push", Class: Permanent, Reason: "could not encode the order", Err: err}
	}
	key := s.IdempotencyKey
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev, ok := c.knownSum(key); ok {
		if prev != sum {
			return PushResult{}, &Error{Carrier: c.name, Op: "push", Class: Permanent, Code: codeIdempotencyMismatch,
				Reason: "the idempotency key was already used for a different order body"}
		}
		return PushResult{ID: key, Replay: true}, nil
	}
	rec := pendingRecord{Key: key, Sum: sum, Shipment: s, At: c.now().UTC()}
	if err := appendLine(c.journalPath(), rec); err != nil {
		return PushResult{}, &Error{Carrier: c.name, Op: "push", Class: Retryable,
			Reason: "could not write the pending journal: " + err.Error(), Err: err}
	}
	c.addPending(rec)
	return PushResult{ID: key}, nil
}

// knownSum is the body checksum stored for key, pending or sent.
func (c *CSV) knownSum(key string) (string, bool) {
	if i, ok := c.pendingIdx[key]; ok {
		return c.pending[i].Sum, true
	}
	if s, ok := c.sent[key]; ok {
		return s.Sum, true
	}
	return "", false
}

// addPending records a journaled shipment in memory.
func (c *CSV) addPending(rec pendingRecord) {
	c.pendingIdx[rec.Key] = len(c.pending)
	c.pending = append(c.pending, rec)
	c.keysByExternal[rec.Shipment.ExternalID] = append(c.keysByExternal[rec.Shipment.ExternalID], rec.Key)
}

// addSent records a committed shipment in memory.
func (c *CSV) addSent(rec sentRecord) {
	if _, ok := c.sent[rec.Key]; ok {
		return
	}
	c.sent[rec.Key] = rec
	if _, pending := c.pendingIdx[rec.Key]; !pending {
		c.keysByExternal[rec.ExternalID] = append(c.keysByExternal[rec.ExternalID], rec.Key)
	}
}

// Cancel is unsupported: a batch file cannot be recalled.
func (c *CSV) Cancel(context.Context, string) error {
	return &Error{Carrier: c.name, Op: "cancel", Class: Unsupported, Reason: "a CSV drop cannot cancel; tell the 3PL directly"}
}

// shipmentSum is a checksum of the order body (the key excluded), to tell
// a replay from a different order under the same key.
func shipmentSum(s Shipment) (string, error) {
	b, err := json.Marshal(s)
	if err != nil {
		return "", err
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:16]), nil
}
