package tiktok

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Production hosts, used when Config leaves BaseURL or AuthBaseURL empty.
const (
	DefaultBaseURL     = "https://open-api.tiktokglobalshop.com"
	DefaultAuthBaseURL = "https://auth.tiktok-shops.com"
)

// Defaults for Config's zero values.
const (
	DefaultTimeout       = 15 * time.Second
	DefaultMaxBody int64 = 4 << 20
)

// Config configures a Client. The secrets in it (AppSecret, AccessToken,
// RefreshToken) never appear in an error or a hook argument.
type Config struct {
	// BaseURL is the Open API host (default DefaultBaseURL); AuthBaseURL is
	// the token host (default DefaultAuthBaseURL).
	BaseURL, AuthBaseURL string
	AppKey, AppSecret    string
	// AccessToken and RefreshToken are the current tokens; at least one is
	// required. A refresh replaces both and reports them through OnToken.
	AccessToken, RefreshToken string
	// ShopCipher picks the shop on shop-scoped calls (from Shops).
	ShopCipher string
	// Timeout bounds one method call end to end, including a token
	// refresh and its retry (default 15s).
	Timeout time.Duration
	// MaxBody bounds a reply body (default 4 MiB); a larger one is an error.
	MaxBody int64
	// Now is the clock that stamps requests (default time.Now).
	Now func() time.Time
	// HTTPClient replaces the default client (whose transport has dial,
	// TLS and response-header timeouts). Redirects are never followed:
	// they would carry the access token to another host.
	HTTPClient *http.Client
	// BeforeSend runs before every HTTP attempt, the token refresh
	// included; the engine reserves quota here. An error vetoes the
	// attempt: nothing is sent and the call fails wrapping that error.
	BeforeSend func(ctx context.Context, call Call) error
	// AfterSend runs after every attempt that was sent, with its outcome.
	AfterSend func(ctx context.Context, call Call, res Result)
	// OnToken receives the new tokens after a successful refresh, so they
	// can be persisted (a refresh rotates the refresh token too). It must
	// not call back into RefreshToken.
	OnToken func(TokenData)
}

// Call describes one HTTP attempt to the hooks.
type Call struct {
	// Endpoint is the stable endpoint name (one of the Endpoint constants).
	Endpoint string
	Method   string
	// Path is the request path without host or query.
	Path string
	// Kind is what the call is for in the quota ledger, from WithKind.
	Kind string
	// Attempt is 1 for the first attempt of a method call and 2 for the
	// retry after a token refresh.
	Attempt int
}

// Result is the outcome of one HTTP attempt.
type Result struct {
	HTTPStatus int
	// Code is TikTok's code (0 on success or when the reply had none).
	Code      int
	RequestID string
	// Latency is wall time (monotonic clock), not the injected Now.
	Latency time.Duration
	// RetryAfter is the server-given delay, clamped to MaxRetryAfter.
	RetryAfter time.Duration
	// Err is the attempt's error, nil on success.
	Err error
}

type kindKey struct{}

// WithKind tags ctx with what the calls made under it are for ("poll",
// "detail", "writeback"...), so BeforeSend can charge the right ledger
// line.
func WithKind(ctx context.Context, kind string) context.Context {
	return context.WithValue(ctx, kindKey{}, kind)
}

// KindFrom returns the kind set by WithKind, or "".
func KindFrom(ctx context.Context) string {
	k, _ := ctx.Value(kindKey{}).(string)
	return k
}

// Client calls the TikTok Shop Open API. It is safe for concurrent use;
// the hooks may be called from several goroutines at once.
type Client struct {
	baseURL, authBaseURL string
	appKey, appSecret    string
	timeout              time.Duration
	maxBody              int64
	now                  func() time.Time
	hc                   *http.Client
	beforeSend           func(context.Context, Call) error
	afterSend            func(context.Context, Call, Result)
	onToken              func(TokenData)

	// refreshMu serializes token refreshes, so concurrent calls that all
	// see an expired token refresh it once (a refresh rotates the
	// refresh token; a second refresh with the old one would fail).
	refreshMu sync.Mutex

	mu           sync.Mutex
	accessToken  string
	refreshToken string
	shopCipher   string
}

