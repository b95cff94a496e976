package sim

import (
	"crypto/hmac"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	gosync "sync"
	"time"

	"github.com/shipdeck/shipdeck/sync/tiktok"
)

// apiError is a refusal with an HTTP status, a TikTok code and a message.
type apiError struct {
	status     int
	code       int
	msg        string
	retryAfter int    // seconds, for 429s
	counter    string // which reject counter it bumps
}

// Reject counters.
const (
	rejectSignature = "signature"
	rejectTimestamp = "timestamp"
	rejectToken     = "token"
	rejectOther     = "other"
	rejectRate      = "rate"
	rejectDaily     = "daily"
)

// Timestamp window: TikTok refuses timestamps more than 5 minutes behind or
// 30 seconds ahead of its clock.
const (
	timestampBehind = 5 * time.Minute
	timestampAhead  = 30 * time.Second
	tokenLifetime   = 7 * 24 * time.Hour
	refreshLifetime = 365 * 24 * time.Hour
)

// gate checks a marketplace request the way TikTok does: content type,
// app key, signature, timestamp, access token, shop cipher, then quota.
type gate struct {
	mu         gosync.Mutex
	appKey     string
	appSecret  string
	shopCipher string
	// otherCiphers are the ciphers of the other shops that authorized
	// the app: valid, but those shops have no orders here.
	otherCiphers map[string]bool
	// deauthorized: the seller removed the app; no token works.
	deauthorized bool
	refreshToken string
	refreshExp   time.Time
	tokens       map[string]time.Time // access token → expiry (sim time)
	issued       int
	seed         int64
	stampClock   TimeSource // nil: check timestamps against the sim clock

	quota quotaLedger
}

func (g *gate) check(r *http.Request, q url.Values, body []byte, now time.Time, shopScoped bool) *apiError {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return &apiError{http.StatusBadRequest, tiktok.CodeOverloaded,
			"Invalid request header. The Content-Type header must be application/json.", 0, rejectOther}
	}
	if q.Get("app_key") != g.appKey {
		return &apiError{http.StatusUnauthorized, tiktok.CodeOverloaded,
			"Invalid credentials. The app_key query parameter is invalid or missing.", 0, rejectOther}
	}
	sign := q.Get("sign")
	if sign == "" {
		return &apiError{http.StatusUnauthorized, tiktok.CodeBadSignature,
			"Missing credentials. The request does not include a required signature in the query.", 0, rejectSignature}
	}
	want := tiktok.Sign(g.appSecret, r.Method, r.URL.Path, q, body, r.Header.Get("Content-Type"))
	if !hmac.Equal([]byte(sign), []byte(want)) {
		return &apiError{http.StatusUnauthorized, tiktok.CodeBadSignature,
			"Invalid credentials. The sign query parameter is invalid.", 0, rejectSignature}
	}
	ts, err := strconv.ParseInt(q.Get("timestamp"), 10, 64)
	if err != nil {
		return &apiError{http.StatusUnauthorized, tiktok.CodeOverloaded,
			"Invalid timestamp. The timestamp query parameter is missing or not a Unix time in seconds.", 0, rejectTimestamp}
	}
	ref := now
	if g.stampClock != nil {
		ref = g.stampClock.Now()
	}
	switch t := time.Unix(ts, 0); {
	case t.Before(ref.Add(-timestampBehind)):
		return &apiError{http.StatusUnauthorized, tiktok.CodeOverloaded,
			"Invalid timestamp. The timestamp must not be earlier than 5 minutes before the current time.", 0, rejectTimestamp}
	case t.After(ref.Add(timestampAhead)):
		return &apiError{http.StatusUnauthorized, tiktok.CodeOverloaded,
			"Invalid timestamp. The timestamp must not exceed the current time by more than 30 seconds.", 0, rejectTimestamp}
	}
	if e := g.checkToken(r.Header.Get("x-tts-access-token"), now); e != nil {
		return e
	}
	cipher := q.Get("shop_cipher")
	g.mu.Lock()
	main, other := g.shopCipher, g.otherCiphers[cipher]
	g.mu.Unlock()
	switch {
	case shopScoped && cipher == "":
		return &apiError{http.StatusBadRequest, tiktok.CodeMissingCipher,
			"Missing identifier. The shop_cipher query parameter is required for this request.", 0, rejectOther}
	case shopScoped && cipher != main && !other:
		return &apiError{http.StatusBadRequest, tiktok.CodeOverloaded,
			"Invalid identifier. The shop_cipher query parameter is invalid.", 0, rejectOther}
	case !shopScoped && cipher != "":
		return &apiError{http.StatusBadRequest, tiktok.CodeOverloaded,
			"Unexpected identifier. The shop_cipher query parameter is not required for this request.", 0, rejectOther}
	}
	return g.quota.take(now)
}

