package sync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/shipdeck/shipdeck/sanitize"
	"strings"
	"time"

	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/sync/tiktok"
)

// HandleNotification acts on one verified, deduplicated TikTok webhook
// notification. Order notifications queue a targeted fetch, which the
// poller makes within seconds even while it backs off:
//   - 1 ORDER_STATUS_CHANGE, 3 RECIPIENT_ADDRESS_UPDATE (storing the new
//     address flags an order already at a 3PL, see flagAddressChange),
//     4 PACKAGE_UPDATE (a combine or split changes the package ids) and
//     11 CANCELLATION_STATUS_CHANGE (a pending buyer cancel request keeps
//     the order from being pushed until it is decided);
//   - 6 SELLER_DEAUTHORIZATION degrades the worker with that reason;
//   - 7 UPCOMING_AUTHORIZATION_EXPIRATION puts the date in the header.
//
// Other types are acknowledged and ignored. A notification whose data
// cannot be read is an error naming its id and type; nothing is stored.
func (e *Engine) HandleNotification(ctx context.Context, n tiktok.Notification) error {
	var err error
	switch n.Type {
	case tiktok.NotifyOrderStatusChange:
		err = notified(n, func(d tiktok.OrderStatusChange) error { e.Notify(d.OrderID); return nil })
	case tiktok.NotifyAddressUpdate:
		err = notified(n, func(d tiktok.AddressUpdate) error { e.Notify(d.OrderID); return nil })
	case tiktok.NotifyPackageUpdate:
		err = notified(n, func(d tiktok.PackageUpdate) error { e.Notify(d.OrderIDs()...); return nil })
	case tiktok.NotifyCancellationStatusChange:
		err = notified(n, func(d tiktok.CancellationStatusChange) error { e.Notify(d.OrderID); return nil })
	case tiktok.NotifySellerDeauthorization:
		err = notified(n, func(d tiktok.AuthorizationNotice) error { return e.noteDeauthorized(ctx, d.Message, e.now()) })
	case tiktok.NotifyAuthorizationExpiring:
		err = notified(n, func(d tiktok.AuthorizationNotice) error {
			if d.ExpirationTime <= 0 {
				return errors.New("no expiration_time")
			}
			return e.noteAuthExpiring(ctx, time.Unix(d.ExpirationTime, 0).UTC())
		})
	}
	if err != nil {
		return fmt.Errorf("notification %s (type %d): %w", sanitize.Line(n.NotificationID), n.Type, err)
	}
	return nil
}

// notified decodes a notification's data as D and acts on it.
func notified[D any](n tiktok.Notification, act func(D) error) error {
	var d D
	if err := json.Unmarshal(n.Data, &d); err != nil {
		return fmt.Errorf("read its data: %w", err)
	}
	return act(d)
}

// noteDeauthorized records that the seller removed the app and degrades
// the worker until TikTok accepts a call again.
func (e *Engine) noteDeauthorized(ctx context.Context, msg string, at time.Time) error {
	err := e.st.Update(ctx, func(tx *store.Tx) error {
		sh, err := tx.Shop()
		if err != nil {
			return err
		}
		sh.DeauthorizedAt, sh.DeauthMessage = at, sanitize.Line(msg)
		return tx.SetShop(sh)
	})
	if err != nil {
		return fmt.Errorf("record seller deauthorization: %w", err)
	}
	e.log.Warn("TikTok: the seller deauthorized the app", "message", sanitize.Line(msg))
	e.applyAuth(store.Shop{DeauthorizedAt: at, DeauthMessage: sanitize.Line(msg)})
	return nil
}

// noteAuthExpiring records when the authorization expires, for the header.
func (e *Engine) noteAuthExpiring(ctx context.Context, at time.Time) error {
	var sh store.Shop
	err := e.st.Update(ctx, func(tx *store.Tx) error {
		var err error
		if sh, err = tx.Shop(); err != nil {
			return err
		}
		sh.AuthExpiresAt = at
		return tx.SetShop(sh)
	})
	if err != nil {
		return fmt.Errorf("record authorization expiry: %w", err)
	}
	e.log.Warn("TikTok: the app's authorization expires soon", "expires", at.Format(time.RFC3339))
	e.applyAuth(sh)
	return nil
}

