package tiktok

import (
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Codes classified by number alone. The groupings follow TikTok's
// common-errors page and the per-endpoint error tables; 36009004 is
// overloaded and branched on its message instead (classifyOverloaded).
var codeClasses = map[int]Class{
	CodeRateLimited: ClassRateLimited,

	CodeExpiredToken: ClassTokenExpired,
	101000:           ClassTokenExpired, // x-tts-access-token header is invalid

	CodeBadSignature: ClassNeedsHuman,
	CodeScopeDenied:  ClassNeedsHuman,
	CodeIPNotAllowed: ClassNeedsHuman,
	36004004:         ClassNeedsHuman, // invalid auth code: redo OAuth
	12009014:         ClassNeedsHuman, // seller has no permission
	12019114:         ClassNeedsHuman,
	12052700:         ClassNeedsHuman,

	CodeInternal: ClassTransient,
	CodeTimeout:  ClassTransient,
	10002014:     ClassTransient, // failed to get orders, retry
	10002015:     ClassTransient,
	10037002:     ClassTransient,
	10037003:     ClassTransient,
	10037004:     ClassTransient,
	10006402:     ClassTransient, // internal error
	12001000:     ClassTransient,
	12052881:     ClassTransient,
	33001002:     ClassTransient,

	CodeMissingCipher:    ClassShopCipher,
	CodeOnHold:           ClassOnHold,
	CodeUpdateWindowShut: ClassNeedsHuman,
	36009009:             ClassBadRequest, // invalid path
	36009010:             ClassBadRequest, // invalid method
	36009014:             ClassBadRequest, // invalid API version
	36009021:             ClassBadRequest, // file too large
	36009022:             ClassBadRequest, // wrong content type
	36009023:             ClassBadRequest,
	11050001:             ClassBadRequest, // invalid param
	98001004:             ClassBadRequest,
	CodeNotSellersOrder:  ClassBadRequest,
	CodeRegionNotAllowed: ClassBadRequest,
}

// Reasons shown with each class, in operator words.
const (
	reasonRateLimited  = "rate limited by TikTok"
	reasonTokenExpired = "access token expired or invalid"
	reasonClockSkew    = "TikTok refused the request timestamp (clock skew or a delayed request); check this host's clock if it repeats"
	reasonCredentials  = "TikTok refused the app credentials or signature; check the app key and secret"
	reasonNeedsHuman   = "TikTok refused the call; an operator must act"
	reasonTransient    = "TikTok had a temporary failure"
	reasonBadRequest   = "TikTok refused the request"
	reasonShopCipher   = "TikTok refused the shop cipher (missing, or no longer valid for this shop); shipdeck fetches the authorized shops again"
	// Fulfilment refusals, from TikTok's changelog "For US and UK markets:
	// introducing On Hold order status" (21011044) and "...shipping
	// information update time window extended to 72 hours" (21011049).
	reasonOnHold       = "TikTok says the order is still on hold (the buyer may cancel during the hold); tracking is written back when the hold ends"
	reasonUpdateWindow = "TikTok's window for changing this order's tracking has closed (72 hours after shipping); change it in Seller Center, then resolve"
)

// classifyCode classifies a reply that carried a non-zero code. HTTP 429
// always means rate limited; an unknown code on a 5xx is transient; any
// other unknown code is a refusal of this request.
func classifyCode(code int, message string, status int) (Class, string) {
	if status == http.StatusTooManyRequests {
		return ClassRateLimited, reasonRateLimited
	}
	if code == CodeOverloaded {
		return classifyOverloaded(message)
	}
	if class, ok := codeClasses[code]; ok {
		return class, reasonFor(class, code)
	}
	if status >= 500 {
		return ClassTransient, reasonTransient
	}
	return ClassBadRequest, reasonBadRequest
}

// classifyOverloaded branches 36009004 on its message, as TikTok's docs
// say to: the one code covers bad app keys, missing signatures, stale or
// future timestamps, bad access tokens and unexpected identifiers.
func classifyOverloaded(message string) (Class, string) {
	m := strings.ToLower(message)
	switch {
	case strings.Contains(m, "timestamp"):
		return ClassTransient, reasonClockSkew
	case strings.Contains(m, "access_token"), strings.Contains(m, "access token"),
		strings.Contains(m, "x-tts-access-token"), strings.Contains(m, "expired"):
		return ClassTokenExpired, reasonTokenExpired
	case strings.Contains(m, "app_key"), strings.Contains(m, "app key"),
		strings.Contains(m, "signature"), strings.Contains(m, "missing credentials"):
		return ClassNeedsHuman, reasonCredentials
	case strings.Contains(m, "shop_cipher") && !strings.Contains(m, "not required"):
		// "Invalid identifier. The shop_cipher ... is invalid": the shop
		// was re-authorized or the cipher belongs to another shop. 36009004
		// carries this among its messages (marketplace-and-3pl-apis.md §1.4,
		// the error table; "Missing identifier … shop_cipher" is 106013).
		return ClassShopCipher, reasonShopCipher
	case strings.Contains(m, "not required"), strings.Contains(m, "shop_id"), strings.Contains(m, "version"),
		strings.Contains(m, "invalid param"):
		return ClassBadRequest, reasonBadRequest
	default:
		return ClassNeedsHuman, reasonNeedsHuman
	}
}

func reasonFor(class Class, code int) string {
	switch class {
	case ClassRateLimited:
		return reasonRateLimited
	case ClassTokenExpired:
		return reasonTokenExpired
	case ClassShopCipher:
		return reasonShopCipher
	case ClassOnHold:
		return reasonOnHold
	case ClassNeedsHuman:
		switch code {
		case CodeUpdateWindowShut:
			return reasonUpdateWindow
		case CodeBadSignature:
			return "TikTok refused the request signature; check the app secret"
		case CodeScopeDenied:
			return "the app lacks an access scope this call needs; grant it in Partner Center"
		case CodeIPNotAllowed:
			return "this host's IP is not in the app's IP allow list in Partner Center"
		case 36004004:
			return "the authorization code is invalid; the seller must authorize the app again"
		}
		return reasonNeedsHuman
	case ClassTransient:
		return reasonTransient
	}
	if code == CodeRegionNotAllowed {
		// Mark Package As Shipped outside its markets: 21008106 "This
		// interface cannot be used in this region or this business type"
		// (marketplace-and-3pl-apis.md §1.4, from the EcomPHP TikTok Shop
		// SDK's issue #26).
		return "TikTok does not offer this call in the shop's market or business type; ship the order in Seller Center, then resolve it"
	}
	return reasonBadRequest
}

// classifyStatus classifies a reply with no usable TikTok code by its
// HTTP status: 429 is a rate limit, 5xx and 408 are transient (503 is a
// server error, not a rate limit), 401/403 need a human, other 4xx are
// request bugs and a redirect means the base URL is wrong.
func classifyStatus(status int) (Class, string, bool) {
	switch {
	case status == http.StatusTooManyRequests:
		return ClassRateLimited, reasonRateLimited, true
	case status >= 500 || status == http.StatusRequestTimeout:
		return ClassTransient, reasonTransient, true
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return ClassNeedsHuman, reasonNeedsHuman, true
	case status >= 400:
		return ClassBadRequest, reasonBadRequest, true
	case status >= 300:
		return ClassMalformed, "unexpected redirect (not followed); check the base URL", true
	case status < 200:
		return ClassMalformed, "unexpected informational status", true
	}
	return "", "", false
}

// parseRetryAfter reads a Retry-After header given as delay seconds or as
// an HTTP-date. Garbage, negative values and dates in the past give 0;
// anything above MaxRetryAfter is clamped to it.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		if errors.Is(err, strconv.ErrRange) {
			if strings.HasPrefix(v, "-") {
				return 0
			}
			secs = math.MaxInt64
		}
		if secs <= 0 {
			return 0
		}
		if secs >= int64(MaxRetryAfter/time.Second) {
			return MaxRetryAfter
		}
		return time.Duration(secs) * time.Second
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0
	}
	d := t.Sub(now)
	switch {
	case d <= 0:
		return 0
	case d > MaxRetryAfter:
		return MaxRetryAfter
	}
	return d
}

// CodePackageShipped is the refusal of a second ship of the same package.
// TikTok's public error tables do not confirm the number, so
// IsAlreadyShipped checks the message too.
const CodePackageShipped = 21008099

// IsAlreadyShipped reports whether err is TikTok refusing to ship a
// package that is already shipped: a write-back that landed before a crash
// could record it, which the caller treats as done.
func IsAlreadyShipped(err error) bool {
	var ae *APIError
	if !errors.As(err, &ae) || ae.Code == CodeOK {
		return false
	}
	if ae.Code == CodePackageShipped {
		return true
	}
	return strings.Contains(strings.ToLower(ae.Message), "already shipped")
}