func (g *gate) checkToken(tok string, now time.Time) *apiError {
	g.mu.Lock()
	defer g.mu.Unlock()
	exp, ok := g.tokens[tok]
	switch {
	case tok == "" || !ok || g.deauthorized:
		return &apiError{http.StatusUnauthorized, tiktok.CodeExpiredToken,
			"Invalid credentials. The x-tts-access-token header is missing or invalid.", 0, rejectToken}
	case !now.Before(exp):
		return &apiError{http.StatusUnauthorized, tiktok.CodeExpiredToken,
			"Expired credentials. The access_token or x-tts-access-token header has expired.", 0, rejectToken}
	}
	return nil
}

// refresh issues a new access token for a valid refresh token. Older access
// tokens stay valid until they expire, as a client may still be using one.
func (g *gate) refresh(q url.Values, now time.Time) (tiktok.TokenData, *apiError) {
	g.mu.Lock()
	defer g.mu.Unlock()
	switch {
	case q.Get("app_key") != g.appKey || q.Get("app_secret") != g.appSecret:
		return tiktok.TokenData{}, &apiError{http.StatusUnauthorized, tiktok.CodeOverloaded,
			"Invalid credentials. The app_key or app_secret is invalid.", 0, rejectOther}
	case q.Get("grant_type") != "refresh_token":
		return tiktok.TokenData{}, &apiError{http.StatusBadRequest, tiktok.CodeOverloaded,
			"Invalid param error. grant_type must be refresh_token.", 0, rejectOther}
	case q.Get("refresh_token") != g.refreshToken || !now.Before(g.refreshExp) || g.deauthorized:
		return tiktok.TokenData{}, &apiError{http.StatusBadRequest, 36004004,
			"Invalid refresh token. The refresh_token is invalid or has expired.", 0, rejectOther}
	}
	g.issued++
	tok := fmt.Sprintf("TTP_%s", tokenString(g.seed, uint64(g.issued)+1000, 30))
	exp := now.Add(tokenLifetime).Truncate(time.Second)
	g.tokens[tok] = exp
	return tiktok.TokenData{
		AccessToken: tok, AccessTokenExpireIn: exp.Unix(),
		RefreshToken: g.refreshToken, RefreshTokenExpireIn: g.refreshExp.Unix(),
	}, nil
}

// expireTokens makes every access token issued so far expire at now.
func (g *gate) expireTokens(now time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for t := range g.tokens {
		g.tokens[t] = now
	}
}

// quotaLedger enforces the per-quota-day budget and the per-second cap on
// the sim clock. A refused call does not use quota.
type quotaLedger struct {
	mu        gosync.Mutex
	daily     int // ≤ 0: unlimited
	perSecond int // ≤ 0: unlimited
	zone      *time.Location
	resetHour int

	day     string
	used    int
	sec     int64
	secUsed int
}

func (q *quotaLedger) dayKey(now time.Time) string {
	return now.In(q.zone).Add(-time.Duration(q.resetHour) * time.Hour).Format(time.DateOnly)
}

// nextReset is the start of the next quota day after now.
func (q *quotaLedger) nextReset(now time.Time) time.Time {
	l := now.In(q.zone).Add(-time.Duration(q.resetHour) * time.Hour)
	return time.Date(l.Year(), l.Month(), l.Day()+1, q.resetHour, 0, 0, 0, q.zone)
}

func (q *quotaLedger) take(now time.Time) *apiError {
	q.mu.Lock()
	defer q.mu.Unlock()
	if d := q.dayKey(now); d != q.day {
		q.day, q.used = d, 0
	}
	if s := now.Unix(); s != q.sec {
		q.sec, q.secUsed = s, 0
	}
	if q.daily > 0 && q.used >= q.daily {
		wait := int(q.nextReset(now).Sub(now).Seconds()) + 1
		return &apiError{http.StatusTooManyRequests, tiktok.CodeRateLimited,
			"Too many requests. The daily API quota for this app and shop is used up.", wait, rejectDaily}
	}
	if q.perSecond > 0 && q.secUsed >= q.perSecond {
		return &apiError{http.StatusTooManyRequests, tiktok.CodeRateLimited,
			"Too many requests. You've made too many requests in a short period of time.", 1, rejectRate}
	}
	q.used++
	q.secUsed++
	return nil
}

// usage reports the current quota day and the calls counted in it.
func (q *quotaLedger) usage(now time.Time) (day string, used int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if d := q.dayKey(now); d != q.day {
		return d, 0
	}
	return q.day, q.used
}

// mainShop reports whether a shop-scoped call named the simulated shop
// (rather than another authorized shop, which has no orders here).
func (g *gate) mainShop(q url.Values) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return q.Get("shop_cipher") == g.shopCipher
}

// rotateCipher gives the shop a new cipher (as a re-authorization does);
// calls with the old one are refused as an invalid identifier.
func (g *gate) rotateCipher() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.issued++
	g.shopCipher = "GCP_" + tokenString(g.seed, uint64(g.issued)+5000, 24)
	return g.shopCipher
}
