package store

import (
	"context"
	"errors"
	"io"
	"time"
)

// This file is replaced by the real implementation.

var errTODO = errors.New("store: not implemented")

type impl struct{}
type txImpl struct{}

func open(dir string, opts Options) (*Store, error)                     { return nil, errTODO }
func (s *impl) close() error                                            { return errTODO }
func (s *impl) update(ctx context.Context, fn func(tx *Tx) error) error { return errTODO }
func (s *impl) subscribe(topics Topic) (<-chan Topic, func())           { return nil, func() {} }
func (s *impl) order(ctx context.Context, id string) (Order, error)     { return Order{}, errTODO }
func (s *impl) orderDetail(ctx context.Context, id string) (Order, []Attempt, []AuditEntry, error) {
	return Order{}, nil, nil, errTODO
}
func (s *impl) counts(ctx context.Context) (Counts, error) { return Counts{}, errTODO }
func (s *impl) queue(ctx context.Context, state State, offset, limit int) ([]Order, error) {
	return nil, errTODO
}
func (s *impl) queueByStatus(ctx context.Context, status MarketStatus, offset, limit int) ([]Order, error) {
	return nil, errTODO
}
func (s *impl) failed(ctx context.Context, offset, limit int) ([]Order, error) { return nil, errTODO }
func (s *impl) due(ctx context.Context, now time.Time, limit int) ([]Order, error) {
	return nil, errTODO
}
func (s *impl) audit(ctx context.Context, n int) ([]AuditEntry, error) { return nil, errTODO }
func (s *impl) samples(ctx context.Context, carrier string, since, until time.Time) ([]LatencySample, error) {
	return nil, errTODO
}
func (s *impl) quota(ctx context.Context, day string) (QuotaDay, error) { return QuotaDay{}, errTODO }
func (s *impl) cursor(ctx context.Context) (Cursor, error)              { return Cursor{}, errTODO }
func (s *impl) arrivalProfile(ctx context.Context, now time.Time, days int) ([24]int64, error) {
	return [24]int64{}, errTODO
}
func (s *impl) scanOrders(ctx context.Context, fn func(Order) bool) error { return errTODO }
func (s *impl) bulkPut(ctx context.Context, orders []Order) error         { return errTODO }
func (s *impl) backup(w io.Writer) error                                  { return errTODO }
func (s *impl) restore(r io.Reader) error                                 { return errTODO }
func (t *txImpl) order(id string) (Order, error)                          { return Order{}, errTODO }
func (t *txImpl) putOrder(o Order) error                                  { return errTODO }
func (t *txImpl) addAttempt(a Attempt) error                              { return errTODO }
func (t *txImpl) addAudit(e AuditEntry) error                             { return errTODO }
func (t *txImpl) addSample(s LatencySample) error                         { return errTODO }
func (t *txImpl) reserveQuota(day string, kind CallKind, n, limit, allowed int) (QuotaDay, error) {
	return QuotaDay{}, errTODO
}
func (t *txImpl) noteRateLimited(day string, at time.Time) error         { return errTODO }
func (t *txImpl) setCursor(c Cursor) error                               { return errTODO }
func (t *txImpl) seenNotification(id string, at time.Time) (bool, error) { return false, errTODO }
