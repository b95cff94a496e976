package tiktok

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Webhook defaults.
const (
	DefaultWebhookMaxBody int64 = 1 << 20
	DefaultWebhookWindow        = 24 * time.Hour
	// WebhookFutureAllowance is how far ahead of this host's clock a
	// notification timestamp may be (clock skew between TikTok and us).
	WebhookFutureAllowance = 5 * time.Minute
)

// Webhook verification errors. The receiver answers ErrDuplicate with a
// 2xx (TikTok must stop retrying) and the others with a 4xx.
var (
	ErrBadSignature  = errors.New("tiktok webhook: bad signature")
	ErrTooLarge      = errors.New("tiktok webhook: body too large")
	ErrStale         = errors.New("tiktok webhook: timestamp outside the accepted window")
	ErrDuplicate     = errors.New("tiktok webhook: duplicate notification")
	ErrMalformed     = errors.New("tiktok webhook: malformed notification")
	ErrNotConfigured = errors.New("tiktok webhook: verifier has no app key or app secret")
)

// Verifier checks TikTok webhook deliveries. TikTok's signature covers no
// timestamp, so a replay is caught by the timestamp window and by
// deduplication on tts_notification_id.
type Verifier struct {
	AppKey, AppSecret string
	// MaxBody bounds the body (default DefaultWebhookMaxBody).
	MaxBody int64
	// Window is how old a notification timestamp may be (default 24h,
	// which covers TikTok's redeliveries at 2 min, 30 min, 3 h and 12 h).
	Window time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Seen records id and reports whether it was already recorded; it must
	// do both atomically. Nil disables deduplication.
	Seen func(ctx context.Context, id string) (bool, error)
}

// Verify checks a delivery's Authorization header against the raw body,
// then its size, shape, timestamp and novelty. On ErrDuplicate it still
// returns the notification.
func (v *Verifier) Verify(ctx context.Context, authorization string, body []byte) (Notification, error) {
	if v.AppKey == "" || v.AppSecret == "" {
		return Notification{}, ErrNotConfigured
	}
	maxBody := v.MaxBody
	if maxBody <= 0 {
		maxBody = DefaultWebhookMaxBody
	}
	if int64(len(body)) > maxBody {
		return Notification{}, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(body), maxBody)
	}
	if !v.signatureValid(authorization, body) {
		return Notification{}, ErrBadSignature
	}

	var n Notification
	if err := json.Unmarshal(body, &n); err != nil {
		return Notification{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if n.NotificationID == "" {
		// The older payload format has no tts_notification_id (EcomPHP
		// tests/WebhookTest.php): a redelivery is the same bytes, so the
		// body's hash stands in for the id.
		n.NotificationID = BodyID(body)
	}
	if n.Timestamp <= 0 {
		return Notification{}, fmt.Errorf("%w: no timestamp", ErrMalformed)
	}

	window := v.Window
	if window <= 0 {
		window = DefaultWebhookWindow
	}
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	at, current := time.Unix(n.Timestamp, 0), now()
	switch {
	case current.Sub(at) > window:
		return Notification{}, fmt.Errorf("%w: notification %s is %s old",
			ErrStale, cleanText(n.NotificationID, maxIDLen), current.Sub(at).Round(time.Second))
	case at.Sub(current) > WebhookFutureAllowance:
		return Notification{}, fmt.Errorf("%w: notification %s is %s in the future",
			ErrStale, cleanText(n.NotificationID, maxIDLen), at.Sub(current).Round(time.Second))
	}

	if v.Seen != nil {
		seen, err := v.Seen(ctx, n.NotificationID)
		if err != nil {
			return Notification{}, fmt.Errorf("tiktok webhook: dedup notification %s: %w",
				cleanText(n.NotificationID, maxIDLen), err)
		}
		if seen {
			return n, ErrDuplicate
		}
	}
	return n, nil
}

// BodyID is the dedup key of a notification without tts_notification_id:
// "body-" and the first 16 bytes of the SHA-256 of its raw bytes, in hex.
func BodyID(body []byte) string {
	sum := sha256.Sum256(body)
	return "body-" + hex.EncodeToString(sum[:16])
}

// signatureValid compares the header, decoded from hex (either case),
// with HMAC-SHA256(app_secret, app_key + body) in constant time.
func (v *Verifier) signatureValid(authorization string, body []byte) bool {
	got, err := hex.DecodeString(strings.TrimSpace(authorization))
	if err != nil || len(got) != sha256.Size {
		return false
	}
	return hmac.Equal(webhookMAC(v.AppKey, v.AppSecret, body), got)
}

// ReadBody reads a request body of at most max bytes (default
// DefaultWebhookMaxBody when max <= 0); a longer one is ErrTooLarge, read
// no further than max+1 bytes.
func ReadBody(r *http.Request, max int64) ([]byte, error) {
	if max <= 0 {
		max = DefaultWebhookMaxBody
	}
	if r.ContentLength > max {
		return nil, fmt.Errorf("%w: Content-Length %d, limit %d", ErrTooLarge, r.ContentLength, max)
	}
	if r.Body == nil {
		return nil, nil
	}
	data, err := readLimited(r.Body, max)
	switch {
	case errors.Is(err, errBodyTooLarge):
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, max)
	case err != nil:
		return nil, fmt.Errorf("tiktok webhook: read body: %w", err)
	}
	return data, nil
}
