package store

import (
	"fmt"
	"strconv"

	badger "github.com/dgraph-io/badger/v4"
)

// migration moves a store from one key layout version to the next. An
// apply step runs inside one Badger transaction together with the new
// version number, so a crash leaves either the old layout or the new one.
// A rebuild step only adds derived keys (indexes, counters): it rebuilds
// them from the orders, then records the version, so a crash in between
// rebuilds again at the next open.
type migration struct {
	from, to string
	what     string
	rebuild  bool
	apply    func(txn *badger.Txn) error
}

// migrations lists every step in order. Layout 2 adds the by-creation
// index (ic/), derived from the orders. Layout 3 adds firing alerts, the
// alert notice outbox and named marks under prefixes older layouts never
// used, so their records read as they are; the step checks that.
func migrations() []migration {
	return []migration{
		{from: "1", to: "2", what: "by-creation index", rebuild: true},
		{from: "2", to: "3", what: "alert state and notice outbox", apply: func(txn *badger.Txn) error {
			for _, p := range []string{prefixAlert, prefixNotice, prefixMark} {
				found := false
				if err := eachValueFrom(txn, []byte(p), []byte(p), false, func(k, _ []byte) (bool, error) {
					found = true
					return false, nil
				}); err != nil {
					return err
				}
				if found {
					return fmt.Errorf("layout 2 store already holds %q records", p)
				}
			}
			return nil
		}},
	}
}

// migrate runs the steps from version `from` up to schemaVersion. A store
// written by a newer shipdeck is refused: an older binary cannot know what
// its records mean.
func (s *Store) migrate(from string) error {
	have, err1 := strconv.Atoi(from)
	want, err2 := strconv.Atoi(schemaVersion)
	if err1 != nil || err2 != nil || have > want {
		return fmt.Errorf("data was written by a shipdeck with key layout %q; this one reads layouts up to %q: run the newer shipdeck",
			from, schemaVersion)
	}
	cur := from
	for _, m := range migrations() {
		if m.from != cur {
			continue
		}
		if m.rebuild {
			if err := s.rebuildIndexes(); err != nil {
				return fmt.Errorf("migrate key layout %s to %s (%s): %w", m.from, m.to, m.what, err)
			}
		}
		err := s.db.Update(func(txn *badger.Txn) error {
			if m.apply != nil {
				if err := m.apply(txn); err != nil {
					return err
				}
			}
			return txn.Set([]byte(keySchema), []byte(m.to))
		})
		if err != nil {
			return fmt.Errorf("migrate key layout %s to %s (%s): %w", m.from, m.to, m.what, err)
		}
		s.log.Info("store: migrated key layout", "from", m.from, "to", m.to, "what", m.what, "dir", s.dir)
		cur = m.to
	}
	if cur != schemaVersion {
		return fmt.Errorf("no migration from key layout %q to %q", cur, schemaVersion)
	}
	return nil
}

// SchemaVersion is the key layout version this build writes.
func SchemaVersion() string { return schemaVersion }