// New validates cfg and returns a Client. Its errors name the bad field,
// never its value.
func New(cfg Config) (*Client, error) {
	if cfg.AppKey == "" {
		return nil, errors.New("tiktok config: AppKey is required")
	}
	if cfg.AppSecret == "" {
		return nil, errors.New("tiktok config: AppSecret is required")
	}
	if cfg.AccessToken == "" && cfg.RefreshToken == "" {
		return nil, errors.New("tiktok config: AccessToken or RefreshToken is required")
	}
	base, err := checkBaseURL("BaseURL", cfg.BaseURL, DefaultBaseURL)
	if err != nil {
		return nil, err
	}
	auth, err := checkBaseURL("AuthBaseURL", cfg.AuthBaseURL, DefaultAuthBaseURL)
	if err != nil {
		return nil, err
	}
	if cfg.Timeout < 0 {
		return nil, errors.New("tiktok config: Timeout must not be negative")
	}
	if cfg.MaxBody < 0 {
		return nil, errors.New("tiktok config: MaxBody must not be negative")
	}
	c := &Client{
		baseURL: base, authBaseURL: auth,
		appKey: cfg.AppKey, appSecret: cfg.AppSecret,
		timeout: cfg.Timeout, maxBody: cfg.MaxBody, now: cfg.Now,
		beforeSend: cfg.BeforeSend, afterSend: cfg.AfterSend, onToken: cfg.OnToken,
		accessToken: cfg.AccessToken, refreshToken: cfg.RefreshToken, shopCipher: cfg.ShopCipher,
	}
	if c.timeout == 0 {
		c.timeout = DefaultTimeout
	}
	if c.maxBody == 0 {
		c.maxBody = DefaultMaxBody
	}
	if c.now == nil {
		c.now = time.Now
	}
	if cfg.HTTPClient != nil {
		hc := *cfg.HTTPClient
		hc.CheckRedirect = refuseRedirect
		c.hc = &hc
	} else {
		c.hc = &http.Client{Transport: newTransport(c.timeout), CheckRedirect: refuseRedirect}
	}
	return c, nil
}

// checkBaseURL validates an absolute http(s) URL without credentials,
// query or fragment, and returns it without a trailing slash.
func checkBaseURL(field, raw, def string) (string, error) {
	if raw == "" {
		raw = def
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", errors.New("tiktok config: " + field + " must be an absolute http(s) URL without credentials or query")
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// newTransport is a transport whose every phase has a deadline, so a
// stuck peer cannot hold a worker (zero means forever in net/http).
func newTransport(timeout time.Duration) *http.Transport {
	dial := min(timeout, 10*time.Second)
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: dial, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   dial,
		ResponseHeaderTimeout: timeout,
		ExpectContinueTimeout: time.Second,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConnsPerHost:   8,
		ForceAttemptHTTP2:     true,
	}
}

func refuseRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// SetTokens replaces the tokens, for example after the seller authorized
// the app again.
func (c *Client) SetTokens(accessToken, refreshToken string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.accessToken, c.refreshToken = accessToken, refreshToken
}

// SetShopCipher sets the shop_cipher sent on shop-scoped calls (from
// Shops).
func (c *Client) SetShopCipher(cipher string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.shopCipher = cipher
}

// ShopCipher returns the shop_cipher sent on shop-scoped calls ("" when
// none is set yet).
func (c *Client) ShopCipher() string { return c.cipher() }

// CloseIdleConnections closes the client's idle keep-alive connections.
func (c *Client) CloseIdleConnections() { c.hc.CloseIdleConnections() }

func (c *Client) tokens() (access, refresh string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.accessToken, c.refreshToken
}

func (c *Client) cipher() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.shopCipher
}