// deauthReason is the header's reason for a deauthorized shop.
func deauthReason(sh store.Shop) string {
	r := "the seller deauthorized shipdeck on TikTok at " + sh.DeauthorizedAt.Format("2006-01-02 15:04 MST") +
		": authorize the app again in Seller Center and update the tokens"
	if sh.DeauthMessage != "" {
		r += " (TikTok: " + sh.DeauthMessage + ")"
	}
	return r
}

// expiryWarning is the header's warning for an authorization that expires
// at, or "" when it is not ahead.
func expiryWarning(at, now time.Time) string {
	if at.IsZero() || !at.After(now) {
		return ""
	}
	return "TikTok authorization expires " + at.Format("2006-01-02") + ": ask the seller to authorize shipdeck again"
}

// applyAuth shows the shop's authorization state in the worker status.
func (e *Engine) applyAuth(sh store.Shop) {
	now := e.now()
	e.mu.Lock()
	e.deauthorized = !sh.DeauthorizedAt.IsZero()
	e.mu.Unlock()
	e.setWorker(func(w *store.WorkerStatus) {
		if !sh.DeauthorizedAt.IsZero() {
			w.State, w.Reason = store.WorkerDegraded, deauthReason(sh)
		}
		if warn := expiryWarning(sh.AuthExpiresAt, now); warn != "" || !sh.AuthExpiresAt.IsZero() {
			w.Warning = warn
		}
	})
}

// loadAuth shows the stored authorization state at start.
func (e *Engine) loadAuth(ctx context.Context) error {
	sh, err := e.st.Shop(ctx)
	if err != nil {
		return err
	}
	e.applyAuth(sh)
	return nil
}

// authRestored clears a recorded deauthorization once TikTok accepts a
// call again (the seller authorized the app anew).
func (e *Engine) authRestored(ctx context.Context) {
	e.mu.Lock()
	was := e.deauthorized
	e.deauthorized = false
	e.mu.Unlock()
	if !was {
		return
	}
	err := e.st.Update(ctx, func(tx *store.Tx) error {
		sh, err := tx.Shop()
		if err != nil {
			return err
		}
		sh.DeauthorizedAt, sh.DeauthMessage = time.Time{}, ""
		return tx.SetShop(sh)
	})
	if err != nil {
		e.log.Warn("clear the recorded deauthorization", "err", err)
	}
}

// pollFailureReason is the worker's degraded reason after a failed poll:
// a deauthorization explains the failure better than the error alone.
func (e *Engine) pollFailureReason(ctx context.Context, err error) string {
	e.mu.Lock()
	deauth := e.deauthorized
	e.mu.Unlock()
	if !deauth {
		return err.Error()
	}
	sh, serr := e.st.Shop(ctx)
	if serr != nil || sh.DeauthorizedAt.IsZero() {
		return err.Error()
	}
	return deauthReason(sh) + "; last poll: " + err.Error()
}

// flagAddressChange tells the operator when TikTok changed the address of
// an order a 3PL may already hold: the 3PL still has the old one. It
// returns the order with a warning and reason added, or ok false when
// nothing needs flagging.
func flagAddressChange(cur, next store.Order) (store.Order, bool) {
	if cur.Recipient.Masked || next.Recipient.Masked || !mayBeAtCarrier(&next) || sameAddress(cur.Recipient, next.Recipient) {
		return next, false
	}
	msg := fmt.Sprintf("address changed on TikTok after the order reached %s: was %q, now %q; update it at %s",
		next.Carrier(), addressLine(cur.Recipient), addressLine(next.Recipient), next.Carrier())
	next.Warnings = append(next.Warnings, msg)
	next.Reason = msg
	return next, true
}

func sameAddress(a, b store.Address) bool {
	return addressLine(a) == addressLine(b) && a.Name == b.Name && a.Phone == b.Phone
}

// addressLine is an address on one line, for a warning.
func addressLine(a store.Address) string {
	parts := append([]string{a.Name}, a.Lines...)
	parts = append(parts, a.City, a.Region, a.PostalCode, a.Country)
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(sanitize.Line(p)); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, ", ")
}
